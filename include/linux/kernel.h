/* SPDX-License-Identifier: MIT */
/* The kernel's catch-all header: helpers every file uses. The system's UAPI
 * <linux/kernel.h> is included first because the C library relies on it. */
#ifndef _KMEM_LINUX_KERNEL_H
#define _KMEM_LINUX_KERNEL_H

#if defined(__has_include_next)
#if __has_include_next(<linux/kernel.h>)
#include_next <linux/kernel.h>
#endif
#endif

#include <limits.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/stddef.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/log2.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/smp.h>

#ifndef U8_MAX
#define U8_MAX ((u8)~0U)
#define U16_MAX ((u16)~0U)
#define U32_MAX ((u32)~0U)
#define U64_MAX ((u64)~0ULL)
#endif

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#define __KMEM_ALIGN_MASK(x, mask) (((x) + (mask)) & ~(mask))
#define ALIGN(x, a) __KMEM_ALIGN_MASK(x, (__typeof__(x))(a)-1)
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define PTR_ALIGN_DOWN(p, a) \
	((__typeof__(p))ALIGN_DOWN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define round_up(x, y) ((((x)-1) | ((__typeof__(x))((y)-1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y)-1)))
#define mult_frac(x, n, d) (((x) / (d)) * (n) + (((x) % (d)) * (n)) / (d))

#define min(x, y)                       \
	({                              \
		__typeof__(x) _x = (x); \
		__typeof__(y) _y = (y); \
		_x < _y ? _x : _y;      \
	})
#define max(x, y)                       \
	({                              \
		__typeof__(x) _x = (x); \
		__typeof__(y) _y = (y); \
		_x > _y ? _x : _y;      \
	})
#define min_t(t, x, y)             \
	({                         \
		t _x = (x);        \
		t _y = (y);        \
		_x < _y ? _x : _y; \
	})
#define max_t(t, x, y)             \
	({                         \
		t _x = (x);        \
		t _y = (y);        \
		_x > _y ? _x : _y; \
	})
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define clamp_t(t, v, lo, hi) min_t(t, max_t(t, v, lo), hi)
#define swap(a, b)                       \
	do {                             \
		__typeof__(a) __t = (a); \
		(a) = (b);               \
		(b) = __t;               \
	} while (0)

/*
 * might_sleep(): annotate a point that may sleep. Called in atomic context
 * (spinlock held, preemption or interrupts disabled, in an interrupt) it prints
 * the kernel's "BUG: sleeping function called from invalid context at FILE:LINE"
 * report, once per call site, and carries on.
 */
KMEM_API void __might_sleep(const char *file, int line, const void *caller);
/* The call site is the return address of the function that says might_sleep():
 * put it in the exported entry point so the report names the caller's site. */
#define might_sleep() \
	__might_sleep(__FILE__, __LINE__, __builtin_return_address(0))
#define might_sleep_if(cond)           \
	do {                           \
		if (cond)              \
			might_sleep(); \
	} while (0)
#define cond_resched()         \
	({                     \
		might_sleep(); \
		0;             \
	})

#define pr_fmt_kmem(fmt) fmt
#define panic(fmt, ...) __kmem_panic(fmt, ##__VA_ARGS__)
KMEM_API __noreturn __printf(1, 2) void __kmem_panic(const char *fmt, ...);

#define PAGE_ALIGNED(addr) IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)

#endif
