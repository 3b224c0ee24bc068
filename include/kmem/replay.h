/* SPDX-License-Identifier: MIT */
/*
 * <kmem/replay.h>: kernel allocation traces, parsed and replayed through
 * kmem's allocators (`kmem replay`).
 *
 * Input is the text Linux's tracing prints for the kmem and vmalloc
 * tracepoints, in any of three shapes:
 *
 *   ftrace   comm-pid [cpu] flags  secs.usecs: event: fields     (trace, trace_pipe)
 *   trace-cmd  the same after a "cpus=N" header, event names padded
 *   perf     comm pid [cpu] secs.usecs: subsys:event: fields   (perf script)
 *
 * plain, xz- or gzip-compressed (recognised by their magic bytes), or "-" for
 * standard input. The parser (replay/trace_parse.c) turns every line into one
 * compact struct kmem_trace_event; unknown events, malformed lines and header
 * lines are counted. The replay engine (replay/trace_replay.c) boots a
 * machine for the trace and drives kmalloc, kmem_cache_alloc, the page
 * allocator and the vmap-area allocator with the traced requests in
 * timestamp order, pairing each free with its allocation; struct
 * kmem_replay_result is its report.
 *
 *	struct kmem_trace *t = kmem_trace_new();
 *	struct kmem_replay_opts o = { 0 };
 *	struct kmem_replay_result r = { 0 };
 *
 *	if (t && kmem_trace_replay_file(t, "trace.txt.xz", NULL, &o, &r,
 *					NULL) == 0)
 *		printf("%lu events, peak %lu slab pages\n", r.events,
 *		       r.peak_slab_pages);
 *	kmem_replay_result_free(&r);
 *	kmem_trace_free(t);
 *	kmem_halt();    // the replay leaves its machine running
 *
 * Every name this header defines begins with kmem_ or KMEM_. The engine
 * sits above the rest of the library: it uses only the public
 * API (<linux/...>, <kmem/...>), as a program would. Not thread-safe: one
 * thread parses and replays; the allocators it calls take their own locks.
 */
#ifndef _KMEM_REPLAY_H
#define _KMEM_REPLAY_H

#include <kmem/export.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_cache;

/* ---- the parser (replay/trace_parse.c) ------------------------------------ */

enum kmem_trace_type {
	KMEM_TRACE_KMALLOC,
	KMEM_TRACE_KMEM_CACHE_ALLOC,
	KMEM_TRACE_KFREE,
	KMEM_TRACE_KMEM_CACHE_FREE,
	KMEM_TRACE_PAGE_ALLOC,
	KMEM_TRACE_PAGE_FREE,
	KMEM_TRACE_PAGE_FREE_BATCHED,
	KMEM_TRACE_VMAP_ALLOC,
	KMEM_TRACE_VMAP_FREE,
	KMEM_TRACE_VMAP_PURGE, /* parsed and counted; the replay's own lazy purge stands in */
	KMEM_TRACE_NR_TYPES
};
extern KMEM_API const char *const kmem_trace_type_names[KMEM_TRACE_NR_TYPES];

enum kmem_trace_format {
	KMEM_TRACE_FMT_UNKNOWN,
	KMEM_TRACE_FMT_FTRACE,
	KMEM_TRACE_FMT_TRACE_CMD,
	KMEM_TRACE_FMT_PERF,
};
extern KMEM_API const char *const kmem_trace_format_names[4];

/* kmem_trace_event.flags */
#define KMEM_TEV_FAILED \
	0x01 /* the real kernel's allocation failed (pfn -1, failed=1) */
#define KMEM_TEV_NO_NAME \
	0x02 /* kmem_cache_* without name= (kernels before 6.0) */

/*
 * One event. Which fields mean what:
 *   kmalloc, kmem_cache_alloc: key = hashed ptr, req/alloc = bytes_req/alloc,
 *                              name = cache (kmem_cache_alloc), gfp
 *   kfree, kmem_cache_free:    key = ptr, name = cache (kmem_cache_free)
 *   mm_page_alloc:             key = pfn, order, migratetype, gfp
 *   mm_page_free(_batched):    key = pfn, order
 *   alloc_vmap_area:           key = va_start, req = size, alloc = align
 *   free_vmap_area_noflush:    key = va_start
 */
struct kmem_trace_event {
	uint64_t ts_ns;
	uint64_t key;
	uint32_t req, alloc;
	uint32_t gfp;
	uint32_t line; /* line number in the input (1-based) */
	uint32_t name; /* index into trace->names, or 0 (none) */
	uint32_t pid;
	uint16_t cpu;
	uint8_t type; /* enum kmem_trace_type */
	uint8_t order;
	int8_t migratetype;
	uint8_t flags; /* KMEM_TEV_* */
	uint8_t mark;  /* the replay engine's classification (its own) */
	uint8_t pad;
};

