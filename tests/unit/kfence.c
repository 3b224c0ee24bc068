// SPDX-License-Identifier: MIT
/*
 * KFENCE, modelled on the kernel's mm/kfence/kfence_test.c: out-of-bounds
 * reads and writes left and right of an object (real MMU faults on the guard
 * pages), use-after-free, double and invalid-address frees, a damaged
 * canary, an invalid access, krealloc() and ksize() of a KFENCE object,
 * kmem_cache objects, GFP zeroing and constructors, the deterministic and
 * the timer's sampling, and the debugfs views. Each report is checked line
 * by line, counted once, and followed by a check that the allocator works.
 *
 * The program's first call is kmalloc() with KMEM_CMDLINE (set here before
 * it) asking for every allocation to be sampled.
 */
/* kmem-test: slub-only: its reports name SLUB's kmalloc-N caches */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kmem/kmem.h>
#include <kmem/log.h>
#include <kmem/show.h>
#include "test.h"

#define SZ 32

/* Exported and not inlined: the reports name them. */
noinline char test_read_byte(volatile char *p)
{
	return *p;
}

noinline void test_write_byte(volatile char *p, char v)
{
	*p = v;
}

/* (The empty asm keeps the call a call, not a tail jump: the free's
 * report names its caller.) */
noinline void test_free_it(void *p)
{
	kfree(p);
	__asm__ volatile("" ::: "memory");
}

noinline void test_cache_free_it(struct kmem_cache *s, void *p)
{
	kmem_cache_free(s, p);
	__asm__ volatile("" ::: "memory");
}

static long kfence_index(const void *p)
{
	return (long)(((unsigned long)p - (unsigned long)__kfence_pool) /
		      (2 * PAGE_SIZE)) -
	       1;
}

static void boot_with(const char *cmdline)
{
	struct kmem_config cfg = { 0 };

	cfg.ram = 64ULL << 20;
	cfg.cpus = 2;
	cfg.cmdline = cmdline;
	CHECK_EQ(test_boot(&cfg), 0);
}

/* The allocator goes on working: a batch of kmalloc sizes, freed again. */
static void still_works(void)
{
	void *p[64];
	int i;

	for (i = 0; i < 64; i++) {
		p[i] = kmalloc((size_t)(8 + 37 * i), GFP_KERNEL);
		CHECK(p[i] != NULL);
		if (p[i])
			memset(p[i], 0x5a, (size_t)(8 + 37 * i));
	}
	for (i = 0; i < 64; i++)
		kfree(p[i]);
	CHECK(kmem_check_invariants());
}

/* A KFENCE object of `size` bytes at the left (right = false) or right edge
 * of its page, from cache s (NULL: kmalloc). Every allocation is sampled
 * here; the others made on the way are freed. */
static char *alloc_side(struct kmem_cache *s, size_t size, bool right)
{
	char *got[64], *p = NULL;
	int i, n = 0;

	for (i = 0; i < 64 && !p; i++) {
		char *q = s ? kmem_cache_alloc(s, GFP_KERNEL) :
			      kmalloc(size, GFP_KERNEL);

		if (!q)
			break;
		if (is_kfence_address(q) &&
		    PAGE_ALIGNED(right ? (unsigned long)q + size :
					 (unsigned long)q))
			p = q;
		else
			got[n++] = q;
	}
	for (i = 0; i < n; i++) {
		if (s)
			kmem_cache_free(s, got[i]);
		else
			kfree(got[i]);
	}
	CHECK(p != NULL);
	return p;
}

