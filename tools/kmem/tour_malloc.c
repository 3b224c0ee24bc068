// SPDX-License-Identifier: MIT
/*
 * Tour chapter: malloc. glibc's allocator (libc/malloc.c) inside a process,
 * with the figures of the run: malloc returns address space (RSS moves only
 * when a page is written; reads map the zero page), small requests come from
 * the brk heap (the first grows the break by 132 KiB), large ones get their
 * own mmap and go back at free, freed small chunks stay in the process until
 * malloc_trim, and under memory pressure a malloc'd page goes to swap and
 * comes back while a kmalloc'd object never moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#if __has_include(<linux/slab.h>)
#include <linux/slab.h>
#define TOUR_HAVE_KMALLOC 1
#endif
#include <kmem/kmem.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include "tools/kmem/kmem.h"

#define MIB (1UL << 20)
#define PG 4096UL

struct mdemo {
	struct tour *t;
	int failed;
};

static void figures(struct tour *t, const char *when)
{
	struct kmem_process_info in;

	kmem_process_info(kmem_process_current(), &in);
	tour_step(
		t,
		"%-30s brk %+7ld kB  VmSize %6lu kB  VmRSS %6lu kB  zero-page ptes %4lu",
		when, (long)(in.brk - in.start_brk) / 1024, in.vm_size * 4,
		in.rss_anon * 4, in.zero_mapped);
}

static int demo_malloc(void *arg)
{
	struct mdemo *d = arg;
	struct tour *t = d->t;
	static char *small[1000];
	struct kmem_mallinfo2 mi;
	struct kmem_process_info in;
	char *p, *big, *m;
	volatile unsigned long sum = 0;
	unsigned long i;

	figures(t, "a new process:");
	kmem_process_info(kmem_process_current(), &in);
	p = kmem_malloc(100);
	if (!p)
		return d->failed = 1;
	tour_say(
		t,
		"The first malloc(100): glibc allocates its thread cache (a 656-byte "
		"chunk) and grows the break by the request + M_TOP_PAD (128 KiB), "
		"rounded to pages. The pointer is %#lx, %lu bytes into the heap:",
		kmem_user_addr(p), (unsigned long)(p - (char *)in.heap));
	figures(t, "after malloc(100):");
	for (i = 0; i < 1000; i++)
		small[i] = kmem_malloc(100);
	figures(t, "after 1000 x malloc(100):");
	tour_say(
		t,
		"Small requests come from the top of that heap: 1000 chunks of 112 "
		"bytes fit in it without another brk. A large request is different:");
	big = kmem_malloc(16 * MIB);
	figures(t, "after malloc(16 MiB):");
	tour_say(
		t,
		"16 MiB at or above M_MMAP_THRESHOLD (128 KiB) is its own mmap "
		"(usable %zu bytes, in %#lx, outside the heap). VmSize grew by 16 MiB; "
		"RSS by the one page holding the chunk header. Read all of it:",
		kmem_malloc_usable_size(big), kmem_user_addr(big));
	for (i = 0; i < 16 * MIB / PG; i++)
		sum += (unsigned char)big[i * PG + 64];
	(void)sum; /* the reads are the point: each maps the zero page */
	figures(t, "after reading 16 MiB:");
	for (i = 0; i < 16 * MIB / PG; i += 4)
		big[i * PG + 64] = 1;
	figures(t, "after writing every 4th page:");
	tour_show(t, "self/maps");
	kmem_free(big);
	figures(t, "after free(16 MiB):");
	tour_say(
		t,
		"The mapping went back to the kernel at once (munmap). glibc also "
		"raised its mmap threshold to the size of that chunk (the dynamic "
		"threshold), so the next 1 MiB request comes from the heap:");
	m = kmem_malloc(MIB);
	figures(t, "after malloc(1 MiB):");
	kmem_free(m);
	for (i = 0; i < 1000; i++)
		kmem_free(small[i]);
	mi = kmem_mallinfo2();
	figures(t, "after freeing it and the 1000:");
	tour_say(
		t,
		"Freed small chunks stay in the process: 7 in the thread's tcache, "
		"the rest merged into free chunks and the top. mallinfo: %zu bytes "
		"from the system, %zu in use, %zu free, %zu at the top. The heap "
		"stayed (the trim threshold is now twice the 16 MiB chunk); "
		"malloc_trim(0) gives it back:",
		mi.arena, mi.uordblks, mi.fordblks, mi.keepcost);
	kmem_malloc_trim(0);
	figures(t, "after malloc_trim(0):");
	tour_say(t, "kmem_malloc_stats(), glibc's format:");
	kmem_malloc_stats_to(t->out);
	kmem_free(p);
	return 0;
}

