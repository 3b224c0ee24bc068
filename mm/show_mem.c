// SPDX-License-Identifier: MIT
/*
 * show_free_areas(), the kernel's __show_mem() (mm/show_mem.c): the
 * "Mem-Info:" dump printed after an allocation failure and by the OOM
 * killer. Reads the counters and takes each zone->lock to walk its lists.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include "mm/internal.h"

static unsigned long pcp_pages_all(void)
{
	struct zone *zone;
	unsigned long n = 0;

	for_each_populated_zone(zone)
		n += zone_pcp_pages(zone);
	return n;
}

/* show_migration_types(): the types with free blocks of one order, as the
 * kernel's letters (U)nmovable (M)ovable r(E)claimable (H)ighAtomic (I)solate. */
static void show_migration_types(unsigned int types)
{
	static const char letters[MIGRATE_TYPES] = { 'U', 'M', 'E', 'H', 'I' };
	char tmp[MIGRATE_TYPES + 1], *p = tmp;
	int i;

	for (i = 0; i < MIGRATE_TYPES; i++)
		if (types & (1u << i))
			*p++ = letters[i];
	*p = 0;
	pr_cont("(%s) ", tmp);
}

#define NODE_KB(item) (global_node_page_state(item) << (PAGE_SHIFT - 10))
#define ZONE_KB(zone, item) (zone_page_state(zone, item) << (PAGE_SHIFT - 10))

/*
 * The kernel's __show_mem(): "Mem-Info:", the global counters, the node, each
 * zone's watermarks and lowmem_reserve, each zone's free blocks by order with
 * their migrate types, swap, and the page totals. Printed after an allocation
 * failure (and by the OOM killer).
 */
