// SPDX-License-Identifier: MIT
/*
 * Memory initialisation, as the kernel's mm/mm_init.c (with memblock_free_all()
 * of mm/memblock.c): mm_core_init()'s part of boot.
 *
 * page_alloc_init() hands the e820 RAM to memblock and reserves the first MiB,
 * places mem_map and the zero page, initialises every zone (free lists,
 * pageblock types, per-CPU lists) and every struct page (reserved, in its
 * zone), then gives each unreserved block to the buddy allocator and sets up
 * the watermarks, reserves and per-CPU batches (mm/page_alloc.c).
 * page_alloc_exit() undoes it at halt.
 *
 * Locking: runs under the boot lock (init/main.c) before any other thread
 * can see the machine; zone->lock is taken only to free into the buddy lists.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include "arch/x86/machine.h"
#include "mm/internal.h"
#include "mm/page_debug.h"
#include "lib/stackdepot.h"

static void init_zone(struct zone *zone, enum zone_type idx)
{
	unsigned long start = machine.zone_start_pfn[idx];
	unsigned long end = machine.zone_end_pfn[idx];
	unsigned long nblocks, pfn;
	unsigned int o;
	int mt, cpu;

	memset(zone, 0, sizeof(*zone));
	zone->name = zone_names[idx];
	zone->idx = (int)idx;
	spin_lock_init(&zone->lock);
	lockdep_set_rank(&zone->lock, LOCK_RANK_ZONE);
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[mt]);
	if (end > start) {
		zone->zone_start_pfn = start;
		zone->spanned_pages = end - start;
		for (pfn = start; pfn < end; pfn++)
			if (memblock_is_memory(PFN_PHYS(pfn)))
				zone->present_pages++;
	} else {
		/* Empty zones sit at the end of the previous one, like the
		 * kernel's (start_pfn is not printed for them). */
		zone->zone_start_pfn = 0;
	}
	nblocks = zone->spanned_pages ? ((end - 1) >> pageblock_order) -
						(start >> pageblock_order) + 1 :
					1;
	zone->pageblock_mt = malloc(nblocks);
	memset(zone->pageblock_mt, MIGRATE_MOVABLE, nblocks);
	/* Each CPU's per_cpu_pages on its own cache lines (the struct is
	 * aligned; calloc would not align the array). */
	zone->per_cpu_pageset = aligned_alloc(
		PCP_CACHELINE_BYTES, nr_cpu_ids * sizeof(struct per_cpu_pages));
	if (!zone->per_cpu_pageset)
		abort();
	memset(zone->per_cpu_pageset, 0,
	       nr_cpu_ids * sizeof(struct per_cpu_pages));
	for_each_online_cpu(cpu) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		unsigned int i;

		spin_lock_init(&pcp->lock);
		lockdep_set_rank(&pcp->lock, LOCK_RANK_PCP);
		for (i = 0; i < NR_PCP_LISTS; i++)
			INIT_LIST_HEAD(&pcp->lists[i]);
	}
}

/* Give every non-reserved page of RAM to the buddy allocator. */
static void memblock_free_all(void)
{
	unsigned long pfn;

	for (pfn = 0; pfn < max_pfn;) {
		struct page *page = pfn_to_page(pfn);
		struct zone *zone = page_zone(page);
		unsigned int order;

		if (!PageReserved(page) ||
		    memblock_is_reserved(PFN_PHYS(pfn)) ||
		    !memblock_is_memory(PFN_PHYS(pfn)) ||
		    !zone_spans_pfn(zone, pfn)) {
			pfn++;
			continue;
		}
		/* The largest aligned block of free, unreserved frames of one
		 * zone starting here. */
		for (order = MAX_PAGE_ORDER;; order--) {
			unsigned long n = 1UL << order, i;
			bool ok = !(pfn & (n - 1)) &&
				  zone_spans_pfn(zone, pfn + n - 1);

			for (i = 0; ok && i < n; i++)
				ok = memblock_is_memory(PFN_PHYS(pfn + i)) &&
				     !memblock_is_reserved(PFN_PHYS(pfn + i));
			if (ok || !order)
				break;
		}
		{
			unsigned long n = 1UL << order, i;
			bool whole = memblock_is_untouched(PFN_PHYS(pfn),
							   PFN_PHYS(n));

			for (i = 0; i < n; i++) {
				ClearPageReserved(page + i);
				atomic_set(&page[i]._refcount, 0);
				/* never handed out by memblock: still a hole
				 * of the fresh RAM memfd, zeroes */
				if (whole ||
				    memblock_is_untouched(PFN_PHYS(pfn + i),
							  PAGE_SIZE))
					page[i].flags |= PAGE_ZEROES;
			}
			atomic_long_add((long)n, &zone->managed_pages);
			__free_pages_core(page, order);
			pfn += n;
		}
	}
}

