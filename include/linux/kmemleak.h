/* SPDX-License-Identifier: MIT */
/*
 * kmemleak, the kernel's memory leak detector (mm/kmemleak.c). Off unless the
 * machine boots with `kmemleak=on` on its command line (KMEM_CMDLINE).
 *
 * The allocators report their objects themselves (kmalloc, kmem_cache_alloc,
 * vmalloc, alloc_pages_exact); the calls below are for the rest, as in the
 * kernel: a custom allocator reports its objects with kmemleak_alloc() and
 * kmemleak_free(); kmemleak_not_leak() and kmemleak_ignore() silence a false
 * positive; kmemleak_alloc(ptr, size, 0, 0) on memory kmemleak does not see
 * (a host malloc() block, a __thread variable) makes it a root that is
 * scanned but never reported.
 *
 * The /sys/kernel/debug/kmemleak file is kmemleak_write() and
 * kmemleak_read() (also kmem_show("kmemleak")):
 *
 *	kmemleak_write("scan");            a scan now
 *	kmemleak_read(stdout);             the suspected leaks
 *	kmemleak_write("clear");           forget the ones reported so far
 *	kmemleak_write("dump=0x...");      what kmemleak knows of one object
 */
#ifndef _KMEM_LINUX_KMEMLEAK_H
#define _KMEM_LINUX_KMEMLEAK_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vm_struct;

/* An object of `size` bytes at ptr, reported as a leak when fewer than
 * min_count pointers to it are found (0: never reported, always scanned;
 * -1: never reported, never scanned). */
KMEM_API void kmemleak_alloc(const void *ptr, size_t size, int min_count,
			     gfp_t gfp);
KMEM_API void kmemleak_free(const void *ptr);
/* Forget [ptr, ptr + size) of an object (its head or tail). */
KMEM_API void kmemleak_free_part(const void *ptr, size_t size);
/* Record the current stack as the object's allocation stack. */
KMEM_API void kmemleak_update_trace(const void *ptr);
/* Never report the object (it is scanned). */
KMEM_API void kmemleak_not_leak(const void *ptr);
/* Not reported at the next scan (its checksum is reset). */
KMEM_API void kmemleak_transient_leak(const void *ptr);
/* Neither report nor scan the object. */
KMEM_API void kmemleak_ignore(const void *ptr);
/* Do not scan the object for pointers (it may still be reported). */
KMEM_API void kmemleak_no_scan(const void *ptr);
/* vmalloc()'s hook: the area, referenced from its vm_struct as well. */
KMEM_API void kmemleak_vmalloc(const struct vm_struct *area, size_t size,
			       gfp_t gfp);

/* The commands of /sys/kernel/debug/kmemleak: "scan", "clear",
 * "dump=<addr>", "off", "stack=on|off", "scan=on|off|<secs>". 0, -EINVAL
 * (unknown command or object), -EPERM (kmemleak is off). */
KMEM_API int kmemleak_write(const char *cmd);
/* Print the suspected leaks reported so far, as reading the file does. */
KMEM_API int kmemleak_read(FILE *f);
/* Scan now; the number of new suspected leaks, or -EPERM if off. */
KMEM_API int kmemleak_scan(void);

#ifdef __cplusplus
}
#endif
#endif
