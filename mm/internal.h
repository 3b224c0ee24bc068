/* SPDX-License-Identifier: MIT */
/* Private interface of mm/ (as the kernel's mm/internal.h). Never installed. */
#ifndef _KMEM_MM_INTERNAL_H
#define _KMEM_MM_INTERNAL_H

#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/shrinker.h>
#include <kmem/introspect.h>
#include "kernel/internal.h"
#include "arch/x86/machine.h"

/* ---- names for debugging output (mm/debug.c) ---------------------------- */
/* kmem_format_gfp() and kmem_parse_gfp() are public: <kmem/introspect.h>. */
/* The owner tags' names (KMEM_OWNER_*), as tools/mm/page-types names them. */
extern const char *const page_owner_names[KMEM_NR_OWNERS];

/* ---- memblock (mm/memblock.c): the boot-time allocator ---------------- */
void memblock_reset(void);
int memblock_add(phys_addr_t base, phys_addr_t size);
int memblock_reserve(phys_addr_t base, phys_addr_t size);
/* Allocate `size` bytes, top-down, below `limit` (physical). 0 on failure. */
phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align,
				phys_addr_t limit);
int memblock_phys_free(phys_addr_t base, phys_addr_t size);
bool memblock_is_memory(phys_addr_t addr);
bool memblock_is_reserved(phys_addr_t addr);
bool memblock_is_untouched(phys_addr_t base, phys_addr_t size);

/*
 * kmem: page->flags bit 48 of a free frame known to hold zeroes, so that
 * __GFP_ZERO has nothing to clear:
 *   - a frame never written since boot: the RAM memfd is new at each boot,
 *     so it reads as zeroes (and clearing it would make the host fault in
 *     and zero a page for nothing). memblock_free_all() (mm/mm_init.c) sets
 *     the bit on the frames memblock never handed out;
 *   - a frame of a block handed out holding zeroes (bit 49 on its head,
 *     PAGE_HANDED_ZEROES, while allocated) and given back unwritten through
 *     kmem_free_zeroed_pages().
 * The page allocator clears it on every frame of a block it hands out (the
 * owner may write from then on). Both bits are outside PAGE_FLAGS_MASK.
 */
#define PAGE_ZEROES (1UL << 48)
#define PAGE_HANDED_ZEROES (1UL << 49)
/* kmem_free_zeroed_pages() (a block its owner did not write: if it was
 * handed out holding zeroes, and no page debugging option writes free pages,
 * its frames are PAGE_ZEROES again) and kmem_prefault_free_pages() are
 * public: <kmem/machine.h>. */

/* ---- percpu (mm/percpu.c): the first chunk, from memblock at boot ------- */
int setup_per_cpu_areas(void);

/* ---- the page allocator (mm/page_alloc.c) ------------------------------ */
int page_alloc_init(void);
void page_alloc_exit(void);
/* The kernel's split_page(): a non-compound block of 2^order pages becomes
 * 2^order order-0 allocations, each freed on its own (vmalloc). */
void split_page(struct page *page, unsigned int order);

/* ---- the slab allocators (mm/slab_common.c) ----------------------------- */
/* The name of a slab allocator ("SLUB", "SLAB", "SLOB"), and whether this
 * build has it (kmem_config_resolve() refuses one that it has not). */
const char *slab_allocator_name(enum kmem_slab which);
bool slab_allocator_built(enum kmem_slab which);

/* Zones this layout has (bit i: zone i exists, even if empty). */
extern unsigned int zones_in_layout;

static inline bool zone_exists(enum zone_type z)
{
	return zones_in_layout & (1u << z);
}
/* The shared zero page (reserved at boot, never freed). */
extern struct page *zero_page;
extern unsigned long min_free_kbytes;

/* alloc_flags, as the kernel's. */
#define ALLOC_WMARK_MIN WMARK_MIN
#define ALLOC_WMARK_LOW WMARK_LOW
#define ALLOC_WMARK_HIGH WMARK_HIGH
#define ALLOC_NO_WATERMARKS 0x04
#define ALLOC_WMARK_MASK (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM 0x08
#define ALLOC_NON_BLOCK 0x10
#define ALLOC_MIN_RESERVE 0x20 /* == __GFP_HIGH */
#define ALLOC_HIGHATOMIC 0x200
#define ALLOC_KSWAPD 0x800 /* == __GFP_KSWAPD_RECLAIM */
#define ALLOC_RESERVES \
	(ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);
/* Give every per-CPU page list back to the buddy lists (zone NULL: all). */
void drain_all_pages(struct zone *zone);
/* Free blocks of each order in a zone (for buddyinfo), summed over types. */
void zone_free_counts(struct zone *zone, unsigned long counts[NR_PAGE_ORDERS]);
/* Free blocks of each order of one migrate type (for pagetypeinfo). */
void zone_free_counts_mt(struct zone *zone, int mt,
			 unsigned long counts[NR_PAGE_ORDERS]);