struct kmem_trace_unknown {
	char name[48];
	unsigned long count;
};

#define KMEM_TRACE_MAX_UNKNOWN 32
#define KMEM_TRACE_MAX_MALFORMED_KEPT 16

/* What a parse read and counted: kmem_trace_info(). */
struct kmem_trace_info {
	const char *path;
	enum kmem_trace_format format;
	const char *compression; /* "none", "xz", "gzip" */
	size_t events; /* events parsed (all, also when the parse streamed them
			* to the replay: kmem_trace_replay_file()) */
	unsigned long lines, header_lines, blank_lines;
	unsigned long count[KMEM_TRACE_NR_TYPES];
	unsigned long unknown_total;
	struct kmem_trace_unknown unknown[KMEM_TRACE_MAX_UNKNOWN];
	unsigned int nr_unknown;
	unsigned long malformed;
	struct {
		unsigned long line;
		char why[160];
	} malformed_kept[KMEM_TRACE_MAX_MALFORMED_KEPT];
	bool truncated;	   /* compressed stream ended early or read error */
	char error[256];   /* why a trace was refused */
	bool sorted_input; /* events were already in timestamp order */
	uint64_t max_ts;   /* the latest timestamp read */
	uint64_t max_disorder_ns; /* the furthest an event goes back in time
				   * from one read before it (0: in order) */
	double parse_seconds;
	uint64_t bytes_in; /* bytes read from the file (compressed) */
};

/*
 * A parsed trace (opaque): its report (kmem_trace_info()), the events a
 * kmem_trace_load() keeps (kmem_trace_events()) and the interned cache
 * names (kmem_trace_name()). kmem_trace_new() makes an empty one for
 * kmem_trace_load(), kmem_trace_load_buffer(), kmem_trace_replay_file() or
 * kmem_trace_parse_ordered(); kmem_trace_free() frees it and all they
 * allocated. NULL: out of memory.
 */
struct kmem_trace;
KMEM_API struct kmem_trace *kmem_trace_new(void);
KMEM_API void kmem_trace_free(struct kmem_trace *t);
KMEM_API const struct kmem_trace_info *
kmem_trace_info(const struct kmem_trace *t);
/* The events kept, in timestamp order after kmem_trace_load() (none after a
 * streamed replay or ordered parse): *nr of them. */
KMEM_API const struct kmem_trace_event *
kmem_trace_events(const struct kmem_trace *t, size_t *nr);
/* The name of an interned name id (kmem_trace_event.name,
 * kmem_replay_cache.name); id 0 is "" (also before any name is interned),
 * an id the trace never gave NULL. */
KMEM_API const char *kmem_trace_name(const struct kmem_trace *t, uint32_t id);

/* Options of the parser. */
struct kmem_trace_parse_opts {
	FILE *diag;	       /* malformed-line messages (NULL: none) */
	unsigned int max_diag; /* print at most this many (then a count) */
	bool progress;	       /* draw a progress bar on stderr */
	bool no_fast_path; /* tests: every line through the general parser */
	/* The copy of a standard input that is not a file ("-": a pipe), for
	 * the passes after the first (0: none; then such an input is read
	 * whole before the replay). A file the caller opened for reading and
	 * writing (O_RDWR: an unlinked temporary file, a memfd), empty, whose
	 * offset the calls move: kmem_trace_replay_file() appends every byte
	 * of the first pass, as read, and reads the copy from its start in
	 * the later passes (in this process, or in a new one that passes
	 * *again back with the same file); kmem_trace_parse_ordered() of "-"
	 * reads that copy from its start. Standard input itself is never
	 * replaced: fd 0 stays the caller's. */
	int spool_fd;
};

/*
 * Read and parse a whole trace into t (new: kmem_trace_new()), then sort the
 * events by timestamp (stable: input order breaks ties). Returns 0, or -1
 * with the info's error set when the input cannot be read or is not a trace
 * at all.
 */
KMEM_API int kmem_trace_load(struct kmem_trace *t, const char *path,
			     const struct kmem_trace_parse_opts *opts);
/* The same from an in-memory buffer (name: what the messages call it). */
KMEM_API int kmem_trace_load_buffer(struct kmem_trace *t, const char *name,
				    const char *buf, size_t len,
				    const struct kmem_trace_parse_opts *opts);

