// SPDX-License-Identifier: MIT
/*
 * Tour chapters: the simulated machine and the buddy page allocator.
 *   10 machine   boot a 160 MiB x86-32 machine; PAGE_OFFSET, high_memory,
 *                the 8 MiB gap before VMALLOC_START, the zones
 *   12 pages     pages from the buddy allocator: virtual and physical
 *                addresses, zones, GFP_DMA, an order-3 block
 *   14 fragment  free memory in megabytes, yet an order-1 (8 KiB) request
 *                fails; buddyinfo before and after
 *   16 reserves  GFP_NOWAIT stops at the min watermark, GFP_ATOMIC digs into
 *                the reserve down to 3/8 of it
 * Every figure is measured on the machine the chapter boots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <asm/pgtable.h>
#include <kmem/introspect.h>
#include "tools/kmem/kmem.h"

#define MiB (1UL << 20)

/* "3G+121M": an address as an offset from 0 in GiB + MiB, like the seed. */
static const char *gm(unsigned long addr, char *buf, size_t len)
{
	unsigned long g = addr >> 30, m = (addr >> 20) & 1023,
		      k = (addr >> 10) & 1023;

	if (k)
		snprintf(buf, len, "%luG+%luM+%luK", g, m, k);
	else
		snprintf(buf, len, "%luG+%luM", g, m);
	return buf;
}

/* The simulated kernel address: the host address relocated back to the real
 * PAGE_OFFSET when the machine had to move it. */
static unsigned long kaddr(const struct kmem_machine_info *info,
			   unsigned long host)
{
	const unsigned long real = info->layout == KMEM_LAYOUT_X86_32 ?
					   0xC0000000UL :
					   0xffff888000000000UL;

	return host - info->page_offset + real;
}

static int chapter_machine(struct tour *t)
{
	struct kmem_machine_info info;
	unsigned long po, hm, vs, ve;
	char b1[32], b2[32];
	struct zone *zone;

	if (tour_boot(t, 160 * MiB, KMEM_LAYOUT_X86_32, 2))
		return 1;
	kmem_machine_info(&info);
	tour_say(
		t,
		"kmem simulates a machine: its RAM is a memory file, and the kernel's "
		"direct map is a real mapping of that file, so a kernel virtual address "
		"and a physical address differ by a constant, as in Linux. This is the "
		"32-bit layout of the classic books: a 3G/1G split, and low memory "
		"mapped from PAGE_OFFSET.");
	po = kaddr(&info, info.page_offset);
	hm = kaddr(&info, info.high_memory);
	vs = kaddr(&info, info.vmalloc_start);
	ve = kaddr(&info, info.vmalloc_end);
	tour_step(t, "RAM            %llu MiB, %u CPUs", info.ram >> 20,
		  info.cpus);
	tour_step(
		t, "PAGE_OFFSET    0x%08lx  (%s)%s", po, gm(po, b1, sizeof(b1)),
		info.relocated ?
			"  [relocated in this process: host address shown below]" :
			"");
	if (info.relocated)
		tour_step(t, "               host address 0x%lx",
			  info.page_offset);
	tour_step(
		t,
		"high_memory    0x%08lx  (%s)  = PAGE_OFFSET + %lu MiB of low memory",
		hm, gm(hm, b1, sizeof(b1)), (hm - po) >> 20);
	tour_step(
		t,
		"VMALLOC_START  0x%08lx  (%s)  = high_memory + %lu MiB (the gap that catches overruns)",
		vs, gm(vs, b2, sizeof(b2)), (vs - hm) >> 20);
	tour_step(
		t,
		"VMALLOC_END    0x%08lx  (%s)  below the persistent kmap window",
		ve, gm(ve, b1, sizeof(b1)));
	tour_say(
		t,
		"The zones: ZONE_DMA is the first 16 MiB (old ISA devices can only "
		"reach those), ZONE_NORMAL the rest of low memory. ZONE_HIGHMEM would "
		"hold RAM above ~896 MiB, which this small machine does not have.");
	for_each_zone(zone) {
		if (!kmem_zone_in_layout(zone->idx))
			continue;
		if (!populated_zone(zone)) {
			tour_step(t, "%-8s empty", zone->name);
			continue;
		}
		tour_step(
			t,
			"%-8s pfn %6lu-%6lu  phys %3lu-%3lu MiB  present %6lu  managed %6lu pages",
			zone->name, zone->zone_start_pfn,
			zone->zone_start_pfn + zone->spanned_pages - 1,
			(zone->zone_start_pfn << PAGE_SHIFT) / MiB,
			((zone->zone_start_pfn + zone->spanned_pages)
			 << PAGE_SHIFT) /
				MiB,
			zone->present_pages, zone_managed_pages(zone));
	}
	tour_say(
		t,
		"present - managed is what boot kept: the first MiB (BIOS, real-mode "
		"code), the struct page array mem_map (%zu bytes per 4 KiB frame) and the "
		"zero page. The watermarks follow min_free_kbytes = sqrt(lowmem_kB * 16) "
		"= %lu kB:",
		sizeof(struct page), kmem_min_free_kbytes());
	for_each_populated_zone(zone)
		tour_step(
			t, "%-8s min %4lu  low %4lu  high %4lu pages%s",
			zone->name, min_wmark_pages(zone),
			low_wmark_pages(zone), high_wmark_pages(zone),
			zone->idx == ZONE_DMA ?
				"  (+ lowmem_reserve against Normal requests)" :
				"");
	tour_say(
		t,
		"(`kmem show zoneinfo` prints all of it in the kernel's format.)");
	return 0;
}

