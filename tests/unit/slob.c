// SPDX-License-Identifier: MIT
/*
 * SLOB's core (mm/slob.c) on its own: ksize and the size header, alignment,
 * the free list a request uses, first fit and the list rotation, the return
 * of empty pages, double frees, and a fragmentation workload checked byte by
 * byte. The heap is driven directly (slob_kmalloc, slob_cache_alloc), so
 * these tests hold whatever allocator the machine booted with.
 */
/* kmem-test: slub-only: drives SLOB's heap directly (slob_init() resets it), so
 * the machine's own allocator must not be SLOB */
#include <stdint.h>
#include <stdlib.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include "mm/slab.h"
#include "mm/slob.h"
#include "tests/test.h"

static struct slob_stats stats(void)
{
	struct slob_stats st;

	slob_get_stats(&st);
	return st;
}

/* A cache descriptor for slob_cache_alloc (only size, align, ctor matter). */
static struct kmem_cache fake_cache(unsigned int size, unsigned int align)
{
	struct kmem_cache s;

	memset(&s, 0, sizeof(s));
	s.object_size = size;
	s.size = slob_cache_size(size, 0);
	s.align = align;
	snprintf(s.name, sizeof(s.name), "slob-test-%u", size);
	return s;
}

static void heap_empty(void)
{
	struct slob_stats st = stats();

	CHECK_EQ(st.pages, 0);
	CHECK_EQ(st.blocks, 0);
	CHECK(slob_check());
}

/* ksize() is the requested size rounded to slob units; the header holds the
 * size; the block is 8-aligned, a power of two naturally aligned. */
TEST(ksize_and_header)
{
	size_t n;

	slob_init();
	CHECK(slob_kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	for (n = 1; n < PAGE_SIZE - SLOB_MINALIGN; n += (n < 300 ? 1 : 37)) {
		char *p = slob_kmalloc(n, GFP_KERNEL);
		size_t want_align = SLOB_MINALIGN;

		CHECK(p != NULL);
		if (!p)
			break;
		if (is_power_of_2(n) && n > SLOB_MINALIGN)
			want_align = n;
		CHECK_EQ((uintptr_t)p % want_align, 0);
		CHECK_EQ(slob_ksize("ksize", p), (n + 1) & ~(size_t)1);
		CHECK_EQ(*(unsigned int *)(p - 8), n);
		CHECK_EQ(slob_kmalloc_size(p), n);
		memset(p, 0x5a, slob_ksize("ksize", p));
		CHECK(slob_page_is(virt_to_page(p)));
		slob_kfree("kfree", p);
	}
	heap_empty();
}

/* From PAGE_SIZE - 8 bytes up: pages, ksize the whole compound block. */
TEST(large_blocks)
{
	static const size_t sizes[] = { PAGE_SIZE - SLOB_MINALIGN, PAGE_SIZE,
					PAGE_SIZE + 1, 5 * PAGE_SIZE, 1 << 20 };
	unsigned long slab0 = global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	size_t i;

	slob_init();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = slob_kmalloc(sizes[i], GFP_KERNEL);
		struct page *page = virt_to_page(p);

		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK_EQ((uintptr_t)p % PAGE_SIZE, 0);
		CHECK(PageLargeKmalloc(page));
		CHECK(!slob_page_is(page));
		CHECK_EQ(ksize(p), PAGE_SIZE << get_order(sizes[i]));
		CHECK_EQ(global_node_page_state(NR_SLAB_UNRECLAIMABLE) - slab0,
			 1UL << get_order(sizes[i]));
		slab_kfree_large(p);
	}
	CHECK_EQ(global_node_page_state(NR_SLAB_UNRECLAIMABLE), slab0);
	heap_empty();
}

/* kmem_cache objects of a page or more: compound pages of their own,
 * slab pages of their cache; freeing one through another cache is refused. */
