/* SPDX-License-Identifier: MIT */
/*
 * kmem map: a picture of the machine's memory as one self-contained HTML page.
 *
 * kmem_map_write() snapshots the running machine (booting the default one if
 * none is running) and writes the page: every page frame coloured by its owner,
 * the kernel's virtual layout, the summary. `kmem map` calls it after running
 * the tour up to a scene; `kmem replay TRACE --map FILE.html` after a replay.
 */
#ifndef KMEM_TOOL_MAP_H
#define KMEM_TOOL_MAP_H

#include <stdio.h>

/* Write the page to `path` ("-": standard output), titled `title` (NULL: a
 * default). Returns 0, or -errno if the file cannot be written (after printing
 * "kmem map: PATH: reason" to standard error). */
int kmem_map_write(const char *path, const char *title);
/* kmem_map_write() in two steps, for commands that check their output before
 * any work: open `path` ("-": standard output), or print "kmem map: PATH:
 * reason" and return NULL; later write the page to it and close it (returns
 * as kmem_map_write()). */
FILE *kmem_map_open(const char *path);
int kmem_map_finish(FILE *f, const char *path, const char *title);
/* The same, to an open stream. Returns 0 or -EIO. */
int kmem_map_fwrite(FILE *f, const char *title);

#endif
