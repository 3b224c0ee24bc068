/* SPDX-License-Identifier: MIT */
/*
 * The percpu allocator (mm/percpu.c): one copy of an object for every
 * possible CPU, at the same offset in each CPU's unit.
 *
 *	struct stats { u64 hits, misses; };
 *	struct stats __percpu *st = alloc_percpu(struct stats);
 *
 *	this_cpu_ptr(st)->hits++;               // this CPU's copy
 *	for_each_possible_cpu(cpu)
 *		total += per_cpu_ptr(st, cpu)->hits;
 *	free_percpu(st);
 *
 * A percpu pointer is not an address: it is an offset that per_cpu_ptr()
 * turns into the address of one CPU's copy (x86-64's zero-based percpu
 * pointers, __per_cpu_offset[cpu] added). Dereferencing it directly faults.
 * Every copy starts zeroed. Sizes go up to PCPU_MIN_UNIT_SIZE (32 KiB),
 * alignments up to PAGE_SIZE. Non-blocking GFP flags (GFP_ATOMIC,
 * GFP_NOWAIT) are served only from already populated pages.
 *
 * kmem's simulated CPUs are shared by host threads (include/linux/smp.h):
 * two threads on one CPU see the same copy, so this CPU's copy needs the
 * same care as any shared data (atomics, or a lock).
 */
#ifndef _KMEM_LINUX_PERCPU_H
#define _KMEM_LINUX_PERCPU_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/gfp_types.h>
#include <linux/smp.h>
#include <kmem/export.h>
#include <kmem/machine.h>

/* The smallest allocation and its shift: the allocation map has one bit per
 * PCPU_MIN_ALLOC_SIZE bytes. */
#define PCPU_MIN_ALLOC_SHIFT 2
#define PCPU_MIN_ALLOC_SIZE (1 << PCPU_MIN_ALLOC_SHIFT)
/* The smallest unit, and the largest allocation. */
#define PCPU_MIN_UNIT_SIZE (32 << 10)
/* Room for percpu allocations before the slab allocator is up, and the
 * dynamic area the first chunk keeps (x86-64; x86-32 keeps 20 KiB). */
#define PERCPU_DYNAMIC_EARLY_SIZE (20 << 10)
#define PERCPU_DYNAMIC_RESERVE (28 << 10)
#define PERCPU_MODULE_RESERVE (8 << 10)

/* cpu's unit in the first chunk, minus the start of the percpu "section"
 * (0: percpu pointers are offsets). Filled at boot for every possible CPU. */
extern KMEM_API unsigned long __per_cpu_offset[KMEM_MAX_CPUS];
#define per_cpu_offset(cpu) (__per_cpu_offset[(cpu)])

#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))((unsigned long)(ptr) + per_cpu_offset(cpu)))
#define raw_cpu_ptr(ptr) per_cpu_ptr(ptr, raw_smp_processor_id())
#define this_cpu_ptr(ptr) raw_cpu_ptr(ptr)

/* Allocate a zeroed copy of size bytes, aligned to align (a power of two,
 * at most PAGE_SIZE), for every possible CPU; NULL on failure. */
KMEM_API void __percpu *__alloc_percpu_gfp(size_t size, size_t align,
					   gfp_t gfp);
KMEM_API void __percpu *__alloc_percpu(size_t size, size_t align);
KMEM_API void free_percpu(void __percpu *ptr);

#define alloc_percpu_gfp(type, gfp)                       \
	((__typeof__(type) __percpu *)__alloc_percpu_gfp( \
		sizeof(type), __alignof__(type), (gfp)))
#define alloc_percpu(type)                                         \
	((__typeof__(type) __percpu *)__alloc_percpu(sizeof(type), \
						     __alignof__(type)))

/* The physical address of one CPU's copy (an address per_cpu_ptr gave). */
KMEM_API phys_addr_t per_cpu_ptr_to_phys(void *addr);
/* Pages the allocator holds: populated pages of every chunk, first chunk
 * included, times the units of a chunk (/proc/meminfo's Percpu). */
KMEM_API unsigned long pcpu_nr_pages(void);

#endif