static int chapter_pages(struct tour *t)
{
	struct kmem_machine_info info;
	struct page *p, *d, *big;
	unsigned long a;
	char b1[32];

	kmem_machine_info(&info);
	if (!kmem_is_booted() || info.layout != KMEM_LAYOUT_X86_32) {
		if (tour_boot(t, 160 * MiB, KMEM_LAYOUT_X86_32, 2))
			return 1;
		kmem_machine_info(&info);
	}
	tour_say(
		t,
		"alloc_pages(gfp, order) returns 2^order physically contiguous frames "
		"as a struct page; page_address() is its direct-map address, and "
		"__pa() of that is the physical address: a subtraction.");
	p = alloc_pages(GFP_KERNEL, 0);
	a = __get_free_page(GFP_KERNEL);
	d = alloc_pages(GFP_KERNEL | GFP_DMA, 0);
	big = alloc_pages(GFP_KERNEL, 3);
	if (!p || !a || !d || !big)
		return 1;
	tour_step(
		t,
		"alloc_pages(GFP_KERNEL, 0)        virt 0x%08lx (%s)  phys 0x%08llx  pfn %6lu  zone %s",
		kaddr(&info, (unsigned long)page_address(p)),
		gm(kaddr(&info, (unsigned long)page_address(p)), b1,
		   sizeof(b1)),
		(unsigned long long)page_to_phys(p), page_to_pfn(p),
		page_zone(p)->name);
	tour_step(
		t,
		"__get_free_page(GFP_KERNEL)       virt 0x%08lx (%s)  phys 0x%08llx  pfn %6lu  zone %s",
		kaddr(&info, a), gm(kaddr(&info, a), b1, sizeof(b1)),
		(unsigned long long)__pa(a), PHYS_PFN(__pa(a)),
		page_zone(virt_to_page(a))->name);
	tour_step(
		t,
		"alloc_pages(GFP_DMA, 0)           virt 0x%08lx (%s)  phys 0x%08llx  pfn %6lu  zone %s",
		kaddr(&info, (unsigned long)page_address(d)),
		gm(kaddr(&info, (unsigned long)page_address(d)), b1,
		   sizeof(b1)),
		(unsigned long long)page_to_phys(d), page_to_pfn(d),
		page_zone(d)->name);
	tour_step(
		t,
		"alloc_pages(GFP_KERNEL, 3)        virt 0x%08lx (%s)  phys 0x%08llx  pfn %6lu  (pfn %% 8 = %lu: aligned to its size)",
		kaddr(&info, (unsigned long)page_address(big)),
		gm(kaddr(&info, (unsigned long)page_address(big)), b1,
		   sizeof(b1)),
		(unsigned long long)page_to_phys(big), page_to_pfn(big),
		page_to_pfn(big) % 8);
	tour_say(
		t,
		"GFP_KERNEL pages come from the top of ZONE_NORMAL, GFP_DMA ones from "
		"below 16 MiB. The page the per-CPU list hands out first is the one most "
		"recently freed there: allocation and free of single pages rarely touch "
		"the zone's buddy lists.");
	{
		unsigned long pa = page_to_pfn(p);

		__free_pages(p, 0);
		p = alloc_pages(GFP_KERNEL, 0);
		tour_step(t, "free pfn %lu, allocate again: pfn %lu (%s)", pa,
			  page_to_pfn(p),
			  page_to_pfn(p) == pa ?
				  "the same page, from the per-CPU list" :
				  "another page");
	}
	__free_pages(p, 0);
	free_page(a);
	__free_pages(d, 0);
	__free_pages(big, 3);
	return 0;
}

