// SPDX-License-Identifier: MIT
/*
 * Debugging the page allocator, as the kernel's mm/debug.c: the GFP flag
 * names that %pGg prints (and the trace parser reads back), the page owner
 * tags' names that the checkers and `kmem map` print, and the buddy
 * allocator's invariant checker (page_alloc_check(), registered by
 * mm/mm_init.c with the other checkers of kmem_check_invariants()).
 *
 * The tables have no state and no locks. The checker takes each zone's
 * lock for its free lists and owner tags, then each CPU's pcp lock for the
 * counter deltas, one at a time; it reads and never repairs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/gfp_types.h>
#include <linux/page-flags.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/spinlock.h>
#include "mm/internal.h"

/* The owner tags' names, as tools/mm/page-types names the page kinds. */
const char *const page_owner_names[KMEM_NR_OWNERS] = {
	"pages",   "free",    "pcp",  "reserved", "slab",      "large_kmalloc",
	"vmalloc", "pgtable", "anon", "zero",	  "swapcache", "kernel_stack"
};

/* GFP names, most specific composite first, as the kernel's show_gfp_flags. */
static const struct {
	unsigned int mask;
	const char *name;
} gfp_names[] = {
	{ GFP_TRANSHUGE, "GFP_TRANSHUGE" },
	{ GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ GFP_DMA, "GFP_DMA" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ GFP_DMA32, "GFP_DMA32" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ __GFP_WRITE, "__GFP_WRITE" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_ZEROTAGS, "__GFP_ZEROTAGS" },
	{ __GFP_SKIP_ZERO, "__GFP_SKIP_ZERO" },
	{ __GFP_SKIP_KASAN, "__GFP_SKIP_KASAN" },
	{ __GFP_NOLOCKDEP, "__GFP_NOLOCKDEP" },
	{ __GFP_NO_OBJ_EXT, "__GFP_NO_OBJ_EXT" },
};

char *kmem_format_gfp(unsigned int gfp, char *buf, size_t len)
{
	size_t pos = 0, i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(gfp_names) && gfp; i++) {
		if ((gfp & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		gfp &= ~gfp_names[i].mask;
		pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0,
					"%s%s", pos ? "|" : "",
					gfp_names[i].name);
	}
	if (gfp)
		pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0,
					"%s%#x", pos ? "|" : "", gfp);
	if (!pos)
		snprintf(buf, len, "0");
	return buf;
}

int kmem_parse_gfp(const char *s, unsigned int *out)
{
	unsigned int gfp = 0;
	char name[64];
	size_t i, n;

	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		n = strcspn(s, "|");
		if (n == 0 || n >= sizeof(name))
			return -EINVAL;
		memcpy(name, s, n);
		name[n] = '\0';
		if (name[0] >= '0' && name[0] <= '9') {
			gfp |= (unsigned int)strtoul(name, NULL, 0);
		} else {
			for (i = 0; i < ARRAY_SIZE(gfp_names); i++)
				if (!strcmp(name, gfp_names[i].name))
					break;
			if (i == ARRAY_SIZE(gfp_names))
				return -EINVAL;
			gfp |= gfp_names[i].mask;
		}
		s += n;
		if (*s == '|')
			s++;
	}
	*out = gfp;
	return 0;
}

/* ---- invariant checker ------------------------------------------------------------- */

