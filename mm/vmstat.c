// SPDX-License-Identifier: MIT
/*
 * The VM counters: their names, as /proc/zoneinfo and /proc/vmstat print them,
 * and the per-CPU deltas of the zone counters.
 *
 * 1. Why per-CPU deltas
 *    Every allocation counts NUMA_HIT and NUMA_LOCAL. An atomic add on the
 *    zone's counter from every CPU makes its cache line bounce between CPUs
 *    (and a locked add costs ~20 cycles even when it does not). As the kernel
 *    does, each CPU keeps a small signed delta per counter and per zone
 *    (struct per_cpu_zonestat, inside the CPU's per_cpu_pages) and adds it to
 *    zone->vm_stat only when it would pass the zone's stat_threshold.
 *
 * 2. The threshold (the kernel's calculate_normal_threshold)
 *    2 * fls(online CPUs) * (1 + fls(managed pages in units of 128 MiB)), at
 *    most 125 (a delta fits in an s8). Set at boot once managed pages are
 *    known; /proc/zoneinfo prints the value the CPUs use ("vm stats
 *    threshold"). The folded value lags the truth by at most threshold pages
 *    per CPU and counter.
 *
 * 3. Locking
 *    The kernel updates a delta with interrupts off on its CPU. Here several
 *    host threads may run on one simulated CPU, so a (zone, CPU) delta is
 *    protected by that CPU's pcp->lock of the zone, which the allocation fast
 *    path holds anyway: there the update is a plain add, no atomic. The fold
 *    is an atomic add to zone->vm_stat (CPUs fold concurrently).
 *    mod_zone_page_state() takes the lock; pcp->lock ranks above zone->lock,
 *    so it must not be called under zone->lock (the page allocator's
 *    NR_FREE_PAGES updates, made under zone->lock, go straight to the
 *    atomic: they are exact).
 *
 * 4. Readers
 *    zone_page_state() reads the folded value, as the kernel's. Exact readers
 *    call refresh_vm_stats() first (the /proc views do, standing in for the
 *    kernel's vmstat worker that folds every second; so do
 *    kmem_free_pages_drained() and the tests) or read
 *    zone_page_state_snapshot().
 */
#include <linux/kernel.h>
#include <linux/mmzone.h>
#include <linux/smp.h>
#include "mm/internal.h"

atomic_long_t nr_vmalloc_pages;
atomic_long_t nr_swap_pages;
atomic_long_t total_swap_pages;

const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
	"nr_free_pages",
	"nr_free_pages_blocks",
	"nr_zone_inactive_anon",
	"nr_zone_active_anon",
	"nr_zone_inactive_file",
	"nr_zone_active_file",
	"nr_zone_unevictable",
	"nr_zone_write_pending",
	"nr_mlock",
	"nr_zspages",
	"nr_free_cma",
	"numa_hit",
	"numa_miss",
	"numa_foreign",
	"numa_interleave",
	"numa_local",
	"numa_other",
};

const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS] = {
	"nr_inactive_anon",
	"nr_active_anon",
	"nr_inactive_file",
	"nr_active_file",
	"nr_unevictable",
	"nr_slab_reclaimable",
	"nr_slab_unreclaimable",
	"nr_isolated_anon",
	"nr_isolated_file",
	"workingset_nodes",
	"workingset_refault_anon",
	"workingset_refault_file",
	"workingset_activate_anon",
	"workingset_activate_file",
	"workingset_restore_anon",
	"workingset_restore_file",
	"workingset_nodereclaim",
	"nr_anon_pages",
	"nr_mapped",
	"nr_file_pages",
	"nr_dirty",
	"nr_writeback",
	"nr_shmem",
	"nr_shmem_hugepages",
	"nr_shmem_pmdmapped",
	"nr_file_hugepages",
	"nr_file_pmdmapped",
	"nr_anon_transparent_hugepages",
	"nr_vmscan_write",
	"nr_vmscan_immediate_reclaim",
	"nr_dirtied",
	"nr_written",
	"nr_throttled_written",
	"nr_kernel_misc_reclaimable",
	"nr_foll_pin_acquired",
	"nr_foll_pin_released",
	"nr_kernel_stack",
	"nr_page_table_pages",
	"nr_sec_page_table_pages",
	"nr_iommu_pages",
	"nr_swapcached",
	"pgpromote_success",
	"pgpromote_candidate",
	"pgpromote_candidate_nrl",
	"pgdemote_kswapd",
	"pgdemote_direct",
	"pgdemote_khugepaged",
	"pgdemote_proactive",
	"nr_hugetlb",
	"nr_balloon_pages",
	"nr_kernel_file_pages",
};

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

/* ---- per-CPU deltas of the zone counters ---------------------------------- */

int zone_stat_threshold(const struct zone *zone)
{
	unsigned long mem = zone_managed_pages(zone) >> (27 - PAGE_SHIFT);
	int threshold = 2 * fls((int)num_online_cpus()) * (1 + fls((int)mem));

	return min(threshold, 125);
}

void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item,
			   long delta)
{
	pcp_mod_zone_stat(&zone->per_cpu_pageset[raw_smp_processor_id()], zone,
			  item, delta);
}

void mod_zone_page_state(struct zone *zone, enum zone_stat_item item,
			 long delta)
{
	struct per_cpu_pages *pcp;

	if (unlikely(!zone->per_cpu_pageset)) {
		/* Before boot or after halt: no CPU data. */
		atomic_long_add(delta, &zone->vm_stat[item]);
		return;
	}
	pcp = &zone->per_cpu_pageset[raw_smp_processor_id()];
	spin_lock(&pcp->lock);
	pcp_mod_zone_stat(pcp, zone, item, delta);
	spin_unlock(&pcp->lock);
}

unsigned long zone_page_state_snapshot(const struct zone *zone,
				       enum zone_stat_item item)
{
	long x = atomic_long_read(&zone->vm_stat[item]);
	int cpu;

	if (zone->per_cpu_pageset)
		for_each_online_cpu(cpu)
			x += READ_ONCE(zone->per_cpu_pageset[cpu]
					       .zstats.vm_stat_diff[item]);
	return x < 0 ? 0 : (unsigned long)x;
}

/* The kernel's cpu_vm_stats_fold(): move one CPU's deltas into the zones. */
void cpu_vm_stats_fold(int cpu)
{
	struct zone *zone;
	int i;

	for_each_zone(zone) {
		struct per_cpu_pages *pcp;

		if (!zone->per_cpu_pageset)
			continue;
		pcp = &zone->per_cpu_pageset[cpu];
		spin_lock(&pcp->lock);
		for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
			s8 v = pcp->zstats.vm_stat_diff[i];

			if (v) {
				atomic_long_add(v, &zone->vm_stat[i]);
				pcp->zstats.vm_stat_diff[i] = 0;
			}
		}
		spin_unlock(&pcp->lock);
	}
}

void refresh_vm_stats(void)
{
	int cpu;

	for_each_online_cpu(cpu)
		cpu_vm_stats_fold(cpu);
}

void setup_vm_stat_thresholds(void)
{
	struct zone *zone;
	int cpu;

	for_each_zone(zone) {
		int t = zone_stat_threshold(zone);

		if (!zone->per_cpu_pageset)
			continue;
		for_each_online_cpu(cpu) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

			spin_lock(&pcp->lock);
			pcp->zstats.stat_threshold = (s8)t;
			spin_unlock(&pcp->lock);
		}
	}
}
