// SPDX-License-Identifier: MIT
/*
 * A thread's stock of sheaves (mm/slub.c, struct sheaf_stock): a thread that
 * allocates what it frees keeps its full sheaves for itself instead of
 * trading them through the barn; the stock is bounded, a thread that only
 * frees stocks nothing, and every other thread can still reach a stock:
 * kmem_cache_shrink(), the shrinker, the double-free search.
 */
/* kmem-test: slub-only: SLUB's sheaves, barn and slab_check_cache() */
#include <pthread.h>

#include <linux/slab.h>
#include <linux/mm.h>
#include <kmem/log.h>
#include "mm/internal.h"
#include "mm/slab.h"
#include "test.h"

#define MAX_OBJS 1024

/* A worker: `rounds` times, allocate n objects of s and free them all; then
 * record its counts and wait twice on `bar` (the main thread looks at its
 * sheaves in between), then one more round. */
struct job {
	struct kmem_cache *s;
	unsigned int n, rounds;
	void *objs[MAX_OBJS];
	struct slab_counts seen;
	pthread_barrier_t bar;
	int bad;
};

static void one_round(struct job *j)
{
	unsigned int i;

	for (i = 0; i < j->n; i++) {
		j->objs[i] = kmem_cache_alloc(j->s, GFP_KERNEL);
		if (!j->objs[i])
			j->bad++;
		else
			*(char *)j->objs[i] = 1;
	}
	for (i = 0; i < j->n; i++)
		kmem_cache_free(j->s, j->objs[i]);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	unsigned int r;

	for (r = 0; r < j->rounds; r++)
		one_round(j);
	slab_get_counts(j->s, &j->seen);
	pthread_barrier_wait(&j->bar);
	pthread_barrier_wait(&j->bar);
	one_round(j);
	return NULL;
}

static void start(struct job *j, pthread_t *t, const char *name,
		  unsigned int size, unsigned int n, unsigned int rounds)
{
	memset(j, 0, sizeof(*j));
	j->s = kmem_cache_create(name, size, 0, 0, NULL);
	j->n = n;
	j->rounds = rounds;
	pthread_barrier_init(&j->bar, NULL, 2);
	pthread_create(t, NULL, worker, j);
	pthread_barrier_wait(&j->bar);
}

static void finish(struct job *j, pthread_t t)
{
	struct slab_counts c;

	pthread_barrier_wait(&j->bar);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&j->bar);
	CHECK_EQ(j->bad, 0);
	/* The stock went back at exit (a table dropped with a stock in it
	 * would have forgotten its objects); now the barn. */
	kmem_cache_shrink(j->s);
	slab_get_counts(j->s, &c);
	CHECK_EQ(c.active_objects, 0);
	CHECK(kmem_check_invariants());
	kmem_cache_destroy(j->s);
}

static struct job job;

/* Six sheaves' worth, twice: the first round's full sheaves go to the barn
 * (the stock has no empty sheaf to trade yet), the second round takes them
 * back and keeps its empty ones, and its frees trade them for full ones:
 * all 168 objects stay with the thread (and the few a refill from a slab
 * brought beyond them), none in the barn. Another thread's
 * kmem_cache_shrink() takes the stock (not the thread's main and spare). */
TEST(stock_keeps_a_threads_sheaves)
{
	struct slab_counts c;
	pthread_t t;

	start(&job, &t, "stock512", 512, 168, 2);
	CHECK_EQ(job.s->sheaf_capacity, 28);
	CHECK_EQ(job.seen.barn_full, 0);
	CHECK(job.seen.thread_cached >= 168);
	CHECK(kmem_check_invariants());
	slab_get_counts(job.s, &c);
	CHECK(c.active_objects >= 168);
	kmem_cache_shrink(job.s);
	slab_get_counts(job.s, &c);
	CHECK(c.active_objects <= 2 * 28); /* its main and spare */
	CHECK(kmem_check_invariants());
	finish(&job, t); /* and a round after its stock was taken */
}

/* A stock holds about 1 MiB of objects (18 sheaves of 28 objects of
 * 2 KiB): the rest of a larger working set goes through the barn. */
TEST(stock_is_bounded)
{
	pthread_t t;

	start(&job, &t, "stock2k", 2048, 30 * 28, 3);
	CHECK_EQ(job.s->sheaf_capacity, 28);
	CHECK(job.seen.thread_cached <= (18 + 2) * 28);
	CHECK(job.seen.thread_cached >= 18 * 28);
	CHECK(job.seen.barn_full >= 30 - 20);
	CHECK(kmem_check_invariants());
	finish(&job, t);
}

/* The slab shrinker (direct reclaim, in another thread) takes the stocks. */
TEST(reclaim_takes_the_stocks)
{
	struct slab_counts c;
	pthread_t t;

	start(&job, &t, "stock_reclaim", 512, 168, 2);
	CHECK(job.seen.thread_cached >= 168);
	CHECK_EQ(job.seen.barn_full, 0);
	try_to_free_pages(GFP_KERNEL, 0);
	slab_get_counts(job.s, &c);
	CHECK(c.active_objects <= 2 * 28);
	CHECK_EQ(c.barn_full, 0);
	finish(&job, t);
}

/* A double free of an object that sits in another thread's stock is found
 * there: reported, not freed a second time. */
TEST(double_free_in_another_threads_stock)
{
	size_t mark;
	pthread_t t;
	void *x;

	start(&job, &t, "stock_df", 512, 168, 2);
	CHECK_EQ(job.seen.barn_full, 0);
	/* frees 28..55 filled the first sheaf the stock took */
	x = job.objs[30];
	mark = kmem_log_mark();
	kmem_cache_free(job.s, x);
	CHECK_LOG(mark, "Object already free");
	CHECK(slab_check_cache(job.s));
	finish(&job, t);
}

/* A thread that only frees (a consumer) stocks nothing: its full sheaves go
 * to the barn, where the allocating thread finds them. */
static struct kmem_cache *cons_cache;
static void *cons_objs[MAX_OBJS];
static struct slab_counts cons_seen;

static void *consumer(void *arg)
{
	unsigned int i;

	for (i = 0; i < 168; i++)
		kmem_cache_free(cons_cache, cons_objs[i]);
	slab_get_counts(cons_cache, &cons_seen);
	return arg;
}

TEST(consumer_stocks_nothing)
{
	struct slab_counts c;
	unsigned int i, round;
	pthread_t t;

	cons_cache = kmem_cache_create("stock_cons", 512, 0, 0, NULL);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 168; i++)
			cons_objs[i] = kmem_cache_alloc(cons_cache, GFP_KERNEL);
		pthread_create(&t, NULL, consumer, NULL);
		pthread_join(t, NULL);
		CHECK(cons_seen.thread_cached <= 2 * 28);
		CHECK(cons_seen.barn_full >= 168 / 28 - 2);
	}
	CHECK(kmem_check_invariants());
	kmem_cache_shrink(cons_cache);
	slab_get_counts(cons_cache, &c);
	CHECK(c.active_objects <= 2 * 28); /* this thread's main and spare */
	kmem_cache_destroy(cons_cache);
}

int main(void)
{
	RUN(stock_keeps_a_threads_sheaves);
	RUN(stock_is_bounded);
	RUN(reclaim_takes_the_stocks);
	RUN(double_free_in_another_threads_stock);
	RUN(consumer_stocks_nothing);
	return test_summary();
}
