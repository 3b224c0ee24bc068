/* SPDX-License-Identifier: MIT */
/* printk and the pr_* family. Messages go to kmem's log: standard error by
 * default, and a ring buffer that tests and the tour read back (see
 * <kmem/log.h>). Levels use the kernel's "\001<digit>" prefixes. */
#ifndef _KMEM_LINUX_PRINTK_H
#define _KMEM_LINUX_PRINTK_H

#include <stdarg.h>
#include <linux/compiler.h>

#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_DEFAULT ""
#define KERN_CONT KERN_SOH "c"

#define LOGLEVEL_EMERG 0
#define LOGLEVEL_ERR 3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_INFO 6
#define LOGLEVEL_DEBUG 7

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

KMEM_API __printf(1, 2) int printk(const char *fmt, ...);
KMEM_API __printf(1, 0) int vprintk(const char *fmt, va_list args);

#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)                                             \
	do {                                                           \
		if (0)                                                 \
			printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__); \
	} while (0)

#define pr_err_once(fmt, ...)                       \
	do {                                        \
		static _Bool __done;                \
		if (!__done) {                      \
			__done = 1;                 \
			pr_err(fmt, ##__VA_ARGS__); \
		}                                   \
	} while (0)
#define pr_warn_once(fmt, ...)                       \
	do {                                         \
		static _Bool __done;                 \
		if (!__done) {                       \
			__done = 1;                  \
			pr_warn(fmt, ##__VA_ARGS__); \
		}                                    \
	} while (0)

/* Print "Call Trace:" with the caller's frames, symbolised where possible. */
KMEM_API void dump_stack(void);

#endif
