/* SPDX-License-Identifier: MIT */
/*
 * kmem's own API: fault injection, the kernel's way
 * (Documentation/fault-injection/fault-injection.rst).
 *
 * Two capabilities make allocations fail on purpose, to exercise the error
 * paths of the code that calls them:
 *   failslab         kmalloc(), kmem_cache_alloc() ... return NULL
 *   fail_page_alloc  alloc_pages(), __get_free_pages() ... return NULL
 * Each has the kernel's debugfs knobs (/sys/kernel/debug/<name>/<knob>):
 *   probability  percent of calls that fail (0: the capability is off)
 *   interval     only every interval-th call may fail (1: every call)
 *   times        how many failures at most (-1: no limit)
 *   space        that many bytes of requests pass before any failure
 *   verbose      0 silent, 1 the report's two lines, 2 also a stack trace
 *   verbose_ratelimit_interval_ms, verbose_ratelimit_burst (5000, 10)
 *   ignore-gfp-wait   Y: requests that may sleep (__GFP_DIRECT_RECLAIM, so
 *                     GFP_KERNEL) never fail (default Y, as the kernel)
 *   ignore-gfp-highmem  fail_page_alloc: Y: __GFP_HIGHMEM requests (user
 *                     pages) never fail (default Y)
 *   min-order    fail_page_alloc: smaller orders never fail (default 1)
 *   cache-filter failslab: Y: only caches created with SLAB_FAILSLAB fail
 * __GFP_NOFAIL requests never fail. Knobs are set with kmem_fault_set() or,
 * at boot, on the command line (<kmem/cmdline.h>):
 *   failslab=<interval>,<probability>,<space>,<times>   (the kernel's)
 *   fail_page_alloc=<interval>,<probability>,<space>,<times>
 *   failslab.<knob>=<value>, fail_page_alloc.<knob>=<value>   (kmem's: the
 *       kernel sets these knobs through debugfs only)
 *
 * fail-nth (the kernel's /proc/self/task/<tid>/fail-nth) is per thread:
 * kmem_fail_nth_set(n) makes the n-th fault-injectable call of this thread
 * from now fail, whatever the probability (a call the knobs above filter out,
 * e.g. a GFP_KERNEL one with ignore-gfp-wait=Y, is not counted);
 * kmem_fail_nth_get() reads 0 once it has fired, else the calls still to
 * go. The command line's fail_nth=<n> (kmem's) arms it in the thread that
 * boots the machine.
 *
 * A forced failure is reported as the kernel reports it (verbose 2):
 *   FAULT_INJECTION: forcing a failure.
 *   name failslab, interval 1, probability 0, space 0, times 1
 *   CPU: 0 UID: 0 PID: 1 Comm: kmem
 *   Call Trace: ...
 * and the allocation returns NULL with no other message (as the kernel's:
 * the caller's own error handling reports what it reports).
 *
 * The settings belong to the running machine (they are reset by
 * kmem_halt()); setting a knob boots the default machine if none runs.
 * Injection starts once the boot is complete.
 */
#ifndef _KMEM_FAULT_H
#define _KMEM_FAULT_H

#include <kmem/export.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write `value` to knob `knob` of capability `name` ("failslab" or
 * "fail_page_alloc"), as `echo value > /sys/kernel/debug/name/knob`.
 * 0, -ENOENT (no such capability or knob) or -EINVAL (bad value, or no
 * machine could boot). */
KMEM_API int kmem_fault_set(const char *name, const char *knob,
			    const char *value);
/* Read a knob as debugfs prints it ("100", "Y", "-1") into buf. 0 or
 * -ENOENT. */
KMEM_API int kmem_fault_get(const char *name, const char *knob, char *buf,
			    size_t len);

/* The calling thread's fail-nth: arm (n > 0) or disarm (0). */
KMEM_API void kmem_fail_nth_set(unsigned int n);
/* 0 once the armed failure happened (or if never armed); else the number
 * of fault-injectable calls before it. */
KMEM_API unsigned int kmem_fail_nth_get(void);

#ifdef __cplusplus
}
#endif
#endif
