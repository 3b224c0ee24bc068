// SPDX-License-Identifier: MIT
/*
 * malloc for simulated processes: the allocator of glibc 2.36 (ptmalloc2),
 * rewritten for kmem on the public process API only.
 *
 * This is the C library half of "a program calls malloc": it runs inside a
 * kmem process, asks the simulated kernel for memory with brk and mmap, and
 * carves that memory into chunks exactly as glibc does, so that the same
 * program gets the same addresses (relative to the heap), the same system
 * calls and the same error messages as under the host's glibc. The kernel
 * half (VMAs, demand paging, the zero page, swap) is mm/; this file sees only
 * <kmem/process.h>: it is a library above the system calls, as libc is.
 *
 * Chunks (x86-64 values; i386's in libc/malloc_core.h). Every chunk starts with two words: the size of the
 * previous chunk (valid only while that one is free) and its own size, whose
 * three low bits are PREV_INUSE, IS_MMAPPED and NON_MAIN_ARENA. The user's
 * pointer is 16 bytes in; sizes are multiples of 16, at least 32; a request
 * of n bytes takes max(32, (n + 8 + 15) & ~15) since the next chunk's
 * prev_size word is usable while this one is in use.
 *
 * Where a freed chunk goes, fastest first: the thread's tcache (64 bins of
 * one size each, 16 to 1032 bytes, 7 entries each, singly linked with
 * "safe-linking" pointers), a fastbin (chunks up to 128 bytes, not
 * coalesced), else it is merged with free neighbours and put on the unsorted
 * list; malloc sorts unsorted chunks into 62 small bins (one size each, below
 * 1 KiB) and 63 large bins (size ranges, kept sorted with a skip list) as it
 * passes them. The top chunk borders the end of the heap; the main arena
 * grows it with brk by the request + M_TOP_PAD (128 KiB) rounded to pages and
 * gives it back with a negative brk when it exceeds M_TRIM_THRESHOLD.
 * Requests of M_MMAP_THRESHOLD (128 KiB) or more get their own mmap, unmapped
 * at free; freeing one raises the threshold to its size (up to 32 MiB) and
 * the trim threshold to twice that, glibc's dynamic threshold. When brk
 * fails (the break runs into a mapping) the heap continues in mmapped 1 MiB
 * pieces, non-contiguous.
 *
 * Threads. The first thread of a process to call malloc uses the main arena
 * (brk). Every host thread inside the same process is a thread of that
 * process: a second one makes the process multi-threaded and gets an arena of
 * its own, whose heaps are mmapped 64 MiB regions (HEAP_MAX_SIZE) aligned to
 * their size, so that the arena of a chunk is found by masking its address;
 * at most M_ARENA_MAX arenas (8 x CPUs of the machine) exist, then threads
 * share them.
 *
 * State. glibc keeps main_arena and its parameters in libc's .data, mapped in
 * every process. Here that "libc data" is an anonymous mapping of the process
 * itself, at mmap_base (above the mmap area, which grows down from there, so
 * that no ordinary mmap can take the place), made at the first malloc call of
 * the process. Living in the process's own memory, it dies with it (a killed
 * process leaves nothing behind on the host), and every thread of the process
 * finds it at the same address. Per-thread state (the tcache pointer, the
 * thread's arena) is a host thread-local slot per process the thread has been
 * in (four are kept). The slot of the current process is found with one
 * thread-local load and two compares (kmem_process_switches(), the boot
 * generation), and malloc and free are the tcache hit inline with a
 * noinline slow path that runs glibc's whole __libc_malloc/__libc_free:
 * the pair costs fewer instructions than the host glibc's.
 *
 * Thread exit. A host thread's exit (a pthread key destructor) is the exit
 * of a thread of every process it used malloc in: for each that is still
 * alive (looked up by pid, entered with kmem_process_run_pid()), glibc's
 * hook runs there: tcache_thread_shutdown frees the cached chunks and the
 * tcache back into the arena, arena_thread_freeres puts the arena on the
 * free list when its last thread is gone, where the next thread takes it.
 *
 * Two layouts, one algorithm. The core (libc/malloc_core.h) is compiled
 * twice: here with SIZE_SZ 8 for the processes of an x86-64 machine, and in
 * libc/malloc32.c with SIZE_SZ 4 for those of an x86-32 machine, whose C
 * library is glibc i386's: 4-byte size words, links holding 32-bit user
 * addresses, MINSIZE 16, the 16-byte MALLOC_ALIGNMENT of i386 (chunks at 8
 * mod 16), a 512 KiB ceiling for the dynamic mmap threshold, 1 MiB heaps,
 * 2 arenas per CPU. The public functions below are the x86-64 build with its
 * fast path untouched; an i386 process has no x86-64 tcache, so it leaves
 * that fast path at its first test and goes to the i386 build.
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

#define SIZE_SZ 8UL
#include "malloc_core.h"

/* ---- the thread's view of its process ----------------------------------------------- */

