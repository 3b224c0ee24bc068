// SPDX-License-Identifier: MIT
/*
 * The stack depot, as the kernel's lib/stackdepot.c: each distinct call stack
 * is stored once and named by a handle, so that a record (a page_owner entry,
 * a slab_debug track) holds 4 bytes instead of a stack. page_owner and
 * slab_debug share it.
 *
 * Stacks live in one array of DEPOT_MAX records of STACK_DEPOT_FRAMES frames;
 * the handle is the index + 1 (0: no stack). An open-addressing table of
 * DEPOT_HASH slots (FNV-1a of the frames, linear probing) finds a stack that
 * is already stored. When the array is full new stacks get handle 0, as the
 * kernel's depot reports "stack depot full" instead of growing without end.
 * The depot is made on first use (or at boot by stack_depot_init()) and
 * freed when the machine halts.
 *
 * Locking: depot_lock (a host mutex) serialises saves. A stored record never
 * changes, and nr_used is published with release order after its record is
 * written, so fetch and stack_depot_nr_handles() read without the lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mutex.h>
#include "lib/stackdepot.h"

#define DEPOT_MAX 16384
#define DEPOT_HASH 32768

struct depot_stack {
	unsigned int hash, nr;
	void *frames[STACK_DEPOT_FRAMES];
};

static struct depot_stack *depot;
static unsigned int *depot_hash; /* index + 1; 0: empty slot */
static unsigned int nr_used;
static DEFINE_MUTEX_RANK(depot_lock, LOCK_RANK_LEAF);

static int depot_alloc_locked(void)
{
	if (depot)
		return 0;
	depot = calloc(DEPOT_MAX, sizeof(*depot));
	depot_hash = calloc(DEPOT_HASH, sizeof(*depot_hash));
	if (!depot || !depot_hash) {
		free(depot);
		free(depot_hash);
		depot = NULL;
		depot_hash = NULL;
		return -ENOMEM;
	}
	return 0;
}

int stack_depot_init(void)
{
	int ret;

	mutex_lock_atomic(&depot_lock);
	ret = depot_alloc_locked();
	mutex_unlock(&depot_lock);
	return ret;
}

depot_stack_handle_t stack_depot_save(void *const *entries, unsigned int nr)
{
	unsigned int h = 2166136261u, i, slot;
	depot_stack_handle_t handle = 0;

	if (nr > STACK_DEPOT_FRAMES)
		nr = STACK_DEPOT_FRAMES;
	for (i = 0; i < nr; i++) {
		h ^= (unsigned int)((unsigned long)entries[i] >> 2);
		h *= 16777619u;
	}
	mutex_lock_atomic(&depot_lock);
	if (depot_alloc_locked())
		goto out;
	for (slot = h % DEPOT_HASH;; slot = (slot + 1) % DEPOT_HASH) {
		unsigned int idx = depot_hash[slot];
		struct depot_stack *s;

		if (!idx) {
			if (nr_used >= DEPOT_MAX)
				break; /* full: no stack */
			s = &depot[nr_used];
			s->hash = h;
			s->nr = nr;
			memcpy(s->frames, entries, nr * sizeof(void *));
			__atomic_store_n(&nr_used, nr_used + 1,
					 __ATOMIC_RELEASE);
			depot_hash[slot] = nr_used;
			handle = nr_used;
			break;
		}
		s = &depot[idx - 1];
		if (s->hash == h && s->nr == nr &&
		    !memcmp(s->frames, entries, nr * sizeof(void *))) {
			handle = idx;
			break;
		}
	}
out:
	mutex_unlock(&depot_lock);
	return handle;
}

unsigned int stack_depot_fetch(depot_stack_handle_t handle, void ***entries)
{
	struct depot_stack *s;

	*entries = NULL;
	if (!handle || handle > __atomic_load_n(&nr_used, __ATOMIC_ACQUIRE))
		return 0;
	s = &depot[handle - 1];
	*entries = s->frames;
	return s->nr;
}

unsigned int stack_depot_nr_handles(void)
{
	return __atomic_load_n(&nr_used, __ATOMIC_ACQUIRE);
}

void stack_depot_exit(void)
{
	mutex_lock_atomic(&depot_lock);
	free(depot);
	free(depot_hash);
	depot = NULL;
	depot_hash = NULL;
	__atomic_store_n(&nr_used, 0, __ATOMIC_RELEASE);
	mutex_unlock(&depot_lock);
}
