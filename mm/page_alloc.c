// SPDX-License-Identifier: MIT
/*
 * The buddy page allocator.
 *
 * 1. What it manages
 *    Every frame of RAM has a struct page in mem_map. Frames not reserved at
 *    boot belong to one of the zones (DMA, DMA32, Normal, HighMem) and are
 *    either free (in the buddy lists or on a per-CPU list) or allocated.
 *
 * 2. The buddy system
 *    A free block of order k is 2^k frames, aligned to 2^k frames. Its buddy is
 *    the block whose pfn differs in bit k: buddy_pfn = pfn ^ (1 << k). Free
 *    blocks sit on zone->free_area[k].free_list[migratetype]; the first page of
 *    a free block has page_type PGTY_buddy and its order in page->private.
 *    Allocation takes the smallest block that fits and splits it, putting the
 *    upper halves back ("expand"). Freeing merges the block with its buddy for
 *    as long as the buddy is free and of the same order, then files it.
 *
 * 3. Migrate types
 *    Each pageblock (2^pageblock_order frames) has a migrate type (unmovable,
 *    movable, reclaimable). Requests are served from their own type; when it is
 *    empty they fall back to another type, taking the largest block available
 *    and claiming the whole pageblock when the block is at least half of it, so
 *    that unmovable allocations do not get scattered (the kernel's
 *    anti-fragmentation). At boot every pageblock is movable.
 *
 * 4. Watermarks and reserves
 *    min_free_kbytes = int_sqrt(lowmem_kbytes * 16), clamped to [128, 262144],
 *    shared among zones by managed pages. tmp = max(min / 4, managed * 10 /
 *    10000); low = min + tmp, high = low + tmp. The fast path requires free
 *    pages above the low mark, the slow path above min. __GFP_HIGH halves min,
 *    and a request that cannot sleep with __GFP_HIGH (GFP_ATOMIC) takes a
 *    further quarter: it may go down to 3/8 of min. GFP_NOWAIT gets nothing.
 *    lowmem_reserve[j] of a lower zone protects it from requests that could
 *    have been served from the higher zone j (ratio 256 for DMA and DMA32, 32
 *    for Normal).
 *
 * 5. Per-CPU page lists
 *    Orders 0..3 are cached per simulated CPU, one list per (order, type).
 *    Allocation and free touch only the CPU's own list under its pcp->lock
 *    (taken with a trylock: if another thread on the same simulated CPU holds
 *    it, the buddy lists are used directly, as the kernel does). A list is
 *    refilled with `batch` pages at a time and drained when the CPU holds more
 *    than `high` pages. batch = rounddown_pow_of_two(b + b/2) - 1 with
 *    b = min(managed >> 10, 256) / 4; high = low watermark / nr_cpus.
 *    Pages on pcp lists are not counted in NR_FREE_PAGES (as in the kernel).
 *    Each CPU's per_cpu_pages is aligned to its own 128 bytes (no false
 *    sharing between CPUs; see docs/PERFORMANCE.md).
 *
 * 6. Bad input
 *    The head page of every allocation records its order (flags bits 44-47).
 *    A free of a page that is not the head of an allocation (a tail page, a
 *    free page, a reserved page, a slab page) or with an order that differs
 *    from the allocation's prints "BUG: Bad page state" and frees nothing.
 *
 * 7. Invariants (checked by page_alloc_check(), which the tests call)
 *    - every free block is on exactly one list, of its own order, and its
 *      buddy is not a free block of the same order (free buddies are merged);
 *    - free_area[k].nr_free == the number of blocks on the order-k lists;
 *    - NR_FREE_PAGES == sum over blocks of 2^order;
 *    - free + pcp + allocated-by-owner == managed pages, for every zone;
 *    - every CPU holds the zone's stat threshold and its deltas within it.
 *
 * 8. Locking (the order: docs/ARCHITECTURE.md, "Lock order")
 *    zone->lock protects the free lists, nr_free and pageblock types.
 *    pcp->lock protects one CPU's lists of one zone, and that CPU's deltas of
 *    the zone counters and its event counts (nr_alloc, nr_hits, nr_refills).
 *
 * 9. Counters (mm/vmstat.c has the details)
 *    Nothing shared is written on the pcp fast path. NUMA_HIT/NUMA_LOCAL go
 *    to the CPU's deltas with plain adds under pcp->lock, folded into
 *    zone->vm_stat (atomics) past the zone's stat threshold; an allocation
 *    outside the pcp path takes the CPU's pcp->lock, after zone->lock is
 *    released, to count them. NR_FREE_PAGES/NR_FREE_PAGES_BLOCKS change only
 *    under zone->lock and are updated on the atomics directly: exact, for the
 *    watermarks and the checker. Slow-path events (alloc_slow, alloc_fail,
 *    reclaim_runs, allocations not served under a pcp->lock) are global
 *    atomics; page_alloc_get_stats() sums the per-CPU counts and derives
 *    alloc_fast. The page's own _refcount is the only other atomic of a pair.
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/kmemleak.h>
#include <linux/highmem.h>
#include <linux/mutex.h>
#include <linux/gfp.h>
#include "arch/x86/machine.h"
#include "mm/internal.h"
#include "mm/fault_inject.h"
#include "mm/page_debug.h"

pg_data_t contig_page_data;
unsigned int zones_in_layout;
struct page *zero_page;
unsigned long min_free_kbytes;
__thread unsigned int current_pf_memalloc;

static bool pcp_enabled = true;
const char *const zone_names[MAX_NR_ZONES] = { "DMA",	  "DMA32",   "Normal",
					       "HighMem", "Movable", "Device" };
static const int lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 256, 32, 0, 0, 0 };

/* Slow-path events (atomics: never on the fast path). The fast path's events
 * are counted per CPU under pcp->lock (per_cpu_pages.nr_*). */
static struct {
	unsigned long alloc_slow, alloc_fail, reclaim_runs;
	unsigned long alloc_buddy; /* allocations not served under a pcp->lock */
} stats;
#define count_stat(field) __atomic_fetch_add(&stats.field, 1, __ATOMIC_RELAXED)

/* The allocation order recorded in an allocated head page: order + 1 in flags
 * bits 44-47 (0: not the head of an allocation). */
#define ALLOC_ORDER_SHIFT 44
#define ALLOC_ORDER_MASK 0xfUL

