/* SPDX-License-Identifier: MIT */
/*
 * kmem's own API: the simulated machine.
 *
 * The machine boots itself the first time kernel code calls kmem, configured
 * from the environment (an empty variable counts as unset):
 *   KMEM_RAM     RAM size, 32M to 64G (4G with x86-32), e.g. "160M", "2G";
 *                K, M, G, T are binary multiples (default 256M)
 *   KMEM_LAYOUT  "x86-64" (default) or "x86-32"
 *   KMEM_CPUS    simulated CPUs, 1 to 256 (default: the host's online CPUs)
 *   KMEM_SWAP    swap size, 0 to 64G, e.g. "64M" (default: none)
 *   KMEM_CMDLINE the kernel command line, e.g. "failslab=1,100,0,-1"
 *                (<kmem/cmdline.h>; default: empty)
 *   KMEM_SLAB    the slab allocator: "slub" (default), "slab" or "slob"
 *                (also slab_allocator= on the command line)
 * or explicitly with kmem_boot(). kmem_halt() tears it down (every pointer into
 * it becomes invalid) so that another can be booted, e.g. by tests and the tour.
 *
 * A bad value is not fatal. The first call prints one line naming the
 * variable, the value and the accepted range, e.g.
 *	kmem: KMEM_RAM=16M: too little RAM; use 32M to 64G
 * and fails as its API allows: allocators return NULL (or 0), functions that
 * return an error return -EINVAL, void functions do nothing. Every later call
 * fails the same way at once, without printing again, until an explicit
 * kmem_boot(). The kmem command checks the environment first and exits with
 * status 2 and that line.
 */
#ifndef _KMEM_MACHINE_H
#define _KMEM_MACHINE_H

#include <kmem/export.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kmem_layout {
	KMEM_LAYOUT_DEFAULT = 0, /* $KMEM_LAYOUT, else x86-64 */
	KMEM_LAYOUT_X86_64,
	KMEM_LAYOUT_X86_32,
};

/* The slab allocator under kmalloc and kmem_cache_* (one per boot). */
enum kmem_slab {
	KMEM_SLAB_DEFAULT = 0, /* $KMEM_SLAB, else slab_allocator= on the
				* command line, else SLUB */
	KMEM_SLAB_SLUB,	       /* today's (mm/slub.c) */
	KMEM_SLAB_SLAB,	       /* the classic SLAB, removed in Linux 6.8 */
	KMEM_SLAB_SLOB,	       /* first fit for tiny machines, removed in 6.4 */
};

struct kmem_config {
	unsigned long long ram; /* bytes; 0: $KMEM_RAM, else 256 MiB */
	enum kmem_layout layout;
	int cpus;		 /* 1..256; 0: $KMEM_CPUS, else host CPUs */
	unsigned long long swap; /* bytes; 0: $KMEM_SWAP, else none */
	bool quiet;		 /* do not print the boot banner */
	const char *cmdline;	 /* kernel command line; NULL: $KMEM_CMDLINE
				  * (<kmem/cmdline.h>); copied at boot */
	enum kmem_slab slab;	 /* slab allocator; 0: $KMEM_SLAB, else
				  * slab_allocator= on the command line,
				  * else SLUB */
};

/* The accepted ranges: RAM and swap in bytes. */
#define KMEM_MIN_RAM (32ULL << 20)
#define KMEM_MAX_RAM (64ULL << 30)
#define KMEM_MAX_RAM_X86_32 (4ULL << 30)
#define KMEM_DEFAULT_RAM (256ULL << 20)
#define KMEM_MAX_SWAP (64ULL << 30)
/* The most CPUs a machine simulates (kmem_config.cpus, $KMEM_CPUS); CPU
 * numbers are 0 to KMEM_MAX_CPUS - 1. */
#define KMEM_MAX_CPUS 256

/* Boot a machine. Returns 0, -EBUSY if one is running, -EINVAL for a bad
 * configuration (one line in the log says which value), -ENOMEM if the host
 * cannot provide the memory. Fields left 0 are taken from the environment,
 * then from the defaults. */
