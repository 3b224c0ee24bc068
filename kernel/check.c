// SPDX-License-Identifier: MIT
/*
 * Invariant checkers. Each layer registers a function that verifies its data
 * structures (free lists, slab lists, the vmalloc tree ...) and prints what is
 * wrong; kmem_check_invariants() runs them all. Tests call it after every step
 * of their randomized sequences.
 */
#include <pthread.h>

#include <linux/kernel.h>
#include <kmem/machine.h>
#include "kernel/internal.h"

#define MAX_CHECKERS 16
static struct {
	const char *name;
	bool (*fn)(void);
} checkers[MAX_CHECKERS];
static int nr_checkers;
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;

void kmem_register_checker(const char *name, bool (*fn)(void))
{
	int i;

	pthread_mutex_lock(&check_lock);
	for (i = 0; i < nr_checkers; i++)
		if (checkers[i].fn == fn)
			goto out;
	if (nr_checkers < MAX_CHECKERS) {
		checkers[nr_checkers].name = name;
		checkers[nr_checkers].fn = fn;
		nr_checkers++;
	}
out:
	pthread_mutex_unlock(&check_lock);
}

bool kmem_check_invariants(void)
{
	bool ok = true;
	int i, n;

	if (!kmem_is_booted())
		return true;
	pthread_mutex_lock(&check_lock);
	n = nr_checkers;
	pthread_mutex_unlock(&check_lock);
	for (i = 0; i < n; i++) {
		if (!checkers[i].fn()) {
			pr_err("kmem: invariant check '%s' failed\n", checkers[i].name);
			ok = false;
		}
	}
	return ok;
}