static unsigned long free_kb(void)
{
	return nr_free_pages() << (PAGE_SHIFT - 10);
}

static int chapter_fragment(struct tour *t)
{
	LIST_HEAD(held);
	struct page *p, *n;
	unsigned long taken = 0, freed = 0;
	bool failed;
	size_t mark;
	char line[256];

	if (tour_boot(t, 160 * MiB, KMEM_LAYOUT_X86_32, 2))
		return 1;
	kmem_pcp_enable(false);
	tour_say(
		t,
		"The buddy allocator can only hand out a block of 2^order frames if "
		"such a block is free: free memory is not enough, it must be "
		"contiguous. /proc/buddyinfo counts the free blocks of each order "
		"(4 KiB, 8 KiB, ... 4 MiB). A freshly booted machine has mostly 4 MiB "
		"blocks:");
	tour_show(t, "buddyinfo");
	/* Take every page, the reserves too, then give back every other one. */
	while ((p = alloc_pages(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN,
				0))) {
		list_add(&p->lru, &held);
		taken++;
	}
	list_for_each_entry_safe(p, n, &held, lru) {
		if (page_to_pfn(p) & 1) {
			list_del(&p->lru);
			__free_pages(p, 0);
			freed++;
		}
	}
	tour_say(
		t,
		"Now allocate every page (%lu of them, the reserves included), and "
		"free every page with an odd frame number (%lu): %lu kB are free "
		"again, but no two free frames are neighbours.",
		taken, freed, free_kb());
	tour_show(t, "buddyinfo");
	tour_scene(t); /* kmem map --scene fragment */
	mark = kmem_log_mark();
	p = alloc_pages(GFP_KERNEL | __GFP_NORETRY, 1);
	failed = !p;
	tour_step(t, "alloc_pages(GFP_KERNEL, 1) with %lu kB free: %s",
		  free_kb(), p ? "succeeded" : "NULL");
	if (p)
		__free_pages(p, 1);
	kmem_log_read(mark, line, sizeof(line));
	line[strcspn(line, "\n")] = 0;
	if (line[0])
		tour_step(t, "the kernel log says: %s", line);
	tour_say(
		t,
		"Direct reclaim ran and found nothing to reclaim, and kmem has no "
		"compaction (the kernel would try to migrate movable pages to rebuild "
		"a free 8 KiB block). Give the other pages back: each free merges "
		"with its free buddy, up to 4 MiB blocks again.");
	list_for_each_entry_safe(p, n, &held, lru) {
		list_del(&p->lru);
		__free_pages(p, 0);
	}
	kmem_pcp_enable(true);
	tour_show(t, "buddyinfo");
	return failed ? 0 : 1;
}

