// SPDX-License-Identifier: MIT
/*
 * malloc in the processes of an x86-32 machine is glibc i386's: SIZE_SZ 4,
 * MALLOC_ALIGNMENT 16, MINSIZE 16, 4-byte chunk headers holding 32-bit user
 * addresses, a 512 KiB ceiling for the dynamic mmap threshold, 1 MiB heaps
 * for non-main arenas, M_ARENA_MAX 2 x CPUs.
 *
 * The expected figures are glibc's formulas with i386's constants, written
 * out here (this host has no i386 development files to run glibc i386
 * natively as malloc_ref.c runs the x86-64 one):
 *   request2size(n) = max(16, (n + 4 + 15) & ~15), usable = that - 4;
 *   an mmapped chunk: size ALIGN_UP(nb + 4 + 15, 4096) with the chunk 8
 *   bytes into the mapping (chunk2mem 16-aligned), usable = size - 16;
 *   freeing an mmapped chunk larger than the threshold and at most 512 KiB
 *   raises the threshold to its chunk size.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kmem/kmem.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include "test.h"

#define KiB 1024UL

static int boot32(int cpus)
{
	struct kmem_config cfg = { .ram = 512ULL << 20,
				   .layout = KMEM_LAYOUT_X86_32,
				   .cpus = cpus,
				   .quiet = true };

	return test_boot(&cfg);
}

/* glibc i386's usable size of malloc(n), with its mmap threshold. */
static size_t nb32(size_t n)
{
	size_t nb = (n + 4 + 15) & ~15UL;

	return nb < 16 ? 16 : nb;
}

static size_t mmapped_chunk32(size_t n)
{
	return ((nb32(n) + 4 + 15 + 4095) & ~4095UL) - 8;
}

struct sizes {
	size_t first_off;	/* first user pointer - start_brk */
	unsigned long brk_grow; /* the first malloc's brk growth */
	uint32_t hdr;		/* the 4-byte size word before malloc(20) */
	uint32_t next_hdr;	/* the size word of the chunk after it */
	size_t bad, checked, mmapped;
	size_t first_bad_n, first_bad_got, first_bad_want;
};

static void expect(struct sizes *r, size_t n, size_t got, size_t want)
{
	r->checked++;
	if (got != want && !r->bad++) {
		r->first_bad_n = n;
		r->first_bad_got = got;
		r->first_bad_want = want;
	}
}

static int usable_sizes(void *arg)
{
	struct sizes *r = arg;
	struct kmem_process_info in;
	size_t thr = 128 * KiB, n;
	char *p, *q;
	int mm;

	/* The first call of the fresh process. */
	p = kmem_malloc(20);
	if (!p || kmem_process_info(kmem_process_current(), &in))
		return -1;
	r->first_off = kmem_user_addr(p) - in.start_brk;
	r->brk_grow = in.brk - in.start_brk;
	r->hdr = ((uint32_t *)p)[-1];
	q = kmem_malloc(20);
	r->next_hdr = ((uint32_t *)(p + 28))[0];
	if (q != p + 32)
		r->bad++;
	kmem_free(q);
	kmem_free(p);

	for (n = 0; n <= 256 * KiB; n++) {
		size_t want, nb = nb32(n);

		p = kmem_malloc(n);
		if (!p || ((uintptr_t)kmem_user_addr(p) & 15))
			return -2;
		/* At or above the threshold, sysmalloc mmaps when the top
		 * cannot serve it: the chunk's IS_MMAPPED bit says which. */
		mm = ((uint32_t *)p)[-1] & 2;
		if (mm && nb < thr)
			r->bad++;
		if (mm) {
			want = mmapped_chunk32(n) - 8;
			r->mmapped++;
		} else {
			want = nb - 4;
		}
		expect(r, n, kmem_malloc_usable_size(p), want);
		kmem_free(p);
		if (mm && mmapped_chunk32(n) > thr &&
		    mmapped_chunk32(n) <= 512 * KiB)
			thr = mmapped_chunk32(n);
	}
	/* Requests glibc i386 refuses: above PTRDIFF_MAX of 32 bits. */
	if (kmem_malloc(0x80000000UL) || kmem_calloc(0x10000, 0x10000))
		r->bad++;
	return 0;
}

