/* SPDX-License-Identifier: MIT */
/*
 * KFENCE, the kernel's sampling memory-safety error detector (the kernel's
 * <linux/kfence.h>; mm/kfence.c has the theory).
 *
 * One slab allocation in every kfence.sample_interval milliseconds is served
 * from a pool of guarded objects: each object alone on its page, between
 * pages that the MMU keeps inaccessible. An access past the object, an
 * access after it is freed, a bad free or a damaged byte next to it is
 * reported in the kernel's words ("BUG: KFENCE: out-of-bounds read in ...").
 *
 * Off unless the command line turns it on:
 *	kfence.sample_interval=100	one sampled allocation per 100 ms
 *	kfence.num_objects=255		objects in the pool (at most 511)
 *	kfence.sample_every=N		(kmem only) every N-th allocation,
 *					deterministically, for tests
 */
#ifndef _KMEM_LINUX_KFENCE_H
#define _KMEM_LINUX_KFENCE_H

#include <kmem/export.h>

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The pool (NULL while KFENCE is off) and its size in bytes. */
extern KMEM_API char *__kfence_pool;
extern KMEM_API unsigned long __kfence_pool_size;

/* Is addr inside the KFENCE pool (an object, or one of its guard pages)? */
static inline bool is_kfence_address(const void *addr)
{
	return (unsigned long)((const char *)addr - __kfence_pool) <
		       __kfence_pool_size &&
	       __kfence_pool;
}

/* The size a KFENCE object was allocated with (ksize() of it), 0 if addr is
 * not inside a KFENCE object. */
KMEM_API size_t kfence_ksize(const void *addr);
/* The start of the KFENCE object addr points into, or NULL. */
KMEM_API void *kfence_object_start(const void *addr);

/*
 * kmem's deterministic mode: serve every n-th slab allocation from the pool
 * (n = 1: every allocation, until the pool is exhausted); n = 0 goes back to
 * the timer (kfence.sample_interval). The same as kfence.sample_every=n on
 * the command line. Returns 0, or -ENODEV when KFENCE was not enabled at boot
 * (no pool: boot with kfence.sample_interval=N or kfence.sample_every=N).
 */
KMEM_API int kmem_kfence_sample_every(unsigned long n);

#ifdef __cplusplus
}
#endif

#endif
