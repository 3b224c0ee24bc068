/* SPDX-License-Identifier: MIT */
/*
 * kmem's own API: SLUB's debugging (slab_debug), the equivalent of
 * /sys/kernel/slab/<cache>/validate and of the error count the kernel's
 * slub KUnit test reads.
 *
 * Debugging is turned on per cache by kmem_cache_create() flags
 * (SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER,
 * SLAB_TRACE) or for many caches by the kernel command line
 * (<kmem/cmdline.h>), in the kernel's syntax:
 *
 *	KMEM_CMDLINE="slab_debug" ./prog                  every cache, F Z P U
 *	KMEM_CMDLINE="slab_debug=FZPU" ./prog             the same
 *	KMEM_CMDLINE="slab_debug=FZ,kmalloc-*;P,dentry"   per-cache blocks
 *	KMEM_CMDLINE="slab_debug=-" ./prog                off
 *
 * (slub_debug= is the old spelling; slab_nomerge is accepted: kmem never
 * merges caches.) Reports are SLUB's: "BUG kmalloc-128 (Not tainted):
 * Right Redzone overwritten" with the object's dump and the fix applied.
 */
#ifndef _KMEM_SLAB_DEBUG_H
#define _KMEM_SLAB_DEBUG_H

#include <kmem/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_cache;

/* echo 1 > /sys/kernel/slab/<cache>/validate: check every slab and object
 * of a debug cache, report and fix what is wrong. Returns the number of
 * errors counted (as kmem_slab_errors() counts them), or -EINVAL when s is
 * not a debug cache. */
KMEM_API int kmem_cache_validate(struct kmem_cache *s);

/* Errors reported by slab_debug since the machine booted, counted where
 * the kernel's lib/slub_kunit.c counts slab_errors: each report and each
 * fix (one overwritten red zone byte: 2). */
KMEM_API unsigned long kmem_slab_errors(void);

#ifdef __cplusplus
}
#endif
#endif
