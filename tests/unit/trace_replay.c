// SPDX-License-Identifier: MIT
/*
 * kmem replay: the parser on each input format, compressed input, malformed
 * and truncated lines, files that are not traces; the replay of a hand-made
 * trace with every event type (pairing, double-count avoidance, fidelity);
 * the real Linux 6.18 trace with 100% size-class fidelity and no failures.
 */
/* kmem-test: slub-only: counts traced sizes that land in SLUB's classes */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/slab.h>
#include <kmem/kmem.h>
#include "kernel/internal.h"
#include "mm/internal.h"
#include <kmem/replay.h>
#include "replay/internal.h"
#include "test.h"

#define DATA KMEM_TEST_DATA "/"
#define REAL_TRACE DATA "linux-6.18-x86_64/trace-build.txt.xz"
#define REAL_SLABINFO DATA "linux-6.18-x86_64/slabinfo.txt"

static const struct kmem_trace_parse_opts quiet = { .diag = NULL };

/* The sample's expected counts, the same in every format. */
static void check_sample_counts(const struct kmem_trace *t)
{
	CHECK_EQ(t->nr, 35);
	CHECK_EQ(t->info.count[KMEM_TRACE_KMALLOC], 9);
	CHECK_EQ(t->info.count[KMEM_TRACE_KMEM_CACHE_ALLOC], 3);
	CHECK_EQ(t->info.count[KMEM_TRACE_KFREE], 6);
	CHECK_EQ(t->info.count[KMEM_TRACE_KMEM_CACHE_FREE], 2);
	CHECK_EQ(t->info.count[KMEM_TRACE_PAGE_ALLOC], 5);
	CHECK_EQ(t->info.count[KMEM_TRACE_PAGE_FREE], 4);
	CHECK_EQ(t->info.count[KMEM_TRACE_PAGE_FREE_BATCHED], 2);
	CHECK_EQ(t->info.count[KMEM_TRACE_VMAP_ALLOC], 1);
	CHECK_EQ(t->info.count[KMEM_TRACE_VMAP_FREE], 2);
	CHECK_EQ(t->info.count[KMEM_TRACE_VMAP_PURGE], 1);
	CHECK_EQ(t->info.unknown_total, 1);
	CHECK_STR(t->info.unknown[0].name, "sched_switch");
	CHECK_EQ(t->info.malformed, 0);
	/* the last two lines are out of timestamp order: sorted */
	CHECK(!t->info.sorted_input);
	CHECK(t->ev[0].ts_ns == 203600001000ull);
	{
		size_t i;

		for (i = 1; i < t->nr; i++)
			CHECK(t->ev[i].ts_ns >= t->ev[i - 1].ts_ns);
	}
}

static void check_load(const char *file, enum kmem_trace_format fmt,
		       const char *comp)
{
	struct kmem_trace t;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, file, &quiet), 0);
	CHECK_EQ(t.info.format, fmt);
	CHECK_STR(t.info.compression, comp);
	check_sample_counts(&t);
	CHECK(!t.info.truncated);
	trace_release(&t);
}

TEST(formats)
{
	check_load(DATA "trace-ftrace.txt", KMEM_TRACE_FMT_FTRACE, "none");
	check_load(DATA "trace-cmd-report.txt", KMEM_TRACE_FMT_TRACE_CMD,
		   "none");
	check_load(DATA "trace-perf-script.txt", KMEM_TRACE_FMT_PERF, "none");
}

TEST(compressed)
{
	check_load(DATA "trace-ftrace.txt.gz", KMEM_TRACE_FMT_FTRACE, "gzip");
	check_load(DATA "trace-ftrace.txt.xz", KMEM_TRACE_FMT_FTRACE, "xz");
}

