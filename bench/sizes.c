// SPDX-License-Identifier: MIT
/*
 * kmalloc + kfree by size against the C library's malloc/free and, when
 * installed, jemalloc, mimalloc and tcmalloc (dlopen'd, as bench_kmalloc):
 * nanoseconds per allocate+touch+free pair at each power of two from 8 bytes
 * to 64 KiB (above 8 KiB kmalloc goes to the page allocator), one thread, the
 * median of 7 interleaved runs, in CPU time of the thread
 * (CLOCK_THREAD_CPUTIME_ID, as bench_live and bench_vmalloc: the wall time
 * of a run of a few ms counts whatever job preempts it on a loaded
 * machine). The size is a variable, so kmalloc takes its out-of-line size
 * lookup (bench_kmalloc measures the constant-size
 * inline path). `--data FILE` also writes the table as columns for gnuplot
 * (scripts/bench.sh draws docs/bench-sizes.svg from it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/slab.h>
#include <kmem/kmem.h>
#include "bench.h"

#define MAX_RUNS 7
#define NR_SIZES 14 /* 8 B .. 64 KiB */
#define MAX_AL 5

static const char usage[] =
	"usage: bench_sizes [PAIRS] [--data FILE] [--quick]\n"
	"kmalloc/kfree against glibc, jemalloc, mimalloc and tcmalloc (those\n"
	"installed) by size, 8 B to 64 KiB: ns per allocate+touch+free pair,\n"
	"median of 7 runs of PAIRS pairs (default 200000), thread CPU time.\n"
	"--data FILE: the table as whitespace-separated columns (size, then one\n"
	"column per allocator).\n"
	"--quick: a smoke run (one run of 1000 pairs; the figures mean nothing).\n";

struct allocator {
	const char *name;
	void *(*alloc)(size_t);
	void (*free)(void *);
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double run(const struct allocator *a, size_t size, long n)
{
	double t0 = now_ns();
	long i;

	if (!a->alloc) {
		for (i = 0; i < n; i++) {
			void *p = kmalloc(size, GFP_KERNEL);

			*(volatile char *)p = 1;
			kfree(p);
		}
	} else {
		for (i = 0; i < n; i++) {
			void *p = a->alloc(size);

			*(volatile char *)p = 1;
			a->free(p);
		}
	}
	return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	struct kmem_config cfg = { .ram = 512ULL << 20,
				   .cpus = 1,
				   .quiet = true };
	static double res[MAX_AL][NR_SIZES][MAX_RUNS];
	const char *tun = getenv("GLIBC_TUNABLES"), *data = NULL;
	struct allocator al[MAX_AL];
	struct bench_peer peers[3];
	long pairs = 200000;
	int n = 0, np, i, s, r, runs = MAX_RUNS;
	FILE *f;

	bench_help(argc, argv, usage);
	/* jemalloc's initial-exec TLS needs a larger static TLS surplus. */
	if (!tun || !strstr(tun, "optional_static_tls")) {
		setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=16384",
		       1);
		execv("/proc/self/exe", argv);
	}
	if (bench_quick(&argc, argv)) {
		runs = 1;
		pairs = 1000;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (argv[i][0] != '-')
			pairs = bench_count("bench_sizes", argv[i], 1000000000L,
					    usage);
		else
			bench_bad("bench_sizes", "unexpected argument", argv[i],
				  usage);
	}
	if (kmem_boot(&cfg))
		return 1;
	al[n++] = (struct allocator){ "kmalloc", NULL, NULL };
	al[n++] = (struct allocator){ "glibc", malloc, free };
	np = bench_load_peers(peers);
	for (i = 0; i < np; i++)
		al[n++] = (struct allocator){ .name = peers[i].name,
					      .alloc = peers[i].alloc,
					      .free = peers[i].free };
	for (r = 0; r < runs; r++)
		for (s = 0; s < NR_SIZES; s++)
			for (i = 0; i < n; i++)
				res[i][s][r] =
					run(&al[i], (size_t)8 << s, pairs);
	for (i = 0; i < n; i++)
		for (s = 0; s < NR_SIZES; s++)
			qsort(res[i][s], runs, sizeof(double), cmp_double);

	printf("ns per allocate+touch+free pair by size, median of %d interleaved runs "
	       "of %ld pairs, 1 thread, thread CPU time\n\n| %8s |",
	       runs, pairs, "size");
	for (i = 0; i < n; i++)
		printf(" %9s |", al[i].name);
	printf("\n|---------:|");
	for (i = 0; i < n; i++)
		printf("----------:|");
	printf("\n");
	for (s = 0; s < NR_SIZES; s++) {
		printf("| %8lu |", 8ul << s);
		for (i = 0; i < n; i++)
			printf(" %9.1f |", res[i][s][runs / 2]);
		printf("\n");
	}
	if (data) {
		f = fopen(data, "w");
		if (!f) {
			perror(data);
			return 1;
		}
		fprintf(f, "size");
		for (i = 0; i < n; i++)
			fprintf(f, " %s", al[i].name);
		fprintf(f, "\n");
		for (s = 0; s < NR_SIZES; s++) {
			fprintf(f, "%lu", 8ul << s);
			for (i = 0; i < n; i++)
				fprintf(f, " %.2f", res[i][s][runs / 2]);
			fprintf(f, "\n");
		}
		fclose(f);
	}
	kmem_halt();
	return 0;
}
