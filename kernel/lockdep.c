// SPDX-License-Identifier: MIT
/*
 * Lock debugging (include/linux/lockdep.h has the theory): who holds each
 * lock, and the documented lock order checked at every lock taken.
 *
 * Each thread keeps the locks it holds in a small stack (thread-local, so
 * no lock of its own); a lockdep_map records the holding thread's tag. The
 * check is linear in the locks held (rarely more than three). The first
 * inversion is reported the kernel's way and turns the order check off
 * (debug_locks = 0, the kernel's debug_locks_off()); ownership stays tracked.
 * Compiled only with CONFIG_LOCKDEP (Debug and sanitizer builds).
 */
#include <stdio.h>

#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <kmem/machine.h>
#include "kernel/internal.h"

#ifdef CONFIG_LOCKDEP

#define MAX_LOCK_DEPTH 48

struct held_lock {
	struct lockdep_map *map;
	const void *ip;
	int read; /* a reader of an rw_semaphore: no owner recorded */
};

static __thread struct held_lock held_locks[MAX_LOCK_DEPTH];
static __thread int lockdep_depth;
static __thread char lockdep_self; /* its address tags this thread */

int debug_locks = 1;

/* The locks of enum lock_rank, as the kernel names lock classes. */
static const char *const rank_names[NR_LOCK_RANKS] = {
	[LOCK_RANK_NONE] = "(lock without a rank)",
	[LOCK_RANK_BOOT] = "boot_lock",
	[LOCK_RANK_PARAM] = "param_lock",
	[LOCK_RANK_PROCESS] = "process_lock",
	[LOCK_RANK_MMAP] = "&mm->mmap_lock",
	[LOCK_RANK_PGT_ALLOC] = "&mm->pgt_alloc_lock",
	[LOCK_RANK_SLAB_MUTEX] = "slab_mutex",
	[LOCK_RANK_PCPU_ALLOC] = "pcpu_alloc_mutex",
	[LOCK_RANK_PURGE] = "purge_mutex",
	[LOCK_RANK_PT] = "pt_lock",
	[LOCK_RANK_SHRINKER] = "shrinker_lock",
	[LOCK_RANK_SLAB_TC] = "slab_tc_lock",
	[LOCK_RANK_BARN] = "&n->barn_lock",
	[LOCK_RANK_LIST] = "&n->list_lock",
	[LOCK_RANK_PAGE_TABLE] = "&mm->page_table_lock",
	[LOCK_RANK_LRU] = "lru_lock",
	[LOCK_RANK_SWAP] = "swap_lock",
	[LOCK_RANK_PCP] = "&pcp->lock",
	[LOCK_RANK_ZONE] = "&zone->lock",
	[LOCK_RANK_VMAP_AREA] = "vmap_area_lock",
	[LOCK_RANK_FREE_VMAP_AREA] = "free_vmap_area_lock",
	[LOCK_RANK_KFENCE_TIMER] = "timer_lock",
	[LOCK_RANK_KMEMLEAK_SCAN] = "scan_mutex",
	[LOCK_RANK_KMEMLEAK] = "kmemleak_lock",
	[LOCK_RANK_FAULT] = "fault_lock",
	[LOCK_RANK_LEAF] = "(a leaf lock)",
	[LOCK_RANK_REPORT] = "(a report's lock)",
};

static const char *rank_name(unsigned int rank)
{
	return rank < NR_LOCK_RANKS ? rank_names[rank] : "(bad rank)";
}

/* The lock's own name (a lock defined with its rank), else its rank's. */
static const char *lock_name(const struct lockdep_map *map)
{
	return map->name ? map->name : rank_name(map->rank);
}

static void print_lock(const char *prefix, const struct lockdep_map *map,
		       const void *ip)
{
	char sym[256];

	printk(KERN_WARNING "%s%016lx (%s){rank %u}, at: %s\n", prefix,
	       (unsigned long)map, lock_name(map), map->rank,
	       kmem_symbolize(ip, sym, sizeof(sym)));
}

/* The kernel's lockdep_print_held_locks(). */
static void print_held_locks(void)
{
	int i;

	printk(KERN_WARNING "%d lock%s held by %s/%d:\n", lockdep_depth,
	       lockdep_depth == 1 ? "" : "s", kmem_current_comm(),
	       kmem_current_pid());
	for (i = 0; i < lockdep_depth; i++) {
		char prefix[16];

		if (!held_locks[i].map)
			continue;
		snprintf(prefix, sizeof(prefix), " #%d: ", i);
		print_lock(prefix, held_locks[i].map, held_locks[i].ip);
	}
}

