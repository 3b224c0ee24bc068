// SPDX-License-Identifier: MIT
/*
 * The buddy allocator's cost: ns per alloc_pages + __free_pages pair.
 *
 *   order 0, per-CPU lists on    the common case: a pcp list hit
 *   order 0, per-CPU lists off   every pair takes zone->lock, splits a block
 *                                 and merges it back
 *   order 3, per-CPU lists on    the largest order the pcp lists cache
 *   order 3, per-CPU lists off
 *   order 0, batch of 64         allocate 64 then free 64 (pcp refills and
 *                                 drains at batch/high)
 * and the same order-0 pair from two threads at once.
 *
 * `bench_page_alloc --debug [pairs]` measures instead the order-0 pair (pcp
 * on, one thread) on machines booted with each debugging option of
 * mm/page_debug.c on the command line (init_on_alloc=1, init_on_free=1,
 * page_poison=1, debug_pagealloc=on, page_owner=on), one boot per run, the
 * runs of the options interleaved.
 *
 * Each configuration runs RUNS times, the runs of all configurations
 * interleaved (so the noise of a shared VM spreads evenly); the table shows
 * the median. Usage: bench_page_alloc [--debug] [pairs per run]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include "mm/internal.h"
#include "bench.h"

static const char usage[] =
	"usage: bench_page_alloc [--quick] [PAIRS]\n"
	"       bench_page_alloc --debug [--quick] [PAIRS]\n"
	"alloc_pages + __free_pages pairs by order, per-CPU lists on and off, 1 and\n"
	"2 threads (PAIRS per run, default 1000000); --debug: the order-0 pair\n"
	"with each page debugging option (default 200000 pairs). --quick: a\n"
	"smoke run (one run of 2000 pairs; the figures mean nothing).\n";

#define MAX_RUNS 9
static unsigned int runs = MAX_RUNS;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct config {
	const char *name;
	unsigned int order;
	bool pcp;
	int batch; /* 0: pairs; else allocate `batch`, then free them */
	int threads;
};

static const struct config configs[] = {
	{ "order 0, pcp on", 0, true, 0, 1 },
	{ "order 0, pcp off", 0, false, 0, 1 },
	{ "order 3, pcp on", 3, true, 0, 1 },
	{ "order 3, pcp off", 3, false, 0, 1 },
	{ "order 0 x64 batch, pcp on", 0, true, 64, 1 },
	{ "order 0 x64 batch, pcp off", 0, false, 64, 1 },
	{ "order 0, pcp on, 2 threads", 0, true, 0, 2 },
	{ "order 0, pcp off, 2 threads", 0, false, 0, 2 },
};
#define NR_CONFIGS (sizeof(configs) / sizeof(configs[0]))

struct job {
	const struct config *c;
	int cpu;
	long n;
	double ns;
};

static void *run(void *arg)
{
	struct job *j = arg;
	const struct config *c = j->c;
	struct page *pages[64];
	double t0;
	long i;
	int k;

	kmem_set_cpu(j->cpu); /* one simulated CPU per thread */
	t0 = now_ns();
	if (!c->batch) {
		for (i = 0; i < j->n; i++) {
			struct page *p = alloc_pages(GFP_KERNEL, c->order);

			if (!p)
				abort();
			__free_pages(p, c->order);
		}
	} else {
		for (i = 0; i < j->n; i += c->batch) {
			for (k = 0; k < c->batch; k++)
				if (!(pages[k] = alloc_pages(GFP_KERNEL,
							     c->order)))
					abort();
			for (k = 0; k < c->batch; k++)
				__free_pages(pages[k], c->order);
		}
	}
	j->ns = (now_ns() - t0) / (double)j->n;
	return NULL;
}