/* Monotonic time in nanoseconds (CLOCK_MONOTONIC), the clock of the
 * reports' timings (parse_seconds, replay_seconds). */
KMEM_API uint64_t kmem_trace_now_ns(void);

/* ---- the replay (replay/trace_replay.c) ------------------------------------ */

/* One line of /proc/slabinfo. */
struct kmem_slabinfo_entry {
	char name[64];
	unsigned long active_objs, num_objs;
	unsigned int objsize, objperslab, pagesperslab;
};
struct kmem_slabinfo {
	struct kmem_slabinfo_entry *e;
	unsigned int nr;
};
/* Parse a /proc/slabinfo snapshot; 0 or -1 with err filled. */
KMEM_API int kmem_slabinfo_load(struct kmem_slabinfo *si, const char *path,
				char *err, size_t errlen);
KMEM_API void kmem_slabinfo_free(struct kmem_slabinfo *si);

struct kmem_replay_opts {
	unsigned long long ram; /* 0: what fits the trace */
	int layout;		/* enum kmem_layout; 0: x86-64 */
	int cpus;		/* 0: the trace's CPUs */
	const struct kmem_slabinfo
		*slabinfo; /* NULL: caches sized from the trace */
	bool progress;
	bool objects_only; /* replay only kmalloc/kmem_cache events (compare) */
};

/* A named cache seen in the trace (replay_result.caches). */
struct kmem_replay_cache {
	uint32_t name;	      /* trace name id */
	struct kmem_cache *s; /* kmem's cache */
	unsigned int
		trace_size; /* bytes_alloc at first sight (the kernel's s->size) */
	unsigned int trace_objsize; /* bytes_req at first sight (object_size) */
	unsigned int kmem_size;	    /* ksize() of kmem's objects */
	unsigned long allocs, frees, live, peak_live;
	unsigned long fidelity_ok, fidelity_bad;
	unsigned int objperslab, pagesperslab; /* kmem's geometry */
	/* at the end */
	unsigned long slabs, total_objs, active_objs;
	const struct kmem_slabinfo_entry *si; /* --slabinfo line, if any */
	bool created_failed;
};

#define KMEM_REPLAY_MAX_FAILURES_KEPT 16
#define KMEM_REPLAY_MAX_MISMATCH_KEPT 8

struct kmem_replay_result {
	unsigned long events, replayed;
	/* objects */
	unsigned long kmalloc_ok, kmalloc_total; /* ksize == bytes_alloc */
	unsigned long cache_ok, cache_total; /* object size == bytes_alloc */
	struct {
		unsigned long line;
		unsigned int req, trace_alloc, kmem_alloc, gfp;
		uint32_t name;
	} mismatch[KMEM_REPLAY_MAX_MISMATCH_KEPT];
	unsigned int nr_mismatch;
	unsigned long kfree_null, free_unknown, alloc_live_ptr,
		free_cache_mismatch;
	unsigned long failed_in_trace; /* ptr 0, pfn -1, failed=1 in the trace */
	unsigned long nr_caches;
	struct kmem_replay_cache *caches; /* nr_caches entries */
	/* pages */
	unsigned long page_alloc_replayed, page_alloc_slab, page_alloc_kmalloc;
	unsigned long page_free_replayed, page_free_slab, page_free_unknown;
	unsigned long page_free_batched_dup, page_free_order_mismatch;
	unsigned long page_alloc_live_pfn; /* allocation of a pfn still live */
	unsigned long page_alloc_not_slab; /* slab signature, refuted: replayed */
	/* vmalloc */
	unsigned long vmap_alloc_replayed, vmap_free_replayed,
		vmap_free_unknown;
	unsigned long vmap_purge_events;
	unsigned long
		vmap_objects_skipped; /* kmem_cache_alloc(vmap_area): kmem's vmalloc makes its own */
	bool vmap_supported;
	/* failures of kmem (the replay asked, kmem said no) */
	unsigned long failures;
	struct {
		unsigned long line;
		char why[160];
	} failure[KMEM_REPLAY_MAX_FAILURES_KEPT];
	/* memory */
	unsigned long peak_slab_pages, final_slab_pages;
	unsigned long peak_used_pages, final_used_pages; /* managed - free */
	unsigned long peak_replayed_pages,
		final_replayed_pages; /* mm_page_alloc held */
	unsigned long live_objects, peak_live_objects;
	uint64_t live_req_bytes, live_trace_bytes, live_kmem_bytes;
	uint64_t all_req_bytes, all_trace_bytes,
		all_kmem_bytes; /* every allocation */
	/* kmalloc caches in use at the end */
	unsigned int nr_kcaches;
	struct {
		char name[32];
		unsigned int size, objperslab, pagesperslab;
		unsigned long slabs, active_objs, total_objs;
	} kcache[64];
	/* buddy state at the end: free blocks per zone and order */
	unsigned int nr_zones;
	struct {
		char name[16];
		unsigned long free[16];
		unsigned long free_pages, managed;
		int highest_order; /* -1: none */
	} zone[4];
	int highest_free_order; /* over all zones */
	/* the machine */
	unsigned long long ram;
	int cpus;
	const char *layout;
	bool ram_from_trace;
	bool ram_capped; /* the trace wanted more than KMEM_REPLAY_RAM_AUTO_MAX */
	uint64_t need_bytes; /* what the trace needs at its peak (estimate) */
	unsigned long long
		ram_wanted; /* what automatic sizing wanted (0: --ram) */
	/* The most free pages of the machine asked at once to be backed by
	 * host memory before the replay's clock starts (so that their first
	 * touches are not timed): need_bytes + 25%, the whole trace's. */
	unsigned long prefault_pages;
	/* time */
	double replay_seconds;
	double replay_cpu_seconds; /* the replaying thread's CPU time */
};