/* The kernel's print_circular_bug_header(), with the documented order in
 * place of the dependency chain lockdep found. */
static void print_order_bug(struct lockdep_map *map, const void *ip,
			    const struct held_lock *h)
{
	printk(KERN_WARNING "\n");
	printk(KERN_WARNING
	       "======================================================\n");
	printk(KERN_WARNING
	       "WARNING: possible circular locking dependency detected\n");
	printk(KERN_WARNING "kmem (Not tainted)\n");
	printk(KERN_WARNING
	       "------------------------------------------------------\n");
	printk(KERN_WARNING "%s/%d is trying to acquire lock:\n",
	       kmem_current_comm(), kmem_current_pid());
	print_lock("", map, ip);
	printk(KERN_WARNING "\nbut task is already holding lock:\n");
	print_lock("", h->map, h->ip);
	printk(KERN_WARNING
	       "\nwhich lock already depends on the new lock.\n\n");
	printk(KERN_WARNING
	       "the documented lock order (docs/ARCHITECTURE.md, \"Lock order\") takes\n");
	printk(KERN_WARNING "%s (rank %u) before %s (rank %u).\n",
	       lock_name(map), map->rank, lock_name(h->map), h->map->rank);
	printk(KERN_WARNING "\nother info that might help us debug this:\n\n");
	printk(KERN_WARNING " Possible unsafe locking scenario:\n\n");
	printk(KERN_WARNING "       CPU0                    CPU1\n");
	printk(KERN_WARNING "       ----                    ----\n");
	printk(KERN_WARNING "  lock(%s);\n", lock_name(h->map));
	printk(KERN_WARNING "                               lock(%s);\n",
	       lock_name(map));
	printk(KERN_WARNING "                               lock(%s);\n",
	       lock_name(h->map));
	printk(KERN_WARNING "  lock(%s);\n", lock_name(map));
	printk(KERN_WARNING "\n *** DEADLOCK ***\n\n");
	print_held_locks();
	printk(KERN_WARNING "\nstack backtrace:\n");
	printk(KERN_WARNING "CPU: %d PID: %d Comm: %s\n",
	       raw_smp_processor_id(), kmem_current_pid(), kmem_current_comm());
	dump_stack();
}

/*
 * Only this thread changes its held stack, but not only from ordinary code:
 * the machine's fault handlers (user_fault, vmalloc_fault, KFENCE's and
 * debug_pagealloc's) run as host SIGSEGV/SIGBUS handlers on the faulting
 * thread and take locks there (user_fault takes process_lock, the mm's
 * mmap_lock and whatever the fault allocates under them; vmalloc_fault
 * trylocks pt_lock and vmap_area_lock; refills take ring_lock). Those
 * signals are synchronous: they arrive at the faulting access, and lockdep
 * touches nothing but this thread's held stack (host memory that does not
 * fault), so a handler never runs in the middle of a push or a pop. It finds
 * the stack whole, pushes above it, and pops back to it before it returns;
 * a handler that does not return (process_die()) has released its locks
 * first. The signal fences below only keep the compiler from reordering
 * these stores; they do not make the stack safe for an asynchronous signal
 * handler that takes locks (one interrupting a push could find a stale slot
 * in use, one interrupting a pop a lock listed twice), and kmem has none.
 */
static void held_push(struct lockdep_map *map, const void *ip, int read)
{
	int i = lockdep_depth;

	if (i >= MAX_LOCK_DEPTH)
		return;
	held_locks[i].map = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	lockdep_depth = i + 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	held_locks[i].ip = ip;
	held_locks[i].read = read;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	held_locks[i].map = map;
}

/* A rank of unrelated locks, no two of which may nest. */
static bool shared_rank(unsigned int rank)
{
	return rank == LOCK_RANK_LEAF || rank == LOCK_RANK_REPORT;
}

/* The kernel's print_deadlock_bug(): the lock is already held by this
 * thread, which would now wait for itself. */
