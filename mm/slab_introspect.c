// SPDX-License-Identifier: MIT
/*
 * The slab allocators' part of <kmem/introspect.h>: one cache's counts and
 * geometry, and SLOB's heap, for tools that must not include the private
 * headers (the tour's slab chapter) and for the integration tests.
 *
 * Theory: nothing is computed here. kmem_slab_cache_stats() copies the
 * geometry kept in struct kmem_cache and the counts slab_get_counts() asks
 * the machine's allocator for (under that allocator's own locks: SLUB's
 * list_lock, SLAB's list_lock, nothing for SLOB's per-cache count);
 * kmem_slob_heap_stats() converts slob_get_stats() (under slob_lock) to
 * bytes. Both are snapshots: other threads may allocate meanwhile.
 */
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <kmem/introspect.h>
#include <kmem/kmem.h>
#include "mm/slab.h"
#include "mm/slob.h"

void kmem_slab_cache_stats(struct kmem_cache *s,
			   struct kmem_slab_cache_stats *out)
{
	struct slab_counts c;
	bool slob = slab_allocator == &slob_allocator;

	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	slab_get_counts(s, &c);
	out->name = s->name;
	out->object_size = s->object_size;
	out->size = s->size;
	out->align = s->align;
	if (!slob) {
		out->objects_per_slab = s->objects;
		out->pages_per_slab = 1u << s->order;
	}
	out->active_objects = c.active_objects;
	out->total_objects = c.total_objects;
	out->nr_full = c.nr_full;
	out->nr_partial = c.nr_partial;
	out->nr_free = c.nr_empty;
	out->cpu_cached = c.thread_cached;
	/* SLUB: full barn sheaves; SLAB counts its shared array in
	 * thread_cached (slab_classic_counts) and has no barn. */
	out->shared_cached = c.barn_full * s->sheaf_capacity;
}

bool kmem_slob_heap_stats(struct kmem_slob_heap_stats *out)
{
	struct slob_stats st;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (!kmem_is_booted() || slab_allocator != &slob_allocator)
		return false;
	slob_get_stats(&st);
	out->pages = st.pages;
	for (i = 0; i < SLOB_NR_LISTS; i++) {
		out->list_pages[i] = st.list_pages[i];
		out->free_bytes[i] = st.free_units[i] * SLOB_UNIT;
	}
	out->blocks = st.blocks;
	out->used_bytes = st.used_bytes;
	out->free_blocks = st.free_blocks;
	out->largest_free = st.largest_free;
	out->big_pages = st.big_pages;
	return true;
}
