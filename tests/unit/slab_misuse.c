// SPDX-License-Identifier: MIT
/*
 * Misuse of the slab allocator that must be reported and must not corrupt
 * anything: a destroyed cache used again (alloc, free, shrink, destroy), a
 * double free long after the first free (other frees in between, the first
 * copy in a sheaf, the barn, a slab freelist or another thread's sheaf),
 * and garbage written into freed objects (use after free) before the
 * allocator follows their free pointers.
 */
/* kmem-test: slub-only: SLUB's reports and slab_check_cache() */
#include <pthread.h>
#include <stdint.h>

#include <linux/slab.h>
#include <linux/mm.h>
#include <kmem/log.h>
#include "mm/slab.h"
#include "test.h"

/* xorshift64*: deterministic per seed. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static void rnd_seed(uint64_t seed)
{
	rnd_state = seed * 0x9e3779b97f4a7c15ULL + 1;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a,
		  y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* No pointer twice among p[0..n) (NULLs are counted as failures). */
static bool all_distinct(void **p, int n)
{
	void **q = malloc(sizeof(*q) * (size_t)n);
	bool ok = true;
	int i;

	memcpy(q, p, sizeof(*q) * (size_t)n);
	qsort(q, (size_t)n, sizeof(*q), cmp_ptr);
	for (i = 0; i < n; i++)
		if (!q[i] || (i && q[i] == q[i - 1]))
			ok = false;
	free(q);
	return ok;
}

/* ---- destroyed caches -------------------------------------------------------- */

TEST(destroyed_cache)
{
	struct kmem_cache *a = kmem_cache_create("misuse_a", 64, 0, 0, NULL);
	struct kmem_cache *b, *c;
	void *obj, *bobjs[200], *p;
	size_t mark;
	int i;
	bool inside = false;

	CHECK(a != NULL);
	if (!a)
		return;
	obj = kmem_cache_alloc(a, GFP_KERNEL);
	CHECK(obj != NULL);
	kmem_cache_free(a, obj);
	kmem_cache_destroy(a);

	mark = kmem_log_mark();
	p = kmem_cache_alloc(a, GFP_KERNEL); /* a stale handle */
	CHECK(p == NULL);
	CHECK_LOG(mark, "kmem_cache_alloc: cache misuse_a");
	CHECK_LOG(mark, "was destroyed");
	CHECK_LOG(mark, "WARNING: CPU:");

	/* A new cache never shares the dead one's descriptor. */
	b = kmem_cache_create("misuse_b", 64, 0, 0, NULL);
	c = kmem_cache_create("misuse_c", 64, 0, 0, NULL);
	CHECK(b != NULL && c != NULL);
	if (!b || !c)
		return;
	CHECK(b != a && c != a);
	CHECK((char *)b + sizeof(*b) <= (char *)a ||
	      (char *)a + sizeof(*a) <= (char *)b);
	CHECK((char *)c + sizeof(*c) <= (char *)a ||
	      (char *)a + sizeof(*a) <= (char *)c);
	for (i = 0; i < 200; i++)
		bobjs[i] = kmem_cache_alloc(b, GFP_KERNEL);
	CHECK(all_distinct(bobjs, 200));

	/* The stale handle still reaches nothing of b's. */
	mark = kmem_log_mark();
	for (i = 0; i < 100; i++) {
		p = kmem_cache_alloc(a, GFP_KERNEL);
		if (p)
			inside = true;
	}
	CHECK(!inside);
	CHECK_EQ(kmem_log_count(mark, "was destroyed"), 100);
	mark = kmem_log_mark();
	kmem_cache_free(a, bobjs[0]); /* b's object through the dead handle */
	CHECK_LOG(mark, "kmem_cache_free: cache misuse_a");
	CHECK(slab_check_cache(b));
	/* bobjs[0] was not freed: b hands out 200 more, none of them it. */
	{
		void *more[200];

		for (i = 0; i < 200; i++) {
			more[i] = kmem_cache_alloc(b, GFP_KERNEL);
			CHECK(more[i] != bobjs[0]);
		}
		for (i = 0; i < 200; i++)
			kmem_cache_free(b, more[i]);
	}
	mark = kmem_log_mark();
	kmem_cache_shrink(a);
	CHECK_LOG(mark, "kmem_cache_shrink: cache misuse_a");

	mark = kmem_log_mark();
	kmem_cache_destroy(a); /* twice */
	CHECK_LOG(mark, "kmem_cache_destroy: cache misuse_a");
	CHECK_LOG(mark, "WARNING: CPU:");
	CHECK(!kmem_log_contains(mark, "Slab cache still has objects"));

	for (i = 0; i < 200; i++)
		kmem_cache_free(b, bobjs[i]);
	CHECK(slab_check_cache(b) && slab_check_cache(c));
	kmem_cache_destroy(b);
	kmem_cache_destroy(c);
	CHECK(kmem_check_invariants());
}