static inline unsigned int page_alloc_order_tag(const struct page *page)
{
	return (unsigned int)((__atomic_load_n(&page->flags,
					       __ATOMIC_RELAXED) >>
			       ALLOC_ORDER_SHIFT) &
			      ALLOC_ORDER_MASK);
}

static inline void set_alloc_order_tag(struct page *page, unsigned int tag)
{
	unsigned long f = page->flags;

	f &= ~(ALLOC_ORDER_MASK << ALLOC_ORDER_SHIFT);
	f |= (unsigned long)tag << ALLOC_ORDER_SHIFT;
	page->flags = f;
}

void set_page_owner_tag(struct page *page, unsigned int nr_pages,
			enum kmem_page_owner owner)
{
	unsigned int i;

	for (i = 0; i < nr_pages; i++) {
		unsigned long f = page[i].flags;

		f &= ~(KMEM_OWNER_MASK << KMEM_OWNER_PGSHIFT);
		f |= (unsigned long)owner << KMEM_OWNER_PGSHIFT;
		page[i].flags = f;
	}
}

/* ---- zone selection ------------------------------------------------------ */

enum zone_type gfp_zone(gfp_t flags)
{
	gfp_t zbits = flags & GFP_ZONEMASK;

	if (zbits & __GFP_DMA) {
		WARN_ON_ONCE(zbits & (__GFP_HIGHMEM | __GFP_DMA32));
		return ZONE_DMA;
	}
	if (zbits & __GFP_DMA32) {
		WARN_ON_ONCE(zbits & __GFP_HIGHMEM);
		return zone_exists(ZONE_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;
	}
	if ((zbits & (__GFP_HIGHMEM | __GFP_MOVABLE)) ==
	    (__GFP_HIGHMEM | __GFP_MOVABLE))
		return ZONE_MOVABLE;
	if (zbits & __GFP_HIGHMEM)
		return zone_exists(ZONE_HIGHMEM) ? ZONE_HIGHMEM : ZONE_NORMAL;
	return ZONE_NORMAL;
}

/* ---- pageblocks ------------------------------------------------------------ */

static unsigned long pageblock_index(const struct zone *zone, unsigned long pfn)
{
	return (pfn >> pageblock_order) -
	       (zone->zone_start_pfn >> pageblock_order);
}

int get_pageblock_migratetype(const struct page *page)
{
	struct zone *zone = page_zone(page);

	return zone->pageblock_mt[pageblock_index(zone, page_to_pfn(page))];
}

static void set_pageblock_migratetype(struct zone *zone, unsigned long pfn,
				      int mt)
{
	zone->pageblock_mt[pageblock_index(zone, pfn)] = (unsigned char)mt;
}

/* ---- the buddy lists (zone->lock held) ------------------------------------- */

/* NR_FREE_PAGES (and NR_FREE_PAGES_BLOCKS) change only here, under
 * zone->lock: straight to the zone's atomic, no per-CPU delta, so the
 * watermark checks and the checker read exact values. */
static inline void __mod_zone_freepage_state(struct zone *zone, long nr,
					     unsigned int order)
{
	lockdep_assert_held(&zone->lock);
	atomic_long_add(nr, &zone->vm_stat[NR_FREE_PAGES]);
	if (order >= pageblock_order)
		atomic_long_add(nr, &zone->vm_stat[NR_FREE_PAGES_BLOCKS]);
}

static inline void add_to_free_list(struct page *page, struct zone *zone,
				    unsigned int order, int mt, bool tail)
{
	struct free_area *area = &zone->free_area[order];

	__SetPageBuddy(page);
	page->private = order;
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_FREE);
	if (tail)
		list_add_tail(&page->lru, &area->free_list[mt]);
	else
		list_add(&page->lru, &area->free_list[mt]);
	area->nr_free++;
	__mod_zone_freepage_state(zone, 1L << order, order);
}

static inline void del_from_free_list(struct page *page, struct zone *zone,
				      unsigned int order)
{
	kmem_assert(PageBuddy(page) && page->private == order);
	list_del(&page->lru);
	__ClearPageBuddy(page);
	page->private = 0;
	zone->free_area[order].nr_free--;
	__mod_zone_freepage_state(zone, -(1L << order), order);
}

static inline bool page_is_buddy(struct zone *zone, struct page *buddy,
				 unsigned long buddy_pfn, unsigned int order)
{
	return zone_spans_pfn(zone, buddy_pfn) && PageBuddy(buddy) &&
	       buddy->private == order;
}

static void __free_one_page(struct page *page, unsigned long pfn,
			    struct zone *zone, unsigned int order, int mt)
{
	/* A block is aligned to its order and not already free. */
	kmem_assert(!(pfn & ((1UL << order) - 1)) && !PageBuddy(page));
	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy = pfn_to_page(buddy_pfn);

		if (!page_is_buddy(zone, buddy, buddy_pfn, order))
			break;
		del_from_free_list(buddy, zone, order);
		pfn &= buddy_pfn; /* the lower of the two */
		page = pfn_to_page(pfn);
		order++;
	}
	if (order >= pageblock_order)
		mt = zone->pageblock_mt[pageblock_index(zone, pfn)];
	add_to_free_list(page, zone, order, mt, false);
}

/* Split a block of order `high` down to `low`, filing the upper halves. */
static void expand(struct zone *zone, struct page *page, unsigned int low,
		   unsigned int high, int mt)
{
	unsigned long size = 1UL << high;

	kmem_assert(low <= high);
	while (high > low) {
		high--;
		size >>= 1;
		kmem_assert(!PageBuddy(&page[size]));
		add_to_free_list(&page[size], zone, high, mt, false);
	}
}

static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
				       int mt)
{
	unsigned int cur;

	for (cur = order; cur < NR_PAGE_ORDERS; cur++) {
		struct list_head *list = &zone->free_area[cur].free_list[mt];
		struct page *page;

		if (list_empty(list))
			continue;
		page = list_first_entry(list, struct page, lru);
		del_from_free_list(page, zone, cur);
		expand(zone, page, order, cur, mt);
		return page;
	}
	return NULL;
}

