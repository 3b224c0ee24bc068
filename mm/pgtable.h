/* SPDX-License-Identifier: MIT */
/*
 * Kernel-style page tables (mm/pgtable.c), shared by vmalloc (the kernel's
 * tables for the vmalloc range) and user address spaces (one set per process).
 *
 * A page table is a tree of 4 KiB table pages of 512 64-bit entries, as on
 * x86: four levels (pgd/pud/pmd/pte, 48-bit addresses) on the x86-64 layout,
 * three (PAE: a 4-entry pgd, pmd, pte; 32-bit addresses) on x86-32. Table pages
 * come from the buddy allocator (page_type PGTY_table, owner tag PGTABLE) and
 * are counted in NR_PAGETABLE (meminfo's PageTables). An entry holds a physical
 * address and x86 flag bits; a non-present pte may hold a software value (a
 * swap entry). The host MMU is driven separately (arch_map_phys): these
 * tables are the kernel's record of what is mapped, and vmalloc_to_page and
 * the fault handlers walk them.
 *
 * Locking: the owner of a table serialises changes to it (vmalloc's and each
 * process's page_table_lock); table pages are allocated with GFP_KERNEL, so
 * callers must not hold a spinlock when passing alloc = true.
 */
#ifndef _KMEM_MM_PGTABLE_H
#define _KMEM_MM_PGTABLE_H

#include <linux/mm.h>

typedef u64 pteval_t;

#define _PAGE_PRESENT 0x001ULL
#define _PAGE_RW 0x002ULL
#define _PAGE_USER 0x004ULL
#define _PAGE_PWT 0x008ULL
#define _PAGE_PCD 0x010ULL
#define _PAGE_ACCESSED 0x020ULL
#define _PAGE_DIRTY 0x040ULL
#define _PAGE_PSE 0x080ULL
#define _PAGE_GLOBAL 0x100ULL
#define _PAGE_SOFTW1 0x200ULL /* kmem: maps the shared zero page */
#define _PAGE_SOFTW2 0x400ULL
#define _PAGE_SOFTW3 0x800ULL
#define _PAGE_SOFTW4 (1ULL << 58) /* ignored by the MMU, as bits 9-11 */
#define _PAGE_NX (1ULL << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ULL
#define _PAGE_SPECIAL _PAGE_SOFTW1

static inline unsigned long pte_pfn(pteval_t pte)
{
	return (unsigned long)((pte & PTE_PFN_MASK) >> PAGE_SHIFT);
}
static inline bool pte_present(pteval_t pte)
{
	return pte & _PAGE_PRESENT;
}
static inline bool pte_none(pteval_t pte)
{
	return pte == 0;
}
static inline pteval_t pfn_pte(unsigned long pfn, pteval_t prot)
{
	return ((pteval_t)pfn << PAGE_SHIFT) | prot;
}

struct kmem_pgtable {
	struct page *pgd;	      /* top-level table */
	int levels;		      /* 4 (x86-64) or 3 (x86-32 PAE) */
	unsigned long nr_table_pages; /* including the pgd */
	gfp_t gfp;		      /* for table pages */
};

/* Set up an empty table (allocates the pgd). 0 or -ENOMEM. */
int pgtable_init(struct kmem_pgtable *pt, gfp_t gfp);
/* Free every table page (not the frames the ptes point to). */
void pgtable_destroy(struct kmem_pgtable *pt);
/* The pte slot for addr; with alloc, missing tables are allocated (NULL if
 * that fails); without, NULL when a table on the way is missing. */
pteval_t *pgtable_pte(struct kmem_pgtable *pt, unsigned long addr, bool alloc);
/* Call fn for every non-empty pte in [start, end); stops and returns fn's
 * value if it is non-zero. */
int pgtable_walk(struct kmem_pgtable *pt, unsigned long start,
		 unsigned long end,
		 int (*fn)(pteval_t *pte, unsigned long addr, void *arg),
		 void *arg);
/* Free the table pages of [start, end) that hold no entry any more. */
void pgtable_free_empty(struct kmem_pgtable *pt, unsigned long start,
			unsigned long end);

#endif
