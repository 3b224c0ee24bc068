/* SPDX-License-Identifier: MIT */
/*
 * Arguments of the bench programs: each answers --help (its usage on stdout,
 * exit 0) and refuses what it does not understand (the usage on stderr,
 * exit 2), so that a mistyped run never measures something else.
 */
#ifndef KMEM_BENCH_H
#define KMEM_BENCH_H

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --quick anywhere: taken out of argv (argc shrinks), true. A smoke run of
 * the program with tiny counts and one run: every table is printed, but its
 * figures mean nothing (scripts/bench.sh --quick, tests/cmd/bench_quick.sh).
 */
static inline bool bench_quick(int *argc, char **argv)
{
	bool quick = false;
	int i, j;

	for (i = j = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = true;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
	return quick;
}

/* --help or -h anywhere: the usage, exit 0. */
static inline void bench_help(int argc, char **argv, const char *usage)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			exit(0);
		}
}

static inline void __attribute__((noreturn))
bench_bad(const char *prog, const char *what, const char *arg,
	  const char *usage)
{
	fprintf(stderr, "%s: %s '%s'\n%s", prog, what, arg, usage);
	exit(2);
}

/* A count: a whole number from 1 to max; anything else exits 2. */
static inline long bench_count(const char *prog, const char *arg, long max,
			       const char *usage)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max)
		bench_bad(prog, "not a count", arg, usage);
	return v;
}

/* The user-space allocators compared with kmem, where installed. */
struct bench_peer {
	const char *name;
	void *(*alloc)(size_t);
	void (*free)(void *);
};

/* Opens jemalloc, mimalloc and tcmalloc (those present, in that order) into
 * peers[]; returns how many (at most 3). */
static inline int bench_load_peers(struct bench_peer peers[3])
{
	static const char *const lib[3][4] = {
		{ "jemalloc", "libjemalloc.so.2", "malloc", "free" },
		{ "mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free" },
		{ "tcmalloc", "libtcmalloc_minimal.so.4", "tc_malloc",
		  "tc_free" },
	};
	int i, n = 0;

	for (i = 0; i < 3; i++) {
		void *h = dlopen(lib[i][1], RTLD_NOW | RTLD_LOCAL);

		if (!h)
			continue;
		peers[n].name = lib[i][0];
		peers[n].alloc = (void *(*)(size_t))dlsym(h, lib[i][2]);
		peers[n].free = (void (*)(void *))dlsym(h, lib[i][3]);
		if (peers[n].alloc && peers[n].free)
			n++;
	}
	return n;
}

#endif
