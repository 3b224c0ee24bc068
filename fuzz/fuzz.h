/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer harnesses in fuzz/: reading kmem's kernel log for
 * reports that mean a bug in kmem itself, and failing the run on one.
 *
 * libFuzzer counts a crash when the harness aborts: fuzz_fail() prints why and
 * the log text of the input, then calls abort(), so the input is saved as a
 * crash-* artifact and `make fuzz-ci` exits non-zero.
 */
#ifndef KMEM_FUZZ_H
#define KMEM_FUZZ_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmem/kmem.h>

static inline void fuzz_print_log(size_t mark)
{
	size_t n = kmem_log_read(mark, NULL, 0);
	char *buf = malloc(n + 1);

	if (!buf)
		return;
	kmem_log_read(mark, buf, n + 1);
	fprintf(stderr,
		"---- kmem log of this input (%zu bytes) ----\n%s"
		"---- end of log ----\n",
		n, buf);
	free(buf);
}

static inline void __attribute__((noreturn, format(printf, 2, 3)))
fuzz_fail(size_t mark, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "==fuzz== kmem bug: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fuzz_print_log(mark);
	abort();
}

/*
 * How the kernel's reports of a bug in kmem itself begin: a BUG (page state,
 * slab object, sleeping in atomic context, a page fault) or WARNING splat, a
 * panic, an invariant checker's complaint. Matched at the start of a log
 * line only, so that a cache name or other text taken from the input (a
 * replayed trace names its caches) cannot pose as a report.
 */
static const char *const fuzz_bug_starts[] = {
	"BUG",
	"WARNING:",
	"Kernel panic",
	"kernel BUG",
	"Oops",
	"kmem: invariant check",
	"kmem: check:",
	"slab check:",
	"vmalloc: check:",
	"user mm: check:",
	"list_add corruption",
	"list_del corruption",
	NULL,
};

/* The first line of the log since mark that starts a bug report, copied
 * into line (NUL-terminated, truncated), or false if there is none. */
static inline bool fuzz_log_bug(size_t mark, char *line, size_t len)
{
	size_t n = kmem_log_read(mark, NULL, 0);
	char *buf, *p, *nl;
	bool found = false;
	int i;

	if (!n)
		return false;
	buf = malloc(n + 1);
	if (!buf)
		abort();
	kmem_log_read(mark, buf, n + 1);
	for (p = buf; p && *p && !found; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		for (i = 0; fuzz_bug_starts[i]; i++)
			if (!strncmp(p, fuzz_bug_starts[i],
				     strlen(fuzz_bug_starts[i]))) {
				snprintf(line, len, "%s", p);
				found = true;
				break;
			}
	}
	free(buf);
	return found;
}

#endif