#define NR_TCTX 4
static __thread struct tctx tctx_slot[NR_TCTX] TLS_IE;
__thread struct tctx *kmem_libc_tc TLS_IE;
__thread char *kmem_libc_ubase TLS_IE;
static __thread unsigned int tctx_next TLS_IE;

static struct libc_hdr *libc_attach(void)
{
	struct kmem_process_info in;
	struct kmem_machine_info mi;
	struct libc_hdr *L;
	void *want, *m;

	if (kmem_process_info(kmem_process_current(), &in))
		return NULL;
	want = kmem_user_ptr(in.mmap_base);
	if (!want)
		return NULL;
	m = kmem_sys_mmap(want, LIBC_DATA_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			  0);
	if (m == MAP_FAILED) {
		if (errno != EEXIST)
			return NULL;
		L = want;
		while (!__atomic_load_n(&L->ready, __ATOMIC_ACQUIRE))
			sched_yield();
		if (L->magic != LIBC_MAGIC) {
			errno = ENOMEM; /* someone else's MAP_FIXED mapping */
			return NULL;
		}
		return L;
	}
	L = m;
	L->magic = LIBC_MAGIC;
	L->delta = (long)((uintptr_t)want - in.mmap_base);
	/* The C library of an x86-32 machine's processes is glibc i386's. */
	kmem_machine_info(&mi);
	L->abi32 = mi.layout == KMEM_LAYOUT_X86_32;
	return L; /* ptmalloc_init() finishes it */
}

/*
 * The calling thread's view of its process: kmem_libc_tc, valid while the
 * thread's process switch count (kmem_process_switches()) and the boot
 * generation are the ones it was found under. Anything else (the first call
 * in a process, a thread back in a process it left, a dead process, a
 * rebooted machine) looks the process up again here.
 */
static void thread_exit_hook(void *unused);
static pthread_key_t thread_exit_key;
static pthread_once_t thread_exit_once = PTHREAD_ONCE_INIT;

static void thread_exit_key_init(void)
{
	pthread_key_create(&thread_exit_key, thread_exit_hook);
}

static void ctx_set(struct tctx *c)
{
	kmem_libc_ubase = (char *)((struct libc_hdr *)c->L)->delta;
	kmem_libc_tc = c;
}

__attribute__((__noinline__)) struct tctx *kmem_libc_ctx_slow(void)
{
	struct kmem_process *p = kmem_process_current();
	struct tctx *c;
	struct libc_hdr *L;
	int pid, i;

	if (!p) {
		errno = ESRCH;
		return NULL;
	}
	pid = kmem_process_pid(p);
	for (i = 0; i < NR_TCTX; i++) {
		c = &tctx_slot[i];
		if (c->proc == p && c->pid == pid &&
		    c->gen == kmem_boot_generation) {
			c->switches = kmem_process_switches();
			ctx_set(c);
			return c;
		}
	}
	L = libc_attach();
	if (!L)
		return NULL;
	/* The host thread's exit runs glibc's thread-exit hook for every
	 * process it has a slot in (a non-NULL value arms the destructor). */
	pthread_once(&thread_exit_once, thread_exit_key_init);
	pthread_setspecific(thread_exit_key, tctx_slot);
	c = &tctx_slot[tctx_next++ % NR_TCTX];
	memset(c, 0, sizeof(*c));
	c->proc = p;
	c->pid = pid;
	c->gen = kmem_boot_generation;
	c->switches = kmem_process_switches();
	c->L = L;
	c->abi32 = L->abi32;
	ctx_set(c);
	if (!L->ready) {
		/* This thread mapped the libc data: it is the main thread. */
		L->nthreads = 1;
		c->arena = L->abi32 ? kmem_libc32_init(L) : ptmalloc_init(L);
		__atomic_store_n(&L->ready, 1, __ATOMIC_RELEASE);
	} else if (__atomic_fetch_add(&L->nthreads, 1, __ATOMIC_ACQ_REL) >= 1) {
		__atomic_store_n(&L->multi, 1, __ATOMIC_RELEASE);
	} else {
		c->arena = L->main_arena;
	}
	return c;
}

