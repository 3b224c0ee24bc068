/* SPDX-License-Identifier: MIT */
/* Page flags, page types and kmem's owner tags. */
#ifndef _KMEM_LINUX_PAGE_FLAGS_H
#define _KMEM_LINUX_PAGE_FLAGS_H

#include <linux/mm_types.h>

enum pageflags {
	PG_locked,
	PG_writeback,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,
	PG_waiters,
	PG_active,
	PG_workingset,
	PG_owner_priv_1,
	PG_owner_2,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_hwpoison,
	PG_highmem_mapped, /* kmem: a HighMem page currently kmap'd */
	__NR_PAGEFLAGS,
	PG_swapcache = PG_owner_priv_1,
};

#define PAGE_FLAGS_MASK ((1UL << __NR_PAGEFLAGS) - 1)

/* Page types (page->page_type, top byte), as the kernel's. */
enum pagetype {
	PGTY_buddy = 0xf0,
	PGTY_offline = 0xf1,
	PGTY_table = 0xf2,
	PGTY_guard = 0xf3,
	PGTY_hugetlb = 0xf4,
	PGTY_slab = 0xf5,
	PGTY_zsmalloc = 0xf6,
	PGTY_unaccepted = 0xf7,
	PGTY_large_kmalloc = 0xf8,
	PGTY_mapcount_underflow = 0xff
};

#define PAGE_TYPE_NONE \
	0xffffffffu /* page_type when no type is set (_mapcount -1) */

/* kmem: who owns a frame. Set by each layer when it takes or gives back pages;
 * the accounting checker and `kmem map` read it. */
enum kmem_page_owner {
	KMEM_OWNER_NONE = 0, /* allocated by alloc_pages for a direct caller */
	KMEM_OWNER_FREE,     /* in the buddy allocator */
	KMEM_OWNER_PCP,	     /* on a per-CPU free list */
	KMEM_OWNER_RESERVED, /* boot reservations: mem_map, pfn 0, zero page */
	KMEM_OWNER_SLAB,
	KMEM_OWNER_LARGE_KMALLOC,
	KMEM_OWNER_VMALLOC,
	KMEM_OWNER_PGTABLE,
	KMEM_OWNER_ANON, /* user anonymous memory */
	KMEM_OWNER_ZERO, /* the shared zero page */
	KMEM_OWNER_SWAPCACHE,
	KMEM_OWNER_KERNEL_STACK,
	KMEM_NR_OWNERS
};

#define ZONES_PGSHIFT 60
#define ZONES_MASK 7UL
#define KMEM_OWNER_PGSHIFT 52
#define KMEM_OWNER_MASK 63UL

static inline int __page_flag_test(const struct page *page, int nr)
{
	return (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >> nr) & 1;
}
static inline void __page_flag_set(struct page *page, int nr)
{
	__atomic_fetch_or(&page->flags, 1UL << nr, __ATOMIC_RELAXED);
}
static inline void __page_flag_clear(struct page *page, int nr)
{
	__atomic_fetch_and(&page->flags, ~(1UL << nr), __ATOMIC_RELAXED);
}

#define KMEM_PAGEFLAG(Name, bit)                              \
	static inline int Page##Name(const struct page *page) \
	{                                                     \
		return __page_flag_test(page, PG_##bit);      \
	}                                                     \
	static inline void SetPage##Name(struct page *page)   \
	{                                                     \
		__page_flag_set(page, PG_##bit);              \
	}                                                     \
	static inline void ClearPage##Name(struct page *page) \
	{                                                     \
		__page_flag_clear(page, PG_##bit);            \
	}

KMEM_PAGEFLAG(Locked, locked)
KMEM_PAGEFLAG(Referenced, referenced)
KMEM_PAGEFLAG(Uptodate, uptodate)
KMEM_PAGEFLAG(Dirty, dirty)
KMEM_PAGEFLAG(LRU, lru)
KMEM_PAGEFLAG(Head, head)
KMEM_PAGEFLAG(Active, active)
KMEM_PAGEFLAG(Reserved, reserved)
KMEM_PAGEFLAG(Private, private)
KMEM_PAGEFLAG(Reclaim, reclaim)
KMEM_PAGEFLAG(SwapBacked, swapbacked)
KMEM_PAGEFLAG(Unevictable, unevictable)
KMEM_PAGEFLAG(Mlocked, mlocked)
KMEM_PAGEFLAG(SwapCache, swapcache)
KMEM_PAGEFLAG(HighMemMapped, highmem_mapped)

static inline int PageTail(const struct page *page)
{
	return __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED) & 1;
}

static inline int PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head =
		__atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

static inline unsigned int compound_order(const struct page *page)
{
	return PageHead(page) ? page[1].compound_order : 0;
}

static inline unsigned int page_type_of(const struct page *page)
{
	/* data_race: PageBuddy(buddy) looks at a neighbour its owner may be
	 * retyping; it cannot become a buddy without zone->lock. */
	return data_race(page->page_type) >> 24;
}

#define KMEM_PAGE_TYPE(Name, type)                                 \
	static inline int Page##Name(const struct page *page)      \
	{                                                          \
		return page_type_of(page) == PGTY_##type;          \
	}                                                          \
	static inline void __SetPage##Name(struct page *page)      \
	{                                                          \
		page->page_type = (unsigned int)PGTY_##type << 24; \
	}                                                          \
	static inline void __ClearPage##Name(struct page *page)    \
	{                                                          \
		page->page_type = PAGE_TYPE_NONE;                  \
	}

KMEM_PAGE_TYPE(Buddy, buddy)
KMEM_PAGE_TYPE(Table, table)
KMEM_PAGE_TYPE(Guard, guard)
KMEM_PAGE_TYPE(Slab, slab)
KMEM_PAGE_TYPE(LargeKmalloc, large_kmalloc)
KMEM_PAGE_TYPE(Offline, offline)

static inline enum kmem_page_owner page_owner(const struct page *page)
{
	return (enum kmem_page_owner)(
		(__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >>
		 KMEM_OWNER_PGSHIFT) &
		KMEM_OWNER_MASK);
}

KMEM_API void set_page_owner_tag(struct page *page, unsigned int nr_pages,
				 enum kmem_page_owner owner);

#endif