TEST(big_cache_objects)
{
	struct kmem_cache s = fake_cache(5000, 8), t = fake_cache(6000, 8);
	unsigned long slab0 = global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	struct page *page;
	size_t mark;
	void *p;

	slob_init();
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK(p != NULL);
	page = virt_to_page(p);
	CHECK_EQ((uintptr_t)p % PAGE_SIZE, 0);
	CHECK(PageSlab(page) && !slob_page_is(page));
	CHECK_EQ(compound_order(page), 1);
	CHECK(((struct slab *)page)->slab_cache == &s);
	CHECK_EQ(global_node_page_state(NR_SLAB_UNRECLAIMABLE) - slab0, 2);
	CHECK_EQ(stats().pages, 0);
	mark = kmem_log_mark();
	CHECK(!slob_cache_free(&t, p));
	CHECK_LOG(
		mark,
		"Wrong slab cache. slob-test-6000 but object is from slob-test-5000");
	mark = kmem_log_mark();
	CHECK(!slob_cache_free(&s, (char *)p + 64));
	CHECK_LOG(mark, "Invalid object pointer");
	CHECK(slob_cache_free(&s, p));
	CHECK_EQ(global_node_page_state(NR_SLAB_UNRECLAIMABLE), slab0);
	heap_empty();
}

/* The three lists by block size (header included): < 256, < 1024, rest;
 * each list starts its own page. */
TEST(free_list_choice)
{
	/* kmalloc sizes whose blocks (size + 8) fall on either side of the
	 * breaks. */
	static const struct {
		size_t size;
		enum slob_list_id list;
	} cases[] = {
		{ 1, SLOB_SMALL },    { 247, SLOB_SMALL },
		{ 248, SLOB_MEDIUM }, { 1015, SLOB_MEDIUM },
		{ 1016, SLOB_LARGE }, { 3000, SLOB_LARGE },
	};
	size_t i;

	slob_init();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		void *p = slob_kmalloc(cases[i].size, GFP_KERNEL);
		struct slob_stats st = stats();
		unsigned int l;

		CHECK(p != NULL);
		CHECK_EQ(slob_list_of(cases[i].size + SLOB_MINALIGN),
			 cases[i].list);
		CHECK_EQ(st.pages, 1);
		for (l = 0; l < SLOB_NR_LISTS; l++)
			CHECK_EQ(st.list_pages[l], l == cases[i].list);
		/* Another class does not share this page. */
		if (p) {
			size_t other = cases[i].list == SLOB_SMALL ? 500 : 16;
			void *q = slob_kmalloc(other, GFP_KERNEL);

			CHECK(q != NULL);
			CHECK(virt_to_page(q) != virt_to_page(p));
			CHECK_EQ(stats().pages, 2);
			slob_kfree("kfree", q);
			slob_kfree("kfree", p);
		}
		heap_empty();
	}
	/* A kmem_cache object has no header: a 254-byte object is small. */
	{
		struct kmem_cache s = fake_cache(254, 8);
		void *p = slob_cache_alloc(&s, GFP_KERNEL);

		CHECK_EQ(s.size, 254);
		CHECK_EQ(stats().list_pages[SLOB_SMALL], 1);
		slob_cache_free(&s, p);
	}
	heap_empty();
}

/* First fit within a page, the rotation to the front after a fit, and an
 * empty page going back at once. Objects of 200 bytes: 20 per page, and 96
 * bytes left over that no object fits. */
TEST(first_fit_and_rotation)
{
	struct kmem_cache s = fake_cache(200, 8);
	void *a[20], *b[20], *p;
	unsigned long free0;
	int i;

	slob_init();
	free0 = kmem_free_pages_drained();
	for (i = 0; i < 20; i++) {
		a[i] = slob_cache_alloc(&s, GFP_KERNEL);
		CHECK(a[i] != NULL);
		/* first fit on an empty page: consecutive blocks */
		CHECK_EQ((char *)a[i] - (char *)a[0], i * 200);
	}
	CHECK_EQ(stats().pages, 1);
	for (i = 0; i < 20; i++) {
		b[i] = slob_cache_alloc(&s, GFP_KERNEL);
		CHECK(virt_to_page(b[i]) != virt_to_page(a[0]));
	}
	CHECK_EQ(stats().pages, 2);
	CHECK_EQ(free0 - kmem_free_pages_drained(), 2);
	/* The list is [B, A] (a new page goes to the front). Free a hole in A:
	 * the next allocation skips B (96 bytes free) and fits A's hole,
	 * which rotates A to the front. */
	slob_cache_free(&s, a[5]);
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK(p == a[5]);
	/* Now one hole in each page: the front page, A, serves the next one. */
	slob_cache_free(&s, a[7]);
	slob_cache_free(&s, b[3]);
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK(p == a[7]);
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK(p == b[3]);
	/* The first fit is the lowest hole of the page. */
	slob_cache_free(&s, a[9]);
	slob_cache_free(&s, a[2]);
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK(p == a[2]);
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK(p == a[9]);
	CHECK(slob_check());
	/* Adjacent frees merge: two neighbouring 200-byte holes make one
	 * that a 248-byte kmalloc block (240 + header, still a small block)
	 * fits; neither hole alone would. */
	slob_cache_free(&s, a[11]);
	slob_cache_free(&s, a[12]);
	CHECK(slob_check());
	p = slob_kmalloc(240, GFP_KERNEL);
	CHECK(p == (char *)a[11] + SLOB_MINALIGN);
	CHECK_EQ(stats().pages, 2);
	slob_kfree("kfree", p);
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK(p == a[11]);
	a[11] = p;
	/* Freeing every block of a page gives the page back at once. */
	for (i = 0; i < 20; i++)
		if (i != 12)
			slob_cache_free(&s, a[i]);
	CHECK_EQ(stats().pages, 1);
	CHECK_EQ(free0 - kmem_free_pages_drained(), 1);
	for (i = 0; i < 20; i++)
		slob_cache_free(&s, b[i]);
	heap_empty();
	CHECK_EQ(kmem_free_pages_drained(), free0);
}

