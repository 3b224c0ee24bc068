/* SPDX-License-Identifier: MIT */
/*
 * Hook lists: the one registration mechanism of the layers (kernel/hooks.c),
 * as the kernel's notifier chains. A list holds hooks of one kind (fault
 * handlers, cache drains, page reclaimers, the OOM handler, invariant
 * checkers, /proc views); a layer registers its hooks from its initcall (or,
 * for views, which exist without a machine, from a constructor) and
 * unregisters them in the matching exit function, as shrinker_alloc() and
 * shrinker_free() pair.
 */
#ifndef _KMEM_KERNEL_HOOKS_H
#define _KMEM_KERNEL_HOOKS_H

#include <stdbool.h>

#include <linux/mutex.h>

struct kmem_hook {
	const char *name;
	const void *fn; /* what is registered; its type is the list's */
	int priority;	/* higher first; equal ones in registration order */
	struct kmem_hook *next;
};

struct kmem_hook_list {
	const char *name;
	struct kmem_hook *head;
	struct mutex lock; /* serialises register and unregister */
};

#ifdef CONFIG_LOCKDEP
#define KMEM_HOOK_LIST(var, lname)                                      \
	struct kmem_hook_list var = {                                   \
		(lname),                                                \
		NULL,                                                   \
		{ PTHREAD_MUTEX_INITIALIZER,                            \
		  STATIC_LOCKDEP_MAP_INIT("&l->lock", LOCK_RANK_LEAF) } \
	}
#else
#define KMEM_HOOK_LIST(var, lname)             \
	struct kmem_hook_list var = { (lname), \
				      NULL,    \
				      { PTHREAD_MUTEX_INITIALIZER } }
#endif

/*
 * Add h (its fn, name and priority set) to l. A hook whose fn is already on
 * the list is not added again: -EEXIST (registering twice is harmless). 0.
 */
int kmem_hook_register(struct kmem_hook_list *l, struct kmem_hook *h);
/* Remove h; nothing if it is not on l. Readers walking the list past h at the
 * same time still reach the rest of it (h->next is left as it was). */
void kmem_hook_unregister(struct kmem_hook_list *l, struct kmem_hook *h);
/* The hook whose fn is fn, or NULL. */
struct kmem_hook *kmem_hook_find(struct kmem_hook_list *l, const void *fn);

/* Walk l without a lock (also from a signal handler): each hook is published
 * complete before it is linked. */
#define kmem_hook_for_each(h, l)                                       \
	for ((h) = __atomic_load_n(&(l)->head, __ATOMIC_ACQUIRE); (h); \
	     (h) = __atomic_load_n(&(h)->next, __ATOMIC_ACQUIRE))

#endif