static bool log_has(size_t mark, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool log_has(size_t mark, const char *fmt, ...)
{
	char buf[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	if (!kmem_log_contains(mark, buf)) {
		fprintf(stderr, "  log lacks: %s\n", buf);
		return false;
	}
	return true;
}

/* The lines every report has, and exactly one report since mark. */
static void check_object_lines(size_t mark, const char *p, size_t size,
			       const char *cache, bool freed)
{
	CHECK_EQ(kmem_log_count(mark, "BUG: KFENCE: "), 1);
	CHECK_EQ(
		kmem_log_count(
			mark,
			"==================================================================\n"),
		2);
	CHECK(log_has(mark,
		      "\nkfence-#%ld: 0x%016lx-0x%016lx, size=%zu, cache=%s\n\n",
		      kfence_index(p), (unsigned long)p,
		      (unsigned long)p + size - 1, size, cache));
	CHECK(log_has(mark, "\nallocated by task %d on cpu ", getpid()));
	CHECK_EQ(kmem_log_count(mark, "\nfreed by task "), freed ? 1 : 0);
	CHECK(log_has(mark, "\n\nCPU: "));
	CHECK(log_has(mark, " PID: %d Comm: ", getpid()));
}

static void oob(struct kmem_cache *s, const char *cache, bool write, bool right)
{
	char *p = alloc_side(s, SZ, right);
	char *addr = right ? p + SZ : p - 1;
	const char *fn = write ? "test_write_byte" : "test_read_byte";
	const char *rw = write ? "write" : "read";
	size_t mark = kmem_log_mark();

	if (!p)
		return;
	if (write)
		test_write_byte(addr, 42);
	else
		test_read_byte(addr);
	CHECK(log_has(mark, "BUG: KFENCE: out-of-bounds %s in %s+0x", rw, fn));
	CHECK(log_has(
		mark,
		"\n\nOut-of-bounds %s at 0x%016lx (%luB %s of kfence-#%ld):\n %s+0x",
		rw, (unsigned long)addr, right ? (unsigned long)SZ : 1UL,
		right ? "right" : "left", kfence_index(p), fn));
	check_object_lines(mark, p, SZ, cache, false);
	/* The access completed, and the next ones do not fault again. */
	if (write)
		CHECK_EQ(test_read_byte(addr), 42);
	mark = kmem_log_mark();
	if (s)
		kmem_cache_free(s, p);
	else
		kfree(p);
	CHECK_EQ(kmem_log_count(mark, "BUG: KFENCE"), 0);
	still_works();
}

TEST(out_of_bounds_read)
{
	oob(NULL, "kmalloc-32", false, false);
	oob(NULL, "kmalloc-32", false, true);
}

TEST(out_of_bounds_write)
{
	oob(NULL, "kmalloc-32", true, false);
	oob(NULL, "kmalloc-32", true, true);
}

TEST(out_of_bounds_memcache)
{
	struct kmem_cache *s =
		kmem_cache_create("kfence-test", SZ, 0, SLAB_NO_MERGE, NULL);

	CHECK(s != NULL);
	oob(s, "kfence-test", false, false);
	oob(s, "kfence-test", true, true);
	kmem_cache_destroy(s);
}

TEST(use_after_free_read)
{
	char *p = kmalloc(SZ, GFP_KERNEL);
	size_t mark;

	CHECK(is_kfence_address(p));
	test_free_it(p);
	mark = kmem_log_mark();
	test_read_byte(p + 3);
	CHECK(log_has(mark,
		      "BUG: KFENCE: use-after-free read in test_read_byte+0x"));
	CHECK(log_has(
		mark,
		"\n\nUse-after-free read at 0x%016lx (in kfence-#%ld):\n test_read_byte+0x",
		(unsigned long)p + 3, kfence_index(p)));
	check_object_lines(mark, p, SZ, "kmalloc-32", true);
	CHECK(log_has(mark, "\n\nfreed by task %d on cpu ", getpid()));
	still_works();
}

TEST(double_free)
{
	char *p = kmalloc(SZ, GFP_KERNEL);
	size_t mark;

	CHECK(is_kfence_address(p));
	test_free_it(p);
	mark = kmem_log_mark();
	test_free_it(p);
	CHECK(log_has(mark, "BUG: KFENCE: invalid free in test_free_it+0x"));
	CHECK(log_has(
		mark,
		"\n\nInvalid free of 0x%016lx (in kfence-#%ld):\n test_free_it+0x",
		(unsigned long)p, kfence_index(p)));
	check_object_lines(mark, p, SZ, "kmalloc-32", true);
	still_works();
}

TEST(invalid_addr_free)
{
	char *p = kmalloc(SZ, GFP_KERNEL);
	size_t mark = kmem_log_mark();

	CHECK(is_kfence_address(p));
	test_free_it(p + 1);
	CHECK(log_has(mark, "BUG: KFENCE: invalid free in test_free_it+0x"));
	CHECK(log_has(mark, "Invalid free of 0x%016lx (in kfence-#%ld):\n",
		      (unsigned long)p + 1, kfence_index(p)));
	check_object_lines(mark, p, SZ, "kmalloc-32", false);
	mark = kmem_log_mark();
	test_free_it(p); /* no error */
	CHECK_EQ(kmem_log_count(mark, "BUG: KFENCE"), 0);
	still_works();
}

static void corruption(bool right)
{
	char *p = alloc_side(NULL, SZ, right);
	char *addr = right ? p - 1 : p + SZ;
	size_t mark;

	if (!p)
		return;
	*addr = 42;
	mark = kmem_log_mark();
	test_free_it(p);
	CHECK(log_has(mark,
		      "BUG: KFENCE: memory corruption in test_free_it+0x"));
	if (right) /* one byte shown: the object follows */
		CHECK(log_has(
			mark,
			"\n\nCorrupted memory at 0x%016lx [ ! ] (in kfence-#%ld):\n test_free_it+0x",
			(unsigned long)addr, kfence_index(p)));
	else
		CHECK(log_has(
			mark,
			"\n\nCorrupted memory at 0x%016lx [ ! . . . . . . . . . . . . . . . ] (in kfence-#%ld):\n",
			(unsigned long)addr, kfence_index(p)));
	check_object_lines(mark, p, SZ, "kmalloc-32", true);
	still_works();
}

TEST(corruption_of_canary)
{
	corruption(false);
	corruption(true);
}

/* kfence_test's test_kmalloc_aligned_oob_read: 73 bytes at the right edge
 * leave the gap of the cache's alignment before the guard page: no fault
 * just past the object, one past the gap. */
TEST(kmalloc_aligned_oob)
{
	char *p = NULL, *guard;
	size_t mark;

	while (!p) {
		char *q = kmalloc(73, GFP_KERNEL);

		CHECK(is_kfence_address(q));
		if (!PAGE_ALIGNED((unsigned long)q))
			p = q; /* the right edge */
		else
			kfree(q);
	}
	guard = (char *)PAGE_ALIGN((unsigned long)p + 73);
	mark = kmem_log_mark();
	test_read_byte(p - 1);
	test_read_byte(p + 73);
	CHECK_EQ(kmem_log_count(mark, "BUG: KFENCE"), 0);
	CHECK(guard > p + 73); /* aligned down: a gap */
	test_read_byte(guard);
	CHECK(log_has(
		mark,
		"Out-of-bounds read at 0x%016lx (%ldB right of kfence-#%ld):\n",
		(unsigned long)guard, (long)(guard - p), kfence_index(p)));
	check_object_lines(mark, p, 73, "kmalloc-96", false);
	kfree(p);
	still_works();
}

TEST(invalid_access)
{
	size_t mark = kmem_log_mark();

	test_read_byte(__kfence_pool + 10);
	CHECK(log_has(mark, "BUG: KFENCE: invalid read in test_read_byte+0x"));
	CHECK(log_has(mark, "\n\nInvalid read at 0x%016lx:\n test_read_byte+0x",
		      (unsigned long)__kfence_pool + 10));
	CHECK_EQ(kmem_log_count(mark, "kfence-#"), 0);
	still_works();
}

TEST(krealloc_and_ksize)
{
	char *buf = kmalloc(SZ, GFP_KERNEL), *old = buf;
	size_t mark;
	int i;

	CHECK(is_kfence_address(buf));
	CHECK_EQ(ksize(buf), SZ); /* the size asked for, not the cache's */
	for (i = 0; i < SZ; i++)
		buf[i] = (char)(i + 1);
	buf = krealloc(buf, SZ * 3, GFP_KERNEL); /* grow */
	CHECK(buf != old);
	CHECK(ksize(buf) >= SZ * 3);
	for (i = 0; i < SZ; i++)
		CHECK_EQ(buf[i], (char)(i + 1));
	for (; i < SZ * 3; i++)
		buf[i] = (char)(i + 1);
	buf = krealloc(buf, SZ * 2, GFP_KERNEL); /* shrink: kept */
	CHECK(ksize(buf) >= SZ * 2);
	for (i = 0; i < SZ * 2; i++)
		CHECK_EQ(buf[i], (char)(i + 1));
	mark = kmem_log_mark();
	buf = krealloc(buf, 0, GFP_KERNEL); /* free */
	CHECK(buf == ZERO_SIZE_PTR);
	CHECK_EQ(kmem_log_count(mark, "BUG: KFENCE"), 0);
	/* krealloc() really freed the first KFENCE object. */
	test_read_byte(old);
	CHECK(log_has(mark,
		      "Use-after-free read at 0x%016lx (in kfence-#%ld):\n",
		      (unsigned long)old, kfence_index(old)));
	still_works();
}

static void ctor_set_x(void *obj)
{
	memset(obj, 'x', 8);
}

TEST(memcache_ctor_gfpzero_bulk)
{
	struct kmem_cache *s = kmem_cache_create("kfence-ctor", SZ, 0,
						 SLAB_NO_MERGE, ctor_set_x);
	void *objs[5];
	char *p;
	int i;

	CHECK(s != NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(is_kfence_address(p));
	CHECK_EQ(ksize(p), SZ);
	for (i = 0; i < 8; i++)
		CHECK_EQ(p[i], 'x');
	test_cache_free_it(s, p);
	kmem_cache_destroy(s);

	p = kmalloc(SZ, GFP_KERNEL | __GFP_ZERO);
	CHECK(is_kfence_address(p));
	for (i = 0; i < SZ; i++)
		CHECK_EQ(p[i], 0);
	kfree(p);

	s = kmem_cache_create("kfence-bulk", 100, 0, SLAB_NO_MERGE, NULL);
	CHECK_EQ(kmem_cache_alloc_bulk(s, GFP_KERNEL, 5, objs), 5);
	for (i = 0; i < 5; i++)
		CHECK(is_kfence_address(objs[i]));
	kmem_cache_free_bulk(s, 5, objs);
	kmem_cache_destroy(s);
	still_works();
}

/* The views, in /sys/kernel/debug/kfence's formats. */
TEST(views)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char *p = kmalloc(SZ, GFP_KERNEL);
	char want[160];

	CHECK(is_kfence_address(p));
	CHECK_EQ(kmem_show("kfence/stats", f), 0);
	CHECK_EQ(kmem_show("kfence/objects", f), 0);
	fclose(f);
	CHECK(!strncmp(buf, "enabled: 1\ncurrently allocated: ", 32));
	CHECK(strstr(buf, "\ntotal allocations: ") != NULL);
	CHECK(strstr(buf, "\ntotal frees: ") != NULL);
	CHECK(strstr(buf, "\nzombie allocations: 0\n") != NULL);
	CHECK(strstr(buf, "\ntotal bugs: ") != NULL);
	CHECK(strstr(buf, "\nskipped allocations (incompatible): ") != NULL);
	CHECK(strstr(buf, "\nskipped allocations (capacity): ") != NULL);
	CHECK(strstr(buf, "\nskipped allocations (covered): 0\n") != NULL);
	snprintf(
		want, sizeof(want),
		"kfence-#%ld: 0x%016lx-0x%016lx, size=32, cache=kmalloc-32\n\nallocated by task %d on cpu ",
		kfence_index(p), (unsigned long)p, (unsigned long)p + SZ - 1,
		getpid());
	line = strstr(buf, want);
	CHECK(line != NULL);
	CHECK(strstr(buf, "\n---------------------------------\n") != NULL);
	free(buf);
	kfree(p);
}

static long stat_value(const char *key)
{
	char *buf = NULL, *at;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	long v = -1;

	kmem_show("kfence/stats", f);
	fclose(f);
	at = strstr(buf, key);
	if (at)
		v = strtol(at + strlen(key), NULL, 10);
	free(buf);
	return v;
}

/* kmem_kfence_sample_every(3): the 3rd, 6th, 9th ... allocation. */
TEST(deterministic_every_n)
{
	void *p[12];
	int i;

	CHECK_EQ(kmem_kfence_sample_every(3), 0);
	for (i = 0; i < 12; i++)
		p[i] = kmalloc(64, GFP_KERNEL);
	for (i = 0; i < 12; i++)
		CHECK_EQ(is_kfence_address(p[i]), i % 3 == 2);
	for (i = 0; i < 12; i++)
		kfree(p[i]);
	/* Large kmalloc and DMA are not sampled. */
	CHECK_EQ(kmem_kfence_sample_every(1), 0);
	p[0] = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	CHECK(!is_kfence_address(p[0]));
	kfree(p[0]);
	p[0] = kmalloc(64, GFP_KERNEL | GFP_DMA);
	CHECK(!is_kfence_address(p[0]));
	kfree(p[0]);
	CHECK(stat_value("skipped allocations (incompatible): ") >= 1);
}

/* Every allocation sampled: the pool runs out and the slab takes over. */
TEST(pool_exhausted)
{
	void **p = calloc(300, sizeof(void *));
	long skipped = stat_value("skipped allocations (capacity): ");
	int i, kf = 0;

	for (i = 0; i < 300; i++) {
		p[i] = kmalloc(16, GFP_KERNEL);
		CHECK(p[i] != NULL);
		kf += is_kfence_address(p[i]);
	}
	CHECK(kf <= 255);
	CHECK(stat_value("skipped allocations (capacity): ") > skipped);
	CHECK(stat_value("currently allocated: ") >= kf);
	for (i = 0; i < 300; i++)
		kfree(p[i]);
	free(p);
	still_works();
}

/* The timer's mode: kfence.sample_interval=1 samples one allocation per
 * millisecond; a loop of kmalloc/kfree meets one soon. */
TEST(sampled_by_timer)
{
	int i, found = 0;

	boot_with("kfence.sample_interval=1 kfence.num_objects=7");
	CHECK_EQ(stat_value("enabled: "), 1);
	for (i = 0; i < 5000000 && !found; i++) {
		void *p = kmalloc(128, GFP_KERNEL);

		found = is_kfence_address(p);
		kfree(p);
		if (!(i % 1000))
			usleep(100);
	}
	CHECK(found);
	CHECK(stat_value("total allocations: ") >= 1);
	CHECK_EQ(stat_value("total bugs: "), 0);
	still_works();
	test_halt();
}

TEST(off_by_default)
{
	void *p;

	boot_with("");
	p = kmalloc(SZ, GFP_KERNEL);
	CHECK(!is_kfence_address(p));
	kfree(p);
	CHECK_EQ(stat_value("enabled: "), 0);
	CHECK_EQ(kmem_kfence_sample_every(1), -ENODEV);
	test_halt();
	/* Bad values are refused as the kernel's parameters are. */
	{
		size_t mark = kmem_log_mark();

		boot_with("kfence.sample_interval=x kfence.num_objects=0");
		CHECK_EQ(stat_value("enabled: "), 0);
		CHECK(kmem_log_contains(
			mark,
			"Malformed early option 'kfence.sample_interval"));
		test_halt();
	}
}

int main(void)
{
	char *p;

	/* The first call: kmalloc, KFENCE on from the command line. */
	setenv("KMEM_CMDLINE", "kfence.sample_every=1", 1);
	p = kmalloc(SZ, GFP_KERNEL);
	CHECK(p != NULL && is_kfence_address(p));
	kfree(p);
	kmem_log_set_console(getenv("KFENCE_TEST_VERBOSE") ? stderr : NULL);
	RUN(out_of_bounds_read);
	RUN(out_of_bounds_write);
	RUN(out_of_bounds_memcache);
	RUN(use_after_free_read);
	RUN(double_free);
	RUN(invalid_addr_free);
	RUN(corruption_of_canary);
	RUN(kmalloc_aligned_oob);
	RUN(invalid_access);
	RUN(krealloc_and_ksize);
	RUN(memcache_ctor_gfpzero_bulk);
	RUN(views);
	RUN(deterministic_every_n);
	RUN(pool_exhausted);
	unsetenv("KMEM_CMDLINE");
	RUN(sampled_by_timer);
	RUN(off_by_default);
	return test_summary();
}