/* A cache's alignment: the units skipped to align a block stay free and
 * are used by later, smaller blocks. */
TEST(alignment)
{
	struct kmem_cache s = fake_cache(40, 64);
	void *p[30];
	int i;

	slob_init();
	for (i = 0; i < 30; i++) {
		p[i] = slob_cache_alloc(&s, GFP_KERNEL);
		CHECK_EQ((uintptr_t)p[i] % 64, 0);
	}
	/* 64 objects fit a page at one per 64 bytes: one page, and the
	 * 24-byte gaps are free blocks. */
	CHECK_EQ(stats().pages, 1);
	CHECK(stats().free_blocks >= 29);
	{
		/* A 16-byte kmalloc block (8 + 8) fits a 24-byte gap. */
		char *q = slob_kmalloc(8, GFP_KERNEL);
		uintptr_t off = (uintptr_t)(q - (char *)p[0]);

		CHECK_EQ(virt_to_page(q), virt_to_page(p[0]));
		CHECK(off % 64 >= 40);
		slob_kfree("kfree", q);
	}
	for (i = 0; i < 30; i++)
		slob_cache_free(&s, p[i]);
	heap_empty();
	/* kmalloc(2048): 2048-aligned after the header, so the block runs
	 * from 2040 to the end of a page: each one takes a page. */
	{
		void *x = slob_kmalloc(2048, GFP_KERNEL),
		     *y = slob_kmalloc(2048, GFP_KERNEL);

		CHECK_EQ((uintptr_t)x % PAGE_SIZE, 2048);
		CHECK_EQ((uintptr_t)y % PAGE_SIZE, 2048);
		CHECK_EQ(stats().pages, 2);
		slob_kfree("kfree", x);
		slob_kfree("kfree", y);
	}
	heap_empty();
}

/* __GFP_ZERO, __GFP_DMA, a constructor at every allocation. */
static int ctor_calls;
static void ctor(void *p)
{
	ctor_calls++;
	memset(p, 0x77, 24);
}

TEST(gfp_and_ctor)
{
	struct kmem_cache s = fake_cache(24, 8);
	unsigned char *p, *d;
	int i;

	slob_init();
	p = slob_kmalloc(100, GFP_KERNEL);
	memset(p, 0xff, 100);
	slob_kfree("kfree", p);
	p = slob_kmalloc(100, GFP_KERNEL | __GFP_ZERO);
	for (i = 0; i < 100; i++)
		if (p[i])
			break;
	CHECK_EQ(i, 100);
	d = slob_kmalloc(100, GFP_KERNEL | GFP_DMA);
	CHECK(d != NULL);
	CHECK_EQ(page_zonenum(virt_to_page(d)), ZONE_DMA);
	CHECK(virt_to_page(d) != virt_to_page(p));
	CHECK(page_zonenum(virt_to_page(p)) != ZONE_DMA);
	slob_kfree("kfree", d);
	slob_kfree("kfree", p);
	s.ctor = ctor;
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK_EQ(p[23], 0x77);
	slob_cache_free(&s, p);
	p = slob_cache_alloc(&s, GFP_KERNEL);
	CHECK_EQ(ctor_calls, 2);
	slob_cache_free(&s, p);
	heap_empty();
}

/* A double free and a pointer that cannot be a block are reported; the
 * heap stays intact and goes on working. */