/* Many create/destroy cycles: no handle is ever handed out twice, and a
 * destroyed cache's index goes to new caches (more than 1024 in all). */
TEST(destroyed_cache_cycles)
{
	enum { N = 1500 };
	void **handles = calloc(N, sizeof(void *));
	size_t mark;
	int i;

	for (i = 0; i < N; i++) {
		struct kmem_cache *s = kmem_cache_create(
			"cycle", 32 + (i % 5) * 8, 0, 0, NULL);
		void *o;

		CHECK(s != NULL);
		if (!s)
			break;
		handles[i] = s;
		o = kmem_cache_alloc(s, GFP_KERNEL);
		CHECK(o != NULL);
		kmem_cache_free(s, o);
		kmem_cache_destroy(s);
	}
	CHECK(all_distinct(handles, N));
	mark = kmem_log_mark();
	CHECK(kmem_cache_alloc(handles[7], GFP_KERNEL) == NULL);
	CHECK_LOG(mark, "was destroyed");
	free(handles);
}

/* ---- double frees --------------------------------------------------------------- */

/* kfree(a); kfree(b); kfree(a): one report, then a and b come back once. */
TEST(double_free_aba)
{
	void *keep = kmalloc(64, GFP_KERNEL);
	void *a = kmalloc(64, GFP_KERNEL), *b = kmalloc(64, GFP_KERNEL);
	void *p[3];
	size_t mark = kmem_log_mark();

	kfree(a);
	kfree(b);
	kfree(a);
	CHECK_EQ(kmem_log_count(mark, "Object already free"), 1);
	CHECK_LOG(mark, "BUG kmalloc-64 (Not tainted): Object already free");
	CHECK_LOG(mark, "Slab 0x");
	CHECK(!kmem_log_contains(mark, "0x0x")); /* %p prints its own 0x */
	p[0] = kmalloc(64, GFP_KERNEL);
	p[1] = kmalloc(64, GFP_KERNEL);
	p[2] = kmalloc(64, GFP_KERNEL);
	CHECK(all_distinct(p, 3));
	CHECK(p[0] == b && p[1] == a);
	kfree(p[0]);
	kfree(p[1]);
	kfree(p[2]);
	kfree(keep);
	CHECK_EQ(kmem_log_count(mark, "Object already free"), 1);
	CHECK(slab_check_cache(kmalloc_caches[KMALLOC_NORMAL][6]));
}

/* One object of every slab that objs[0..n) use is pinned (NULLed out of
 * objs[] into pin[]), so that no slab empties and goes back to the pages. */
static unsigned int pin_one_per_slab(void **objs, unsigned int n, void **pin)
{
	unsigned int npin = 0, i, j;

	for (i = 0; i < n; i++) {
		struct page *head = virt_to_head_page(objs[i]);

		for (j = 0; j < npin; j++)
			if (virt_to_head_page(pin[j]) == head)
				break;
		if (j == npin) {
			pin[npin++] = objs[i];
			objs[i] = NULL;
		}
	}
	return npin;
}

/* Longer runs: many objects freed twice among many frees, with kfree and
 * kmem_cache_free, the first copies in the main sheaf, the spare, the barn
 * or already back on the slab freelists. */
