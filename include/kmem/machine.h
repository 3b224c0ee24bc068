/* SPDX-License-Identifier: MIT */
/*
 * kmem's own API: the simulated machine.
 *
 * The machine boots itself the first time kernel code allocates, configured
 * from the environment:
 *   KMEM_RAM     RAM size, e.g. "160M", "2G" (default 256M)
 *   KMEM_LAYOUT  "x86-64" (default) or "x86-32"
 *   KMEM_CPUS    simulated CPUs (default: the host's online CPUs)
 *   KMEM_SWAP    swap size, e.g. "64M" (default: none)
 * or explicitly with kmem_boot(). kmem_halt() tears it down (every pointer into
 * it becomes invalid) so that another can be booted, e.g. by tests and the tour.
 */
#ifndef _KMEM_MACHINE_H
#define _KMEM_MACHINE_H

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

struct kmem_config {
	unsigned long long ram;  /* bytes; 0: $KMEM_RAM, else 256 MiB */
	enum kmem_layout layout;
	int cpus;                /* 0: $KMEM_CPUS, else host online CPUs */
	unsigned long long swap; /* bytes; 0: $KMEM_SWAP, else none */
	bool quiet;              /* do not print the boot banner */
};

/* The most CPUs a machine simulates (kmem_config.cpus, $KMEM_CPUS); CPU
 * numbers are 0 to KMEM_MAX_CPUS - 1. */
#define KMEM_MAX_CPUS 256

/* Boot a machine. Returns 0, -EBUSY if one is running, -EINVAL for a bad
 * configuration, -ENOMEM if the host cannot provide the memory. Fields left 0
 * are taken from the environment, then from the defaults. */
int kmem_boot(const struct kmem_config *cfg);
/* Boot from the environment if no machine is running (what first use does). */
void kmem_boot_default(void);
/* Tear the machine down: every subsystem is reset, the RAM is unmapped. */
void kmem_halt(void);
bool kmem_is_booted(void);
/* Incremented at every boot: per-thread caches compare it to notice a reboot. */
extern unsigned long kmem_boot_generation;

/* Parse a size such as "160M", "2G", "4096", "64k". Returns 0 on error. */
unsigned long long kmem_parse_size(const char *s);

/* What was booted. Addresses are host addresses (the simulated kernel's
 * addresses, relocated where the host needs it). */
struct kmem_machine_info {
	enum kmem_layout layout;
	const char *layout_name;   /* "x86-64" or "x86-32" */
	unsigned long long ram;    /* bytes */
	unsigned int cpus;
	unsigned long page_offset; /* PAGE_OFFSET */
	bool relocated;            /* PAGE_OFFSET is not the real kernel's */
	unsigned long high_memory;
	unsigned long vmalloc_start, vmalloc_end;
	unsigned long pkmap_base;  /* x86-32 only */
	unsigned long max_low_pfn, max_pfn;
	unsigned long long swap;
};
void kmem_machine_info(struct kmem_machine_info *info);

/* Run every layer's invariant checker (free lists, slab lists, vmalloc tree,
 * page accounting ...). Returns true if all hold; otherwise the log says what
 * is wrong. Tests call it after every step. */
bool kmem_check_invariants(void);
/* Free pages after draining every per-CPU list (MemFree, exactly). */
unsigned long kmem_free_pages_drained(void);
/* Register a checker (layers do this at init). */
void kmem_register_checker(const char *name, bool (*fn)(void));

/* Pin the calling thread to simulated CPU `cpu` (default: round robin). */
void kmem_set_cpu(int cpu);

/* Name and pid the kernel reports for the calling thread ("current"). */
const char *kmem_current_comm(void);
int kmem_current_pid(void);
void kmem_set_current(const char *comm, int pid);

#ifdef __cplusplus
}
#endif
#endif
