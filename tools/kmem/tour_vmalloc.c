// SPDX-License-Identifier: MIT
/*
 * Tour chapter: vmalloc. The seed documents' experiment on a 160 MiB x86-32
 * machine: a page from __get_free_page, kmalloc(100) and vmalloc(1000000),
 * where each address sits in the 1 GiB kernel half (3G+...M), the scattered
 * frames behind the vmalloc area, a 64 MiB vmalloc that works where kmalloc
 * cannot, and what vmalloc's page-table work costs next to kmalloc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "tools/kmem/kmem.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* "3G+121M" when PAGE_OFFSET is the real 0xC0000000, else "PAGE_OFFSET+121M". */
static const char *where(unsigned long addr, char *buf, size_t len)
{
	unsigned long off = addr - PAGE_OFFSET;

	if (PAGE_OFFSET == 0xC0000000UL)
		snprintf(buf, len, "3G+%luM", off >> 20);
	else
		snprintf(buf, len, "PAGE_OFFSET+%luM", off >> 20);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum cost_kind { COST_KMALLOC, COST_VMALLOC, COST_HOST_MMAP };

/* Median over 7 runs of `iters` alloc+touch+free, in ns per pair: kmalloc,
 * vmalloc, or the host's own anonymous mmap + munmap of the same size (what
 * the host charges for a mapping, measured in the same run). */
static double time_pair(enum cost_kind kind, unsigned long size, int iters)
{
	double runs[7];
	int r, i;

	for (r = 0; r < 7; r++) {
		double t0 = now_ns();

		for (i = 0; i < iters; i++) {
			char *p;

			if (kind == COST_HOST_MMAP) {
				p = mmap(NULL, size, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (p == MAP_FAILED)
					return -1;
			} else if (kind == COST_VMALLOC) {
				p = vmalloc(size);
			} else {
				p = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
			}
			if (!p)
				return -1;
			p[0] = 1;
			p[size - 1] = 1;
			if (kind == COST_HOST_MMAP)
				munmap(p, size);
			else if (kind == COST_VMALLOC)
				vfree(p);
			else
				kfree(p);
		}
		runs[r] = (now_ns() - t0) / iters;
	}
	qsort(runs, 7, sizeof(runs[0]), cmp_double);
	return runs[3];
}

static int chapter_vmalloc(struct tour *t)
{
	struct kmem_machine_info mi;
	unsigned long page, i, runs = 1, size;
	struct vm_struct *vm;
	char w1[32], w2[32], w3[32], line[256];
	void *k, *v, *big, *kbig;
	int len;

	if (tour_boot(t, 160ULL << 20, KMEM_LAYOUT_X86_32, 1))
		return 1;
	kmem_machine_info(&mi);
	tour_say(t,
		 "vmalloc hands out memory that is contiguous in the kernel's "
		 "virtual address space but built from single pages taken "
		 "anywhere in physical memory, each mapped through the page "
		 "tables. The seed documents' experiment, on a 160 MiB x86-32 "
		 "machine (PAGE_OFFSET %#lx%s):",
		 mi.page_offset, mi.relocated ? ", relocated by the host" : "");

	page = __get_free_page(GFP_KERNEL);
	k = kmalloc(100, GFP_KERNEL);
	v = vmalloc(1000000);
	if (!page || !k || !v)
		return 1;
	tour_step(
		t,
		"__get_free_page(GFP_KERNEL) = %#lx   %s  (direct map: pfn %#lx)",
		page, where(page, w1, sizeof(w1)), virt_to_pfn((void *)page));
	tour_step(
		t,
		"kmalloc(100, GFP_KERNEL)    = %#lx   %s  (direct map, a slab object)",
		(unsigned long)k, where((unsigned long)k, w2, sizeof(w2)));
	tour_step(t, "vmalloc(1000000)            = %#lx   %s  (vmalloc area)",
		  (unsigned long)v, where((unsigned long)v, w3, sizeof(w3)));
	tour_say(t,
		 "Low memory ends at high_memory = %s; the vmalloc range "
		 "starts 8 MiB later (VMALLOC_OFFSET, a gap that catches "
		 "overruns) at %s and ends at %s, below the kmap window.",
		 where(mi.high_memory, w1, sizeof(w1)),
		 where(mi.vmalloc_start, w2, sizeof(w2)),
		 where(mi.vmalloc_end, w3, sizeof(w3)));

	vm = find_vm_area(v);
	len = snprintf(line, sizeof(line),
		       "pfns behind the 245 pages of the vmalloc area:");
	for (i = 0; i < vm->nr_pages; i++) {
		if (i && page_to_pfn(vm->pages[i]) !=
				 page_to_pfn(vm->pages[i - 1]) + 1)
			runs++;
		if (i < 8)
			len += snprintf(
				line + len, sizeof(line) - (size_t)len, " %#lx",
				vmalloc_to_pfn((char *)v + i * PAGE_SIZE));
	}
	tour_step(t, "%s ...", line);
	tour_step(
		t,
		"%u pages in %lu physically contiguous runs; page tables walked by vmalloc_to_pfn()",
		vm->nr_pages, runs);
	tour_say(t,
		 "vmalloc takes whole buddy blocks first and splits them into "
		 "pages, so where free memory is in large blocks the runs are "
		 "long. Fragment physical memory first (take every free page, "
		 "give back those at even pfns: no two free frames are "
		 "neighbours) and the same request is scattered:");
	vfree(v);
	{
		unsigned long N = totalram_pages(), nr = 0;
		struct page **hold = calloc(N, sizeof(*hold)), *pg;

		while (hold && nr < N &&
		       (pg = alloc_page(__GFP_HIGHMEM | __GFP_NOWARN |
					__GFP_MEMALLOC)))
			hold[nr++] = pg;
		for (i = 0; i < nr; i++)
			if (!(page_to_pfn(hold[i]) & 1)) {
				__free_page(hold[i]);
				hold[i] = NULL;
			}
		v = vmalloc(1000000);
		vm = v ? find_vm_area(v) : NULL;
		runs = 1;
		len = snprintf(line, sizeof(line), "pfns:");
		for (i = 0; vm && i < vm->nr_pages; i++) {
			if (i && page_to_pfn(vm->pages[i]) !=
					 page_to_pfn(vm->pages[i - 1]) + 1)
				runs++;
			if (i < 8)
				len += snprintf(line + len,
						sizeof(line) - (size_t)len,
						" %#lx",
						page_to_pfn(vm->pages[i]));
		}
		if (vm) {
			memset(v, 0x5a, 1000000);
			tour_step(
				t,
				"%s ...  -> %lu runs for %u pages, every byte writable",
				line, runs, vm->nr_pages);
			tour_scene(t); /* kmem map --scene vmalloc */
		}
		vfree(v);
		for (i = 0; i < nr; i++)
			if (hold[i])
				__free_page(hold[i]);
		free(hold);
	}

	kbig = kmalloc(64UL << 20, GFP_KERNEL | __GFP_NOWARN);
	big = vmalloc(64UL << 20);
	tour_step(
		t,
		"kmalloc(64 MiB) = %p  (needs 16384 physically contiguous pages; the largest buddy block is 4 MiB)",
		kbig);
	tour_step(
		t,
		"vmalloc(64 MiB) = %#lx %s  (16384 single pages, VmallocUsed %lu kB)",
		(unsigned long)big, big ? "succeeds" : "FAILED",
		vmalloc_nr_pages() * 4);
	if (big)
		memset(big, 1, 64UL << 20);
	tour_show(t, "vmallocinfo");
	vfree(big);
	kfree(kbig);
	kfree(k);
	free_page(page);

	tour_say(
		t,
		"The price: vmalloc allocates pages one by one, writes a pte "
		"per page, maps them and later unmaps them; kmalloc returns a "
		"slab object or a buddy block already mapped. Time per "
		"allocation + touch + free, median of 7 runs, beside the host's "
		"own mmap + touch + munmap of the same size, measured in the same "
		"run:");
	tour_step(t, "%8s %12s %12s %14s %8s", "size", "kmalloc ns",
		  "vmalloc ns", "host mmap ns", "vmalloc/kmalloc");
	for (size = 4096; size <= (4UL << 20); size *= 4) {
		int iters = size <= 65536 ? 200 : 20;
		double tk = time_pair(COST_KMALLOC, size, iters);
		double tv = time_pair(COST_VMALLOC, size, iters);
		double th = time_pair(COST_HOST_MMAP, size, iters);

		if (tk > 0)
			tour_step(t, "%7luK %12.0f %12.0f %14.0f %7.1fx",
				  size >> 10, tk, tv, th, tv / tk);
		else
			tour_step(t, "%7luK %12s %12.0f %14.0f %8s", size >> 10,
				  "fails", tv, th, "-");
	}
	tour_say(
		t,
		"The vmalloc column is what this simulation pays: kmem allocates "
		"the pages one by one, then has the host map each physically "
		"contiguous run of the area (an mmap of the RAM file) and unmap it "
		"again at vfree, so its figures follow the host's mapping costs and "
		"move with the host's load (a larger size can cost less). The host "
		"mmap column is the host's own cheapest mapping, for scale. The "
		"kernel pays neither: it writes one pte per page into the kernel "
		"page tables when it maps the area, and nothing at once when it "
		"frees it: freed areas are purged lazily, with one TLB flush of the "
		"purged range (flush_tlb_kernel_range) once about 32 MiB times "
		"fls(CPUs) of them have accumulated (lazy_max_pages).");
	tour_say(t,
		 "vmalloc pays per page (allocation, pte, mapping); kmalloc "
		 "pays per object. Use kmalloc for small or DMA-able buffers, "
		 "vmalloc for large ones that need not be physically "
		 "contiguous, and kvmalloc to let the kernel choose.");
	return 0;
}

TOUR_CHAPTER(40, vmalloc, "vmalloc: virtually contiguous, physically scattered",
	     chapter_vmalloc)
