/* SPDX-License-Identifier: MIT */
/* Pages and the direct map.
 *
 * All of low memory is mapped linearly at PAGE_OFFSET (with the host's MMU: the
 * simulated RAM memfd is mmap'd there), so converting between a direct-map
 * virtual address, a physical address, a page frame number and a struct page is
 * arithmetic, exactly as in the kernel. PAGE_OFFSET is 0xC0000000 on the x86-32
 * layout when the host has that range free; otherwise (and always on x86-64,
 * whose kernel half user space cannot map) it is a relocated base chosen at
 * boot. The machine boots itself on first allocation; before that these
 * conversions are meaningless. */
#ifndef _KMEM_ASM_PAGE_H
#define _KMEM_ASM_PAGE_H

#include <linux/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_ALIGN(x) (((unsigned long)(x) + (PAGE_SIZE - 1)) & PAGE_MASK)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))

struct page;

/* The machine's layout, filled in at boot (arch/x86/machine.c). */
extern KMEM_API unsigned long __kmem_page_offset;
extern KMEM_API struct page *mem_map;
extern KMEM_API unsigned long max_low_pfn; /* end of direct-mapped low memory */
extern KMEM_API unsigned long max_pfn;	   /* end of RAM */
extern KMEM_API void *high_memory;	   /* __va(max_low_pfn << PAGE_SHIFT) */

#define PAGE_OFFSET (__kmem_page_offset)
#define __pa(x) ((phys_addr_t)((unsigned long)(x) - (PAGE_OFFSET)))
#define __va(x) ((void *)((unsigned long)(x) + PAGE_OFFSET))
#define __pa_symbol(x) __pa(x)
#define pfn_to_page(pfn) (mem_map + (pfn))
#define page_to_pfn(page) ((unsigned long)((page) - (mem_map)))
#define virt_to_pfn(kaddr) PHYS_PFN(__pa(kaddr))
#define pfn_to_virt(pfn) __va(PFN_PHYS(pfn))
#define virt_to_page(kaddr) pfn_to_page(virt_to_pfn(kaddr))
#define page_to_phys(page) PFN_PHYS(page_to_pfn(page))
#define phys_to_page(phys) pfn_to_page(PHYS_PFN(phys))
#define pfn_valid(pfn) ((unsigned long)(pfn) < max_pfn)
#define lowmem_page_address(page) __va(page_to_phys(page))
#define virt_addr_valid(kaddr)                    \
	((unsigned long)(kaddr) >= PAGE_OFFSET && \
	 (unsigned long)(kaddr) < (unsigned long)high_memory)

static inline int get_order(unsigned long size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT);
}

#endif
