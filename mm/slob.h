/* SPDX-License-Identifier: MIT */
/*
 * SLOB (mm/slob.c): the private interface the slab front end calls when
 * SLOB is the machine's slab allocator. See the theory statement at the top
 * of mm/slob.c.
 */
#ifndef _KMEM_MM_SLOB_H
#define _KMEM_MM_SLOB_H

#include <linux/slab.h>
#include <linux/mm_types.h>

struct kmem_cache;
struct slab;

/* A slob unit: the granularity of SLOB's heap (2 bytes, as slob_t with 4 KiB
 * pages). */
#define SLOB_UNIT 2
#define SLOB_UNITS(size) (((size) + SLOB_UNIT - 1) / SLOB_UNIT)
/* The three free lists: blocks below SLOB_BREAK1 bytes, below SLOB_BREAK2,
 * and the rest. */
#define SLOB_BREAK1 256
#define SLOB_BREAK2 1024
/* The size header in front of a kmalloc block (and its alignment):
 * max(ARCH_KMALLOC_MINALIGN, ARCH_SLAB_MINALIGN). */
#define SLOB_MINALIGN                                                         \
	(ARCH_KMALLOC_MINALIGN > ARCH_SLAB_MINALIGN ? ARCH_KMALLOC_MINALIGN : \
						      ARCH_SLAB_MINALIGN)

enum slob_list_id { SLOB_SMALL, SLOB_MEDIUM, SLOB_LARGE, SLOB_NR_LISTS };

/* Which free list a block of `size` bytes (header included) is taken from. */
static inline enum slob_list_id slob_list_of(size_t size)
{
	if (size < SLOB_BREAK1)
		return SLOB_SMALL;
	if (size < SLOB_BREAK2)
		return SLOB_MEDIUM;
	return SLOB_LARGE;
}

/* Bring SLOB's heap up (empty lists) and down (the machine's RAM is gone:
 * nothing is freed). */
void slob_init(void);
void slob_exit(void);

/* The kmalloc family. slob_kmalloc: ZERO_SIZE_PTR for 0, a block with a
 * size header below PAGE_SIZE - SLOB_MINALIGN, else a large kmalloc block
 * (compound pages). slob_kfree/slob_ksize take an address inside a SLOB
 * page (PageSlab, marked by SLOB: slob_page_is()); the caller handles large
 * kmalloc blocks, NULL and ZERO_SIZE_PTR. func names the caller in reports. */
void *slob_kmalloc(size_t size, gfp_t gfp);
void slob_kfree(const char *func, const void *x);
size_t slob_ksize(const char *func, const void *x);
/* The size a kmalloc block was asked for (its header), 0 if x is not one. */
size_t slob_kmalloc_size(const void *x);

/* kmem_cache: the size SLOB gives an object of s (SLOB units, plus the RCU
 * footer for SLAB_TYPESAFE_BY_RCU); objects below a page come from the
 * shared heap, larger ones are pages (large kmalloc blocks). */
unsigned int slob_cache_size(unsigned int object_size, slab_flags_t flags);
void *slob_cache_alloc(struct kmem_cache *s, gfp_t gfp);
/* false if x was not freed (reported) */
bool slob_cache_free(struct kmem_cache *s, void *x);

/* Large kmalloc blocks (mm/slab_common.c): compound pages of order
 * get_order(size), PGTY_large_kmalloc, counted as unreclaimable slab. */
void *slab_kmalloc_large(size_t size, gfp_t flags);
void slab_kfree_large(const void *x);

/* Is this slab page one of SLOB's heap pages? */
bool slob_page_is(const struct page *page);

/* What the heap holds now (for the replay comparison, the tour, tests). */
struct slob_stats {
	unsigned long pages;			 /* SLOB heap pages */
	unsigned long list_pages[SLOB_NR_LISTS]; /* of which on each free list */
	unsigned long free_units[SLOB_NR_LISTS]; /* free units on those pages */
	unsigned long blocks;	    /* blocks allocated in the heap */
	unsigned long used_bytes;   /* their units (headers included) */
	unsigned long free_blocks;  /* free blocks (fragments) */
	unsigned long largest_free; /* the largest free block, bytes */
	unsigned long big_pages; /* pages of cache objects of a page or more */
};
void slob_get_stats(struct slob_stats *st);
/* Check every listed page's free list (order, bounds, unit counts). */
bool slob_check(void);

#endif
