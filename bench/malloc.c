// SPDX-License-Identifier: MIT
/*
 * kmem's malloc (libc/malloc.c, inside a simulated process) beside the host
 * glibc's malloc, on the same workloads in the same run:
 *   pair N     malloc(N) + free, 2,000,000 times (the tcache fast path)
 *   mixed L    a live set of L objects (1,024: ~2 MiB; 8,192: ~16 MiB) of
 *              16..4,096 bytes (a few of 64 KiB), 2,000,000 random
 *              replacements
 * Each is timed once cold (the first pass: in kmem every new heap page is a
 * real page fault of the simulated process) and then as the best of 7 warm
 * passes (pages resident), kmem and glibc alternating. The goal is a warm ratio within 1.3x: the
 * algorithm is glibc's; only the memory behind it differs.
 *
 *   ./build/bench/bench_malloc
 *
 * Instruction counts (repeatable where time is not): `--one SIDE N PAIRS`
 * runs one loop of PAIRS malloc(N) + free pairs of one side (kmem or glibc)
 * inside the process, after one warm-up pair, and exits: under
 * `valgrind --tool=callgrind` the difference of two PAIRS values divided by
 * their difference is the cost of one pair.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kmem/kmem.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include "bench.h"

static const char usage[] =
	"usage: bench_malloc [--quick]\n"
	"       bench_malloc --one kmem|glibc SIZE PAIRS\n"
	"kmem's malloc (in a simulated process) beside the host glibc: pairs and\n"
	"mixed live sets, cold and warm. --one: one loop of PAIRS malloc(SIZE) +\n"
	"free pairs of one side, untimed (for callgrind). --quick: a smoke run\n"
	"(one pass of 2000 operations each; the figures mean nothing).\n";

#define MAX_RUNS 7
static unsigned int runs = MAX_RUNS;
static long pairs_n = 2000000, mixed_n = 2000000;
#define LIVE 8192

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

static void *live[LIVE];

/* The workloads, written once for each allocator (direct calls both). */
#define WORKLOADS(prefix, MALLOC, FREE)                                     \
	static double prefix##_pair(size_t n)                               \
	{                                                                   \
		unsigned long long t0 = now_ns();                           \
		long i;                                                     \
                                                                            \
		for (i = 0; i < pairs_n; i++) {                             \
			char *p = MALLOC(n);                                \
			__asm__ volatile("" : : "r"(p) : "memory");         \
			FREE(p);                                            \
		}                                                           \
		return (double)(now_ns() - t0) / pairs_n;                   \
	}                                                                   \
	static double prefix##_mixed(unsigned int nlive)                    \
	{                                                                   \
		uint64_t s = 42;                                            \
		unsigned long long t0 = now_ns();                           \
		long i;                                                     \
                                                                            \
		for (i = 0; i < mixed_n; i++) {                             \
			unsigned int k, r;                                  \
			size_t n;                                           \
                                                                            \
			s = s * 6364136223846793005ULL +                    \
			    1442695040888963407ULL;                         \
			r = (unsigned int)(s >> 33);                        \
			k = r % nlive;                                      \
			n = (r >> 13) % 1000 < 995 ? 16 + (r >> 3) % 4080 : \
						     65536;                 \
			FREE(live[k]);                                      \
			live[k] = MALLOC(n);                                \
			*(char *)live[k] = 1;                               \
		}                                                           \
		for (i = 0; i < (long)nlive; i++) {                         \
			FREE(live[i]);                                      \
			live[i] = NULL;                                     \
		}                                                           \
		return (double)(now_ns() - t0) / mixed_n;                   \
	}

WORKLOADS(host, malloc, free)
WORKLOADS(kmem, kmem_malloc, kmem_free)

struct result {
	double cold, warm;
};

static const size_t pair_sizes[] = { 16, 64, 256, 1024 };
#define NPAIRS (sizeof(pair_sizes) / sizeof(pair_sizes[0]))
#define NWORK (NPAIRS + 2)
static const unsigned int mixed_live[] = { 1024, LIVE };

