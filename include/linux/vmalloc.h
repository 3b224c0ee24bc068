/* SPDX-License-Identifier: MIT */
/*
 * vmalloc: memory that is contiguous in the kernel's virtual address space
 * (the vmalloc range, VMALLOC_START..VMALLOC_END) but built from order-0 pages
 * that may sit anywhere in physical memory, mapped one by one through the
 * kernel's page tables (mm/vmalloc.c). kvmalloc() and friends try kmalloc
 * first and fall back to vmalloc (mm/util.c).
 *
 *	void *buf = vmalloc(16 << 20);   // 16 MiB, may sleep
 *	...
 *	vfree(buf);
 */
#ifndef _KMEM_LINUX_VMALLOC_H
#define _KMEM_LINUX_VMALLOC_H

#include <linux/types.h>
#include <linux/gfp_types.h>
#include <linux/numa.h>
#include <asm/page.h>
#include <asm/pgtable.h>

struct page;

/* vm_struct->flags, with the kernel's bit values. */
#define VM_IOREMAP 0x00000001UL
#define VM_ALLOC 0x00000002UL
#define VM_MAP 0x00000004UL
#define VM_USERMAP 0x00000008UL
#define VM_DMA_COHERENT 0x00000010UL
#define VM_UNINITIALIZED 0x00000020UL
#define VM_NO_GUARD 0x00000040UL
#define VM_KASAN 0x00000080UL
#define VM_FLUSH_RESET_PERMS 0x00000100UL
#define VM_MAP_PUT_PAGES 0x00000200UL
#define VM_ALLOW_HUGE_VMAP 0x00000400UL
#define VM_SPARSE 0x00001000UL

/* Largest pages-per-call vm_map_ram() serves from a per-CPU block (unused:
 * kmem maps every vm_map_ram() request with its own area). */
#define VMAP_MAX_ALLOC 64

/* Page protections for vmap()/__vmalloc_node_range(); the kernel's pgprot_t.
 * Only PAGE_KERNEL (read/write) and PAGE_KERNEL_RO are honoured. */
typedef struct {
	unsigned long pgprot;
} pgprot_t;
#define __pgprot(x) ((pgprot_t){ (x) })
#define pgprot_val(x) ((x).pgprot)
#define PAGE_KERNEL __pgprot(0x163UL) /* PRESENT|RW|ACCESSED|DIRTY|GLOBAL */
#define PAGE_KERNEL_RO __pgprot(0x161UL)

/*
 * One vmalloc/vmap/ioremap area. size includes the guard page (as the kernel's
 * and as /proc/vmallocinfo prints it); get_vm_area_size() does not.
 */
struct vm_struct {
	struct vm_struct *next;
	void *addr;
	unsigned long size;
	unsigned long flags;
	struct page **pages;	 /* nr_pages pointers (VM_ALLOC) */
	unsigned int page_order; /* pages were allocated in 2^order blocks */
	unsigned int nr_pages;
	phys_addr_t phys_addr;
	const void *caller;	      /* who asked (vmallocinfo's symbol) */
	unsigned long requested_size; /* vrealloc's current size */
};

static inline size_t get_vm_area_size(const struct vm_struct *area)
{
	if (!(area->flags & VM_NO_GUARD))
		return area->size - PAGE_SIZE;
	return area->size;
}

/* ---- allocating ---------------------------------------------------------- */
KMEM_API void *vmalloc(unsigned long size);
KMEM_API void *vzalloc(unsigned long size);
KMEM_API void *__vmalloc(unsigned long size, gfp_t gfp_mask);
KMEM_API void *vmalloc_node(unsigned long size, int node);
KMEM_API void *vzalloc_node(unsigned long size, int node);
KMEM_API void *vmalloc_user(unsigned long size);
KMEM_API void *vmalloc_32(unsigned long size);
KMEM_API void *vmalloc_32_user(unsigned long size);
KMEM_API void *vmalloc_huge(unsigned long size, gfp_t gfp_mask);
KMEM_API void *vmalloc_huge_node(unsigned long size, gfp_t gfp_mask, int node);
KMEM_API void *__vmalloc_node(unsigned long size, unsigned long align,
			      gfp_t gfp_mask, int node, const void *caller);
