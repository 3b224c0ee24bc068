// SPDX-License-Identifier: MIT
/*
 * kmalloc/kfree with live sets of mixed sizes, as a program uses an
 * allocator (issue 12), against the C library and, when installed,
 * jemalloc, mimalloc and tcmalloc (loaded with dlopen). Workloads:
 *   mixed1k     1,000 live objects of sizes 8..2048 (a fixed pseudo-random
 *               sequence), allocated, then freed in a random order; again
 *   mixed100k   the same with 100,000 live objects
 *   mixed1k-2T  mixed1k in 2 threads at once (each thread's time)
 *   small1k     mixed1k with sizes 8..256
 *   logu1k      1,000 live objects, sizes log-uniform in 8..8192
 *   prodcons    one thread allocates (sizes 8..2048), another frees, through
 *               a ring of 1,024 slots
 *   larson      2 threads replace random slots of one shared array of
 *               1,000 objects (sizes 8..2048): each frees objects the other
 *               allocated (a server's request/response pattern)
 * Each allocation writes one byte. The figure is ns per allocate+free pair
 * in CPU time of the measuring thread (CLOCK_THREAD_CPUTIME_ID: a shared,
 * loaded machine does not inflate it as it does wall time; for prodcons it
 * is the producer's, which includes its waits for a free ring slot), the
 * median of RUNS interleaved runs; ratios against glibc and the best peer
 * (the fastest non-kmem allocator of the same run), the median of the
 * runs' ratios.
 *
 * --sets: ns per pair by the size of the live set instead, 100, 1,000,
 * 10,000, 100,000 and 1,000,000 objects of sizes 8..2048 (mixed1k's
 * sequence), each set allocated then freed in a random order, at least
 * PAIRS pairs per run (one pass of the set when it is larger), after one
 * untimed pass of each allocator (a first run would otherwise time the
 * page faults of memory no later run faults again); the machine has 4 GiB
 * of RAM for it (1M objects take about 1.4 GB in kmalloc's caches).
 * --data FILE writes that table as columns for gnuplot (scripts/bench.sh
 * draws docs/bench-live.svg from it).
 *
 *   ./build/bench/bench_live [pairs-per-run]
 *   ./build/bench/bench_live --sets [--data FILE] [pairs-per-run]
 *   ./build/bench/bench_live --one NAME WORKLOAD PAIRS   (ns per pair on stderr)
 *   ./build/bench/bench_live --help
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/slab.h>
#include <kmem/kmem.h>
#include "bench.h"

#define RUNS 9
static int runs = RUNS;
#define SEQ 65536 /* sizes and free orders are taken from fixed tables */

struct allocator {
	const char *name;
	void *(*alloc)(size_t);
	void (*free)(void *);
	bool kernel;
};

static void *kmalloc_wrap(size_t n)
{
	return kmalloc(n, GFP_KERNEL);
}

static void kfree_wrap(void *p)
{
	kfree(p);
}

static long pairs = 500000;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Size tables: uniform 8..2048, uniform 8..256, log-uniform 8..8192. */
static unsigned short sz_mixed[SEQ], sz_small[SEQ], sz_logu[SEQ];

static void make_tables(void)
{
	unsigned int i;

	for (i = 0; i < SEQ; i++) {
		sz_mixed[i] = (unsigned short)(8 + rnd() % 2041);
		sz_small[i] = (unsigned short)(8 + rnd() % 249);
		sz_logu[i] = (unsigned short)exp(
			log(8.0) + (double)(rnd() % 1000000) / 1000000.0 *
					   (log(8192.0) - log(8.0)));
	}
}

static inline void touch(void *p)
{
	*(volatile char *)p = 1;
}

/* The call of one allocator: kmalloc is called directly (a variable size:
 * __kmalloc), the peers through their pointers. */
#define A_ALLOC(a, n) ((a)->kernel ? kmalloc((n), GFP_KERNEL) : (a)->alloc(n))
#define A_FREE(a, p)                  \
	do {                          \
		if ((a)->kernel)      \
			kfree(p);     \
		else                  \
			(a)->free(p); \
	} while (0)