TEST(bad_frees)
{
	struct kmem_cache s = fake_cache(64, 8);
	void *p, *q, *r;
	size_t mark;

	slob_init();
	p = slob_kmalloc(50, GFP_KERNEL);
	q = slob_kmalloc(50, GFP_KERNEL);
	slob_kfree("kfree", p);
	mark = kmem_log_mark();
	slob_kfree("kfree", p);
	CHECK_LOG(mark, "Object already free (SLOB)");
	CHECK(slob_check());
	mark = kmem_log_mark();
	slob_kfree("kfree", (char *)q + 3);
	CHECK_LOG(mark, "Invalid object pointer");
	r = slob_cache_alloc(&s, GFP_KERNEL);
	slob_cache_free(&s, r);
	mark = kmem_log_mark();
	slob_cache_free(&s, r);
	CHECK_LOG(mark, "Object already free (SLOB)");
	CHECK(slob_check());
	slob_kfree("kfree", q);
	heap_empty();
}

/* A churn of mixed sizes: every live block keeps its bytes (no two blocks
 * overlap), the heap checks out after every step, holes are reused, and
 * freeing all gives every page back. */
TEST(fragmentation_workload)
{
	enum { N = 3000 };
	static unsigned char *blk[N];
	static unsigned short len[N];
	unsigned long free0, peak_pages = 0, pages_half, pages_refill;
	struct slob_stats st;
	uint32_t rnd = 12345;
	int i, round;

	slob_init();
	free0 = kmem_free_pages_drained();
	for (round = 0; round < 4; round++) {
		for (i = 0; i < N; i++) {
			if (blk[i] && (rnd = rnd * 1103515245 + 12345) % 3)
				continue;
			if (blk[i]) {
				unsigned int k;

				for (k = 0; k < len[i]; k++)
					CHECK_EQ(blk[i][k],
						 (unsigned char)(i + k));
				slob_kfree("kfree", blk[i]);
			}
			rnd = rnd * 1103515245 + 12345;
			len[i] = (unsigned short)(1 + (rnd >> 16) % 700);
			blk[i] = slob_kmalloc(len[i], GFP_KERNEL);
			CHECK(blk[i] != NULL);
			if (blk[i]) {
				unsigned int k;

				for (k = 0; k < len[i]; k++)
					blk[i][k] = (unsigned char)(i + k);
			}
		}
		CHECK(slob_check());
		st = stats();
		if (st.pages > peak_pages)
			peak_pages = st.pages;
	}
	st = stats();
	CHECK_EQ(st.blocks, N);
	/* Used bytes never exceed the heap and the heap is not absurdly
	 * larger than what is used (external fragmentation below 50%). */
	CHECK(st.used_bytes <= st.pages * PAGE_SIZE);
	CHECK(st.used_bytes * 2 > st.pages * PAGE_SIZE);
	/* Free every other block: the pages mostly stay (fragmentation). */
	for (i = 0; i < N; i += 2) {
		slob_kfree("kfree", blk[i]);
		blk[i] = NULL;
	}
	pages_half = stats().pages;
	CHECK(pages_half * 10 > st.pages * 8);
	CHECK(slob_check());
	/* Small blocks fill the holes: the heap does not grow. */
	for (i = 0; i < N; i += 2) {
		len[i] = 16;
		blk[i] = slob_kmalloc(16, GFP_KERNEL);
		memset(blk[i], (unsigned char)i, 16);
	}
	pages_refill = stats().pages;
	CHECK(pages_refill <= pages_half);
	CHECK(slob_check());
	for (i = 0; i < N; i++) {
		if (i % 2 == 0) {
			CHECK_EQ(blk[i][15], (unsigned char)i);
		} else {
			CHECK_EQ(blk[i][len[i] - 1],
				 (unsigned char)(i + len[i] - 1));
		}
		slob_kfree("kfree", blk[i]);
		blk[i] = NULL;
	}
	heap_empty();
	CHECK_EQ(kmem_free_pages_drained(), free0);
	printf("fragmentation workload: peak %lu pages, %lu pages after freeing half, %lu after refilling with 16-byte blocks\n",
	       peak_pages, pages_half, pages_refill);
}

int main(void)
{
	RUN(ksize_and_header);
	RUN(large_blocks);
	RUN(big_cache_objects);
	RUN(free_list_choice);
	RUN(first_fit_and_rotation);
	RUN(alignment);
	RUN(gfp_and_ctor);
	RUN(bad_frees);
	RUN(fragmentation_workload);
	return test_summary();
}