static const int fallbacks[MIGRATE_PCPTYPES][2] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/* Move the free blocks of the pageblock holding `pfn` to type `mt`. */
static void claim_pageblock(struct zone *zone, unsigned long pfn, int mt)
{
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long end = start + pageblock_nr_pages, p;

	set_pageblock_migratetype(zone, pfn, mt);
	for (p = max(start, zone->zone_start_pfn);
	     p < end && zone_spans_pfn(zone, p);) {
		struct page *page = pfn_to_page(p);

		if (PageBuddy(page)) {
			unsigned int order = (unsigned int)page->private;

			list_move(&page->lru,
				  &zone->free_area[order].free_list[mt]);
			p += 1UL << order;
		} else {
			p++;
		}
	}
}

/* No block of the wanted type: take the largest block of a fallback type. */
static struct page *__rmqueue_fallback(struct zone *zone, unsigned int order,
				       int mt)
{
	int cur, i;

	for (cur = MAX_PAGE_ORDER; cur >= (int)order; cur--) {
		for (i = 0; i < 2; i++) {
			int fmt = fallbacks[mt][i];
			struct list_head *list =
				&zone->free_area[cur].free_list[fmt];
			struct page *page;
			unsigned long pfn;

			if (list_empty(list))
				continue;
			page = list_first_entry(list, struct page, lru);
			pfn = page_to_pfn(page);
			if (cur >= pageblock_order) {
				unsigned long p;

				for (p = pfn; p < pfn + (1UL << cur);
				     p += pageblock_nr_pages)
					set_pageblock_migratetype(zone, p, mt);
				list_move(&page->lru,
					  &zone->free_area[cur].free_list[mt]);
			} else if (cur >= pageblock_order / 2 ||
				   mt == MIGRATE_RECLAIMABLE ||
				   mt == MIGRATE_UNMOVABLE) {
				claim_pageblock(zone, pfn, mt);
			} else {
				/* Too small to claim: serve it from its own type. */
				del_from_free_list(page, zone,
						   (unsigned int)cur);
				expand(zone, page, order, (unsigned int)cur,
				       fmt);
				return page;
			}
			return __rmqueue_smallest(zone, order, mt);
		}
	}
	return NULL;
}

static struct page *__rmqueue(struct zone *zone, unsigned int order, int mt)
{
	struct page *page = __rmqueue_smallest(zone, order, mt);

	if (!page && mt < MIGRATE_PCPTYPES)
		page = __rmqueue_fallback(zone, order, mt);
	return page;
}

/* ---- per-CPU page lists ------------------------------------------------------ */

static inline unsigned int order_to_pindex(int mt, unsigned int order)
{
	return order * MIGRATE_PCPTYPES + (unsigned int)mt;
}

static inline struct per_cpu_pages *this_pcp(struct zone *zone)
{
	return &zone->per_cpu_pageset[raw_smp_processor_id()];
}

/* The pages on a pcp's lists (its lock held): pcp->count, recounted. */
static unsigned long pcp_pages_listed(struct per_cpu_pages *pcp)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < NR_PCP_LISTS; i++)
		n += list_count_nodes(&pcp->lists[i]) << (i / MIGRATE_PCPTYPES);
	return n;
}

/* Free `count` pages from a pcp (its lock held) back to the buddy lists. */
static void free_pcppages_bulk(struct zone *zone, int count,
			       struct per_cpu_pages *pcp)
{
	unsigned int pindex = 0;

	lockdep_assert_held(&pcp->lock);
	kmem_assert(pcp->count >= 0);
	kmem_assert_expensive(pcp_pages_listed(pcp) ==
			      (unsigned long)pcp->count);
	spin_lock(&zone->lock);
	while (count > 0 && pcp->count > 0) {
		struct list_head *list;
		struct page *page;
		unsigned int order;

		/* Round robin over the lists, oldest pages first. */
		do {
			pindex = (pindex + 1) % NR_PCP_LISTS;
			list = &pcp->lists[pindex];
		} while (list_empty(list));
		order = pindex / MIGRATE_PCPTYPES;
		page = list_last_entry(list, struct page, lru);
		list_del(&page->lru);
		pcp->count -= 1 << order;
		count -= 1 << order;
		__free_one_page(page, page_to_pfn(page), zone, order,
				get_pageblock_migratetype(page));
	}
	spin_unlock(&zone->lock);
}

static void drain_zone_pages(struct zone *zone, int cpu)
{
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

	spin_lock(&pcp->lock);
	if (pcp->count)
		free_pcppages_bulk(zone, pcp->count, pcp);
	spin_unlock(&pcp->lock);
}

void drain_all_pages(struct zone *zone)
{
	struct zone *z;
	int cpu;

	if (!mem_map)
		return;
	for_each_populated_zone(z) {
		if (zone && z != zone)
			continue;
		for_each_online_cpu(cpu)
			drain_zone_pages(z, cpu);
	}
}

unsigned long zone_pcp_pages(struct zone *zone)
{
	unsigned long n = 0;
	int cpu;

	if (!zone->per_cpu_pageset)
		return 0;
	for_each_online_cpu(cpu)
		n += (unsigned long)READ_ONCE(zone->per_cpu_pageset[cpu].count);
	return n;
}

/* Take `count` blocks of `order` from the buddy lists onto a pcp list. */
static int rmqueue_bulk(struct zone *zone, unsigned int order, int count,
			struct list_head *list, int mt)
{
	int i;

	spin_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(zone, order, mt);

		if (!page)
			break;
		set_page_owner_tag(page, 1u << order, KMEM_OWNER_PCP);
		list_add_tail(&page->lru, list);
	}
	spin_unlock(&zone->lock);
	return i;
}