void show_free_areas(void)
{
	struct zone *zone;
	unsigned long present = 0, managed = 0, highmem = 0;
	unsigned int o;
	int z, cpu;

	pr_warn("Mem-Info:\n");
	pr_warn("active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n"
		" active_file:%lu inactive_file:%lu isolated_file:%lu\n"
		" unevictable:%lu dirty:%lu writeback:%lu\n"
		" slab_reclaimable:%lu slab_unreclaimable:%lu\n"
		" mapped:%lu shmem:%lu pagetables:%lu\n"
		" sec_pagetables:%lu bounce:0\n"
		" kernel_misc_reclaimable:%lu\n"
		" free:%lu free_pcp:%lu free_cma:0\n",
		global_node_page_state(NR_ACTIVE_ANON),
		global_node_page_state(NR_INACTIVE_ANON),
		global_node_page_state(NR_ISOLATED_ANON),
		global_node_page_state(NR_ACTIVE_FILE),
		global_node_page_state(NR_INACTIVE_FILE),
		global_node_page_state(NR_ISOLATED_FILE),
		global_node_page_state(NR_UNEVICTABLE),
		global_node_page_state(NR_FILE_DIRTY),
		global_node_page_state(NR_WRITEBACK),
		global_node_page_state(NR_SLAB_RECLAIMABLE),
		global_node_page_state(NR_SLAB_UNRECLAIMABLE),
		global_node_page_state(NR_FILE_MAPPED),
		global_node_page_state(NR_SHMEM),
		global_node_page_state(NR_PAGETABLE),
		global_node_page_state(NR_SECONDARY_PAGETABLE),
		global_node_page_state(NR_KERNEL_MISC_RECLAIMABLE),
		global_zone_page_state(NR_FREE_PAGES), pcp_pages_all());
	pr_warn("Node 0 active_anon:%lukB inactive_anon:%lukB active_file:%lukB "
		"inactive_file:%lukB unevictable:%lukB isolated(anon):%lukB "
		"isolated(file):%lukB mapped:%lukB dirty:%lukB writeback:%lukB "
		"shmem:%lukB writeback_tmp:0kB kernel_stack:%lukB pagetables:%lukB "
		"sec_pagetables:%lukB all_unreclaimable? no Balloon:%lukB\n",
		NODE_KB(NR_ACTIVE_ANON), NODE_KB(NR_INACTIVE_ANON),
		NODE_KB(NR_ACTIVE_FILE), NODE_KB(NR_INACTIVE_FILE),
		NODE_KB(NR_UNEVICTABLE), NODE_KB(NR_ISOLATED_ANON),
		NODE_KB(NR_ISOLATED_FILE), NODE_KB(NR_FILE_MAPPED),
		NODE_KB(NR_FILE_DIRTY), NODE_KB(NR_WRITEBACK),
		NODE_KB(NR_SHMEM), global_node_page_state(NR_KERNEL_STACK_KB),
		NODE_KB(NR_PAGETABLE), NODE_KB(NR_SECONDARY_PAGETABLE),
		NODE_KB(NR_BALLOON_PAGES));
	for_each_populated_zone(zone) {
		unsigned long local = 0;

		cpu = raw_smp_processor_id();
		if (cpu >= 0 && (unsigned int)cpu < nr_cpu_ids)
			local = (unsigned long)READ_ONCE(
				zone->per_cpu_pageset[cpu].count);
		pr_warn("Node 0 %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB "
			"reserved_highatomic:0KB free_highatomic:0KB active_anon:%lukB "
			"inactive_anon:%lukB active_file:%lukB inactive_file:%lukB "
			"unevictable:%lukB writepending:%lukB present:%lukB managed:%lukB "
			"mlocked:%lukB bounce:0kB free_pcp:%lukB local_pcp:%lukB free_cma:0kB\n",
			zone->name, ZONE_KB(zone, NR_FREE_PAGES),
			zone->watermark_boost << 2, min_wmark_pages(zone) << 2,
			low_wmark_pages(zone) << 2, high_wmark_pages(zone) << 2,
			ZONE_KB(zone, NR_ZONE_ACTIVE_ANON),
			ZONE_KB(zone, NR_ZONE_INACTIVE_ANON),
			ZONE_KB(zone, NR_ZONE_ACTIVE_FILE),
			ZONE_KB(zone, NR_ZONE_INACTIVE_FILE),
			ZONE_KB(zone, NR_ZONE_UNEVICTABLE),
			ZONE_KB(zone, NR_ZONE_WRITE_PENDING),
			zone->present_pages << 2, zone_managed_pages(zone) << 2,
			ZONE_KB(zone, NR_MLOCK), zone_pcp_pages(zone) << 2,
			local << 2);
		printk(KERN_WARNING "lowmem_reserve[]:");
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (zone_exists((enum zone_type)z))
				pr_cont(" %ld", zone->lowmem_reserve[z]);
		pr_cont("\n");
	}
	for_each_populated_zone(zone) {
		unsigned long nr[NR_PAGE_ORDERS], total = 0;
		unsigned int types[NR_PAGE_ORDERS];
		int mt;

		spin_lock(&zone->lock);
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			nr[o] = zone->free_area[o].nr_free;
			total += nr[o] << o;
			types[o] = 0;
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				if (!list_empty(
					    &zone->free_area[o].free_list[mt]))
					types[o] |= 1u << mt;
		}
		spin_unlock(&zone->lock);
		printk(KERN_WARNING "Node 0 %s: ", zone->name);
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			pr_cont("%lu*%lukB ", nr[o], 4UL << o);
			if (nr[o])
				show_migration_types(types[o]);
		}
		pr_cont("= %lukB\n", total << 2);
		present += zone->present_pages;
		managed += zone_managed_pages(zone);
		if (is_highmem(zone) || zone->idx == ZONE_MOVABLE)
			highmem += zone->present_pages;
	}
	pr_warn("Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB\n");
	pr_warn("%lu total pagecache pages\n",
		global_node_page_state(NR_FILE_PAGES));
	pr_warn("%lu pages in swap cache\n",
		global_node_page_state(NR_SWAPCACHE));
	pr_warn("Free swap  = %ldkB\n", atomic_long_read(&nr_swap_pages) << 2);
	pr_warn("Total swap = %lukB\n",
		(unsigned long)atomic_long_read(&total_swap_pages) << 2);
	pr_warn("%lu pages RAM\n", present);
	pr_warn("%lu pages HighMem/MovableOnly\n", highmem);
	pr_warn("%lu pages reserved\n", present - managed);
}
