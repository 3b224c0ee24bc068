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

int tour_boot(struct tour *t, unsigned long long ram, enum kmem_layout layout,
	      int cpus)
{
	struct kmem_config cfg = { .ram = ram, .layout = layout, .cpus = cpus,
				   .quiet = true };
	int ret;

	kmem_halt();
	ret = kmem_boot(&cfg);
	if (ret)
		fprintf(t->out, "  (boot failed: %d)\n", ret);
	return ret;
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
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(t->out, "    %s\n", line);
	free(buf);
}

void tour_scene(struct tour *t)
{
	if (t->scene)
		t->scene(t, t->scene_arg);
}

int tour_run(struct tour *t, const char *upto)
{
	struct tour_chapter *c;
	int failed = 0;

	for (c = chapters; c; c = c->next) {
		if (t->only && strcmp(t->only, c->name))
			continue;
		t->chapter_no++;
		t->chapter = c->name;
		fprintf(t->out, "\n== %d. %s ==\n\n", t->chapter_no, c->title);
		if (c->run(t)) {
			fprintf(t->out, "  (chapter '%s' failed)\n", c->name);
			failed = 1;
		}
		if (upto && !strcmp(upto, c->name))
			break;
	}
	return failed;
}

static int cmd_tour(int argc, char **argv)
{
	struct tour t = { .out = stdout };
	struct tour_chapter *c;
	FILE *old;
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "--list"))) {
		printf("usage: kmem tour [CHAPTER]\n\nChapters:\n");
		for (c = chapters; c; c = c->next)
			printf("  %-16s %s\n", c->name, c->title);
		return 0;
	}
	if (argc >= 2)
		t.only = argv[1];
	/* The tour quotes the kernel log itself where it matters. */
	old = kmem_log_set_console(NULL);
	fprintf(t.out, "kmem tour: the Linux kernel's memory allocators, running in user space.\n");
	ret = tour_run(&t, NULL);
	kmem_log_set_console(old);
	if (t.only && !t.chapter_no) {
		fprintf(stderr, "kmem tour: no chapter '%s' (kmem tour --list)\n", t.only);
		return 2;
	}
	return ret;
}
KMEM_COMMAND(tour, "tour [CHAPTER]", "a guided tour of the allocators, with real figures", cmd_tour)