TEST(fields)
{
	struct kmem_trace t;
	const struct kmem_trace_event *e;
	size_t i;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, DATA "trace-perf-script.txt", &quiet), 0);
	for (i = 0; i < t.nr; i++) {
		e = &t.ev[i];
		if (e->type == KMEM_TRACE_KMEM_CACHE_ALLOC && e->req == 5840) {
			CHECK_STR(kmem_trace_name(&t, e->name), "task_struct");
			CHECK_EQ(e->alloc, 5888);
			CHECK_EQ(e->gfp, GFP_KERNEL);
			CHECK_EQ(e->pid, 2460);
			CHECK_EQ(e->key, 0xffff88810bb4bec7ull);
		}
		if (e->type == KMEM_TRACE_VMAP_ALLOC) {
			CHECK_EQ(e->key, 0xffffc90000004000ull);
			CHECK_EQ(e->req, 20480);
			CHECK_EQ(e->alloc, 16384);
			CHECK_EQ(e->cpu, 1);
		}
		if (e->type == KMEM_TRACE_PAGE_ALLOC && e->order == 9)
			CHECK(e->flags &
			      KMEM_TEV_FAILED); /* page=NULL pfn=0x0 */
		if (e->type == KMEM_TRACE_PAGE_ALLOC && e->key == 0x117b00) {
			CHECK_EQ(e->migratetype, 2);
			CHECK(e->gfp & __GFP_NORETRY);
		}
	}
	trace_release(&t);
}

TEST(malformed_and_truncated)
{
	static const unsigned long bad_lines[] = { 3, 4, 5, 6, 7, 8, 9, 11, 12 };
	struct kmem_trace t;
	unsigned int i;
	char buf[4096];
	FILE *diag = fmemopen(buf, sizeof(buf), "w");
	struct kmem_trace_parse_opts o = { .diag = diag, .max_diag = 16 };

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, DATA "trace-malformed.txt", &o), 0);
	fclose(diag);
	CHECK_EQ(t.nr, 2); /* one kmalloc, one kfree survive */
	CHECK_EQ(t.info.malformed, 9);
	for (i = 0; i < 9; i++)
		CHECK_EQ(t.info.malformed_kept[i].line, bad_lines[i]);
	CHECK(strstr(t.info.malformed_kept[0].why, "without bytes_alloc=") !=
	      NULL);
	CHECK(strstr(t.info.malformed_kept[2].why,
		     "unknown gfp_flags=GFP_BOGUS") != NULL);
	CHECK(strstr(t.info.malformed_kept[5].why,
		     "bytes_alloc=256 < bytes_req=300") != NULL);
	/* the last line is cut in the middle of a field */
	CHECK(strstr(t.info.malformed_kept[8].why, "without bytes_req=") !=
	      NULL);
	CHECK(strstr(buf,
		     "trace-malformed.txt:6: malformed line skipped: no [cpu] field") !=
	      NULL);
	trace_release(&t);
}

TEST(truncated_compressed)
{
	struct kmem_trace t;
	FILE *f = fopen(REAL_TRACE, "rb");
	char *buf = malloc(200000);
	size_t n;

	CHECK(f && buf);
	if (!f || !buf)
		return;
	n = fread(buf, 1, 200000, f); /* the first 200 kB of 2.3 MB */
	fclose(f);
	memset(&t, 0, sizeof(t));
	{
		char path[] = "/tmp/kmem-trunc-XXXXXX";
		int fd = mkstemp(path);
		FILE *o = fdopen(fd, "wb");

		fwrite(buf, 1, n, o);
		fclose(o);
		CHECK_EQ(kmem_trace_load(&t, path, &quiet), 0);
		unlink(path);
	}
	CHECK(t.info.truncated);
	CHECK(t.nr > 10000);
	CHECK(t.info.malformed <=
	      1); /* at most the line cut by the truncation */
	trace_release(&t);
	free(buf);
}

TEST(not_a_trace)
{
	struct kmem_trace t;
	static const char bin[] = "\x7f"
				  "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
	static const char dat[] = "\027\010\104tracing6\0\0\0";
	char *many;
	size_t i;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, DATA "not-a-trace.txt", &quiet), -1);
	CHECK(strstr(t.info.error, "not a kernel trace") != NULL);
	trace_release(&t);

	CHECK_EQ(kmem_trace_load_buffer(&t, "elf", bin, sizeof(bin), &quiet),
		 -1);
	CHECK(strstr(t.info.error, "binary data") != NULL);
	trace_release(&t);

	CHECK_EQ(kmem_trace_load_buffer(&t, "trace.dat", dat, sizeof(dat),
					&quiet),
		 -1);
	CHECK(strstr(t.info.error, "trace-cmd report") != NULL);
	trace_release(&t);

	CHECK_EQ(kmem_trace_load_buffer(&t, "empty", "", 0, &quiet), -1);
	CHECK(strstr(t.info.error, "empty") != NULL);
	trace_release(&t);

	/* 300 lines of prose: refused after the first 200 */
	many = malloc(300 * 32);
	for (i = 0; i < 300; i++)
		memcpy(many + i * 32, "lorem ipsum dolor sit amet: x=1\n", 32);
	CHECK_EQ(kmem_trace_load_buffer(&t, "prose", many, 300 * 32, &quiet),
		 -1);
	CHECK(strstr(t.info.error, "first 200") != NULL);
	trace_release(&t);
	free(many);

	CHECK_EQ(kmem_trace_load(&t, DATA "no-such-file.txt", &quiet), -1);
	CHECK(strstr(t.info.error, "No such file") != NULL);
	trace_release(&t);
}

