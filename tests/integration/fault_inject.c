// SPDX-License-Identifier: MIT
/*
 * Fault injection through the public API: failslab and fail_page_alloc with
 * the kernel's knobs (probability, interval, times, space, verbose and its
 * rate limit, ignore-gfp-wait, ignore-gfp-highmem, min-order, cache-filter),
 * per-thread fail-nth, __GFP_NOFAIL never failed, the report in the kernel's
 * words, the command line's fail_nth, and a halt restoring the defaults.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kmem/kmem.h>
#include <kmem/fault.h>
#include "test.h"

static void set(const char *cap, const char *knob, const char *val)
{
	int ret = kmem_fault_set(cap, knob, val);

	if (ret)
		fprintf(stderr, "kmem_fault_set(%s, %s, %s) = %d\n", cap, knob,
			val, ret);
	CHECK_EQ(ret, 0);
}

static void reboot(const char *cmdline)
{
	struct kmem_config cfg = {
		.ram = 64ULL << 20, .cpus = 2, .quiet = true, .cmdline = cmdline
	};

	CHECK_EQ(test_boot(&cfg), 0);
}

TEST(failslab_probability_times)
{
	size_t mark = kmem_log_mark();
	struct kmem_machine_info info;
	void *a, *b, *c;

	set("failslab", "probability", "100");
	/* ignore-gfp-wait=Y (the default): GFP_KERNEL never fails ... */
	a = kmalloc(64, GFP_KERNEL);
	CHECK(a != NULL);
	CHECK(!kmem_log_contains(mark, "FAULT_INJECTION"));
	/* ... GFP_ATOMIC does, once (times = 1). */
	b = kmalloc(64, GFP_ATOMIC);
	CHECK(b == NULL);
	CHECK_LOG(
		mark,
		"FAULT_INJECTION: forcing a failure.\n"
		"name failslab, interval 1, probability 100, space 0, times 1\n");
	CHECK_LOG(mark, "Call Trace:");
	c = kmalloc(64, GFP_ATOMIC);
	CHECK(c != NULL);
	CHECK_EQ(kmem_log_count(mark, "FAULT_INJECTION"), 1);
	/* With ignore-gfp-wait=N and times = -1: every call, NOFAIL aside. */
	set("failslab", "ignore-gfp-wait", "N");
	set("failslab", "times", "-1");
	CHECK(kmalloc(64, GFP_KERNEL) == NULL);
	CHECK(kmalloc(100, GFP_KERNEL | __GFP_NOWARN) == NULL);
	kfree(b = kmalloc(64, GFP_KERNEL | __GFP_NOFAIL));
	CHECK(b != NULL);
	/* Large kmalloc is the page allocator's: failslab leaves it alone
	 * (SLAB has no large kmalloc: 12 KiB is an object of size-16384). */
	b = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	kmem_machine_info(&info);
	CHECK(info.slab == KMEM_SLAB_SLAB ? b == NULL : b != NULL);
	kfree(b);
	set("failslab", "probability", "0");
	kfree(a);
	kfree(c);
}

TEST(failslab_interval_space_verbose)
{
	size_t mark;
	void *p[6];
	int i, failed = 0;

	set("failslab", "ignore-gfp-wait", "N");
	set("failslab", "times", "-1");
	set("failslab", "interval", "3");
	set("failslab", "probability", "100");
	for (i = 0; i < 6; i++)
		p[i] = kmalloc(32, GFP_KERNEL);
	CHECK(p[0] && p[1] && !p[2] && p[3] && p[4] && !p[5]);
	for (i = 0; i < 6; i++)
		kfree(p[i]);
	set("failslab", "interval", "1");
	/* space: 100 bytes of requests pass first. */
	set("failslab", "space", "100");
	p[0] = kmalloc(64, GFP_KERNEL); /* 100 > 64: passes, 36 left */
	p[1] = kmalloc(64, GFP_KERNEL); /* fails */
	CHECK(p[0] != NULL);
	CHECK(p[1] == NULL);
	kfree(p[0]);
	/* ... and the 36 left still let smaller requests through. */
	p[0] = kmalloc(32, GFP_KERNEL);
	CHECK(p[0] != NULL);
	kfree(p[0]);
	set("failslab", "space", "0");
	/* verbose 1: the two lines, no stack; verbose 0: silent. */
	set("failslab", "verbose", "1");
	mark = kmem_log_mark();
	CHECK(kmalloc(8, GFP_KERNEL) == NULL);
	CHECK_LOG(mark, "name failslab, interval 1, probability 100");
	CHECK(!kmem_log_contains(mark, "Call Trace"));
	set("failslab", "verbose", "0");
	mark = kmem_log_mark();
	CHECK(kmalloc(8, GFP_KERNEL) == NULL);
	CHECK(!kmem_log_contains(mark, "FAULT_INJECTION"));
	/* The rate limit: 10 reports in 5 s, then silence. */
	set("failslab", "verbose", "1");
	mark = kmem_log_mark();
	for (i = 0; i < 15; i++)
		failed += kmalloc(8, GFP_KERNEL) == NULL;
	CHECK_EQ(failed, 15);
	CHECK(kmem_log_count(mark, "FAULT_INJECTION: forcing") <= 10);
	set("failslab", "probability", "0");
}

