/* SPDX-License-Identifier: MIT */
/*
 * The replay engine's own interface between replay/trace_parse.c and
 * replay/trace_replay.c (and the unit tests), below the public API of
 * <kmem/replay.h>. Never installed.
 */
#ifndef _KMEM_REPLAY_INTERNAL_H
#define _KMEM_REPLAY_INTERNAL_H

#include <kmem/replay.h>

/*
 * A parsed trace (opaque in <kmem/replay.h>): its report, the events kept and
 * the parser's own tables. Zeroed, it is empty (a unit test may keep one on
 * its stack and give back what it holds with trace_release()).
 */
struct kmem_trace {
	struct kmem_trace_info info; /* kmem_trace_info() */
	struct kmem_trace_event *ev;
	size_t nr, cap; /* ev[]: all the events, unless a sink took them */
	/* interned cache names; names[0] is "" */
	char **names;
	uint32_t nr_names, cap_names;
	uint32_t *name_hash; /* open addressing, size name_hash_size */
	uint32_t name_hash_size;
	void *gfp_cache;  /* the parser's parsed gfp_flags strings */
	void *name_cache; /* the parser's recent names */
	void *line_cache; /* the parser's last line prefix */
};

/* Free what t holds and zero it (t itself stays: kmem_trace_free() frees
 * it too). */
void trace_release(struct kmem_trace *t);

/* The interned name id (0: "", also for a trace that interned none, whose
 * table is not allocated yet; an id it never gave: NULL). */
static inline const char *trace_name(const struct kmem_trace *t, uint32_t id)
{
	if (!id)
		return "";
	return id < t->nr_names ? t->names[id] : NULL;
}

/* Parse one line (no newline) and append its event. Returns 1 if an event was
 * added, 0 if the line was a header, blank or unknown event, -1 if malformed
 * (why is filled). Exposed for the tests. */
int trace_parse_line(struct kmem_trace *t, char *line, unsigned long lineno,
		     char *why, size_t whylen);
/* The same without the fast path for well-formed kmem events (tests). */
int trace_parse_line_general(struct kmem_trace *t, char *line,
			     unsigned long lineno, char *why, size_t whylen);

/* The id of a cache name (added if new); 0 for "". */
uint32_t trace_intern(struct kmem_trace *t, const char *name, size_t len);

/* ---- progress bar (stderr, only when it is a terminal) ----------------- */
struct progress {
	bool on;
	const char *what;
	uint64_t total, last_shown_ns;
};
void progress_start(struct progress *p, const char *what, uint64_t total,
		    bool want);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p);

/* ---- the stream (replay/trace_replay.c) --------------------------------- */

/*
 * The replay as a stream: the events pushed one at a time in timestamp order
 * (ties in input order), holding only a window of them, so that a trace of
 * any length replays in bounded memory (kmem_trace_replay_file() feeds it while
 * parsing). replay_stream_end() returns 0 (r is the report), -1 (failed:
 * r->failure[0] says why), or 1: the whole trace asks for another machine
 * than the one booted before its end (or its events were not in order): a
 * replay_stream_start() forced to *again, with the same events, gives the
 * report. The machine is left running, as by kmem_trace_replay().
 */
struct replay_stream;
struct replay_stream *
replay_stream_start(struct kmem_trace *t, const struct kmem_replay_opts *o,
		    struct kmem_replay_result *r,
		    const struct kmem_replay_machine *forced);
int replay_stream_push(struct replay_stream *rs,
		       const struct kmem_trace_event *e);
/* An event came before one already pushed: nothing more is replayed, and
 * replay_stream_end() asks for another pass. */
void replay_stream_disorder(struct replay_stream *rs);
int replay_stream_end(struct replay_stream *rs,
		      struct kmem_replay_machine *again);
void replay_stream_free(struct replay_stream *rs);

/* Memory the trace needs at its peak, estimated from the events (bytes). */
uint64_t trace_estimate_need(const struct kmem_trace *t);

#endif