static struct page *rmqueue_pcplist(struct zone *zone, unsigned int order,
				    int mt, bool *locked_out)
{
	struct per_cpu_pages *pcp = this_pcp(zone);
	struct list_head *list;
	struct page *page;

	if (!spin_trylock(&pcp->lock)) {
		*locked_out = true;
		return NULL;
	}
	list = &pcp->lists[order_to_pindex(mt, order)];
	if (list_empty(list)) {
		int batch = order ? max(pcp->batch >> order, 2) : pcp->batch;
		int got = rmqueue_bulk(zone, order, batch, list, mt);

		pcp->count += got << order;
		pcp->nr_refills++;
		if (!got) {
			spin_unlock(&pcp->lock);
			return NULL;
		}
	} else {
		pcp->nr_hits++;
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	pcp->count -= 1 << order;
	/* zone_statistics(): plain adds to this CPU's deltas, under the lock
	 * already held (no shared cache line written). */
	pcp->nr_alloc++;
	pcp_mod_zone_stat(pcp, zone, NUMA_HIT, 1);
	pcp_mod_zone_stat(pcp, zone, NUMA_LOCAL, 1);
	spin_unlock(&pcp->lock);
	return page;
}

static struct page *rmqueue(struct zone *zone, unsigned int order, int mt)
{
	struct page *page;
	bool locked_out = false;

	if (pcp_enabled && order <= PAGE_ALLOC_COSTLY_ORDER) {
		page = rmqueue_pcplist(zone, order, mt, &locked_out);
		if (page || !locked_out)
			return page;
	}
	spin_lock(&zone->lock);
	page = __rmqueue(zone, order, mt);
	spin_unlock(&zone->lock);
	if (page) {
		/* zone_statistics() outside the pcp path: one lock for both. */
		struct per_cpu_pages *pcp = this_pcp(zone);

		count_stat(alloc_buddy);
		spin_lock(&pcp->lock);
		pcp_mod_zone_stat(pcp, zone, NUMA_HIT, 1);
		pcp_mod_zone_stat(pcp, zone, NUMA_LOCAL, 1);
		spin_unlock(&pcp->lock);
	}
	return page;
}

/* ---- watermarks --------------------------------------------------------------- */

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	long min = (long)mark;
	long free_pages =
		(long)zone_page_state(z, NR_FREE_PAGES) - (1L << order) + 1;
	unsigned int o;
	int mt;

	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	for (o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];

		/* Without zone->lock, as the kernel: a hint, rmqueue decides. */
		if (!data_race(area->nr_free))
			continue;
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!list_empty(&area->free_list[mt]))
				return true;
		if ((alloc_flags & ALLOC_RESERVES) &&
		    !list_empty(&area->free_list[MIGRATE_HIGHATOMIC]))
			return true;
	}
	return false;
}

/* ---- allocation ------------------------------------------------------------------ */

static void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	SetPageHead(page);
	for (i = 1; i < nr; i++) {
		page[i].compound_head = (unsigned long)page | 1;
		atomic_set(&page[i]._refcount, 0);
	}
	page[1].compound_order = (unsigned char)order;
}

static void zero_pages(struct page *page, unsigned int order)
{
	unsigned long i;

	if (!PageHighMem(page)) {
		memset(lowmem_page_address(page), 0, PAGE_SIZE << order);
		return;
	}
	for (i = 0; i < (1UL << order); i++)
		clear_highpage(page + i);
}

static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	unsigned long i, zeroes = PAGE_ZEROES;

	page->page_type = PAGE_TYPE_NONE;
	for (i = 0; i < (1UL << order); i++) {
		page[i].lru.next = page[i].lru.prev = NULL;
		page[i].mapping = NULL;
		page[i].index = 0;
		page[i].private = 0;
		page[i].kmem_private = 0;
		page[i].page_type = PAGE_TYPE_NONE;
		zeroes &= page[i].flags;
		page[i].flags &= ~(PAGE_FLAGS_MASK | PAGE_ZEROES);
		set_alloc_order_tag(&page[i], 0);
	}
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_NONE);
	atomic_set(&page->_refcount, 1);
	set_alloc_order_tag(page, order + 1);
	/* post_alloc_hook(): debug_pagealloc, page_poison, page_owner; the
	 * hook says whether init_on_alloc/init_on_free want zeroing. */
	if (unlikely(page_debug_flags))
		gfp = page_debug_alloc(page, order, gfp);
	/* kmem: a block all of whose frames are known to hold zeroes
	 * (mm/internal.h, PAGE_ZEROES) is not cleared again. */
	if ((gfp & __GFP_ZERO) && !zeroes)
		zero_pages(page, order);
	if (zeroes || (gfp & __GFP_ZERO))
		page->flags |= PAGE_HANDED_ZEROES;
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(page, order);
}

static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order,
					   unsigned int alloc_flags,
					   enum zone_type highest)
{
	int mt = gfp_migratetype(gfp);
	int z;

	for (z = (int)highest; z >= 0; z--) {
		struct zone *zone = &contig_page_data.node_zones[z];
		struct page *page;

		if (!managed_zone(zone))
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_ok(
			    zone, order,
			    wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK),
			    (int)highest, alloc_flags))
			continue;
		page = rmqueue(zone, order, mt);
		if (page) {
			prep_new_page(page, order, gfp);
			return page;
		}
	}
	return NULL;
}

static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;

	alloc_flags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);
	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		if (!(gfp & __GFP_NOMEMALLOC))
			alloc_flags |= ALLOC_NON_BLOCK;
		if (order > 0)
			alloc_flags |= ALLOC_HIGHATOMIC;
	}
	if (current_pf_memalloc && !(gfp & __GFP_NOMEMALLOC))
		alloc_flags |= ALLOC_NO_WATERMARKS;
	if ((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC))
		alloc_flags |= ALLOC_NO_WATERMARKS;
	return alloc_flags;
}

/*
 * warn_alloc(): the kernel's allocation-failure report, rate limited as the
 * kernel's nopage_rs (at most 10 reports in 5 seconds; the next report after
 * a quiet interval says how many were suppressed). Reset at every boot.
 */
#define NOPAGE_RS_INTERVAL_NS (5LL * 1000000000LL)
#define NOPAGE_RS_BURST 10
static struct {
	struct mutex lock;
	long long begin;
	int printed, missed;
} nopage_rs = { .lock = { PTHREAD_MUTEX_INITIALIZER,
#ifdef CONFIG_LOCKDEP
			  STATIC_LOCKDEP_MAP_INIT("nopage_rs.lock",
						  LOCK_RANK_LEAF)
#endif
		} };

static bool nopage_ratelimit(void)
{
	struct timespec ts;
	long long now;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	mutex_lock_atomic(&nopage_rs.lock);
	if (!nopage_rs.begin ||
	    now - nopage_rs.begin >= NOPAGE_RS_INTERVAL_NS) {
		if (nopage_rs.missed)
			pr_warn("warn_alloc: %d callbacks suppressed\n",
				nopage_rs.missed);
		nopage_rs.begin = now;
		nopage_rs.printed = 0;
		nopage_rs.missed = 0;
	}
	ok = nopage_rs.printed < NOPAGE_RS_BURST;
	if (ok)
		nopage_rs.printed++;
	else
		nopage_rs.missed++;
	mutex_unlock(&nopage_rs.lock);
	return ok;
}