static void print_recursion_bug(struct lockdep_map *map, const void *ip,
				const struct held_lock *h)
{
	printk(KERN_WARNING "\n");
	printk(KERN_WARNING "============================================\n");
	printk(KERN_WARNING "WARNING: possible recursive locking detected\n");
	printk(KERN_WARNING "kmem (Not tainted)\n");
	printk(KERN_WARNING "--------------------------------------------\n");
	printk(KERN_WARNING "%s/%d is trying to acquire lock:\n",
	       kmem_current_comm(), kmem_current_pid());
	print_lock("", map, ip);
	printk(KERN_WARNING "\nbut task is already holding lock:\n");
	print_lock("", h->map, h->ip);
	printk(KERN_WARNING "\nother info that might help us debug this:\n");
	printk(KERN_WARNING " Possible unsafe locking scenario:\n\n");
	printk(KERN_WARNING "       CPU0\n");
	printk(KERN_WARNING "       ----\n");
	printk(KERN_WARNING "  lock(%s);\n", lock_name(h->map));
	printk(KERN_WARNING "  lock(%s);\n", lock_name(map));
	printk(KERN_WARNING "\n *** DEADLOCK ***\n\n");
	printk(KERN_WARNING " May be due to missing lock nesting notation\n\n");
	print_held_locks();
	printk(KERN_WARNING "\nstack backtrace:\n");
	printk(KERN_WARNING "CPU: %d PID: %d Comm: %s\n",
	       raw_smp_processor_id(), kmem_current_pid(), kmem_current_comm());
	dump_stack();
}

/*
 * Before taking map (and waiting for it): a lock this thread already holds
 * is recursive locking (the kernel's check_deadlock(); a second reader of
 * an rw_semaphore too, as the kernel's down_read(): a writer queued in
 * between would wait for the first reader and the second for the writer),
 * and a held lock of a higher rank is an inversion of the order. Either is
 * reported once (debug_locks off) before the caller waits.
 */
void lock_acquire_check(struct lockdep_map *map, int read, const void *ip)
{
	int i;

	(void)read;
	if (!__atomic_load_n(&debug_locks, __ATOMIC_RELAXED))
		return;
	for (i = 0; i < lockdep_depth; i++) {
		struct lockdep_map *h = held_locks[i].map;

		if (h != map)
			continue;
		if (__atomic_exchange_n(&debug_locks, 0, __ATOMIC_RELAXED))
			print_recursion_bug(map, ip, &held_locks[i]);
		return;
	}
	if (!map->rank)
		return;
	for (i = 0; i < lockdep_depth; i++) {
		struct lockdep_map *h = held_locks[i].map;

		if (h && (h->rank > map->rank ||
			  (h->rank == map->rank && shared_rank(map->rank)))) {
			if (__atomic_exchange_n(&debug_locks, 0,
						__ATOMIC_RELAXED))
				print_order_bug(map, ip, &held_locks[i]);
			return;
		}
	}
}

void lock_acquired(struct lockdep_map *map, int read, const void *ip)
{
	if (!read)
		__atomic_store_n(&map->owner, &lockdep_self, __ATOMIC_RELAXED);
	held_push(map, ip, read);
}

void lock_release(struct lockdep_map *map)
{
	int i;

	for (i = lockdep_depth - 1; i >= 0; i--) {
		if (held_locks[i].map == map) {
			if (!held_locks[i].read)
				__atomic_store_n(&map->owner, NULL,
						 __ATOMIC_RELAXED);
			for (; i < lockdep_depth - 1; i++)
				held_locks[i] = held_locks[i + 1];
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			lockdep_depth--;
			return;
		}
	}
	/* Deeper than MAX_LOCK_DEPTH, or taken before lockdep saw it. */
	if (__atomic_load_n(&map->owner, __ATOMIC_RELAXED) == &lockdep_self)
		__atomic_store_n(&map->owner, NULL, __ATOMIC_RELAXED);
}

static bool held_as_reader(const struct lockdep_map *map)
{
	int i;

	for (i = lockdep_depth - 1; i >= 0; i--)
		if (held_locks[i].map == map && held_locks[i].read)
			return true;
	return false;
}

bool lock_is_held(const struct lockdep_map *map)
{
	return __atomic_load_n(&map->owner, __ATOMIC_RELAXED) ==
		       &lockdep_self ||
	       held_as_reader(map);
}

bool lock_is_held_type(const struct lockdep_map *map, int read)
{
	if (read)
		return held_as_reader(map);
	return __atomic_load_n(&map->owner, __ATOMIC_RELAXED) == &lockdep_self;
}

void __lockdep_assert_held(const struct lockdep_map *map, const char *name,
			   const char *file, int line, const char *func)
{
	(void)map;
	__kmem_warn(file, line, func, KERN_WARNING "%s is not held\n", name);
}

#endif /* CONFIG_LOCKDEP */
