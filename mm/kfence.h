/* SPDX-License-Identifier: MIT */
/*
 * KFENCE's hooks in the slab allocator (mm/kfence.c). Private to mm/.
 */
#ifndef _KMEM_MM_KFENCE_H
#define _KMEM_MM_KFENCE_H

#include <linux/kfence.h>
#include <linux/gfp.h>

struct kmem_cache;

/* Set while the next slab allocation may be sampled (the kernel's static
 * key kfence_allocation_key): the allocation entry points test it and call
 * kfence_alloc_slow(). Hidden: one RIP-relative load. */
extern int kfence_armed __attribute__((visibility("hidden")));

static __always_inline bool kfence_gate_armed(void)
{
	return __atomic_load_n(&kfence_armed, __ATOMIC_RELAXED);
}

/* A KFENCE object of `size` bytes (0: s->object_size) for cache s if this
 * allocation is the sample, else an ordinary object of s (failslab applies
 * to both). */
void *kfence_alloc_slow(struct kmem_cache *s, size_t size, gfp_t gfp);
/* Free addr, inside the pool (slab_free_slow(): an object page's struct
 * slab never passes the free fast path). Reports an invalid free. */
void __kfence_free(void *addr);

#endif
