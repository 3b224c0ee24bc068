// SPDX-License-Identifier: MIT
/*
 * SLAB's debugging (mm/slab.c section 7, CONFIG_DEBUG_SLAB of Linux 3.4):
 * the buffer layout with SLAB_RED_ZONE, SLAB_POISON and SLAB_STORE_USER,
 * the words it holds while an object is allocated and free, and 3.4's
 * reports: a write past the object ("memory outside object was
 * overwritten"), a double free ("double free detected"), a write into a
 * free object ("Slab corruption ..." with the dump, a lone flipped bit
 * called bad RAM), the constructor run at allocation under poisoning, the
 * debug words dropped for a cache aligned above 8, slab_debug=ZPU on
 * the command line turning them on for the kmalloc caches, a constructor
 * writing over either red zone ("constructor overwrote the end/start of an
 * object"), and /proc/slab_allocators (CONFIG_DEBUG_SLAB_LEAK).
 */
/* kmem-test: slab-only: SLAB's debug layout and reports (it boots SLAB) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kmem/introspect.h>
#include <kmem/kmem.h>
#include <kmem/log.h>
#include <kmem/machine.h>
#include <kmem/show.h>
#include "mm/slab.h"
#include "test.h"

#define RED_INACTIVE 0x09F911029D74E35BULL
#define RED_ACTIVE 0xD84156C5635688C0ULL
#define DBG (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

static void boot_slab(const char *cmdline)
{
	struct kmem_config cfg = { 0 };

	cfg.ram = 64ULL << 20;
	cfg.cpus = 2;
	cfg.cmdline = cmdline;
	cfg.slab = KMEM_SLAB_SLAB;
	cfg.quiet = true;
	CHECK_EQ(test_boot(&cfg), 0);
}

/* The buffer around an object: hide the object's size from the compiler. */
static unsigned char *buffer_of(void *p)
{
	__asm__("" : "+r"(p));
	return p;
}

static uint64_t word_at(const void *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	while (n--)
		if (*p++ != v)
			return false;
	return true;
}

/* 3.4's sizes: 100 -> obj_size 104, + 2 red zones + the user word = 128;
 * the object 8 bytes into its buffer. */
TEST(geometry)
{
	struct slab_classic_geometry g, plain;

	CHECK_EQ(slab_classic_calculate(100, 0, DBG, 1, 2, &g), 0);
	CHECK_EQ(g.obj_size, 104);
	CHECK_EQ(g.obj_offset, 8);
	CHECK_EQ(g.size, 128);
	CHECK_EQ(g.align, 8);
	CHECK_EQ(g.dbg, DBG);
	/* The cache line gives way to the debug words ... */
	CHECK_EQ(slab_classic_calculate(100, 0, DBG | SLAB_HWCACHE_ALIGN, 1, 2,
					&g),
		 0);
	CHECK_EQ(g.size, 128);
	CHECK_EQ(g.dbg, DBG);
	/* ... a caller's 64-byte alignment does not: only poisoning stays. */
	CHECK_EQ(slab_classic_calculate(100, 64, DBG, 1, 2, &g), 0);
	CHECK_EQ(g.dbg, SLAB_POISON);
	CHECK_EQ(g.obj_offset, 0);
	CHECK_EQ(g.size, 128);
	/* Store-user alone: one word after the object. */
	CHECK_EQ(slab_classic_calculate(100, 0, SLAB_STORE_USER, 1, 2, &g), 0);
	CHECK_EQ(g.size, 112);
	CHECK_EQ(g.obj_offset, 0);
	/* No debug flag: the geometry of the published slabinfo, unchanged. */
	CHECK_EQ(slab_classic_calculate(100, 0, 0, 1, 2, &plain), 0);
	CHECK_EQ(plain.size, 104);
	CHECK_EQ(plain.dbg, 0);
	CHECK_EQ(plain.obj_offset, 0);
	/* Poisoning is dropped for SLAB_TYPESAFE_BY_RCU (3.4: a BUG_ON). */
	CHECK_EQ(slab_classic_calculate(
			 100, 0, SLAB_POISON | SLAB_TYPESAFE_BY_RCU, 1, 2, &g),
		 0);
	CHECK_EQ(g.dbg, 0);
}

