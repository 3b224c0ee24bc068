// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: `kmem replay` on a small machine (lib/trace_parse.c and
 * lib/trace_replay.c).
 *
 * Each input is trace text. It is parsed from memory and, if it is a trace,
 * replayed on a 32 MiB x86-64 machine with 2 CPUs: RAM and CPUs are given
 * explicitly, so no input can make the replay size (and boot) a large machine
 * from the trace's own estimate. The replay boots a fresh machine for every
 * input (trace_replay halts the previous one).
 *
 * Whatever the trace asks for, kmem must stay consistent: after the replay
 * every layer's invariants must hold, and the kernel log must hold no report
 * of a bug in kmem itself (BUG, WARNING, a failed check; see fuzz/fuzz.h).
 * Allocation failures are expected on the small machine (the replay asks
 * with __GFP_NOWARN and counts them) and are not findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include "lib/trace.h"
#include "fuzz/fuzz.h"

#define FUZZ_RAM (32ull << 20) /* the smallest machine kmem boots */
#define FUZZ_CPUS 2

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	kmem_log_set_console(NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_opts o = { .ram = FUZZ_RAM, .cpus = FUZZ_CPUS };
	struct replay_result r;
	struct trace t;
	char bug[256];
	size_t mark;

	memset(&t, 0, sizeof(t));
	if (trace_load_buffer(&t, "fuzz", (const char *)data, size, NULL)) {
		trace_free(&t);
		return 0;
	}
	mark = kmem_log_mark();
	if (trace_replay(&t, &o, &r)) {
		/* Only a machine that cannot boot refuses to replay. */
		fuzz_fail(mark,
			  "trace_replay could not boot a %llu MiB machine: %s",
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
	replay_result_free(&r);
	trace_free(&t);
	return 0;
}
