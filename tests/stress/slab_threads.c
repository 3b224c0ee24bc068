// SPDX-License-Identifier: MIT
/*
 * Slab stress: four threads on a two-CPU machine allocate objects of random
 * sizes (kmalloc from 1 byte to 3 pages, and a shared cache with a
 * constructor), fill them with a pattern derived from their address and size,
 * and swap them through a shared array of slots, so that most objects are
 * freed by another thread than the one that allocated them. Every object is
 * checked before it is freed; at the end the invariants hold and every page
 * is back. Bounded: a fixed number of operations (about a second).
 */
#include <pthread.h>
#include <stdlib.h>

#include <linux/slab.h>
#include "test.h"

#define THREADS 4
#define OPS 150000
#define SLOTS 4096

struct obj_hdr {
	unsigned long magic;
	size_t size;
	int from_cache;
};

static struct kmem_cache *shared;
static void *slots[SLOTS];
static int corrupt;

static void obj_ctor(void *p)
{
	memset(p, 0, 256);
}

static unsigned char pattern(const void *p, size_t i)
{
	return (unsigned char)(((unsigned long)p >> 4) + i * 7);
}

static void *make(unsigned int *seed)
{
	struct obj_hdr *h;
	int from_cache = rand_r(seed) % 4 == 0;
	size_t size, i;

	if (from_cache) {
		size = 256;
		h = kmem_cache_alloc(shared, GFP_KERNEL);
	} else {
		size = rand_r(seed) % 8 ?
			       (size_t)(rand_r(seed) % 2048) + sizeof(*h) :
			       (size_t)(rand_r(seed) % 12000) + sizeof(*h);
		h = kmalloc(size, GFP_KERNEL);
	}
	if (!h)
		return NULL;
	h->magic = (unsigned long)h ^ 0xfeedface;
	h->size = size;
	h->from_cache = from_cache;
	for (i = sizeof(*h); i < size; i++)
		((unsigned char *)h)[i] = pattern(h, i);
	return h;
}

static void check_and_free(struct obj_hdr *h)
{
	size_t i;

	if (h->magic != ((unsigned long)h ^ 0xfeedface)) {
		__atomic_fetch_add(&corrupt, 1, __ATOMIC_RELAXED);
		return;
	}
	for (i = sizeof(*h); i < h->size; i++) {
		if (((unsigned char *)h)[i] != pattern(h, i)) {
			__atomic_fetch_add(&corrupt, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	if (h->from_cache) {
		memset(h, 0, 256); /* back to the constructed state */
		kmem_cache_free(shared, h);
	} else {
		kfree(h);
	}
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg * 7919 + 1;
	int i;

	for (i = 0; i < OPS; i++) {
		void *p = make(&seed), *old;

		old = __atomic_exchange_n(&slots[rand_r(&seed) % SLOTS], p,
					  __ATOMIC_ACQ_REL);
		if (old)
			check_and_free(old);
	}
	return NULL;
}

TEST(cross_thread_random)
{
	pthread_t t[THREADS];
	long i;

	shared = kmem_cache_create("stress256", 256, 0, SLAB_HWCACHE_ALIGN,
				   obj_ctor);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK(kmem_check_invariants());
	for (i = 0; i < SLOTS; i++)
		if (slots[i])
			check_and_free(slots[i]);
	CHECK_EQ(corrupt, 0);
	CHECK(kmem_check_invariants());
	kmem_cache_destroy(shared);
}

int main(void)
{
	struct kmem_config cfg = { .ram = 256ULL << 20,
				   .cpus = 2,
				   .quiet = true };

	kmem_boot(&cfg);
	RUN(cross_thread_random);
	return test_summary();
}
