// SPDX-License-Identifier: MIT
/*
 * SLOB: the Simple List Of Blocks allocator, as in its last kernel (Linux
 * 6.3, removed in 6.4), for machines booted with KMEM_SLAB=slob.
 *
 * Theory. SLOB is a K&R heap laid over whole pages. Every page of the heap
 * (a "slob page": PGTY_slab, owner slab, counted in NR_SLAB_UNRECLAIMABLE)
 * holds its own singly linked list of free blocks in address order. Blocks
 * are measured in slob units of 2 bytes; a free block records its size and
 * the offset of the next free block in its own first units:
 *
 *	units > 1:  unit[0] = size in units, unit[1] = next (page offset, units)
 *	units == 1: unit[0] = -next (a one-unit block has room for one field)
 *
 * The end of a page's list is the offset of the page's end (SLOB_PAGE_UNITS).
 * The page descriptor (struct slob_page, overlaid on struct page like struct
 * slab) keeps the first free block, the free units, and the page's link on
 * one of three heap lists chosen by request size: below 256 bytes (small),
 * below 1 KiB (medium) and the rest (large). A page joins the list of the
 * first request that took a block from it or of the first block freed into
 * it after it was full, and leaves it when it has no free unit left.
 *
 * Allocation (slob_alloc): walk the list of the request's size class; skip
 * pages with fewer free units than needed; in a page, first fit along the
 * free list, where a block fits if it holds the request after the units
 * skipped to align it (those become a free block of their own). A fit that
 * did not use the page's last unit rotates the list so that the next search
 * starts at this page (Knuth vol. 1, 2.5: it spreads fragments and shortens
 * searches). No page fits: a new page (allocated without the lock) becomes
 * one free block of SLOB_PAGE_UNITS, joins the list and serves the request.
 *
 * Free (slob_free): a page whose every unit becomes free goes straight back
 * to the page allocator. A full page gets a free list of one block and joins
 * the list of the freed block's size class. Otherwise the block is inserted
 * in address order, merged with the next free block if adjacent and with the
 * previous one if adjacent.
 *
 * kmalloc: below PAGE_SIZE - SLOB_MINALIGN a heap block of size + 8 bytes
 * whose first 8 bytes hold the requested size (the "size header"), aligned
 * so that the address after the header is 8-aligned, or size-aligned for a
 * power of two; ksize() is that size rounded up to slob units. Larger
 * requests are compound pages from the page allocator (large kmalloc blocks,
 * ksize = PAGE_SIZE << order). kmem_cache objects have no header and no
 * per-cache slab: they are heap blocks of the cache's size rounded to slob
 * units (plus the kernel's RCU footer for SLAB_TYPESAFE_BY_RCU), aligned to
 * the cache's alignment; from a page up, pages. The constructor runs at every
 * allocation (there is no cache of constructed objects).
 *
 * Where kmem differs from 6.3 (each on purpose): blocks for __GFP_DMA come
 * from their own three lists of DMA pages (6.3's lists mixed zones, so a
 * DMA request could get a block of a Normal page); kmem_cache objects of a
 * page or more are compound pages; a free is checked against the page's free
 * list before it touches it, so a double free or a block that does not fit
 * its page is reported ("Object already free", "Invalid object pointer")
 * and ignored instead of corrupting the heap (the kernel's SLOB checked
 * nothing). What cannot be checked is still unchecked, as in the kernel: an
 * interior pointer whose "header" looks like a size, kmem_cache_free() with
 * the wrong cache, and live objects at kmem_cache_destroy().
 *
 * Locking: slob_lock (innermost but for the page allocator, which is never
 * called with it held) protects the lists, every heap page's free list and
 * units, and the counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/kmemleak.h>
#include "mm/internal.h"
#include "mm/slab.h"
#include "mm/slob.h"

typedef short slobidx_t;
typedef struct slob_block {
	slobidx_t units;
} slob_t;

_Static_assert(sizeof(slob_t) == SLOB_UNIT, "a slob unit is one slobidx_t");
_Static_assert(PAGE_SIZE <= 32767 * 2, "slobidx_t holds a page's units");

#define SLOB_PAGE_UNITS ((slobidx_t)SLOB_UNITS(PAGE_SIZE))

/*
 * The descriptor of a heap page, overlaid on struct page as struct slab is:
 * slab_cache stays the boot cache and objects stays 0 (so kfree()'s SLUB
 * fast path never takes an address in it for an object and passes it to
 * the slow path), tc_offset is the dead index's empty entry, s_mem is the
 * page's address + 1 (the mark slob_page_is() tests: no SLUB slab's first
 * object is odd).
 */