KMEM_API void *__vmalloc_node_range(unsigned long size, unsigned long align,
				    unsigned long start, unsigned long end,
				    gfp_t gfp_mask, pgprot_t prot,
				    unsigned long vm_flags, int node,
				    const void *caller);
KMEM_API void *vmalloc_array(size_t n, size_t size);
KMEM_API void *vcalloc(size_t n, size_t size);
/* Resize: in place when the area's pages suffice, else allocate, copy, free.
 * vrealloc(NULL, size) is vmalloc; vrealloc(p, 0) frees and returns NULL. */
KMEM_API void *vrealloc(const void *p, size_t size, gfp_t flags);

/* ---- freeing ------------------------------------------------------------- */
/* Free a vmalloc() area. From interrupt context it is deferred (vfree_atomic). */
KMEM_API void vfree(const void *addr);
/* Free from atomic context: deferred to the next sleeping vmalloc call. */
KMEM_API void vfree_atomic(const void *addr);

/* ---- mapping caller's pages ---------------------------------------------- */
KMEM_API void *vmap(struct page **pages, unsigned int count,
		    unsigned long flags, pgprot_t prot);
KMEM_API void vunmap(const void *addr);
KMEM_API void *vm_map_ram(struct page **pages, unsigned int count, int node);
KMEM_API void vm_unmap_ram(const void *mem, unsigned int count);
/* Drop lazily freed areas now (one TLB flush). */
KMEM_API void vm_unmap_aliases(void);

/* ---- areas --------------------------------------------------------------- */
KMEM_API struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
KMEM_API struct vm_struct *
get_vm_area_caller(unsigned long size, unsigned long flags, const void *caller);
KMEM_API struct vm_struct *__get_vm_area_caller(unsigned long size,
						unsigned long flags,
						unsigned long start,
						unsigned long end,
						const void *caller);
/* An area of `size` bytes (plus a guard page unless VM_NO_GUARD) aligned to
 * `align` in [start, end), its vm_struct allocated with gfp on node: the
 * kernel's __get_vm_area_node() (without its page-shift argument), which
 * the kernel keeps inside mm/; kmem exports it for a caller that needs an
 * alignment (the trace replay's alloc_vmap_area events). NULL on failure;
 * free_vm_area() frees it. */
KMEM_API struct vm_struct *
__get_vm_area_node(unsigned long size, unsigned long align, unsigned long flags,
		   unsigned long start, unsigned long end, int node, gfp_t gfp,
		   const void *caller);
KMEM_API void free_vm_area(struct vm_struct *area);
KMEM_API struct vm_struct *remove_vm_area(const void *addr);
KMEM_API struct vm_struct *find_vm_area(const void *addr);
/* Map pages[0..] into an area from get_vm_area(); 0 or -errno. */
KMEM_API int map_kernel_range(unsigned long start, unsigned long size,
			      pgprot_t prot, struct page **pages);

/* ---- translating (also declared in <linux/mm.h>) -------------------------- */
KMEM_API bool is_vmalloc_addr(const void *x);
KMEM_API struct page *vmalloc_to_page(const void *addr);
KMEM_API unsigned long vmalloc_to_pfn(const void *addr);
KMEM_API unsigned long vmalloc_nr_pages(void);

/* ---- kvmalloc (mm/util.c) ------------------------------------------------ */
/* kmalloc first (for more than a page: quietly, without heavy retrying), then
 * vmalloc; one page or less gets no vmalloc fallback; more than INT_MAX bytes
 * is refused. Free with kvfree(). */
KMEM_API void *kvmalloc_node(size_t size, gfp_t flags, int node);
KMEM_API void *kvmalloc(size_t size, gfp_t flags);
KMEM_API void *kvzalloc(size_t size, gfp_t flags);
KMEM_API void *kvzalloc_node(size_t size, gfp_t flags, int node);
KMEM_API void *kvmalloc_array(size_t n, size_t size, gfp_t flags);
KMEM_API void *kvcalloc(size_t n, size_t size, gfp_t flags);
KMEM_API void *kvrealloc(const void *p, size_t size, gfp_t flags);
KMEM_API void kvfree(const void *addr);
KMEM_API void kvfree_sensitive(const void *addr, size_t len);

#endif
