/* SPDX-License-Identifier: MIT */
/*
 * struct page: one per physical page frame, in the mem_map array (which, as in
 * the kernel, lives in simulated RAM reserved at boot). 64 bytes, like the
 * kernel's.
 *
 * The union is interpreted by the page's owner:
 *   - free pages (PageBuddy: page_type == PGTY_buddy) and per-CPU list pages:
 *     lru links it on a free list, private holds the buddy order;
 *   - slab pages: mm/slab.h overlays struct slab on the whole struct page;
 *   - tail pages of a compound page: compound_head is the head page | 1, and the
 *     first tail page holds the compound order;
 *   - pages given to other users (vmalloc, page tables, user memory) may use
 *     lru and private as they wish.
 *
 * flags holds the PG_* bits (low bits), the zone number (bits 60-62) and kmem's
 * owner tag (bits 52-57, enum kmem_page_owner: who the frame belongs to, for the
 * accounting checks and `kmem map`).
 */
#ifndef _KMEM_LINUX_MM_TYPES_H
#define _KMEM_LINUX_MM_TYPES_H

#include <linux/types.h>
#include <linux/compiler.h>

struct address_space;

struct page {
	unsigned long flags;
	union {
		struct {
			struct list_head lru;
			struct address_space *mapping;
			pgoff_t index;
			unsigned long private;
		};
		struct {
			unsigned long compound_head;  /* head page | 1 */
			unsigned char compound_order; /* first tail page only */
			unsigned char __tail_pad[7];
			unsigned long __tail_words[3];
		};
		unsigned long __words[5];
	};
	union {
		unsigned int page_type; /* PGTY_* in the top byte */
		atomic_t _mapcount;
	};
	atomic_t _refcount;
	unsigned long kmem_private; /* free for the owner (vmalloc, user mm) */
};

_Static_assert(sizeof(struct page) == 64, "struct page must be 64 bytes");

#endif
