/* SPDX-License-Identifier: MIT */
#ifndef _KMEM_ASM_IO_H
#define _KMEM_ASM_IO_H

#include <asm/page.h>

static inline phys_addr_t virt_to_phys(const volatile void *address)
{
	return __pa(address);
}

static inline void *phys_to_virt(phys_addr_t address)
{
	return __va(address);
}

#endif
