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
 * Words of kernel reports that mean kmem itself is wrong whatever the caller
 * did: a BUG or WARNING splat, an invariant checker's complaint, a page in a
 * bad state. NULL-terminated.
 */
static const char *const fuzz_bug_words[] = {
	"BUG",
	"WARNING:",
	"invariant check",
	"check: ",
	"Bad page",
	"Oops",
	"Kernel panic",
	"list_add corruption",
	"list_del corruption",
	"Poison overwritten",
	"Redzone",
	"double free",
	"use-after-free",
	NULL,
};

/* The first bug word in the log since mark, or NULL. */
static inline const char *fuzz_log_bug(size_t mark)
{
	int i;

	for (i = 0; fuzz_bug_words[i]; i++)
		if (kmem_log_contains(mark, fuzz_bug_words[i]))
			return fuzz_bug_words[i];
	return NULL;
}

#endif
