/* SPDX-License-Identifier: MIT */
/* Shrinkers: callbacks the page allocator's direct reclaim (mm/vmscan.c) calls to
 * make caches give memory back. The 6.7+ interface: shrinker_alloc(),
 * shrinker_register(), shrinker_free(). */
#ifndef _KMEM_LINUX_SHRINKER_H
#define _KMEM_LINUX_SHRINKER_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>

struct shrink_control {
	gfp_t gfp_mask;
	int nid;
	unsigned long nr_to_scan;
	unsigned long nr_scanned;
};

#define SHRINK_STOP (~0UL)
#define SHRINK_EMPTY (~0UL - 1)
#define DEFAULT_SEEKS 2

struct shrinker {
	unsigned long (*count_objects)(struct shrinker *,
				       struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *,
				      struct shrink_control *sc);
	long batch;
	int seeks;
	unsigned int flags;
	void *private_data;
	/* internal */
	struct list_head list;
	char name[48];
	atomic_long_t nr_deferred;
};

#define SHRINKER_REGISTERED (1u << 0)

KMEM_API struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt,
					 ...)
	__attribute__((__format__(printf, 2, 3)));
KMEM_API void shrinker_register(struct shrinker *shrinker);
KMEM_API void shrinker_free(struct shrinker *shrinker);

#endif
