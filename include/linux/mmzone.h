/* SPDX-License-Identifier: MIT */
/* Zones, free areas, per-CPU page lists and the VM statistics. */
#ifndef _KMEM_LINUX_MMZONE_H
#define _KMEM_LINUX_MMZONE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/page-flags.h>

#define MAX_PAGE_ORDER 10
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES (1UL << MAX_PAGE_ORDER)
#define PAGE_ALLOC_COSTLY_ORDER 3
#define pageblock_order 9
#define pageblock_nr_pages (1UL << pageblock_order)

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES, /* the number of types on the pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

/* Zone numbers are fixed; a layout populates a subset (x86-64: DMA, DMA32,
 * Normal; x86-32: DMA, Normal, HighMem). Movable and Device exist empty, as on
 * the real machine of the snapshots. */
enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	MAX_NR_ZONES
};

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/* Per-zone counters, in the order /proc/zoneinfo prints them. */
enum zone_stat_item {
	NR_FREE_PAGES,
	NR_FREE_PAGES_BLOCKS,
	NR_ZONE_INACTIVE_ANON,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NUMA_HIT,
	NUMA_MISS,
	NUMA_FOREIGN,
	NUMA_INTERLEAVE_HIT,
	NUMA_LOCAL,
	NUMA_OTHER,
	NR_VM_ZONE_STAT_ITEMS
};

/* Per-node counters (one node), in the order /proc/zoneinfo prints them. All in
 * pages except NR_KERNEL_STACK_KB. */
enum node_stat_item {
	NR_INACTIVE_ANON,
	NR_ACTIVE_ANON,
	NR_INACTIVE_FILE,
	NR_ACTIVE_FILE,
	NR_UNEVICTABLE,
	NR_SLAB_RECLAIMABLE,
	NR_SLAB_UNRECLAIMABLE,
	NR_ISOLATED_ANON,
	NR_ISOLATED_FILE,
	WORKINGSET_NODES,
	WORKINGSET_REFAULT_ANON,
	WORKINGSET_REFAULT_FILE,
	WORKINGSET_ACTIVATE_ANON,
	WORKINGSET_ACTIVATE_FILE,
	WORKINGSET_RESTORE_ANON,
	WORKINGSET_RESTORE_FILE,
	WORKINGSET_NODERECLAIM,
	NR_ANON_MAPPED,
	NR_FILE_MAPPED,
	NR_FILE_PAGES,
	NR_FILE_DIRTY,
	NR_WRITEBACK,
	NR_SHMEM,
	NR_SHMEM_THPS,
	NR_SHMEM_PMDMAPPED,
	NR_FILE_THPS,
	NR_FILE_PMDMAPPED,
	NR_ANON_THPS,
	NR_VMSCAN_WRITE,
	NR_VMSCAN_IMMEDIATE,
	NR_DIRTIED,
	NR_WRITTEN,
	NR_THROTTLED_WRITTEN,
	NR_KERNEL_MISC_RECLAIMABLE,
	NR_FOLL_PIN_ACQUIRED,
	NR_FOLL_PIN_RELEASED,
	NR_KERNEL_STACK_KB,
	NR_PAGETABLE,
	NR_SECONDARY_PAGETABLE,
	NR_IOMMU_PAGES,
	NR_SWAPCACHE,
	PGPROMOTE_SUCCESS,
	PGPROMOTE_CANDIDATE,
	PGPROMOTE_CANDIDATE_NRL,
	PGDEMOTE_KSWAPD,
	PGDEMOTE_DIRECT,
	PGDEMOTE_KHUGEPAGED,
	PGDEMOTE_PROACTIVE,
	NR_HUGETLB,
	NR_BALLOON_PAGES,
	NR_KERNEL_FILE_PAGES,
	NR_VM_NODE_STAT_ITEMS
};

extern KMEM_API const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS];
extern KMEM_API const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS];
extern KMEM_API const char *const migratetype_names[MIGRATE_TYPES];

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free; /* blocks of this order, all types */
};

#define NR_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))

/*
 * Each CPU's data of a zone sits on cache lines of its own: 128 bytes, the
 * x86 adjacent-line prefetch pair, so that two CPUs working on their own lists
 * never write the same line (measured in docs/PERFORMANCE.md).
 */
#define PCP_CACHELINE_BYTES 128

/* One CPU's deltas of the zone counters (the kernel's per_cpu_zonestat). A
 * delta is folded into zone->vm_stat when it would pass stat_threshold. */
struct per_cpu_zonestat {
	s8 vm_stat_diff[NR_VM_ZONE_STAT_ITEMS];
	s8 stat_threshold;
};

/* One CPU's cache of free pages of orders 0..PAGE_ALLOC_COSTLY_ORDER. Its lock
 * is taken with a trylock by the owning CPU, as the kernel's pcp->lock; it
 * also protects the CPU's counter deltas of this zone (zstats) and its event
 * counts (several host threads may share one simulated CPU, so the lock stands
 * in for the kernel's "interrupts off on this CPU"). */
