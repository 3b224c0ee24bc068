/* SPDX-License-Identifier: MIT */
/*
 * Private interface of fault injection (mm/fault_inject.c): the hooks the
 * allocators call. The public API is <kmem/fault.h>.
 *
 * The allocation paths test kmem_fault_active first (one load and a branch
 * predicted not taken: non-zero only while a capability has a probability
 * or a thread has fail-nth armed) and call the out-of-line hook only then:
 *	if (unlikely(kmem_fault_active) && should_failslab(s, gfp))
 *		return NULL;
 */
#ifndef _KMEM_MM_FAULT_INJECT_H
#define _KMEM_MM_FAULT_INJECT_H

#include <stdbool.h>
#include <linux/types.h>

struct kmem_cache;

/* Hidden: the fast paths reach it without a GOT load. */
extern int kmem_fault_active __attribute__((visibility("hidden")));

/* True if this slab allocation must fail (mm/failslab.c's should_failslab). */
bool should_failslab(struct kmem_cache *s, gfp_t gfp);
/* True if this page allocation must fail (should_fail_alloc_page). */
bool should_fail_alloc_page(gfp_t gfp, unsigned int order);

/* Failures forced since boot, and how many of them were not reported
 * because the request had __GFP_NOWARN (the kernel's FAULT_NOWARN). */
struct fault_inject_stats {
	unsigned long forced, silent;
};
void fault_inject_get_stats(struct fault_inject_stats *st);

#endif
