/* SPDX-License-Identifier: MIT */
/*
 * What the two builds of the malloc core share (libc/malloc.c, the x86-64
 * layout, and libc/malloc32.c, glibc i386's): a thread's view of the process
 * it is in (struct tctx), found inline while the thread's process switch
 * count and the boot generation are unchanged, and the header every
 * process's libc data starts with. The rest of the libc data, the chunks and
 * the bins are the core's (libc/malloc_core.h), laid out per build.
 */
#ifndef _KMEM_LIBC_MALLOC_CTX_H
#define _KMEM_LIBC_MALLOC_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <kmem/machine.h>
#include <kmem/malloc.h>
#include <kmem/process.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define LIBC_MAGIC 0x6c69626332333600UL /* "libc236" */
/* The libc data mapping at mmap_base: one page holds either build's. */
#define LIBC_DATA_SIZE 4096UL

/* The start of a process's libc data, common to both builds. */
struct libc_hdr {
	unsigned long magic;
	int ready;
	int nthreads;
	int multi;  /* a second thread has used malloc: !SINGLE_THREAD_P */
	int abi32;  /* glibc i386's layout (an x86-32 machine) */
	long delta; /* host address - user address in the mmap area */
	void *main_arena;
};

struct tcache64;
struct tcache32;

/* One process as seen by one thread. */
struct tctx {
	struct kmem_process *proc;
	int pid;
	unsigned long gen;
	unsigned long switches; /* kmem_process_switches() when found */
	void *L; /* the process's libc data (struct libc of its build) */
	struct tcache64 *tcache; /* x86-64 only: NULL leaves its fast path */
	void *arena;		 /* thread_arena */
	bool shutting_down;
	bool abi32;
	struct tcache32 *tcache32;
};

#define TLS_IE __attribute__((tls_model("initial-exec")))
extern __thread struct tctx *kmem_libc_tc TLS_IE;
/* The host address of user address 0 in the current process (x86-32: one
 * window covers all of user space), for the i386 build's 32-bit links. */
extern __thread char *kmem_libc_ubase TLS_IE;

struct tctx *kmem_libc_ctx_slow(void);

/* kmem_libc_tc if it is valid, else NULL (the caller takes its slow path). */
static inline struct tctx *ctx_fast(void)
{
	struct tctx *c = kmem_libc_tc;

	if (likely(c && c->switches == kmem_process_switches() &&
		   c->gen == kmem_boot_generation))
		return c;
	return NULL;
}

static inline struct tctx *ctx(void)
{
	struct tctx *c = ctx_fast();

	return likely(c) ? c : kmem_libc_ctx_slow();
}

/* The i386 build (libc/malloc32.c), called by the public functions of
 * libc/malloc.c for a process of an x86-32 machine. */
void *kmem_libc32_init(struct libc_hdr *h);
int kmem_libc32_freeres(void *c);
void *kmem_libc32_malloc(size_t bytes);
void kmem_libc32_free(void *mem);
/* The same with the caller's valid ctx_fast(). */
void *kmem_libc32_malloc_c(struct tctx *c, size_t bytes);
void kmem_libc32_free_c(struct tctx *c, void *mem);
void *kmem_libc32_realloc(void *oldmem, size_t bytes);
void *kmem_libc32_calloc(size_t n, size_t elem_size);
void *kmem_libc32_memalign(size_t alignment, size_t bytes);
int kmem_libc32_posix_memalign(void **memptr, size_t alignment, size_t size);
void *kmem_libc32_pvalloc(size_t bytes);
size_t kmem_libc32_usable_size(void *mem);
int kmem_libc32_trim(size_t s);
struct kmem_mallinfo2 kmem_libc32_mallinfo2(void);
void kmem_libc32_stats_to(FILE *f);
int kmem_libc32_info(int options, FILE *fp);
int kmem_libc32_mallopt(int param_number, int value);

#endif
