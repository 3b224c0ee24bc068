/* SPDX-License-Identifier: MIT */
/*
 * The replay engine's own interface between replay/trace_parse.c and
 * replay/trace_replay.c (and the unit tests), below the public API of
 * <kmem/replay.h>. Never installed.
 */
#ifndef _KMEM_REPLAY_INTERNAL_H
#define _KMEM_REPLAY_INTERNAL_H

#include <kmem/replay.h>

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
