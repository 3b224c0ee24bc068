// SPDX-License-Identifier: MIT
/*
 * Several threads allocate and free pages at once, and hand pages to each
 * other so that a page allocated on one simulated CPU is freed on another
 * (cross-thread frees go through the freeing CPU's per-CPU list). Each page
 * carries a pattern that must survive until its free: two threads never get
 * the same page. At the end every page is back and the invariants hold.
 * Bounded: a few seconds on 2 cores, also under ASan.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/list.h>
#include "mm/internal.h"
#include "test.h"

#define NR_THREADS 4
#define OPS 100000
#define HANDOFF 64

static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct page *p;
	unsigned int order;
} handoff[HANDOFF];
static int nr_handoff;
static int corrupt;

static void stamp(struct page *p, unsigned int order, uintptr_t v)
{
	uintptr_t *w = page_address(p);

	w[0] = v;
	w[((PAGE_SIZE << order) / sizeof(*w)) - 1] = v;
}

static bool stamp_ok(struct page *p, unsigned int order, uintptr_t v)
{
	uintptr_t *w = page_address(p);

	return w[0] == v && w[((PAGE_SIZE << order) / sizeof(*w)) - 1] == v;
}

static void *worker(void *arg)
{
	unsigned long seed = (unsigned long)arg * 2654435761UL + 1;
	struct {
		struct page *p;
		unsigned int order;
	} mine[32] = { { NULL, 0 } };
	int i;

	for (i = 0; i < OPS; i++) {
		unsigned int slot, order;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		slot = (unsigned int)(seed % 32);
		if (mine[slot].p) {
			struct page *p = mine[slot].p;

			order = mine[slot].order;
			if (!stamp_ok(p, order, (uintptr_t)p ^ 0x5a5a))
				__atomic_fetch_add(&corrupt, 1,
						   __ATOMIC_RELAXED);
			mine[slot].p = NULL;
			/* Half of the frees go to another thread. */
			if (seed & 64) {
				pthread_mutex_lock(&handoff_lock);
				if (nr_handoff < HANDOFF) {
					handoff[nr_handoff].p = p;
					handoff[nr_handoff].order = order;
					nr_handoff++;
					p = NULL;
				}
				pthread_mutex_unlock(&handoff_lock);
			}
			if (p)
				__free_pages(p, order);
		} else {
			gfp_t gfp = (seed & 128) ? GFP_ATOMIC : GFP_KERNEL;

			order = (seed >> 20) % 4 == 0 ?
					(unsigned int)((seed >> 24) % 5) :
					0;
			mine[slot].p = alloc_pages(gfp | __GFP_NOWARN, order);
			mine[slot].order = order;
			if (mine[slot].p)
				stamp(mine[slot].p, order,
				      (uintptr_t)mine[slot].p ^ 0x5a5a);
		}
		/* Free what the others handed over. */
		if ((i & 15) == 0) {
			pthread_mutex_lock(&handoff_lock);
			while (nr_handoff) {
				nr_handoff--;
				if (!stamp_ok(handoff[nr_handoff].p,
					      handoff[nr_handoff].order,
					      (uintptr_t)handoff[nr_handoff].p ^
						      0x5a5a))
					__atomic_fetch_add(&corrupt, 1,
							   __ATOMIC_RELAXED);
				__free_pages(handoff[nr_handoff].p,
					     handoff[nr_handoff].order);
			}
			pthread_mutex_unlock(&handoff_lock);
		}
	}
	for (i = 0; i < 32; i++)
		if (mine[i].p)
			__free_pages(mine[i].p, mine[i].order);
	return NULL;
}

static void run_threads(void)
{
	pthread_t t[NR_THREADS];
	long i;

	corrupt = 0;
	for (i = 0; i < NR_THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(i + 1));
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	while (nr_handoff) {
		nr_handoff--;
		__free_pages(handoff[nr_handoff].p, handoff[nr_handoff].order);
	}
	CHECK_EQ(corrupt, 0);
}

TEST(threads_x86_64)
{
	struct kmem_config cfg = { .ram = 128ULL << 20,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = 2,
				   .quiet = true };
	unsigned long before;

	CHECK_EQ(test_boot(&cfg), 0);
	before = kmem_free_pages_drained();
	run_threads();
	CHECK_EQ(kmem_free_pages_drained(), before);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* A small machine with most of its memory taken: the threads run into the
 * watermarks, the slow path and allocation failures. */
TEST(threads_tight_x86_32)
{
	LIST_HEAD(hog);
	struct page *p, *n;
	struct kmem_config cfg = { .ram = 32ULL << 20,
				   .layout = KMEM_LAYOUT_X86_32,
				   .cpus = 3,
				   .quiet = true };
	unsigned long before;

	CHECK_EQ(test_boot(&cfg), 0);
	before = kmem_free_pages_drained();
	while (nr_free_pages() > 1500 &&
	       (p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)))
		list_add(&p->lru, &hog);
	run_threads();
	list_for_each_entry_safe(p, n, &hog, lru) {
		list_del(&p->lru);
		__free_pages(p, 0);
	}
	CHECK_EQ(kmem_free_pages_drained(), before);
	CHECK(kmem_check_invariants());
	test_halt();
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN(threads_x86_64);
	RUN(threads_tight_x86_32);
	return test_summary();
}
