// SPDX-License-Identifier: MIT
/*
 * Page tables: see mm/pgtable.h for the theory. Each level indexes 9 bits of
 * the address (the top level of the 3-level PAE layout only 2); an upper-level
 * entry is the physical address of the next table | PRESENT | RW | USER.
 */
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include "mm/internal.h"
#include "mm/pgtable.h"

#define PTRS_PER_TABLE 512
#define TABLE_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

static inline int level_shift(const struct kmem_pgtable *pt, int level)
{
	/* level 0 is the top. */
	return PAGE_SHIFT + 9 * (pt->levels - 1 - level);
}

static inline unsigned int level_index(const struct kmem_pgtable *pt, int level,
				       unsigned long addr)
{
	unsigned long idx = addr >> level_shift(pt, level);

	if (level == 0 && pt->levels == 3)
		return (unsigned int)(idx & 3);
	return (unsigned int)(idx & (PTRS_PER_TABLE - 1));
}

static pteval_t *table_of(pteval_t entry)
{
	return __va(entry & PTE_PFN_MASK);
}

static struct page *alloc_table(struct kmem_pgtable *pt)
{
	struct page *page = alloc_pages(pt->gfp | __GFP_ZERO, 0);

	if (!page)
		return NULL;
	__SetPageTable(page);
	set_page_owner_tag(page, 1, KMEM_OWNER_PGTABLE);
	mod_node_page_state(&contig_page_data, NR_PAGETABLE, 1);
	pt->nr_table_pages++;
	return page;
}

static void free_table(struct kmem_pgtable *pt, struct page *page)
{
	kmem_assert(PageTable(page) && pt->nr_table_pages > 0);
	__ClearPageTable(page);
	set_page_owner_tag(page, 1, KMEM_OWNER_NONE);
	mod_node_page_state(&contig_page_data, NR_PAGETABLE, -1);
	pt->nr_table_pages--;
	__free_pages(page, 0);
}

int pgtable_init(struct kmem_pgtable *pt, gfp_t gfp)
{
	memset(pt, 0, sizeof(*pt));
	pt->levels = machine_is_x86_32() ? 3 : 4;
	pt->gfp = (gfp ? gfp : GFP_KERNEL) & ~__GFP_HIGHMEM;
	pt->pgd = alloc_table(pt);
	return pt->pgd ? 0 : -ENOMEM;
}

static void destroy_level(struct kmem_pgtable *pt, pteval_t *table, int level)
{
	unsigned int i,
		n = (level == 0 && pt->levels == 3) ? 4 : PTRS_PER_TABLE;

	if (level == pt->levels - 1)
		return;
	for (i = 0; i < n; i++) {
		if (!pte_present(table[i]))
			continue;
		destroy_level(pt, table_of(table[i]), level + 1);
		free_table(pt, virt_to_page(table_of(table[i])));
		table[i] = 0;
	}
}

void pgtable_destroy(struct kmem_pgtable *pt)
{
	if (!pt->pgd)
		return;
	destroy_level(pt, page_address(pt->pgd), 0);
	free_table(pt, pt->pgd);
	pt->pgd = NULL;
	kmem_assert(pt->nr_table_pages == 0);
}

pteval_t *pgtable_pte(struct kmem_pgtable *pt, unsigned long addr, bool alloc)
{
	pteval_t *table = page_address(pt->pgd);
	int level;

	for (level = 0; level < pt->levels - 1; level++) {
		pteval_t *entry = &table[level_index(pt, level, addr)];

		if (!pte_present(*entry)) {
			struct page *page;

			if (!alloc)
				return NULL;
			page = alloc_table(pt);
			if (!page)
				return NULL;
			*entry = (pteval_t)page_to_phys(page) | TABLE_PROT;
		}
		table = table_of(*entry);
	}
	return &table[level_index(pt, pt->levels - 1, addr)];
}

struct walk {
	struct kmem_pgtable *pt;
	unsigned long start, end;
	int (*fn)(pteval_t *pte, unsigned long addr, void *arg);
	void *arg;
};

static int walk_level(struct walk *w, pteval_t *table, int level,
		      unsigned long base)
{
	struct kmem_pgtable *pt = w->pt;
	int shift = level_shift(pt, level);
	unsigned int i,
		n = (level == 0 && pt->levels == 3) ? 4 : PTRS_PER_TABLE;
	int ret;

	for (i = 0; i < n; i++) {
		unsigned long lo = base + ((unsigned long)i << shift);
		unsigned long hi = lo + (1UL << shift);

		if (hi <= w->start || lo >= w->end || pte_none(table[i]))
			continue;
		if (level == pt->levels - 1) {
			ret = w->fn(&table[i], lo, w->arg);
		} else {
			/* An upper entry is a table or none. */
			kmem_assert(pte_present(table[i]));
			ret = walk_level(w, table_of(table[i]), level + 1, lo);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* The address bits above the top level (the host's high bits on x86-64, or
 * the relocation of a 32-bit layout) are kept from `start`. */
static unsigned long top_base(const struct kmem_pgtable *pt, unsigned long addr)
{
	int bits = pt->levels == 3 ? 32 : 48;

	return bits >= 64 ? 0 : addr & ~((1UL << bits) - 1);
}

int pgtable_walk(struct kmem_pgtable *pt, unsigned long start,
		 unsigned long end,
		 int (*fn)(pteval_t *pte, unsigned long addr, void *arg),
		 void *arg)
{
	struct walk w = { pt, start, end, fn, arg };

	if (!pt->pgd || end <= start)
		return 0;
	return walk_level(&w, page_address(pt->pgd), 0, top_base(pt, start));
}

static bool table_empty(const pteval_t *table, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!pte_none(table[i]))
			return false;
	return true;
}

static void free_empty_level(struct kmem_pgtable *pt, pteval_t *table,
			     int level, unsigned long base, unsigned long start,
			     unsigned long end)
{
	int shift = level_shift(pt, level);
	unsigned int i,
		n = (level == 0 && pt->levels == 3) ? 4 : PTRS_PER_TABLE;

	if (level == pt->levels - 1)
		return;
	for (i = 0; i < n; i++) {
		unsigned long lo = base + ((unsigned long)i << shift);
		unsigned long hi = lo + (1UL << shift);
		pteval_t *sub;

		if (hi <= start || lo >= end || !pte_present(table[i]))
			continue;
		sub = table_of(table[i]);
		free_empty_level(pt, sub, level + 1, lo, start, end);
		if (table_empty(sub, PTRS_PER_TABLE)) {
			table[i] = 0;
			free_table(pt, virt_to_page(sub));
		}
	}
}

/* The tables reachable from `table` (itself included): nr_table_pages
 * recounted from the top. */
static unsigned long count_tables(const struct kmem_pgtable *pt,
				  const pteval_t *table, int level)
{
	unsigned int i,
		n = (level == 0 && pt->levels == 3) ? 4 : PTRS_PER_TABLE;
	unsigned long nr = 1;

	if (level == pt->levels - 1)
		return 1;
	for (i = 0; i < n; i++)
		if (pte_present(table[i]))
			nr += count_tables(pt, table_of(table[i]), level + 1);
	return nr;
}

void pgtable_free_empty(struct kmem_pgtable *pt, unsigned long start,
			unsigned long end)
{
	if (!pt->pgd || end <= start)
		return;
	free_empty_level(pt, page_address(pt->pgd), 0, top_base(pt, start),
			 start, end);
	/* Whole structure: every table counted is linked, every linked one
	 * counted (debug builds). */
	kmem_assert_expensive(count_tables(pt, page_address(pt->pgd), 0) ==
			      pt->nr_table_pages);
}
