/* SPDX-License-Identifier: MIT */
/* Compiler attributes and access helpers, as the kernel's <linux/compiler.h>. */
#ifndef _KMEM_LINUX_COMPILER_H
#define _KMEM_LINUX_COMPILER_H

#include <kmem/export.h>

/*
 * KMEM_TSAN, KMEM_ASAN: this is a ThreadSanitizer, an AddressSanitizer build
 * (gcc defines __SANITIZE_THREAD__, __SANITIZE_ADDRESS__; clang answers
 * __has_feature(thread_sanitizer), __has_feature(address_sanitizer)).
 */
#if defined(__SANITIZE_THREAD__)
#define KMEM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KMEM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KMEM_ASAN 1
#endif
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define noinline __attribute__((__noinline__))
#define __cold __attribute__((__cold__))
#define __noreturn __attribute__((__noreturn__))
#define __must_check __attribute__((__warn_unused_result__))
#define __maybe_unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __packed __attribute__((__packed__))
#define __weak __attribute__((__weak__))
#define __malloc __attribute__((__malloc__))
#define __alloc_size(...) __attribute__((__alloc_size__(__VA_ARGS__)))
#define __force
#define __user
#define __iomem
#define __rcu
#define __percpu
#define __init
#define __exit
#define __read_mostly
#define __ro_after_init
#define fallthrough __attribute__((__fallthrough__))
#define barrier() __asm__ __volatile__("" ::: "memory")

/*
 * Lock-free peeks. data_race(expr) evaluates expr, whose accesses race with
 * other threads on purpose: a look at a counter, a flag or a list head that
 * another thread changes under a lock this one does not hold, where a stale
 * value is fine (a watermark check, a PageBuddy test of a neighbour, a barn
 * count before taking the lock that rechecks it). As in the kernel, where
 * KCSAN does not report them, a ThreadSanitizer build does not report these
 * accesses (the thread ignores its accesses for the length of expr); every
 * other build compiles plain (expr), at no cost.
 *
 * READ_ONCE(x) reads x exactly once, whole (no tearing, no re-reading): the
 * marked form of such a peek. A TSan build reads it inside data_race(), as
 * KCSAN by default does not report a marked read against a plain write.
 * WRITE_ONCE() stays an ordinary write for TSan: it is still checked against
 * other plain accesses.
 */
#ifdef KMEM_TSAN
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#define data_race(expr)                             \
	({                                          \
		__tsan_ignore_thread_begin();       \
		__auto_type __data_race_v = (expr); \
		__tsan_ignore_thread_end();         \
		__data_race_v;                      \
	})
#define READ_ONCE(x) data_race(*(const volatile __typeof__(x) *)&(x))
#else
#define data_race(expr) (expr)
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#endif
#define WRITE_ONCE(x, val)                               \
	do {                                             \
		*(volatile __typeof__(x) *)&(x) = (val); \
	} while (0)

#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)

#define __same_type(a, b) \
	__builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define static_assert(expr, ...) _Static_assert(expr, #expr)

#endif
