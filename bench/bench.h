/* SPDX-License-Identifier: MIT */
/*
 * Arguments of the bench programs: each answers --help (its usage on stdout,
 * exit 0) and refuses what it does not understand (the usage on stderr,
 * exit 2), so that a mistyped run never measures something else.
 */
#ifndef KMEM_BENCH_H
#define KMEM_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