TEST(replay_sample)
{
	struct kmem_trace t;
	struct kmem_replay_opts o = { 0 };
	struct kmem_replay_result r;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, DATA "trace-ftrace.txt", &quiet), 0);
	CHECK_EQ(kmem_trace_replay(&t, &o, &r), 0);
	CHECK_EQ(r.events, 35);
	CHECK_EQ(r.kmalloc_total, 9);
	CHECK_EQ(r.kmalloc_ok,
		 9); /* 11->16, 72->96, 136->192, 640->1024, 20000->32768 ... */
	CHECK_EQ(r.cache_total, 3);
	CHECK_EQ(r.cache_ok, 3); /* task_struct 5888, pid 192, anon_vma 104 */
	CHECK_EQ(r.kfree_null, 1);
	CHECK_EQ(r.free_unknown,
		 3); /* deadbeef, filp, the kfree before its kmalloc */
	CHECK_EQ(r.failed_in_trace, 1);
	/* pages: the slab page and the large-kmalloc page are not replayed */
	CHECK_EQ(r.page_alloc_slab, 1);
	CHECK_EQ(r.page_alloc_kmalloc, 1);
	CHECK_EQ(r.page_alloc_replayed, 2);
	CHECK_EQ(r.page_free_slab, 2);
	CHECK_EQ(r.page_free_replayed, 2);
	CHECK_EQ(r.page_free_batched_dup, 1);
	CHECK_EQ(r.page_free_unknown, 1);
	CHECK_EQ(r.final_replayed_pages, 0);
	CHECK_EQ(r.peak_replayed_pages, 2);
	/* vmalloc is part of the library: its events are always replayed */
	CHECK(r.vmap_supported);
	CHECK_EQ(r.vmap_alloc_replayed, 1);
	CHECK_EQ(r.vmap_free_replayed, 1);
	CHECK_EQ(r.vmap_free_unknown, 1);
	CHECK_EQ(r.failures, 0);
	CHECK_EQ(r.live_objects, 8);
	CHECK(r.peak_slab_pages >= r.final_slab_pages &&
	      r.final_slab_pages > 0);
	CHECK_EQ(r.nr_caches, 3);
	CHECK_EQ(r.cpus, 2);
	CHECK(kmem_check_invariants());
	kmem_replay_result_free(&r);
	trace_release(&t);
	test_halt_keeping();
}

TEST(replay_configured_machine)
{
	struct kmem_trace t;
	struct kmem_replay_opts o = { .ram = 160ull << 20,
				      .layout = KMEM_LAYOUT_X86_32,
				      .cpus = 4 };
	struct kmem_replay_result r;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, DATA "trace-cmd-report.txt", &quiet), 0);
	CHECK_EQ(kmem_trace_replay(&t, &o, &r), 0);
	CHECK_STR(r.layout, "x86-32");
	CHECK_EQ(r.cpus, 4);
	CHECK(r.ram <= 160ull << 20 && r.ram > 150ull << 20);
	CHECK(!r.ram_from_trace);
	CHECK_EQ(r.kmalloc_ok, r.kmalloc_total);
	CHECK_EQ(r.failures, 0);
	CHECK(kmem_check_invariants());
	kmem_replay_result_free(&r);
	trace_release(&t);
	test_halt_keeping();
}

/*
 * The real trace: 392,306 events of a compile workload on Linux 6.18. The
 * whole trace is replayed (about 1 s in a normal build, including xz
 * decoding; under ASan about 15 s).
 */
