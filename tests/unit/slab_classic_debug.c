// SPDX-License-Identifier: MIT
/*
 * SLAB's debugging (mm/slab.c section 7, CONFIG_DEBUG_SLAB of Linux 3.4):
 * the buffer layout with SLAB_RED_ZONE, SLAB_POISON and SLAB_STORE_USER,
 * the words it holds while an object is allocated and free, and 3.4's
 * reports: a write past the object ("memory outside object was
 * overwritten"), a double free ("double free detected"), a write into a
 * free object ("Slab corruption ..." with the dump, a lone flipped bit
 * called bad RAM), the constructor run at allocation under poisoning, the
 * debug words dropped for a cache aligned above 8, and slab_debug=ZPU on
 * the command line turning them on for the kmalloc caches.
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
	test_halt();
	return test_summary();
}
