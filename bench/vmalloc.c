// SPDX-License-Identifier: MIT
/*
 * vmalloc cost per size, side by side in one run:
 *   vmalloc + touch every page + vfree          (kmem)
 *   kmalloc + touch every page + kfree          (kmem; fails above 4 MiB)
 *   mmap(MAP_ANONYMOUS) + touch + munmap        (the host kernel)
 * "touch" writes one byte per page, so every backend pays for mapping every
 * page. Each figure is the median of RUNS batches (default 9), each batch
 * the mean of a number of pairs; the backends' batches interleave, so a
 * burst of noise on a shared host hits all of them. Time is the thread's
 * CPU time (user + system, CLOCK_THREAD_CPUTIME_ID) unless --wall: on a
 * loaded machine wall time mostly measures the other jobs.
 *
 * The second table splits vmalloc's and mmap's time into three phases:
 * "map" (the vmalloc or mmap call), "first touch" (the first write to every
 * page) and "free" (vfree or munmap). vmalloc maps in the call (the host's
 * page tables are filled there); the host's mmap maps nothing and pays in
 * the first touch instead (a page fault per page), so only the sum and the
 * first-touch column compare like with like. "maps/area" is the number of
 * host mappings one area of that size takes (one per physically contiguous
 * run of its frames, plus one for the split of the reservation), sampled
 * after the batches.
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
	"usage: bench_vmalloc [--max SIZE] [--runs N] [--wall] [--data FILE]\n"
	"                     [--quick] [RAM]\n"
	"vmalloc, kmalloc and the host's mmap + touch + free by size, from 4 KiB\n"
	"to SIZE (default 64M) by factors of 4, on a machine of RAM (default 1G;\n"
	"a size such as 512M or 2G); medians of N batches (default 9), and the\n"
	"time of vmalloc and mmap split into map, first touch and free. Times\n"
	"are the thread's CPU time, or wall time with --wall. --data FILE: the\n"
	"figures as columns (size in bytes; vmalloc, kmalloc, mmap totals; map,\n"
	"touch, free of vmalloc, then of mmap; '-' where kmalloc fails). --quick:\n"
	"a smoke run (up to 1M, one batch of a few pairs; the figures mean\n"
	"nothing).\n";

#define MAX_RUNS 99

static int runs = 9;
static clockid_t clock_id = CLOCK_THREAD_CPUTIME_ID;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(clock_id, &ts);
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

enum backend { VMALLOC, KMALLOC, MMAP, NR_BACKENDS };
enum phase { MAP, TOUCH, FREE, TOTAL, NR_PHASES };

static void *backend_alloc(enum backend b, unsigned long size)
{
	void *p;

	switch (b) {
	case VMALLOC:
		return vmalloc(size);
	case KMALLOC:
		return kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	default:
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
}

static void backend_free(enum backend b, void *p, unsigned long size)
{
	switch (b) {
	case VMALLOC:
		vfree(p);
		break;
	case KMALLOC:
		kfree(p);
		break;
	default:
		munmap(p, size);
		break;
	}
}

/* One batch: ns per pair in out[TOTAL], or with phases (vmalloc and mmap
 * only) per phase in out[MAP..FREE]. false if an allocation failed. */
static bool run_batch(enum backend b, unsigned long size, int iters,
		      bool phases, double out[NR_PHASES])
{
	double t[NR_PHASES] = { 0 }, t0 = now_ns();
	int i;

	for (i = 0; i < iters; i++) {
		double a, m, w;
		char *p;

		if (!phases) {
			p = backend_alloc(b, size);
			if (!p)
				return false;
			touch(p, size);
			backend_free(b, p, size);
			continue;
		}
		a = now_ns();
		p = backend_alloc(b, size);
		if (!p)
			return false;
		m = now_ns();
		touch(p, size);
		w = now_ns();
		backend_free(b, p, size);
		t[MAP] += m - a;
		t[TOUCH] += w - m;
		t[FREE] += now_ns() - w;
	}
	if (!phases)
		out[TOTAL] = (now_ns() - t0) / iters;
	else
		for (i = MAP; i < TOTAL; i++)
			out[i] = t[i] / iters;
	return true;
}

/* Medians of the runs, per backend and phase; a failed backend is -1. */
static void measure(unsigned long size, int iters,
		    double med[NR_BACKENDS][NR_PHASES])
{
	static double r[NR_BACKENDS][NR_PHASES][MAX_RUNS];
	bool ok[NR_BACKENDS];
	double out[NR_PHASES];
	int i, b, ph;

	for (b = 0; b < NR_BACKENDS; b++) /* warm up */
		ok[b] = run_batch((enum backend)b, size, iters, false, out);
	for (i = 0; i < runs; i++)
		for (b = 0; b < NR_BACKENDS; b++) {
			if (!ok[b])
				continue;
			ok[b] = run_batch((enum backend)b, size, iters, false,
					  out);
			if (ok[b] && b != KMALLOC)
				ok[b] = run_batch((enum backend)b, size, iters,
						  true, out);
			for (ph = 0; ph < NR_PHASES; ph++)
				r[b][ph][i] = out[ph];
		}
	for (b = 0; b < NR_BACKENDS; b++)
		for (ph = 0; ph < NR_PHASES; ph++) {
			med[b][ph] = -1;
			if (!ok[b])
				continue;
			qsort(r[b][ph], runs, sizeof(double), cmp_double);
			med[b][ph] = r[b][ph][runs / 2];
		}
}

