/* SPDX-License-Identifier: MIT */
/*
 * <kmem/introspect.h>: views of the machine for tools.
 *
 * What a program (`kmem map`, the tour) may learn about the machine without
 * the library's private headers: a walk over the page frames with their
 * owner, order, cache and flags (the kernel's /proc/kpageflags, which
 * tools/mm/page-types reads, is the model), and iterators over the vmalloc
 * areas, the processes and their VMAs; the zones' settings, the slab caches'
 * geometry and counts, where an object lives. Two switches serve tools that
 * show one mechanism at a time: the per-CPU page lists off, a cache's sheaves
 * flushed. A function that reads the machine boots it if it has not booted
 * (as every entry point does). Every function takes and drops the
 * locks it needs; a callback runs under them, so it must not call kmem's
 * allocators (the host's malloc is fine) and must return quickly.
 */
#ifndef _KMEM_INTROSPECT_H
#define _KMEM_INTROSPECT_H

#include <kmem/export.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/mmzone.h>
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
	unsigned long nr;  /* frames covered (1 << order for a block) */
	enum kmem_page_owner owner; /* KMEM_OWNER_FREE for a buddy block */
	unsigned int order;	    /* free block or compound head: its order */
	uint64_t flags;		    /* KMEM_KPF() bits */
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
	unsigned long flags;	  /* VM_* (0 for vm_map_ram) */
	unsigned int nr_pages;
	const void *caller;
	bool vm_map_ram;	   /* a vm_map_ram() area */
	bool lazy;		   /* freed, waiting for a purge */
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
	unsigned long flags;	  /* VM_* */
	unsigned long host;	  /* host address of start */
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

/* ---- Zones and the per-CPU lists ------------------------------------------ */

/* struct zone, its watermarks and counters are public (<linux/mmzone.h>);
 * these are the page allocator's settings that are not. */

/* Whether the machine's layout has zone z (an enum zone_type), populated or
 * empty: x86-32 has DMA, Normal, HighMem and Movable; x86-64 DMA, DMA32,
 * Normal, Movable and Device. /proc/zoneinfo lists exactly these. */
KMEM_API bool kmem_zone_in_layout(int zone);
/* The free blocks of each order in zone z (an enum zone_type; summed over
 * the migrate types), read under its zone->lock: /proc/buddyinfo's line of
 * the zone. False (counts all 0) for a zone the layout does not have. */
KMEM_API bool kmem_zone_free_counts(int z,
				    unsigned long counts[NR_PAGE_ORDERS]);
/* vm.min_free_kbytes, from which boot set the zones' watermarks. */
KMEM_API unsigned long kmem_min_free_kbytes(void);
/* Switch the per-CPU page lists off (they are drained first) or on again.
 * Off, every order-0 allocation and free goes to the zone's buddy lists, so
 * a program sees the buddy allocator alone (the kernel's zone_pcp_disable()
 * and zone_pcp_enable(), for every zone). */
KMEM_API void kmem_pcp_enable(bool on);

/* ---- Slab caches ------------------------------------------------------------ */

/* A cache's geometry (what /proc/slabinfo and SLUB's sysfs files print) and
 * what it holds now. */
struct kmem_cache_info {
	const char *name;
	unsigned int object_size; /* what the creator asked for */
	unsigned int size; /* a slot: the object and its metadata, aligned */
	unsigned int align;
	unsigned int offset;	     /* of the free pointer in a slot */
	unsigned int order;	     /* a slab is 2^order pages */
	unsigned int objects;	     /* slots per slab */
	unsigned int min_partial;    /* empty slabs a node keeps */
	unsigned int sheaf_capacity; /* pointers per sheaf; 0: no sheaves */
	/* The counts now (0 from kmem_slub_geometry): */
	unsigned long nr_full, nr_partial, nr_empty, nr_slabs;
	unsigned long total_objects, active_objects;
	/* Free objects cached above the slabs (counted in active_objects):
	 * SLUB, this thread's sheaves; SLAB, every CPU's array_cache and the
	 * node's shared array together; 0 on SLOB. */
	unsigned long thread_cached;
	/* SLUB: sheaves in the node's barn; a full one holds sheaf_capacity
	 * free objects (0 on SLAB and SLOB). */
	unsigned long barn_full, barn_empty;
};

/* Fill info for cache s, the one per-cache call of every slab allocator
 * (each count under the lock that guards it). On SLOB, which has no slabs,
 * order, objects and the slab counts are 0 and total_objects counts the
 * objects allocated. The free objects cached above the slabs are
 * thread_cached + barn_full * sheaf_capacity. */
