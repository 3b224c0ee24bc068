// SPDX-License-Identifier: MIT
/*
 * The buddy allocator: every API, the GFP zone rules on both layouts, the
 * watermarks and reserves, reclaim and the retry flags, the failure report,
 * bad frees, might_sleep(). Invariants are checked after each step.
 */
#include <stdio.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/preempt.h>
#include "mm/internal.h"
#include "test.h"

#define MiB (1UL << 20)

static void boot(unsigned long long ram, enum kmem_layout layout)
{
	struct kmem_config cfg = {
		.ram = ram, .layout = layout, .cpus = 2, .quiet = true
	};

	CHECK_EQ(test_boot(&cfg), 0);
}

static struct zone *zone_of(enum zone_type z)
{
	return &contig_page_data.node_zones[z];
}

static unsigned long zfree(enum zone_type z)
{
	return zone_page_state(zone_of(z), NR_FREE_PAGES);
}

/* A set of allocations to give back at the end: chained through page->lru
 * (an allocated page's lru belongs to its owner), order in page->private. */
static LIST_HEAD(held);

static struct page *take(gfp_t gfp, unsigned int order)
{
	struct page *p = alloc_pages(gfp, order);

	if (p) {
		list_add(&p->lru, &held);
		p->private = order;
	}
	return p;
}

static void give_back(void)
{
	struct page *p, *n;

	list_for_each_entry_safe(p, n, &held, lru) {
		unsigned int order = (unsigned int)p->private;

		list_del(&p->lru);
		p->private = 0;
		__free_pages(p, order);
	}
}

/* Allocate from `gfp` until it fails, largest blocks first; returns the pages
 * taken. */
static unsigned long exhaust(gfp_t gfp)
{
	unsigned long n = 0;
	int order;

	for (order = MAX_PAGE_ORDER; order >= 0; order--)
		while (take(gfp | __GFP_NOWARN | __GFP_NORETRY,
			    (unsigned int)order))
			n += 1UL << order;
	return n;
}

/* ---- the API ------------------------------------------------------------- */

TEST(api_basics)
{
	unsigned long a, z;
	struct page *p;
	unsigned char *c;
	void *e;
	unsigned long free0 = kmem_free_pages_drained();
	size_t i;

	CHECK_EQ(get_order(1), 0);
	CHECK_EQ(get_order(4096), 0);
	CHECK_EQ(get_order(4097), 1);
	CHECK_EQ(get_order(8192), 1);
	CHECK_EQ(get_order(4UL << 20), 10);
	CHECK_EQ(get_order((4UL << 20) + 1), 11);

	p = alloc_page(GFP_KERNEL);
	CHECK(p && page_count(p) == 1);
	CHECK(page_address(p) == __va(page_to_phys(p)));
	CHECK(virt_to_page(page_address(p)) == p);
	CHECK(pfn_to_page(page_to_pfn(p)) == p);
	CHECK_EQ(virt_to_phys(page_address(p)), page_to_phys(p));
	__free_page(p);

	a = __get_free_pages(GFP_KERNEL, 2);
	CHECK(a && !(a & (PAGE_SIZE * 4 - 1)) ==
			   !(page_to_pfn(virt_to_page(a)) & 3));
	CHECK(!(page_to_pfn(virt_to_page(a)) &
		3)); /* order-2 blocks are aligned */
	memset((void *)a, 0xa5, PAGE_SIZE * 4);
	free_pages(a, 2);

	a = __get_free_page(GFP_KERNEL);
	CHECK(a != 0);
	memset((void *)a, 0xff, PAGE_SIZE);
	free_page(a);
	/* get_zeroed_page clears a page even when it comes back dirty. */
	z = get_zeroed_page(GFP_KERNEL);
	CHECK(z != 0);
	for (i = 0, c = (unsigned char *)z; i < PAGE_SIZE; i++)
		if (c[i])
			break;
	CHECK_EQ(i, PAGE_SIZE);
	free_page(z);

	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
	CHECK(p != NULL);
	for (i = 0, c = page_address(p); i < 8 * PAGE_SIZE; i++)
		if (c[i])
			break;
	CHECK_EQ(i, 8 * PAGE_SIZE);
	__free_pages(p, 3);

	/* Compound pages: tails point at the head, the order is recorded. */
	p = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	CHECK(p && PageHead(p) && PageTail(p + 3) && compound_head(p + 3) == p);
	CHECK_EQ(compound_order(p), 2);
	__free_pages(p, 2);

	/* alloc_pages_exact: 5 pages from an order-3 block, 3 given back. */
	free0 = kmem_free_pages_drained();
	e = alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL);
	CHECK(e != NULL);
	CHECK_EQ(free0 - kmem_free_pages_drained(), 5);
	memset(e, 1, 5 * PAGE_SIZE);
	CHECK(kmem_check_invariants());
	free_pages_exact(e, 5 * PAGE_SIZE);
	CHECK_EQ(kmem_free_pages_drained(), free0);

	/* Bulk: fills the NULL slots only. */
	{
		struct page *arr[8] = { NULL };
		unsigned long n;

		arr[3] = alloc_page(GFP_KERNEL);
		n = alloc_pages_bulk(GFP_KERNEL, 8, arr);
		CHECK_EQ(n, 8);
		for (i = 0; i < 8; i++) {
			CHECK(arr[i] != NULL);
			__free_page(arr[i]);
		}
	}
	/* get_page/put_page: the last reference frees. */
	p = alloc_page(GFP_KERNEL);
	get_page(p);
	CHECK_EQ(page_count(p), 2);
	put_page(p);
	CHECK_EQ(page_count(p), 1);
	put_page(p);
	CHECK_EQ(kmem_free_pages_drained(), free0);
}

