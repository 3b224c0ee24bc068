/* SPDX-License-Identifier: MIT */
/* Temporary kernel mappings of pages. On the x86-32 layout HighMem pages have
 * no permanent mapping: kmap() maps one into the persistent kmap window
 * (PKMAP_BASE, LAST_PKMAP slots) and kunmap() releases it; kmap_local_page()
 * and kmap_atomic() do the same for a short, nested use. Low-memory pages are
 * returned at their direct-map address. */
#ifndef _KMEM_LINUX_HIGHMEM_H
#define _KMEM_LINUX_HIGHMEM_H

#include <linux/mm.h>
#include <linux/string.h>

KMEM_API void *kmap(struct page *page);
KMEM_API void kunmap(struct page *page);
KMEM_API void *kmap_local_page(struct page *page);
KMEM_API void kunmap_local(const void *addr);
#define kmap_atomic(page)              \
	({                             \
		preempt_disable();     \
		kmap_local_page(page); \
	})
#define kunmap_atomic(addr)         \
	do {                        \
		kunmap_local(addr); \
		preempt_enable();   \
	} while (0)

static inline void clear_highpage(struct page *page)
{
	void *kaddr = kmap_local_page(page);

	memset(kaddr, 0, PAGE_SIZE);
	kunmap_local(kaddr);
}

static inline void copy_highpage(struct page *to, struct page *from)
{
	void *vfrom = kmap_local_page(from);
	void *vto = kmap_local_page(to);

	memcpy(vto, vfrom, PAGE_SIZE);
	kunmap_local(vto);
	kunmap_local(vfrom);
}

static inline void memcpy_from_page(char *to, struct page *page, size_t offset,
				    size_t len)
{
	char *from = kmap_local_page(page);

	memcpy(to, from + offset, len);
	kunmap_local(from);
}

static inline void memcpy_to_page(struct page *page, size_t offset,
				  const char *from, size_t len)
{
	char *to = kmap_local_page(page);

	memcpy(to + offset, from, len);
	kunmap_local(to);
}

#endif