struct slob_page {
	unsigned long __page_flags;
	struct kmem_cache *slab_cache;
	struct list_head slab_list; /* on a heap list, or empty */
	slob_t *freelist;	    /* first free block */
	unsigned short units;	    /* free units (over struct slab's inuse) */
	unsigned short objects;	    /* 0 */
	unsigned short tc_offset;
	unsigned short blocks; /* blocks allocated from the page */
	unsigned int __page_type;
	atomic_t __page_refcount;
	unsigned long mark; /* page address + 1 */
};

#define SLOB_OFF(f) __builtin_offsetof(struct slob_page, f)
#define SLAB_OFF(f) __builtin_offsetof(struct slab, f)
_Static_assert(sizeof(struct slob_page) == sizeof(struct page),
	       "struct slob_page overlays struct page");
_Static_assert(SLOB_OFF(slab_cache) == SLAB_OFF(slab_cache) &&
		       SLOB_OFF(slab_list) == SLAB_OFF(slab_list) &&
		       SLOB_OFF(objects) == SLAB_OFF(objects) &&
		       SLOB_OFF(tc_offset) == SLAB_OFF(tc_offset) &&
		       SLOB_OFF(__page_type) == SLAB_OFF(__page_type) &&
		       SLOB_OFF(mark) == SLAB_OFF(s_mem),
	       "struct slob_page keeps struct slab's fields in place");

/* The cache every kmalloc_caches[][] entry names under SLOB, and the
 * slab_cache of every heap page: kmalloc blocks have no cache of their own. */
static struct kmem_cache slob_kmalloc_cache;

/* The lists: [0] for Normal pages, [1] for DMA pages. */
static struct list_head slob_lists[2][SLOB_NR_LISTS];
static DEFINE_SPINLOCK_RANK(slob_lock, LOCK_RANK_LEAF);
static unsigned long slob_nr_pages, slob_nr_blocks, slob_used_units;
static atomic_long_t slob_big_pages; /* pages of big cache objects */

static inline struct slob_page *slob_page_of(const void *x)
{
	return (struct slob_page *)virt_to_page(x);
}

static inline slob_t *slob_base(const slob_t *s)
{
	return (slob_t *)((unsigned long)s & PAGE_MASK);
}

/* Make s a free block of `size` units whose next free block is `next`. */
static void set_slob(slob_t *s, slobidx_t size, slob_t *next)
{
	slobidx_t offset = (slobidx_t)(next - slob_base(s));

	if (size > 1) {
		s[0].units = size;
		s[1].units = offset;
	} else {
		s[0].units = (slobidx_t)-offset;
	}
}

static inline slobidx_t slob_units(const slob_t *s)
{
	return s->units > 0 ? s->units : 1;
}

static inline slob_t *slob_next(const slob_t *s)
{
	slobidx_t next = s[0].units < 0 ? (slobidx_t)-s[0].units : s[1].units;

	return slob_base(s) + next;
}

/* Is s the last free block of its page (its next is the page's end)? */
static inline bool slob_last(const slob_t *s)
{
	return !((unsigned long)slob_next(s) & ~PAGE_MASK);
}

/* The kernel's list_is_first() and list_rotate_to_front(). */
static inline bool list_is_first(const struct list_head *e,
				 const struct list_head *head)
{
	return e->prev == head;
}

static inline void list_rotate_to_front(struct list_head *e,
					struct list_head *head)
{
	/* Move head just before e: e becomes the first entry. */
	list_del(head);
	list_add_tail(head, e);
}

static inline bool slob_page_listed(const struct slob_page *sp)
{
	return !list_empty(&sp->slab_list);
}

static inline struct list_head *slob_list(size_t size, bool dma)
{
	return &slob_lists[dma][slob_list_of(size)];
}

bool slob_page_is(const struct page *page)
{
	const struct slob_page *sp = (const struct slob_page *)page;

	return PageSlab(page) &&
	       sp->mark == (unsigned long)lowmem_page_address(page) + 1;
}

/* The head page of a kmem_cache object of a page or more (mark + 3). */
static bool slob_big_page_is(const struct page *page)
{
	const struct slob_page *sp = (const struct slob_page *)page;

	return PageSlab(page) &&
	       sp->mark == (unsigned long)lowmem_page_address(page) + 3;
}

/* ---- pages -------------------------------------------------------------------- */

