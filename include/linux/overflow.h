/* SPDX-License-Identifier: MIT */
#ifndef _KMEM_LINUX_OVERFLOW_H
#define _KMEM_LINUX_OVERFLOW_H

#include <linux/types.h>
#include <stdint.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

/* a * b, or SIZE_MAX on overflow (so that the allocation fails). */
static inline size_t array_size(size_t a, size_t b)
{
	size_t bytes;

	if (check_mul_overflow(a, b, &bytes))
		return SIZE_MAX;
	return bytes;
}

static inline size_t size_add(size_t a, size_t b)
{
	size_t bytes;

	if (check_add_overflow(a, b, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define struct_size(p, member, count) \
	size_add(sizeof(*(p)), array_size(sizeof(*(p)->member), count))

#endif
