// SPDX-License-Identifier: MIT
/*
 * kmalloc(64) + kfree and kmem_cache_alloc + kmem_cache_free against the C
 * library's malloc/free and, when installed, jemalloc, mimalloc and tcmalloc
 * (loaded with dlopen, so the build never depends on them). Two patterns:
 *   pair   allocate one object and free it at once (ping-pong)
 *   batch  allocate 64 objects, then free the 64
 * each single-threaded and with 2 threads running the same loop at once.
 * Every allocation writes one byte of the object (so no allocator can skip
 * touching it and no compiler can elide the pair). The figure is nanoseconds
 * per allocate+free pair, the median of 9 runs; the ratio is against glibc.
 *
 *   ./build/bench/bench_kmalloc [iterations]
 *
 * Instruction counts (repeatable where time is not): `--one NAME PATTERN N`
 * runs one allocator's loop once, N pairs, in the main thread, and exits;
 * NAME is kmalloc, kmem_cache, glibc, jemalloc, mimalloc or tcmalloc, PATTERN
 * pair or batch. Under valgrind --tool=callgrind, the difference between the
 * totals of N = 200000 and N = 100000 divided by 100000 is the instructions
 * per pair, free of start-up costs (docs/PERFORMANCE.md).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/slab.h>
#include <kmem/kmem.h>
#include "bench.h"

static const char usage[] =
	"usage: bench_kmalloc [--quick] [ITERATIONS]\n"
	"       bench_kmalloc --one NAME PATTERN N\n"
	"kmalloc/kmem_cache pairs and batches against glibc, jemalloc, mimalloc\n"
	"and tcmalloc (those installed), 1 and 2 threads; ITERATIONS pairs per\n"
	"run (default 2000000). --one: one loop of N pairs of NAME (kmalloc,\n"
	"kmem_cache, glibc, jemalloc, mimalloc, tcmalloc), PATTERN pair or batch,\n"
	"for callgrind. --quick: a smoke run (one run of 2000 pairs; the figures\n"
	"mean nothing).\n";

#define OBJ 64
#define BATCH 64
#define MAX_RUNS 9
static int runs = MAX_RUNS;

struct allocator {
	const char *name;
	void *(*alloc)(size_t);
	void (*free)(void *);
	bool kernel; /* kmalloc / kmem_cache */
	int kind;    /* 0: kmalloc, 1: kmem_cache */
};

static struct kmem_cache *bench_cache;
static long iterations = 2000000;

