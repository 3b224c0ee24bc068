/* SPDX-License-Identifier: MIT */
/*
 * Private interface of vmalloc (mm/vmap_area.c: the address allocator;
 * mm/vmalloc.c: pages, mapping, faults, views). Used by the replay tool (which
 * replays alloc_vmap_area/free_vmap_area_noflush trace events), `kmem map`
 * (which draws the busy areas) and the unit tests.
 */
#ifndef _KMEM_MM_VMALLOC_H
#define _KMEM_MM_VMALLOC_H

#include <linux/list.h>
#include <linux/vmalloc.h>
#include <linux/spinlock.h>

/* vmap_area->flags */
#define VMAP_RAM 0x1  /* a vm_map_ram() area (no vm_struct) */
#define VMAP_LAZY 0x2 /* freed, waiting for the next purge */

/* vmap_area->map_mode: how the host MMU backs the area. */
#define VMAP_HOST_NONE 0   /* nothing mapped (get_vm_area, or unmapped) */
#define VMAP_HOST_EAGER 1  /* one host mapping per physically contiguous run */
#define VMAP_HOST_DEMAND 2 /* mapped page by page on access (over budget) */

/*
 * A range of the vmalloc address space. Free ranges live in the free tree,
 * allocated ones in the busy tree, freed-but-not-purged ones on the purge list
 * (and nowhere else). Both trees are AVL trees ordered by va_start; in the free
 * tree each node also knows the largest free block in its subtree
 * (subtree_max_size), which makes the lowest-fit search O(log n).
 */
struct vmap_area {
	unsigned long va_start;
	unsigned long va_end; /* exclusive */
	union {
		/* in the free or the busy tree */
		struct {
			struct vmap_area *left, *right; /* tree links */
		};
		struct list_head list; /* purge list (in no tree), or a
					* local list of areas leaving */
	};
	unsigned long subtree_max_size; /* free tree only */
	struct vm_struct *vm;	/* busy: the area, or NULL (vm_map_ram) */
	const void *caller;	/* kept after free, for fault reports */
	int height;		/* AVL height of this subtree */
	unsigned int flags;	/* VMAP_* */
	unsigned int host_maps; /* host mappings the area holds */
	unsigned int map_mode;	/* VMAP_HOST_* */
};
/* 72 bytes on 64-bit hosts, the kernel's size (6.18: vmap_area 72 in
 * /proc/slabinfo): the tree links and the purge-list links share their
 * bytes, as an area is never on both. */

static inline unsigned long va_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

/*
 * The address allocator (mm/vmap_area.c).
 *
 * alloc_vmap_area(): the lowest free range of `size` bytes aligned to `align`
 * inside [vstart, vend) (vend as the kernel's: the area must end at or below
 * it), busy from now on. If the space is exhausted, lazily freed areas are
 * purged and the search retried once; then it fails with the kernel's
 * "vmap allocation for size %lu failed" (unless __GFP_NOWARN) and returns
 * ERR_PTR(-EBUSY). -EINVAL for a bad size or alignment, -ENOMEM if no
 * bookkeeping object could be allocated.
 */
struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align,
				  unsigned long vstart, unsigned long vend,
				  int node, gfp_t gfp_mask,
				  unsigned long va_flags, struct vm_struct *vm);
/* Give a busy area back lazily (it joins the purge list; a purge follows when
 * more than lazy_max_pages() are waiting). The caller has unmapped it. */
void free_vmap_area_noflush(struct vmap_area *va);
/* The busy area containing addr, or NULL. */
struct vmap_area *find_vmap_area(unsigned long addr);
/* Busy area lookup that also removes it from the busy tree. */
struct vmap_area *find_unlink_vmap_area(unsigned long addr);
/* __get_vm_area_node() is public: <linux/vmalloc.h>. */
/* Map (unmap) nr pages at addr inside vm, an area holding no pages of its
 * own: the percpu allocator's chunks (mm/percpu.c). Neither changes
 * nr_vmalloc_pages. 0 or -errno. */
int vmap_pages_partial(struct vm_struct *vm, unsigned long addr,
		       struct page **pages, unsigned int nr);
void vunmap_pages_partial(struct vm_struct *vm, unsigned long addr,
			  unsigned int nr);
/* Purge every lazily freed area now (one counted TLB flush); returns the
 * number of pages released. Safe from any context that may take a mutex. */
unsigned long purge_vmap_area_lazy(void);
unsigned long lazy_max_pages(void);

/*
 * Iterate the busy areas in address order (for `kmem map`), then the lazily
 * freed ones. fn runs under vmap_area_lock: it must not allocate or call into
 * vmalloc. Returns the number of areas visited.
 */
struct vmalloc_area_info {
	unsigned long start, end; /* [start, end), guard page included */
	unsigned long flags;	  /* VM_* of the vm_struct (0 for vm_map_ram) */
	unsigned int nr_pages;
	const void *caller;
	bool vm_map_ram;       /* a vm_map_ram() area */
	bool lazy;	       /* freed, waiting for a purge */
	unsigned int map_mode; /* VMAP_HOST_* */
	bool vpages;	       /* the page array is itself vmalloc'd */
};
unsigned long vmalloc_for_each_area(void (*fn)(const struct vmalloc_area_info *,
					       void *),
				    void *arg);

/* Statistics (tests, tour, benchmarks). */
struct vmalloc_stats {
	unsigned long nr_busy, nr_free, nr_lazy; /* areas in each state */
	unsigned long busy_bytes, free_bytes, lazy_bytes;
	unsigned long largest_free; /* bytes: the free tree root's max */
	unsigned long lazy_pages;   /* vmap_lazy_nr */
	unsigned long nr_purges;    /* "TLB flushes" */
	unsigned long host_maps;    /* host mappings held by vmalloc */
	unsigned long host_map_budget;
	unsigned long demand_faults; /* demand-mode refills */
	unsigned long demand_areas;  /* areas created in demand mode */
};
void vmalloc_get_stats(struct vmalloc_stats *st);

/*
 * Host-mapping budget: the host allows vm.max_map_count mappings per process.
 * vmalloc maps each physically contiguous run of an area with one host mapping
 * while its class of arch/x86/hostmap.c (HOSTMAP_VMALLOC) stays under its
 * budget (half of max_map_count by default); beyond it, areas are mapped on
 * demand through the machine's ring of page mappings, refilled by the fault
 * handler. Returns the previous budget; 0 restores the default. For tests.
 */
unsigned long vmalloc_set_host_map_budget(unsigned long budget);

/* The invariant checker (registered with kmem_register_checker). */
bool vmalloc_check(void);

/* Internal, between mm/vmap_area.c and mm/vmalloc.c. */
int vmap_area_init(void);
void vmap_area_exit(void);
void vmalloc_release_lazy_range(unsigned long start, unsigned long end);
extern spinlock_t vmap_area_lock;
/* The busy area containing addr, caller holds vmap_area_lock. */
struct vmap_area *__find_vmap_area(unsigned long addr);
/* The lazily freed area containing addr; caller holds vmap_area_lock. */
struct vmap_area *__find_lazy_vmap_area(unsigned long addr);
void vmalloc_run_deferred(void);

#endif