static void *slob_new_page(gfp_t gfp, bool dma)
{
	struct page *page;
	struct slob_page *sp;

	gfp &= ~(__GFP_ZERO | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE |
		 __GFP_COMP);
	if (dma)
		gfp |= __GFP_DMA;
	page = alloc_pages(gfp, 0);
	if (!page)
		return NULL;
	sp = (struct slob_page *)page;
	INIT_LIST_HEAD(&sp->slab_list);
	sp->slab_cache = &slob_kmalloc_cache;
	sp->objects = 0;
	sp->tc_offset = (unsigned short)(SLAB_DEAD_INDEX << SLAB_TC_SHIFT);
	sp->blocks = 0;
	sp->mark = (unsigned long)lowmem_page_address(page) + 1;
	__SetPageSlab(page);
	set_page_owner_tag(page, 1, KMEM_OWNER_SLAB);
	mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, 1);
	return lowmem_page_address(page);
}

static void slob_free_page(struct slob_page *sp)
{
	struct page *page = (struct page *)sp;

	mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, -1);
	memset(page->__words, 0, sizeof(page->__words));
	page->kmem_private = 0;
	__ClearPageSlab(page);
	set_page_owner_tag(page, 1, KMEM_OWNER_NONE);
	__free_pages(page, 0);
}

/*
 * A kmem_cache object of a page or more: compound pages of the order of its
 * size, straight from the page allocator, marked as a slab page of the
 * object's cache (so kfree() and kmem_cache_free() find the cache).
 */
static void *slob_big_alloc(struct kmem_cache *s, gfp_t gfp)
{
	unsigned int order = (unsigned int)get_order(s->size);
	struct slob_page *sp;
	struct page *page;

	gfp &= ~(__GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE);
	page = alloc_pages(gfp | (order ? __GFP_COMP : 0), order);
	if (!page)
		return NULL;
	sp = (struct slob_page *)page;
	INIT_LIST_HEAD(&sp->slab_list);
	sp->slab_cache = s;
	sp->objects = 0;
	sp->tc_offset = (unsigned short)(SLAB_DEAD_INDEX << SLAB_TC_SHIFT);
	sp->mark = (unsigned long)lowmem_page_address(page) + 3;
	__SetPageSlab(page);
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_SLAB);
	mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, 1L << order);
	atomic_long_add(1L << order, &slob_big_pages);
	return lowmem_page_address(page);
}

static bool slob_big_free(struct kmem_cache *s, struct page *page, void *x)
{
	struct slob_page *sp = (struct slob_page *)page;
	unsigned int order = compound_order(page);

	if (x != lowmem_page_address(page)) {
		WARN(1,
		     "%s(%p): Invalid object pointer (inside an object of %s)\n",
		     "kmem_cache_free", x, sp->slab_cache->name);
		return false;
	}
	if (sp->slab_cache != s) {
		WARN(1, "%s: Wrong slab cache. %s but object is from %s\n",
		     "kmem_cache_free", s->name, sp->slab_cache->name);
		return false;
	}
	if (unlikely(kmemleak_enabled))
		kmemleak_free(x);
	mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE,
			    -(1L << order));
	atomic_long_sub(1L << order, &slob_big_pages);
	memset(page->__words, 0, sizeof(page->__words));
	page->kmem_private = 0;
	__ClearPageSlab(page);
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_NONE);
	__free_pages(page, order);
	return true;
}

/* ---- the heap --------------------------------------------------------------- */

/*
 * First fit in one page: a block of `size` bytes such that the block's
 * address + align_offset is aligned to `align` (0: no alignment). NULL if
 * no free block of the page fits. *removed: the page left its list (its
 * last unit went).
 */
static slob_t *slob_page_alloc(struct slob_page *sp, size_t size,
			       unsigned int align, unsigned int align_offset,
			       bool *removed)
{
	slobidx_t units = (slobidx_t)SLOB_UNITS(size);
	slob_t *prev = NULL, *cur, *aligned;
	slobidx_t delta = 0;

	*removed = false;
	for (cur = sp->freelist;; prev = cur, cur = slob_next(cur)) {
		slobidx_t avail = slob_units(cur);

		if (align) {
			aligned = (slob_t *)(ALIGN((unsigned long)cur +
							   align_offset,
						   align) -
					     align_offset);
			delta = (slobidx_t)(aligned - cur);
		}
		if (avail >= units + delta) {
			slob_t *next;

			if (delta) {
				/* The units skipped for alignment stay free. */
				next = slob_next(cur);
				set_slob(aligned, avail - delta, next);
				set_slob(cur, delta, aligned);
				prev = cur;
				cur = aligned;
				avail = slob_units(cur);
			}
			next = slob_next(cur);
			if (avail == units) { /* exact fit: unlink it */
				if (prev)
					set_slob(prev, slob_units(prev), next);
				else
					sp->freelist = next;
			} else { /* split: the tail stays free */
				if (prev)
					set_slob(prev, slob_units(prev),
						 cur + units);
				else
					sp->freelist = cur + units;
				set_slob(cur + units, avail - units, next);
			}
			sp->units -= units;
			sp->blocks++;
			if (!sp->units) {
				list_del_init(&sp->slab_list);
				*removed = true;
			}
			return cur;
		}
		if (slob_last(cur))
			return NULL;
	}
}