/* Automatic sizing (no --ram) boots at most this much RAM: enough for any
 * trace window of a running kernel we have seen, and a boot that takes about
 * a second; a trace that wants more is replayed on this and the report says
 * so (--ram gives more). */
#define KMEM_REPLAY_RAM_AUTO_MAX (4ULL << 30)

/* Boot a machine (halting any running one) and replay t on it. The machine is
 * left running (for `--map`); the caller halts it. Returns 0, or -1 if the
 * machine could not boot (r->failure[0] says why). */
KMEM_API int kmem_trace_replay(struct kmem_trace *t,
			       const struct kmem_replay_opts *o,
			       struct kmem_replay_result *r);
KMEM_API void kmem_replay_result_free(struct kmem_replay_result *r);

/* A machine's size (kmem_trace_replay_file()'s second pass). */
struct kmem_replay_machine {
	unsigned long long ram;
	int cpus;
	/* The whole trace's estimate, so that a forced pass prepares for all
	 * of it when it boots: the peak need (bytes, for the prefault), the
	 * most live objects and pages (the pairing tables). */
	uint64_t need_bytes;
	unsigned long max_objs, max_pages;
};
/*
 * Parse the trace at path and replay it while it is read, in memory bounded
 * by the replay's live objects rather than the length of the trace (another
 * pass over the file when the machine must be resized or the input was out
 * of order; a pipe is read whole first, and so is standard input that is
 * not a file unless po->spool_fd takes its copy; a file on standard input is
 * read again from where it started). t and r as from kmem_trace_load() and
 * kmem_trace_replay(). 0, or -1 with the info's error set (not a trace) or
 * r->failures (the machine could not boot).
 *
 * again (may be NULL): when another pass is needed after a machine was
 * booted, returns 2 with *again filled instead of booting a second machine
 * in this process; a new process (a new t) passes that *again back and
 * runs only the last pass (without the first pass's diagnostics).
 */
struct kmem_replay_again {
	bool forced;
	struct kmem_replay_machine m;
	uint64_t horizon;     /* how far the input goes back in time */
	int64_t stdin_offset; /* where a file on standard input ("-"), or
			       * its copy (spool_fd), starts */
};
KMEM_API int kmem_trace_replay_file(struct kmem_trace *t, const char *path,
				    const struct kmem_trace_parse_opts *po,
				    const struct kmem_replay_opts *o,
				    struct kmem_replay_result *r,
				    struct kmem_replay_again *again);
/*
 * Parse the trace at path again and hand its events to fn in timestamp order
 * (ties in input order), never all in memory: horizon is how far the input
 * goes back in time (a first parse's max_disorder_ns). t new
 * (kmem_trace_new(); its counts and names, as kmem_trace_load()'s). "-" is standard
 * input from where it stands, or po->spool_fd from its start when that is
 * set (the copy a kmem_trace_replay_file() of a piped input made). 0; -1
 * with the info's error set, or when fn returned nonzero (which stops it).
 */
KMEM_API int
kmem_trace_parse_ordered(struct kmem_trace *t, const char *path,
			 const struct kmem_trace_parse_opts *po,
			 uint64_t horizon,
			 int (*fn)(void *arg, const struct kmem_trace *t,
				   const struct kmem_trace_event *e),
			 void *arg);

#ifdef __cplusplus
}
#endif
#endif /* _KMEM_REPLAY_H */