TEST(replay_real_trace)
{
	struct kmem_trace t;
	struct kmem_slabinfo si;
	struct kmem_replay_opts o = { 0 };
	struct kmem_replay_result r;
	char err[256];
	unsigned long i, agree = 0, inslab = 0;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, REAL_TRACE, &quiet), 0);
	CHECK(t.nr > 390000);
	CHECK_EQ(t.info.malformed, 0);
	CHECK_EQ(t.info.unknown_total, 0);
	CHECK_EQ(kmem_slabinfo_load(&si, REAL_SLABINFO, err, sizeof(err)), 0);
	CHECK(si.nr == 235);
	o.slabinfo = &si;
	CHECK_EQ(kmem_trace_replay(&t, &o, &r), 0);
	CHECK_EQ(r.events, t.nr);
	CHECK(r.kmalloc_total > 19000);
	CHECK_EQ(r.kmalloc_ok, r.kmalloc_total); /* 100% size-class fidelity */
	CHECK_EQ(r.cache_ok, r.cache_total);
	CHECK_EQ(r.failures, 0);
	for (i = 0; i < r.nr_caches; i++)
		if (r.caches[i].si) {
			inslab++;
			agree += r.caches[i].si->objperslab ==
					 r.caches[i].objperslab &&
				 r.caches[i].si->pagesperslab ==
					 r.caches[i].pagesperslab;
		}
	CHECK(inslab >= 40);
	CHECK_EQ(agree, inslab); /* kmem's geometry is the kernel's */
	/* the slab pages of the traced kernel were not replayed as pages */
	CHECK(r.page_alloc_slab > 900);
	CHECK(r.page_free_batched_dup > 30000);
	CHECK(kmem_check_invariants());
	kmem_replay_result_free(&r);
	kmem_slabinfo_free(&si);
	trace_release(&t);
	test_halt_keeping();
}

/* Replay a hand-made ftrace text; the machine is left booted. */
static void replay_text(struct kmem_trace *t, struct kmem_replay_result *r,
			const char *text)
{
	struct kmem_replay_opts o = { .cpus = 2 };

	memset(t, 0, sizeof(*t));
	CHECK_EQ(kmem_trace_load_buffer(t, "test", text, strlen(text), &quiet),
		 0);
	CHECK_EQ(kmem_trace_replay(t, &o, r), 0);
}

#define L(ts, ev) "  bash-2460 [000] ..... 300." ts ": " ev "\n"

/* Every page-free event falls in exactly one category. */
static unsigned long page_free_categories(const struct kmem_replay_result *r)
{
	return r->page_free_replayed + r->page_free_unknown +
	       r->page_free_batched_dup + r->page_free_slab;
}

/* 6.x fires mm_page_free and then mm_page_free_batched for a page freed in a
 * batch: for a page allocated before the trace, one free, not two. */
TEST(replay_batched_free_of_page_before_trace)
{
	struct kmem_trace t;
	struct kmem_replay_result r;

	replay_text(
		&t, &r,
		L("000001",
		  "mm_page_free: page=00000000aaaa0001 pfn=0x120000 order=0")
			L("000002",
			  "mm_page_free_batched: page=00000000aaaa0001 pfn=0x120000 order=0"));
	CHECK_EQ(r.page_free_unknown, 1);
	CHECK_EQ(r.page_free_batched_dup, 1);
	CHECK_EQ(page_free_categories(&r), 2);
	kmem_replay_result_free(&r);
	trace_release(&t);
	test_halt_keeping();
}

/* An allocation of a pfn still live (its free comes later from the other
 * CPU) frees the old page first, but that is no free event. */
TEST(replay_alloc_of_live_pfn)
{
	struct kmem_trace t;
	struct kmem_replay_result r;

	replay_text(
		&t, &r,
		L("000001",
		  "mm_page_alloc: page=00000000aaaa0001 pfn=0x120000 order=0 migratetype=0 gfp_flags=GFP_KERNEL")
			L("000002",
			  "mm_page_alloc: page=00000000aaaa0001 pfn=0x120000 order=0 migratetype=0 gfp_flags=GFP_KERNEL")
				L("000003",
				  "mm_page_free: page=00000000aaaa0001 pfn=0x120000 order=0"));
	CHECK_EQ(r.page_alloc_replayed, 2);
	CHECK_EQ(r.page_alloc_live_pfn, 1);
	CHECK_EQ(r.page_free_replayed, 1);
	CHECK_EQ(page_free_categories(&r), 1);
	CHECK_EQ(r.final_replayed_pages, 0);
	kmem_replay_result_free(&r);
	trace_release(&t);
	test_halt_keeping();
}

/* A socket's order-3 page fragment (skb_page_frag_refill: __GFP_COMP |
 * __GFP_NORETRY | __GFP_NOWARN, no direct reclaim) right after __alloc_skb
 * has the slab signature but is no slab page: the task's next objects are
 * small. A real order-3 slab page (kmalloc-2k on 2 CPUs) stays one. */
