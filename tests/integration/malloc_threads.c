// SPDX-License-Identifier: MIT
/*
 * Four threads in one simulated process, mixed malloc/calloc/realloc/free
 * with content checks and frees of each other's objects: glibc's arenas (the
 * first thread on the main arena, each other one on an mmapped heap of its
 * own, kmem_malloc_stats lists them), no corruption, and every frame back
 * when the process exits.
 *
 * 1,000,000 operations per thread (about 45 s on the shared 2-core
 * machine; KMEM_MALLOC_OPS=N runs N).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include "test.h"

#define NTHREADS 4
#define SLOTS 512
#define XCHG 64

static struct kmem_process *proc;
static long nops = 1000000;

/* Objects handed from one thread to the next, which frees them. */
static struct {
	pthread_mutex_t lock;
	void *obj[XCHG];
	size_t len[XCHG];
	int n;
} xchg[NTHREADS];

static int bad;

static unsigned char pattern(const void *p)
{
	return (unsigned char)(((uintptr_t)p >> 4) * 31 + 7);
}

static void fill(void *p, size_t n)
{
	memset(p, pattern(p), n);
}

static void check_byte(void *p, size_t n, unsigned char c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i += 1 + i / 8)
		if (b[i] != c) {
			__atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
			return;
		}
}

static void check(void *p, size_t n)
{
	check_byte(p, n, pattern(p));
}

static size_t rsize(uint64_t *s)
{
	unsigned int r;

	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	r = (unsigned int)(*s >> 33);
	if (r % 100 < 70)
		return 1 + r % 200;
	if (r % 100 < 97)
		return 200 + r % 4000;
	return (128 << 10) + r % (256 << 10);
}

static __attribute__((noinline)) void work(int id)
{
	void *obj[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	uint64_t s = 1000 + id;
	long i;
	int k, next = (id + 1) % NTHREADS;

	for (i = 0; i < nops; i++) {
		size_t n = rsize(&s);

		k = (int)((s >> 20) % SLOTS);
		if (obj[k]) {
			check(obj[k], len[k]);
			if ((s >> 40) % 8 == 0) {
				/* Give it to the next thread to free. */
				pthread_mutex_lock(&xchg[next].lock);
				if (xchg[next].n < XCHG) {
					xchg[next].obj[xchg[next].n] = obj[k];
					xchg[next].len[xchg[next].n++] = len[k];
					obj[k] = NULL;
				}
				pthread_mutex_unlock(&xchg[next].lock);
			} else if ((s >> 40) % 8 == 1) {
				unsigned char c = pattern(obj[k]);
				void *q = kmem_realloc(obj[k], n);

				if (q) {
					check_byte(q, len[k] < n ? len[k] : n,
						   c);
					obj[k] = q;
					len[k] = n;
					fill(q, n);
				}
				continue;
			}
			if (obj[k]) {
				kmem_free(obj[k]);
				obj[k] = NULL;
			}
		}
		obj[k] = (s >> 50) % 4 ? kmem_malloc(n) : kmem_calloc(1, n);
		if (!obj[k]) {
			__atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
			continue;
		}
		len[k] = n;
		fill(obj[k], n);
		/* Free what the previous thread handed over. */
		if (i % 16 == 0) {
			pthread_mutex_lock(&xchg[id].lock);
			while (xchg[id].n > 0) {
				int j = --xchg[id].n;

				check(xchg[id].obj[j], xchg[id].len[j]);
				kmem_free(xchg[id].obj[j]);
			}
			pthread_mutex_unlock(&xchg[id].lock);
		}
	}
	for (k = 0; k < SLOTS; k++)
		if (obj[k]) {
			check(obj[k], len[k]);
			kmem_free(obj[k]);
		}
}

static void *worker(void *arg)
{
	if (kmem_process_enter(proc) != 0) {
		__atomic_fetch_add(&bad, 1000, __ATOMIC_RELAXED);
		return NULL;
	}
	work((int)(intptr_t)arg);
	kmem_process_leave();
	return NULL;
}

static int first_malloc(void *arg)
{
	kmem_free(kmem_malloc(10)); /* this thread: the main arena */
	return 0;
}

static int stats(void *arg)
{
	FILE *f = arg;
	int j;

	/* What the workers handed over last. */
	for (j = 0; j < NTHREADS; j++)
		while (xchg[j].n > 0)
			kmem_free(xchg[j].obj[--xchg[j].n]);
	kmem_malloc_stats_to(f);
	return 0;
}

TEST(four_threads_cross_frees)
{
	pthread_t t[NTHREADS];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	if (getenv("KMEM_MALLOC_OPS"))
		nops = atol(getenv("KMEM_MALLOC_OPS"));
	proc = kmem_process_create("threads");
	CHECK(proc != NULL);
	for (i = 0; i < NTHREADS; i++)
		pthread_mutex_init(&xchg[i].lock, NULL);
	CHECK_EQ(kmem_process_run(proc, first_malloc, NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(bad, 0);
	f = open_memstream(&text, &len);
	CHECK_EQ(kmem_process_run(proc, stats, f), 0);
	fclose(f);
	fputs(text, stderr);
	/* The main arena and one per worker thread (8 x CPUs allowed). */
	CHECK(strstr(text, "Arena 0:") != NULL);
	CHECK(strstr(text, "Arena 4:") != NULL);
	CHECK(strstr(text, "Arena 5:") == NULL);
	CHECK(strstr(text, "Total (incl. mmap):") != NULL);
	CHECK(strstr(text, "max mmap regions =") != NULL);
	free(text);
	CHECK_EQ(kmem_process_exit(proc), 0);
}

static int arena_max_two(void *arg)
{
	return kmem_mallopt(M_ARENA_MAX, 2) == 1 ? 0 : -1;
}

static void *small_worker(void *arg)
{
	int i;

	if (kmem_process_enter(proc) != 0)
		return NULL;
	for (i = 0; i < 1000; i++)
		kmem_free(kmem_malloc(100 + i));
	kmem_process_leave();
	return NULL;
}

TEST(arena_max_limits_the_arenas)
{
	pthread_t t[NTHREADS];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	proc = kmem_process_create("arena-max");
	CHECK_EQ(kmem_process_run(proc, arena_max_two, NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, small_worker, NULL);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	f = open_memstream(&text, &len);
	CHECK_EQ(kmem_process_run(proc, stats, f), 0);
	fclose(f);
	CHECK(strstr(text, "Arena 1:") != NULL);
	CHECK(strstr(text, "Arena 2:") ==
	      NULL); /* M_ARENA_MAX 2: threads share */
	free(text);
	CHECK_EQ(kmem_process_exit(proc), 0);
}

int main(void)
{
	RUN(arena_max_limits_the_arenas);
	RUN(four_threads_cross_frees);
	return test_summary();
}
