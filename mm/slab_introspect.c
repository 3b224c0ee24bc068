// SPDX-License-Identifier: MIT
/*
 * SLOB's part of <kmem/introspect.h>: its heap, for tools that must not
 * include the private headers (the tour's slab chapter) and for the
 * integration tests. (One cache's geometry and counts, on every allocator,
 * are kmem_cache_get_info()'s: mm/introspect.c.)
 *
 * Theory: nothing is computed here. kmem_slob_heap_stats() converts
 * slob_get_stats() (under slob_lock) to bytes: a snapshot, other threads
 * may allocate meanwhile.
 */
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <kmem/introspect.h>
#include <kmem/kmem.h>
#include "mm/slab.h"
#include "mm/slob.h"

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
