/* SPDX-License-Identifier: MIT */
/* kmem replay --slab: the trace's object events on each slab allocator
 * (tools/kmem/replay_slab.c). */
#ifndef KMEM_TOOL_REPLAY_SLAB_H
#define KMEM_TOOL_REPLAY_SLAB_H

#include <stdbool.h>
#include <stdio.h>
#include <kmem/replay.h>

#define SLABCMP_MAX 3

/* Replay the object events of t on each allocator of `list` ("slub,slab,
 * slob"), each in children booted with KMEM_SLAB=<name> (stdin_copy:
 * replay_ops_memfd()'s). Returns the number of allocators (one that is not
 * built is reported, not run), or -1 for a bad list. */
int slab_compare(const struct kmem_trace *t, const struct kmem_replay_result *r,
		 int stdin_copy, const char *list);
/* The child side (hidden: kmem replay --slab-child NAME:MODE MEMFD PIPEFD). */
int slab_compare_child_main(int argc, char **argv);
bool slab_compare_ran(void);
/* The table (nothing if slab_compare() did not run). */
void slab_compare_print_text(FILE *f);
void slab_compare_print_json(FILE *f);

#endif
