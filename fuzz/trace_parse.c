// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: the trace parser (replay/trace_parse.c).
 *
 * Each input is a trace file. It is parsed twice: from memory
 * (kmem_trace_load_buffer) and from a file (kmem_trace_load on a memfd, the path `kmem
 * replay` takes, with the magic-byte sniffing that sends xz and gzip input to
 * their decoders). Besides the sanitizers' checks, the harness verifies what
 * the parser promises of its result:
 *   - a refused input says why (t->info.error); an accepted one has no error;
 *   - every event has a known type, a cpu, an interned name or none, a line
 *     number within the file, and the counts per type add up to nr;
 *   - the events are sorted by timestamp, input order breaking ties;
 *   - uncompressed, both paths agree event for event (the file path reads in
 *     pieces, the memory path in one go: a line split across reads must parse
 *     as the same line);
 *   - the fast path (which finds the line's end itself and reuses the
 *     previous line's prefix) and the general parser alone read the same
 *     events, names, counters and order.
 * A violated promise aborts (a crash for libFuzzer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmem/replay.h>
#include "replay/internal.h"
#include "fuzz/fuzz.h"

static int memfd = -1;
static char memfd_path[64];

static void die(const char *what, const struct kmem_trace *t)
{
	fprintf(stderr,
		"==fuzz== trace parser: %s (nr %zu, lines %lu, error \"%s\")\n",
		what, t->nr, t->info.lines, t->info.error);
	abort();
}

static void check_trace(const struct kmem_trace *t, int ret)
{
	unsigned long sum = 0;
	size_t i;
	int k;

	if (ret != 0 && ret != -1)
		die("kmem_trace_load returned neither 0 nor -1", t);
	if (ret < 0) {
		if (!t->info.error[0])
			die("refused without saying why", t);
		return;
	}
	if (t->info.error[0])
		die("accepted, but an error is set", t);
	if (t->nr_names && t->names[0][0]) /* interned lazily, names[0] "" */
		die("names[0] is not the empty name", t);
	for (k = 0; k < KMEM_TRACE_NR_TYPES; k++)
		sum += t->info.count[k];
	if (sum != t->nr)
		die("counts per type do not add up to nr", t);
	for (i = 0; i < t->nr; i++) {
		const struct kmem_trace_event *e = &t->ev[i];

		if (e->type >= KMEM_TRACE_NR_TYPES)
			die("event type out of range", t);
		if (e->name && e->name >= t->nr_names)
			die("event name id out of range", t);
		if (!e->line || e->line > t->info.lines)
			die("event line number outside the file", t);
		if (e->type == KMEM_TRACE_PAGE_ALLOC && e->order > 10 &&
		    !(e->flags & KMEM_TEV_FAILED))
			die("mm_page_alloc order above 10 accepted", t);
		if (i && (e->ts_ns < e[-1].ts_ns ||
			  (e->ts_ns == e[-1].ts_ns && e->line <= e[-1].line)))
			die("events not sorted by timestamp, then line", t);
	}
	if (t->info.nr_unknown > KMEM_TRACE_MAX_UNKNOWN)
		die("more unknown event names than kept", t);
}

static void same(const struct kmem_trace *a, const struct kmem_trace *b)
{
	size_t i;
	int k;

	if (a->nr != b->nr || a->info.lines != b->info.lines ||
	    a->info.malformed != b->info.malformed ||
	    a->info.unknown_total != b->info.unknown_total ||
	    a->info.header_lines != b->info.header_lines ||
	    a->info.blank_lines != b->info.blank_lines ||
	    a->nr_names != b->nr_names || a->info.format != b->info.format) {
		fprintf(stderr,
			"memory: nr %zu lines %lu malformed %lu unknown %lu "
			"headers %lu blank %lu names %u format %d\n"
			"file:   nr %zu lines %lu malformed %lu unknown %lu "
			"headers %lu blank %lu names %u format %d\n",
			a->nr, a->info.lines, a->info.malformed,
			a->info.unknown_total, a->info.header_lines,
			a->info.blank_lines, a->nr_names, a->info.format, b->nr,
			b->info.lines, b->info.malformed, b->info.unknown_total,
			b->info.header_lines, b->info.blank_lines, b->nr_names,
			b->info.format);
		die("parsing from memory and from a file disagree", a);
	}
	for (k = 0; k < KMEM_TRACE_NR_TYPES; k++)
		if (a->info.count[k] != b->info.count[k])
			die("per-type counts differ between memory and file",
			    a);
	for (i = 0; i < a->nr; i++)
		if (memcmp(&a->ev[i], &b->ev[i], sizeof(a->ev[i])))
			die("an event differs between memory and file", a);
	for (i = 1; i < a->nr_names; i++)
		if (strcmp(a->names[i], b->names[i]))
			die("interned names differ between memory and file", a);
}

static const char *name_of(const struct kmem_trace *t, uint32_t id)
{
	return t->names && id < t->nr_names ? t->names[id] : "";
}

/* a with the fast path, g with the general parser alone: names compared by
 * their text (a line the fast path gave up on may have interned one). */
static void same_as_general(const struct kmem_trace *a,
			    const struct kmem_trace *g)
{
	size_t i;
	int k;

	if (a->nr != g->nr || a->info.lines != g->info.lines ||
	    a->info.malformed != g->info.malformed ||
	    a->info.unknown_total != g->info.unknown_total ||
	    a->info.header_lines != g->info.header_lines ||
	    a->info.blank_lines != g->info.blank_lines ||
	    a->info.format != g->info.format ||
	    a->info.max_disorder_ns != g->info.max_disorder_ns ||
	    a->info.sorted_input != g->info.sorted_input) {
		fprintf(stderr,
			"fast:    nr %zu lines %lu malformed %lu unknown %lu "
			"headers %lu blank %lu format %d\n"
			"general: nr %zu lines %lu malformed %lu unknown %lu "
			"headers %lu blank %lu format %d\n",
			a->nr, a->info.lines, a->info.malformed,
			a->info.unknown_total, a->info.header_lines,
			a->info.blank_lines, a->info.format, g->nr,
			g->info.lines, g->info.malformed, g->info.unknown_total,
			g->info.header_lines, g->info.blank_lines,
			g->info.format);
		die("the fast path and the general parser disagree", a);
	}
	for (k = 0; k < KMEM_TRACE_NR_TYPES; k++)
		if (a->info.count[k] != g->info.count[k])
			die("per-type counts differ between fast and general",
			    a);
	for (i = 0; i < a->nr; i++) {
		struct kmem_trace_event x = a->ev[i], y = g->ev[i];

		if (strcmp(name_of(a, x.name), name_of(g, y.name)))
			die("an event's name differs between fast and general",
			    a);
		x.name = y.name = 0;
		if (memcmp(&x, &y, sizeof(x)))
			die("an event differs between fast and general", a);
	}
	for (i = 0; i < a->info.malformed && i < KMEM_TRACE_MAX_MALFORMED_KEPT;
	     i++)
		if (a->info.malformed_kept[i].line !=
			    g->info.malformed_kept[i].line ||
		    strcmp(a->info.malformed_kept[i].why,
			   g->info.malformed_kept[i].why))
			die("a malformed line's message differs between fast and general",
			    a);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	memfd = memfd_create("fuzz-trace", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		exit(1);
	}
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmem_trace m, f;
	int rm, rf;
	bool compressed = (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) ||
			  (size >= 6 && !memcmp(data,
						"\xfd"
						"7zXZ\0",
						6));

	if (ftruncate(memfd, 0) ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size) {
		perror("memfd write");
		abort();
	}
	memset(&f, 0, sizeof(f));
	rf = kmem_trace_load(&f, memfd_path, NULL);
	check_trace(&f, rf);
	if (!compressed) {
		memset(&m, 0, sizeof(m));
		rm = kmem_trace_load_buffer(&m, "fuzz", (const char *)data,
					    size, NULL);
		check_trace(&m, rm);
		if (rm != rf) {
			fprintf(stderr, "memory: %d \"%s\"; file: %d \"%s\"\n",
				rm, m.info.error, rf, f.info.error);
			die("parsing from memory and from a file disagree on refusal",
			    &m);
		}
		if (!rm)
			same(&m, &f);
		{
			static const struct kmem_trace_parse_opts general = {
				.no_fast_path = true
			};
			struct kmem_trace g;
			int rg;

			memset(&g, 0, sizeof(g));
			rg = kmem_trace_load_buffer(
				&g, "fuzz", (const char *)data, size, &general);
			check_trace(&g, rg);
			if (rg != rm)
				die("the fast path and the general parser disagree on refusal",
				    &m);
			if (!rm)
				same_as_general(&m, &g);
			trace_release(&g);
		}
		trace_release(&m);
	}
	trace_release(&f);
	return 0;
}
