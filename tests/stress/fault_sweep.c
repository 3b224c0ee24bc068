// SPDX-License-Identifier: MIT
/*
 * The fault sweep: fail every allocation of a workload in turn.
 *
 * The workload uses every layer — kmalloc (small, large, krealloc, kstrdup,
 * kcalloc, kvmalloc), a named cache with a constructor (alloc, bulk alloc,
 * destroy), the page allocator (orders 0-3, exact), vmalloc (an area whose
 * page array is itself vmalloc'd), page tables (vmalloc's and processes'),
 * processes (brk, mmap, touching pages, mprotect splits, munmap), and swap
 * (a process touches more than is free, so pages go out and come back) —
 * and tolerates failure as kernel code must: every return is checked and
 * what was built is taken down.
 *
 * With failslab and fail_page_alloc filtering nothing out (ignore-gfp-wait
 * N, ignore-gfp-highmem N, min-order 0) the sweep sets fail-nth = n and
 * runs the workload, for n = 1, 2, 3 ... until a run completes with the
 * fault not fired (fail-nth reads back non-zero). After every run: no crash
 * (we are still here), every frame back (free pages equal the baseline
 * after the drains), kmem_check_invariants(), and the forced failure was
 * reported in the kernel's words ("FAULT_INJECTION: forcing a failure.")
 * unless the request had __GFP_NOWARN, which the kernel keeps quiet.
 *
 * Also checked after every run: slab objects in use (slabinfo), SwapFree
 * and the vmalloc areas are back to the baseline too.
 *
 * $KMEM_SWEEP_SCALE=k (default 1) multiplies the workload's sizes, and so
 * the number of steps (about k^2 the time); $KMEM_SWEEP_DEBUG=1 prints
 * every step's phase results and log (the forced failure's call trace).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kmem/kmem.h>
#include <kmem/fault.h>
#include <kmem/process.h>
#include "mm/fault_inject.h"
#include "test.h"

#define PG 4096UL

static unsigned int scale = 1;

/* ---- the workload ------------------------------------------------------- */

struct node {
	struct node *next;
	char *name;
	unsigned int len;
};

static int kmalloc_phase(void)
{
	struct node *head = NULL, *n;
	char *big, *grown;
	unsigned int i;
	int *arr;
	int ret = 0;

	for (i = 0; i < 12 * scale; i++) {
		char name[32];

		n = kzalloc(sizeof(*n), GFP_KERNEL);
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		snprintf(name, sizeof(name), "node-%u", i);
		n->name = kstrdup(name, GFP_KERNEL);
		if (!n->name) {
			kfree(n);
			ret = -ENOMEM;
			break;
		}
		n->len = (unsigned int)strlen(name);
		n->next = head;
		head = n;
	}
	big = kmalloc(3 * PG, GFP_KERNEL);	     /* large kmalloc: pages */
	arr = kcalloc(300, sizeof(int), GFP_KERNEL); /* kmalloc-2k */
	grown = krealloc(NULL, 40, GFP_KERNEL);
	if (grown) {
		char *g2;

		memset(grown, 'g', 40);
		g2 = krealloc(grown, 700, GFP_KERNEL);
		if (g2)
			grown = g2;
		else
			ret = -ENOMEM;
	}
	if (!big || !arr || !grown)
		ret = -ENOMEM;
	kfree(big);
	kfree(arr);
	kfree(grown);
	while (head) {
		n = head;
		head = n->next;
		kfree(n->name);
		kfree(n);
	}
	return ret;
}

static void obj_ctor(void *p)
{
	memset(p, 0xc7, 24);
}

static int cache_phase(void)
{
	struct kmem_cache *c;
	void *objs[160], *bulk[16];
	unsigned int i, got = 0, nr = 40 * scale < 160 ? 40 * scale : 160;
	int ret = 0;

	c = kmem_cache_create("sweep_obj", 200, 0, SLAB_HWCACHE_ALIGN,
			      obj_ctor);
	if (!c)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!objs[i]) {
			ret = -ENOMEM;
			break;
		}
		got++;
	}
	if (kmem_cache_alloc_bulk(c, GFP_KERNEL, 16, bulk) == 16)
		kmem_cache_free_bulk(c, 16, bulk);
	else
		ret = -ENOMEM;
	for (i = 0; i < got; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	return ret;
}

static int page_phase(void)
{
	struct page *pages[4];
	unsigned long addr;
	void *exact;
	unsigned int o;
	int ret = 0;

	for (o = 0; o < 4; o++)
		pages[o] =
			alloc_pages(GFP_KERNEL | (o == 2 ? __GFP_ZERO : 0), o);
	addr = __get_free_pages(GFP_KERNEL, 1);
	exact = alloc_pages_exact(5 * PG, GFP_KERNEL);
	for (o = 0; o < 4; o++) {
		if (pages[o])
			__free_pages(pages[o], o);
		else
			ret = -ENOMEM;
	}
	if (addr)
		free_pages(addr, 1);
	if (exact)
		free_pages_exact(exact, 5 * PG);
	if (!addr || !exact)
		ret = -ENOMEM;
	return ret;
}

