/* SPDX-License-Identifier: MIT */
/*
 * <kmem/introspect.h>: read-only views of the machine for tools.
 *
 * What a program (`kmem map`, the tour) may learn about the machine without
 * the library's private headers: a walk over the page frames with their
 * owner, order, cache and flags (the kernel's /proc/kpageflags, which
 * tools/mm/page-types reads, is the model), and iterators over the vmalloc
 * areas, the processes and their VMAs. Every function takes and drops the
 * locks it needs; a callback runs under them, so it must not call kmem's
 * allocators (the host's malloc is fine) and must return quickly.
 */
#ifndef _KMEM_INTROSPECT_H
#define _KMEM_INTROSPECT_H

#include <kmem/export.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/page-flags.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_cache;
struct kmem_process;
struct page;

/* ---- Page frames --------------------------------------------------------- */

/* Frame flags, the kernel's KPF_* numbers (include/uapi/linux/kernel-page-flags.h)
 * where kmem has the state. */
#define KMEM_KPF_SLAB 7
#define KMEM_KPF_BUDDY 10
#define KMEM_KPF_ANON 12
#define KMEM_KPF_SWAPCACHE 14
#define KMEM_KPF_COMPOUND_HEAD 15
#define KMEM_KPF_COMPOUND_TAIL 16
#define KMEM_KPF_NOPAGE 20 /* not RAM: an e820 hole */
#define KMEM_KPF_ZERO_PAGE 24
#define KMEM_KPF_PGTABLE 26
#define KMEM_KPF_RESERVED 32
#define KMEM_KPF(bit) (1ULL << KMEM_KPF_##bit)

/* One entry of the walk: a free buddy block, a compound page (a slab, a
 * large kmalloc block) or a single frame. */
struct kmem_frame_info {
	unsigned long pfn; /* first frame */
	unsigned long nr; /* frames covered (1 << order for a block) */
	enum kmem_page_owner owner; /* KMEM_OWNER_FREE for a buddy block */
	unsigned int order; /* free block or compound head: its order */
	uint64_t flags; /* KMEM_KPF() bits */
	const struct kmem_cache *cache; /* a slab's head: its cache; else NULL */
	int inuse, objects; /* a slab's head: objects in use, in all; else -1 */
};

/* Call fn for frames 0 .. max_pfn in order, a whole block at a time: a free
 * block's head carries its buddy order (each zone is walked under its
 * zone->lock, so the order is read from a block that is really free), a
 * slab's or large kmalloc block's head covers its tails. A tail met without
 * its head (a block being built by another thread) is one frame. Stops and
 * returns fn's value when it is non-zero; 0 at the end. Boots the machine if
 * needed. */
KMEM_API int kmem_walk_frames(int (*fn)(const struct kmem_frame_info *f,
					void *arg),
			      void *arg);

/* Frames per owner tag now (the page_owner checker's counts), and the owners'
 * names ("free", "slab", "pgtable" ...: the names of kmem map and the
 * checker). */
KMEM_API void kmem_owner_counts(unsigned long counts[KMEM_NR_OWNERS]);
KMEM_API const char *kmem_owner_name(enum kmem_page_owner owner);

/* ---- vmalloc areas ------------------------------------------------------- */

struct kmem_vmalloc_area {
	unsigned long start, end; /* [start, end), guard page included */
	unsigned long flags; /* VM_* (0 for vm_map_ram) */
	unsigned int nr_pages;
	const void *caller;
	bool vm_map_ram; /* a vm_map_ram() area */
	bool lazy; /* freed, waiting for a purge */
	struct page *const *pages; /* the area's pages (nr_pages), or NULL */
};

/* Call fn for every vmalloc area, busy ones in address order then the lazily
 * freed ones, under vmap_area_lock. Returns the number of areas. */
KMEM_API unsigned long kmem_for_each_vmalloc_area(
	void (*fn)(const struct kmem_vmalloc_area *a, void *arg), void *arg);

/* ---- Processes and VMAs --------------------------------------------------- */

/* Call fn for every live process, under process_lock (fn may read the
 * process with kmem_process_pid/comm/vmas); stops when fn returns non-zero
 * and returns that. */
KMEM_API int kmem_for_each_process(int (*fn)(struct kmem_process *p, void *arg),
				   void *arg);
KMEM_API const char *kmem_process_comm(struct kmem_process *p);

/* kmem_vma_info.flags: the kernel's VM_* bits. */
#define KMEM_VM_READ 0x00000001UL
#define KMEM_VM_WRITE 0x00000002UL
#define KMEM_VM_EXEC 0x00000004UL
#define KMEM_VM_SHARED 0x00000008UL
#define KMEM_VM_GROWSDOWN 0x00000100UL
#define KMEM_VM_LOCKED 0x00002000UL

struct kmem_vma_info {
	unsigned long start, end; /* user addresses */
	unsigned long flags; /* VM_* */
	unsigned long host; /* host address of start */
	const char *name; /* "[heap]", "[stack]", "/dev/zero (deleted)" or "" */
};
/* Snapshot up to max VMAs of p into out (under its mmap_lock); returns how
 * many p has. */
KMEM_API int kmem_process_vmas(struct kmem_process *p,
			       struct kmem_vma_info *out, int max);
/* Call fn for every (process, user address) whose page table maps frame pfn
 * (anonymous frames have one; the zero page has many). Returns the count. */
KMEM_API unsigned long kmem_frame_users(unsigned long pfn,
					void (*fn)(struct kmem_process *p,
						   unsigned long uaddr,
						   void *arg),
					void *arg);

/* ---- Symbols -------------------------------------------------------------- */

/* A code address as the kernel prints it: "func+0x1c/0x60", or the file and
 * offset, or the hex address when no symbol is known. Returns buf. */
KMEM_API char *kmem_symbolize(const void *addr, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* _KMEM_INTROSPECT_H */
