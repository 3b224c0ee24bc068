// SPDX-License-Identifier: MIT
/* Page tables: map, look up, walk, free empty tables; PageTables accounting. */
#include <linux/mm.h>
#include "mm/internal.h"
#include "mm/pgtable.h"
#include "test.h"

static int count_pte(pteval_t *pte, unsigned long addr, void *arg)
{
	(void)pte;
	(void)addr;
	(*(unsigned long *)arg)++;
	return 0;
}

static void exercise(void)
{
	struct kmem_pgtable pt;
	unsigned long base = VMALLOC_START, n = 0, i;
	unsigned long before = global_node_page_state(NR_PAGETABLE);
	pteval_t *pte;

	CHECK_EQ(pgtable_init(&pt, GFP_KERNEL), 0);
	for (i = 0; i < 1024; i++) {
		pte = pgtable_pte(&pt, base + i * PAGE_SIZE, true);
		CHECK(pte != NULL);
		if (pte)
			*pte = pfn_pte(i + 1, _PAGE_PRESENT | _PAGE_RW);
	}
	/* 1024 ptes from a 2 MiB boundary = 2 pte tables, plus one table on
	 * each upper level with the root: 5 with 4 levels, 4 with PAE's 3. */
	CHECK_EQ(pt.nr_table_pages, 2 + (pt.levels - 1));
	CHECK_EQ(pt.nr_table_pages, pt.levels == 4 ? 5 : 4);
	CHECK_EQ(global_node_page_state(NR_PAGETABLE),
		 before + pt.nr_table_pages);
	pte = pgtable_pte(&pt, base + 700 * PAGE_SIZE, false);
	CHECK(pte && pte_pfn(*pte) == 701);
	CHECK(pgtable_pte(&pt, base + (1UL << 30), false) == NULL);
	pgtable_walk(&pt, base, base + 1024 * PAGE_SIZE, count_pte, &n);
	CHECK_EQ(n, 1024);
	for (i = 512; i < 1024; i++)
		*pgtable_pte(&pt, base + i * PAGE_SIZE, false) = 0;
	n = pt.nr_table_pages;
	pgtable_free_empty(&pt, base, base + 1024 * PAGE_SIZE);
	CHECK_EQ(pt.nr_table_pages, n - 1);
	pgtable_destroy(&pt);
	CHECK_EQ(global_node_page_state(NR_PAGETABLE), before);
}

TEST(pgtable_x86_64)
{
	exercise();
}

TEST(pgtable_x86_32)
{
	struct kmem_config cfg = { .ram = 160ULL << 20,
				   .layout = KMEM_LAYOUT_X86_32,
				   .quiet = true };

	CHECK_EQ(test_boot(&cfg), 0);
	exercise();
	CHECK(kmem_check_invariants());
	test_halt();
}

int main(void)
{
	RUN(pgtable_x86_64);
	RUN(pgtable_x86_32);
	return test_summary();
}