static int vmalloc_phase(void)
{
	/* 600 pages: a page array of 4800 bytes, vmalloc'd itself. */
	char *a = vmalloc(600 * PG * scale), *b = vzalloc(20 * PG);
	void *k = kvmalloc(40 * PG, GFP_KERNEL);
	int ret = 0;

	if (a)
		a[0] = a[600 * PG * scale - 1] = 1;
	if (b)
		b[5 * PG] = 2;
	if (!a || !b || !k)
		ret = -ENOMEM;
	vfree(a);
	vfree(b);
	kvfree(k);
	return ret;
}

/* vmap / vm_map_ram of our own pages, vrealloc, vmalloc_huge, the DMA and
 * reclaimable kmalloc caches, krealloc across the large-kmalloc boundary. */
static int map_phase(void)
{
	struct page *pages[8];
	unsigned int i, got = 0;
	char *v = NULL, *r = NULL, *h, *g;
	void *ram = NULL, *dma, *rcl, *kr, *kr2;
	int ret = 0;

	for (i = 0; i < 8; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		if (!pages[i])
			break;
		got++;
	}
	if (got == 8) {
		v = vmap(pages, 8, VM_MAP, PAGE_KERNEL);
		ram = vm_map_ram(pages, 4, -1);
		if (v)
			v[7 * PG] = 1;
	}
	if (!v || !ram)
		ret = -ENOMEM;
	if (ram)
		vm_unmap_ram(ram, 4);
	if (v)
		vunmap(v);
	while (got)
		__free_pages(pages[--got], 0);
	r = vrealloc(NULL, 3 * PG, GFP_KERNEL);
	if (r) {
		g = vrealloc(r, 9 * PG, GFP_KERNEL);
		if (g)
			r = g;
		else
			ret = -ENOMEM;
	} else {
		ret = -ENOMEM;
	}
	vfree(r);
	h = vmalloc_huge(4UL << 20, GFP_KERNEL);
	if (h)
		h[(4UL << 20) - 1] = 1;
	else
		ret = -ENOMEM;
	vfree(h);
	dma = kmalloc(100, GFP_KERNEL | GFP_DMA);
	rcl = kmalloc(300, GFP_KERNEL | __GFP_RECLAIMABLE);
	kr = kmalloc(6000, GFP_KERNEL);
	kr2 = kr ? krealloc(kr, 20000, GFP_KERNEL) :
		   NULL; /* to large kmalloc */
	if (kr2)
		kr = kr2;
	if (!dma || !rcl || !kr || !kr2)
		ret = -ENOMEM;
	kfree(dma);
	kfree(rcl);
	kfree(kr);
	return ret;
}

struct user_work {
	unsigned long pages;
	int result;
};

static int user_body(void *arg)
{
	struct user_work *w = arg;
	char *heap = kmem_sys_sbrk(0), *m;
	unsigned long i;

	if (kmem_sys_brk(heap + 16 * PG) != heap + 16 * PG)
		return -ENOMEM;
	for (i = 0; i < 16; i += 3)
		heap[i * PG] = (char)i;
	m = kmem_sys_mmap(NULL, w->pages * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -ENOMEM;
	for (i = 0; i < w->pages; i++)
		m[i * PG] = (char)(i * 7 + 1);
	if (kmem_sys_mprotect(m + 4 * PG, 4 * PG, PROT_READ))
		return -ENOMEM;
	/* Read everything back: what went to swap comes back. */
	for (i = 0; i < w->pages; i++)
		if (m[i * PG] != (char)(i * 7 + 1))
			return -EIO;
	if (kmem_sys_munmap(m + 10 * PG, 3 * PG))
		return -ENOMEM;
	if (w->pages > 64)
		return 0;
	/* Shared anonymous memory, populate, mlock, MADV_DONTNEED, brk down. */
	m = kmem_sys_mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m == MAP_FAILED)
		return -ENOMEM;
	m[3 * PG] = 3;
	if (kmem_sys_mlock(m, 4 * PG))
		return -ENOMEM;
	if (kmem_sys_madvise(m + 4 * PG, 4 * PG, MADV_DONTNEED))
		return -ENOMEM;
	if (kmem_sys_munlock(m, 2 * PG))
		return -ENOMEM;
	if (kmem_sys_brk(heap + 4 * PG) != heap + 4 * PG)
		return -ENOMEM;
	return 0;
}