static void nopage_ratelimit_reset(void)
{
	mutex_lock_atomic(&nopage_rs.lock);
	nopage_rs.begin = 0;
	nopage_rs.printed = nopage_rs.missed = 0;
	mutex_unlock(&nopage_rs.lock);
}

static void warn_alloc(gfp_t gfp, unsigned int order, const char *what)
{
	char flags[256];

	if ((gfp & __GFP_NOWARN) || !nopage_ratelimit())
		return;
	kmem_format_gfp(gfp, flags, sizeof(flags));
	pr_warn("%s: %s: order:%u, mode:%#x(%s), nodemask=(null)\n",
		kmem_current_comm(), what, order, gfp, flags);
	pr_warn("CPU: %d UID: 0 PID: %d Comm: %s\n", raw_smp_processor_id(),
		kmem_current_pid(), kmem_current_comm());
	dump_stack();
	show_free_areas();
}

#define MAX_RECLAIM_RETRIES 16

static noinline struct page *
__alloc_pages_slowpath(gfp_t gfp, unsigned int order, enum zone_type highest)
{
	bool can_reclaim = gfpflags_allow_blocking(gfp) && !current_pf_memalloc;
	bool costly = order > PAGE_ALLOC_COSTLY_ORDER;
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp, order);
	unsigned int no_progress = 0, tries = 0;
	struct page *page;

	count_stat(alloc_slow);
	for (;;) {
		page = get_page_from_freelist(gfp, order, alloc_flags, highest);
		if (page)
			return page;
		if (!can_reclaim)
			break;
		/* Direct reclaim: pcp lists first, then shrinkers and LRU. */
		drain_all_pages(NULL);
		page = get_page_from_freelist(gfp, order, alloc_flags, highest);
		if (page)
			return page;
		count_stat(reclaim_runs);
		if (try_to_free_pages(gfp, order))
			no_progress = 0;
		else
			no_progress++;
		page = get_page_from_freelist(gfp, order, alloc_flags, highest);
		if (page)
			return page;
		tries++;
		if (gfp & __GFP_NORETRY)
			break;
		if (costly && !(gfp & (__GFP_RETRY_MAYFAIL | __GFP_NOFAIL)))
			break;
		if (no_progress >= MAX_RECLAIM_RETRIES || tries > 64) {
			/* Out of memory: the OOM killer may free something.
			 * As the kernel's __alloc_pages_may_oom(), it runs for
			 * requests up to the costly order that may use the
			 * file system and did not ask to fail, and for every
			 * __GFP_NOFAIL request. */
			bool may_oom = (gfp & __GFP_NOFAIL) ||
				       (!(gfp & __GFP_RETRY_MAYFAIL) &&
					!costly && (gfp & __GFP_FS));

			if (may_oom && out_of_memory(gfp, order)) {
				no_progress = 0;
				tries = 0;
				continue;
			}
			if (!(gfp & __GFP_NOFAIL))
				break;
			/* Reclaim gave nothing MAX_RECLAIM_RETRIES times in a
			 * row and there is nothing to kill: a request that
			 * must not fail can never be served. The kernel
			 * panics rather than loop forever. */
			if (no_progress >= MAX_RECLAIM_RETRIES)
				out_of_memory_deadlock(gfp, order);
			/* Reclaim still frees something, but other threads
			 * take it first: wait for them. */
			if (tries == 65)
				pr_warn("%s: page allocation stalls, order:%u, mode:%#x, retrying (__GFP_NOFAIL)\n",
					kmem_current_comm(), order, gfp);
			sched_yield();
			usleep(1000);
		}
	}
	if (gfp & __GFP_NOFAIL) {
		/* A __GFP_NOFAIL request that cannot sleep: the kernel warns
		 * and dips into every reserve. */
		WARN_ON_ONCE(!can_reclaim);
		page = get_page_from_freelist(
			gfp, order, alloc_flags | ALLOC_NO_WATERMARKS, highest);
		if (page)
			return page;
	}
	count_stat(alloc_fail);
	warn_alloc(gfp, order, "page allocation failure");
	return NULL;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	enum zone_type highest;
	struct page *page;

	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	might_sleep_if(gfpflags_allow_blocking(gfp));
	if (unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			WARN_ON_ONCE(order > MAX_PAGE_ORDER);
		return NULL;
	}
	if (unlikely(kmem_fault_active) && should_fail_alloc_page(gfp, order))
		return NULL; /* fail_page_alloc (mm/fault_inject.c) */
	highest = gfp_zone(gfp);
	page = get_page_from_freelist(
		gfp, order,
		ALLOC_WMARK_LOW |
			(current_pf_memalloc ? ALLOC_NO_WATERMARKS : 0),
		highest);
	if (likely(page))
		return page;
	return __alloc_pages_slowpath(gfp, order, highest);
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	(void)nid; /* one node */
	return alloc_pages(gfp, order);
}

unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr_pages,
			       struct page **page_array)
{
	unsigned long i, filled = 0;

	if (unlikely(!kmem_ensure_booted()))
		return 0;
	for (i = 0; i < nr_pages; i++) {
		if (page_array[i]) {
			filled++;
			continue;
		}
		/* The kernel's bulk allocator never enters the slow path for
		 * more than the first page: the caller retries one by one. */
		page_array[i] = alloc_pages(
			gfp | (filled ? __GFP_NOWARN | __GFP_NORETRY : 0), 0);
		if (!page_array[i])
			break;
		filled++;
	}
	for (i++; i < nr_pages; i++)
		if (page_array[i])
			filled++;
	return filled;
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page;

	/* The result must have a kernel address: no HighMem. */
	page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);
	if (!page)
		return 0;
	return (unsigned long)page_address(page);
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* ---- freeing ----------------------------------------------------------------------- */

static void bad_page(struct page *page, const char *reason)
{
	unsigned long pfn = page_to_pfn(page);

	pr_alert("BUG: Bad page state in process %s  pfn:%05lx\n",
		 kmem_current_comm(), pfn);
	pr_alert(
		"page: refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx\n",
		atomic_read(&page->_refcount),
		PageBuddy(page) || PageSlab(page) || PageTable(page) ||
				PageLargeKmalloc(page) ?
			0 :
			atomic_read(&page->_mapcount) + 1,
		(void *)page->mapping, (unsigned long)page->index, pfn);
	pr_alert("flags: %#lx(zone:%s)\n", page->flags & PAGE_FLAGS_MASK,
		 zone_names[page_zonenum(page)]);
	if (page_type_of(page) != 0xff)
		pr_alert("page_type: %x(%s)\n", page->page_type,
			 PageBuddy(page)	? "buddy" :
			 PageSlab(page)		? "slab" :
			 PageTable(page)	? "table" :
			 PageLargeKmalloc(page) ? "large_kmalloc" :
						  "other");
	pr_alert("page dumped because: %s\n", reason);
	pr_alert("Modules linked in:\n");
	pr_alert("CPU: %d UID: 0 PID: %d Comm: %s Tainted: G    B\n",
		 raw_smp_processor_id(), kmem_current_pid(),
		 kmem_current_comm());
	dump_stack();
}