/* ---- thread exit -------------------------------------------------------------------- */

/*
 * The host thread exits (a pthread key destructor): for each process it has
 * used malloc in and that is still alive, enter it (by pid: the process may
 * have exited and its struct been reused) and run glibc's hook there. A
 * thread that exits while still inside a process leaves it first.
 */
static void thread_exit_hook(void *unused)
{
	int i;

	(void)unused;
	kmem_process_leave();
	for (i = 0; i < NR_TCTX; i++) {
		struct tctx *c = &tctx_slot[i];

		if (c->proc && c->gen == kmem_boot_generation)
			kmem_process_run_pid(c->pid,
					     c->abi32 ? kmem_libc32_freeres :
							arena_thread_freeres,
					     c);
		memset(c, 0, sizeof(*c));
	}
	kmem_libc_tc = NULL;
}

/* ---- the public functions ----------------------------------------------------------- */

/* The current process uses the i386 build (sets errno to ESRCH outside a
 * process, as the x86-64 build does next). */
static inline bool abi32(void)
{
	struct tctx *c = ctx();

	return c && c->abi32;
}

void *kmem_malloc(size_t bytes)
{
	return core_malloc(bytes);
}

void kmem_free(void *mem)
{
	core_free(mem);
}

void *kmem_realloc(void *oldmem, size_t bytes)
{
	if (abi32())
		return kmem_libc32_realloc(oldmem, bytes);
	return core_realloc(oldmem, bytes);
}

void *kmem_reallocarray(void *ptr, size_t nmemb, size_t elem_size)
{
	size_t bytes;

	if (__builtin_mul_overflow(nmemb, elem_size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return kmem_realloc(ptr, bytes);
}

void *kmem_memalign(size_t alignment, size_t bytes)
{
	if (abi32())
		return kmem_libc32_memalign(alignment, bytes);
	return mid_memalign(alignment, bytes);
}

void *kmem_aligned_alloc(size_t alignment, size_t bytes)
{
	/* glibc 2.36: aligned_alloc is memalign. */
	return kmem_memalign(alignment, bytes);
}

int kmem_posix_memalign(void **memptr, size_t alignment, size_t size)
{
	if (abi32())
		return kmem_libc32_posix_memalign(memptr, alignment, size);
	return core_posix_memalign(memptr, alignment, size);
}

void *kmem_valloc(size_t bytes)
{
	return kmem_memalign(PAGESIZE, bytes);
}

void *kmem_pvalloc(size_t bytes)
{
	if (abi32())
		return kmem_libc32_pvalloc(bytes);
	return core_pvalloc(bytes);
}

void *kmem_calloc(size_t n, size_t elem_size)
{
	if (abi32())
		return kmem_libc32_calloc(n, elem_size);
	return core_calloc(n, elem_size);
}

size_t kmem_malloc_usable_size(void *mem)
{
	struct tctx *c = ctx_fast();
	int err = errno;

	/* Which layout: the x86-64 one outside a process, as before. */
	if (mem && !c) {
		c = kmem_libc_ctx_slow();
		errno = err;
	}
	if (c && c->abi32)
		return kmem_libc32_usable_size(mem);
	return core_malloc_usable_size(mem);
}

int kmem_malloc_trim(size_t s)
{
	if (abi32())
		return kmem_libc32_trim(s);
	return core_malloc_trim(s);
}

struct kmem_mallinfo2 kmem_mallinfo2(void)
{
	if (abi32())
		return kmem_libc32_mallinfo2();
	return core_mallinfo2();
}

void kmem_malloc_stats_to(FILE *f)
{
	if (abi32())
		kmem_libc32_stats_to(f);
	else
		core_malloc_stats_to(f);
}

void kmem_malloc_stats(void)
{
	kmem_malloc_stats_to(stderr);
}

int kmem_malloc_info(int options, FILE *fp)
{
	if (abi32())
		return kmem_libc32_info(options, fp);
	return core_malloc_info(options, fp);
}

int kmem_mallopt(int param_number, int value)
{
	if (abi32())
		return kmem_libc32_mallopt(param_number, value);
	return core_mallopt(param_number, value);
}
