// SPDX-License-Identifier: MIT
/*
 * malloc for the processes of an x86-32 machine: the same core as
 * libc/malloc.c (libc/malloc_core.h), compiled with glibc i386's layout.
 *
 * An i386 process's C library is glibc built for i386: SIZE_SZ 4 (the size
 * words and the links of a chunk are 4 bytes, the links holding the
 * process's 32-bit user addresses), MALLOC_ALIGNMENT 16 (i386's
 * malloc-alignment.h, for SSE types), so MINSIZE 16 and chunks at 8 mod 16:
 * the first brk heap chunk is 8 bytes in (and the first sbrk takes one page
 * more for that correction), an mmapped chunk starts 8 bytes into its
 * mapping. A request of n bytes takes max(16, (n + 4 + 15) & ~15); the
 * tcache holds chunks of 16 to 1024 bytes (usable 12 to 1020), fastbins up
 * to 64 bytes (M_MXFAST up to 80), small bins below 1008 bytes, large bins
 * by largebin_index_32_big. The dynamic mmap threshold stops at 512 KiB, so
 * non-main arenas' heaps are 1 MiB regions aligned to 1 MiB, and M_ARENA_MAX
 * defaults to 2 x CPUs.
 *
 * The links are user addresses: the host address of one is the base of the
 * process's single host window plus it (kmem_libc_ubase, set with the
 * thread's view of its process). The public functions of libc/malloc.c call
 * these when the thread's process belongs to an x86-32 machine.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <kmem/machine.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include <linux/printk.h>

#include "malloc_ctx.h"

#define SIZE_SZ 4UL
#include "malloc_core.h"

void *kmem_libc32_init(struct libc_hdr *h)
{
	return ptmalloc_init(h);
}

int kmem_libc32_freeres(void *c)
{
	return arena_thread_freeres(c);
}

void *kmem_libc32_malloc(size_t bytes)
{
	return core_malloc(bytes);
}

void kmem_libc32_free(void *mem)
{
	core_free(mem);
}

void *kmem_libc32_malloc_c(struct tctx *c, size_t bytes)
{
	return core_malloc_c(c, bytes);
}

void kmem_libc32_free_c(struct tctx *c, void *mem)
{
	core_free_c(c, mem);
}

void *kmem_libc32_realloc(void *oldmem, size_t bytes)
{
	return core_realloc(oldmem, bytes);
}

void *kmem_libc32_calloc(size_t n, size_t elem_size)
{
	return core_calloc(n, elem_size);
}

void *kmem_libc32_memalign(size_t alignment, size_t bytes)
{
	return mid_memalign(alignment, bytes);
}

int kmem_libc32_posix_memalign(void **memptr, size_t alignment, size_t size)
{
	return core_posix_memalign(memptr, alignment, size);
}

void *kmem_libc32_pvalloc(size_t bytes)
{
	return core_pvalloc(bytes);
}

size_t kmem_libc32_usable_size(void *mem)
{
	return core_malloc_usable_size(mem);
}

int kmem_libc32_trim(size_t s)
{
	return core_malloc_trim(s);
}

struct kmem_mallinfo2 kmem_libc32_mallinfo2(void)
{
	return core_mallinfo2();
}

void kmem_libc32_stats_to(FILE *f)
{
	core_malloc_stats_to(f);
}

int kmem_libc32_info(int options, FILE *fp)
{
	return core_malloc_info(options, fp);
}

int kmem_libc32_mallopt(int param_number, int value)
{
	return core_mallopt(param_number, value);
}
