// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: `kmem replay` on a small machine (replay/trace_parse.c and
 * replay/trace_replay.c).
 *
 * Each input is trace text. It is parsed from memory and, if it is a trace,
 * replayed on a 32 MiB x86-64 machine with 2 CPUs: RAM and CPUs are given
 * explicitly, so no input can make the replay size (and boot) a large machine
 * from the trace's own estimate. The replay boots a fresh machine for every
 * input (kmem_trace_replay halts the previous one).
 *
 * Whatever the trace asks for, kmem must stay consistent: after the replay
 * every layer's invariants must hold, and the kernel log must hold no report
 * of a bug in kmem itself (BUG, WARNING, a failed check; see fuzz/fuzz.h).
 * Allocation failures are expected on the small machine (the replay asks
 * with __GFP_NOWARN and counts them) and are not findings. The result must
 * be consistent (every event replayed, no final count above its peak), and
 * one input in eight is replayed twice: two fresh machines given the same
 * requests must end in the same state.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/replay.h>
#include "replay/internal.h"
#include "fuzz/fuzz.h"

#define FUZZ_RAM (32ull << 20) /* the smallest machine kmem boots */
#define FUZZ_CPUS 2

/* What a replay left: equal for two replays of one trace on fresh machines. */
static void same_result(size_t mark, const struct kmem_replay_result *a,
			const struct kmem_replay_result *b)
{
	unsigned int z, k;

	if (a->failures != b->failures || a->kmalloc_ok != b->kmalloc_ok ||
	    a->cache_ok != b->cache_ok || a->live_objects != b->live_objects ||
	    a->final_used_pages != b->final_used_pages ||
	    a->final_slab_pages != b->final_slab_pages ||
	    a->peak_used_pages != b->peak_used_pages ||
	    a->highest_free_order != b->highest_free_order ||
	    a->nr_zones != b->nr_zones)
		fuzz_fail(
			mark,
			"two replays of one trace on fresh machines differ: "
			"failures %lu/%lu, used pages %lu/%lu (peak %lu/%lu), "
			"slab pages %lu/%lu, live objects %lu/%lu",
			a->failures, b->failures, a->final_used_pages,
			b->final_used_pages, a->peak_used_pages,
			b->peak_used_pages, a->final_slab_pages,
			b->final_slab_pages, a->live_objects, b->live_objects);
	for (z = 0; z < a->nr_zones; z++)
		for (k = 0; k < 11; k++)
			if (a->zone[z].free[k] != b->zone[z].free[k])
				fuzz_fail(
					mark,
					"two replays of one trace differ: zone "
					"%s has %lu free blocks of order %u, "
					"then %lu",
					a->zone[z].name, a->zone[z].free[k], k,
					b->zone[z].free[k]);
}

static void check_result(size_t mark, const struct kmem_trace *t,
			 const struct kmem_replay_result *r)
{
	if (r->events != t->nr || r->replayed != r->events)
		fuzz_fail(mark, "replayed %lu of %zu events", r->events, t->nr);
	if (r->kmalloc_ok > r->kmalloc_total || r->cache_ok > r->cache_total)
		fuzz_fail(mark, "more allocations agree than were made");
	if (r->live_objects > r->peak_live_objects ||
	    r->final_replayed_pages > r->peak_replayed_pages ||
	    r->final_used_pages > r->peak_used_pages)
		fuzz_fail(mark, "a final count above its peak");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	kmem_log_set_console(NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmem_replay_opts o = { .ram = FUZZ_RAM, .cpus = FUZZ_CPUS };
	struct kmem_replay_result r;
	struct kmem_trace t;
	char bug[256];
	size_t mark;

	memset(&t, 0, sizeof(t));
	if (kmem_trace_load_buffer(&t, "fuzz", (const char *)data, size,
				   NULL)) {
		trace_release(&t);
		return 0;
	}
	mark = kmem_log_mark();
	if (kmem_trace_replay(&t, &o, &r)) {
		/* Only a machine that cannot boot refuses to replay. */
		fuzz_fail(
			mark,
			"kmem_trace_replay could not boot a %llu MiB machine: %s",
			FUZZ_RAM >> 20, r.failure[0].why);
	}
	if (r.ram != FUZZ_RAM || r.cpus != FUZZ_CPUS)
		fuzz_fail(
			mark,
			"replay booted %llu MiB, %d CPUs; asked for %llu MiB, %d",
			r.ram >> 20, r.cpus, FUZZ_RAM >> 20, FUZZ_CPUS);
	if (!kmem_check_invariants())
		fuzz_fail(mark, "invariants do not hold after the replay");
	if (fuzz_log_bug(mark, bug, sizeof(bug)))
		fuzz_fail(mark, "the replay's kernel log reports \"%s\"", bug);
	check_result(mark, &t, &r);
	/* One input in eight is replayed again on a fresh machine: the same
	 * requests must leave the same state (kmem_halt() resets every layer). */
	if (size % 8 == 0) {
		struct kmem_replay_result again;

		if (kmem_trace_replay(&t, &o, &again))
			fuzz_fail(mark,
				  "kmem_trace_replay could not boot again");
		same_result(mark, &r, &again);
		kmem_replay_result_free(&again);
	}
	kmem_replay_result_free(&r);
	trace_release(&t);
	return 0;
}
