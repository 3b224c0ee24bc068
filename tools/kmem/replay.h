/* SPDX-License-Identifier: MIT */
/* kmem replay --compare: the trace's object events through other allocators
 * (tools/kmem/replay_compare.c). */
#ifndef KMEM_TOOL_REPLAY_H
#define KMEM_TOOL_REPLAY_H

#include <stdbool.h>
#include <stdio.h>
#include <kmem/replay.h>

#define COMPARE_MAX 8

struct compare_result {
	char name[16]; /* "kmem", "glibc", "jemalloc", ... */
	char lib[48];  /* the library loaded */
	bool ran;
	char why[128];	   /* why it did not run */
	unsigned long ops; /* allocations + frees */
	double seconds;	   /* median of the runs */
	uint64_t peak_rss; /* peak resident growth during the replay (bytes) */
	uint64_t peak_own; /* kmem only: peak slab + large-kmalloc pages (bytes) */
	uint64_t faults; /* host page faults during the run (the median run's) */
	uint64_t peak_req; /* peak live requested bytes (the same for all) */
};

/* Replay the object events of t through kmem and each allocator of `list`
 * ("glibc,jemalloc,mimalloc,tcmalloc"), each in a child process (stdin_copy:
 * replay_ops_memfd()'s). Returns the number of results (missing allocators
 * are results with ran = false), or -1 for a bad list. */
int replay_compare(const struct kmem_trace *t, const struct kmem_replay_opts *o,
		   const struct kmem_replay_result *r, int stdin_copy,
		   const char *list, struct compare_result *out, int max);
/* The child side (hidden: kmem replay --peer-child NAME MEMFD PIPEFD). */
int compare_child_main(int argc, char **argv);
void compare_print_text(FILE *f, const struct compare_result *c, int n);
void compare_print_json(FILE *f, const struct compare_result *c, int n);

#endif
