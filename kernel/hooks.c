// SPDX-License-Identifier: MIT
/*
 * Hook lists, the kernel's notifier chains (kernel/notifier.c) for kmem's
 * layers: one list type for every kind of registration (fault handlers,
 * cache drains, page reclaimers, the OOM handler, invariant checkers, /proc
 * views), no fixed number of slots, one rule for duplicates (the same
 * function is registered once) and an unregister that pairs with each
 * register in the layer's exit function.
 *
 * A list is kept sorted by priority (higher first), hooks of equal priority
 * in registration order. Readers walk it without a lock (the fault handler
 * walks it in a signal handler): a hook is linked with a release store once
 * it is complete, and unlinking leaves the hook's own next pointer intact,
 * so a reader standing on it still reaches the rest of the list. The hooks
 * are static objects of their layers (or kept by their wrapper), never freed
 * while a machine runs.
 *
 * Locking: l->lock (a host mutex) serialises register and unregister.
 */
#include <errno.h>

#include "kernel/internal.h"

int kmem_hook_register(struct kmem_hook_list *l, struct kmem_hook *h)
{
	struct kmem_hook **pp, *p;
	int ret = 0;

	mutex_lock_atomic(&l->lock);
	for (p = l->head; p; p = p->next) {
		if (p == h || p->fn == h->fn) {
			ret = -EEXIST;
			goto out;
		}
	}
	for (pp = &l->head; *pp && (*pp)->priority >= h->priority;
	     pp = &(*pp)->next)
		;
	h->next = *pp;
	__atomic_store_n(pp, h, __ATOMIC_RELEASE);
out:
	mutex_unlock(&l->lock);
	return ret;
}

void kmem_hook_unregister(struct kmem_hook_list *l, struct kmem_hook *h)
{
	struct kmem_hook **pp;

	mutex_lock_atomic(&l->lock);
	for (pp = &l->head; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			__atomic_store_n(pp, h->next, __ATOMIC_RELEASE);
			break;
		}
	}
	mutex_unlock(&l->lock);
}

struct kmem_hook *kmem_hook_find(struct kmem_hook_list *l, const void *fn)
{
	struct kmem_hook *h;

	mutex_lock_atomic(&l->lock);
	for (h = l->head; h && h->fn != fn; h = h->next)
		;
	mutex_unlock(&l->lock);
	return h;
}

/* The layers' fork hooks (struct kmem_fork_ops, kernel/internal.h); init/fork.c
 * runs them. */
KMEM_HOOK_LIST(kmem_fork_hooks, "fork hooks");