/* Host mappings one area of size holds now. */
static long maps_per_area(unsigned long size)
{
	struct vmalloc_stats before, during;
	void *p;

	vmalloc_get_stats(&before);
	p = vmalloc(size);
	if (!p)
		return -1;
	vmalloc_get_stats(&during);
	vfree(p);
	return (long)during.host_maps - (long)before.host_maps;
}

int main(int argc, char **argv)
{
	static double med[8][NR_BACKENDS][NR_PHASES];
	struct kmem_config cfg = { .ram = 1ULL << 30, .quiet = true };
	unsigned long size, max = 64UL << 20;
	struct vmalloc_stats st;
	const char *data = NULL;
	long maps[8];
	int i, n, div = 1;

	bench_help(argc, argv, usage);
	if (bench_quick(&argc, argv)) {
		max = 1UL << 20;
		runs = 1;
		div = 100;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			max = kmem_parse_size(argv[++i]);
			if (max < 4096 || max > (64UL << 20))
				bench_bad("bench_vmalloc",
					  "not a size from 4K to 64M", argv[i],
					  usage);
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = (int)bench_count("bench_vmalloc", argv[++i],
						MAX_RUNS, usage);
		} else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			data = argv[++i];
		} else if (!strcmp(argv[i], "--wall")) {
			clock_id = CLOCK_MONOTONIC;
		} else if (argv[i][0] != '-' && cfg.ram == 1ULL << 30 &&
			   (cfg.ram = kmem_parse_size(argv[i]))) {
			continue;
		} else {
			bench_bad("bench_vmalloc", "unexpected argument",
				  argv[i], usage);
		}
	}
	if (kmem_boot(&cfg))
		return 1;
	printf("vmalloc bench: %llu MiB x86-64 machine, ns per alloc+touch+free (median of %d, %s time)\n",
	       cfg.ram >> 20, runs,
	       clock_id == CLOCK_MONOTONIC ? "wall" : "thread CPU");
	printf("%9s %6s %12s %12s %12s %10s %10s %9s\n", "size", "pages",
	       "vmalloc", "kmalloc", "host mmap", "v/mmap", "v/kmalloc",
	       "maps/area");
	for (size = 4096, n = 0; size <= max; size *= 4, n++) {
		int iters = size <= (64 << 10) ? 2000 :
			    size <= (1 << 20)  ? 200 :
						 10;
		iters = iters / div ? iters / div : 1;
		double v, k, m;
		char kb[16], kr[16];

		measure(size, iters, med[n]);
		maps[n] = maps_per_area(size);
		v = med[n][VMALLOC][TOTAL];
		k = med[n][KMALLOC][TOTAL];
		m = med[n][MMAP][TOTAL];
		if (k > 0) {
			snprintf(kb, sizeof(kb), "%.0f", k);
			snprintf(kr, sizeof(kr), "%.2fx", v / k);
		} else {
			snprintf(kb, sizeof(kb), "fails");
			snprintf(kr, sizeof(kr), "-");
		}
		printf("%8luK %6lu %12.0f %12s %12.0f %9.2fx %10s %9ld\n",
		       size >> 10, size >> 12, v, kb, m, v / m, kr, maps[n]);
		fflush(stdout);
	}
	printf("\nphases, ns (median of %d): map = the vmalloc or mmap call, touch = the\n"
	       "first write to every page, free = vfree or munmap\n",
	       runs);
	printf("%9s %9s %9s %9s   %9s %9s %9s   %10s %10s\n", "size", "v map",
	       "v touch", "v free", "m map", "m touch", "m free", "map+free",
	       "touch");
	for (size = 4096, n = 0; size <= max; size *= 4, n++) {
		double *v = med[n][VMALLOC], *m = med[n][MMAP];

		printf("%8luK %9.0f %9.0f %9.0f   %9.0f %9.0f %9.0f   %9.2fx %9.2fx\n",
		       size >> 10, v[MAP], v[TOUCH], v[FREE], m[MAP], m[TOUCH],
		       m[FREE], (v[MAP] + v[FREE]) / (m[MAP] + m[FREE]),
		       v[TOUCH] / m[TOUCH]);
	}
	if (data) {
		FILE *f = fopen(data, "w");

		if (!f) {
			perror(data);
			return 1;
		}
		fprintf(f,
			"size vmalloc kmalloc mmap v_map v_touch v_free m_map m_touch m_free\n");
		for (size = 4096, n = 0; size <= max; size *= 4, n++) {
			double *v = med[n][VMALLOC], *m = med[n][MMAP];
			double k = med[n][KMALLOC][TOTAL];

			fprintf(f, "%lu %.0f ", size, v[TOTAL]);
			if (k > 0)
				fprintf(f, "%.0f", k);
			else
				fprintf(f, "-");
			fprintf(f, " %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
				m[TOTAL], v[MAP], v[TOUCH], v[FREE], m[MAP],
				m[TOUCH], m[FREE]);
		}
		if (fclose(f))
			return 1;
	}
	vmalloc_get_stats(&st);
	printf("purges (TLB flushes): %lu, host mappings now: %lu, demand areas: %lu\n",
	       st.nr_purges, st.host_maps, st.demand_areas);
	kmem_halt();
	return 0;
}