int get_pageblock_migratetype(const struct page *page);
/* Pages on the per-CPU lists of a zone. */
unsigned long zone_pcp_pages(struct zone *zone);
/* Print the kernel's show_free_areas() dump ("Mem-Info:" ...; mm/show_mem.c). */
void show_free_areas(void);
/* Boot-time setup that mm/mm_init.c calls into mm/page_alloc.c. */
static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return pfn >= zone->zone_start_pfn &&
	       pfn < zone->zone_start_pfn + zone->spanned_pages;
}
extern const char *const zone_names[MAX_NR_ZONES];
void __free_pages_core(struct page *page, unsigned int order);
void init_per_zone_wmark_min(void);
void setup_per_cpu_pageset(void);
/* Invariant checker (mm/debug.c): no block on two lists, free buddies merged,
 * counters agree with the lists, owner tags agree with the counts. Returns
 * true if all hold; otherwise prints what is wrong. */
bool page_alloc_check(void);
/* Pages by owner tag (walks mem_map). */
void page_owner_counts(unsigned long counts[KMEM_NR_OWNERS]);

/* ---- per-CPU counter deltas (mm/vmstat.c) -------------------------------- */
/* The kernel's per-CPU vmstat threshold of a zone (calculate_normal_threshold);
 * setup_vm_stat_thresholds() gives it to every CPU at boot, zoneinfo prints
 * the value the CPUs hold. */
int zone_stat_threshold(const struct zone *zone);
void setup_vm_stat_thresholds(void);
/* Fold one CPU's deltas of every zone into the zone counters. */
void cpu_vm_stats_fold(int cpu);

/* Add delta to a CPU's delta of a zone counter, folding it into the zone when
 * it would pass the threshold. That CPU's pcp->lock of the zone held. */
static __always_inline void pcp_mod_zone_stat(struct per_cpu_pages *pcp,
					      struct zone *zone,
					      enum zone_stat_item item,
					      long delta)
{
	long x = pcp->zstats.vm_stat_diff[item] + delta;
	long t = pcp->zstats.stat_threshold;

	lockdep_assert_held(&pcp->lock);
	if (unlikely(x > t || x < -t)) {
		atomic_long_add(x, &zone->vm_stat[item]);
		x = 0;
	}
	pcp->zstats.vm_stat_diff[item] = (s8)x;
}

/* /proc support (mm/proc.c, mm/meminfo.c). */
/* calculate_totalreserve_pages(): high watermarks plus lowmem reserves. */
unsigned long totalreserve_pages(void);
/* The kernel's MemAvailable estimate, in pages. */
long si_mem_available(void);

/* Caches above the page allocator that hold free memory per CPU or per thread
 * (the slab layer's sheaves and empty slabs) register a drain function;
 * kmem_free_pages_drained() runs them before counting, so that a test's
 * before/after comparison sees every page the caches could give back. */
/* h->fn is a void (*)(void) (KMEM_HOOK); higher priority drains first: a
 * higher layer's drain (vmalloc's purge) frees objects into a lower layer's
 * caches (slab), so it registers with the higher priority (its init level). */
void register_cpu_cache_drain(struct kmem_hook *h);
void unregister_cpu_cache_drain(struct kmem_hook *h);

/* Allocation/free counters (for the tour and benchmarks). */
struct page_alloc_stats {
	unsigned long alloc_fast, alloc_slow, alloc_fail, reclaim_runs;
	unsigned long pcp_hits, pcp_refills;
};
void page_alloc_get_stats(struct page_alloc_stats *st);
/* Turn the per-CPU page lists on or off (benchmarks compare the two). */
void page_alloc_set_pcp(bool on);

/* ---- counters owned by other layers, read by meminfo (mm/vmstat.c) ------ */
extern atomic_long_t nr_vmalloc_pages; /* pages backing vmalloc areas */
/* The kernel's vm_committed_as, in pages: what user address spaces have
 * committed (mm/mmap.c, vm_stat_account; meminfo's Committed_AS). */
extern atomic_long_t vm_committed_as;
extern atomic_long_t nr_swap_pages;    /* free swap slots */
extern atomic_long_t total_swap_pages; /* swap slots in all */

/* ---- reclaim (mm/vmscan.c) --------------------------------------------- */
/* Direct reclaim: run the shrinkers and the page reclaimers; returns the number
 * of pages it made free. */
unsigned long try_to_free_pages(gfp_t gfp, unsigned int order);
/* A page reclaimer (the user-memory LRU registers one): try to free nr pages,
 * return how many were freed. */
typedef unsigned long (*page_reclaimer_t)(gfp_t gfp, unsigned long nr);
void register_page_reclaimer(struct kmem_hook *h); /* h->fn: page_reclaimer_t */
void unregister_page_reclaimer(struct kmem_hook *h);
/* The OOM hook (user address spaces register the OOM killer); returns true if
 * it freed memory. */
typedef bool (*oom_handler_t)(gfp_t gfp, unsigned int order);
void register_oom_handler(struct kmem_hook *h); /* h->fn: oom_handler_t */
void unregister_oom_handler(struct kmem_hook *h);
bool out_of_memory(gfp_t gfp, unsigned int order);
/* Nothing to reclaim and nothing to kill for a __GFP_NOFAIL request: print the
 * OOM report and panic ("System is deadlocked on memory"). */
__noreturn void out_of_memory_deadlock(gfp_t gfp, unsigned int order);
void shrinkers_reset(void);

/* PF_MEMALLOC: this thread is reclaiming; its allocations ignore watermarks
 * and never recurse into reclaim. */
extern __thread unsigned int current_pf_memalloc;

#endif