struct per_cpu_pages {
	spinlock_t lock;
	int count; /* pages on the lists */
	int high;  /* drain above this */
	int high_min;
	int high_max;
	int batch; /* pages moved to or from the buddy lists at once */
	struct per_cpu_zonestat zstats;
	/* Events, for page_alloc_get_stats(). */
	unsigned long nr_alloc;	  /* allocations served under this lock */
	unsigned long nr_hits;	  /* ... from a non-empty list */
	unsigned long nr_refills; /* lists refilled from the buddy lists */
	struct list_head lists[NR_PCP_LISTS];
} __attribute__((aligned(PCP_CACHELINE_BYTES)));

struct zone {
	/* Read-mostly, set at boot. */
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;
	long lowmem_reserve[MAX_NR_ZONES];
	struct per_cpu_pages *per_cpu_pageset; /* nr_cpu_ids entries, aligned */
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;
	atomic_long_t managed_pages;
	const char *name;
	int idx;

	/* zone->lock protects free_area and the block counts. */
	spinlock_t lock;
	struct free_area free_area[NR_PAGE_ORDERS];
	unsigned char *pageblock_mt; /* migratetype of each pageblock */
	unsigned long nr_reserved_highatomic;

	/* The folded counters: the sum of what every CPU folded (and, for
	 * NR_FREE_PAGES and NR_FREE_PAGES_BLOCKS, the exact value). */
	atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS];
};

#define min_wmark_pages(z) ((z)->_watermark[WMARK_MIN] + (z)->watermark_boost)
#define low_wmark_pages(z) ((z)->_watermark[WMARK_LOW] + (z)->watermark_boost)
#define high_wmark_pages(z) ((z)->_watermark[WMARK_HIGH] + (z)->watermark_boost)
#define wmark_pages(z, i) ((z)->_watermark[i] + (z)->watermark_boost)

static inline unsigned long zone_managed_pages(const struct zone *zone)
{
	return (unsigned long)atomic_long_read(&zone->managed_pages);
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline bool managed_zone(const struct zone *zone)
{
	return zone_managed_pages(zone) != 0;
}

/* The single node. */
typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	int nr_zones; /* zones that exist in this layout (highest index + 1) */
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	atomic_long_t vm_stat[NR_VM_NODE_STAT_ITEMS];
	unsigned long totalreserve_pages;
} pg_data_t;

extern KMEM_API pg_data_t contig_page_data;
#define NODE_DATA(nid) (&contig_page_data)

#define for_each_zone(zone)                      \
	for (zone = contig_page_data.node_zones; \
	     zone < contig_page_data.node_zones + MAX_NR_ZONES; zone++)
#define for_each_populated_zone(zone)      \
	for_each_zone(zone)                \
		if (!populated_zone(zone)) \
			;                  \
		else

static inline struct zone *page_zone(const struct page *page)
{
	return &contig_page_data.node_zones[(page->flags >> ZONES_PGSHIFT) &
					    ZONES_MASK];
}

static inline enum zone_type page_zonenum(const struct page *page)
{
	return (enum zone_type)((page->flags >> ZONES_PGSHIFT) & ZONES_MASK);
}

static inline bool is_highmem_idx(enum zone_type idx)
{
	return idx == ZONE_HIGHMEM;
}

static inline bool is_highmem(const struct zone *zone)
{
	return zone->idx == ZONE_HIGHMEM;
}

/*
 * Statistics, as the kernel's (mm/vmstat.c has the whole story).
 *
 * Zone counters are per-CPU deltas folded into the zone's atomic when they
 * pass the zone's stat threshold. mod_zone_page_state() takes this CPU's
 * pcp->lock of the zone (never call it with zone->lock or a pcp->lock held);
 * __mod_zone_page_state() is for callers that hold it. zone_page_state() reads
 * the folded value, which lags the truth by at most stat_threshold pages per
 * CPU; zone_page_state_snapshot() adds the deltas in; refresh_vm_stats() folds
 * every delta so that the folded values are exact. NR_FREE_PAGES and
 * NR_FREE_PAGES_BLOCKS change only under zone->lock and are always exact.
 *
 * Node counters are exact atomics (not on the page allocator's fast path).
 */
KMEM_API void mod_zone_page_state(struct zone *zone, enum zone_stat_item item,
				  long delta);
KMEM_API void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item,
				    long delta);

static inline unsigned long zone_page_state(const struct zone *zone,
					    enum zone_stat_item item)
{
	long x = atomic_long_read(&zone->vm_stat[item]);

	return x < 0 ? 0 : (unsigned long)x;
}

KMEM_API unsigned long zone_page_state_snapshot(const struct zone *zone,
						enum zone_stat_item item);
/* Fold every CPU's deltas into the zone counters. */
KMEM_API void refresh_vm_stats(void);

static inline void mod_node_page_state(pg_data_t *pgdat,
				       enum node_stat_item item, long delta)
{
	atomic_long_add(delta, &pgdat->vm_stat[item]);
}

static inline unsigned long node_page_state(const pg_data_t *pgdat,
					    enum node_stat_item item)
{
	long x = atomic_long_read(&pgdat->vm_stat[item]);

	return x < 0 ? 0 : (unsigned long)x;
}

#define global_node_page_state(item) node_page_state(&contig_page_data, item)
KMEM_API unsigned long global_zone_page_state(enum zone_stat_item item);

#endif
