// SPDX-License-Identifier: MIT
/*
 * kmem tour: a guided tour of the allocators. The chapters live in
 * tools/kmem/tour_*.c and register themselves with TOUR_CHAPTER(); this file
 * orders and runs them and provides the narration helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kmem/kmem.h>
#include "tools/kmem/kmem.h"

static struct tour_chapter *chapters;

void tour_register_chapter(struct tour_chapter *c)
{
	struct tour_chapter **pp;

	for (pp = &chapters; *pp && (*pp)->order <= c->order; pp = &(*pp)->next)
		;
	c->next = *pp;
	*pp = c;
}

struct tour_chapter *tour_chapters(void)
{
	return chapters;
}

int tour_boot_config(struct tour *t, const struct kmem_config *cfg)
{
	struct kmem_machine_info info;
	struct kmem_config c = *cfg;
	int ret;

	c.quiet = true;
	kmem_halt();
	ret = kmem_boot(&c);
	if (ret) {
		fprintf(t->out, "  (boot failed: %d)\n", ret);
		return ret;
	}
	/* Every chapter that boots says on what, so that no address or figure
	 * that follows is read against the previous chapter's machine. */
	kmem_machine_info(&info);
	fprintf(t->out, "  [a fresh machine: %s, %llu MiB RAM, %u CPU%s",
		info.layout_name, info.ram >> 20, info.cpus,
		info.cpus == 1 ? "" : "s");
	if (info.swap)
		fprintf(t->out, ", %llu MiB swap", info.swap >> 20);
	if (info.slab != KMEM_SLAB_SLUB) /* the slab chapter's comparison */
		fprintf(t->out, ", %s", info.slab_name);
	fprintf(t->out, "]\n\n");
	return 0;
}

int tour_boot(struct tour *t, unsigned long long ram, enum kmem_layout layout,
	      int cpus)
{
	/* The chapters explain SLUB's numbers and structures: SLUB whatever
	 * $KMEM_SLAB says. */
	struct kmem_config cfg = { .ram = ram,
				   .layout = layout,
				   .cpus = cpus,
				   .quiet = true,
				   .slab = KMEM_SLAB_SLUB };

	return tour_boot_config(t, &cfg);
}

static void wrap(FILE *out, const char *indent, const char *text)
{
	const char *p = text;
	int col = 0;

	fputs(indent, out);
	while (*p) {
		const char *w = p;
		int len;

		while (*w == ' ')
			w++;
		len = (int)strcspn(w, " \n");
		if (col && col + 1 + len > 76) {
			fprintf(out, "\n%s", indent);
			col = 0;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		fwrite(w, 1, (size_t)len, out);
		col += len;
		p = w + len;
		if (*p == '\n') {
			fprintf(out, "\n%s", indent);
			col = 0;
			p++;
		}
	}
	fputc('\n', out);
}

void tour_say(struct tour *t, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wrap(t->out, "  ", buf);
}

void tour_step(struct tour *t, const char *fmt, ...)
{
	va_list ap;

	fputs("  > ", t->out);
	va_start(ap, fmt);
	vfprintf(t->out, fmt, ap);
	va_end(ap);
	fputc('\n', t->out);
}

void tour_show(struct tour *t, const char *view)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char *line, *save = NULL;

	if (!mem)
		return;
	kmem_show(view, mem);
	fclose(mem);
	fprintf(t->out, "    $ cat /proc/%s\n", view);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(t->out, "    %s\n", line);
	free(buf);
}

void tour_scene(struct tour *t)
{
	if (t->scene)
		t->scene(t, t->scene_arg);
}

/* Progress on standard error for work that runs the tour silently (`kmem map
 * --scene`, `kmem show --scene`): one line per chapter, rewritten in place on
 * a terminal. */
static void tour_progress(struct tour *t, struct tour_chapter *c, int ran,
			  int total, struct timespec *t0)
{
	struct timespec now;
	double s;
	bool tty = isatty(STDERR_FILENO);

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
	if (c)
		fprintf(stderr,
			"%s%s: running the tour, chapter %d of %d: %s (%.1f s)%s",
			tty ? "\r\033[K" : "", t->progress, ran, total, c->name,
			s, tty ? "" : "\n");
	else if (tty)
		fprintf(stderr, "\r\033[K%s: ran %d chapters in %.1f s\n",
			t->progress, ran, s);
	fflush(stderr);
}

int tour_run(struct tour *t, const char *upto)
{
	struct tour_chapter *c;
	struct timespec t0;
	int failed = 0, total = 0, ran = 0, no;

	for (c = chapters; c; c = c->next) {
		if (t->only && strcmp(t->only, c->name))
			continue;
		total++;
		if (upto && !strcmp(upto, c->name))
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (c = chapters, no = 1; c; c = c->next, no++) {
		if (t->only && strcmp(t->only, c->name))
			continue;
		/* Numbered as in the whole tour, also when run alone. */
		t->chapter_no = no;
		t->chapter = c->name;
		ran++;
		if (t->progress)
			tour_progress(t, c, ran, total, &t0);
		fprintf(t->out, "\n== %d. %s ==\n\n", t->chapter_no, c->title);
		if (c->run(t)) {
			fprintf(t->out, "  (chapter '%s' failed)\n", c->name);
			failed = 1;
		}
		if (upto && !strcmp(upto, c->name))
			break;
	}
	if (t->progress)
		tour_progress(t, NULL, ran, total, &t0);
	return failed;
}

struct tour_chapter *tour_find_chapter(const char *name)
{
	struct tour_chapter *c;

	for (c = chapters; c && strcmp(c->name, name); c = c->next)
		;
	return c;
}

static void tour_usage(FILE *f)
{
	struct tour_chapter *c;

	fprintf(f,
		"usage: kmem tour [CHAPTER]\n       kmem tour --list\n\n"
		"The guided tour: every chapter, or only CHAPTER. --list (or --help,\n"
		"-h) lists the chapters:\n");
	for (c = chapters; c; c = c->next)
		fprintf(f, "  %-16s %s\n", c->name, c->title);
}

static int cmd_tour(int argc, char **argv)
{
	struct tour t = { .out = stdout };
	FILE *old;
	int ret;

	if (argc >= 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	     !strcmp(argv[1], "--list"))) {
		tour_usage(stdout);
		return 0;
	}
	if (argc >= 2 && argv[1][0] == '-') {
		fprintf(stderr, "kmem tour: unknown option '%s'\n\n", argv[1]);
		tour_usage(stderr);
		return 2;
	}
	if (argc > 2) {
		fprintf(stderr, "kmem tour: one chapter at a time ('%s')\n\n",
			argv[2]);
		tour_usage(stderr);
		return 2;
	}
	if (argc == 2) {
		if (!tour_find_chapter(argv[1])) {
			fprintf(stderr,
				"kmem tour: no chapter '%s' (kmem tour --list)\n",
				argv[1]);
			return 2;
		}
		t.only = argv[1];
	}
	/* The tour quotes the kernel log itself where it matters. */
	old = kmem_log_set_console(NULL);
	fprintf(t.out,
		"kmem tour: the Linux kernel's memory allocators, running in user space.\n");
	ret = tour_run(&t, NULL);
	kmem_log_set_console(old);
	return ret;
}
KMEM_COMMAND(tour, "tour [CHAPTER]",
	     "a guided tour of the allocators, with real figures", cmd_tour)
