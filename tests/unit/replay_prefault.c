// SPDX-License-Identifier: MIT
/*
 * kmem replay prepares for the whole trace before its clock starts: the RAM
 * the trace needs is backed by the host (kmem_prefault_free_pages) for the whole
 * trace's need, also when that need comes after the first 65,536 events
 * (where a speculative machine boots). A forced pass (the whole trace known
 * from a sizing pass: kmem_trace_replay(), or the pass after a machine was found
 * too small) prefaults it at once; a speculative one tops its prefault up as
 * the need grows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/mm.h>
#include <kmem/kmem.h>
#include <kmem/replay.h>
#include "replay/internal.h"
#include "test.h"

static const struct kmem_trace_parse_opts quiet = { .diag = NULL };

/*
 * pairs kmalloc/kfree pairs of 64 bytes on 100 pointers (a need of a few
 * KiB), then `big` kmalloc(4096)s held to the end: the peak comes last.
 */
static void write_trace(const char *path, int pairs, int big)
{
	const char *pre = "            bash-2460    [000] .....   ";
	FILE *f = fopen(path, "w");
	unsigned long ts = 100000000;
	int i;

	CHECK(f != NULL);
	if (!f)
		return;
	for (i = 0; i < pairs; i++, ts += 2) {
		unsigned long p = 4096ul * (unsigned long)(i % 100 + 1);

		fprintf(f,
			"%s%lu.%06lu: kmalloc: call_site=f+0x1/0x2 ptr=%016lx "
			"bytes_req=40 bytes_alloc=64 gfp_flags=GFP_KERNEL "
			"node=-1 accounted=false\n",
			pre, ts / 1000000, ts % 1000000, p);
		fprintf(f,
			"%s%lu.%06lu: kfree: call_site=g+0x1/0x2 ptr=%016lx\n",
			pre, (ts + 1) / 1000000, (ts + 1) % 1000000, p);
	}
	for (i = 0; i < big; i++, ts++)
		fprintf(f,
			"%s%lu.%06lu: kmalloc: call_site=f+0x1/0x2 ptr=%016lx "
			"bytes_req=4096 bytes_alloc=4096 gfp_flags=GFP_KERNEL "
			"node=-1 accounted=false\n",
			pre, ts / 1000000, ts % 1000000,
			0x100000000ul + 4096ul * (unsigned long)i);
	CHECK_EQ(fclose(f), 0);
}

/* What the report says was prefaulted covers the whole trace's need. */
static void check_prefault(const struct kmem_replay_result *r, const char *how)
{
	unsigned long need = (unsigned long)(r->need_bytes >> PAGE_SHIFT);

	CHECK_EQ(r->failures, 0);
	CHECK(r->need_bytes > (40ull << 20)); /* 10,000 * 4 KiB + 25% */
	if (r->prefault_pages < need)
		printf("%s: %lu pages prefaulted for a need of %lu\n", how,
		       r->prefault_pages, need);
	CHECK(r->prefault_pages >= need);
}

static char path[64];

/* In memory: a sizing pass, then a forced one (about 60 MiB of RAM: the boot
 * at the forced pass's first events must know the need of the last ones). */
TEST(forced_pass_prefaults_the_whole_need)
{
	struct kmem_trace t;
	struct kmem_replay_opts o = { 0 };
	struct kmem_replay_result r;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, path, &quiet), 0);
	CHECK_EQ(t.nr, 2 * 70000 + 10000);
	CHECK_EQ(kmem_trace_replay(&t, &o, &r), 0);
	check_prefault(&r, "kmem_trace_replay");
	CHECK_EQ(r.prefault_pages,
		 (unsigned long)((r.need_bytes + r.need_bytes / 4) >>
				 PAGE_SHIFT));
	CHECK_EQ(r.ram, 256ull << 20);
	kmem_replay_result_free(&r);
	trace_release(&t);
	test_halt_keeping();
}

/* Streamed: the machine booted after 65,536 events is kept (the need is
 * about 50 MiB), its prefault grows with the need. */
TEST(speculative_pass_prefaults_as_the_need_grows)
{
	struct kmem_trace t;
	struct kmem_replay_opts o = { 0 };
	struct kmem_replay_result r;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_replay_file(&t, path, &quiet, &o, &r, NULL), 0);
	CHECK_EQ(r.events, 2 * 70000 + 10000);
	check_prefault(&r, "kmem_trace_replay_file");
	CHECK_EQ(r.ram, 256ull << 20);
	kmem_replay_result_free(&r);
	trace_release(&t);
	test_halt_keeping();
}

int main(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/kmem-replay-prefault-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	write_trace(path, 70000, 10000);
	RUN(forced_pass_prefaults_the_whole_need);
	RUN(speculative_pass_prefaults_as_the_need_grows);
	unlink(path);
	return test_summary();
}