/* Check that `page` heads an allocation of `order`; report and refuse if not. */
static bool free_page_is_bad(struct page *page, unsigned int order)
{
	unsigned int tag;
	char why[128];

	if (PageReserved(page)) {
		bad_page(page, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
		return true;
	}
	if (PageBuddy(page) || page_owner(page) == KMEM_OWNER_FREE ||
	    page_owner(page) == KMEM_OWNER_PCP) {
		bad_page(page, "page is already free (double free)");
		return true;
	}
	if (PageTail(page)) {
		bad_page(page, "freeing a tail page of a compound page");
		return true;
	}
	tag = page_alloc_order_tag(page);
	if (!tag) {
		bad_page(page, "not the first page of a page allocation");
		return true;
	}
	if (tag - 1 != order) {
		snprintf(why, sizeof(why),
			 "freed with order %u, allocated with order %u", order,
			 tag - 1);
		bad_page(page, why);
		return true;
	}
	if (PageSlab(page) || PageTable(page) || PageLargeKmalloc(page)) {
		bad_page(page, "nonzero mapcount");
		return true;
	}
	if (page->mapping) {
		bad_page(page, "non-NULL mapping");
		return true;
	}
	return false;
}

static void free_frozen_pages(struct page *page, unsigned int order,
			      bool unwritten)
{
	struct zone *zone = page_zone(page);
	unsigned long pfn = page_to_pfn(page);
	unsigned long i;
	int mt;

	/* free_pages_prepare(): init_on_free, page_poison, debug_pagealloc. */
	if (unlikely(page_debug_flags))
		page_debug_free(page, order);
	if (PageHead(page)) {
		ClearPageHead(page);
		for (i = 1; i < (1UL << order); i++)
			page[i].compound_head = 0;
		page[1].compound_order = 0;
	}
	set_alloc_order_tag(page, 0);
	/* Handed out as zeroes, given back unwritten, and no debugging
	 * option wrote it on the way: its frames hold zeroes. */
	if (unlikely(unwritten) && (page->flags & PAGE_HANDED_ZEROES) &&
	    !page_debug_flags)
		for (i = 0; i < (1UL << order); i++)
			page[i].flags |= PAGE_ZEROES;
	page->flags &= ~(PAGE_FLAGS_MASK | PAGE_HANDED_ZEROES);
	mt = get_pageblock_migratetype(page);

	if (pcp_enabled && order <= PAGE_ALLOC_COSTLY_ORDER &&
	    mt < MIGRATE_PCPTYPES) {
		struct per_cpu_pages *pcp = this_pcp(zone);

		if (spin_trylock(&pcp->lock)) {
			set_page_owner_tag(page, 1u << order, KMEM_OWNER_PCP);
			page->page_type = PAGE_TYPE_NONE;
			list_add(&page->lru,
				 &pcp->lists[order_to_pindex(mt, order)]);
			pcp->count += 1 << order;
			/* nr_pcp_high(): high starts at 0 at boot (zoneinfo
			 * shows 0 for a list never freed to) and is pulled into
			 * [high_min, high_max] by the first free. */
			pcp->high =
				clamp(pcp->high, pcp->high_min, pcp->high_max);
			if (pcp->count >= pcp->high)
				free_pcppages_bulk(zone,
						   pcp->count - pcp->high +
							   pcp->batch,
						   pcp);
			spin_unlock(&pcp->lock);
			return;
		}
	}
	spin_lock(&zone->lock);
	__free_one_page(page, pfn, zone, order, mt);
	spin_unlock(&zone->lock);
}

static void free_pages_unwritten(struct page *page, unsigned int order,
				 bool unwritten)
{
	int ref;

	if (!page)
		return;
	if ((unsigned long)(page - mem_map) >= max_pfn || page < mem_map) {
		pr_alert("BUG: Bad page state in process %s  pfn:?????\n",
			 kmem_current_comm());
		pr_alert(
			"page dumped because: %p is not a struct page of this machine\n",
			(void *)page);
		dump_stack();
		return;
	}
	if (free_page_is_bad(page, order))
		return;
	ref = atomic_dec_return(&page->_refcount);
	if (ref > 0)
		return; /* somebody still holds a reference (get_page) */
	if (ref < 0) {
		atomic_set(&page->_refcount, 0);
		bad_page(page, "nonzero _refcount");
		return;
	}
	free_frozen_pages(page, order, unwritten);
}

void __free_pages(struct page *page, unsigned int order)
{
	free_pages_unwritten(page, order, false);
}

void kmem_free_zeroed_pages(struct page *page, unsigned int order)
{
	free_pages_unwritten(page, order, true);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (!addr)
		return;
	if (addr < PAGE_OFFSET || addr >= (unsigned long)high_memory ||
	    (addr & ~PAGE_MASK)) {
		pr_alert("BUG: Bad page state in process %s  pfn:?????\n",
			 kmem_current_comm());
		pr_alert(
			"page dumped because: free_pages(%#lx): not a page-aligned direct-map address\n",
			addr);
		dump_stack();
		return;
	}
	__free_pages(virt_to_page((void *)addr), order);
}

void put_page(struct page *page)
{
	struct page *head = compound_head(page);

	if (atomic_dec_return(&head->_refcount) == 0) {
		atomic_set(&head->_refcount, 1);
		__free_pages(head, compound_order(head));
	}
}

/* ---- exact allocations ---------------------------------------------------------- */

static void split_page_tags(struct page *page, unsigned int order)
{
	unsigned long i;

	for (i = 1; i < (1UL << order); i++) {
		set_alloc_order_tag(&page[i], 1);
		atomic_set(&page[i]._refcount, 1);
	}
	set_alloc_order_tag(page, 1);
	if (unlikely(page_debug_flags & PAGE_DEBUG_OWNER))
		page_debug_split(page, order);
}

void split_page(struct page *page, unsigned int order)
{
	VM_BUG_ON(PageCompound(page));
	split_page_tags(page, order);
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order = (unsigned int)get_order(size);
	unsigned long addr, used, end;

	if (WARN_ON_ONCE(gfp & (__GFP_COMP | __GFP_HIGHMEM)))
		gfp &= ~(__GFP_COMP | __GFP_HIGHMEM);
	addr = __get_free_pages(gfp, order);
	if (!addr)
		return NULL;
	/* Split into order-0 pages and give back the tail beyond `size`. */
	split_page_tags(virt_to_page((void *)addr), order);
	used = addr + PAGE_ALIGN(size);
	end = addr + (PAGE_SIZE << order);
	for (; used < end; used += PAGE_SIZE)
		free_pages(used, 0);
	kmemleak_alloc((void *)addr, size, 1, gfp);
	return (void *)addr;
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt;
	unsigned long end = addr + PAGE_ALIGN(size);

	kmemleak_free(virt);
	for (; addr < end; addr += PAGE_SIZE)
		free_pages(addr, 0);
}

/* ---- statistics ------------------------------------------------------------------- */

unsigned long global_zone_page_state(enum zone_stat_item item)
{
	struct zone *zone;
	unsigned long n = 0;

	if (unlikely(!kmem_ensure_booted()))
		return 0;
	for_each_zone(zone)
		n += zone_page_state(zone, item);
	return n;
}

unsigned long nr_free_pages(void)
{
	return global_zone_page_state(NR_FREE_PAGES);
}

static KMEM_HOOK_LIST(cache_drains, "cpu cache drains");

void register_cpu_cache_drain(struct kmem_hook *h)
{
	kmem_hook_register(&cache_drains, h);
}

void unregister_cpu_cache_drain(struct kmem_hook *h)
{
	kmem_hook_unregister(&cache_drains, h);
}

unsigned long kmem_free_pages_drained(void)
{
	struct kmem_hook *h;

	if (unlikely(!kmem_ensure_booted()))
		return 0;
	/* Higher layers first: vmalloc's purge frees objects into the slab
	 * caches, which must drain after it (the drains' priorities). */
	kmem_hook_for_each(h, &cache_drains)
		((void (*)(void))h->fn)();
	drain_all_pages(NULL);
	refresh_vm_stats();
	return nr_free_pages();
}

unsigned long totalram_pages(void)
{
	struct zone *zone;
	unsigned long n = 0;

	if (unlikely(!kmem_ensure_booted()))
		return 0;
	for_each_zone(zone)
		n += zone_managed_pages(zone);
	return n;
}

unsigned long totalhigh_pages(void)
{
	if (unlikely(!kmem_ensure_booted()))
		return 0;
	return zone_managed_pages(&contig_page_data.node_zones[ZONE_HIGHMEM]);
}

void page_alloc_get_stats(struct page_alloc_stats *st)
{
	unsigned long served =
		__atomic_load_n(&stats.alloc_buddy, __ATOMIC_RELAXED);
	struct zone *zone;
	int cpu;

	memset(st, 0, sizeof(*st));
	st->alloc_slow = __atomic_load_n(&stats.alloc_slow, __ATOMIC_RELAXED);
	st->alloc_fail = __atomic_load_n(&stats.alloc_fail, __ATOMIC_RELAXED);
	st->reclaim_runs =
		__atomic_load_n(&stats.reclaim_runs, __ATOMIC_RELAXED);
	for_each_zone(zone) {
		if (!zone->per_cpu_pageset)
			continue;
		for_each_online_cpu(cpu) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

			served += READ_ONCE(pcp->nr_alloc);
			st->pcp_hits += READ_ONCE(pcp->nr_hits);
			st->pcp_refills += READ_ONCE(pcp->nr_refills);
		}
	}
	/* Every allocation is served once; a slow-path entry ends in one
	 * served allocation or in a failure. */
	st->alloc_fast = served - (st->alloc_slow - st->alloc_fail);
}

