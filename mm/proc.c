// SPDX-License-Identifier: MIT
/*
 * /proc/buddyinfo, /proc/zoneinfo and /proc/pagetypeinfo, in the formats of
 * the kernel's mm/vmstat.c (compared line by line with the Linux 6.18
 * snapshots in tests/unit/proc_views.c).
 *
 * Which zones are printed: buddyinfo and pagetypeinfo walk the populated
 * zones only; zoneinfo walks every zone the layout has (x86-64: DMA, DMA32,
 * Normal, Movable, Device; x86-32: DMA, Normal, HighMem, Movable), and prints
 * an empty zone up to its protection line, as the kernel does. The
 * "protection" array has one entry per zone of the layout, because the
 * kernel's lowmem_reserve[] has MAX_NR_ZONES entries and MAX_NR_ZONES is the
 * number of zones the configuration has.
 *
 * Locking: the free counts are read under zone->lock (zone_free_counts*), the
 * counters are atomics; a view is a snapshot of each zone at slightly
 * different times, as in the kernel.
 */
#include <stdio.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/smp.h>
#include <kmem/show.h>
#include "mm/internal.h"

static bool zone_in_layout(const struct zone *zone)
{
	return zones_in_layout & (1u << zone->idx);
}

/* ---- /proc/buddyinfo ---------------------------------------------------- */

static int buddyinfo_show(const char *name, FILE *f)
{
	unsigned long counts[NR_PAGE_ORDERS];
	struct zone *zone;
	unsigned int o;

	(void)name;
	for_each_populated_zone(zone) {
		zone_free_counts(zone, counts);
		fprintf(f, "Node %d, zone %8s ", 0, zone->name);
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			fprintf(f, "%6lu ", counts[o]);
		fputc('\n', f);
	}
	return 0;
}

/* ---- /proc/pagetypeinfo ------------------------------------------------- */

/* The kernel stops counting a free list at 100000 blocks and prints ">". */
#define PAGETYPE_COUNT_LIMIT 100000UL

static void pageblock_counts(struct zone *zone,
			     unsigned long count[MIGRATE_TYPES])
{
	unsigned long pfn, end = zone->zone_start_pfn + zone->spanned_pages;
	int mt;

	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		count[mt] = 0;
	/* Every pageblock that starts in the zone, beginning with the one
	 * holding the zone's first frame (the kernel rounds start_pfn down). */
	for (pfn = ALIGN_DOWN(zone->zone_start_pfn, pageblock_nr_pages);
	     pfn < end; pfn += pageblock_nr_pages) {
		unsigned long p = max(pfn, zone->zone_start_pfn);

		count[get_pageblock_migratetype(pfn_to_page(p))]++;
	}
}

static int pagetypeinfo_show(const char *name, FILE *f)
{
	unsigned long counts[NR_PAGE_ORDERS], blocks[MIGRATE_TYPES];
	struct zone *zone;
	unsigned int o;
	int mt;

	(void)name;
	fprintf(f, "Page block order: %d\n", pageblock_order);
	fprintf(f, "Pages per block:  %lu\n", pageblock_nr_pages);
	fputc('\n', f);

	fprintf(f, "%-43s ", "Free pages count per migrate type at order");
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		fprintf(f, "%6u ", o);
	fputc('\n', f);
	for_each_populated_zone(zone) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			zone_free_counts_mt(zone, mt, counts);
			fprintf(f, "Node %4d, zone %8s, type %12s ", 0,
				zone->name, migratetype_names[mt]);
			for (o = 0; o < NR_PAGE_ORDERS; o++) {
				bool over = counts[o] >= PAGETYPE_COUNT_LIMIT;

				fprintf(f, "%s%6lu ", over ? ">" : "",
					over ? PAGETYPE_COUNT_LIMIT :
					       counts[o]);
			}
			fputc('\n', f);
		}
	}

	fprintf(f, "\n%-23s", "Number of blocks type ");
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		fprintf(f, "%12s ", migratetype_names[mt]);
	fputc('\n', f);
	for_each_populated_zone(zone) {
		spin_lock(&zone->lock);
		pageblock_counts(zone, blocks);
		spin_unlock(&zone->lock);
		fprintf(f, "Node %d, zone %8s ", 0, zone->name);
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			fprintf(f, "%12lu ", blocks[mt]);
		fputc('\n', f);
	}
	return 0;
}