/* live objects of sizes from `sz`, allocated then freed in a shuffled
 * order, until `n` pairs; ns per pair. */
static double run_live(const struct allocator *a, const unsigned short *sz,
		       unsigned int live, long n, unsigned int seed)
{
	void **p = malloc(live * sizeof(void *));
	unsigned int *order = malloc(live * sizeof(unsigned int));
	unsigned int i, k = seed % SEQ;
	long done = 0;
	double t0;

	for (i = 0; i < live; i++)
		order[i] = i;
	for (i = live - 1; i > 0; i--) { /* a fixed permutation */
		unsigned int j =
			(unsigned int)(((uint64_t)i * 2654435761u + seed) %
				       (i + 1));
		unsigned int t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	t0 = now_ns();
	while (done < n) {
		for (i = 0; i < live; i++) {
			p[i] = A_ALLOC(a, sz[k]);
			touch(p[i]);
			k = (k + 1) & (SEQ - 1);
		}
		for (i = 0; i < live; i++)
			A_FREE(a, p[order[i]]);
		done += live;
	}
	t0 = (now_ns() - t0) / done;
	free(p);
	free(order);
	return t0;
}

/* ---- producer / consumer -------------------------------------------------- */

#define RING 1024
struct ring {
	_Atomic(void *) slot[RING];
	const struct allocator *a;
	long n;
};

static void *consumer(void *arg)
{
	struct ring *r = arg;
	long i;

	for (i = 0; i < r->n; i++) {
		_Atomic(void *) *s = &r->slot[i % RING];
		void *p;

		while (!(p = atomic_exchange_explicit(s, NULL,
						      memory_order_acquire)))
			;
		A_FREE(r->a, p);
	}
	return NULL;
}

static double run_prodcons(const struct allocator *a, long n)
{
	struct ring *r = calloc(1, sizeof(*r));
	pthread_t tid;
	unsigned int k = 0;
	double t0;
	long i;

	r->a = a;
	r->n = n;
	t0 = now_ns();
	pthread_create(&tid, NULL, consumer, r);
	for (i = 0; i < n; i++) {
		_Atomic(void *) *s = &r->slot[i % RING];
		void *p = A_ALLOC(a, sz_mixed[k]);

		k = (k + 1) & (SEQ - 1);
		touch(p);
		while (atomic_load_explicit(s, memory_order_relaxed))
			;
		atomic_store_explicit(s, p, memory_order_release);
	}
	pthread_join(tid, NULL);
	t0 = (now_ns() - t0) / n;
	free(r);
	return t0;
}

/* ---- larson-style ------------------------------------------------------------ */

#define LARSON_SLOTS 1000
struct larson {
	_Atomic(void *) slot[LARSON_SLOTS];
	const struct allocator *a;
	long n;
	pthread_barrier_t start;
};

struct larson_job {
	struct larson *l;
	unsigned int seed;
	double ns;
};

static void *larson_thread(void *arg)
{
	struct larson_job *j = arg;
	struct larson *l = j->l;
	uint64_t x = j->seed * 0x9e3779b97f4a7c15ULL + 1;
	unsigned int k = j->seed * 7919u % SEQ;
	double t0;
	long i;

	pthread_barrier_wait(&l->start);
	t0 = now_ns();
	for (i = 0; i < l->n; i++) {
		void *p = A_ALLOC(l->a, sz_mixed[k]), *old;

		k = (k + 1) & (SEQ - 1);
		touch(p);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		old = atomic_exchange_explicit(&l->slot[x % LARSON_SLOTS], p,
					       memory_order_acq_rel);
		if (old)
			A_FREE(l->a, old);
	}
	j->ns = (now_ns() - t0) / l->n;
	return NULL;
}

static double run_larson(const struct allocator *a, long n)
{
	struct larson *l = calloc(1, sizeof(*l));
	struct larson_job jobs[2];
	pthread_t tid[2];
	unsigned int i;
	double ns = 0;

	l->a = a;
	l->n = n;
	pthread_barrier_init(&l->start, NULL, 2);
	for (i = 0; i < 2; i++) {
		jobs[i] = (struct larson_job){ l, i + 1, 0 };
		pthread_create(&tid[i], NULL, larson_thread, &jobs[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(tid[i], NULL);
		ns += jobs[i].ns / 2;
	}
	for (i = 0; i < LARSON_SLOTS; i++)
		if (l->slot[i])
			A_FREE(a, l->slot[i]);
	pthread_barrier_destroy(&l->start);
	free(l);
	return ns;
}

/* ---- 2 threads of mixed1k ------------------------------------------------------ */

struct live_job {
	const struct allocator *a;
	long n;
	unsigned int seed;
	double ns;
	pthread_barrier_t *start;
};

static void *live_thread(void *arg)
{
	struct live_job *j = arg;

	pthread_barrier_wait(j->start);
	j->ns = run_live(j->a, sz_mixed, 1000, j->n, j->seed);
	return NULL;
}

static double run_live_2t(const struct allocator *a, long n)
{
	pthread_barrier_t start;
	struct live_job jobs[2];
	pthread_t tid[2];
	double ns = 0;
	int i;

	pthread_barrier_init(&start, NULL, 2);
	for (i = 0; i < 2; i++) {
		jobs[i] = (struct live_job){ a, n,
					     17u + (unsigned int)i * 1000u, 0,
					     &start };
		pthread_create(&tid[i], NULL, live_thread, &jobs[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(tid[i], NULL);
		ns += jobs[i].ns / 2;
	}
	pthread_barrier_destroy(&start);
	return ns;
}

/* ---- the table -------------------------------------------------------------------- */

static const char *const workloads[] = { "mixed1k", "mixed100k", "mixed1k-2T",
					 "small1k", "logu1k",	 "prodcons",
					 "larson" };
#define NW (int)(sizeof(workloads) / sizeof(workloads[0]))

static double run_workload(const struct allocator *a, int w, long n)
{
	switch (w) {
	case 0:
		return run_live(a, sz_mixed, 1000, n, 17);
	case 1:
		return run_live(a, sz_mixed, 100000, n, 17);
	case 2:
		return run_live_2t(a, n);
	case 3:
		return run_live(a, sz_small, 1000, n, 17);
	case 4:
		return run_live(a, sz_logu, 1000, n, 17);
	case 5:
		return run_prodcons(a, n);
	default:
		return run_larson(a, n);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The live-set sizes of --sets (--quick: the first three). */
static const unsigned int live_sets[] = { 100, 1000, 10000, 100000, 1000000 };
#define NS (int)(sizeof(live_sets) / sizeof(live_sets[0]))

static void usage(FILE *f)
{
	int w;

	fprintf(f,
		"usage: bench_live [--runs N] [--quick] [PAIRS]\n"
		"       bench_live --sets [--max N] [--data FILE] [--runs N] [--quick]\n"
		"                  [PAIRS]\n"
		"       bench_live --one NAME WORKLOAD PAIRS\n"
		"kmalloc/kfree against glibc, jemalloc, mimalloc and tcmalloc (those\n"
		"installed) with live sets of mixed sizes, ns per allocate+free pair,\n"
		"median of N interleaved runs (default %d) of PAIRS pairs (default\n"
		"%ld). The table: one row per workload. --sets: one row per live-set\n"
		"size (100 to "
		"1,000,000 objects of sizes 8..2048, freed in a random order);\n"
		"--max N: the sets up to N objects only; --data FILE writes the table\n"
		"as columns (live-set size, then one per allocator).\n"
		"--quick: a smoke run (one run of 2000 pairs, sets up to 10,000; the\n"
		"figures mean nothing). --one: one loop of PAIRS pairs of NAME\n"
		"(kmalloc glibc jemalloc mimalloc tcmalloc) in WORKLOAD, its ns per pair\n"
		"on stderr, for callgrind and A/B runs (workloads: ",
		RUNS, pairs);
	for (w = 0; w < NW; w++)
		fprintf(f, "%s%s", w ? " " : "", workloads[w]);
	fprintf(f, ").\n");
}

static void __attribute__((noreturn)) bad(const char *what, const char *arg)
{
	fprintf(stderr, "bench_live: %s '%s'\n", what, arg);
	usage(stderr);
	exit(2);
}

/* --sets: ns per pair by live-set size; the table, and the columns in
 * `data` when not NULL. */
static int live_sets_table(struct allocator *al, int n, int nsets,
			   const char *data)
{
	static double res[8][NS][RUNS], ratio[NS][RUNS];
	int i, s, r;
	FILE *f;

	for (s = 0; s < nsets; s++) /* one untimed pass each */
		for (i = 0; i < n; i++)
			run_live(&al[i], sz_mixed, live_sets[s], 1, 17);
	for (r = 0; r < runs; r++)
		for (s = 0; s < nsets; s++)
			for (i = 0; i < n; i++)
				res[i][s][r] = run_live(&al[i], sz_mixed,
							live_sets[s], pairs,
							17u + (unsigned int)r);
	for (s = 0; s < nsets; s++) {
		for (r = 0; r < runs; r++) {
			double best = 0;

			for (i = 1; i < n; i++)
				if (!best || res[i][s][r] < best)
					best = res[i][s][r];
			ratio[s][r] = res[0][s][r] / best;
		}
		qsort(ratio[s], runs, sizeof(double), cmp_double);
		for (i = 0; i < n; i++)
			qsort(res[i][s], runs, sizeof(double), cmp_double);
	}
	printf("ns per allocate+free pair by live-set size (sizes 8..2048, freed in a\n"
	       "random order), median of %d interleaved runs of at least %ld pairs\n"
	       "(ratio: kmalloc against the fastest other allocator of the same\n"
	       "run, the median of the runs' ratios)\n\n| live objects |",
	       runs, pairs);
	for (i = 0; i < n; i++)
		printf(" %s |", al[i].name);
	printf(" kmalloc/best |\n|---:|");
	for (i = 0; i < n + 1; i++)
		printf("---:|");
	printf("\n");
	for (s = 0; s < nsets; s++) {
		printf("| %u |", live_sets[s]);
		for (i = 0; i < n; i++)
			printf(" %.1f |", res[i][s][runs / 2]);
		printf(" %.2f |\n", ratio[s][runs / 2]);
	}
	if (!data)
		return 0;
	f = fopen(data, "w");
	if (!f) {
		perror(data);
		return 1;
	}
	fprintf(f, "live");
	for (i = 0; i < n; i++)
		fprintf(f, " %s", i ? al[i].name : "kmalloc");
	fprintf(f, "\n");
	for (s = 0; s < nsets; s++) {
		fprintf(f, "%u", live_sets[s]);
		for (i = 0; i < n; i++)
			fprintf(f, " %.2f", res[i][s][runs / 2]);
		fprintf(f, "\n");
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct kmem_config cfg = { .ram = 1024ULL << 20,
				   .cpus = 2,
				   .quiet = true };
	static double res[8][NW][RUNS], ratio[2][NW][RUNS];
	struct allocator al[8];
	struct bench_peer peers[3];
	const char *tun = getenv("GLIBC_TUNABLES"), *data = NULL;
	int n = 0, np, i, w, r, sets = 0;
	long max_set = 1000000;
	bool quick, one = argc > 1 && !strcmp(argv[1], "--one");

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
	if (!tun || !strstr(tun, "optional_static_tls")) {
		setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=16384",
		       1);
		execv("/proc/self/exe", argv);
	}
	quick = !one && bench_quick(&argc, argv);
	if (quick) {
		runs = 1;
		pairs = 2000;
	}
	for (i = 1; i < argc && !one; i++) {
		char *end;

		if (!strcmp(argv[i], "--sets")) {
			sets = quick ? 3 : NS;
		} else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			data = argv[++i];
		} else if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			long max = strtol(argv[++i], &end, 10);

			if (end == argv[i] || *end || max < live_sets[0])
				bad("not a live-set size from 100", argv[i]);
			max_set = max;
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			errno = 0;
			runs = (int)strtol(argv[++i], &end, 10);
			if (errno || end == argv[i] || *end || runs < 1 ||
			    runs > RUNS)
				bad("not a count from 1 to 9", argv[i]);
		} else if (argv[i][0] != '-') {
			errno = 0;
			pairs = strtol(argv[i], &end, 10);
			if (errno || end == argv[i] || *end || pairs <= 0)
				bad("not a count", argv[i]);
		} else {
			bad("unexpected argument", argv[i]);
		}
	}
	while (sets > 1 && live_sets[sets - 1] > max_set)
		sets--;
	if (data && !sets)
		bad("--data without --sets", data);
	if (one && argc != 5)
		bad("bad --one arguments after", argv[1]);
	if (sets && !quick)
		cfg.ram = 4ULL << 30;
	make_tables();
	if (kmem_boot(&cfg))
		return 1;
	al[n++] = (struct allocator){ "kmalloc/kfree", kmalloc_wrap, kfree_wrap,
				      true };
	al[n++] = (struct allocator){ "glibc", malloc, free, false };
	np = bench_load_peers(peers);
	for (i = 0; i < np; i++)
		al[n++] = (struct allocator){ .name = peers[i].name,
					      .alloc = peers[i].alloc,
					      .free = peers[i].free };

	if (argc > 1 && !strcmp(argv[1], "--one")) {
		static const char *const short_names[] = { "kmalloc", "glibc" };

		for (i = 0; i < n; i++) {
			const char *sn = i < 2 ? short_names[i] : al[i].name;

			if (strcmp(sn, argv[2]))
				continue;
			for (w = 0; w < NW; w++)
				if (!strcmp(workloads[w], argv[3])) {
					char *end;
					long k = strtol(argv[4], &end, 10);

					if (end == argv[4] || *end || k <= 0)
						bad("not a count", argv[4]);
					/* ns per pair on stderr (stdout
					 * stays empty for callgrind) */
					fprintf(stderr, "%s %s: %.2f ns\n",
						argv[2], argv[3],
						run_workload(&al[i], w, k));
					return 0;
				}
			bad("no workload", argv[3]);
		}
		bad("no allocator here named", argv[2]);
	}
	if (sets)
		return live_sets_table(al, n, sets, data);

	for (r = 0; r < runs; r++)
		for (w = 0; w < NW; w++)
			for (i = 0; i < n; i++)
				res[i][w][r] = run_workload(&al[i], w, pairs);
	/* The ratios of each run (the runs are interleaved, so both sides of
	 * a ratio met the same load), before the times are sorted. */
	for (w = 0; w < NW; w++) {
		for (r = 0; r < runs; r++) {
			double best = 0;

			for (i = 1; i < n; i++)
				if (!best || res[i][w][r] < best)
					best = res[i][w][r];
			ratio[0][w][r] = res[0][w][r] / res[1][w][r];
			ratio[1][w][r] = res[0][w][r] / best;
		}
		qsort(ratio[0][w], runs, sizeof(double), cmp_double);
		qsort(ratio[1][w], runs, sizeof(double), cmp_double);
	}
	for (i = 0; i < n; i++)
		for (w = 0; w < NW; w++)
			qsort(res[i][w], runs, sizeof(double), cmp_double);

	printf("ns per allocate+free pair, median of %d interleaved runs of %ld pairs\n"
	       "(ratio: kmalloc against glibc and against the fastest peer of the\n"
	       "same run, the median of the %d runs' ratios)\n\n",
	       runs, pairs, runs);
	printf("| workload |");
	for (i = 0; i < n; i++)
		printf(" %s |", al[i].name);
	printf(" kmalloc/glibc | kmalloc/best peer |\n|---|");
	for (i = 0; i < n + 2; i++)
		printf("---:|");
	printf("\n");
	for (w = 0; w < NW; w++) {
		printf("| %s |", workloads[w]);
		for (i = 0; i < n; i++)
			printf(" %.1f |", res[i][w][runs / 2]);
		printf(" %.2f | %.2f |\n", ratio[0][w][runs / 2],
		       ratio[1][w][runs / 2]);
	}
	return 0;
}
