// SPDX-License-Identifier: MIT
/*
 * /proc/meminfo, in the kernel's format (fs/proc/meminfo.c): every line of the
 * Linux 6.18 x86-64 snapshot, in its order, plus HighTotal/HighFree/LowTotal/
 * LowFree on the x86-32 layout (CONFIG_HIGHMEM), where DirectMap2M is the
 * largest direct-map page size (PAE).
 *
 * Where the figures come from:
 *   MemTotal        managed pages of all zones (totalram_pages)
 *   MemFree         NR_FREE_PAGES (pages on per-CPU lists are not free here,
 *                   as in the kernel)
 *   MemAvailable    si_mem_available(): free - totalreserve_pages + the part
 *                   of the page cache and of the reclaimable slab above the
 *                   low watermarks
 *   Slab, SReclaimable, SUnreclaim, KReclaimable   NR_SLAB_* (the slab layer)
 *   KernelStack, PageTables, AnonPages, Mlocked ... the node/zone counters
 *                   the layers that own those pages update
 *   SwapTotal/Free  total_swap_pages / nr_swap_pages (user address spaces)
 *   VmallocTotal    (VMALLOC_END - VMALLOC_START) >> 10, as the kernel
 *   VmallocUsed     nr_vmalloc_pages (vmalloc)
 *   Percpu          pcpu_nr_pages(): populated pages of every percpu chunk,
 *                   the first chunk's whole size_sum included, times the
 *                   units of a chunk (mm/percpu.c)
 *   CommitLimit     (totalram - hugetlb) * overcommit_ratio (50) / 100 + swap
 *   Committed_AS    vm_committed_as: the pages user address spaces have
 *                   committed (private writable mappings, brk and stacks,
 *                   shared anonymous mappings; mm/mmap.c)
 *   DirectMap*      the page sizes the kernel's init_memory_mapping() would
 *                   use for the direct-mapped RAM ranges
 * kmem has no page cache, buffers, huge pages, CMA or balloon: those lines
 * are 0 (read from their counters where one exists).
 */
#include <stdio.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/percpu.h>
#include <asm/pgtable.h>
#include <kmem/show.h>
#include "arch/x86/machine.h"
#include "mm/internal.h"

#define K(pages) ((pages) << (PAGE_SHIFT - 10))

/* The kernel's calculate_totalreserve_pages(): per zone, the largest
 * lowmem_reserve against higher zones plus the high watermark, at most the
 * zone's managed pages. */
unsigned long totalreserve_pages(void)
{
	unsigned long total = 0;
	struct zone *zone;
	int j;

	for_each_zone(zone) {
		long max = 0;
		unsigned long managed = zone_managed_pages(zone);

		for (j = zone->idx; j < MAX_NR_ZONES; j++)
			if (zone->lowmem_reserve[j] > max)
				max = zone->lowmem_reserve[j];
		max += (long)high_wmark_pages(zone);
		if ((unsigned long)max > managed)
			max = (long)managed;
		total += (unsigned long)max;
	}
	return total;
}