TEST(usable_sizes_and_chunk_headers)
{
	struct kmem_process *p;
	struct sizes r = { 0 };

	CHECK_EQ(boot32(2), 0);
	p = kmem_process_create("i386");
	CHECK_EQ(kmem_process_run(p, usable_sizes, &r), 0);
	if (r.bad)
		fprintf(stderr, "malloc(%zu): usable %zu, glibc i386 %zu\n",
			r.first_bad_n, r.first_bad_got, r.first_bad_want);
	CHECK_EQ(r.bad, 0);
	CHECK(r.checked > 256 * KiB);
	CHECK(r.mmapped > 0);
	/* The heap starts 8 bytes in (chunk2mem 16-aligned), the tcache
	 * (64 x 2 + 64 x 4 = 384 bytes) takes a 400-byte chunk, so the first
	 * user chunk is at 408 and its memory at 416; the first sbrk of
	 * 132 KiB is followed by one of a page for the 8-byte correction. */
	CHECK_EQ(r.first_off, 416);
	CHECK_EQ(r.brk_grow, 136 * KiB);
	/* 4-byte size words: 32 | PREV_INUSE right before the pointer. */
	CHECK_EQ(r.hdr, 0x21);
	CHECK_EQ(r.next_hdr, 0x21);
	CHECK_EQ(kmem_process_exit(p), 0);
}

/* ---- the dynamic mmap threshold stops at 512 KiB ------------------------------------ */

struct thr {
	int mmapped[5];
	size_t usable[5];
	uint32_t prev_size; /* of the first mmapped chunk: its offset */
	uintptr_t page_off; /* of its user pointer in its page */
};

static int threshold(void *arg)
{
	/* Each freed mmapped chunk of at most 512 KiB raises the threshold
	 * to its size: 500 KiB (chunk 516088) and 510 KiB (524280) do, 600
	 * and 520 KiB do not; so 511 KiB (nb 523280) then comes from the brk
	 * heap. With x86-64's 32 MiB ceiling, 520 KiB would too. */
	static const size_t n[5] = { 500 * KiB, 510 * KiB, 600 * KiB, 520 * KiB,
				     511 * KiB };
	struct thr *r = arg;
	char *p;
	int i;

	for (i = 0; i < 5; i++) {
		p = kmem_malloc(n[i]);
		if (!p)
			return -1;
		memset(p, i, n[i]);
		r->mmapped[i] = ((uint32_t *)p)[-1] & 2;
		r->usable[i] = kmem_malloc_usable_size(p);
		if (i == 0) {
			r->prev_size = ((uint32_t *)p)[-2];
			r->page_off = kmem_user_addr(p) & 4095;
		}
		if (i < 4)
			kmem_free(p);
	}
	return 0;
}

TEST(mmap_threshold_ceiling_512k)
{
	struct kmem_process *p;
	struct thr r = { { 0 } };

	CHECK_EQ(boot32(2), 0);
	p = kmem_process_create("i386-thr");
	CHECK_EQ(kmem_process_run(p, threshold, &r), 0);
	CHECK(r.mmapped[0] && r.mmapped[1] && r.mmapped[2] && r.mmapped[3]);
	CHECK(!r.mmapped[4]);
	CHECK_EQ(r.usable[0], mmapped_chunk32(500 * KiB) - 8);
	CHECK_EQ(r.usable[2], mmapped_chunk32(600 * KiB) - 8);
	CHECK_EQ(r.usable[4], nb32(511 * KiB) - 4);
	/* i386's mmapped chunk starts 8 bytes into its mapping so that its
	 * memory is 16-aligned: prev_size holds that offset. */
	CHECK_EQ(r.prev_size, 8);
	CHECK_EQ(r.page_off, 16);
	CHECK_EQ(kmem_process_exit(p), 0);
}

/* ---- arenas: 1 MiB heaps, 2 x CPUs ------------------------------------------------ */

#define NTHREADS 8
static struct kmem_process *proc;
static pthread_barrier_t held;
static size_t thread_bad;
static FILE *info;

static void *arena_worker(void *arg)
{
	int i = (int)(intptr_t)arg, j;
	char *v[24];

	if (kmem_process_enter(proc) != 0)
		return NULL;
	for (j = 0; j < 24; j++) {
		v[j] = kmem_malloc(100 * KiB); /* below the mmap threshold */
		if (!v[j]) {
			__atomic_fetch_add(&thread_bad, 1, __ATOMIC_RELAXED);
			break;
		}
		memset(v[j], i, 100 * KiB);
	}
	pthread_barrier_wait(&held); /* every thread holds its arena */
	if (i == 0)
		kmem_malloc_info(0, info);
	pthread_barrier_wait(&held);
	while (--j >= 0)
		kmem_free(v[j]);
	kmem_process_leave();
	return NULL;
}

static int first_malloc(void *arg)
{
	kmem_free(kmem_malloc(10)); /* this thread: the main arena */
	return 0;
}