KMEM_API void kmem_cache_get_info(struct kmem_cache *s,
				  struct kmem_cache_info *info);
/* Call fn for every cache, newest first, under slab_mutex (fn may call
 * kmem_cache_get_info, but must not create or destroy a cache); stops when
 * fn returns non-zero and returns that. */
KMEM_API int kmem_for_each_cache(int (*fn)(struct kmem_cache *s, void *arg),
				 void *arg);
/* The geometry SLUB gives a cache kmem_cache_create(name, object_size,
 * align, flags, ctor) on a machine of nr_cpus CPUs, without creating it:
 * fills the geometry fields of info (name NULL, counts 0). 0, or -EINVAL
 * when the object is too large. */
KMEM_API int kmem_slub_geometry(unsigned int object_size, unsigned int align,
				unsigned long flags, bool has_ctor,
				unsigned int nr_cpus,
				struct kmem_cache_info *info);
/* Give the calling thread's sheaves of s and its node's barn back to the
 * slabs (empty slabs beyond min_partial go back to the page allocator), as
 * the kernel flushes sheaves; no-op for SLAB and SLOB. */
KMEM_API void kmem_cache_flush_sheaves(struct kmem_cache *s);

/* The slab allocator of the machine (enum kmem_slab of <kmem/machine.h>):
 * its name ("SLUB", "SLAB", "SLOB") and whether this build has it. */
KMEM_API const char *kmem_slab_allocator_name(int which);
KMEM_API bool kmem_slab_allocator_built(int which);

/* Where an object from kmalloc() or kmem_cache_alloc() lives. */
struct kmem_object_info {
	struct kmem_cache *cache; /* NULL: a large kmalloc block, SLOB's heap */
	size_t size;		  /* ksize() */
	size_t footprint;   /* the bytes set aside for it: a slot (the cache's
			     * size), SLOB's size header and block, or the pages
			     * of a large block */
	unsigned long pfn;  /* first frame of its slab or block */
	unsigned int order; /* of that slab or block */
	/* SLUB only (else 0): its slab's slots and those taken off the
	 * slab's freelist (in use or in a sheaf), and the object's place. */
	unsigned int objects, inuse;
	unsigned long offset; /* bytes from the slab's first object */
	unsigned long index;  /* offset / the cache's size */
};
/* Fill info for p, the start of a live object. 0, or -EINVAL when p is not
 * one (SLUB says nothing; SLAB and SLOB report it as ksize() would). */
KMEM_API int kmem_object_info(const void *p, struct kmem_object_info *info);

/* ---- SLOB's heap ------------------------------------------------------------ */

/* SLOB's heap (KMEM_SLAB=slob): its pages, what they hold and how broken
 * up their free space is. Lists: blocks below 256 bytes, below 1 KiB, the
 * rest. Returns false (and zeroes out) on a machine that is not SLOB. */
struct kmem_slob_heap_stats {
	unsigned long pages;	     /* heap pages (not large kmalloc blocks) */
	unsigned long list_pages[3]; /* of which partly free, on each list */
	unsigned long free_bytes[3]; /* free bytes of those pages */
	unsigned long blocks;	     /* blocks handed out */
	unsigned long used_bytes; /* their bytes, kmalloc size headers included */
	unsigned long free_blocks;  /* free fragments */
	unsigned long largest_free; /* bytes */
	unsigned long big_pages; /* pages of cache objects of a page or more */
};
KMEM_API bool kmem_slob_heap_stats(struct kmem_slob_heap_stats *out);

/* ---- GFP flags by name ------------------------------------------------------ */

/* GFP flags as the kernel prints them (%pGg, the tracepoints'
 * gfp_flags=): "GFP_KERNEL|__GFP_ZERO", the bits no name covers as a
 * number, "0" for none. Returns buf. */
KMEM_API char *kmem_format_gfp(unsigned int gfp, char *buf, size_t len);
/* The reverse: names and numbers ("0x10") joined by '|', as the
 * tracepoints print them. 0, or -EINVAL for an unknown name. */
KMEM_API int kmem_parse_gfp(const char *s, unsigned int *out);

/* ---- Symbols -------------------------------------------------------------- */

/* A code address as the kernel prints it: "func+0x1c/0x60", or the file and
 * offset, or the hex address when no symbol is known. Returns buf. */
KMEM_API char *kmem_symbolize(const void *addr, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* _KMEM_INTROSPECT_H */