static double measure(const struct config *c, long n)
{
	struct job jobs[2];
	pthread_t th[2];
	double sum = 0;
	int i;

	page_alloc_set_pcp(c->pcp);
	for (i = 0; i < c->threads; i++) {
		jobs[i].c = c;
		jobs[i].n = n;
		jobs[i].cpu = i;
		pthread_create(&th[i], NULL, run, &jobs[i]);
	}
	for (i = 0; i < c->threads; i++) {
		pthread_join(th[i], NULL);
		sum += jobs[i].ns;
	}
	page_alloc_set_pcp(true);
	return sum / c->threads;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *const debug_options[] = {
	"",
	"init_on_alloc=1",
	"init_on_free=1",
	"page_poison=1",
	"debug_pagealloc=on",
	"page_owner=on",
};
#define NR_DEBUG (sizeof(debug_options) / sizeof(debug_options[0]))

static int bench_debug_options(long n)
{
	static const struct config pair = { "order 0, pcp on", 0, true, 0, 1 };
	static double res[NR_DEBUG][MAX_RUNS];
	unsigned int c, r;

	for (r = 0; r < runs; r++) {
		for (c = 0; c < NR_DEBUG; c++) {
			struct kmem_config cfg = { .ram = 1ULL << 30,
						   .layout = KMEM_LAYOUT_X86_64,
						   .cpus = 2,
						   .quiet = true,
						   .cmdline =
							   debug_options[c] };

			if (kmem_boot(&cfg))
				return 1;
			measure(&pair, n / 20); /* warm up */
			res[c][r] = measure(&pair, n);
			if (!kmem_check_invariants())
				return 1;
			kmem_halt();
		}
	}
	printf("alloc_pages + __free_pages, order 0, pcp on: ns per pair, median "
	       "of %d interleaved boots, %ld pairs each, 1 GiB x86-64 machine\n\n",
	       runs, n);
	printf("| %-22s | %8s | %8s | %8s | %7s |\n", "command line", "median",
	       "min", "max", "x off");
	printf("|:-----------------------|---------:|---------:|---------:|--------:|\n");
	for (c = 0; c < NR_DEBUG; c++)
		qsort(res[c], runs, sizeof(double), cmp);
	for (c = 0; c < NR_DEBUG; c++)
		printf("| %-22s | %8.1f | %8.1f | %8.1f | %6.1fx |\n",
		       *debug_options[c] ? debug_options[c] : "(none)",
		       res[c][runs / 2], res[c][0], res[c][runs - 1],
		       res[c][runs / 2] / res[0][runs / 2]);
	return 0;
}

int main(int argc, char **argv)
{
	struct kmem_config cfg = { .ram = 1ULL << 30,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = 2,
				   .quiet = true };
	static double res[NR_CONFIGS][MAX_RUNS];
	long n, quick_n = 0;
	unsigned int c, r;
	bool debug;

	bench_help(argc, argv, usage);
	if (bench_quick(&argc, argv)) {
		runs = 1;
		quick_n = 2000;
	}
	debug = argc > 1 && !strcmp(argv[1], "--debug");
	if (argc > 2 + debug)
		bench_bad("bench_page_alloc", "unexpected argument",
			  argv[argc - 1], usage);
	if (argc > 1 + debug)
		n = bench_count("bench_page_alloc", argv[1 + debug],
				1000000000L, usage);
	else
		n = quick_n ? quick_n : debug ? 200000 : 1000000;
	if (debug)
		return bench_debug_options(n);

	if (kmem_boot(&cfg))
		return 1;
	/* Warm up: fault in the struct pages and the direct map. */
	for (c = 0; c < NR_CONFIGS; c++)
		measure(&configs[c], n / 20);
	for (r = 0; r < runs; r++)
		for (c = 0; c < NR_CONFIGS; c++)
			res[c][r] = measure(&configs[c], n);
	printf("alloc_pages + __free_pages: ns per pair (per thread), median of %d "
	       "interleaved runs of %ld, 1 GiB x86-64 machine, 2 simulated CPUs\n\n",
	       runs, n);
	printf("| %-28s | %8s | %8s | %8s |\n", "configuration", "median",
	       "min", "max");
	printf("|:-----------------------------|---------:|---------:|---------:|\n");
	for (c = 0; c < NR_CONFIGS; c++) {
		qsort(res[c], runs, sizeof(double), cmp);
		printf("| %-28s | %8.1f | %8.1f | %8.1f |\n", configs[c].name,
		       res[c][runs / 2], res[c][0], res[c][runs - 1]);
	}
	printf("\nratio pcp off / on, order 0: %.2fx; order 3: %.2fx; 2 threads: %.2fx\n",
	       res[1][runs / 2] / res[0][runs / 2],
	       res[3][runs / 2] / res[2][runs / 2],
	       res[7][runs / 2] / res[6][runs / 2]);
	if (!kmem_check_invariants())
		return 1;
	kmem_halt();
	return 0;
}