static noinline void *alloc_here(struct kmem_cache *s)
{
	return buffer_of(kmem_cache_alloc(s, GFP_KERNEL)); /* no tail call */
}

TEST(layout_allocated_and_free)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 100, 0, DBG, NULL);
	unsigned char *p;
	char sym[128];

	CHECK(s != NULL);
	p = alloc_here(s);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(ksize(p), 104);
	CHECK_EQ(word_at(p - 8), RED_ACTIVE);
	CHECK_EQ(word_at(p + 104), RED_ACTIVE);
	/* The last user: the function that called kmem_cache_alloc. */
	kmem_symbolize((void *)word_at(p + 112), sym, sizeof(sym));
	CHECK(strncmp(sym, "alloc_here+", 11) == 0);
	/* Allocated: POISON_INUSE, the last byte POISON_END. */
	CHECK(all_bytes(p, 103, 0x5a));
	CHECK_EQ(p[103], 0xa5);
	memset(p, 0x11, 100); /* the caller's own bytes */
	kmem_cache_free(s, p);
	/* Free (in the CPU's array): POISON_FREE, the zones inactive. */
	CHECK(all_bytes(p, 103, 0x6b));
	CHECK_EQ(p[103], 0xa5);
	CHECK_EQ(word_at(p - 8), RED_INACTIVE);
	CHECK_EQ(word_at(p + 104), RED_INACTIVE);
	kmem_symbolize((void *)word_at(p + 112), sym, sizeof(sym));
	CHECK(strncmp(sym, "layout_allocated_and_free+", 26) == 0);
	kmem_cache_destroy(s);
}

TEST(overrun_reported_at_free)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 100, 0, DBG, NULL);
	size_t mark = kmem_log_mark();
	char line[128];
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	CHECK(p != NULL);
	if (!p)
		return;
	p[104] = 0; /* one byte past the object (104 = 100 rounded) */
	kmem_cache_free(s, p);
	CHECK_LOG(
		mark,
		"slab error in verify_redzone_free(): cache `dbg': memory outside object was overwritten");
	snprintf(
		line, sizeof(line),
		"%p: redzone 1:0xd84156c5635688c0, redzone 2:0xd84156c563568800.",
		(void *)(p - 8));
	CHECK_LOG(mark, line);
	/* Freed all the same (3.4 went on): the zones are inactive again and
	 * the next allocation takes it without a report. */
	mark = kmem_log_mark();
	CHECK(kmem_cache_alloc(s, GFP_KERNEL) == p);
	CHECK(!kmem_log_contains(mark, "slab error"));
	kmem_cache_free(s, p);
	CHECK(!kmem_log_contains(mark, "slab error"));
	kmem_cache_destroy(s);
}

TEST(double_free_reported_once)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 100, 0, DBG, NULL);
	size_t mark = kmem_log_mark();
	void *p = kmem_cache_alloc(s, GFP_KERNEL), *a, *b;

	CHECK(p != NULL);
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);
	CHECK_LOG(
		mark,
		"slab error in verify_redzone_free(): cache `dbg': double free detected");
	CHECK_EQ(kmem_log_count(mark, "slab error"), 1);
	CHECK(!kmem_log_contains(mark, "slab: double free detected"));
	/* p went back once: it is not handed out twice. */
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(a && b && a != b);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	kmem_cache_destroy(s);
}