static void *slob_alloc(size_t size, gfp_t gfp, unsigned int align,
			unsigned int align_offset)
{
	bool dma = gfp & __GFP_DMA;
	struct list_head *list = slob_list(size, dma);
	struct slob_page *sp;
	slob_t *b = NULL;
	bool removed;

	spin_lock(&slob_lock);
	list_for_each_entry(sp, list, slab_list) {
		if (sp->units < SLOB_UNITS(size))
			continue;
		b = slob_page_alloc(sp, size, align, align_offset, &removed);
		if (!b)
			continue;
		/* Start the next search here (unless the page left the list:
		 * then it was not fragmented by this allocation anyway). */
		if (!removed && !list_is_first(&sp->slab_list, list))
			list_rotate_to_front(&sp->slab_list, list);
		break;
	}
	if (b) {
		slob_nr_blocks++;
		slob_used_units += SLOB_UNITS(size);
	}
	spin_unlock(&slob_lock);

	if (!b) {
		b = slob_new_page(gfp, dma);
		if (!b)
			return NULL;
		sp = slob_page_of(b);
		spin_lock(&slob_lock);
		slob_nr_pages++;
		sp->units = SLOB_PAGE_UNITS;
		sp->freelist = b;
		set_slob(b, SLOB_PAGE_UNITS, b + SLOB_PAGE_UNITS);
		list_add(&sp->slab_list, list);
		b = slob_page_alloc(sp, size, align, align_offset, &removed);
		BUG_ON(!b);
		slob_nr_blocks++;
		slob_used_units += SLOB_UNITS(size);
		spin_unlock(&slob_lock);
	}
	if (unlikely(gfp & __GFP_ZERO))
		memset(b, 0, size);
	return b;
}

/*
 * Can [b, b + units) be a block of sp that is allocated? It must lie in the
 * page and overlap no free block. 0, or -EINVAL (outside the page), or
 * -EEXIST (overlaps a free block: freed already). Called with slob_lock.
 */
static int slob_block_check(struct slob_page *sp, slob_t *b, slobidx_t units)
{
	slob_t *cur;

	if (units <= 0)
		units = 1;
	if (sp->units) {
		for (cur = sp->freelist; cur < b + units;
		     cur = slob_next(cur)) {
			if (cur + slob_units(cur) > b)
				return -EEXIST;
			if (slob_last(cur))
				break;
		}
	}
	if ((b - slob_base(b)) + units > SLOB_PAGE_UNITS ||
	    sp->units + units > SLOB_PAGE_UNITS)
		return -EINVAL;
	return 0;
}

static void slob_report(const char *func, const void *x, int err)
{
	if (err == -EEXIST)
		WARN(1, "%s(%p): Object already free (SLOB)\n", func, x);
	else
		WARN(1, "%s(%p): Invalid object pointer (not a SLOB block)\n",
		     func, x);
}

/* Free the block of `size` bytes at block; report (as func, for x) and keep
 * the heap intact if it is not an allocated block. */