static double run(int kmem_side, unsigned int w)
{
	if (w < NPAIRS)
		return kmem_side ? kmem_pair(pair_sizes[w]) :
				   host_pair(pair_sizes[w]);
	return kmem_side ? kmem_mixed(mixed_live[w - NPAIRS]) :
			   host_mixed(mixed_live[w - NPAIRS]);
}

static struct result host[NWORK], kmem[NWORK];

/*
 * Inside the process for both sides (the host's malloc works there too), the
 * two alternating so that a burst of load on the shared machine hits both:
 * the warm figure is the best of RUNS passes.
 */
static int in_process(void *arg)
{
	unsigned int w, i;

	for (w = 0; w < NWORK; w++) {
		if (w >= NPAIRS && getenv("BENCH_MALLOC_PAIRS_ONLY"))
			break;
		kmem[w].cold = run(1, w);
		host[w].cold = run(0, w);
		kmem[w].warm = host[w].warm = 1e30;
		for (i = 0; i < runs; i++) {
			double k = run(1, w), h = run(0, w);

			if (k < kmem[w].warm)
				kmem[w].warm = k;
			if (h < host[w].warm)
				host[w].warm = h;
		}
	}
	return 0;
}

/* --one: the loop alone, after a first pair that sets up the tcache. */
static int one_kmem, one_size;
static long one_pairs;

static int one(void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i <= one_pairs; i++) {
		char *p = one_kmem ? kmem_malloc((size_t)one_size) :
				     malloc((size_t)one_size);

		__asm__ volatile("" : : "r"(p) : "memory");
		if (one_kmem)
			kmem_free(p);
		else
			free(p);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct kmem_process *p;
	struct kmem_process_info in;
	unsigned int w;
	int (*body)(void *) = in_process;

	bench_help(argc, argv, usage);
	if (bench_quick(&argc, argv)) {
		runs = 1;
		pairs_n = mixed_n = 2000;
	}
	if (argc > 1 && !strcmp(argv[1], "--one")) {
		if (argc != 5 ||
		    (strcmp(argv[2], "kmem") && strcmp(argv[2], "glibc")))
			bench_bad("bench_malloc", "bad --one arguments after",
				  argv[1], usage);
		one_kmem = !strcmp(argv[2], "kmem");
		one_size = (int)bench_count("bench_malloc", argv[3], 1 << 20,
					    usage);
		one_pairs =
			bench_count("bench_malloc", argv[4], 1L << 40, usage);
		body = one;
	} else if (argc > 1) {
		bench_bad("bench_malloc", "unexpected argument", argv[1],
			  usage);
	}
	kmem_boot_default();
	p = kmem_process_create("bench");
	if (!p || kmem_process_run(p, body, NULL) != 0) {
		fprintf(stderr, "bench_malloc: the process failed\n");
		return 1;
	}
	kmem_process_info(p, &in);
	kmem_process_exit(p);
	if (body == one)
		return 0;

	printf("%-12s %12s %12s %12s %12s %8s\n", "workload", "glibc cold",
	       "kmem cold", "glibc warm", "kmem warm", "ratio");
	for (w = 0; w < NWORK; w++) {
		char name[32];

		if (w < NPAIRS)
			snprintf(name, sizeof(name), "pair %zu", pair_sizes[w]);
		else
			snprintf(name, sizeof(name), "mixed %u",
				 mixed_live[w - NPAIRS]);
		printf("%-12s %9.1f ns %9.1f ns %9.1f ns %9.1f ns %7.2fx\n",
		       name, host[w].cold, kmem[w].cold, host[w].warm,
		       kmem[w].warm, kmem[w].warm / host[w].warm);
	}
	printf("kmem process: %lu minor faults, %lu kB resident at the end\n",
	       in.min_flt, in.rss_anon * 4);
	return 0;
}
