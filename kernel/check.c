// SPDX-License-Identifier: MIT
/*
 * Invariant checkers. Each layer registers a function that verifies its data
 * structures (free lists, slab lists, the vmalloc tree ...) and prints what is
 * wrong; kmem_check_invariants() runs them all. Tests call it after every step
 * of their randomized sequences.
 */
#include <stdlib.h>

#include <linux/kernel.h>
#include <kmem/machine.h>
#include "kernel/internal.h"

KMEM_HOOK_LIST(kmem_checkers, "invariant checkers");

/*
 * The public registration (tests, programs): a hook of its own for fn. The
 * layers register static hooks (KMEM_HOOK) from their initcalls instead and
 * unregister them in their exits.
 */
void kmem_register_checker(const char *name, bool (*fn)(void))
{
	struct kmem_hook *h;

	if (kmem_hook_find(&kmem_checkers, (const void *)fn))
		return;
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	h->name = name;
	h->fn = (const void *)fn;
	if (kmem_hook_register(&kmem_checkers, h))
		free(h); /* registered meanwhile by another thread */
}

bool kmem_check_invariants(void)
{
	struct kmem_hook *h;
	bool ok = true;

	if (!kmem_is_booted())
		return true;
	kmem_hook_for_each(h, &kmem_checkers) {
		if (!((bool (*)(void))h->fn)()) {
			pr_err("kmem: invariant check '%s' failed\n", h->name);
			ok = false;
		}
	}
	return ok;
}
