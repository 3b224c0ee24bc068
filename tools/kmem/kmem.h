/* SPDX-License-Identifier: MIT */
/*
 * The kmem command's private interface.
 *
 * Subcommands and tour chapters register themselves from their own files, so
 * adding one never touches main.c:
 *
 *	static int cmd_replay(int argc, char **argv) { ... }
 *	KMEM_COMMAND(replay, "replay TRACE [options]", "replay a kernel trace", cmd_replay)
 *
 *	static int chapter_buddy(struct tour *t) { ... }
 *	TOUR_CHAPTER(20, buddy, "The buddy allocator", chapter_buddy)
 *
 * Chapters run in increasing order. Each prints what it does and the real
 * figures it measured; tour_say()/tour_step() keep the formatting uniform.
 * A chapter may boot the machine it needs (tour_boot()).
 */
#ifndef KMEM_TOOL_H
#define KMEM_TOOL_H

#include <stdbool.h>
#include <stdio.h>
#include <kmem/kmem.h>

struct kmem_command {
	const char *name;
	const char *usage;		   /* "replay TRACE [--json] ..." */
	const char *summary;		   /* one line for `kmem --help` */
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
	struct kmem_command *next;
};
void kmem_register_command(struct kmem_command *c);

#define KMEM_COMMAND(id, usage_, summary_, fn)                                \
	static struct kmem_command __kmem_cmd_##id = { #id, usage_, summary_, \
						       fn, NULL };            \
	__attribute__((constructor)) static void __kmem_cmd_reg_##id(void)    \
	{                                                                     \
		kmem_register_command(&__kmem_cmd_##id);                      \
	}

struct tour {
	FILE *out;
	bool verbose;
	const char *only; /* run only this chapter (NULL: all) */
	int chapter_no;
	const char *chapter; /* the running chapter's name */
	/* `kmem map --scene`: called by tour_scene() while a chapter's objects
	 * are all alive (chapters free them before they end). */
	void (*scene)(struct tour *t, void *arg);
	void *scene_arg;
	/* Not NULL: tour_run() reports each chapter on stderr, prefixed with
	 * this ("kmem map"), for commands that run the tour silently. */
	const char *progress;
};

struct tour_chapter {
	int order;
	const char *
		name; /* short id, for `kmem tour NAME` and `kmem map --scene` */
	const char *title;
	int (*run)(struct tour *t); /* 0 on success */
	struct tour_chapter *next;
};
void tour_register_chapter(struct tour_chapter *c);
/* Run the chapters (all, or up to and including `upto` when not NULL);
 * returns 0 if all succeeded. Used by `kmem tour` and `kmem map --scene`. */
int tour_run(struct tour *t, const char *upto);
/* Chapters, in order (for listing). */
struct tour_chapter *tour_chapters(void);
/* The chapter named `name`, or NULL. */
struct tour_chapter *tour_find_chapter(const char *name);

#define TOUR_CHAPTER(ord, id, title_, fn)                                   \
	static struct tour_chapter __tour_ch_##id = { ord, #id, title_, fn, \
						      NULL };               \
	__attribute__((constructor)) static void __tour_ch_reg_##id(void)   \
	{                                                                   \
		tour_register_chapter(&__tour_ch_##id);                     \
	}

/* Boot a fresh machine for a chapter (halting the current one), and say so
 * ("[a fresh machine: x86-32, 160 MiB RAM, 2 CPUs]"). */
int tour_boot(struct tour *t, unsigned long long ram, enum kmem_layout layout,
	      int cpus);
int tour_boot_config(struct tour *t, const struct kmem_config *cfg);
/* Narration: a paragraph of explanation, and a result line. */
void tour_say(struct tour *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tour_step(struct tour *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark the chapter's scene: the moment its picture is worth taking (everything
 * it allocated is alive). `kmem map --scene CHAPTER` snapshots the machine
 * here; a chapter without a scene is pictured as it ends. */
void tour_scene(struct tour *t);
/* Show a /proc view, indented. */
void tour_show(struct tour *t, const char *view);

/* The example data directory (tools/kmem/data.c): $KMEM_DATA, else
 * <bindir>/../share/kmem of the installed command, else the source tree's
 * tests/data; NULL if none is there. kmem_data_path() joins a file name to it
 * (DATA/name when there is none). */
const char *kmem_data_dir(void);
const char *kmem_data_path(const char *name, char *buf, size_t len);

/* The command's version (the project's, from CMake). */
#ifndef KMEM_VERSION
#define KMEM_VERSION "unknown"
#endif

#endif