TEST(arenas_heaps_of_one_mib_two_per_cpu)
{
	pthread_t t[NTHREADS];
	char *buf = NULL, *s;
	size_t len = 0;
	int i, arenas = 0, subheaps = 0;

	CHECK_EQ(boot32(2), 0);
	proc = kmem_process_create("i386-arenas");
	CHECK_EQ(kmem_process_run(proc, first_malloc, NULL), 0);
	info = open_memstream(&buf, &len);
	pthread_barrier_init(&held, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, arena_worker, (void *)(intptr_t)i);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&held);
	CHECK_EQ(thread_bad, 0);
	fclose(info);
	/* M_ARENA_MAX: 2 x 2 CPUs = 4 arenas (x86-64: 8 x CPUs, one per
	 * thread here); the 2.4 MB each of the three non-main arenas holds
	 * needs three 1 MiB heaps at least (x86-64: one 64 MiB heap). */
	for (s = buf; (s = strstr(s, "<heap nr=")); s++)
		arenas++;
	for (s = buf; (s = strstr(s, "<aspace type=\"subheaps\" size=\"")); s++)
		subheaps +=
			atoi(s + strlen("<aspace type=\"subheaps\" size=\""));
	CHECK_EQ(arenas, 4);
	CHECK(subheaps >= 3 * 3);
	if (arenas != 4 || subheaps < 9)
		fputs(buf, stderr);
	free(buf);
	CHECK_EQ(kmem_process_exit(proc), 0);
}

/* ---- errors abort the process, fork ------------------------------------------------ */

static int double_free(void *arg)
{
	char *p = kmem_malloc(24);

	kmem_free(p);
	kmem_free(p); /* free(): double free detected in tcache 2 */
	return 0;
}

static int fasttop(void *arg)
{
	char *v[8], *a;
	int i;

	for (i = 0; i < 8; i++)
		v[i] = kmem_malloc(40);
	a = kmem_malloc(40);
	for (i = 0; i < 7; i++)
		kmem_free(v[i]); /* fills the tcache bin of 48 */
	kmem_free(a);		 /* a fastbin (i386: up to 64 bytes) */
	kmem_free(a);		 /* double free or corruption (fasttop) */
	return 0;
}

static int many(void *arg)
{
	static char *v[10000];
	int i, bad = 0;

	for (i = 0; i < 10000; i++) {
		v[i] = kmem_malloc(8 + i % 300);
		if (!v[i])
			return -1;
		memset(v[i], i & 0xff, 8 + i % 300);
	}
	for (i = 0; i < 10000; i++) {
		if ((unsigned char)v[i][7 + i % 300] != (i & 0xff))
			bad++;
		kmem_free(v[i]);
	}
	return bad;
}

TEST(errors_abort_the_process)
{
	struct kmem_process *p;
	size_t mark;

	CHECK_EQ(boot32(2), 0);
	mark = kmem_log_mark();
	p = kmem_process_create("i386-df");
	CHECK_EQ(kmem_process_run(p, double_free, NULL), -SIGABRT);
	CHECK_LOG(mark, "free(): double free detected in tcache 2");
	CHECK_EQ(kmem_process_exit(p), SIGABRT);

	mark = kmem_log_mark();
	p = kmem_process_create("i386-fast");
	CHECK_EQ(kmem_process_run(p, fasttop, NULL), -SIGABRT);
	CHECK_LOG(mark, "double free or corruption (fasttop)");
	CHECK_EQ(kmem_process_exit(p), SIGABRT);

	p = kmem_process_create("i386-after");
	CHECK_EQ(kmem_process_run(p, many, NULL), 0);
	CHECK_EQ(kmem_process_exit(p), 0);
}

static int fork_body(void *arg)
{
	char *before = kmem_malloc(100), *child;
	pid_t pid;
	int st = 0;

	strcpy(before, "parent");
	kmem_free(before);
	pid = fork();
	if (pid == 0) {
		/* The child's copy of the process: its tcache holds before,
		 * its 4-byte links are the same user addresses. */
		child = kmem_malloc(100);
		_exit(child == before && ((uint32_t *)child)[-1] == 0x71 ? 0 :
									   3);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 2;
	return kmem_malloc(100) == before ? 0 : 4;
}

TEST(fork_keeps_the_i386_heap)
{
	struct kmem_process *p;

	CHECK_EQ(boot32(2), 0);
	p = kmem_process_create("i386-fork");
	CHECK_EQ(kmem_process_run(p, fork_body, NULL), 0);
	CHECK_EQ(kmem_process_exit(p), 0);
}

int main(void)
{
	RUN(usable_sizes_and_chunk_headers);
	RUN(mmap_threshold_ceiling_512k);
	RUN(arenas_heaps_of_one_mib_two_per_cpu);
	RUN(errors_abort_the_process);
	RUN(fork_keeps_the_i386_heap);
	return test_summary();
}