TEST(replay_skb_frag_is_not_slab)
{
	struct kmem_trace t;
	struct kmem_replay_result r;

	replay_text(
		&t, &r,
		L("000001",
		  "kmem_cache_alloc: call_site=__alloc_skb+0x5b/0x1e0 ptr=0000000011110001 name=skbuff_fclone_cache bytes_req=472 bytes_alloc=512 gfp_flags=GFP_KERNEL node=-1 accounted=false")
			L("000002",
			  "kmalloc: call_site=__alloc_skb+0x88/0x1e0 ptr=0000000011110002 bytes_req=320 bytes_alloc=512 gfp_flags=GFP_KERNEL|__GFP_NOWARN node=-1 accounted=false")
				L("000003",
				  "mm_page_alloc: page=00000000aaaa0001 pfn=0x120000 order=3 migratetype=0 gfp_flags=__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_KSWAPD_RECLAIM")
					L("000004",
					  "kmem_cache_alloc: call_site=__alloc_skb+0x5b/0x1e0 ptr=0000000011110003 name=skbuff_fclone_cache bytes_req=472 bytes_alloc=512 gfp_flags=GFP_KERNEL node=-1 accounted=false")
						L("000005",
						  "kmalloc: call_site=__alloc_skb+0x88/0x1e0 ptr=0000000011110004 bytes_req=320 bytes_alloc=512 gfp_flags=GFP_KERNEL|__GFP_NOWARN node=-1 accounted=false")
							L("000006",
							  "mm_page_alloc: page=00000000aaaa0002 pfn=0x120008 order=3 migratetype=0 gfp_flags=GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP")
								L("000007",
								  "kmalloc: call_site=seq_read+0x1/0x2 ptr=0000000011110005 bytes_req=2048 bytes_alloc=2048 gfp_flags=GFP_KERNEL node=-1 accounted=false")
									L("000008",
									  "mm_page_free: page=00000000aaaa0001 pfn=0x120000 order=3"));
	CHECK_EQ(r.page_alloc_not_slab, 1);
	CHECK_EQ(r.page_alloc_replayed, 1);
	CHECK_EQ(r.page_alloc_slab, 1);
	CHECK_EQ(r.page_free_replayed, 1);
	CHECK_EQ(r.failures, 0);
	kmem_replay_result_free(&r);
	trace_release(&t);
	test_halt_keeping();
}

/* Linux 6.18: GFP_NOWAIT is __GFP_KSWAPD_RECLAIM | __GFP_NOWARN, and the
 * tracepoints print that combination as GFP_NOWAIT alone. */
TEST(gfp_nowait_includes_nowarn)
{
	char buf[128];
	unsigned int g;

	CHECK_EQ(GFP_NOWAIT, __GFP_KSWAPD_RECLAIM | __GFP_NOWARN);
	CHECK_EQ(kmem_parse_gfp("GFP_NOWAIT", &g), 0);
	CHECK_EQ(g, __GFP_KSWAPD_RECLAIM | __GFP_NOWARN);
	CHECK_STR(kmem_format_gfp(GFP_NOWAIT, buf, sizeof(buf)), "GFP_NOWAIT");
	CHECK_STR(kmem_format_gfp(__GFP_KSWAPD_RECLAIM, buf, sizeof(buf)),
		  "__GFP_KSWAPD_RECLAIM");
	CHECK_STR(kmem_format_gfp(GFP_NOWAIT | __GFP_NORETRY | __GFP_COMP, buf,
				  sizeof(buf)),
		  "GFP_NOWAIT|__GFP_NORETRY|__GFP_COMP");
	CHECK_STR(kmem_format_gfp(GFP_ATOMIC | __GFP_NOWARN, buf, sizeof(buf)),
		  "GFP_ATOMIC|__GFP_NOWARN");
}

int main(void)
{
	RUN(formats);
	RUN(compressed);
	RUN(fields);
	RUN(malformed_and_truncated);
	RUN(truncated_compressed);
	RUN(not_a_trace);
	RUN(replay_sample);
	RUN(replay_configured_machine);
	RUN(replay_real_trace);
	RUN(replay_batched_free_of_page_before_trace);
	RUN(replay_alloc_of_live_pfn);
	RUN(replay_skb_frag_is_not_slab);
	RUN(gfp_nowait_includes_nowarn);
	return test_summary();
}