static void ctor(void *p)
{
	memset(p, 0x5a, 40);
}

TEST(failslab_cache_filter)
{
	struct kmem_cache *plain =
		kmem_cache_create("fi_plain", 40, 0, 0, NULL);
	struct kmem_cache *marked =
		kmem_cache_create("fi_marked", 40, 0, SLAB_FAILSLAB, ctor);
	void *a, *b;

	CHECK(plain && marked);
	set("failslab", "ignore-gfp-wait", "N");
	set("failslab", "times", "-1");
	set("failslab", "cache-filter", "Y");
	set("failslab", "probability", "100");
	a = kmem_cache_alloc(plain, GFP_KERNEL);
	b = kmem_cache_alloc(marked, GFP_KERNEL);
	CHECK(a != NULL);
	CHECK(b == NULL);
	set("failslab", "probability", "0");
	kmem_cache_free(plain, a);
	kmem_cache_destroy(plain);
	kmem_cache_destroy(marked);
}

TEST(fail_page_alloc_filters)
{
	size_t mark = kmem_log_mark();
	struct page *p0, *p1, *hi, *nofail;

	set("fail_page_alloc", "probability", "100");
	set("fail_page_alloc", "times", "-1");
	set("fail_page_alloc", "ignore-gfp-wait", "N");
	/* min-order 1 (default): order 0 passes, order 1 fails. */
	p0 = alloc_pages(GFP_KERNEL, 0);
	p1 = alloc_pages(GFP_KERNEL, 1);
	CHECK(p0 != NULL);
	CHECK(p1 == NULL);
	CHECK_LOG(
		mark,
		"FAULT_INJECTION: forcing a failure.\n"
		"name fail_page_alloc, interval 1, probability 100, space 0, times -1\n");
	/* No "page allocation failure" report: the kernel's injected
	 * failure returns before the allocator proper. */
	CHECK(!kmem_log_contains(mark, "page allocation failure"));
	set("fail_page_alloc", "min-order", "0");
	/* ignore-gfp-highmem=Y: user pages never fail. */
	hi = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	CHECK(hi != NULL);
	CHECK(alloc_pages(GFP_KERNEL, 0) == NULL);
	set("fail_page_alloc", "ignore-gfp-highmem", "N");
	CHECK(alloc_pages(GFP_HIGHUSER_MOVABLE, 0) == NULL);
	/* __GFP_NOFAIL never fails. */
	nofail = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0);
	CHECK(nofail != NULL);
	/* Through the layers: large kmalloc, vmalloc. */
	CHECK(kmalloc(5 * PAGE_SIZE, GFP_KERNEL) == NULL);
	CHECK(vmalloc(8 * PAGE_SIZE) == NULL);
	set("fail_page_alloc", "probability", "0");
	__free_pages(p0, 0);
	__free_pages(hi, 0);
	__free_pages(nofail, 0);
}

static void *other_thread(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 10; i++)
		kfree(kmalloc(16, GFP_KERNEL));
	return (void *)(long)kmem_fail_nth_get();
}

