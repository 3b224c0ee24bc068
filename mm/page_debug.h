/* SPDX-License-Identifier: MIT */
/*
 * The page allocator's debugging and hardening options (mm/page_debug.c):
 * init_on_alloc, init_on_free, page_poison, debug_pagealloc, page_owner,
 * chosen on the kernel command line. Private to mm/.
 */
#ifndef _KMEM_MM_PAGE_DEBUG_H
#define _KMEM_MM_PAGE_DEBUG_H

#include <linux/types.h>
#include <linux/gfp.h>

struct page;

#define PAGE_DEBUG_INIT_ON_ALLOC 0x1u
#define PAGE_DEBUG_INIT_ON_FREE 0x2u
#define PAGE_DEBUG_POISON 0x4u
#define PAGE_DEBUG_PAGEALLOC 0x8u
#define PAGE_DEBUG_OWNER 0x10u

/* The options of the running machine (0 when none: one test on the page
 * allocator's paths). Set at boot, before the first page is freed. */
extern unsigned int page_debug_flags;

/* Before memblock_free_all(): take the options from the command line,
 * reserve page_ext, print the "mem auto-init" line. */
void page_debug_init(void);
/* After memblock_free_all(): unmap the free pages (debug_pagealloc). */
void page_debug_init_late(void);
void page_debug_exit(void);

/* post_alloc_hook(): map back, check the poison, record the owner. Returns
 * gfp with __GFP_ZERO set if the pages must be zeroed, cleared if not. */
gfp_t page_debug_alloc(struct page *page, unsigned int order, gfp_t gfp);
/* free_pages_prepare(): zero or poison, unmap, forget the owner. */
void page_debug_free(struct page *page, unsigned int order);
/* split_page(): each page of the block becomes an order-0 allocation. */
void page_debug_split(struct page *page, unsigned int order);
/* debug_pagealloc: pages freed but left in the direct map (budget). */
unsigned long page_debug_left_mapped(void);

#endif