struct mfill {
	char *area;
	unsigned long bytes, bad;
};

static int malloc_fill(void *arg)
{
	struct mfill *f = arg;
	unsigned long i;

	f->area = kmem_malloc(f->bytes);
	if (!f->area)
		return -1;
	for (i = 0; i < f->bytes / PG; i++)
		memset(f->area + i * PG, (int)(i % 251) + 1, 64);
	return 0;
}

static int malloc_check(void *arg)
{
	struct mfill *f = arg;
	unsigned long i;

	f->bad = 0;
	for (i = 0; i < f->bytes / PG; i++)
		if (f->area[i * PG] != (char)((i % 251) + 1))
			f->bad++;
	kmem_free(f->area);
	return 0;
}

static int chapter_malloc(struct tour *t)
{
	struct kmem_config cfg = { .ram = 64ULL << 20,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = 2,
				   .swap = 32ULL << 20,
				   .quiet = true };
	struct mdemo d = { t, 0 };
	struct mfill f[2] = { { NULL, 40 * MIB, 0 }, { NULL, 40 * MIB, 0 } };
	struct kmem_process *p, *q[2];
	struct kmem_process_info in;
	unsigned long free0, kphys, maj;
	void *kobj;
	bool moved;
	int i;

	if (tour_boot_config(t, &cfg))
		return 1;
	free0 = kmem_free_pages_drained();
	tour_say(
		t,
		"malloc is the C library's, not the kernel's: libc/malloc.c is glibc "
		"2.36's allocator running inside the process on brk and mmap only. A "
		"64 MiB x86-64 machine with 32 MiB of swap.");
	p = kmem_process_create("malloc-demo");
	if (!p || kmem_process_run(p, demo_malloc, &d) || d.failed)
		return 1;
	kmem_process_exit(p);
	tour_step(t, "exit: MemFree back to %lu pages (before: %lu)",
		  kmem_free_pages_drained(), free0);

	tour_say(
		t,
		"Memory pressure: a kmalloc'd object, then two processes that malloc "
		"40 MiB each and write every page, 80 MiB on a 64 MiB machine.");
#ifdef TOUR_HAVE_KMALLOC
	kobj = kmalloc(4096, GFP_KERNEL);
#else
	kobj = (void *)__get_free_page(GFP_KERNEL);
#endif
	if (!kobj)
		return 1;
	memset(kobj, 0x6b, 4096);
	kphys = (unsigned long)__pa(kobj);
	tour_step(t, "kernel object at %p (phys %#lx)", kobj, kphys);
	for (i = 0; i < 2; i++) {
		q[i] = kmem_process_create(i ? "malloc2" : "malloc1");
		if (!q[i] || kmem_process_run(q[i], malloc_fill, &f[i]))
			return 1;
		kmem_process_info(q[i], &in);
		tour_step(
			t,
			"%s: malloc(40 MiB) written: VmRSS %lu kB, VmSwap %lu kB",
			in.comm, in.rss_anon * 4, in.swap * 4);
	}
	kmem_process_info(q[0], &in);
	maj = in.maj_flt;
	tour_step(t, "malloc1 now: VmRSS %lu kB, VmSwap %lu kB",
		  in.rss_anon * 4, in.swap * 4);
	kmem_process_run(q[0], malloc_check, &f[0]);
	kmem_process_info(q[0], &in);
	tour_step(
		t,
		"malloc1 reads its buffer back: %lu major faults (swap-ins), %lu pages "
		"with wrong contents",
		in.maj_flt - maj, f[0].bad);
	tour_step(t, "the kernel object: still at %p (phys %#lx), contents %s",
		  kobj, (unsigned long)__pa(kobj),
		  ((unsigned char *)kobj)[0] == 0x6b &&
				  ((unsigned char *)kobj)[4095] == 0x6b ?
			  "intact" :
			  "CHANGED");
	moved = kphys != (unsigned long)__pa(kobj);
	tour_scene(t);
	for (i = 0; i < 2; i++)
		kmem_process_exit(q[i]);
#ifdef TOUR_HAVE_KMALLOC
	kfree(kobj);
#else
	free_page((unsigned long)kobj);
#endif
	tour_step(t, "all processes gone: MemFree %lu pages (before: %lu)",
		  kmem_free_pages_drained(), free0);
	return f[0].bad || moved ? 1 : 0;
}
TOUR_CHAPTER(55, malloc, "malloc: glibc's allocator on brk and mmap",
	     chapter_malloc)
