/* SPDX-License-Identifier: MIT */
/* The page allocator's interface (mm/page_alloc.c). */
#ifndef _KMEM_LINUX_GFP_H
#define _KMEM_LINUX_GFP_H

#include <linux/gfp_types.h>
#include <linux/mmzone.h>
#include <linux/numa.h>

struct page;

/* Which zone a request starts from (it may fall back to lower zones). */
KMEM_API enum zone_type gfp_zone(gfp_t flags);

static inline int gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (gfp & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return !!(gfp & __GFP_DIRECT_RECLAIM);
}

/* Order-N allocation: 2^order physically contiguous pages, or NULL. */
KMEM_API struct page *alloc_pages(gfp_t gfp, unsigned int order);
KMEM_API struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
#define alloc_pages_noprof alloc_pages
/* Fill page_array's NULL slots with order-0 pages; returns how many slots are
 * filled (some may have been filled on entry). */
KMEM_API unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr_pages,
					struct page **page_array);
#define alloc_pages_bulk_array(gfp, nr, arr) alloc_pages_bulk(gfp, nr, arr)

KMEM_API unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
KMEM_API unsigned long get_zeroed_page(gfp_t gfp);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
#define __get_dma_pages(gfp, order) __get_free_pages((gfp) | GFP_DMA, (order))

KMEM_API void __free_pages(struct page *page, unsigned int order);
KMEM_API void free_pages(unsigned long addr, unsigned int order);
#define __free_page(page) __free_pages((page), 0)
#define free_page(addr) free_pages((addr), 0)

KMEM_API void *alloc_pages_exact(size_t size, gfp_t gfp);
KMEM_API void free_pages_exact(void *virt, size_t size);

#endif
