/* SPDX-License-Identifier: MIT */
/*
 * slab_debug: the interface between the SLUB core (mm/slub.c) and its
 * debugging checks (mm/slub_debug.c). See the theory statement at the top
 * of mm/slub_debug.c.
 */
#ifndef _KMEM_MM_SLUB_DEBUG_H
#define _KMEM_MM_SLUB_DEBUG_H

#include "mm/slab.h"

/* The flags that make a cache a debug cache (the kernel's SLAB_DEBUG_FLAGS). */
#define SLAB_DEBUG_FLAGS                                         \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | \
	 SLAB_STORE_USER | SLAB_TRACE)
/* The ones that add metadata to each object ('O' drops them). */
#define DEBUG_METADATA_FLAGS (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* A debug cache has no sheaves: every allocation and free takes the slow
 * path (routed there at creation, so the fast paths test nothing). */
static inline bool kmem_cache_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG_FLAGS;
}

/* ---- in mm/slub_debug.c ---- */

/* The command line's debug flags for a new cache named `name`. */
slab_flags_t kmem_cache_flags(slab_flags_t flags, const char *name);
/* slab_debug=O: drop the metadata flags of caches whose order they raise. */
bool slab_debug_higher_order_disabled(void);
void slab_debug_boot(void);
void slab_debug_halt(void);

/* Count one error (slab_errors: what lib/slub_kunit.c counts). */
void slab_debug_count_error(void);

/* A new slab of a debug cache, its s_mem already past the left red zone:
 * poison it and set every object up as free. No lock needed (not yet on a
 * list). */
void slab_debug_init_slab(struct kmem_cache *s, struct slab *slab);
/* A slab of a debug cache is given back: check its padding and objects. */
void slab_debug_free_slab(struct kmem_cache *s, struct slab *slab);
/* The kernel's alloc_debug_processing for `object`, just taken off the
 * freelist of `slab` (whose freelist and inuse are not yet updated). false:
 * the checks failed and the slab was marked all used. list_lock held. */
bool slab_debug_alloc_checks(struct kmem_cache *s, struct slab *slab,
			     void *object, unsigned int orig_size);
/* After the allocation, outside the lock: the alloc track (U). */
void slab_debug_alloc_done(struct kmem_cache *s, void *object);
/* free_debug_processing: true if `object` may go on the freelist (reports
 * and fixes otherwise). May adjust slab->inuse and the freelist. */
bool slab_debug_free_checks(struct kmem_cache *s, struct slab *slab,
			    void *object);
/* validate_slab: check one slab and its objects, fixing what it reports.
 * list_lock held; the caller refiles the slab (inuse may change). */
void slab_debug_validate_slab(struct kmem_cache *s, struct slab *slab);
/* krealloc() keeps a kmalloc object: its new requested size. */
void slab_debug_krealloc(struct kmem_cache *s, void *object, size_t new_size,
			 gfp_t flags);
/* The size the object's kmalloc (or krealloc) asked for. */
unsigned int slab_debug_orig_size_of(struct kmem_cache *s, const void *object);
/* ksize() hands all of the object to the caller: no kmalloc red zone. */
void slab_debug_ksize(struct kmem_cache *s, void *object);
/* The kmalloc red zone is on for s (orig_size is stored). */
static inline bool slub_debug_orig_size(const struct kmem_cache *s)
{
	return (s->flags & SLAB_STORE_USER) && (s->flags & SLAB_KMALLOC);
}
/* Objects of s that __kmem_cache_shutdown() lists, with their tracks. */
void slab_debug_print_tracking(struct kmem_cache *s, void *object);

/* ---- in mm/slub.c, for mm/slub_debug.c ---- */

/* Follow the free link of `object` (on slab's freelist): false if it is not
 * a link of this slab; *next is NULL at the end. */
bool slab_next_free(const struct kmem_cache *s, const struct slab *slab,
		    void *object, void **next);
/* Make `object`'s free link point to next (NULL: the end). */
void slab_set_next_free(const struct kmem_cache *s, const struct slab *slab,
			void *object, void *next);
/* Allocation and free for debug caches (the slow paths send them here). */
void *slab_debug_alloc(struct kmem_cache *s, gfp_t gfp, size_t orig_size);
void slab_debug_free(struct kmem_cache *s, struct slab *slab, void *x);
/* Check every slab of a debug cache (list_lock taken inside). */
void slab_debug_validate_cache(struct kmem_cache *s);

#endif