/* ---- /proc/zoneinfo ------------------------------------------------------- */

static int first_populated_zone(void)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		return zone->idx;
	return -1;
}

/*
 * node_unreclaimable is the kernel's "kswapd failed MAX_RECLAIM_RETRIES times
 * in a row"; kmem has no kswapd (reclaim is direct only), so it is always 0.
 */
static void zoneinfo_show_zone(FILE *f, struct zone *zone)
{
	pg_data_t *pgdat = &contig_page_data;
	bool first = true;
	int i, cpu;

	fprintf(f, "Node %d, zone %8s", 0, zone->name);
	if (zone->idx == first_populated_zone()) {
		fprintf(f, "\n  per-node stats");
		for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
			fprintf(f, "\n      %-12s %lu", node_stat_names[i],
				node_page_state(pgdat, (enum node_stat_item)i));
	}
	fprintf(f,
		"\n  pages free     %lu"
		"\n        boost    %lu"
		"\n        min      %lu"
		"\n        low      %lu"
		"\n        high     %lu"
		"\n        promo    %lu"
		"\n        spanned  %lu"
		"\n        present  %lu"
		"\n        managed  %lu"
		"\n        cma      %lu",
		zone_page_state(zone, NR_FREE_PAGES), zone->watermark_boost,
		min_wmark_pages(zone), low_wmark_pages(zone),
		high_wmark_pages(zone), wmark_pages(zone, WMARK_PROMO),
		zone->spanned_pages, zone->present_pages,
		zone_managed_pages(zone), 0UL);
	fprintf(f, "\n        protection: (");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		if (!(zones_in_layout & (1u << i)))
			continue;
		fprintf(f, "%s%ld", first ? "" : ", ", zone->lowmem_reserve[i]);
		first = false;
	}
	fputc(')', f);
	if (!populated_zone(zone)) {
		fputc('\n', f);
		return;
	}
	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		fprintf(f, "\n      %-12s %lu", zone_stat_names[i],
			zone_page_state(zone, (enum zone_stat_item)i));
	fprintf(f, "\n  pagesets");
	for_each_online_cpu(cpu) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		fprintf(f,
			"\n    cpu: %i"
			"\n              count:    %i"
			"\n              high:     %i"
			"\n              batch:    %i"
			"\n              high_min: %i"
			"\n              high_max: %i",
			cpu, READ_ONCE(pcp->count), READ_ONCE(pcp->high),
			pcp->batch, pcp->high_min, pcp->high_max);
		fprintf(f, "\n  vm stats threshold: %d",
			READ_ONCE(pcp->zstats.stat_threshold));
	}
	fprintf(f,
		"\n  node_unreclaimable:  %u"
		"\n  start_pfn:           %lu",
		0u, zone->zone_start_pfn);
	fputc('\n', f);
}

static int zoneinfo_show(const char *name, FILE *f)
{
	struct zone *zone;

	(void)name;
	/* The kernel's vmstat worker folds the per-CPU deltas every second;
	 * kmem has no worker, so the view folds them (mm/vmstat.c). */
	refresh_vm_stats();
	for_each_zone(zone)
		if (zone_in_layout(zone))
			zoneinfo_show_zone(f, zone);
	return 0;
}

static const struct kmem_view buddyinfo_view = { "buddyinfo", buddyinfo_show,
						 0 };
static const struct kmem_view pagetypeinfo_view = { "pagetypeinfo",
						    pagetypeinfo_show, 0 };
static const struct kmem_view zoneinfo_view = { "zoneinfo", zoneinfo_show, 0 };

__attribute__((constructor)) static void proc_views_register(void)
{
	kmem_register_view(&buddyinfo_view);
	kmem_register_view(&pagetypeinfo_view);
	kmem_register_view(&zoneinfo_view);
}

KMEM_LINK_ANCHOR(proc);