static bool slob_free(const char *func, const void *x, void *block, size_t size)
{
	struct slob_page *sp = slob_page_of(block);
	slob_t *prev, *next, *b = block;
	slobidx_t units = (slobidx_t)SLOB_UNITS(size);
	int err;

	spin_lock(&slob_lock);
	/* A size that cannot be (a kmalloc header overwritten by a free
	 * block's link, say) is checked as one unit: is it in a free block? */
	err = slob_block_check(sp, b, size && size < PAGE_SIZE ? units : 1);
	if (!err && (!size || size >= PAGE_SIZE))
		err = -EINVAL;
	if (err) {
		spin_unlock(&slob_lock);
		slob_report(func, x, err);
		return false;
	}
	slob_nr_blocks--;
	slob_used_units -= (unsigned long)units;
	sp->blocks--;
	if (sp->units + units == SLOB_PAGE_UNITS) {
		/* The whole page is free: straight back to the page allocator. */
		list_del_init(&sp->slab_list);
		slob_nr_pages--;
		spin_unlock(&slob_lock);
		slob_free_page(sp);
		return true;
	}
	if (!slob_page_listed(sp)) {
		/* A full page becomes partially free: one free block. */
		sp->units = (unsigned short)units;
		sp->freelist = b;
		set_slob(b, units, slob_base(b) + SLOB_PAGE_UNITS);
		list_add(&sp->slab_list,
			 slob_list(size, page_zonenum((struct page *)sp) ==
						 ZONE_DMA));
		goto out;
	}
	/* Partially free already: insert in address order, merging. */
	sp->units += units;
	if (b < sp->freelist) {
		if (b + units == sp->freelist) {
			units += slob_units(sp->freelist);
			sp->freelist = slob_next(sp->freelist);
		}
		set_slob(b, units, sp->freelist);
		sp->freelist = b;
	} else {
		prev = sp->freelist;
		next = slob_next(prev);
		while (b > next) {
			prev = next;
			next = slob_next(prev);
		}
		if (!slob_last(prev) && b + units == next) {
			units += slob_units(next);
			set_slob(b, units, slob_next(next));
		} else {
			set_slob(b, units, next);
		}
		if (prev + slob_units(prev) == b) {
			units = slob_units(b) + slob_units(prev);
			set_slob(prev, units, slob_next(b));
		} else {
			set_slob(prev, slob_units(prev), b);
		}
	}
out:
	spin_unlock(&slob_lock);
	return true;
}

/* ---- kmalloc ------------------------------------------------------------------- */

void *slob_kmalloc(size_t size, gfp_t gfp)
{
	unsigned int minalign = SLOB_MINALIGN;
	unsigned int *m;
	void *ret;

	if (size < PAGE_SIZE - minalign) {
		unsigned int align = minalign;

		/* Natural alignment for power-of-two sizes. */
		if (is_power_of_2(size))
			align = max_t(unsigned int, minalign,
				      (unsigned int)size);
		if (!size)
			return ZERO_SIZE_PTR;
		m = slob_alloc(size + minalign, gfp, align, minalign);
		if (!m)
			return NULL;
		*m = (unsigned int)size;
		ret = (char *)m + minalign;
	} else {
		ret = slab_kmalloc_large(size, gfp);
		if (!ret)
			return NULL;
		return ret; /* kmemleak: recorded by the large path */
	}
	if (unlikely(kmemleak_enabled))
		kmemleak_alloc(ret, size, 1, gfp);
	return ret;
}

/* The header of the kmalloc block at x, or NULL if x cannot start one. */
static unsigned int *slob_header(const void *x)
{
	if (((unsigned long)x & (SLOB_MINALIGN - 1)) ||
	    ((unsigned long)x & ~PAGE_MASK) < SLOB_MINALIGN)
		return NULL;
	return (unsigned int *)((char *)x - SLOB_MINALIGN);
}

void slob_kfree(const char *func, const void *x)
{
	unsigned int *m = slob_header(x);

	if (!m) {
		slob_report(func, x, -EINVAL);
		return;
	}
	if (unlikely(kmemleak_enabled))
		kmemleak_free(x);
	slob_free(func, x, m, (size_t)*m + SLOB_MINALIGN);
}

size_t slob_kmalloc_size(const void *x)
{
	unsigned int *m = slob_header(x);

	if (!m || *m >= PAGE_SIZE - SLOB_MINALIGN)
		return 0;
	return *m;
}

size_t slob_ksize(const char *func, const void *x)
{
	size_t size = slob_kmalloc_size(x);

	if (!size) {
		slob_report(func, x, -EINVAL);
		return 0;
	}
	return SLOB_UNITS(size) * SLOB_UNIT;
}

/* ---- kmem_cache ---------------------------------------------------------------- */

/* The kernel's struct slob_rcu (an rcu_head and the size) at the end of a
 * SLAB_TYPESAFE_BY_RCU object. */
#define SLOB_RCU_FOOTER 24

unsigned int slob_cache_size(unsigned int object_size, slab_flags_t flags)
{
	unsigned int size = object_size;

	if (flags & SLAB_TYPESAFE_BY_RCU)
		size += SLOB_RCU_FOOTER;
	return SLOB_UNITS(size) * SLOB_UNIT;
}

void *slob_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *b;

	if (s->flags & SLAB_CACHE_DMA)
		gfp |= __GFP_DMA;
	if (s->size < PAGE_SIZE)
		b = slob_alloc(s->size, gfp, s->align, 0);
	else
		b = slob_big_alloc(s, gfp);
	if (b && s->ctor) {
		WARN_ON_ONCE(gfp & __GFP_ZERO);
		s->ctor(b);
	}
	/* As SLUB and SLAB: a SLAB_NOLEAKTRACE cache (vmap_area's) is not
	 * tracked (the kernel's kmemleak_alloc_recursive()). */
	if (b && unlikely(kmemleak_enabled))
		kmemleak_slab_alloc(s, b);
	return b;
}

