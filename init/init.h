/* SPDX-License-Identifier: MIT */
/* Private interface of init/ (boot and fork), for init/ itself and the
 * benchmarks. Never installed. */
#ifndef _KMEM_INIT_INIT_H
#define _KMEM_INIT_INIT_H

/* The boot lock (init/main.c): held by boot and halt, and by fork() from
 * before the fork until after it in both processes (init/fork.c), so no
 * machine is half booted or halted then. */
void kmem_boot_lock(void);
void kmem_boot_unlock(void);

/* What the last fork() cost (init/fork.c; benchmarks): the parent's prepare
 * (locks, copies of the RAM and swap), the child's handler (mapping the copy,
 * hooks) and how many host mappings it remapped. */
struct kmem_fork_stats {
	unsigned long long prepare_ns, child_ns;
	unsigned long remapped;
};
void kmem_fork_get_stats(struct kmem_fork_stats *st);

#endif