TEST(order_too_large)
{
	size_t mark = kmem_log_mark();

	CHECK(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1) == NULL);
	CHECK_LOG(mark, "WARNING: CPU:");
	CHECK_LOG(mark, "alloc_pages");
	mark = kmem_log_mark();
	CHECK(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1) == NULL); /* once */
	CHECK(__get_free_pages(GFP_KERNEL, 12) == 0);
	CHECK(!kmem_log_contains(mark, "WARNING"));
	/* The largest order works. */
	{
		struct page *p = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);

		CHECK(p != NULL);
		CHECK(!(page_to_pfn(p) & (MAX_ORDER_NR_PAGES - 1)));
		__free_pages(p, MAX_PAGE_ORDER);
	}
}

/* ---- zones ---------------------------------------------------------------- */

TEST(zones_x86_64)
{
	struct page *p;
	unsigned long n;

	boot(3584ULL << 20, KMEM_LAYOUT_X86_64);
	CHECK_EQ(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	CHECK_EQ(gfp_zone(GFP_DMA), ZONE_DMA);
	CHECK_EQ(gfp_zone(GFP_KERNEL | GFP_DMA32), ZONE_DMA32);
	CHECK_EQ(gfp_zone(GFP_HIGHUSER), ZONE_NORMAL);
	CHECK_EQ(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);

	p = take(GFP_KERNEL, 0);
	CHECK(p && page_zonenum(p) == ZONE_NORMAL &&
	      page_to_phys(p) >= (4ULL << 30));
	p = take(GFP_KERNEL | GFP_DMA32, 0);
	CHECK(p && page_zonenum(p) == ZONE_DMA32 &&
	      page_to_phys(p) < (4ULL << 30));
	p = take(GFP_KERNEL | GFP_DMA, 0);
	CHECK(p && page_zonenum(p) == ZONE_DMA && page_to_phys(p) < 16 * MiB);
	p = take(GFP_ATOMIC | GFP_DMA, 1);
	CHECK(p && page_to_phys(p) < 16 * MiB);
	p = take(GFP_HIGHUSER_MOVABLE, 0); /* Movable is empty: Normal */
	CHECK(p && page_zonenum(p) == ZONE_NORMAL);
	CHECK(page_address(p) != NULL); /* no HighMem on x86-64 */
	give_back();

	/* Fill Normal: GFP_KERNEL falls back to DMA32, never to DMA while
	 * DMA32 has room. */
	n = 0;
	while ((p = take(GFP_KERNEL | __GFP_NOWARN, 9)) &&
	       page_zonenum(p) == ZONE_NORMAL)
		n++;
	CHECK(n > 100);
	CHECK(p && page_zonenum(p) == ZONE_DMA32);
	/* Normal could not serve it any more, even at the min watermark. */
	CHECK(!zone_watermark_ok(zone_of(ZONE_NORMAL), 9,
				 min_wmark_pages(zone_of(ZONE_NORMAL)),
				 ZONE_NORMAL, ALLOC_WMARK_MIN));
	CHECK(kmem_check_invariants());
	give_back();
	CHECK(kmem_check_invariants());
	test_halt();
}

/* lowmem_reserve: GFP_KERNEL may not take the DMA zone below min +
 * protection; GFP_DMA may go down to min. */
TEST(lowmem_reserve)
{
	struct zone *dma = zone_of(ZONE_DMA);
	unsigned long reserve, dma_free0;

	boot(256 * MiB, KMEM_LAYOUT_X86_64);
	page_alloc_set_pcp(false);
	reserve = (unsigned long)dma->lowmem_reserve[ZONE_NORMAL];
	CHECK_EQ(reserve, zone_managed_pages(zone_of(ZONE_DMA32)) / 256);
	CHECK(reserve > 0);
	dma_free0 = zfree(ZONE_DMA);
	exhaust(GFP_KERNEL);
	/* DMA32 went first, down to its min; DMA held its reserve back. */
	CHECK(zfree(ZONE_DMA32) <= min_wmark_pages(zone_of(ZONE_DMA32)) + 1);
	CHECK(zfree(ZONE_DMA) < dma_free0);
	CHECK_EQ(zfree(ZONE_DMA), min_wmark_pages(dma) + reserve);
	/* GFP_DMA is not subject to that reserve (highest zone DMA). */
	exhaust(GFP_KERNEL | GFP_DMA);
	CHECK_EQ(zfree(ZONE_DMA), min_wmark_pages(dma));
	CHECK(kmem_check_invariants());
	give_back();
	page_alloc_set_pcp(true);
	CHECK(kmem_check_invariants());
	test_halt();
}

TEST(zones_x86_32)
{
	struct page *p;
	unsigned long a;
	char *k;

	boot(1ULL << 30, KMEM_LAYOUT_X86_32);
	CHECK_EQ(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	CHECK_EQ(gfp_zone(GFP_HIGHUSER), ZONE_HIGHMEM);
	CHECK_EQ(gfp_zone(GFP_KERNEL | GFP_DMA32),
		 ZONE_NORMAL); /* no DMA32 zone */
	CHECK_EQ(gfp_zone(GFP_DMA), ZONE_DMA);

	p = take(GFP_KERNEL, 0);
	CHECK(p && page_zonenum(p) == ZONE_NORMAL && !PageHighMem(p));
	CHECK((unsigned long)page_address(p) < (unsigned long)high_memory);
	p = alloc_pages(GFP_HIGHUSER, 0);
	CHECK(p && page_zonenum(p) == ZONE_HIGHMEM && PageHighMem(p));
	CHECK(page_address(p) == NULL);
	/* Dirty it; the per-CPU list hands the same page back next, and
	 * __GFP_ZERO clears it through a temporary mapping. */
	k = kmap(p);
	memset(k, 0x77, PAGE_SIZE);
	kunmap(p);
	__free_pages(p, 0);
	p = take(GFP_HIGHUSER | __GFP_ZERO, 0);
	k = kmap_local_page(p);
	CHECK(k[0] == 0 && k[PAGE_SIZE - 1] == 0);
	kunmap_local(k);
	p = take(GFP_KERNEL | GFP_DMA32, 0);
	CHECK(p && page_zonenum(p) == ZONE_NORMAL);
	p = take(GFP_DMA, 0);
	CHECK(p && page_zonenum(p) == ZONE_DMA && page_to_phys(p) < 16 * MiB);
	/* __get_free_pages never returns HighMem (it returns an address). */
	a = __get_free_pages(GFP_HIGHUSER, 0);
	CHECK(a >= PAGE_OFFSET && a < (unsigned long)high_memory);
	free_pages(a, 0);
	give_back();

	/* Fill HighMem: GFP_HIGHUSER falls back to Normal. */
	while ((p = take(GFP_HIGHUSER | __GFP_NOWARN, 9)) && PageHighMem(p))
		;
	CHECK(p && page_zonenum(p) == ZONE_NORMAL);
	CHECK(kmem_check_invariants());
	give_back();
	CHECK(kmem_check_invariants());
	test_halt();
}

/* ---- watermarks and reserves ------------------------------------------------- */

TEST(atomic_reserves)
{
	struct zone *dma = zone_of(ZONE_DMA);
	unsigned long min, floor_high, floor_atomic;
	size_t mark;

	boot(256 * MiB, KMEM_LAYOUT_X86_64);
	page_alloc_set_pcp(false);
	min = min_wmark_pages(dma);
	floor_high = min - min / 2;		    /* __GFP_HIGH */
	floor_atomic = floor_high - floor_high / 4; /* and cannot sleep */
	CHECK(min > 8);

	/* GFP_NOWAIT stops at min: no reserves. */
	exhaust(GFP_NOWAIT | GFP_DMA);
	CHECK_EQ(zfree(ZONE_DMA), min);
	/* 6.18's GFP_NOWAIT has __GFP_NOWARN: it fails silently ... */
	mark = kmem_log_mark();
	CHECK(alloc_pages(GFP_NOWAIT | GFP_DMA, 0) == NULL);
	CHECK(!kmem_log_contains(mark, "page allocation failure"));
	/* ... and without it the report names the flags. */
	mark = kmem_log_mark();
	CHECK(alloc_pages(__GFP_KSWAPD_RECLAIM | GFP_DMA, 0) == NULL);
	CHECK_LOG(
		mark,
		"page allocation failure: order:0, mode:0x801(GFP_DMA|__GFP_KSWAPD_RECLAIM), nodemask=(null)");
	CHECK_LOG(mark, "Mem-Info:");
	CHECK_LOG(mark, "lowmem_reserve[]:");
	CHECK_LOG(mark, "pages RAM");
	/* GFP_ATOMIC digs to 3/8 of min. */
	exhaust(GFP_ATOMIC | GFP_DMA);
	CHECK_EQ(zfree(ZONE_DMA), floor_atomic);
	mark = kmem_log_mark();
	CHECK(alloc_pages(GFP_ATOMIC | GFP_DMA | __GFP_NOWARN, 0) == NULL);
	CHECK(!kmem_log_contains(mark, "page allocation failure"));
	/* __GFP_MEMALLOC ignores the watermarks. */
	CHECK(take(GFP_ATOMIC | GFP_DMA | __GFP_MEMALLOC, 0) != NULL);
	CHECK_EQ(zfree(ZONE_DMA), floor_atomic - 1);
	CHECK(kmem_check_invariants());
	give_back();
	/* A sleeping __GFP_HIGH request gets half of min, not 3/8. */
	exhaust(GFP_KERNEL | __GFP_HIGH | GFP_DMA);
	CHECK_EQ(zfree(ZONE_DMA), floor_high);
	give_back();
	page_alloc_set_pcp(true);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* Fragmentation: an order-1 request fails while many order-0 pages are free. */
TEST(fragmentation)
{
	struct page *pages[4096];
	unsigned long n = 0, i, freed = 0;

	boot(256 * MiB, KMEM_LAYOUT_X86_64);
	page_alloc_set_pcp(false);
	/* Take every page of DMA, then give back every other one. */
	while (n < 4096 &&
	       (pages[n] = alloc_pages(GFP_ATOMIC | GFP_DMA | __GFP_MEMALLOC |
					       __GFP_NOWARN,
				       0)))
		n++;
	CHECK(n > 3000);
	for (i = 0; i < n; i++) {
		if (page_to_pfn(pages[i]) & 1) {
			__free_pages(pages[i], 0);
			pages[i] = NULL;
			freed++;
		}
	}
	CHECK(kmem_check_invariants());
	CHECK_EQ(zfree(ZONE_DMA), freed);
	CHECK_EQ(zone_of(ZONE_DMA)->free_area[0].nr_free, freed);
	CHECK(alloc_pages(GFP_ATOMIC | GFP_DMA | __GFP_NOWARN, 1) == NULL);
	CHECK(alloc_pages(GFP_KERNEL | GFP_DMA | __GFP_NOWARN | __GFP_NORETRY,
			  1) == NULL);
	for (i = 0; i < n; i++)
		if (pages[i])
			__free_pages(pages[i], 0);
	/* Everything merged back. */
	CHECK(zone_of(ZONE_DMA)->free_area[MAX_PAGE_ORDER].nr_free >= 3);
	page_alloc_set_pcp(true);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* ---- reclaim and the retry flags --------------------------------------------------- */

static LIST_HEAD(cache);
static unsigned long cache_pages, scans, give_after;

static unsigned long cache_count(struct shrinker *s, struct shrink_control *sc)
{
	return cache_pages ? cache_pages : SHRINK_EMPTY;
}

static unsigned long cache_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long n = 0;

	scans++;
	if (scans <= give_after)
		return 0;
	/* One page per call, so that every reclaim round makes a little
	 * progress and the cache lasts. */
	while (n < 1 && n < sc->nr_to_scan && !list_empty(&cache)) {
		struct page *p = list_first_entry(&cache, struct page, lru);

		list_del(&p->lru);
		__free_pages(p, 0);
		cache_pages--;
		n++;
	}
	return n ? n : SHRINK_STOP;
}

TEST(reclaim_and_retry_flags)
{
	struct page_alloc_stats st0, st1;
	struct shrinker *s;
	struct page *p;
	size_t mark;

	boot(64 * MiB, KMEM_LAYOUT_X86_64);
	s = shrinker_alloc(0, "test-cache");
	s->count_objects = cache_count;
	s->scan_objects = cache_scan;
	shrinker_register(s);
	/* The cache holds 64 pages; the rest of memory is taken (the
	 * shrinker gives nothing back meanwhile). */
	give_after = ~0UL;
	while (cache_pages < 64) {
		p = alloc_page(GFP_KERNEL);
		list_add(&p->lru, &cache);
		cache_pages++;
	}
	exhaust(GFP_KERNEL);

	/* GFP_KERNEL reclaims from the shrinker and succeeds. */
	give_after = 0;
	scans = 0;
	p = alloc_page(GFP_KERNEL);
	CHECK(p != NULL);
	CHECK(scans > 0);
	CHECK(cache_pages < 64);
	if (p)
		__free_page(p);
	give_after = ~0UL;
	exhaust(GFP_KERNEL);

	/* __GFP_NORETRY: one round of reclaim, then failure. */
	page_alloc_get_stats(&st0);
	mark = kmem_log_mark();
	CHECK(alloc_page(GFP_KERNEL | __GFP_NORETRY) == NULL);
	page_alloc_get_stats(&st1);
	CHECK_EQ(st1.reclaim_runs - st0.reclaim_runs, 1);
	CHECK_LOG(
		mark,
		"page allocation failure: order:0, mode:0x10cc0(GFP_KERNEL|__GFP_NORETRY)");

	/* A costly order gives up after one round too ... */
	page_alloc_get_stats(&st0);
	CHECK(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 4) == NULL);
	page_alloc_get_stats(&st1);
	CHECK_EQ(st1.reclaim_runs - st0.reclaim_runs, 1);
	/* ... unless __GFP_RETRY_MAYFAIL: retries while reclaim may progress. */
	page_alloc_get_stats(&st0);
	CHECK(alloc_pages(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN, 4) ==
	      NULL);
	page_alloc_get_stats(&st1);
	CHECK(st1.reclaim_runs - st0.reclaim_runs > 8);

	/* __GFP_NOFAIL waits until reclaim succeeds (the 11th scan, before
	 * MAX_RECLAIM_RETRIES rounds without progress end in a panic). */
	scans = 0;
	give_after = 10;
	p = alloc_page(GFP_KERNEL | __GFP_NOFAIL);
	CHECK(p != NULL);
	CHECK(scans > 10);
	if (p)
		__free_page(p);
	give_back();
	shrinker_free(s);
	while (!list_empty(&cache)) {
		p = list_first_entry(&cache, struct page, lru);
		list_del(&p->lru);
		__free_page(p);
		cache_pages--;
	}
	CHECK(kmem_check_invariants());
	test_halt();
}

/* ---- bad frees ------------------------------------------------------------------ */

static bool lists_unchanged(const unsigned long before[NR_PAGE_ORDERS],
			    struct zone *z)
{
	unsigned long now[NR_PAGE_ORDERS];

	zone_free_counts(z, now);
	return !memcmp(before, now, sizeof(now));
}

TEST(bad_frees)
{
	unsigned long counts[NR_PAGE_ORDERS];
	struct page *p, *q;
	struct zone *z;
	size_t mark;
	int x;

	page_alloc_set_pcp(false);
	p = alloc_pages(GFP_KERNEL, 2);
	q = alloc_page(GFP_KERNEL);
	z = page_zone(p);
	zone_free_counts(z, counts);

	/* Wrong order. */
	mark = kmem_log_mark();
	__free_pages(p, 1);
	CHECK_LOG(mark, "BUG: Bad page state in process");
	CHECK_LOG(mark, "freed with order 1, allocated with order 2");
	CHECK(lists_unchanged(counts, z));
	/* A tail page. */
	mark = kmem_log_mark();
	__free_pages(p + 1, 0);
	CHECK_LOG(mark, "BUG: Bad page state");
	CHECK(lists_unchanged(counts, z));
	/* A pointer that is not a page: inside a page, and outside RAM. */
	mark = kmem_log_mark();
	free_pages((unsigned long)page_address(q) + 100, 0);
	CHECK_LOG(mark, "BUG: Bad page state");
	mark = kmem_log_mark();
	free_pages((unsigned long)&x, 0);
	CHECK_LOG(mark, "BUG: Bad page state");
	CHECK(lists_unchanged(counts, z));
	/* A reserved page (the first MiB). */
	mark = kmem_log_mark();
	__free_pages(pfn_to_page(16), 0);
	CHECK_LOG(mark, "BUG: Bad page state in process");
	CHECK_LOG(mark, "pfn:00010");
	CHECK(lists_unchanged(counts, z));
	CHECK(kmem_check_invariants());

	/* Double free: the second is reported, the lists stay intact. */
	__free_pages(p, 2);
	__free_page(q);
	zone_free_counts(z, counts);
	mark = kmem_log_mark();
	__free_pages(p, 2);
	CHECK_LOG(mark, "BUG: Bad page state");
	CHECK_LOG(mark, "double free");
	__free_page(q);
	CHECK_EQ(kmem_log_count(mark, "BUG: Bad page state"), 2);
	CHECK(lists_unchanged(counts, z));
	CHECK(kmem_check_invariants());
	/* The allocator still works. */
	p = alloc_pages(GFP_KERNEL, 2);
	CHECK(p != NULL);
	__free_pages(p, 2);
	page_alloc_set_pcp(true);
	/* Double free through the per-CPU lists too. */
	q = alloc_page(GFP_KERNEL);
	__free_page(q);
	mark = kmem_log_mark();
	__free_page(q);
	CHECK_LOG(mark, "double free");
	CHECK(kmem_check_invariants());
}

/* ---- might_sleep ------------------------------------------------------------------- */

/* Two call sites of alloc_pages (not static: the report names them through
 * the dynamic symbol table; the empty asm keeps the calls from becoming tail
 * calls, which would make the test function the caller). */
struct page *site_a(gfp_t gfp);
struct page *site_b(gfp_t gfp);

noinline struct page *site_a(gfp_t gfp)
{
	struct page *p = alloc_page(gfp);

	asm volatile("" ::: "memory");
	return p;
}

noinline struct page *site_b(gfp_t gfp)
{
	struct page *p = alloc_page(gfp);

	asm volatile("" ::: "memory");
	return p;
}

TEST(might_sleep_once_per_site)
{
	DEFINE_SPINLOCK(lock);
	struct page *p[6];
	size_t mark = kmem_log_mark();

	spin_lock(&lock);
	p[0] = site_a(GFP_KERNEL);
	p[1] = site_a(GFP_KERNEL);
	p[2] = site_b(GFP_KERNEL);
	p[3] = site_b(GFP_KERNEL);
	p[4] = site_a(GFP_ATOMIC); /* may not sleep: no report */
	spin_unlock(&lock);
	p[5] = site_b(GFP_KERNEL); /* not atomic: no report */
	CHECK_EQ(
		kmem_log_count(
			mark,
			"BUG: sleeping function called from invalid context at"),
		2);
	CHECK_LOG(mark, "in_atomic(): 1, irqs_disabled(): 0");
	CHECK_LOG(mark, "site_a");
	CHECK_LOG(mark, "site_b");
	{
		int i;

		for (i = 0; i < 6; i++) {
			CHECK(p[i] != NULL); /* the allocations went on */
			__free_page(p[i]);
		}
	}
	/* With interrupts off too. */
	mark = kmem_log_mark();
	{
		unsigned long flags;
		struct page *pg;

		local_irq_save(flags);
		pg = alloc_page(GFP_KERNEL);
		local_irq_restore(flags);
		__free_page(pg);
	}
	CHECK_LOG(mark, "irqs_disabled(): 1");
}

/* ---- randomized sequences ------------------------------------------------------------- */

static unsigned long rng = 88172645463325252UL;

static unsigned long xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_ops(int steps)
{
	static const gfp_t gfps[] = {
		GFP_KERNEL,
		GFP_ATOMIC,
		GFP_NOWAIT,
		GFP_KERNEL | GFP_DMA,
		GFP_KERNEL | __GFP_RECLAIMABLE,
		GFP_HIGHUSER_MOVABLE,
		GFP_KERNEL | __GFP_ZERO | __GFP_COMP,
		GFP_KERNEL | GFP_DMA32,
	};
	struct {
		struct page *p;
		unsigned int order;
	} live[256] = { { NULL, 0 } };
	int i, bad = 0;

	for (i = 0; i < steps; i++) {
		unsigned int slot = (unsigned int)(xorshift() % 256);

		if (live[slot].p) {
			__free_pages(live[slot].p, live[slot].order);
			live[slot].p = NULL;
		} else {
			unsigned int order = (unsigned int)(xorshift() % 11);
			gfp_t gfp = gfps[xorshift() % ARRAY_SIZE(gfps)];

			if (order > 6)
				order = (unsigned int)(xorshift() % 3);
			live[slot].p = alloc_pages(gfp | __GFP_NOWARN, order);
			live[slot].order = order;
		}
		if (xorshift() % 64 == 0)
			drain_all_pages(NULL);
		if (!page_alloc_check() && bad++ < 3)
			fprintf(stderr, "FAIL: invariants broken at step %d\n",
				i);
	}
	CHECK_EQ(bad, 0);
	for (i = 0; i < 256; i++)
		if (live[i].p)
			__free_pages(live[i].p, live[i].order);
}

TEST(random_sequences)
{
	boot(64 * MiB, KMEM_LAYOUT_X86_64);
	random_ops(1500);
	CHECK(kmem_check_invariants());
	boot(64 * MiB, KMEM_LAYOUT_X86_32);
	random_ops(1500);
	CHECK(kmem_check_invariants());
	test_halt();
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN(api_basics);
	RUN(order_too_large);
	RUN(zones_x86_64);
	RUN(lowmem_reserve);
	RUN(zones_x86_32);
	RUN(atomic_reserves);
	RUN(fragmentation);
	RUN(reclaim_and_retry_flags);
	RUN(bad_frees);
	RUN(might_sleep_once_per_site);
	RUN(random_sequences);
	test_halt();
	return test_summary();
}
