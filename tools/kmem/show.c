// SPDX-License-Identifier: MIT
/*
 * kmem show [--scene CHAPTER] VIEW...: print /proc views in the kernel's
 * formats, of a freshly booted machine or, with --scene, of the machine in
 * the middle of a tour chapter (where the per-process views have processes
 * to show: `kmem show --scene process 2/status`).
 *
 * The names are checked before any work, against the same list that --help
 * prints and an error prints.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/introspect.h>
#include <kmem/process.h>
#include "tools/kmem/kmem.h"

/* The registered views, as kmem_list_views() prints them ("  meminfo",
 * "  <pid>/status"); every view is registered before any boot. */
static char *view_list(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	mem = open_memstream(&buf, &len);
	if (!mem)
		return NULL;
	kmem_list_views(mem);
	fclose(mem);
	return buf;
}

static void show_usage(FILE *f, const char *list)
{
	const char *p;

	fprintf(f,
		"usage: kmem show [--scene CHAPTER] VIEW...\n\n"
		"Print /proc views in the kernel's formats, of a freshly booted machine\n"
		"(configured by KMEM_RAM, KMEM_LAYOUT, KMEM_CPUS, KMEM_SWAP, KMEM_SLAB,\n"
		"KMEM_CMDLINE: see kmem --help) or, with --scene CHAPTER, of the machine at that tour\n"
		"chapter's scene (as `kmem map --scene`; chapters: kmem tour --list).\n\n"
		"Views of the machine:\n");
	for (p = list; p && *p; p += strcspn(p, "\n") + !!p[strcspn(p, "\n")])
		if (strncmp(p, "  <pid>/", 8))
			fprintf(f, "%.*s\n", (int)strcspn(p, "\n"), p);
	fprintf(f,
		"Views of a process, <pid> its number (a fresh machine has none: use\n"
		"--scene process, whose processes are listed when PID is wrong):\n");
	for (p = list; p && *p; p += strcspn(p, "\n") + !!p[strcspn(p, "\n")])
		if (!strncmp(p, "  <pid>/", 8))
			fprintf(f, "%.*s\n", (int)strcspn(p, "\n"), p);
}

/* 0: a machine view; 1: a per-process view ("2/status"); -1: unknown. */
static int view_kind(const char *list, const char *name)
{
	const char *slash;
	const char *p;
	size_t n;

	if (!strncmp(name, "/proc/", 6)) /* as kmem_show() takes it */
		name += 6;
	slash = strrchr(name, '/');
	for (p = list; p && *p; p += n + !!p[n]) {
		n = strcspn(p, "\n");
		if (!strncmp(p, "  <pid>/", 8)) {
			const char *v = p + 8;
			size_t vn = n - 8, i;

			if (!slash || slash == name ||
			    strlen(slash + 1) != vn ||
			    strncmp(slash + 1, v, vn))
				continue;
			for (i = 0; name + i < slash; i++)
				if (!isdigit((unsigned char)name[i]))
					break;
			if (name + i == slash)
				return 1;
		} else if (n > 2 && strlen(name) == n - 2 &&
			   !strncmp(p + 2, name, n - 2)) {
			return 0;
		}
	}
	return -1;
}

static int print_process(struct kmem_process *p, void *arg)
{
	struct kmem_process_info in;

	if (!kmem_process_info(p, &in) && !in.killed)
		fprintf(stderr, "  %d (%s)\n", in.pid, in.comm);
	return 0;
}

struct show_scene {
	const char *scene;
	char **names;
	int nr;
	int taken, ret;
};

static void show_views(char **names, int nr, int *ret)
{
	int i;

	for (i = 0; i < nr; i++) {
		if (kmem_show(names[i], stdout)) {
			*ret = 1;
			if (strchr(names[i], '/')) {
				fprintf(stderr,
					"kmem show: the processes here are:\n");
				kmem_for_each_process(print_process, NULL);
			}
		}
	}
}

static void show_scene_cb(struct tour *t, void *arg)
{
	struct show_scene *ss = arg;

	if (ss->taken || !t->chapter || strcmp(t->chapter, ss->scene))
		return;
	ss->taken = 1;
	show_views(ss->names, ss->nr, &ss->ret);
}

static int cmd_show(int argc, char **argv)
{
	const char *scene = NULL;
	char **names = calloc((size_t)argc, sizeof(*names));
	char *list = NULL;
	int i, nr = 0, ret = 0, per_process = 0;

	if (!names)
		return 1;
	list = view_list();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			show_usage(stdout, list);
			goto out;
		} else if (!strcmp(a, "--scene") && i + 1 < argc) {
			scene = argv[++i];
			if (!tour_find_chapter(scene)) {
				fprintf(stderr,
					"kmem show: no scene '%s' (kmem tour --list)\n",
					scene);
				ret = 2;
				goto out;
			}
		} else if (a[0] == '-') {
			fprintf(stderr,
				"kmem show: unknown or incomplete option '%s'\n\n",
				a);
			show_usage(stderr, list);
			ret = 2;
			goto out;
		} else {
			int kind = view_kind(list, a);

			if (kind < 0) {
				fprintf(stderr,
					"kmem show: no view named '%s'\n\n", a);
				show_usage(stderr, list);
				ret = 2;
				goto out;
			}
			per_process |= kind;
			names[nr++] = argv[i];
		}
	}
	if (!nr) {
		show_usage(stderr, list);
		ret = 2;
		goto out;
	}
	if (per_process && !scene) {
		fprintf(stderr,
			"kmem show: a fresh machine has no processes; the tour's "
			"process chapter has two:\n"
			"  kmem show --scene process PID/status\n");
		ret = 2;
		goto out;
	}
	if (scene) {
		struct show_scene ss = { scene, names, nr, 0, 0 };
		struct tour t = { 0 };
		FILE *devnull = fopen("/dev/null", "w"), *old;

		t.out = devnull ? devnull : stderr;
		t.scene = show_scene_cb;
		t.scene_arg = &ss;
		t.progress = "kmem show";
		old = kmem_log_set_console(NULL);
		if (tour_run(&t, scene))
			fprintf(stderr,
				"kmem show: a tour chapter failed (kmem tour shows which)\n");
		kmem_log_set_console(old);
		if (devnull)
			fclose(devnull);
		if (!ss.taken) /* a chapter without a scene: as it ends */
			show_views(names, nr, &ss.ret);
		ret = ss.ret;
		goto out;
	}
	if (kmem_boot_default()) {
		ret = 1; /* the boot said why */
		goto out;
	}
	show_views(names, nr, &ret);
out:
	free(list);
	free(names);
	return ret;
}
KMEM_COMMAND(show, "show [--scene CHAPTER] VIEW...",
	     "print a /proc view (buddyinfo, meminfo ...)", cmd_show)
