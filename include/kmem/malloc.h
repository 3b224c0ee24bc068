/* SPDX-License-Identifier: MIT */
/*
 * The C library's malloc for simulated processes: glibc 2.36's allocator
 * (ptmalloc2) running inside a kmem process on its system calls only
 * (kmem_sys_brk, kmem_sys_mmap, kmem_sys_munmap, kmem_sys_mprotect,
 * kmem_sys_madvise). Every call acts on the process the calling thread is
 * inside (kmem_process_enter); outside one it fails with ESRCH (NULL, -1 or
 * nothing for the void functions). The pointers are host pointers into the
 * process's memory, usable directly; the sizes, addresses relative to the
 * heap, system calls and error messages are glibc's.
 *
 *	kmem_process_enter(p);
 *	char *s = kmem_malloc(100);   // first call: brk grows by 132 KiB
 *	kmem_free(s);                 // stays in the thread's tcache
 *	kmem_process_leave();
 *
 * A corruption that glibc detects prints glibc's message ("free(): double
 * free detected in tcache 2") and aborts the process: it dies with SIGABRT
 * (kmem_process_enter() returns SIGABRT a second time), its memory goes back,
 * the machine and the other processes go on.
 *
 * <kmem/user.h> maps malloc, free, calloc ... to these names for a translation
 * unit, so that a plain C program can be compiled into a process body.
 */
#ifndef _KMEM_MALLOC_H
#define _KMEM_MALLOC_H

#include <kmem/export.h>

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* mallopt parameters: glibc's <malloc.h> numbers. */
#ifndef M_MXFAST
#define M_MXFAST 1
#endif
#ifndef M_TRIM_THRESHOLD
#define M_TRIM_THRESHOLD -1
#define M_TOP_PAD -2
#define M_MMAP_THRESHOLD -3
#define M_MMAP_MAX -4
#define M_CHECK_ACTION -5
#define M_PERTURB -6
#define M_ARENA_TEST -7
#define M_ARENA_MAX -8
#endif

/* glibc's struct mallinfo2. */
struct kmem_mallinfo2 {
	size_t arena;	 /* non-mmapped space allocated from the system */
	size_t ordblks;	 /* number of free chunks */
	size_t smblks;	 /* number of fastbin blocks */
	size_t hblks;	 /* number of mmapped regions */
	size_t hblkhd;	 /* space in mmapped regions */
	size_t usmblks;	 /* always 0 */
	size_t fsmblks;	 /* space in freed fastbin blocks */
	size_t uordblks; /* total allocated space */
	size_t fordblks; /* total free space */
	size_t keepcost; /* top-most, releasable space */
};

KMEM_API void *kmem_malloc(size_t size);
KMEM_API void kmem_free(void *ptr);
KMEM_API void *kmem_calloc(size_t nmemb, size_t size);
KMEM_API void *kmem_realloc(void *ptr, size_t size);
KMEM_API void *kmem_reallocarray(void *ptr, size_t nmemb, size_t size);
KMEM_API void *kmem_memalign(size_t alignment, size_t size);
KMEM_API int kmem_posix_memalign(void **memptr, size_t alignment, size_t size);
KMEM_API void *kmem_aligned_alloc(size_t alignment, size_t size);
KMEM_API void *kmem_valloc(size_t size);
KMEM_API void *kmem_pvalloc(size_t size);
KMEM_API size_t kmem_malloc_usable_size(void *ptr);
KMEM_API int kmem_mallopt(int param, int value);
KMEM_API int kmem_malloc_trim(size_t pad);
/* malloc_stats() prints on stderr; _to prints on f. */
KMEM_API void kmem_malloc_stats(void);
KMEM_API void kmem_malloc_stats_to(FILE *f);
KMEM_API struct kmem_mallinfo2 kmem_mallinfo2(void);
KMEM_API int kmem_malloc_info(int options, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