TEST(fail_nth)
{
	size_t mark = kmem_log_mark();
	pthread_t t;
	void *p[4], *ret;
	int i;

	set("failslab", "ignore-gfp-wait", "N");
	CHECK_EQ(kmem_fail_nth_get(), 0);
	kmem_fail_nth_set(3);
	CHECK_EQ(kmem_fail_nth_get(), 3);
	/* Another thread's calls do not count. */
	pthread_create(&t, NULL, other_thread, NULL);
	pthread_join(t, &ret);
	CHECK(ret == NULL);
	CHECK_EQ(kmem_fail_nth_get(), 3);
	for (i = 0; i < 4; i++)
		p[i] = kmalloc(128, GFP_KERNEL);
	CHECK(p[0] && p[1] && !p[2] && p[3]);
	CHECK_EQ(kmem_fail_nth_get(), 0); /* it fired */
	/* probability 0 and times 1: fail-nth does not need them. */
	CHECK_LOG(
		mark,
		"name failslab, interval 1, probability 0, space 0, times 1\n");
	for (i = 0; i < 4; i++)
		kfree(p[i]);
	/* Not fired yet: the calls still to go; 0 disarms. */
	kmem_fail_nth_set(10);
	kfree(kmalloc(8, GFP_KERNEL));
	kfree(kmalloc(8, GFP_KERNEL));
	CHECK_EQ(kmem_fail_nth_get(), 8);
	kmem_fail_nth_set(0);
	CHECK_EQ(kmem_fail_nth_get(), 0);
	/* Filtered calls are not counted: GFP_KERNEL with ignore-gfp-wait=Y. */
	set("failslab", "ignore-gfp-wait", "Y");
	kmem_fail_nth_set(1);
	p[0] = kmalloc(8, GFP_KERNEL);
	CHECK(p[0] != NULL);
	CHECK_EQ(kmem_fail_nth_get(), 1);
	p[1] = kmalloc(8, GFP_ATOMIC);
	CHECK(p[1] == NULL);
	kfree(p[0]);
	/* ... and the 36 left still let smaller requests through. */
	p[0] = kmalloc(32, GFP_KERNEL);
	CHECK(p[0] != NULL);
	kfree(p[0]);
	set("failslab", "space", "0");
	/* Page allocations count too (with min-order 0). */
	set("fail_page_alloc", "min-order", "0");
	kmem_fail_nth_set(1);
	CHECK(alloc_pages(GFP_ATOMIC, 0) == NULL);
	CHECK_EQ(kmem_fail_nth_get(), 0);
}

TEST(bad_knobs)
{
	char buf[16];

	CHECK_EQ(kmem_fault_set("failslab", "nosuch", "1"), -ENOENT);
	CHECK_EQ(kmem_fault_set("fail_nothing", "probability", "1"), -ENOENT);
	CHECK_EQ(kmem_fault_set(NULL, "probability", "1"), -ENOENT);
	CHECK_EQ(kmem_fault_set("failslab", "probability", "lots"), -EINVAL);
	CHECK_EQ(kmem_fault_set("failslab", "probability", "-1"), -EINVAL);
	CHECK_EQ(kmem_fault_set("failslab", "probability", ""), -EINVAL);
	CHECK_EQ(kmem_fault_set("failslab", "ignore-gfp-wait", "maybe"),
		 -EINVAL);
	CHECK_EQ(kmem_fault_set("failslab", "times", "99999999999"), -EINVAL);
	CHECK_EQ(kmem_fault_set("failslab", "min-order", "0"), -ENOENT);
	CHECK_EQ(kmem_fault_set("fail_page_alloc", "cache-filter", "Y"),
		 -ENOENT);
	CHECK_EQ(kmem_fault_get("failslab", "nosuch", buf, sizeof(buf)),
		 -ENOENT);
	CHECK_EQ(kmem_fault_set("failslab", "probability", "7\n"), 0);
	CHECK_EQ(kmem_fault_get("failslab", "probability", buf, sizeof(buf)),
		 0);
	CHECK_STR(buf, "7");
	CHECK_EQ(kmem_fault_set("failslab", "probability", "0"), 0);
}

TEST(cmdline_fail_nth)
{
	/* The booting thread gets fail_nth; injection starts after boot. */
	reboot("failslab.ignore-gfp-wait=N fail_nth=2");
	CHECK_EQ(kmem_fail_nth_get(), 2);
	void *a = kmalloc(8, GFP_KERNEL), *b = kmalloc(8, GFP_KERNEL);

	CHECK(a != NULL);
	CHECK(b == NULL);
	kfree(a);
	/* A halt disarms and resets everything. */
	kmem_fail_nth_set(5);
	reboot(NULL);
	CHECK_EQ(kmem_fail_nth_get(), 0);
	a = kmalloc(8, GFP_ATOMIC);
	CHECK(a != NULL);
	kfree(a);
}

int main(void)
{
	char buf[16];

	/* First call: a knob of a machine not booted yet (boots it). */
	CHECK_EQ(kmem_fault_set("failslab", "verbose", "2"), 0);
	CHECK(kmem_is_booted());
	kmem_log_set_console(NULL);
	reboot(NULL);
	CHECK_EQ(kmem_fault_get("failslab", "verbose", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "2");
	RUN(failslab_probability_times);
	reboot(NULL);
	RUN(failslab_interval_space_verbose);
	reboot(NULL);
	RUN(failslab_cache_filter);
	reboot(NULL);
	RUN(fail_page_alloc_filters);
	reboot(NULL);
	RUN(fail_nth);
	RUN(bad_knobs);
	RUN_KEEP(cmdline_fail_nth);
	test_halt();
	return test_summary();
}
