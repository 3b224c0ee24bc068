// SPDX-License-Identifier: MIT
/*
 * fork(): the child gets its own copy of the machine.
 *
 * The machine's RAM is a memfd mapped MAP_SHARED (arch/x86/machine.c), and
 * fork() keeps MAP_SHARED mappings shared: without help a child would run on
 * the parent's RAM (mem_map, free lists, slabs, page tables, objects) with
 * its own copy of the allocators' host-heap metadata, and the first
 * allocation of either side would corrupt the other's. fork gives the child
 * a copy of memory, so kmem gives it a copy of the machine. This file is the
 * order of it, above every layer it orders; the machine's part (copying the
 * RAM memfd, mapping the copy) is arch/x86/fork.c's, the layers' parts are
 * their fork hooks (KMEM_FORK_HOOKS, kernel/internal.h).
 *
 *  1. prepare (parent, pthread_atfork, before the fork): take the boot lock
 *     (no boot or halt in flight), then, if a machine is up, run the layers'
 *     prepare hooks in lock order (they take their top-level locks and copy
 *     state of their own: the swap memfd), then copy the RAM
 *     (arch_fork_copy_ram). The copy is taken with the locks held, so it is
 *     one instant of the machine as seen by the forking thread.
 *  2. child (after the fork): the RAM is mapped from the copy wherever it was
 *     mapped and the copy takes the RAM descriptor's number
 *     (arch_fork_adopt_ram). Then the hooks run in reverse order (release
 *     the locks, the swap copy takes the swap descriptor's number, the slab
 *     layer returns the sheaves of the threads that do not exist in the
 *     child to their slabs, as the kernel flushes a dead CPU's caches), and
 *     the boot lock is released.
 *  3. parent (after the fork): closes its descriptor of the copy, runs the
 *     hooks in reverse order (release the locks), releases the boot lock.
 *
 * If the copy cannot be made (no memory for the memfd), the child could only
 * corrupt the parent: it stops with a message (abort) at its first
 * instruction after fork() returns; the parent is unaffected.
 *
 * Threads. As with the kernel's and the C library's fork, only the forking
 * thread exists in the child. The copy is consistent if the other threads
 * are outside kmem at the fork (idle, or doing their own work); a thread
 * inside an allocator holds locks the child will never see released, as in
 * any multi-threaded program that forks (POSIX allows only async-signal-safe
 * calls in such a child). The prepare hooks hold the boot lock and the
 * top-level locks (slab_mutex, vmalloc's purge_mutex and pt_lock, the
 * shrinker lock), which makes boot, halt, cache creation, vmalloc mapping
 * and reclaim wait for the fork rather than be copied half done.
 *
 * fork() before any boot or after kmem_halt() copies nothing: each side
 * boots its own machine at its first allocation. vfork() and posix_spawn()
 * (which system() and popen() use) run no fork handlers and share memory by
 * design: the child may only exec or _exit.
 *
 * Locking: the boot lock from prepare to the end of parent and child; the
 * state below is touched only by the forking thread in that time. The hook
 * list is walked without a lock (kernel/hooks.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/kernel.h>
#include "kernel/internal.h"
#include "arch/x86/machine.h"
#include "init/init.h"

KMEM_LINK_ANCHOR(fork);

static struct kmem_fork_stats fork_stats;
static bool fork_machine;  /* a machine was up at prepare */
static int fork_ram = -1;  /* the copy of the RAM */
static int fork_ram_error; /* errno of a failed copy */

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

void kmem_fork_get_stats(struct kmem_fork_stats *st)
{
	*st = fork_stats;
}

static const struct kmem_fork_ops *fork_ops(const struct kmem_hook *h)
{
	return h->fn;
}

static void fork_prepare(void)
{
	struct kmem_hook *h;
	unsigned long long t0;

	kmem_boot_lock();
	t0 = now_ns();
	fork_machine = __atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE) &&
		       machine.memfd >= 0;
	if (!fork_machine)
		return;
	kmem_hook_for_each(h, &kmem_fork_hooks)
		if (fork_ops(h)->prepare)
			fork_ops(h)->prepare();
	fork_ram = arch_fork_copy_ram();
	fork_ram_error = fork_ram < 0 ? -fork_ram : 0;
	fork_stats.prepare_ns = now_ns() - t0;
}

/* Run the parent or child hooks from h on, last in the list first. */
static void run_hooks_reverse(struct kmem_hook *h, bool child)
{
	void (*fn)(void);

	if (!h)
		return;
	run_hooks_reverse(__atomic_load_n(&h->next, __ATOMIC_ACQUIRE), child);
	fn = child ? fork_ops(h)->child : fork_ops(h)->parent;
	if (fn)
		fn();
}

static struct kmem_hook *fork_hooks_first(void)
{
	return __atomic_load_n(&kmem_fork_hooks.head, __ATOMIC_ACQUIRE);
}

static void fork_parent(void)
{
	if (fork_machine) {
		if (fork_ram >= 0)
			close(fork_ram);
		fork_ram = -1;
		run_hooks_reverse(fork_hooks_first(), false);
	}
	kmem_boot_unlock();
}

static void __attribute__((noreturn)) fork_fail(const char *what, int err)
{
	char buf[160];

	snprintf(buf, sizeof(buf),
		 "kmem: fork: cannot give the child its own machine (%s: %s)\n",
		 what, strerror(err));
	kmem_emergency_write(buf);
	abort();
}

static void fork_child(void)
{
	unsigned long long t0 = now_ns();
	const char *what = "copy of the RAM";
	int n;

	fork_stats.remapped = 0;
	if (fork_machine) {
		if (fork_ram < 0)
			fork_fail(what, fork_ram_error);
		n = arch_fork_adopt_ram(fork_ram, &what);
		if (n < 0)
			fork_fail(what, -n);
		fork_stats.remapped = (unsigned long)n;
		fork_ram = -1;
		run_hooks_reverse(fork_hooks_first(), true);
	}
	fork_stats.child_ns = now_ns() - t0;
	kmem_boot_unlock();
}

/* Installed by a constructor, so that a fork before any boot finds the
 * handlers in place; linked into every program through the anchor. */
__attribute__((constructor)) static void fork_init(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}
