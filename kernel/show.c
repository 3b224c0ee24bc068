// SPDX-License-Identifier: MIT
/*
 * kmem_show(): the /proc views. Each layer registers the views it owns (with a
 * constructor, see kmem_register_view); this file only dispatches by name.
 * Locking: the views are a hook list (kernel/hooks.h), read without a lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <kmem/show.h>
#include "kernel/internal.h"

KMEM_HOOK_LIST(kmem_views, "views");

/* The public registration: a hook of its own for the view (the layers'
 * constructors call it too; task_mmu.c registers static hooks). */
void kmem_register_view(const struct kmem_view *view)
{
	struct kmem_hook *h;

	if (kmem_hook_find(&kmem_views, view))
		return;
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	h->name = view->name;
	h->fn = view;
	if (kmem_hook_register(&kmem_views, h))
		free(h);
}

void kmem_list_views(FILE *f)
{
	struct kmem_hook *h;

	kmem_hook_for_each(h, &kmem_views) {
		const struct kmem_view *v = h->fn;

		fprintf(f, "  %s%s\n", v->prefix ? "<pid>/" : "", v->name);
	}
}

static const struct kmem_view *find_view(const char *name)
{
	struct kmem_hook *h;

	kmem_hook_for_each(h, &kmem_views) {
		const struct kmem_view *v = h->fn;

		if (!v->prefix) {
			if (!strcmp(name, v->name))
				return v;
		} else {
			const char *slash = strrchr(name, '/');

			if (slash && !strcmp(slash + 1, v->name))
				return v;
		}
	}
	return NULL;
}

int kmem_show(const char *name, FILE *f)
{
	const struct kmem_view *v;
	int ret;

	if (!strncmp(name, "/proc/", 6))
		name += 6;
	v = find_view(name);
	if (!v) {
		fprintf(f, "kmem: no view named '%s'; the views are:\n", name);
		kmem_list_views(f);
		return -ENOENT;
	}
	ret = kmem_boot_default();
	if (ret)
		return ret; /* no machine: the boot said why */
	return v->show(name, f);
}