TEST(use_after_free_reported_at_alloc)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 100, 0, DBG, NULL);
	size_t mark;
	unsigned char *p, *q;
	char line[128];

	/* Two neighbours first, so that the report shows both. */
	void *before = kmem_cache_alloc(s, GFP_KERNEL);

	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(before && p && q);
	if (!p)
		return;
	kmem_cache_free(s, p);
	p[16] = 0x00;	     /* use after free */
	p[40] = 0x6b ^ 0x04; /* one flipped bit on its own line */
	mark = kmem_log_mark();
	CHECK(kmem_cache_alloc(s, GFP_KERNEL) == p); /* LIFO: p again */
	snprintf(line, sizeof(line),
		 "Slab corruption (Not tainted): dbg start=%p, len=104",
		 (void *)p);
	CHECK_LOG(mark, line);
	CHECK_LOG(mark, "Redzone: 0x9f911029d74e35b/0x9f911029d74e35b.");
	CHECK_LOG(mark, "Last user: [<");
	CHECK_LOG(
		mark,
		"010: 00 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  .kkkkkkkkkkkkkkk");
	CHECK_LOG(mark, "020: 6b 6b 6b 6b 6b 6b 6b 6b 6f 6b 6b 6b");
	CHECK_EQ(kmem_log_count(mark,
				"Single bit error detected. Probably bad RAM."),
		 1);
	CHECK_LOG(mark, "Prev obj: start=");
	CHECK_LOG(mark, "Next obj: start=");
	/* Handed out poisoned for use as usual. */
	CHECK_EQ(p[16], 0x5a);
	kmem_cache_free(s, p);
	kmem_cache_free(s, q);
	kmem_cache_free(s, before);
	kmem_cache_destroy(s);
}

static void ctor_mark(void *p)
{
	memset(p, 0xc7, 24);
}

/* Poisoned caches construct at every allocation (the poison would undo a
 * construction at slab creation). */
TEST(ctor_runs_at_allocation_when_poisoned)
{
	struct kmem_cache *s =
		kmem_cache_create("dbg_ctor", 24, 0, DBG, ctor_mark);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(all_bytes(p, 24, 0xc7));
	kmem_cache_free(s, p);
	CHECK(all_bytes(p, 23, 0x6b));
	CHECK(kmem_cache_alloc(s, GFP_KERNEL) == p);
	CHECK(all_bytes(p, 24, 0xc7));
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

/* slab_debug=ZPU: the kmalloc caches too (size-64: 64 + 16 + 8 = 88). */
TEST(kmalloc_with_slab_debug)
{
	size_t mark;
	unsigned char *p;

	boot_slab("slab_debug=ZPU");
	p = buffer_of(kmalloc(64, GFP_KERNEL));
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(ksize(p), 64);
	CHECK_EQ(word_at(p - 8), RED_ACTIVE);
	CHECK_EQ(word_at(p + 64), RED_ACTIVE);
	mark = kmem_log_mark();
	p[64] = 0;
	kfree(p);
	CHECK_LOG(
		mark,
		"slab error in verify_redzone_free(): cache `size-64': memory outside object was overwritten");
	p = kzalloc(64, GFP_KERNEL);
	CHECK(p && all_bytes(p, 64, 0));
	kfree(p);
	CHECK(kmem_check_invariants());
	boot_slab(NULL);
}

/* ---- constructors that write over a red zone ------------------------------ */

static void ctor_past_end(void *p)
{
	memset(buffer_of(p), 0x3c, 40 + 1); /* obj_size 40: one byte over */
}

static void ctor_before_start(void *p)
{
	buffer_of(p)[-1] = 0x3c; /* the last byte of red zone 1 */
}

/* The report's line (the function's name alone also appears in the call
 * traces of builds that do not inline it). */
#define ALLOC_REPORT "slab error in cache_alloc_debugcheck_after(): cache `"

/* 3.4's cache_init_objs checks both red zones after the constructor ran on
 * each object of a new slab (only without SLAB_POISON: poisoned caches
 * construct at allocation). Then each object, handed out, is reported
 * again ("double free, or memory outside object was overwritten") and its
 * zones made active: the cache goes on working. */
static void ctor_overwrite(const char *name, void (*ctor)(void *),
			   const char *what, const char *zones)
{
	struct kmem_cache *s = kmem_cache_create(
		name, 40, 0, SLAB_RED_ZONE | SLAB_STORE_USER, ctor);
	struct kmem_cache_info ci;
	size_t mark = kmem_log_mark();
	char line[160];
	void *objs[200], *p;
	unsigned int i, n, num;

	CHECK(s != NULL);
	if (!s)
		return;
	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(p != NULL);
	kmem_cache_get_info(s, &ci);
	num = ci.objects;
	CHECK(num > 1);
	/* One report per object of the new slab, in 3.4's words. */
	snprintf(line, sizeof(line),
		 "slab error in cache_init_objs(): cache `%s': %s", name, what);
	CHECK_LOG(mark, line);
	CHECK_EQ(kmem_log_count(mark, "slab error in cache_init_objs()"), num);
	CHECK_EQ(kmem_log_count(mark, what), num);
	/* The object handed out: its damaged zone is found again. */
	CHECK_LOG(mark, ALLOC_REPORT);
	CHECK_LOG(mark,
		  "double free, or memory outside object was overwritten");
	CHECK_LOG(mark, zones);
	CHECK_EQ(kmem_log_count(mark, ALLOC_REPORT), 1);
	/* Sane afterwards: every object handed out once (each reported once
	 * at its first allocation), freed without a report (its zones were
	 * made active), handed out and freed again without one, the cache
	 * destroyed clean. */
	objs[0] = p;
	for (n = 1; n < num + 3 && n < ARRAY_SIZE(objs); n++)
		objs[n] = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK_EQ(kmem_log_count(mark, ALLOC_REPORT), n);
	mark = kmem_log_mark();
	for (i = 0; i < n; i++)
		kmem_cache_free(s, objs[i]);
	for (i = 0; i < n; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < n; i++)
		CHECK(objs[i] != NULL);
	for (i = 0; i < n; i++)
		kmem_cache_free(s, objs[i]);
	CHECK(!kmem_log_contains(mark, "slab error"));
	CHECK(!kmem_log_contains(mark, "redzone"));
	CHECK(kmem_check_invariants());
	kmem_cache_destroy(s);
	CHECK(!kmem_log_contains(mark, "slab error"));
}

TEST(ctor_overwrote_end)
{
	ctor_overwrite(
		"ctor_end", ctor_past_end,
		"constructor overwrote the end of an object",
		"redzone 1:0x9f911029d74e35b, redzone 2:0x9f911029d74e33c");
}

TEST(ctor_overwrote_start)
{
	ctor_overwrite(
		"ctor_start", ctor_before_start,
		"constructor overwrote the start of an object",
		"redzone 1:0x3cf911029d74e35b, redzone 2:0x9f911029d74e35b");
}

/* ---- /proc/slab_allocators ---------------------------------------------- */

static char *show(const char *view)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	if (!f)
		return NULL;
	CHECK_EQ(kmem_show(view, f), 0);
	fclose(f);
	return buf;
}

