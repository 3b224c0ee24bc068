/* SPDX-License-Identifier: MIT */
/*
 * Lock debugging: a small form of the kernel's lockdep, on when CONFIG_LOCKDEP
 * is defined (CMakeLists.txt: Debug and sanitizer builds; release builds
 * compile all of it away and spinlock_t stays one int).
 *
 * Every spinlock_t and struct mutex carries a struct lockdep_map: the thread
 * that holds it (lockdep_assert_held() checks it is the caller) and its rank.
 * The rank is the lock's place in the lock order of docs/ARCHITECTURE.md
 * ("Lock order"; that section is the one written order, enum lock_rank below
 * numbers every lock of the library but two bare host mutexes that section
 * names, outermost first). Each thread keeps the
 * locks it holds; taking a lock whose rank is lower than a held one's (or a
 * second lock of the shared LEAF or REPORT rank) reports the kernel's
 * "WARNING: possible circular locking dependency detected" with both locks,
 * and taking a lock this thread already holds (a second down_read() too)
 * reports "WARNING: possible recursive locking detected", both before the
 * caller waits; then the checks turn off as the kernel's debug_locks_off()
 * does (one report, not a flood). Locks without a rank (LOCK_RANK_NONE) are
 * only tracked for their owner and recursion; trylocks cannot wait and are
 * not checked.
 */
#ifndef _KMEM_LINUX_LOCKDEP_H
#define _KMEM_LINUX_LOCKDEP_H

#include <linux/compiler.h>

/* Outermost first; docs/ARCHITECTURE.md "Lock order" says what each lock
 * protects and why it sits where it does: this enum is that list, one total
 * order in which every nesting the code does is increasing. Locks of one
 * rank (the instances of a per-object lock, the leaves) never nest with each
 * other; lockdep checks it for LEAF and REPORT, shared by unrelated locks.
 * The host locks are struct rw_semaphore and struct mutex, so they carry a
 * map too; printk's log_lock alone stays a bare host mutex (lockdep prints
 * through it). */
enum lock_rank {
	LOCK_RANK_NONE,
	LOCK_RANK_BOOT,		  /* boot_lock (init/main.c) */
	LOCK_RANK_PARAM,	  /* param_lock (kernel/cmdline.c) */
	LOCK_RANK_PROCESS,	  /* process_lock (mm/mmap.c) */
	LOCK_RANK_MMAP,		  /* mm->mmap_lock (mm/mm_user.h) */
	LOCK_RANK_PGT_ALLOC,	  /* mm->pgt_alloc_lock (mm/mm_user.h) */
	LOCK_RANK_SLAB_MUTEX,	  /* slab_mutex (mm/slub.c) */
	LOCK_RANK_PCPU_ALLOC,	  /* pcpu_alloc_mutex (mm/percpu.c) */
	LOCK_RANK_PURGE,	  /* purge_mutex (mm/vmap_area.c) */
	LOCK_RANK_PT,		  /* pt_lock (mm/vmalloc.c) */
	LOCK_RANK_SHRINKER,	  /* shrinker_lock (mm/vmscan.c) */
	LOCK_RANK_SLAB_TC,	  /* slab_tc_lock (mm/slub.c) */
	LOCK_RANK_BARN,		  /* n->barn_lock (mm/slab.h) */
	LOCK_RANK_LIST,		  /* n->list_lock (mm/slab.h) */
	LOCK_RANK_PAGE_TABLE,	  /* mm->page_table_lock (mm/mm_user.h) */
	LOCK_RANK_LRU,		  /* lru_lock (mm/swapfile.c) */
	LOCK_RANK_SWAP,		  /* swap_lock (mm/swapfile.c) */
	LOCK_RANK_PCP,		  /* pcp->lock (mm/page_alloc.c) */
	LOCK_RANK_ZONE,		  /* zone->lock (mm/page_alloc.c) */
	LOCK_RANK_VMAP_AREA,	  /* vmap_area_lock (mm/vmap_area.c) */
	LOCK_RANK_FREE_VMAP_AREA, /* free_vmap_area_lock (mm/vmap_area.c) */
	LOCK_RANK_KFENCE_TIMER,	  /* timer_lock (mm/kfence.c) */
	LOCK_RANK_KMEMLEAK_SCAN,  /* scan_mutex (mm/kmemleak.c) */
	LOCK_RANK_KMEMLEAK,	  /* kmemleak_lock (mm/kmemleak.c) */
	LOCK_RANK_FAULT,	  /* fault_lock (mm/fault_inject.c) */
	LOCK_RANK_LEAF,		  /* the leaf locks: none nests in another */
	LOCK_RANK_REPORT,	  /* site_lock, sym_lock: reports, under any */
	NR_LOCK_RANKS
};