TEST(double_free_long)
{
	struct kmem_cache *s = kmem_cache_create("misuse_df", 96, 0, 0, NULL);
	enum { N = 300 };
	void *objs[N], *pin[N], *again[N];
	unsigned int npin, i, gap, round, k;
	size_t mark;

	CHECK(s != NULL);
	if (!s)
		return;
	for (round = 0; round < 4; round++) {
		for (gap = 1; gap < 200; gap += 37) {
			unsigned int reports = 0;

			for (i = 0; i < N; i++)
				objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
			npin = pin_one_per_slab(objs, N, pin);
			mark = kmem_log_mark();
			for (i = 0; i < N; i++) {
				if (!objs[i])
					continue;
				if (round & 1)
					kfree(objs[i]);
				else
					kmem_cache_free(s, objs[i]);
				if (round >= 2 && i % 97 == 0)
					kmem_cache_shrink(s); /* to the slabs */
				if (i >= gap && (i - gap) % 3 == 0 &&
				    objs[i - gap]) {
					kmem_cache_free(s, objs[i - gap]);
					reports++;
				}
			}
			CHECK_EQ(kmem_log_count(mark, "Object already free"),
				 reports);
			CHECK(reports > 0);
			for (i = 0; i < N; i++)
				again[i] = kmem_cache_alloc(s, GFP_KERNEL);
			CHECK(all_distinct(again, N));
			for (i = 0; i < N; i++)
				for (k = 0; k < npin; k++)
					CHECK(again[i] != pin[k]);
			CHECK(slab_check_cache(s));
			for (i = 0; i < N; i++)
				kmem_cache_free(s, again[i]);
			for (k = 0; k < npin; k++)
				kmem_cache_free(s, pin[k]);
		}
	}
	CHECK(slab_check_cache(s));
	kmem_cache_destroy(s);
}

struct xt_free {
	void **objs;
	int n;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage; /* 1: frees done, 2: may exit */
};

