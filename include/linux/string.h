/* SPDX-License-Identifier: MIT */
#ifndef _KMEM_LINUX_STRING_H
#define _KMEM_LINUX_STRING_H

#if defined(__has_include_next)
#if __has_include_next(<linux/string.h>)
#include_next <linux/string.h>
#endif
#endif
#include <string.h>
#include <linux/types.h>

/* memzero_explicit: a clear the compiler may not elide (kfree_sensitive uses it). */
static inline void memzero_explicit(void *s, size_t count)
{
	memset(s, 0, count);
	__asm__ __volatile__("" : : "r"(s) : "memory");
}

#endif
