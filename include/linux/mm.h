/* SPDX-License-Identifier: MIT */
#ifndef _KMEM_LINUX_MM_H
#define _KMEM_LINUX_MM_H

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/atomic.h>
#include <linux/sizes.h>
#include <asm/page.h>
#include <asm/io.h>
#include <asm/pgtable.h>

#define PAGE_ALIGN(addr) ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGN_DOWN(addr) ALIGN_DOWN(addr, PAGE_SIZE)
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)
#define page_to_virt(page) lowmem_page_address(page)

static inline bool PageHighMem(const struct page *page)
{
	return page_zonenum(page) == ZONE_HIGHMEM;
}

/* The kernel virtual address of a page: its direct-map address, or for a
 * HighMem page its kmap address while it is kmap'd (NULL otherwise). */
KMEM_API void *page_address(const struct page *page);

static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}
static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_refcount, v);
}
static inline void get_page(struct page *page)
{
	atomic_inc(&compound_head(page)->_refcount);
}
/* Drop a reference; the last one frees the (compound) page. */
KMEM_API void put_page(struct page *page);
static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

KMEM_API unsigned long totalram_pages(void);
KMEM_API unsigned long nr_free_pages(void);
KMEM_API unsigned long totalhigh_pages(void);

/* vmalloc addresses (mm/vmalloc.c). */
KMEM_API bool is_vmalloc_addr(const void *x);
KMEM_API struct page *vmalloc_to_page(const void *addr);
KMEM_API unsigned long vmalloc_to_pfn(const void *addr);
KMEM_API void kvfree(const void *addr);

/* Struct page <-> virtual address for any kernel address (direct map or
 * vmalloc). */
static inline struct page *virt_to_head_page(const void *x)
{
	return compound_head(virt_to_page(x));
}

#endif
