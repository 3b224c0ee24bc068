// SPDX-License-Identifier: MIT
/*
 * glibc's malloc checks inside a simulated process: each corruption prints
 * glibc's own message and aborts the process with SIGABRT; its memory goes
 * back at once, another process's heap is untouched, and a new process then
 * allocates and checks 10,000 objects.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/log.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include "test.h"

static size_t *hdr(void *p)
{
	uintptr_t u = (uintptr_t)p - 2 * sizeof(size_t);

	__asm__("" : "+r"(u));
	return (size_t *)u;
}

static int tcache_double_free(void *arg)
{
	char *p = kmem_malloc(24);

	kmem_free(p);
	kmem_free(p);
	return 0;
}

static int invalid_pointer(void *arg)
{
	char *p = kmem_calloc(1, 64);

	kmem_free(p + 8);
	return 0;
}

static int invalid_size(void *arg)
{
	char *p = kmem_malloc(24);

	hdr(p)[1] = 16 | 1; /* below MINSIZE */
	kmem_free(p);
	return 0;
}

static int munmap_invalid(void *arg)
{
	char *p = kmem_malloc(24);

	hdr(p)[1] |= 2; /* IS_MMAPPED on a heap chunk */
	kmem_free(p);
	return 0;
}

static int fasttop(void *arg)
{
	void *t[7], *a;
	int i;

	for (i = 0; i < 7; i++)
		t[i] = kmem_malloc(24);
	a = kmem_malloc(24);
	kmem_malloc(24); /* keeps a off the top */
	for (i = 0; i < 7; i++)
		kmem_free(t[i]); /* the tcache bin is full */
	kmem_free(a);
	kmem_free(a);
	return 0;
}

static int not_prev(void *arg)
{
	void *p = kmem_malloc(0x500);

	kmem_malloc(24);
	kmem_free(p);
	kmem_free(p);
	return 0;
}

static int corrupted_top(void *arg)
{
	char *p = kmem_malloc(24);

	hdr(p + 32)[1] = (size_t)-1 & ~(size_t)15; /* the top chunk's size */
	kmem_malloc(0x500);
	return 0;
}

static int unsorted_corrupted(void *arg)
{
	void **a = kmem_malloc(0x500);
	void *g = kmem_malloc(24);

	kmem_free(a);
	a[0] = g; /* fd of the unsorted chunk */
	kmem_malloc(0x600);
	return 0;
}

static int realloc_next_size(void *arg)
{
	char *a = kmem_malloc(24);
	char *b = kmem_malloc(24);

	kmem_malloc(24);
	hdr(b)[1] = 0;
	kmem_realloc(a, 100);
	return 0;
}

static const struct {
	const char *message;
	int (*fn)(void *);
} cases[] = {
	{ "free(): double free detected in tcache 2", tcache_double_free },
	{ "free(): invalid pointer", invalid_pointer },
	{ "free(): invalid size", invalid_size },
	{ "munmap_chunk(): invalid pointer", munmap_invalid },
	{ "double free or corruption (fasttop)", fasttop },
	{ "double free or corruption (!prev)", not_prev },
	{ "malloc(): corrupted top size", corrupted_top },
	{ "malloc(): unsorted double linked list corrupted",
	  unsorted_corrupted },
	{ "realloc(): invalid next size", realloc_next_size },
};

/* A bystander process's heap, checked after each abort. */
static int fill(void *arg)
{
	unsigned char **v = arg;
	int i;

	for (i = 0; i < 100; i++) {
		v[i] = kmem_malloc(100 + i);
		memset(v[i], i, 100 + i);
	}
	return 0;
}

static int check_fill(void *arg)
{
	unsigned char **v = arg;
	int i, j, bad = 0;

	for (i = 0; i < 100; i++)
		for (j = 0; j < 100 + i; j++)
			bad += v[i][j] != i;
	return bad;
}

TEST(each_error_aborts_the_process)
{
	unsigned char *v[100];
	struct kmem_process *bystander = kmem_process_create("bystander");
	unsigned int i;

	CHECK_EQ(kmem_process_run(bystander, fill, v), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kmem_process *p = kmem_process_create("victim");
		struct kmem_process_info in;
		size_t mark = kmem_log_mark();

		CHECK_EQ(kmem_process_run(p, cases[i].fn, NULL), -SIGABRT);
		CHECK_LOG(mark, cases[i].message);
		kmem_process_info(p, &in);
		CHECK_EQ(in.killed, SIGABRT);
		CHECK_EQ(in.rss_anon,
			 0UL); /* its memory went back at the kill */
		CHECK_EQ(kmem_process_exit(p), SIGABRT);
		CHECK_EQ(kmem_process_run(bystander, check_fill, v), 0);
	}
	CHECK_EQ(kmem_process_exit(bystander), 0);
}

static int ten_thousand(void *arg)
{
	static unsigned char *v[10000];
	int i, j, bad = 0;

	for (i = 0; i < 10000; i++) {
		size_t n = 1 + (i * 37) % 3000;

		v[i] = kmem_malloc(n);
		if (!v[i])
			return -1;
		memset(v[i], i & 0xff, n);
	}
	for (i = 0; i < 10000; i++) {
		size_t n = 1 + (i * 37) % 3000;

		for (j = 0; j < (int)n; j++)
			bad += v[i][j] != (i & 0xff);
		kmem_free(v[i]);
	}
	return bad;
}

TEST(machine_works_after_the_aborts)
{
	struct kmem_process *p;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = kmem_process_create("victim");
		CHECK_EQ(kmem_process_run(p, cases[i].fn, NULL), -SIGABRT);
		kmem_process_exit(p);
	}
	p = kmem_process_create("after");
	CHECK_EQ(kmem_process_run(p, ten_thousand, NULL), 0);
	CHECK_EQ(kmem_process_exit(p), 0);
	CHECK(kmem_check_invariants());
}

TEST(outside_a_process_esrch)
{
	errno = 0;
	CHECK(kmem_malloc(10) == NULL);
	CHECK_EQ(errno, ESRCH);
	CHECK(kmem_calloc(1, 10) == NULL);
	kmem_free(NULL);
	CHECK_EQ(kmem_mallopt(M_TOP_PAD, 0), 0);
}

int main(void)
{
	RUN(each_error_aborts_the_process);
	RUN(machine_works_after_the_aborts);
	RUN(outside_a_process_esrch);
	return test_summary();
}