bool slob_cache_free(struct kmem_cache *s, void *x)
{
	struct page *page = virt_to_page(x);

	if (PageTail(page))
		page = compound_head(page);
	if (slob_big_page_is(page))
		return slob_big_free(s, page, x);
	if (s->size >= PAGE_SIZE || !slob_page_is(page) ||
	    ((unsigned long)x & (s->align ? s->align - 1 : 0)) ||
	    ((unsigned long)x & 1)) {
		slob_report("kmem_cache_free", x, -EINVAL);
		return false;
	}
	if (!slob_free("kmem_cache_free", x, x, s->size))
		return false;
	if (unlikely(kmemleak_enabled))
		kmemleak_free(x);
	return true;
}

/* ---- set up, counts, checks ---------------------------------------------------- */

void slob_init(void)
{
	unsigned int z, i;

	for (z = 0; z < 2; z++)
		for (i = 0; i < SLOB_NR_LISTS; i++)
			INIT_LIST_HEAD(&slob_lists[z][i]);
	spin_lock_init(&slob_lock);
	lockdep_set_rank_name(&slob_lock, LOCK_RANK_LEAF, "slob_lock");
	slob_nr_pages = slob_nr_blocks = slob_used_units = 0;
	atomic_long_set(&slob_big_pages, 0);
}

void slob_exit(void)
{
	slob_init(); /* the pages died with the machine's RAM */
}

void slob_get_stats(struct slob_stats *st)
{
	struct slob_page *sp;
	unsigned int z, i;

	memset(st, 0, sizeof(*st));
	spin_lock(&slob_lock);
	st->pages = slob_nr_pages;
	st->blocks = slob_nr_blocks;
	st->used_bytes = slob_used_units * SLOB_UNIT;
	st->big_pages = (unsigned long)atomic_long_read(&slob_big_pages);
	for (z = 0; z < 2; z++) {
		for (i = 0; i < SLOB_NR_LISTS; i++) {
			if (!slob_lists[z][i].next)
				continue; /* never brought up */
			list_for_each_entry(sp, &slob_lists[z][i], slab_list) {
				slob_t *cur;

				st->list_pages[i]++;
				st->free_units[i] += sp->units;
				for (cur = sp->freelist;;
				     cur = slob_next(cur)) {
					unsigned long bytes =
						(unsigned long)slob_units(cur) *
						SLOB_UNIT;

					st->free_blocks++;
					if (bytes > st->largest_free)
						st->largest_free = bytes;
					if (slob_last(cur))
						break;
				}
			}
		}
	}
	spin_unlock(&slob_lock);
}

static bool slob_check_page(struct slob_page *sp, unsigned int z)
{
	struct page *page = (struct page *)sp;
	slob_t *base = lowmem_page_address(page), *cur, *end = base;
	unsigned long units = 0, n = 0;

	if (!slob_page_is(page) || !sp->units || sp->units >= SLOB_PAGE_UNITS ||
	    (page_zonenum(page) == ZONE_DMA) != (z == 1)) {
		pr_err("slob check: page pfn %#lx: not a partly free slob page of its list\n",
		       page_to_pfn(page));
		return false;
	}
	for (cur = sp->freelist;;
	     end = cur + slob_units(cur), cur = slob_next(cur)) {
		if (slob_base(cur) != base || cur < end ||
		    cur + slob_units(cur) > base + SLOB_PAGE_UNITS ||
		    ++n > SLOB_PAGE_UNITS) {
			pr_err("slob check: page pfn %#lx: free block at offset %ld out of order or out of the page\n",
			       page_to_pfn(page),
			       (long)(cur - base) * SLOB_UNIT);
			return false;
		}
		units += slob_units(cur);
		if (slob_last(cur))
			break;
	}
	if (units != sp->units) {
		pr_err("slob check: page pfn %#lx: %lu free units listed, the page says %u\n",
		       page_to_pfn(page), units, sp->units);
		return false;
	}
	return true;
}

