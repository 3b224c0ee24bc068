// SPDX-License-Identifier: MIT
/* A first smoke test of the machine and the buddy allocator, on both layouts. */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include "mm/internal.h"
#include "test.h"

TEST(alloc_free_orders)
{
	struct page *p[NR_PAGE_ORDERS];
	unsigned int o;

	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		p[o] = alloc_pages(GFP_KERNEL, o);
		CHECK(p[o] != NULL);
		if (p[o])
			memset(page_address(p[o]), 0x5a, PAGE_SIZE << o);
		CHECK(kmem_check_invariants());
	}
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		if (p[o])
			__free_pages(p[o], o);
}

TEST(dma_zone)
{
	struct page *p = alloc_pages(GFP_KERNEL | GFP_DMA, 0);

	CHECK(p != NULL);
	CHECK(page_to_phys(p) < (16UL << 20));
	__free_pages(p, 0);
}

TEST(x86_32_layout)
{
	struct kmem_config cfg = { .ram = 160ULL << 20,
				   .layout = KMEM_LAYOUT_X86_32,
				   .cpus = 2,
				   .quiet = true };
	struct kmem_machine_info info;
	struct page *hp;
	char *k;

	CHECK_EQ(test_boot(&cfg), 0);
	kmem_machine_info(&info);
	CHECK_EQ(info.vmalloc_start - info.page_offset, (160UL + 8) << 20);
	CHECK_EQ(info.high_memory - info.page_offset, 160UL << 20);
	hp = alloc_pages(GFP_HIGHUSER, 0);
	CHECK(hp != NULL);
	if (hp)
		__free_pages(hp, 0);
	cfg.ram = 1ULL << 30;
	CHECK_EQ(test_boot(&cfg), 0);
	hp = alloc_pages(GFP_HIGHUSER, 0);
	CHECK(hp && PageHighMem(hp));
	CHECK(page_address(hp) == NULL);
	k = kmap(hp);
	CHECK(k != NULL);
	if (k) {
		k[0] = 42;
		CHECK(page_address(hp) == k);
		kunmap(hp);
	}
	k = kmap_local_page(hp);
	CHECK(k && k[0] == 42);
	kunmap_local(k);
	__free_pages(hp, 0);
	CHECK(kmem_check_invariants());
	test_halt();
}

int main(void)
{
	RUN(alloc_free_orders);
	RUN(dma_zone);
	RUN(x86_32_layout);
	return test_summary();
}