void page_alloc_set_pcp(bool on)
{
	if (!on)
		drain_all_pages(NULL);
	pcp_enabled = on;
}

/* ---- prefaulting --------------------------------------------------------- */

#define PREFAULT_RANGES 128

struct prefault {
	unsigned long want, done;
	int n;
	struct {
		unsigned long start, end; /* pfns */
	} r[PREFAULT_RANGES];
};

/* Add a free block; false when enough is taken or there is no room. */
static bool prefault_add(struct prefault *pf, struct page *page,
			 unsigned int order)
{
	unsigned long pfn = page_to_pfn(page), end = pfn + (1UL << order);
	int i;

	if (pf->done >= pf->want)
		return false;
	for (i = pf->n - 1; i >= 0 && i >= pf->n - 4; i--) {
		if (pf->r[i].start == end) { /* lists often run downwards */
			pf->r[i].start = pfn;
			goto added;
		}
		if (pf->r[i].end == pfn) {
			pf->r[i].end = end;
			goto added;
		}
	}
	if (pf->n == PREFAULT_RANGES)
		return false;
	pf->r[pf->n].start = pfn;
	pf->r[pf->n].end = end;
	pf->n++;
added:
	pf->done += 1UL << order;
	return true;
}

/* The free blocks of a zone in about the order allocations take them: the
 * per-CPU lists first, then the smallest blocks (what __rmqueue_smallest
 * finds first for each type; a fallback takes a large block when a type has
 * none left), each list from its head (LIFO: boot freed the blocks in
 * ascending order, so the highest come first). */
static void prefault_zone(struct prefault *pf, struct zone *zone)
{
	unsigned int cpu, i, order;
	struct page *page;
	int mt;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		spin_lock(&pcp->lock);
		for (i = 0; i < NR_PCP_LISTS; i++)
			list_for_each_entry(page, &pcp->lists[i], lru)
				if (!prefault_add(pf, page,
						  i / MIGRATE_PCPTYPES))
					break;
		spin_unlock(&pcp->lock);
	}
	spin_lock(&zone->lock);
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			list_for_each_entry(
				page, &zone->free_area[order].free_list[mt],
				lru)
				if (!prefault_add(pf, page, order))
					goto out;
out:
	spin_unlock(&zone->lock);
}