static struct kmem_hook page_alloc_check_hook = {
	"page_alloc", (const void *)page_alloc_check
};

int page_alloc_init(void)
{
	pg_data_t *pgdat = &contig_page_data;
	phys_addr_t mm_phys, zp;
	unsigned long pfn, mem_map_bytes;
	int i, z;

	memblock_reset();
	for (i = 0; i < machine.nr_e820; i++)
		memblock_add(machine.e820[i].start,
			     machine.e820[i].end - machine.e820[i].start);
	/* Linux reserves the first MiB on x86 (BIOS, real-mode trampolines). */
	memblock_reserve(0, 0x100000);

	mem_map_bytes = ALIGN(max_pfn * sizeof(struct page), PAGE_SIZE);
	mm_phys = memblock_phys_alloc(mem_map_bytes, PAGE_SIZE,
				      (phys_addr_t)max_low_pfn << PAGE_SHIFT);
	if (!mm_phys) {
		pr_err("kmem: no room for mem_map (%lu bytes)\n",
		       mem_map_bytes);
		return -ENOMEM;
	}
	mem_map = __va(mm_phys);
	zp = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE,
				 (phys_addr_t)max_low_pfn << PAGE_SHIFT);

	memset(pgdat, 0, sizeof(*pgdat));
	zones_in_layout =
		machine.layout == KMEM_LAYOUT_X86_32 ?
			(1u << ZONE_DMA) | (1u << ZONE_NORMAL) |
				(1u << ZONE_HIGHMEM) | (1u << ZONE_MOVABLE) :
			(1u << ZONE_DMA) | (1u << ZONE_DMA32) |
				(1u << ZONE_NORMAL) | (1u << ZONE_MOVABLE) |
				(1u << ZONE_DEVICE);
	for (z = 0; z < MAX_NR_ZONES; z++)
		init_zone(&pgdat->node_zones[z], (enum zone_type)z);

	/* Every struct page starts reserved, in its zone. */
	memset(mem_map, 0, max_pfn * sizeof(struct page));
	for (pfn = 0; pfn < max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);
		unsigned long zidx = ZONE_DMA;

		for (z = 0; z < MAX_NR_ZONES; z++)
			if (pfn >= machine.zone_start_pfn[z] &&
			    pfn < machine.zone_end_pfn[z])
				zidx = (unsigned long)z;
		page->flags = (zidx << ZONES_PGSHIFT) |
			      ((unsigned long)KMEM_OWNER_RESERVED
			       << KMEM_OWNER_PGSHIFT) |
			      (1UL << PG_reserved);
		page->page_type = PAGE_TYPE_NONE;
		atomic_set(&page->_refcount, 1);
		INIT_LIST_HEAD(&page->lru);
	}
	if (zp) {
		zero_page = pfn_to_page(PHYS_PFN(zp));
		memset(__va(zp), 0, PAGE_SIZE);
		set_page_owner_tag(zero_page, 1, KMEM_OWNER_ZERO);
	}
	/* The percpu first chunk is taken from memblock before the buddy
	 * allocator gets the rest (start_kernel's setup_per_cpu_areas()
	 * precedes mm_core_init()): it is not part of MemTotal. */
	if (setup_per_cpu_areas())
		return -ENOMEM;
	page_debug_init(); /* page_ext is reserved from memblock */
	memblock_free_all();
	page_debug_init_late();
	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		pgdat->node_present_pages += zone->present_pages;
		pgdat->node_spanned_pages += zone->spanned_pages;
	}
	pgdat->nr_zones = MAX_NR_ZONES;
	init_per_zone_wmark_min();
	setup_per_cpu_pageset();
	setup_vm_stat_thresholds();
	kmem_hook_register(&kmem_checkers, &page_alloc_check_hook);
	return 0;
}

void page_alloc_exit(void)
{
	kmem_hook_unregister(&kmem_checkers, &page_alloc_check_hook);
	struct zone *zone;

	for_each_zone(zone) {
		free(zone->pageblock_mt);
		free(zone->per_cpu_pageset);
		zone->pageblock_mt = NULL;
		zone->per_cpu_pageset = NULL;
	}
	memset(&contig_page_data, 0, sizeof(contig_page_data));
	zero_page = NULL;
	page_debug_exit();
	stack_depot_exit(); /* page_owner's and slab_debug's stacks */
	shrinkers_reset();
}
