/* SPDX-License-Identifier: MIT */
/*
 * kmem's kernel log (what dmesg would show). Every printk goes to the console
 * (standard error by default) and to an in-memory log that programs and tests
 * read back:
 *
 *	size_t mark = kmem_log_mark();
 *	kfree(bad_pointer);
 *	assert(kmem_log_contains(mark, "BUG: Bad page state"));
 */
#ifndef _KMEM_LOG_H
#define _KMEM_LOG_H

#include <kmem/export.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where messages are echoed; NULL silences the console (the log still keeps
 * them). Returns the previous console. $KMEM_QUIET=1 starts with it off. */
KMEM_API FILE *kmem_log_set_console(FILE *f);
/* Position of the end of the log now. */
KMEM_API size_t kmem_log_mark(void);
/* Copy the log text written since `mark` into buf (NUL-terminated, truncated
 * to len - 1 bytes); returns the length of the full text. */
KMEM_API size_t kmem_log_read(size_t mark, char *buf, size_t len);
/* True if the text written since `mark` contains `needle`. */
KMEM_API bool kmem_log_contains(size_t mark, const char *needle);
/* Number of occurrences of `needle` since `mark`. */
KMEM_API unsigned int kmem_log_count(size_t mark, const char *needle);

#ifdef __cplusplus
}
#endif
#endif