/* How many lines of text start with `prefix`. */
static unsigned int lines_with(const char *text, const char *prefix)
{
	const char *p = text;
	unsigned int n = 0;

	while (p && *p) {
		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/* Two callers (different flags, so that the compiler cannot fold them
 * into one function or into alloc_here). */
static noinline void *leak_a(struct kmem_cache *s)
{
	return buffer_of(kmem_cache_alloc(s, GFP_KERNEL | __GFP_ZERO));
}

static noinline void *leak_b(struct kmem_cache *s)
{
	return buffer_of(kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN));
}

static noinline void *leak_kmalloc(void)
{
	return buffer_of(kmalloc(100, GFP_KERNEL));
}

static noinline void free_here(struct kmem_cache *s, void *p)
{
	kmem_cache_free(s, p);
	__asm__("" ::: "memory"); /* no tail call */
}

TEST(slab_allocators)
{
	struct kmem_cache *zu = kmem_cache_create(
		"leak_zu", 100, 0, SLAB_RED_ZONE | SLAB_STORE_USER, NULL);
	struct kmem_cache *u =
		kmem_cache_create("leak_u", 100, 0, SLAB_STORE_USER, NULL);
	void *a[5], *b[3], *c, *x;
	const char *la, *lb;
	char *text;
	unsigned int i;

	CHECK(zu && u);
	if (!zu || !u)
		return;
	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = leak_a(zu);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		b[i] = leak_b(zu);
	c = leak_a(u);
	text = show("slab_allocators");
	CHECK(text != NULL);
	if (!text)
		return;
	if (getenv("TEST_VERBOSE"))
		fputs(text, stderr);
	/* "<cache>: <count> <func+0xoff/0xsize>", one line a caller. */
	CHECK_EQ(lines_with(text, "leak_zu: "), 2);
	CHECK_EQ(lines_with(text, "leak_zu: 5 leak_a+0x"), 1);
	CHECK_EQ(lines_with(text, "leak_zu: 3 leak_b+0x"), 1);
	/* Store-user without red zones: not listed (3.4 needed both). */
	CHECK_EQ(lines_with(text, "leak_u:"), 0);
	/* In address order, as 3.4's sorted table. */
	la = strstr(text, "leak_zu: 5 leak_a+");
	lb = strstr(text, "leak_zu: 3 leak_b+");
	CHECK(la && lb);
	if (la && lb)
		CHECK(((void *)leak_a < (void *)leak_b) == (la < lb));
	CHECK(strstr(text, "/0x") != NULL);
	free(text);

	/* A freed object waits in the CPU's array, still out of its slab: 3.4
	 * counts it under the code that freed it, until the arrays drain. */
	free_here(zu, a[0]);
	text = show("slab_allocators");
	CHECK_EQ(lines_with(text, "leak_zu: 4 leak_a+0x"), 1);
	CHECK_EQ(lines_with(text, "leak_zu: 1 free_here+0x"), 1);
	free(text);
	kmem_cache_shrink(zu);
	text = show("slab_allocators");
	CHECK_EQ(lines_with(text, "leak_zu: "), 2);
	CHECK_EQ(lines_with(text, "leak_zu: 4 leak_a+0x"), 1);
	free(text);

	for (i = 1; i < ARRAY_SIZE(a); i++)
		kmem_cache_free(zu, a[i]);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		kmem_cache_free(zu, b[i]);
	kmem_cache_free(u, c);
	kmem_cache_shrink(zu);
	text = show("slab_allocators");
	CHECK_EQ(lines_with(text, "leak_zu:"), 0);
	free(text);
	kmem_cache_destroy(zu);
	kmem_cache_destroy(u);

	/* slab_debug=ZU: the kmalloc caches, e.g. size-128 for kmalloc(100). */
	boot_slab("slab_debug=ZU");
	x = leak_kmalloc();
	CHECK(x != NULL);
	text = show("slab_allocators");
	CHECK_EQ(lines_with(text, "size-128: 1 leak_kmalloc+0x"), 1);
	free(text);
	kfree(x);
	boot_slab(NULL);
}

/* Another allocator: the kernel has no such file; the view says so. */
TEST(slab_allocators_elsewhere)
{
	struct kmem_config cfg = { 0 };
	char *text;

	cfg.ram = 64ULL << 20;
	cfg.slab = KMEM_SLAB_SLUB;
	cfg.cmdline = "slab_debug=ZU";
	cfg.quiet = true;
	CHECK_EQ(test_boot(&cfg), 0);
	text = show("slab_allocators");
	CHECK_STR(text,
		  "# slab_allocators is SLAB's (CONFIG_DEBUG_SLAB_LEAK); this "
		  "machine runs SLUB (KMEM_SLAB=slab)\n");
	free(text);
	boot_slab(NULL);
}

int main(void)
{
	struct kmem_machine_info info;

	boot_slab(NULL);
	kmem_machine_info(&info);
	CHECK_STR(info.slab_name, "SLAB");
	RUN(geometry);
	RUN(layout_allocated_and_free);
	RUN(overrun_reported_at_free);
	RUN(double_free_reported_once);
	RUN(use_after_free_reported_at_alloc);
	RUN(ctor_runs_at_allocation_when_poisoned);
	RUN(kmalloc_with_slab_debug);
	RUN(ctor_overwrote_end);
	RUN(ctor_overwrote_start);
	RUN(slab_allocators);
	RUN(slab_allocators_elsewhere);
	test_halt();
	return test_summary();
}