/* The address of the code that takes a lock (the kernel's _THIS_IP_). */
#ifndef _THIS_IP_
#define _THIS_IP_                       \
	({                              \
		__label__ __here;       \
__here:                                 \
		(const void *)&&__here; \
	})
#endif

struct lockdep_map {
	const void *owner; /* the writer's thread tag, NULL when free or read */
	unsigned int rank; /* enum lock_rank */
	const char *name; /* as the kernel names a lock class; NULL: the rank's */
};

/* The map of a lock defined with its rank, named after the lock. */
#define STATIC_LOCKDEP_MAP_INIT(lname, r)                   \
	{                                                   \
		.owner = NULL, .rank = (r), .name = (lname) \
	}

#ifdef CONFIG_LOCKDEP
extern KMEM_API int debug_locks; /* 0 after the first order report */

/*
 * Taking a lock that may wait is two calls, as the kernel checks before it
 * blocks (so a deadlock is reported rather than hung): lock_acquire_check()
 * before waiting (recursion and order; read 1 for a reader of a shared lock),
 * lock_acquired() once the lock is taken (a writer becomes the owner; a
 * reader is kept in this thread's held locks only). A trylock that succeeded
 * calls only lock_acquired(): it cannot wait.
 */
KMEM_API void lock_acquire_check(struct lockdep_map *map, int read,
				 const void *ip);
KMEM_API void lock_acquired(struct lockdep_map *map, int read, const void *ip);
KMEM_API void lock_release(struct lockdep_map *map);
/* Held by this thread: any way (lock_is_held), for write, the owner (read
 * 0), or for read (read 1). */
KMEM_API bool lock_is_held_type(const struct lockdep_map *map, int read);
KMEM_API bool lock_is_held(const struct lockdep_map *map);
KMEM_API void __lockdep_assert_held(const struct lockdep_map *map,
				    const char *name, const char *file,
				    int line, const char *func);

#define lockdep_set_rank(lock, r) ((lock)->dep_map.rank = (r))
/* The same for a lock of a shared rank, which its rank does not name. */
#define lockdep_set_rank_name(lock, r, n) \
	((lock)->dep_map.rank = (r), (lock)->dep_map.name = (n))
#define lockdep_is_held(lock) lock_is_held(&(lock)->dep_map)
/* Held for write (read 0) or for read (read 1) by the caller. */
#define __lockdep_assert_held_type(lock, read)                               \
	do {                                                                 \
		if (unlikely(!lock_is_held_type(&(lock)->dep_map, (read))))  \
			__lockdep_assert_held(&(lock)->dep_map, #lock,       \
					      __FILE__, __LINE__, __func__); \
	} while (0)
#define lockdep_assert_held_write(lock) __lockdep_assert_held_type(lock, 0)
#define lockdep_assert_held_read(lock) __lockdep_assert_held_type(lock, 1)
/* The caller holds `lock` (a spinlock_t, struct mutex or struct
 * rw_semaphore, for read or write). */
#define lockdep_assert_held(lock)                                            \
	do {                                                                 \
		if (unlikely(!lock_is_held(&(lock)->dep_map)))               \
			__lockdep_assert_held(&(lock)->dep_map, #lock,       \
					      __FILE__, __LINE__, __func__); \
	} while (0)
#else
#define lockdep_set_rank(lock, r) ((void)(lock), (void)(r))
#define lockdep_set_rank_name(lock, r, n) ((void)(lock), (void)(r), (void)(n))
#define lockdep_is_held(lock) ((void)(lock), true)
#define lockdep_assert_held(lock) ((void)(lock))
#define lockdep_assert_held_read(lock) ((void)(lock))
#define lockdep_assert_held_write(lock) ((void)(lock))
#endif

#endif