static void *free_then_wait(void *arg)
{
	struct xt_free *x = arg;
	int i;

	for (i = 0; i < x->n; i++)
		kfree(x->objs[i]);
	pthread_mutex_lock(&x->lock);
	x->stage = 1;
	pthread_cond_broadcast(&x->cond);
	while (x->stage != 2)
		pthread_cond_wait(&x->cond, &x->lock);
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

/* The first free in another thread, which stays alive (its sheaf holds the
 * objects), the second here; then the other way round. */
TEST(double_free_cross_thread_live)
{
	enum { N = 40 };
	void *objs[N], *again[3 * N];
	struct xt_free x = { objs, N, PTHREAD_MUTEX_INITIALIZER,
			     PTHREAD_COND_INITIALIZER, 0 };
	pthread_t th;
	size_t mark;
	int i;

	for (i = 0; i < N; i++)
		objs[i] = kmalloc(200, GFP_KERNEL);
	pthread_create(&th, NULL, free_then_wait, &x);
	pthread_mutex_lock(&x.lock);
	while (x.stage != 1)
		pthread_cond_wait(&x.cond, &x.lock);
	pthread_mutex_unlock(&x.lock);
	mark = kmem_log_mark();
	kfree(objs[3]);
	kfree(objs[17]);
	CHECK_EQ(kmem_log_count(mark, "Object already free"), 2);
	/* This thread's allocations never return an object the other thread
	 * holds in its sheaf. */
	for (i = 0; i < 3 * N; i++)
		again[i] = kmalloc(200, GFP_KERNEL);
	CHECK(all_distinct(again, 3 * N));
	for (i = 0; i < 3 * N; i++)
		for (int j = 0; j < N; j++)
			CHECK(again[i] != objs[j]);
	for (i = 0; i < 3 * N; i++)
		kfree(again[i]);
	pthread_mutex_lock(&x.lock);
	x.stage = 2;
	pthread_cond_broadcast(&x.cond);
	pthread_mutex_unlock(&x.lock);
	pthread_join(th, NULL);

	/* Here first, then in a thread. */
	for (i = 0; i < N; i++)
		objs[i] = kmalloc(200, GFP_KERNEL);
	for (i = 0; i < N; i++)
		kfree(objs[i]);
	x.stage = 0;
	x.n = 5;
	mark = kmem_log_mark();
	pthread_create(&th, NULL, free_then_wait, &x);
	pthread_mutex_lock(&x.lock);
	while (x.stage != 1)
		pthread_cond_wait(&x.cond, &x.lock);
	x.stage = 2;
	pthread_cond_broadcast(&x.cond);
	pthread_mutex_unlock(&x.lock);
	pthread_join(th, NULL);
	CHECK_EQ(kmem_log_count(mark, "Object already free"), 5);
	for (i = 0; i < 3 * N; i++)
		again[i] = kmalloc(200, GFP_KERNEL);
	CHECK(all_distinct(again, 3 * N));
	for (i = 0; i < 3 * N; i++)
		kfree(again[i]);
	CHECK(slab_check_cache(kmalloc_caches[KMALLOC_NORMAL][8]));
}

/* Random alloc/free with double frees mixed in: a model of the live set
 * says every allocation is an object nobody holds. */
TEST(double_free_random)
{
	enum { SLOTS = 512 };
	struct kmem_cache *s = kmem_cache_create("misuse_rand", 40, 0, 0, NULL);
	void *live[SLOTS] = { 0 }, *freed[64] = { 0 };
	unsigned int nfreed = 0, expected = 0;
	size_t mark = kmem_log_mark();
	uint64_t seed;
	int step, i;

	CHECK(s != NULL);
	if (!s)
		return;
	for (seed = 1; seed <= 20; seed++) {
		rnd_seed(seed);
		for (step = 0; step < 4000; step++) {
			unsigned int k = (unsigned int)(rnd() % SLOTS),
				     r = (unsigned int)(rnd() % 100);

			if (r < 3 && nfreed) {
				/* free again an object freed before and not
				 * handed out since */
				unsigned int f =
					(unsigned int)(rnd() % (nfreed < 64 ?
									nfreed :
									64));

				if (freed[f]) {
					kmem_cache_free(s, freed[f]);
					freed[f] = NULL;
					expected++;
				}
			} else if (r < 5) {
				kmem_cache_shrink(s);
			} else if (live[k]) {
				freed[nfreed++ % 64] = live[k];
				kmem_cache_free(s, live[k]);
				live[k] = NULL;
			} else {
				void *p = kmem_cache_alloc(s, GFP_KERNEL);

				CHECK(p != NULL);
				for (i = 0; i < SLOTS; i++)
					if (live[i] == p) {
						CHECK(live[i] != p);
						break;
					}
				for (i = 0; i < 64; i++)
					if (freed[i] == p)
						freed[i] =
							NULL; /* handed out again */
				live[k] = p;
			}
		}
		for (i = 0; i < SLOTS; i++)
			if (live[i]) {
				kmem_cache_free(s, live[i]);
				live[i] = NULL;
			}
		memset(freed, 0, sizeof(freed));
		nfreed = 0;
		CHECK(slab_check_cache(s));
	}
	CHECK_EQ(kmem_log_count(mark, "Object already free"), expected);
	CHECK(expected > 100);
	kmem_cache_destroy(s);
}

/* ---- use after free writes ------------------------------------------------------ */

static void fuzz_ctor(void *p)
{
	memset(p, 0x11, 16);
}

/*
 * Garbage written over freed objects (in sheaves, in the barn, on slab
 * freelists), then heavy allocation: the corrupt freelists are reported
 * ("Freepointer corrupt", the rest of the slab marked used), never followed,
 * and the cache goes on working. One live object per slab keeps every slab
 * (so the garbage only ever lands in this cache's free objects).
 */
static void fuzz_cache(struct kmem_cache *s, uint64_t seed,
		       unsigned int *reports)
{
	enum { N = 400 };
	void *objs[N], *keep[N], *more[2 * N];
	unsigned int nkeep, i;
	size_t mark;

	rnd_seed(seed);
	/* Start from the slabs alone: what an earlier round left in the
	 * sheaves and the barn (which may hold thousands of objects) would
	 * serve every allocation below, and the corrupt freelists would never
	 * be walked. */
	kmem_cache_shrink(s);
	for (i = 0; i < N; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	nkeep = pin_one_per_slab(objs, N, keep);
	for (i = 0; i < N; i++) {
		if (!objs[i])
			continue;
		kmem_cache_free(s, objs[i]);
		if (rnd() % 50 == 0)
			kmem_cache_shrink(s);
	}
	if (seed & 1)
		kmem_cache_shrink(s); /* most of them on the slab freelists */
	for (i = 0; i < N; i++) {
		unsigned char *p = objs[i];
		unsigned int k, len;

		if (!p || rnd() % 4)
			continue;
		len = (unsigned int)(rnd() % 3 == 0 ? s->size :
						      1 + rnd() % s->size);
		switch (rnd() % 4) {
		case 0: /* random bytes */
			for (k = 0; k < len; k++)
				p[k] = (unsigned char)rnd();
			break;
		case 1: /* zeros */
			memset(p, 0, len);
			break;
		case 2: /* a pointer-looking word everywhere */
			for (k = 0; k + 8 <= len; k += 8) {
				uint64_t v = (uint64_t)(uintptr_t)keep[0] +
					     (rnd() % 64) * 8;

				memcpy(p + k, &v, 8);
			}
			break;
		default: /* 0xff, as a stray memset would */
			memset(p, 0xff, len);
			break;
		}
	}
	mark = kmem_log_mark();
	for (i = 0; i < 2 * N; i++) {
		more[i] = kmem_cache_alloc(s, GFP_KERNEL);
		CHECK(more[i] != NULL);
	}
	CHECK(all_distinct(more, 2 * N));
	for (i = 0; i < 2 * N; i++)
		kmem_cache_free(s, more[i]);
	for (i = 0; i < nkeep; i++)
		kmem_cache_free(s, keep[i]);
	*reports += kmem_log_count(mark, "Freepointer corrupt");
	if (kmem_log_contains(mark, "Freepointer corrupt"))
		CHECK_LOG(mark, "Marking all objects used");
	CHECK(slab_check_cache(s));
}

TEST(use_after_free_writes)
{
	struct kmem_cache *caches[7];
	unsigned int reports = 0, i, n = 0;
	uint64_t seed;
	FILE *console = kmem_log_set_console(NULL); /* hundreds of reports */

	caches[n++] = kmem_cache_create("uaf8", 8, 0, 0, NULL);
	caches[n++] = kmem_cache_create("uaf24", 24, 0, 0, NULL);
	caches[n++] =
		kmem_cache_create("uaf64", 64, 0, SLAB_HWCACHE_ALIGN, NULL);
	caches[n++] = kmem_cache_create("uaf200ctor", 200, 0, 0, fuzz_ctor);
	caches[n++] = kmem_cache_create("uaf1000rcu", 1000, 0,
					SLAB_TYPESAFE_BY_RCU, NULL);
	caches[n++] = kmem_cache_create("uaf4096", 4096, 0, 0, NULL);
	caches[n++] = kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(128)];
	for (i = 0; i < n; i++)
		CHECK(caches[i] != NULL);
	for (seed = 1; seed <= 40; seed++)
		for (i = 0; i < n; i++)
			if (caches[i])
				fuzz_cache(caches[i], seed * 131 + i, &reports);
	kmem_log_set_console(console);
	CHECK(reports > 0);
	fprintf(stderr,
		"use_after_free_writes: %u corrupt freelists reported\n",
		reports);
	/* Everything still works: 10,000 objects of each cache, distinct. */
	for (i = 0; i < n; i++) {
		enum { M = 10000 };
		void **p = malloc(M * sizeof(void *));
		int k;

		for (k = 0; k < M; k++)
			p[k] = kmem_cache_alloc(caches[i], GFP_KERNEL);
		CHECK(all_distinct(p, M));
		for (k = 0; k < M; k++)
			kmem_cache_free(caches[i], p[k]);
		free(p);
		CHECK(slab_check_cache(caches[i]));
	}
	CHECK(kmem_check_invariants());
	/* The caches keep the leaked (abandoned) objects: destroying them
	 * reports them, as the kernel does, and keeps the caches. */
}

int main(void)
{
	RUN(destroyed_cache);
	RUN(destroyed_cache_cycles);
	RUN(double_free_aba);
	RUN(double_free_long);
	RUN(double_free_cross_thread_live);
	RUN(double_free_random);
	RUN_KEEP(use_after_free_writes);
	return test_summary();
}