bool slob_check(void)
{
	unsigned long counts[KMEM_NR_OWNERS];
	struct slob_page *sp;
	unsigned long listed = 0, pages;
	unsigned int z, i;
	bool ok = true;

	spin_lock(&slob_lock);
	for (z = 0; z < 2; z++)
		for (i = 0; i < SLOB_NR_LISTS; i++) {
			if (!slob_lists[z][i].next)
				continue;
			list_for_each_entry(sp, &slob_lists[z][i], slab_list) {
				listed++;
				if (!slob_check_page(sp, z))
					ok = false;
			}
		}
	if (listed > slob_nr_pages) {
		pr_err("slob check: %lu pages on the lists, %lu slob pages\n",
		       listed, slob_nr_pages);
		ok = false;
	}
	pages = slob_nr_pages +
		(unsigned long)atomic_long_read(&slob_big_pages);
	spin_unlock(&slob_lock);
	if (slab_allocator == &slob_allocator) {
		/* The accounting the common check leaves to SLOB: the pages
		 * tagged slab are the heap's and the big objects', and the slab
		 * counters hold them and the large kmalloc blocks. */
		unsigned long tagged, counted;

		page_owner_counts(counts);
		tagged = counts[KMEM_OWNER_SLAB] +
			 counts[KMEM_OWNER_LARGE_KMALLOC];
		counted = global_node_page_state(NR_SLAB_RECLAIMABLE) +
			  global_node_page_state(NR_SLAB_UNRECLAIMABLE);
		if (counts[KMEM_OWNER_SLAB] != pages) {
			pr_err("slob check: %lu pages tagged slab, %lu heap and big object pages\n",
			       counts[KMEM_OWNER_SLAB], pages);
			ok = false;
		}
		if (tagged != counted) {
			pr_err("slob check: %lu pages tagged slab or large kmalloc, the slab counters say %lu\n",
			       tagged, counted);
			ok = false;
		}
	}
	return ok;
}

/* ---- the allocator under the common slab layer (struct slab_allocator) --------- */

/*
 * Cache descriptors are host memory in whole cache lines (as SLUB's, other
 * than its boot caches), kept after kmem_cache_destroy() until the machine
 * halts so that a destroyed cache's handle never names a new cache. live
 * counts the cache's objects, so that kmem_cache_destroy() with objects left
 * is reported as on SLUB (the kernel's SLOB could not tell).
 */
struct slob_cache {
	struct kmem_cache s;
	atomic_long_t live;
	struct list_head all; /* slob_all_caches (slab_mutex) */
};

static LIST_HEAD(slob_all_caches);

static struct slob_cache *slob_cache_of(struct kmem_cache *s)
{
	return container_of(s, struct slob_cache, s);
}

/* The fast paths' empty entry: every allocation and free of a SLOB cache
 * reaches the slow paths, which hand it here. */
#define SLOB_DEAD_TC ((unsigned int)SLAB_DEAD_INDEX << SLAB_TC_SHIFT)

static void slob_marker_init(void)
{
	memset(&slob_kmalloc_cache, 0, sizeof(slob_kmalloc_cache));
	snprintf(slob_kmalloc_cache.name, sizeof(slob_kmalloc_cache.name),
		 "kmalloc");
	slob_kmalloc_cache.flags = SLAB_KMALLOC;
	slob_kmalloc_cache.alloc_tc = SLOB_DEAD_TC;
	slob_kmalloc_cache.align = SLOB_MINALIGN;
	slob_kmalloc_cache.refcount = 1;
	INIT_LIST_HEAD(&slob_kmalloc_cache.list);
}

static int slob_op_init(const struct slab_page_source *src)
{
	unsigned int t, i;

	(void)src; /* SLOB takes its pages from the page allocator itself */
	slob_init();
	slob_marker_init();
	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 1; i <= KMALLOC_SHIFT_HIGH; i++)
			kmalloc_caches[t][i] = &slob_kmalloc_cache;
	return 0;
}

static void slob_op_exit(void)
{
	struct slob_cache *c, *tmp;

	list_for_each_entry_safe(c, tmp, &slob_all_caches, all) {
		list_del(&c->all);
		free(c);
	}
	INIT_LIST_HEAD(&slab_caches);
	slob_exit();
}

/* The kernel's calculate_alignment(). */
static unsigned int slob_calc_align(slab_flags_t flags, unsigned int align,
				    unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = 64; /* cache_line_size() */

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	align = max(align, (unsigned int)ARCH_SLAB_MINALIGN);
	return ALIGN(align, (unsigned int)sizeof(void *));
}

