// SPDX-License-Identifier: MIT
/*
 * <kmem/replay.h> as a program sees it: struct kmem_trace is opaque, made by
 * kmem_trace_new() and read through kmem_trace_info() (the counts),
 * kmem_trace_events() and kmem_trace_name(). The parse is this fresh
 * program's first kmem call; the replay then boots the machine.
 */
#include <stdio.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/replay.h>
#include "test.h"

static const char trace[] =
	"# tracer: nop\n"
	"\n"
	"  bash-1 [001] ..... 10.000003: kmem_cache_alloc: "
	"call_site=f+0x1/0x2 ptr=ffff888100001000 bytes_req=200 "
	"bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false "
	"name=dentry\n"
	"  bash-1 [001] ..... 10.000001: kmalloc: call_site=f+0x1/0x2 "
	"ptr=ffff888100002000 bytes_req=40 bytes_alloc=64 "
	"gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	"  bash-1 [001] ..... 10.000002: sched_switch: prev_comm=bash\n"
	"  bash-1 [001] ..... 10.000004: kfree: call_site=g+0x1/0x2 "
	"ptr=ffff888100002000\n"
	"  bash-1 [001] ..... 10.000005: kmem_cache_free: "
	"call_site=g+0x1/0x2 ptr=ffff888100001000 name=dentry\n";

int main(void)
{
	struct kmem_trace *t = kmem_trace_new();
	const struct kmem_trace_info *ti;
	const struct kmem_trace_event *ev;
	struct kmem_replay_opts o = { 0 };
	struct kmem_replay_result r;
	size_t nr = 99, i;

	CHECK(t != NULL);
	if (!t)
		return test_summary();
	/* Empty until parsed. */
	ti = kmem_trace_info(t);
	CHECK_EQ(ti->events, 0);
	CHECK(kmem_trace_events(t, &nr) == NULL);
	CHECK_EQ(nr, 0);
	/* Name 0 is "" before any name is interned (no table yet); an id the
	 * trace never gave is NULL. */
	CHECK(kmem_trace_name(t, 0) && !strcmp(kmem_trace_name(t, 0), ""));
	CHECK(kmem_trace_name(t, 7) == NULL);

	CHECK_EQ(kmem_trace_load_buffer(t, "api", trace, sizeof(trace) - 1,
					NULL),
		 0);
	CHECK(kmem_trace_info(t) == ti); /* one report, kept up to date */
	CHECK(!strcmp(ti->path, "api"));
	CHECK_EQ(ti->format, KMEM_TRACE_FMT_FTRACE);
	CHECK(!strcmp(ti->compression, "none"));
	CHECK_EQ(ti->events, 4);
	CHECK_EQ(ti->lines, 7);
	CHECK_EQ(ti->count[KMEM_TRACE_KMALLOC], 1);
	CHECK_EQ(ti->count[KMEM_TRACE_KMEM_CACHE_ALLOC], 1);
	CHECK_EQ(ti->count[KMEM_TRACE_KFREE], 1);
	CHECK_EQ(ti->count[KMEM_TRACE_KMEM_CACHE_FREE], 1);
	CHECK_EQ(ti->unknown_total, 1);
	CHECK_EQ(ti->nr_unknown, 1);
	CHECK(!strcmp(ti->unknown[0].name, "sched_switch"));
	CHECK_EQ(ti->malformed, 0);
	CHECK_EQ(ti->max_disorder_ns, 2000);
	CHECK(!ti->sorted_input);
	CHECK(!ti->error[0]);

	/* The events in timestamp order; the cache's name interned. */
	ev = kmem_trace_events(t, &nr);
	CHECK_EQ(nr, 4);
	CHECK(ev != NULL);
	for (i = 1; ev && i < nr; i++)
		CHECK(ev[i - 1].ts_ns < ev[i].ts_ns);
	if (ev && nr == 4) {
		CHECK_EQ(ev[0].type, KMEM_TRACE_KMALLOC);
		CHECK_EQ(ev[0].line, 4);
		CHECK(!strcmp(kmem_trace_name(t, ev[0].name), ""));
		CHECK_EQ(ev[1].type, KMEM_TRACE_KMEM_CACHE_ALLOC);
		CHECK(!strcmp(kmem_trace_name(t, ev[1].name), "dentry"));
		CHECK_EQ(ev[3].name, ev[1].name);
	}

	/* Replayed as loaded. */
	CHECK_EQ(kmem_trace_replay(t, &o, &r), 0);
	CHECK_EQ(r.events, 4);
	CHECK_EQ(r.failures, 0);
	CHECK_EQ(r.live_objects, 0);
	kmem_replay_result_free(&r);

	/* Refused input: the report says why. */
	kmem_trace_free(t);
	t = kmem_trace_new();
	CHECK(t != NULL);
	if (t) {
		CHECK_EQ(kmem_trace_load(t, "/nonexistent/trace.txt", NULL),
			 -1);
		CHECK(strstr(kmem_trace_info(t)->error,
			     "No such file or directory") != NULL);
	}
	kmem_trace_free(t);
	kmem_trace_free(NULL); /* as free(NULL) */
	test_halt_keeping();
	fprintf(stderr, "%s replay_api\n", test_failures ? "FAIL" : "ok  ");
	return test_summary();
}