KMEM_API int kmem_boot(const struct kmem_config *cfg);
/* Boot from the environment if no machine is running (what first use does).
 * Returns 0 if a machine is running; otherwise the error, remembered: a
 * failed default boot is not retried (see above). */
KMEM_API int kmem_boot_default(void);
/* Resolve a configuration as kmem_boot() does (fields left 0 from the
 * environment, then the defaults) without booting. Returns 0, or -EINVAL with
 * the one-line reason in msg ("kmem: KMEM_CPUS=0: too few CPUs; use 1 to
 * 256", no newline). */
KMEM_API int kmem_config_resolve(const struct kmem_config *in,
				 struct kmem_config *out, char *msg,
				 size_t len);
/* Tear the machine down: every subsystem is reset, the RAM is unmapped. */
KMEM_API void kmem_halt(void);
KMEM_API bool kmem_is_booted(void);
/* Incremented at every boot: per-thread caches compare it to notice a reboot. */
extern KMEM_API unsigned long kmem_boot_generation;

/* Parse a size such as "160M", "2G", "4096", "64k". Returns 0 on error. */
KMEM_API unsigned long long kmem_parse_size(const char *s);

/* What was booted. Addresses are host addresses (the simulated kernel's
 * addresses, relocated where the host needs it). */
struct kmem_machine_info {
	enum kmem_layout layout;
	/* "x86-64", "x86-32"; "none" (and every field 0) if no machine
	 * could boot */
	const char *layout_name;
	unsigned long long ram; /* bytes */
	unsigned int cpus;
	unsigned long page_offset; /* PAGE_OFFSET */
	bool relocated;		   /* PAGE_OFFSET is not the real kernel's */
	unsigned long high_memory;
	unsigned long vmalloc_start, vmalloc_end;
	unsigned long pkmap_base; /* x86-32 only */
	unsigned long max_low_pfn, max_pfn;
	unsigned long long swap;
	enum kmem_slab slab;
	const char *slab_name; /* "SLUB", "SLAB", "SLOB" */
};
KMEM_API void kmem_machine_info(struct kmem_machine_info *info);

/* Run every layer's invariant checker (free lists, slab lists, vmalloc tree,
 * page accounting ...). Returns true if all hold; otherwise the log says what
 * is wrong. Tests call it after every step. */
KMEM_API bool kmem_check_invariants(void);
/* Free pages after draining every per-CPU list (MemFree, exactly). */
KMEM_API unsigned long kmem_free_pages_drained(void);
/* Bytes of live percpu allocations (alloc_percpu and friends; one CPU's
 * copy): RUN of tests/test.h checks that a test gives them back. */
KMEM_API unsigned long kmem_percpu_allocated(void);
/* Register a checker (layers do this at init). */
KMEM_API void kmem_register_checker(const char *name, bool (*fn)(void));

/* ---- The machine's RAM and the host ------------------------------------ */

struct page;
/* __free_pages() for a caller that gives back pages it never wrote (the trace
 * replay): if the block was handed out holding zeroes its frames are known
 * to hold zeroes again, so a later __GFP_ZERO request clears nothing. A
 * block written since its allocation must go through __free_pages(): this
 * one would let the next __GFP_ZERO user read the old bytes. */
KMEM_API void kmem_free_zeroed_pages(struct page *page, unsigned int order);
/* Give the next nr_pages or so free pages the allocator will hand out host
 * memory now, in a few large system calls, so that their first touches take
 * no host page fault each (the trace replay, and `kmem replay --compare`'s
 * kmem child, call it before their clocks start). The pages stay free and
 * unchanged. Returns how many it populated. */
KMEM_API unsigned long kmem_prefault_free_pages(unsigned long nr_pages);

/* Pin the calling thread to simulated CPU `cpu` (default: round robin). */
KMEM_API void kmem_set_cpu(int cpu);

/* Name and pid the kernel reports for the calling thread ("current"). */
KMEM_API const char *kmem_current_comm(void);
KMEM_API int kmem_current_pid(void);
KMEM_API void kmem_set_current(const char *comm, int pid);

#ifdef __cplusplus
}
#endif
#endif