bool page_alloc_check(void)
{
	struct zone *zone;
	bool ok = true;

	if (!mem_map)
		return true;
	for_each_populated_zone(zone) {
		unsigned long free_pages = 0, owned = 0;
		unsigned long end = zone->zone_start_pfn + zone->spanned_pages,
			      pfn;
		unsigned int o;
		int mt, cpu;

		spin_lock(&zone->lock);
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			unsigned long n = 0;

			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct page *page;

				list_for_each_entry(
					page, &zone->free_area[o].free_list[mt],
					lru) {
					unsigned long p = page_to_pfn(page);
					unsigned long b = p ^ (1UL << o);

					n++;
					if (!PageBuddy(page) ||
					    page->private != o) {
						pr_err("kmem: check: pfn %#lx on the order-%u list is not a free block of order %u\n",
						       p, o, o);
						ok = false;
					}
					if (p & ((1UL << o) - 1)) {
						pr_err("kmem: check: pfn %#lx misaligned for order %u\n",
						       p, o);
						ok = false;
					}
					if (page_zone(page) != zone) {
						pr_err("kmem: check: pfn %#lx on a list of the wrong zone\n",
						       p);
						ok = false;
					}
					if (o < MAX_PAGE_ORDER &&
					    zone_spans_pfn(zone, b) &&
					    PageBuddy(pfn_to_page(b)) &&
					    pfn_to_page(b)->private == o) {
						pr_err("kmem: check: free buddies %#lx and %#lx (order %u) not merged\n",
						       p, b, o);
						ok = false;
					}
				}
			}
			if (n != zone->free_area[o].nr_free) {
				pr_err("kmem: check: zone %s order %u: nr_free %lu but %lu blocks listed\n",
				       zone->name, o,
				       zone->free_area[o].nr_free, n);
				ok = false;
			}
			free_pages += n << o;
		}
		if (free_pages != zone_page_state(zone, NR_FREE_PAGES)) {
			pr_err("kmem: check: zone %s: NR_FREE_PAGES %lu but %lu pages listed\n",
			       zone->name, zone_page_state(zone, NR_FREE_PAGES),
			       free_pages);
			ok = false;
		}
		/* Every managed frame has one owner: count the tags. A block on
		 * two lists would be counted twice above and disagree here. */
		for (pfn = zone->zone_start_pfn; pfn < end; pfn++) {
			struct page *page = pfn_to_page(pfn);

			if (page_owner(page) == KMEM_OWNER_FREE)
				owned++;
		}
		spin_unlock(&zone->lock);
		if (owned != free_pages) {
			pr_err("kmem: check: zone %s: %lu frames tagged free but %lu on the lists\n",
			       zone->name, owned, free_pages);
			ok = false;
		}
		/* Every CPU uses the zone's threshold and holds its deltas
		 * within it (a larger one would have been folded). */
		for_each_online_cpu(cpu) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
			int t = zone_stat_threshold(zone), i;

			spin_lock(&pcp->lock);
			if (pcp->zstats.stat_threshold != t) {
				pr_err("kmem: check: zone %s cpu %d: vm stat threshold %d, expected %d\n",
				       zone->name, cpu,
				       pcp->zstats.stat_threshold, t);
				ok = false;
			}
			for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
				int d = pcp->zstats.vm_stat_diff[i];

				if (d > t || d < -t) {
					pr_err("kmem: check: zone %s cpu %d: %s delta %d passes the threshold %d\n",
					       zone->name, cpu,
					       zone_stat_names[i], d, t);
					ok = false;
				}
			}
			spin_unlock(&pcp->lock);
		}
	}
	{
		unsigned long counts[KMEM_NR_OWNERS],
			managed = totalram_pages(), sum = 0;
		int i;

		page_owner_counts(counts);
		for (i = 0; i < KMEM_NR_OWNERS; i++)
			if (i != KMEM_OWNER_RESERVED)
				sum += counts[i];
		/* Managed frames = all owners but boot reservations; the zero
		 * page is a reservation with its own tag. */
		sum -= counts[KMEM_OWNER_ZERO];
		if (sum != managed) {
			pr_err("kmem: check: owners add up to %lu pages, managed is %lu\n",
			       sum, managed);
			for (i = 0; i < KMEM_NR_OWNERS; i++)
				pr_err("kmem: check:   %-14s %lu\n",
				       page_owner_names[i], counts[i]);
			ok = false;
		}
	}
	return ok;
}