static struct kmem_cache *
slob_op_cache_create(const char *name, unsigned int size, unsigned int align,
		     slab_flags_t flags, void (*ctor)(void *))
{
	struct slob_cache *c;
	struct kmem_cache *s;
	size_t bytes = ALIGN(sizeof(*c), (size_t)64);

	c = aligned_alloc(64, bytes);
	if (!c)
		return ERR_PTR(-ENOMEM);
	memset(c, 0, bytes);
	s = &c->s;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = size;
	s->size = slob_cache_size(size, flags);
	s->inuse = size;
	s->align = slob_calc_align(flags, align, size);
	s->flags = flags;
	s->ctor = ctor;
	s->refcount = 1;
	s->alloc_tc = SLOB_DEAD_TC;
	s->index = 0;
	atomic_long_set(&c->live, 0);
	list_add(&c->all, &slob_all_caches);
	list_add(&s->list, &slab_caches);
	return s;
}

static int slob_op_cache_destroy(struct kmem_cache *s)
{
	struct slob_cache *c = slob_cache_of(s);
	long live;

	if (slab_cache_dead(s)) {
		slab_dead_cache(s, "kmem_cache_destroy");
		return -ENOENT;
	}
	live = atomic_long_read(&c->live);
	if (live) {
		pr_err("%s: Objects remaining in %s on __kmem_cache_shutdown(): %ld (SLOB keeps no slabs to list them)\n",
		       "kmem_cache_destroy", s->name, live);
		return -EBUSY;
	}
	list_del_init(&s->list);
	s->index = SLAB_DEAD_INDEX;
	return 0;
}

static int slob_op_cache_shrink(struct kmem_cache *s)
{
	(void)s; /* nothing is cached: empty pages went back at once */
	return 0;
}

static void *slob_op_alloc(struct kmem_cache *s, gfp_t gfp, size_t orig_size)
{
	void *p;

	if (s == &slob_kmalloc_cache)
		return slob_kmalloc(orig_size, gfp);
	p = slob_cache_alloc(s, gfp);
	if (p)
		atomic_long_inc(&slob_cache_of(s)->live);
	return p;
}

static void slob_op_free(struct kmem_cache *s, void *x)
{
	struct page *page = virt_to_page(x);

	if (PageTail(page))
		page = compound_head(page);
	if (s == &slob_kmalloc_cache && slob_page_is(page)) {
		slob_kfree("kfree", x);
		return;
	}
	if (s == &slob_kmalloc_cache)
		s = ((struct slob_page *)page)
			    ->slab_cache; /* kfree of a big object */
	if (slob_cache_free(s, x) && s != &slob_kmalloc_cache)
		atomic_long_dec(&slob_cache_of(s)->live);
}

static size_t slob_op_ksize(const void *x, struct kmem_cache **sp,
			    const char *func)
{
	struct page *page = virt_to_page(x);

	*sp = NULL;
	if (PageTail(page))
		page = compound_head(page);
	if (slob_page_is(page))
		return slob_ksize(func, x);
	if (slob_big_page_is(page)) {
		if (x != lowmem_page_address(page)) {
			WARN(1,
			     "%s(%p): Invalid object pointer (inside an object of %s)\n",
			     func, x,
			     ((struct slob_page *)page)->slab_cache->name);
			return 0;
		}
		*sp = ((struct slob_page *)page)->slab_cache;
		return PAGE_SIZE << compound_order(page);
	}
	WARN(1, "%s(%p): Not a kmalloc allocation\n", func, x);
	return 0;
}

/* 6.3's kmalloc_size_roundup() under SLOB. */
static size_t slob_op_size_roundup(size_t size)
{
	return ALIGN(size, (size_t)ARCH_KMALLOC_MINALIGN);
}

static void slob_op_get_counts(struct kmem_cache *s, struct slab_counts *c)
{
	long live = s == &slob_kmalloc_cache ?
			    0 :
			    atomic_long_read(&slob_cache_of(s)->live);

	memset(c, 0, sizeof(*c));
	c->active_objects = c->total_objects = (unsigned long)live;
}

static unsigned long slob_op_drain(void)
{
	return 0; /* no caches of free objects, no empty pages kept */
}

const struct slab_allocator slob_allocator = {
	.name = "SLOB",
	.init = slob_op_init,
	.exit = slob_op_exit,
	.cache_create = slob_op_cache_create,
	.cache_destroy = slob_op_cache_destroy,
	.cache_shrink = slob_op_cache_shrink,
	.alloc = slob_op_alloc,
	.free = slob_op_free,
	.kmalloc_large = NULL,
	.ksize = slob_op_ksize,
	.size_roundup = slob_op_size_roundup,
	.get_counts = slob_op_get_counts,
	.slabinfo_line = NULL, /* no /proc/slabinfo */
	.drain = slob_op_drain,
	.cache_pages = NULL, /* slob_check does the accounting */
	.check = slob_check,
};
