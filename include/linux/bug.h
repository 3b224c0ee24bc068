/* SPDX-License-Identifier: MIT */
/* BUG and WARN, reported the kernel's way. WARN prints
 * "WARNING: CPU: n PID: p at file:line function" and a call trace, then carries
 * on; BUG prints "kernel BUG at file:line!" and stops the program. */
#ifndef _KMEM_LINUX_BUG_H
#define _KMEM_LINUX_BUG_H

#include <linux/compiler.h>

KMEM_API __printf(4, 5) void __kmem_warn(const char *file, int line,
					 const char *func, const char *fmt,
					 ...);
KMEM_API __noreturn void __kmem_bug(const char *file, int line,
				    const char *func);

#define WARN(cond, fmt...)                                              \
	({                                                              \
		int __ret_warn = !!(cond);                              \
		if (unlikely(__ret_warn))                               \
			__kmem_warn(__FILE__, __LINE__, __func__, fmt); \
		unlikely(__ret_warn);                                   \
	})
#define WARN_ON(cond)                                                    \
	({                                                               \
		int __ret_warn = !!(cond);                               \
		if (unlikely(__ret_warn))                                \
			__kmem_warn(__FILE__, __LINE__, __func__, NULL); \
		unlikely(__ret_warn);                                    \
	})
#define WARN_ONCE(cond, fmt...)                                         \
	({                                                              \
		static _Bool __warned;                                  \
		int __ret_warn = !!(cond);                              \
		if (unlikely(__ret_warn && !__warned)) {                \
			__warned = 1;                                   \
			__kmem_warn(__FILE__, __LINE__, __func__, fmt); \
		}                                                       \
		unlikely(__ret_warn);                                   \
	})
#define WARN_ON_ONCE(cond)                                               \
	({                                                               \
		static _Bool __warned;                                   \
		int __ret_warn = !!(cond);                               \
		if (unlikely(__ret_warn && !__warned)) {                 \
			__warned = 1;                                    \
			__kmem_warn(__FILE__, __LINE__, __func__, NULL); \
		}                                                        \
		unlikely(__ret_warn);                                    \
	})
#define BUG() __kmem_bug(__FILE__, __LINE__, __func__)
#define BUG_ON(cond)                \
	do {                        \
		if (unlikely(cond)) \
			BUG();      \
	} while (0)
#define VM_BUG_ON(cond) BUG_ON(cond)

/*
 * Graded internal assertions, as mimalloc grades mi_assert_internal and
 * mi_assert_expensive: kmem_assert() is a cheap test (a compare or two) and
 * always on; kmem_assert_expensive() walks or recounts something and runs only
 * in debug and sanitizer builds (CONFIG_DEBUG_VM, CMakeLists.txt); elsewhere
 * it compiles to nothing but its condition is still type-checked (and its
 * helpers count as used: clang -Wunneeded-internal-declaration). A failed
 * assertion is a kernel BUG.
 */
#define kmem_assert(cond) BUG_ON(!(cond))
#ifdef CONFIG_DEBUG_VM
#define kmem_assert_expensive(cond) BUG_ON(!(cond))
#else
#define kmem_assert_expensive(cond) ((void)(0 && (cond)))
#endif
#define VM_WARN_ON(cond) (void)WARN_ON(cond)
#define VM_WARN_ON_ONCE(cond) (void)WARN_ON_ONCE(cond)

#endif