/* The sum of the zones' low watermarks (zoneinfo's "low" lines). */
static unsigned long low_wmark_total(void)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned long sum = 0, v;

	kmem_show("zoneinfo", f);
	fclose(f);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (sscanf(line, " low %lu", &v) == 1)
			sum += v;
	free(buf);
	return sum;
}

static unsigned long low_total;

/* What must come back besides the frames: slab objects in use (slabinfo's
 * active_objs, summed), swap slots (SwapFree), vmalloc areas (the lines of
 * vmallocinfo). */
struct accounts {
	unsigned long objects, swap_free, areas;
};

static void read_accounts(struct accounts *a)
{
	char *buf = NULL, *line, name[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned long v;

	memset(a, 0, sizeof(*a));
	kmem_show("slabinfo", f);
	fflush(f);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (line[0] != '#' && sscanf(line, "%63s %lu", name, &v) == 2)
			a->objects += v;
	fclose(f);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	kmem_show("meminfo", f);
	fflush(f);
	line = strstr(buf, "SwapFree:");
	a->swap_free = line ? strtoul(line + 9, NULL, 10) : 0;
	fclose(f);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	kmem_show("vmallocinfo", f);
	fflush(f);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		a->areas += !strstr(line, "unpurged");
	fclose(f);
	free(buf);
}

/*
 * Hold every free page but `keep` above the low watermarks, so that the
 * process after it must swap. Not counted by fail-nth: disarmed meanwhile.
 */
static unsigned int take_ballast(struct page **ballast, unsigned int max,
				 unsigned long keep)
{
	unsigned int armed = kmem_fail_nth_get(), n = 0;
	int order;

	if (armed)
		kmem_fail_nth_set(0);
	for (order = 8; order >= 0 && n < max; order--) {
		while (n < max) {
			struct page *p = alloc_pages(GFP_NOWAIT | __GFP_NOWARN,
						     (unsigned)order);

			if (!p)
				break;
			p->private = (unsigned long)order;
			ballast[n++] = p;
		}
	}
	/* Give back the smallest blocks until `keep` are free above low. */
	while (n && kmem_free_pages_drained() < low_total + keep) {
		n--;
		__free_pages(ballast[n], (unsigned int)ballast[n]->private);
	}
	/* ... and take single pages again down to exactly that. */
	while (n < max && kmem_free_pages_drained() > low_total + keep) {
		struct page *p = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0);

		if (!p)
			break;
		p->private = 0;
		ballast[n++] = p;
	}
	if (getenv("KMEM_SWEEP_DEBUG"))
		fprintf(stderr, "ballast %u blocks, free %lu, low %lu\n", n,
			kmem_free_pages_drained(), low_total);
	if (armed)
		kmem_fail_nth_set(armed);
	return n;
}

static void drop_ballast(struct page **ballast, unsigned int n)
{
	while (n--)
		__free_pages(ballast[n], (unsigned int)ballast[n]->private);
}

static unsigned long last_swapped; /* major faults (swap-ins) of the swap phase */

static int process_phase(bool pressure)
{
	static struct page *ballast[4096];
	struct user_work w = { .pages = (pressure ? 64 : 24) * scale };
	struct kmem_process_info info;
	struct kmem_process *p;
	unsigned int nb = 0;
	int ret;

	p = kmem_process_create("sweep");
	if (!p)
		return -ENOMEM;
	if (pressure)
		nb = take_ballast(ballast, 4096, 16UL * scale);
	ret = kmem_process_run(p, user_body, &w);
	if (pressure && !kmem_process_info(p, &info))
		last_swapped = info.maj_flt;
	kmem_process_exit(p);
	drop_ballast(ballast, nb);
	return ret;
}

#define NR_PHASES 7
static const char *const phase_names[NR_PHASES] = {
	"kmalloc", "cache", "pages", "vmalloc", "vmap", "process", "swap",
};

static void workload(int results[NR_PHASES])
{
	results[0] = kmalloc_phase();
	results[1] = cache_phase();
	results[2] = page_phase();
	results[3] = vmalloc_phase();
	results[4] = map_phase();
	results[5] = process_phase(false);
	results[6] = process_phase(true);
}

/* ---- the sweep -------------------------------------------------------------- */

