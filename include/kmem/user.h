/* SPDX-License-Identifier: MIT */
/*
 * A user program's own source inside a simulated process: included first in
 * a translation unit, this maps the C library's memory functions (malloc,
 * free, calloc, realloc ..., strdup, brk/sbrk, mmap/munmap) to kmem's, so that
 * a plain C program compiles unchanged into a process body:
 *
 *	#include <kmem/user.h>
 *	#define main wordcount_main
 *	#include "wordcount.c"          // a plain C program
 *	#undef main
 *	...
 *	kmem_process_run(p, run_wordcount, NULL);  // calls wordcount_main()
 *
 * The standard headers are included here first, so that their declarations
 * keep the C library's names; everything the program calls after that goes to
 * the process. (stdio's own buffers stay on the host: they are the C
 * library's, not the program's.)
 */
#ifndef _KMEM_USER_H
#define _KMEM_USER_H

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmem/malloc.h>
#include <kmem/process.h>

static inline char *kmem_user_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = (char *)kmem_malloc(n);

	return d ? (char *)memcpy(d, s, n) : d;
}

static inline char *kmem_user_strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *d = (char *)kmem_malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static inline int kmem_user_brk(void *addr)
{
	return kmem_sys_brk(addr) == addr ? 0 : -1;
}

#define malloc kmem_malloc
#define free kmem_free
#define calloc kmem_calloc
#define realloc kmem_realloc
#define reallocarray kmem_reallocarray
#define memalign kmem_memalign
#define posix_memalign kmem_posix_memalign
#define aligned_alloc kmem_aligned_alloc
#define valloc kmem_valloc
#define pvalloc kmem_pvalloc
#define malloc_usable_size kmem_malloc_usable_size
#define mallopt kmem_mallopt
#define malloc_trim kmem_malloc_trim
#define malloc_stats kmem_malloc_stats
#define mallinfo2 kmem_mallinfo2
#define malloc_info kmem_malloc_info
#define strdup kmem_user_strdup
#define strndup kmem_user_strndup
#define brk kmem_user_brk
#define sbrk kmem_sys_sbrk
#define mmap kmem_sys_mmap
#define munmap kmem_sys_munmap
#define mprotect kmem_sys_mprotect
#define madvise kmem_sys_madvise

#endif