static unsigned long take_all(gfp_t gfp, struct list_head *held)
{
	struct page *p;
	unsigned long n = 0;

	while ((p = alloc_pages(gfp | __GFP_NOWARN, 0))) {
		list_add(&p->lru, held);
		n++;
	}
	return n;
}

static int chapter_reserves(struct tour *t)
{
	LIST_HEAD(held);
	struct zone *normal, *dma;
	struct page *p, *n;
	unsigned long nowait, atomic, min;

	if (tour_boot(t, 160 * MiB, KMEM_LAYOUT_X86_32, 2))
		return 1;
	kmem_pcp_enable(false);
	normal = &contig_page_data.node_zones[ZONE_NORMAL];
	dma = &contig_page_data.node_zones[ZONE_DMA];
	min = min_wmark_pages(normal);
	tour_say(
		t,
		"Each zone keeps a reserve below its min watermark (Normal: min %lu, "
		"low %lu, high %lu pages). An allocation that can wait (GFP_KERNEL) "
		"reclaims before it dips below min. One that cannot wait but is "
		"not urgent (GFP_NOWAIT) simply fails at min. GFP_ATOMIC (__GFP_HIGH, "
		"for interrupt handlers) may use half of the reserve, and a quarter "
		"more because it cannot sleep: it stops at 3/8 of min.",
		min, low_wmark_pages(normal), high_wmark_pages(normal));
	nowait = take_all(GFP_NOWAIT, &held);
	tour_step(
		t,
		"GFP_NOWAIT took %lu pages, then failed: Normal free %lu (min %lu), DMA free %lu (min %lu + protection %ld)",
		nowait, zone_page_state(normal, NR_FREE_PAGES), min,
		zone_page_state(dma, NR_FREE_PAGES), min_wmark_pages(dma),
		dma->lowmem_reserve[ZONE_NORMAL]);
	p = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0);
	tour_step(t, "GFP_NOWAIT again:  %s", p ? "succeeded" : "NULL");
	if (p)
		list_add(&p->lru, &held);
	p = alloc_pages(GFP_ATOMIC, 0);
	tour_step(t, "GFP_ATOMIC:        %s",
		  p ? "succeeded, from the reserve" : "NULL");
	if (p)
		list_add(&p->lru, &held);
	atomic = (p ? 1 : 0) + take_all(GFP_ATOMIC, &held);
	tour_step(
		t,
		"GFP_ATOMIC took %lu pages of reserve, then failed: Normal free %lu = min - min/2 - (min - min/2)/4 = %lu",
		atomic, zone_page_state(normal, NR_FREE_PAGES),
		min - min / 2 - (min - min / 2) / 4);
	tour_say(
		t,
		"The last %lu pages of Normal are left to __GFP_MEMALLOC (reclaim "
		"itself) and __GFP_NOFAIL. Both requests also fell back to the DMA "
		"zone, but its lowmem_reserve (%ld pages: Normal's size / 256) kept "
		"them from taking DMA below min + reserve: %lu of its %lu pages are "
		"still free for GFP_DMA users.",
		zone_page_state(normal, NR_FREE_PAGES),
		dma->lowmem_reserve[ZONE_NORMAL],
		zone_page_state(dma, NR_FREE_PAGES), zone_managed_pages(dma));
	list_for_each_entry_safe(p, n, &held, lru) {
		list_del(&p->lru);
		__free_pages(p, 0);
	}
	kmem_pcp_enable(true);
	return atomic ? 0 : 1;
}

TOUR_CHAPTER(10, machine,
	     "The machine: a 160 MiB x86-32 box, its layout and zones",
	     chapter_machine)
TOUR_CHAPTER(12, pages, "Pages: virtual and physical addresses", chapter_pages)
TOUR_CHAPTER(14, fragment,
	     "Fragmentation: megabytes free, yet 8 KiB cannot be had",
	     chapter_fragment)
TOUR_CHAPTER(16, reserves,
	     "Reserves: GFP_ATOMIC succeeds where GFP_NOWAIT fails",
	     chapter_reserves)