/*
 * Back the next nr_pages or so free pages the allocator will hand out with
 * host pages now, in a few large system calls (arch_populate), so that their
 * first touches later take no host page fault one page at a time. Lowmem
 * only (HighMem has no permanent mapping), the highest zone first. The pages
 * stay free and unchanged (zeroes where PAGE_ZEROES says so). Returns the
 * number of free pages populated.
 */
unsigned long kmem_prefault_free_pages(unsigned long nr_pages)
{
	struct prefault *pf;
	unsigned long done = 0;
	int z, i;

	if (page_debug_flags & PAGE_DEBUG_PAGEALLOC)
		return 0; /* free pages are not mapped */
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return 0;
	pf->want = nr_pages;
	for (z = MAX_NR_ZONES - 1; z >= 0 && pf->done < nr_pages; z--) {
		struct zone *zone = &contig_page_data.node_zones[z];

		if (managed_zone(zone) && !is_highmem_idx((enum zone_type)z))
			prefault_zone(pf, zone);
	}
	/* Outside the locks: a page allocated meanwhile is no matter
	 * (populating changes no byte). */
	for (i = 0; i < pf->n; i++)
		if (!arch_populate((unsigned long)pfn_to_virt(pf->r[i].start),
				   (pf->r[i].end - pf->r[i].start)
					   << PAGE_SHIFT))
			done += pf->r[i].end - pf->r[i].start;
	free(pf);
	return done;
}

void zone_free_counts_mt(struct zone *zone, int mt,
			 unsigned long counts[NR_PAGE_ORDERS])
{
	unsigned int o;

	spin_lock(&zone->lock);
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		counts[o] = list_count_nodes(&zone->free_area[o].free_list[mt]);
	spin_unlock(&zone->lock);
}

void zone_free_counts(struct zone *zone, unsigned long counts[NR_PAGE_ORDERS])
{
	unsigned int o;

	spin_lock(&zone->lock);
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		counts[o] = zone->free_area[o].nr_free;
	spin_unlock(&zone->lock);
}

void page_owner_counts(unsigned long counts[KMEM_NR_OWNERS])
{
	unsigned long pfn;

	memset(counts, 0, sizeof(unsigned long) * KMEM_NR_OWNERS);
	for (pfn = 0; pfn < max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (PageReserved(page) &&
		    page_owner(page) == KMEM_OWNER_RESERVED &&
		    !memblock_is_memory(PFN_PHYS(pfn)))
			continue; /* holes */
		counts[page_owner(page)]++;
	}
}

/* ---- boot-time tuning (mm/mm_init.c calls these) ---------------------------------------- */

static void setup_per_zone_lowmem_reserve(void)
{
	pg_data_t *pgdat = &contig_page_data;
	int i, j;

	for (i = 0; i < MAX_NR_ZONES - 1; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		int ratio = lowmem_reserve_ratio[i];
		bool clear = !ratio || !zone_managed_pages(zone);
		unsigned long managed = 0;

		for (j = i + 1; j < MAX_NR_ZONES; j++) {
			managed += zone_managed_pages(&pgdat->node_zones[j]);
			zone->lowmem_reserve[j] =
				clear ? 0 :
					(long)(managed / (unsigned long)ratio);
		}
	}
}

static void setup_per_zone_wmarks(void)
{
	unsigned long pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	struct zone *zone;

	for_each_zone(zone)
		if (!is_highmem(zone) && zone->idx != ZONE_MOVABLE)
			lowmem_pages += zone_managed_pages(zone);
	for_each_zone(zone) {
		unsigned long managed = zone_managed_pages(zone);
		unsigned long tmp =
			lowmem_pages ?
				(unsigned long)((unsigned long long)pages_min *
						managed / lowmem_pages) :
				0;

		if (is_highmem(zone) || zone->idx == ZONE_MOVABLE) {
			unsigned long min_pages = managed / 1024;

			zone->_watermark[WMARK_MIN] =
				clamp(min_pages, 32UL, 128UL);
		} else {
			zone->_watermark[WMARK_MIN] = tmp;
		}
		tmp = max(tmp >> 2, mult_frac(managed, 10UL, 10000UL));
		zone->watermark_boost = 0;
		zone->_watermark[WMARK_LOW] = zone->_watermark[WMARK_MIN] + tmp;
		zone->_watermark[WMARK_HIGH] =
			zone->_watermark[WMARK_LOW] + tmp;
		zone->_watermark[WMARK_PROMO] =
			zone->_watermark[WMARK_HIGH] + tmp;
	}
}

static void setup_min_free_kbytes(void)
{
	unsigned long lowmem_kbytes = 0, v;
	struct zone *zone;

	for_each_zone(zone)
		if (zone->idx <= ZONE_NORMAL)
			lowmem_kbytes += zone_managed_pages(zone)
					 << (PAGE_SHIFT - 10);
	v = int_sqrt(lowmem_kbytes * 16);
	min_free_kbytes = clamp(v, 128UL, 262144UL);
}

void setup_per_cpu_pageset(void)
{
	struct zone *zone;

	for_each_zone(zone) {
		unsigned long managed = zone_managed_pages(zone);
		int batch = (int)min(managed >> 10, 256UL) / 4;
		int high_min, high_max, cpu;

		if (batch < 1)
			batch = 1;
		batch = (int)rounddown_pow_of_two(
				(unsigned long)(batch + batch / 2)) -
			1;
		batch = max(batch, 1);
		high_min = (int)(low_wmark_pages(zone) / nr_cpu_ids);
		high_min = max(high_min, batch << 2);
		high_max = (int)(managed / 8 / nr_cpu_ids);
		high_max = max(high_max, batch << 2);
		for_each_online_cpu(cpu) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

			pcp->batch = batch;
			pcp->high_min = high_min;
			pcp->high_max = high_max;
			pcp->high = 0;
		}
	}
}

/*
 * The watermarks and reserves of every zone, from the managed pages
 * (the kernel's init_per_zone_wmark_min()); mm_init.c calls it once the
 * pages are free. Also starts the slow-path event counts afresh.
 */
void init_per_zone_wmark_min(void)
{
	setup_min_free_kbytes();
	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
	memset(&stats, 0, sizeof(stats));
	nopage_ratelimit_reset();
}

/* Free a block of boot memory into the buddy lists (memblock_free_all()). */
void __free_pages_core(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);

	spin_lock(&zone->lock);
	__free_one_page(page, page_to_pfn(page), zone, order,
			get_pageblock_migratetype(page));
	spin_unlock(&zone->lock);
}
