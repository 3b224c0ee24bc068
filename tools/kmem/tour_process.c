// SPDX-License-Identifier: MIT
/*
 * Tour chapter: user memory. A process calls brk and mmap directly (there is
 * no C library yet): RSS stays at zero after mapping 64 MiB, a read maps the
 * shared zero page, a write costs exactly one frame per page, the fault
 * counts say so; under pressure pages leave for swap and come back, while
 * kernel memory stays where it is.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#if __has_include(<linux/slab.h>)
#include <linux/slab.h>
#define TOUR_HAVE_KMALLOC 1
#endif
#include <kmem/kmem.h>
#include <kmem/process.h>
#include "tools/kmem/kmem.h"

#define MIB (1UL << 20)
#define PG 4096UL

static long view_kb(const char *view, const char *key)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	long v = -1;

	if (!f)
		return -1;
	kmem_show(view, f);
	fclose(f);
	line = strstr(buf, key);
	if (line)
		v = strtol(line + strlen(key), NULL, 10);
	free(buf);
	return v;
}

struct demo {
	struct tour *t;
	int failed;
};

static void figures(struct tour *t, struct kmem_process *p, const char *when)
{
	struct kmem_process_info in;

	kmem_process_info(p, &in);
	tour_step(
		t,
		"%-28s VmSize %7lu kB  VmRSS %6lu kB  zero-page ptes %5lu  faults %lu minor, %lu major",
		when, in.vm_size * 4, (in.rss_anon + in.rss_shmem) * 4,
		in.zero_mapped, in.min_flt, in.maj_flt);
}

static int demo_paging(void *arg)
{
	struct demo *d = arg;
	struct tour *t = d->t;
	struct kmem_process *p = kmem_process_current();
	unsigned long free0 = kmem_free_pages_drained(), i, n = 64 * MIB / PG;
	volatile unsigned long sum = 0;
	char *heap, *m;

	heap = kmem_sys_sbrk(0);
	tour_say(
		t,
		"The process starts with a stack and an empty heap at start_brk "
		"%#lx (host address %p). brk moves the break up by 64 MiB:",
		kmem_user_addr(heap), (void *)heap);
	if (kmem_sys_brk(heap + 64 * MIB) != heap + 64 * MIB) {
		d->failed = 1;
		return -1;
	}
	figures(t, p, "after brk(+64 MiB):");
	m = kmem_sys_mmap(NULL, 64 * MIB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		d->failed = 1;
		return -1;
	}
	figures(t, p, "after mmap(64 MiB):");
	tour_say(
		t,
		"128 MiB of address space on a 64 MiB machine, and not one frame: "
		"MemFree went down by %lu pages. Now read every page "
		"of the mmap'd area. Each first read is a real page fault; the "
		"handler maps the shared zero page read-only:",
		free0 - kmem_free_pages_drained());
	for (i = 0; i < n; i++)
		sum += (unsigned char)m[i * PG];
	figures(t, p, "after reading 64 MiB:");
	tour_say(
		t,
		"Still no RSS: %lu ptes point at one frame, the zero page (sum of "
		"all bytes read: %lu). Writing one byte in each of 1000 pages "
		"copies on write, one zeroed frame per page:",
		n, (unsigned long)sum);
	for (i = 0; i < 1000; i++)
		m[i * PG] = 1;
	figures(t, p, "after 1000 one-byte writes:");
	for (i = 0; i < 1000; i++)
		heap[i * PG] = 1;
	figures(t, p, "and 1000 in the heap:");
	tour_show(t, "self/status");
	tour_show(t, "self/maps");
	return 0;
}

struct pressure {
	struct tour *t;
	char *area;
	unsigned long pages;
	unsigned long bad;
};

static int fill_area(void *arg)
{
	struct pressure *pr = arg;
	unsigned long i;

	pr->area = kmem_sys_mmap(NULL, pr->pages * PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pr->area == MAP_FAILED)
		return -1;
	for (i = 0; i < pr->pages; i++)
		memset(pr->area + i * PG, (int)(i % 251) + 1, 64);
	return 0;
}

static int check_area(void *arg)
{
	struct pressure *pr = arg;
	unsigned long i;

	pr->bad = 0;
	for (i = 0; i < pr->pages; i++)
		if (pr->area[i * PG] != (char)((i % 251) + 1) ||
		    pr->area[i * PG + 63] != (char)((i % 251) + 1))
			pr->bad++;
	return 0;
}

static int chapter_process(struct tour *t)
{
	struct kmem_config cfg = { .ram = 64ULL << 20,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = 2,
				   .swap = 32ULL << 20,
				   .quiet = true };
	struct demo d = { t, 0 };
	struct pressure pr[2] = { { t, NULL, 40 * MIB / PG, 0 },
				  { t, NULL, 40 * MIB / PG, 0 } };
	struct kmem_process *p, *q[2];
	struct kmem_process_info in;
	unsigned long free0, kphys;
	void *kobj;
	int i;

	if (tour_boot_config(t, &cfg))
		return 1;
	free0 = kmem_free_pages_drained();
	tour_say(
		t,
		"glibc's malloc gets memory from brk and mmap; the kernel gives "
		"only address space and fills it on demand. A 64 MiB x86-64 machine "
		"with 32 MiB of swap; the process \"demo\" calls the system calls "
		"itself and touches the memory through ordinary pointers, so every "
		"fault below is the host MMU trapping and kmem resolving it.");
	p = kmem_process_create("demo");
	if (!p || kmem_process_run(p, demo_paging, &d) || d.failed)
		return 1;
	kmem_process_exit(p);
	tour_step(t, "exit: MemFree back to %lu pages (before: %lu)",
		  kmem_free_pages_drained(), free0);

	tour_say(
		t,
		"Now pressure: kernel memory first, then two processes writing 40 MiB "
		"each, 80 MiB on a 64 MiB machine.");
#ifdef TOUR_HAVE_KMALLOC
	kobj = kmalloc(4096, GFP_KERNEL);
	tour_step(t, "kmalloc(4096) = %p (phys %#lx)", kobj,
		  (unsigned long)__pa(kobj));
#else
	kobj = (void *)__get_free_page(GFP_KERNEL);
	tour_step(t, "__get_free_page(GFP_KERNEL) = %p (phys %#lx)", kobj,
		  (unsigned long)__pa(kobj));
#endif
	if (!kobj)
		return 1;
	memset(kobj, 0x6b, 4096);
	kphys = (unsigned long)__pa(kobj);
	for (i = 0; i < 2; i++) {
		q[i] = kmem_process_create(i ? "writer2" : "writer1");
		if (!q[i] || kmem_process_run(q[i], fill_area, &pr[i]))
			return 1;
		kmem_process_info(q[i], &in);
		tour_step(
			t,
			"%s wrote 40 MiB: VmRSS %lu kB, VmSwap %lu kB; SwapFree %ld kB",
			in.comm, in.rss_anon * 4, in.swap * 4,
			view_kb("meminfo", "SwapFree:"));
	}
	kmem_process_info(q[0], &in);
	tour_step(t, "writer1 now: VmRSS %lu kB, VmSwap %lu kB",
		  in.rss_anon * 4, in.swap * 4);
	tour_say(
		t,
		"Free memory fell under the low watermark, so reclaim took the oldest "
		"user pages off the LRU, wrote them to the swap area (a memfd), made "
		"their ptes swap entries and unmapped them. writer1 reads all its "
		"pages back:");
	kmem_process_info(q[0], &in);
	{
		unsigned long maj = in.maj_flt;

		kmem_process_run(q[0], check_area, &pr[0]);
		kmem_process_info(q[0], &in);
		tour_step(
			t,
			"writer1: %lu major faults (swap-ins), %lu pages with wrong contents; "
			"now VmRSS %lu kB, VmSwap %lu kB",
			in.maj_flt - maj, pr[0].bad, in.rss_anon * 4,
			in.swap * 4);
	}
	tour_step(t, "the kernel object: still at %p (phys %#lx), contents %s",
		  kobj, kphys,
		  ((unsigned char *)kobj)[0] == 0x6b &&
				  ((unsigned char *)kobj)[4095] == 0x6b ?
			  "intact" :
			  "CHANGED");
	tour_say(
		t,
		"Kernel memory is never on the LRU: slab, kmalloc, vmalloc and page "
		"tables stay resident and at the same address, which is why kernel "
		"code may keep raw pointers to them.");
	tour_show(t, "meminfo");
	tour_scene(t); /* kmem map --scene process */
	for (i = 0; i < 2; i++)
		kmem_process_exit(q[i]);
#ifdef TOUR_HAVE_KMALLOC
	kfree(kobj);
#else
	free_page((unsigned long)kobj);
#endif
	tour_step(
		t,
		"all processes gone: MemFree %lu pages (before: %lu), SwapFree %ld kB",
		kmem_free_pages_drained(), free0,
		view_kb("meminfo", "SwapFree:"));
	return pr[0].bad ? 1 : 0;
}
TOUR_CHAPTER(50, process, "User memory: brk, mmap, demand paging and swap",
	     chapter_process)