static void set(const char *cap, const char *knob, const char *val)
{
	CHECK_EQ(kmem_fault_set(cap, knob, val), 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(sweep)
{
	struct kmem_config cfg = { .ram = 64ULL << 20,
				   .cpus = 2,
				   .swap = 16ULL << 20,
				   .quiet = true };
	struct fault_inject_stats st0, st1;
	unsigned long baseline, after, swapped_runs = 0;
	struct accounts acc0, acc;
	unsigned int n, max_steps = 100000, failed_steps = 0;
	unsigned int by_result[NR_PHASES] = { 0 };
	int results[NR_PHASES];
	double t0 = now_s();
	int i;

	CHECK_EQ(test_boot(&cfg), 0);
	low_total = low_wmark_total();
	CHECK(low_total > 0);
	set("failslab", "ignore-gfp-wait", "N");
	set("fail_page_alloc", "ignore-gfp-wait", "N");
	set("fail_page_alloc", "ignore-gfp-highmem", "N");
	set("fail_page_alloc", "min-order", "0");
	set("failslab", "verbose_ratelimit_interval_ms", "0");
	set("fail_page_alloc", "verbose_ratelimit_interval_ms", "0");

	/* A clean run first: the workload works, and warms the caches. */
	workload(results);
	for (n = 0; n < NR_PHASES; n++)
		CHECK_EQ(results[n], 0);
	CHECK(last_swapped > 0); /* the swap phase does swap */
	fprintf(stderr,
		"clean run: %lu swap-ins (major faults) in the swap phase\n",
		last_swapped);
	baseline = kmem_free_pages_drained();
	read_accounts(&acc0);

	for (n = 1; n <= max_steps; n++) {
		size_t mark = kmem_log_mark();
		unsigned int left;
		bool bad = false;

		fault_inject_get_stats(&st0);
		kmem_fail_nth_set(n);
		workload(results);
		left = kmem_fail_nth_get();
		kmem_fail_nth_set(0);
		fault_inject_get_stats(&st1);
		if (left) {
			/* Completed with the fault not fired: every site done. */
			for (i = 0; i < NR_PHASES; i++)
				CHECK_EQ(results[i], 0);
			break;
		}
		for (i = 0; i < NR_PHASES; i++)
			by_result[i] += results[i] != 0;
		swapped_runs += kmem_log_contains(mark, "Out of memory") ? 1 :
									   0;
		after = kmem_free_pages_drained();
		if (after != baseline) {
			fprintf(stderr,
				"step %u: %lu free pages, baseline %lu\n", n,
				after, baseline);
			bad = true;
			baseline = after; /* report each leak once */
		}
		read_accounts(&acc);
		if (acc.objects != acc0.objects ||
		    acc.swap_free != acc0.swap_free ||
		    acc.areas != acc0.areas) {
			fprintf(stderr,
				"step %u: slab objects %lu (baseline %lu), "
				"SwapFree %lu kB (%lu), vmalloc areas %lu (%lu)\n",
				n, acc.objects, acc0.objects, acc.swap_free,
				acc0.swap_free, acc.areas, acc0.areas);
			bad = true;
			acc0 = acc;
		}
		if (!kmem_check_invariants()) {
			fprintf(stderr, "step %u: invariants do not hold\n", n);
			bad = true;
		}
		if (st1.forced != st0.forced + 1) {
			fprintf(stderr,
				"step %u: %lu failures forced, expected 1\n", n,
				st1.forced - st0.forced);
			bad = true;
		} else if (st1.silent == st0.silent &&
			   !kmem_log_contains(
				   mark, "FAULT_INJECTION: forcing a failure.\n"
					 "name ")) {
			fprintf(stderr,
				"step %u: the forced failure was not reported\n",
				n);
			bad = true;
		}
		if (getenv("KMEM_SWEEP_DEBUG")) {
			char log[8192];

			kmem_log_read(mark, log, sizeof(log));
			fprintf(stderr,
				"---- step %u: %d %d %d %d %d %d %d\n%s\n", n,
				results[0], results[1], results[2], results[3],
				results[4], results[5], results[6], log);
		}
		if (bad) {
			char log[4096];

			failed_steps++;
			kmem_log_read(mark, log, sizeof(log));
			fprintf(stderr, "---- step %u log ----\n%s\n", n, log);
			CHECK(0);
			if (failed_steps > 5)
				break;
		}
	}
	CHECK(n > 1 && n <= max_steps);
	fprintf(stderr,
		"fault sweep: %u steps (every allocation of the workload "
		"failed once) in %.1f s; %lu of the failures were __GFP_NOWARN "
		"(silent); %lu runs with an OOM kill; runs whose phase saw the "
		"failure:",
		n - 1, now_s() - t0, st1.silent, swapped_runs);
	for (i = 0; i < NR_PHASES; i++)
		fprintf(stderr, " %s %u", phase_names[i], by_result[i]);
	fprintf(stderr, "\n");
}

int main(void)
{
	const char *env = getenv("KMEM_SWEEP_SCALE");

	if (env) {
		scale = (unsigned int)atoi(env);
		if (scale < 1 || scale > 64) {
			fprintf(stderr, "KMEM_SWEEP_SCALE=%s: use 1 to 64\n",
				env);
			return 2;
		}
	}
	kmem_log_set_console(NULL);
	RUN_KEEP(sweep);
	test_halt();
	return test_summary();
}
