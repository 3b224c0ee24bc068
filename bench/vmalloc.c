// SPDX-License-Identifier: MIT
/*
 * vmalloc cost per size, side by side in one run:
 *   vmalloc + touch every page + vfree          (kmem)
 *   kmalloc + touch every page + kfree          (kmem; fails above 4 MiB)
 *   mmap(MAP_ANONYMOUS) + touch + munmap        (the host kernel)
 * Medians of 9 runs, each the mean of a batch of pairs; the backends' batches
 * interleave. "touch" writes one
 * byte per page, so every backend pays for mapping every page.
 *
 * Usage: bench_vmalloc [RAM, default 1G]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <kmem/kmem.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "mm/vmalloc.h"
#include "bench.h"

static const char usage[] =
	"usage: bench_vmalloc [RAM]\n"
	"vmalloc, kmalloc and the host's mmap + touch + free by size, 4 KiB to\n"
	"64 MiB, on a machine of RAM (default 1G; a size such as 512M or 2G).\n";

#define RUNS 9

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void touch(char *p, unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i += 4096)
		p[i] = 1;
}

enum backend { VMALLOC, KMALLOC, MMAP };

static double run_batch(enum backend b, unsigned long size, int iters)
{
	double t0 = now_ns();
	int i;

	for (i = 0; i < iters; i++) {
		char *p;

		switch (b) {
		case VMALLOC:
			p = vmalloc(size);
			if (!p)
				return -1;
			touch(p, size);
			vfree(p);
			break;
		case KMALLOC:
			p = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
			if (!p)
				return -1;
			touch(p, size);
			kfree(p);
			break;
		case MMAP:
			p = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return -1;
			touch(p, size);
			munmap(p, size);
			break;
		}
	}
	return (now_ns() - t0) / iters;
}

static double median_of(double *r)
{
	int i;

	for (i = 0; i < RUNS; i++)
		if (r[i] < 0)
			return -1;
	qsort(r, RUNS, sizeof(r[0]), cmp_double);
	return r[RUNS / 2];
}

/* The three backends' batches interleave, so a burst of noise on the host
 * (a shared 2-core VM) hits all three, not one. */
static void measure(unsigned long size, int iters, double out[3])
{
	double r[3][RUNS];
	int i, b;

	for (b = 0; b < 3; b++)
		run_batch((enum backend)b, size, iters); /* warm up */
	for (i = 0; i < RUNS; i++)
		for (b = 0; b < 3; b++)
			r[b][i] = run_batch((enum backend)b, size, iters);
	for (b = 0; b < 3; b++)
		out[b] = median_of(r[b]);
}

int main(int argc, char **argv)
{
	struct kmem_config cfg = { .ram = 1ULL << 30, .quiet = true };
	struct vmalloc_stats st;
	unsigned long size;

	bench_help(argc, argv, usage);
	if (argc > 2)
		bench_bad("bench_vmalloc", "unexpected argument", argv[2], usage);
	if (argc > 1) {
		cfg.ram = kmem_parse_size(argv[1]);
		if (!cfg.ram)
			bench_bad("bench_vmalloc", "not a RAM size", argv[1], usage);
	}
	if (kmem_boot(&cfg))
		return 1;
	printf("vmalloc bench: %llu MiB x86-64 machine, ns per alloc+touch+free (median of %d)\n",
	       cfg.ram >> 20, RUNS);
	printf("%9s %6s %12s %12s %12s %10s %10s\n", "size", "pages", "vmalloc",
	       "kmalloc", "host mmap", "v/mmap", "v/kmalloc");
	for (size = 4096; size <= (64UL << 20); size *= 4) {
		int iters = size <= (64 << 10) ? 2000 : size <= (1 << 20) ? 200 : 10;
		double t[3], v, k, m;
		char kb[16], kr[16];

		measure(size, iters, t);
		v = t[VMALLOC];
		k = t[KMALLOC];
		m = t[MMAP];

		if (k > 0) {
			snprintf(kb, sizeof(kb), "%.0f", k);
			snprintf(kr, sizeof(kr), "%.2fx", v / k);
		} else {
			snprintf(kb, sizeof(kb), "fails");
			snprintf(kr, sizeof(kr), "-");
		}
		printf("%8luK %6lu %12.0f %12s %12.0f %9.2fx %10s\n", size >> 10,
		       size >> 12, v, kb, m, v / m, kr);
	}
	vmalloc_get_stats(&st);
	printf("purges (TLB flushes): %lu, host mappings now: %lu, demand areas: %lu\n",
	       st.nr_purges, st.host_maps, st.demand_areas);
	kmem_halt();
	return 0;
}
