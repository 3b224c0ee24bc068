/* SPDX-License-Identifier: MIT */
/*
 * The operation list `kmem replay --compare` and `--slab` hand their children
 * (tools/kmem/replay_compare.c builds it, tools/kmem/replay_slab.c reads it
 * too), and the spawning of those children.
 */
#ifndef KMEM_TOOL_REPLAY_OPS_H
#define KMEM_TOOL_REPLAY_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kmem/replay.h>

/* One operation: an allocation into a slot, or the free of a slot. */
struct op {
	uint32_t slot; /* bit 31: free */
	uint32_t size; /* bytes_req */
	int32_t cache; /* replay cache index for kmem, -1 kmalloc */
	uint32_t gfp;
	uint32_t alloc; /* the trace's bytes_alloc */
};
#define OP_FREE 0x80000000u

/* The memfd: this header, ncaches struct shared_cache, nops struct op. */
struct shared_hdr {
	uint64_t nops, nslots, ncaches, ram;
	uint64_t prefault_pages; /* RAM a kmem child backs before the clock */
	int32_t cpus, x86_32;
};
struct shared_cache {
	char name[48];
	uint32_t size;	  /* the object size kmem's replay used (ksize) */
	uint32_t objsize; /* the trace's bytes_req for the cache (object_size) */
};

/* ---- in the child (tools/kmem/replay_ops.c) ---- */

/* The list as a child sees it. */
struct replay_child_ops {
	const struct shared_hdr *h;
	const struct shared_cache *caches; /* h->ncaches */
	const struct op *ops;		   /* h->nops */
	size_t released; /* bytes of the list given back (replay_child_release) */
};
/* Give back the mapping's pages of the operations before ops[done] (the
 * list is read once, in order), so that a child's resident set does not grow
 * with the length of the trace. */
void replay_child_release(struct replay_child_ops *m, size_t done);
#define REPLAY_RELEASE_EVERY 65536
/* Operation i of the list, read in order from 0: every 65,536 operations
 * the ones before it are given back first (replay_child_release()). */
static inline const struct op *replay_child_op(struct replay_child_ops *m,
					       size_t i)
{
	if (!(i & (REPLAY_RELEASE_EVERY - 1)))
		replay_child_release(m, i);
	return &m->ops[i];
}
/* Map the memfd whose number is mfd_arg (the child's MEMFD argument): 0, or
 * -1 when it is not a list. */
int replay_child_map(const char *mfd_arg, struct replay_child_ops *m);
/* Anonymous memory outside every allocator, zeroed and touched: NULL if
 * there is none. */
void *replay_child_table(size_t bytes);
/* Boot the machine m->h describes and create the trace's caches in it, of
 * shared_cache.objsize (objsize) or .size bytes, in a table of
 * replay_child_table(): the table, or NULL with why filled. */
struct kmem_cache **replay_child_boot(const struct replay_child_ops *m,
				      bool objsize, char *why, size_t whylen);

/* ---- in the parent ---- */

/* An unlinked read-write temporary file: in $TMPDIR (or /tmp), else a memfd
 * called name (memory, when no directory will take a file); -1 if neither.
 * inherit: the children spawned later get it (close-on-exec otherwise). */
int replay_tmpfile(const char *name, bool inherit);

/* Build the op list of the object events of the trace t->path (parsed
 * again, in timestamp order, t being the replay's first parse; "-" from
 * stdin_copy when it is > 0, the copy of a piped standard input that the
 * first parse made: kmem_trace_parse_opts.spool_fd) into an unlinked
 * temporary file; the fd, or -1 (reported as `what`). *peak_req: the peak
 * of live requested bytes. each (may be NULL) sees every event. */
int replay_ops_memfd(const struct kmem_trace *t,
		     const struct kmem_replay_result *r, int stdin_copy,
		     const char *what, size_t *nops, uint64_t *peak_req,
		     void (*each)(void *arg, const struct kmem_trace_event *e),
		     void *each_arg);
/* Spawn "kmem replay MODE NAME MEMFD PIPEFD" (our environment without
 * LD_PRELOAD, plus env_add "VAR=value" if not NULL, replacing VAR) and read
 * its len-byte answer into out: 0, -1 if it could not be spawned, or the
 * child's wait status (> 0, 1 if it exited 0) if it did not answer in full. */
int replay_spawn_child(const char *mode, const char *name, const char *env_add,
		       int mfd, void *out, size_t len);

#endif
