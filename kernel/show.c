// SPDX-License-Identifier: MIT
/*
 * kmem_show(): the /proc views. Each layer registers the views it owns (with a
 * constructor, see kmem_register_view); this file only dispatches by name.
 * Locking: views_lock protects the registry.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <linux/kernel.h>
#include <kmem/show.h>
#include "kernel/internal.h"

#define MAX_VIEWS 64
static const struct kmem_view *views[MAX_VIEWS];
static unsigned int nr_views;
static pthread_mutex_t views_lock = PTHREAD_MUTEX_INITIALIZER;

void kmem_register_view(const struct kmem_view *view)
{
	pthread_mutex_lock(&views_lock);
	if (nr_views < MAX_VIEWS)
		views[nr_views++] = view;
	pthread_mutex_unlock(&views_lock);
}

void kmem_list_views(FILE *f)
{
	unsigned int i;

	pthread_mutex_lock(&views_lock);
	for (i = 0; i < nr_views; i++)
		fprintf(f, "  %s%s\n", views[i]->prefix ? "<pid>/" : "",
			views[i]->name);
	pthread_mutex_unlock(&views_lock);
}

static const struct kmem_view *find_view(const char *name)
{
	const struct kmem_view *found = NULL;
	unsigned int i;

	pthread_mutex_lock(&views_lock);
	for (i = 0; i < nr_views && !found; i++) {
		const struct kmem_view *v = views[i];

		if (!v->prefix) {
			if (!strcmp(name, v->name))
				found = v;
		} else {
			const char *slash = strrchr(name, '/');

			if (slash && !strcmp(slash + 1, v->name))
				found = v;
		}
	}
	pthread_mutex_unlock(&views_lock);
	return found;
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
