/* SPDX-License-Identifier: MIT */
/*
 * /proc views in the kernel's formats: kmem_show("buddyinfo", stdout) prints
 * what `cat /proc/buddyinfo` would print on the simulated machine. Names:
 * buddyinfo, zoneinfo, pagetypeinfo, meminfo, slabinfo, vmallocinfo, and for
 * processes <pid>/status, <pid>/maps, <pid>/smaps_rollup, self/... Each layer
 * registers its own views (kmem_register_view) when it is linked in.
 */
#ifndef _KMEM_SHOW_H
#define _KMEM_SHOW_H

#include <kmem/export.h>

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0, or -ENOENT for an unknown name (after printing the list of names to f). */
KMEM_API int kmem_show(const char *name, FILE *f);

struct kmem_view {
	const char *name;
	/* Show `name` (the full name asked for, for views with a prefix match
	 * such as "<pid>/status"); return 0 or -ENOENT. */
	int (*show)(const char *name, FILE *f);
	int prefix; /* match names ending in "/<name>" (per-process views) */
};
KMEM_API void kmem_register_view(const struct kmem_view *view);
/* Print the names of all registered views, one per line. */
KMEM_API void kmem_list_views(FILE *f);

#ifdef __cplusplus
}
#endif
#endif