static inline void touch(void *p)
{
	*(volatile char *)p = 1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The loops are specialised per allocator kind so that kmalloc's constant
 * size reaches the inline cache choice, as it would in kernel code. */
static double run_pairs(const struct allocator *a, long n)
{
	double t0 = now_ns();
	long i;

	if (a->kernel && !a->kind) {
		for (i = 0; i < n; i++) {
			void *p = kmalloc(OBJ, GFP_KERNEL);

			touch(p);
			kfree(p);
		}
	} else if (a->kernel) {
		for (i = 0; i < n; i++) {
			void *p = kmem_cache_alloc(bench_cache, GFP_KERNEL);

			touch(p);
			kmem_cache_free(bench_cache, p);
		}
	} else {
		for (i = 0; i < n; i++) {
			void *p = a->alloc(OBJ);

			touch(p);
			a->free(p);
		}
	}
	return (now_ns() - t0) / n;
}

/* Specialised per kind like run_pairs(), so that every allocator's loop
 * does the same work around its calls: a direct call (kmalloc with its
 * constant size, kmem_cache) or one indirect call (the peers). */
#define BATCH_LOOP(alloc_expr, free_stmt)     \
	for (r = 0; r < rounds; r++) {        \
		for (i = 0; i < BATCH; i++) { \
			p[i] = (alloc_expr);  \
			touch(p[i]);          \
		}                             \
		for (i = 0; i < BATCH; i++)   \
			free_stmt;            \
	}

static double run_batches(const struct allocator *a, long n)
{
	void *p[BATCH];
	long rounds = n / BATCH, r;
	double t0 = now_ns();
	int i;

	if (a->kernel && !a->kind)
		BATCH_LOOP(kmalloc(OBJ, GFP_KERNEL), kfree(p[i]))
	else if (a->kernel)
		BATCH_LOOP(kmem_cache_alloc(bench_cache, GFP_KERNEL),
			   kmem_cache_free(bench_cache, p[i]))
	else
		BATCH_LOOP(a->alloc(OBJ), a->free(p[i]))
	return (now_ns() - t0) / (rounds * BATCH);
}

struct job {
	const struct allocator *a;
	bool batch;
	double ns;
	pthread_barrier_t *start;
};

static void *job_thread(void *arg)
{
	struct job *j = arg;

	pthread_barrier_wait(j->start);
	j->ns = j->batch ? run_batches(j->a, iterations) :
			   run_pairs(j->a, iterations);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ns per pair of one run with `threads` threads at once (the mean of the
 * threads' per-pair times). */
static double measure_once(const struct allocator *a, bool batch, int threads)
{
	pthread_barrier_t start;
	struct job jobs[2];
	pthread_t tid[2];
	double sum = 0;
	int t;

	pthread_barrier_init(&start, NULL, (unsigned int)threads);
	for (t = 0; t < threads; t++) {
		jobs[t] = (struct job){ a, batch, 0, &start };
		pthread_create(&tid[t], NULL, job_thread, &jobs[t]);
	}
	for (t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		sum += jobs[t].ns;
	}
	pthread_barrier_destroy(&start);
	return sum / threads;
}

/* --one NAME PATTERN N: one loop of one allocator (for callgrind). */
static int run_one(const struct allocator *al, int n, const char *name,
		   const char *pattern, long pairs)
{
	static const char *const short_names[] = { "kmalloc", "kmem_cache",
						   "glibc" };
	int i;

	for (i = 0; i < n; i++) {
		const char *sn = i < 3 ? short_names[i] : al[i].name;

		if (strcmp(sn, name))
			continue;
		if (!strcmp(pattern, "batch"))
			run_batches(&al[i], pairs);
		else
			run_pairs(&al[i], pairs);
		kmem_cache_destroy(bench_cache);
		return 0;
	}
	fprintf(stderr, "bench_kmalloc: no allocator %s here\n", name);
	return 1;
}

int main(int argc, char **argv)
{
	struct kmem_config cfg = { .ram = 512ULL << 20,
				   .cpus = 2,
				   .quiet = true };
	static double res[8][4][MAX_RUNS];
	struct allocator al[8];
	struct bench_peer peers[3];
	const char *tun = getenv("GLIBC_TUNABLES");
	int n = 0, np, i, c, r;

	/* jemalloc's initial-exec TLS does not fit the static TLS surplus a
	 * dlopen'd library gets by default: ask the loader for more, once. */
	if (!tun || !strstr(tun, "optional_static_tls")) {
		setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=16384",
		       1);
		execv("/proc/self/exe", argv);
	}
	bench_help(argc, argv, usage);
	if (bench_quick(&argc, argv)) {
		runs = 1;
		iterations = 2000;
	}
	if (argc > 1 && !strcmp(argv[1], "--one")) {
		if (argc != 5 ||
		    (strcmp(argv[3], "pair") && strcmp(argv[3], "batch")))
			bench_bad("bench_kmalloc", "bad --one arguments after",
				  argv[1], usage);
		bench_count("bench_kmalloc", argv[4], 1000000000L, usage);
	} else if (argc > 2) {
		bench_bad("bench_kmalloc", "unexpected argument", argv[2],
			  usage);
	} else if (argc > 1) {
		iterations = bench_count("bench_kmalloc", argv[1], 1000000000L,
					 usage);
	}
	kmem_boot(&cfg);
	bench_cache = kmem_cache_create("bench64", OBJ, 0, 0, NULL);

	al[n++] =
		(struct allocator){ "kmalloc(64)/kfree", NULL, NULL, true, 0 };
	al[n++] = (struct allocator){ "kmem_cache_alloc/free", NULL, NULL, true,
				      1 };
	al[n++] = (struct allocator){ "glibc malloc/free", malloc, free, false,
				      0 };
	np = bench_load_peers(peers);
	for (i = 0; i < np; i++)
		al[n++] = (struct allocator){ .name = peers[i].name,
					      .alloc = peers[i].alloc,
					      .free = peers[i].free };

	if (argc == 5 && !strcmp(argv[1], "--one"))
		return run_one(al, n, argv[2], argv[3], atol(argv[4]));

	/* Runs are interleaved (run r of every allocator and column, then run
	 * r + 1) so that the machine's noise spreads over all of them. */
	for (r = 0; r < runs; r++)
		for (c = 0; c < 4; c++)
			for (i = 0; i < n; i++)
				res[i][c][r] = measure_once(&al[i], c & 1,
							    c < 2 ? 1 : 2);
	for (i = 0; i < n; i++)
		for (c = 0; c < 4; c++)
			qsort(res[i][c], runs, sizeof(double), cmp_double);

	printf("ns per allocate+free pair of %d bytes, median of %d interleaved runs of %ld pairs\n",
	       OBJ, runs, iterations);
	printf("(ratio: against glibc in the same column; 2 threads: each thread's time)\n\n");
	printf("| %-22s | %14s | %14s | %14s | %14s |\n", "allocator",
	       "pair 1T", "batch64 1T", "pair 2T", "batch64 2T");
	printf("|------------------------|----------------|----------------|----------------|----------------|\n");
	for (i = 0; i < n; i++) {
		printf("| %-22s |", al[i].name);
		for (c = 0; c < 4; c++) {
			double v = res[i][c][runs / 2], g = res[2][c][runs / 2];

			printf(" %6.2f (%4.2fx) |", v, v / g);
		}
		printf("\n");
	}
	kmem_cache_destroy(bench_cache);
	return 0;
}
