/* SPDX-License-Identifier: MIT */
/* The kernel's virtual layout, fixed at boot (see arch/x86/machine.c):
 *
 *   x86-32:  PAGE_OFFSET (0xC0000000)   direct map of low memory
 *            high_memory                end of low memory (<= ~896 MiB)
 *            VMALLOC_START              high_memory + 8 MiB (VMALLOC_OFFSET)
 *            VMALLOC_END                PKMAP_BASE - 2 pages
 *            PKMAP_BASE                 persistent kmap window (HighMem)
 *   x86-64:  PAGE_OFFSET (relocated)    direct map of all RAM
 *            VMALLOC_START..VMALLOC_END the vmalloc range (relocated)
 */
#ifndef _KMEM_ASM_PGTABLE_H
#define _KMEM_ASM_PGTABLE_H

#include <asm/page.h>

extern KMEM_API unsigned long __kmem_vmalloc_start;
extern KMEM_API unsigned long __kmem_vmalloc_end;
extern KMEM_API unsigned long __kmem_pkmap_base;

#define VMALLOC_OFFSET (8UL * 1024 * 1024)
#define VMALLOC_START (__kmem_vmalloc_start)
#define VMALLOC_END (__kmem_vmalloc_end)
#define PKMAP_BASE (__kmem_pkmap_base)
#define LAST_PKMAP 512
#define PKMAP_ADDR(nr) (PKMAP_BASE + ((unsigned long)(nr) << PAGE_SHIFT))

#endif
