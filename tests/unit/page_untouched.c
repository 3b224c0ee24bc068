// SPDX-License-Identifier: MIT
/*
 * Frames never written since boot (PAGE_ZEROES, mm/internal.h): a
 * __GFP_ZERO allocation of one leaves it alone (it reads as zeroes: a hole
 * of the fresh RAM memfd), every frame written before is cleared, also in a
 * block that mixes both, and memory memblock handed back at boot is no
 * longer untouched; kmem_free_zeroed_pages() gives a zeroed block back as zeroes.
 * kmem_prefault_free_pages() backs the next free pages with
 * host pages and changes nothing else.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <kmem/machine.h>
#include "mm/internal.h"
#include "test.h"

static void boot(void)
{
	struct kmem_config cfg = { .ram = 64ull << 20,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = 2,
				   .quiet = true };

	CHECK_EQ(test_boot(&cfg), 0);
}

/* The host has a page behind this address (mincore: in the page cache). */
static bool host_resident(const void *addr)
{
	unsigned char vec = 0;

	if (mincore((void *)((unsigned long)addr & ~4095ul), 4096, &vec))
		return true;
	return vec & 1;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static bool untouched(const struct page *page)
{
	return page->flags & PAGE_ZEROES;
}

/* The first call after boot: a zeroed page of a frame nobody wrote is not
 * written (the host never backs it) and reads as zeroes. */
TEST(gfp_zero_of_untouched_frame_writes_nothing)
{
	struct page *page;
	void *addr;

	boot();
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	CHECK(page != NULL);
	if (!page)
		return;
	CHECK(!untouched(page)); /* it may be written from now on */
	addr = page_address(page);
	CHECK(!host_resident(addr));
	CHECK(all_zero(addr, PAGE_SIZE));
	__free_pages(page, 0);
}

/* A frame written and freed is not untouched again: __GFP_ZERO clears it,
 * alone and as part of a larger block whose other frames are untouched. */
TEST(gfp_zero_clears_written_frames)
{
	struct page *page, *again, *a = NULL, *p, *n;
	unsigned long pfn = 0;
	LIST_HEAD(held);
	bool found = false;

	boot();
	page = alloc_pages(GFP_KERNEL, 0);
	CHECK(page != NULL);
	if (!page)
		return;
	memset(page_address(page), 0xa5, PAGE_SIZE);
	__free_pages(page, 0);
	CHECK(!untouched(page));
	/* The per-CPU list hands the same frame back. */
	again = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	CHECK(again == page);
	if (again) {
		CHECK(all_zero(page_address(again), PAGE_SIZE));
		__free_pages(again, 0);
	}

	/* A free block mixing frames known to be zeroes (marked untouched
	 * here: the lower half) with written ones (the upper half): a zeroed
	 * allocation of it must clear the written ones. */
	a = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	CHECK(a != NULL);
	if (a) {
		unsigned long i, half = 1UL << (MAX_PAGE_ORDER - 1);

		pfn = page_to_pfn(a);
		memset(page_address(a), 0, PAGE_SIZE * half);
		memset(page_address(a + half), 0x5a, PAGE_SIZE * half);
		__free_pages(a, MAX_PAGE_ORDER);
		for (i = 0; i < half; i++)
			a[i].flags |= PAGE_ZEROES;
	}
	while (a && (p = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NORETRY |
					     __GFP_NOWARN,
				     MAX_PAGE_ORDER))) {
		found |= page_to_pfn(p) == pfn;
		CHECK(all_zero(page_address(p), PAGE_SIZE << MAX_PAGE_ORDER));
		list_add(&p->lru, &held);
		if (found)
			break;
	}
	CHECK(found);
	list_for_each_entry_safe(p, n, &held, lru) {
		list_del(&p->lru);
		__free_pages(p, MAX_PAGE_ORDER);
	}
}

/* kmem_free_zeroed_pages(): a block handed out holding zeroes and given back
 * unwritten is not cleared again (still no host page behind it); one handed
 * out with old data is, whatever its owner says. */
TEST(free_zeroed_pages_keeps_zeroes)
{
	struct page *page, *again;

	boot();
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	CHECK(page != NULL);
	if (!page)
		return;
	kmem_free_zeroed_pages(page, 0);
	CHECK(untouched(page));
	again = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	CHECK(again == page);
	if (!again)
		return;
	CHECK(!host_resident(page_address(again)));
	/* Written, freed, handed out again without __GFP_ZERO: old data. */
	memset(page_address(again), 0xa5, PAGE_SIZE);
	__free_pages(again, 0);
	page = alloc_pages(GFP_KERNEL, 0);
	CHECK(page == again);
	if (!page)
		return;
	kmem_free_zeroed_pages(page, 0);
	CHECK(!untouched(page));
	again = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	CHECK(again == page);
	if (again) {
		CHECK(all_zero(page_address(again), PAGE_SIZE));
		__free_pages(again, 0);
	}
}

/* Right after boot every untouched frame is free and reads as zeroes, and
 * some free frames are not untouched: the tails of the percpu first chunk's
 * units, which memblock reserved and handed back. */
TEST(untouched_frames_after_boot)
{
	unsigned long pfn, nr_untouched = 0, nr_free_written = 0;

	boot();
	for (pfn = 0; pfn < max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);
		enum kmem_page_owner o = page_owner(page);
		bool is_free = o == KMEM_OWNER_FREE || o == KMEM_OWNER_PCP;

		if (!untouched(page)) {
			nr_free_written += is_free;
			continue;
		}
		nr_untouched++;
		CHECK(is_free);
		CHECK(!memblock_is_reserved(PFN_PHYS(pfn)));
		if (!all_zero(page_address(page), PAGE_SIZE)) {
			CHECK(!"an untouched frame holds data");
			break;
		}
	}
	CHECK(nr_untouched > (32ul << 20) >> PAGE_SHIFT);
	CHECK(nr_free_written > 0);
}

/* kmem_prefault_free_pages(): the next free pages get host pages, stay free,
 * zeroes and untouched; an allocation from them needs no clearing. */
TEST(prefault_backs_next_free_pages)
{
	struct page *page;
	unsigned long got;

	boot();
	got = kmem_prefault_free_pages(256);
	CHECK(got >= 256);
	page = alloc_pages(GFP_KERNEL, 0);
	CHECK(page != NULL);
	if (!page)
		return;
	CHECK(host_resident(page_address(page)));
	CHECK(all_zero(page_address(page), PAGE_SIZE));
	__free_pages(page, 0);
	/* Asking for more than there is populates what there is. */
	got = kmem_prefault_free_pages(~0ul);
	CHECK(got > 256 && got <= totalram_pages());
}

int main(void)
{
	RUN(gfp_zero_of_untouched_frame_writes_nothing);
	RUN(gfp_zero_clears_written_frames);
	RUN(free_zeroed_pages_keeps_zeroes);
	RUN(untouched_frames_after_boot);
	RUN(prefault_backs_next_free_pages);
	return test_summary();
}