/* The kernel's si_mem_available(). */
long si_mem_available(void)
{
	unsigned long wmark_low = 0, pagecache, reclaimable;
	struct zone *zone;
	long available;

	for_each_zone(zone)
		wmark_low += low_wmark_pages(zone);
	available = (long)global_zone_page_state(NR_FREE_PAGES) -
		    (long)totalreserve_pages();
	pagecache = global_node_page_state(NR_ACTIVE_FILE) +
		    global_node_page_state(NR_INACTIVE_FILE);
	pagecache -= min(pagecache / 2, wmark_low);
	available += (long)pagecache;
	reclaimable = global_node_page_state(NR_SLAB_RECLAIMABLE) +
		      global_node_page_state(NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= min(reclaimable / 2, wmark_low);
	available += (long)reclaimable;
	return available < 0 ? 0 : available;
}

/*
 * Direct-map page sizes, as init_memory_mapping() chooses them for each
 * directly mapped RAM range: 4 KiB pages up to the first 2 MiB boundary, 2 MiB
 * pages up to the first 1 GiB boundary, 1 GiB pages (x86-64) in the middle,
 * then the same downwards at the end. The first MiB (ISA) is always mapped,
 * with 4 KiB pages.
 */
static void direct_map_split(unsigned long long start, unsigned long long end,
			     unsigned long long size[3], bool gbpages)
{
	const unsigned long long m2 = 2ULL << 20, g1 = 1ULL << 30;
	unsigned long long a2 = ALIGN(start, m2), b2 = ALIGN_DOWN(end, m2);
	unsigned long long a1, b1;

	if (a2 >= b2) {
		size[0] += end - start;
		return;
	}
	size[0] += (a2 - start) + (end - b2);
	a1 = ALIGN(a2, g1);
	b1 = ALIGN_DOWN(b2, g1);
	if (!gbpages || a1 >= b1) {
		size[1] += b2 - a2;
		return;
	}
	size[1] += (a1 - a2) + (b2 - b1);
	size[2] += b1 - a1;
}

static void direct_map_sizes(unsigned long long size[3])
{
	bool x86_64 = machine.layout == KMEM_LAYOUT_X86_64;
	unsigned long long low_end = (unsigned long long)max_low_pfn
				     << PAGE_SHIFT;
	int i;

	size[0] = size[1] = size[2] = 0;
	size[0] += 1ULL << 20; /* [0, 1 MiB): the ISA range */
	for (i = 0; i < machine.nr_e820; i++) {
		unsigned long long s = machine.e820[i].start,
				   e = machine.e820[i].end;

		if (s < (1ULL << 20))
			s = 1ULL << 20;
		if (e > low_end)
			e = low_end;
		if (s < e)
			direct_map_split(s, e, size, x86_64);
	}
}

static void show_val_kb(FILE *f, const char *label, unsigned long kb)
{
	fprintf(f, "%-16s%8lu kB\n", label, kb);
}

static int __meminfo_show(FILE *f)
{
	unsigned long totalram = totalram_pages(), freeram = nr_free_pages();
	unsigned long sreclaimable =
		global_node_page_state(NR_SLAB_RECLAIMABLE);
	unsigned long sunreclaim =
		global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	unsigned long swapcache = global_node_page_state(NR_SWAPCACHE);
	unsigned long file = global_node_page_state(NR_FILE_PAGES);
	unsigned long cached = file > swapcache ? file - swapcache : 0;
	unsigned long total_swap =
		(unsigned long)atomic_long_read(&total_swap_pages);
	unsigned long free_swap =
		(unsigned long)atomic_long_read(&nr_swap_pages);
	unsigned long long dm[3];
	bool x86_32 = machine.layout == KMEM_LAYOUT_X86_32;

	show_val_kb(f, "MemTotal:", K(totalram));
	show_val_kb(f, "MemFree:", K(freeram));
	show_val_kb(f, "MemAvailable:", K((unsigned long)si_mem_available()));
	show_val_kb(f, "Buffers:", 0);
	show_val_kb(f, "Cached:", K(cached));
	show_val_kb(f, "SwapCached:", K(swapcache));
	show_val_kb(f, "Active:",
		    K(global_node_page_state(NR_ACTIVE_ANON) +
		      global_node_page_state(NR_ACTIVE_FILE)));
	show_val_kb(f, "Inactive:",
		    K(global_node_page_state(NR_INACTIVE_ANON) +
		      global_node_page_state(NR_INACTIVE_FILE)));
	show_val_kb(f,
		    "Active(anon):", K(global_node_page_state(NR_ACTIVE_ANON)));
	show_val_kb(f, "Inactive(anon):",
		    K(global_node_page_state(NR_INACTIVE_ANON)));
	show_val_kb(f,
		    "Active(file):", K(global_node_page_state(NR_ACTIVE_FILE)));
	show_val_kb(f, "Inactive(file):",
		    K(global_node_page_state(NR_INACTIVE_FILE)));
	show_val_kb(f,
		    "Unevictable:", K(global_node_page_state(NR_UNEVICTABLE)));
	show_val_kb(f, "Mlocked:", K(global_zone_page_state(NR_MLOCK)));
	if (x86_32) {
		struct zone *hz = &contig_page_data.node_zones[ZONE_HIGHMEM];
		unsigned long highfree = zone_page_state(hz, NR_FREE_PAGES);

		show_val_kb(f, "HighTotal:", K(totalhigh_pages()));
		show_val_kb(f, "HighFree:", K(highfree));
		show_val_kb(f, "LowTotal:", K(totalram - totalhigh_pages()));
		show_val_kb(f, "LowFree:", K(freeram - highfree));
	}
	show_val_kb(f, "SwapTotal:", K(total_swap));
	show_val_kb(f, "SwapFree:", K(free_swap));
	show_val_kb(f, "Zswap:", 0);
	show_val_kb(f, "Zswapped:", 0);
	show_val_kb(f, "Dirty:", K(global_node_page_state(NR_FILE_DIRTY)));
	show_val_kb(f, "Writeback:", K(global_node_page_state(NR_WRITEBACK)));
	show_val_kb(f, "AnonPages:", K(global_node_page_state(NR_ANON_MAPPED)));
	show_val_kb(f, "Mapped:", K(global_node_page_state(NR_FILE_MAPPED)));
	show_val_kb(f, "Shmem:", K(global_node_page_state(NR_SHMEM)));
	show_val_kb(f, "KReclaimable:",
		    K(sreclaimable +
		      global_node_page_state(NR_KERNEL_MISC_RECLAIMABLE)));
	show_val_kb(f, "Slab:", K(sreclaimable + sunreclaim));
	show_val_kb(f, "SReclaimable:", K(sreclaimable));
	show_val_kb(f, "SUnreclaim:", K(sunreclaim));
	/* NR_KERNEL_STACK_KB is already in kB. */
	show_val_kb(f,
		    "KernelStack:", global_node_page_state(NR_KERNEL_STACK_KB));
	show_val_kb(f, "PageTables:", K(global_node_page_state(NR_PAGETABLE)));
	show_val_kb(f, "SecPageTables:",
		    K(global_node_page_state(NR_SECONDARY_PAGETABLE)));
	show_val_kb(f, "NFS_Unstable:", 0);
	show_val_kb(f, "Bounce:", 0);
	show_val_kb(f, "WritebackTmp:", 0);
	show_val_kb(f, "CommitLimit:", K(totalram * 50 / 100 + total_swap));
	show_val_kb(
		f, "Committed_AS:",
		K((unsigned long)max(atomic_long_read(&vm_committed_as), 0L)));
	show_val_kb(f, "VmallocTotal:", (VMALLOC_END - VMALLOC_START) >> 10);
	show_val_kb(f, "VmallocUsed:",
		    K((unsigned long)atomic_long_read(&nr_vmalloc_pages)));
	show_val_kb(f, "VmallocChunk:", 0);
	show_val_kb(f, "Percpu:", K(pcpu_nr_pages()));
	show_val_kb(f, "AnonHugePages:", 0);
	show_val_kb(f, "ShmemHugePages:", 0);
	show_val_kb(f, "ShmemPmdMapped:", 0);
	show_val_kb(f, "FileHugePages:", 0);
	show_val_kb(f, "FilePmdMapped:", 0);
	show_val_kb(f, "Balloon:", K(global_node_page_state(NR_BALLOON_PAGES)));
	fprintf(f, "HugePages_Total:   %5lu\n", 0UL);
	fprintf(f, "HugePages_Free:    %5lu\n", 0UL);
	fprintf(f, "HugePages_Rsvd:    %5lu\n", 0UL);
	fprintf(f, "HugePages_Surp:    %5lu\n", 0UL);
	/* 2 MiB on x86-64 and on PAE x86-32 (kmem's 32-bit tables are PAE). */
	show_val_kb(f, "Hugepagesize:", 2048);
	show_val_kb(f, "Hugetlb:", K(global_node_page_state(NR_HUGETLB)));
	direct_map_sizes(dm);
	show_val_kb(f, "DirectMap4k:", (unsigned long)(dm[0] >> 10));
	show_val_kb(f, "DirectMap2M:", (unsigned long)(dm[1] >> 10));
	if (!x86_32)
		show_val_kb(f, "DirectMap1G:", (unsigned long)(dm[2] >> 10));
	return 0;
}

static int meminfo_show(const char *name, FILE *f)
{
	(void)name;
	/* Fold the per-CPU counter deltas first: the kernel's vmstat worker
	 * has done so within a second; kmem has none (mm/vmstat.c). */
	refresh_vm_stats();
	return __meminfo_show(f);
}

static const struct kmem_view meminfo_view = { "meminfo", meminfo_show, 0 };

__attribute__((constructor)) static void meminfo_view_register(void)
{
	kmem_register_view(&meminfo_view);
}

KMEM_LINK_ANCHOR(meminfo);
