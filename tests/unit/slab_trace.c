// SPDX-License-Identifier: MIT
/*
 * Trace fidelity: replay the kmalloc and kfree events of the real 6.18
 * build trace (trace-build.txt.xz) on a default machine and check that ksize()
 * of every kmalloc(bytes_req, gfp_flags) equals the bytes_alloc the kernel
 * reported (19,908 of 19,908). The library reads the trace (replay/trace_parse.c:
 * xz decoding, the GFP names) and pairs each kfree with its kmalloc by the
 * hashed pointer (replay/trace_replay.c), so objects live as long as in the trace.
 */
/* kmem-test: slub-only: counts traced sizes that land in SLUB's classes */
#include <stdio.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/replay.h>
#include "replay/internal.h"
#include "test.h"

#define TRACE KMEM_DATA_DIR "/linux-6.18-x86_64/trace-build.txt.xz"

TEST(trace_ksize)
{
	static const struct kmem_trace_parse_opts quiet = { .diag = NULL };
	struct kmem_replay_opts o = { .objects_only = true };
	struct kmem_replay_result r;
	struct kmem_trace t;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, TRACE, &quiet), 0);
	CHECK_STR(t.info.compression, "xz");
	CHECK_EQ(t.info.malformed, 0);
	CHECK_EQ(t.info.count[KMEM_TRACE_KMALLOC], 19908);
	CHECK_EQ(kmem_trace_replay(&t, &o, &r), 0);
	for (i = 0; i < r.nr_mismatch; i++)
		fprintf(stderr,
			"  line %lu: kmalloc(%u, %#x): ksize %u, kernel %u\n",
			r.mismatch[i].line, r.mismatch[i].req,
			r.mismatch[i].gfp, r.mismatch[i].kmem_alloc,
			r.mismatch[i].trace_alloc);
	fprintf(stderr,
		"  trace: %lu of %lu kmalloc events get the kernel's bytes_alloc\n",
		r.kmalloc_ok, r.kmalloc_total);
	CHECK_EQ(r.kmalloc_total, 19908);
	CHECK_EQ(r.kmalloc_ok, 19908);
	CHECK_EQ(r.failures, 0);
	CHECK(kmem_check_invariants());
	kmem_replay_result_free(&r);
	trace_release(&t);
	/* The replay booted a machine of its own and leaves the objects the
	 * trace never freed live on it: checked above, not a leak. */
	kmem_halt();
}

int main(void)
{
	RUN(trace_ksize);
	return test_summary();
}
