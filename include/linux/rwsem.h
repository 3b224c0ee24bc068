/* SPDX-License-Identifier: MIT */
/*
 * struct rw_semaphore: a reader-writer sleeping lock, here a host pthread
 * rwlock with a lockdep map (linux/lockdep.h). A writer is the map's owner; a
 * reader is recorded only in its own thread's held locks (many read at once),
 * so lockdep_assert_held() accepts either, lockdep_assert_held_write() only
 * the writer and lockdep_assert_held_read() only a reader. Both are ranked in
 * the lock order. down_read() and down_write() may sleep, so they check
 * might_sleep() like the kernel's (kernel/locking/rwsem.c): taking an mm's
 * mmap_lock or process_lock under a spinlock or with interrupts off reports
 * "BUG: sleeping function called from invalid context". A second down_read()
 * by the same thread is reported as recursive locking, as the kernel does.
 */
#ifndef _KMEM_LINUX_RWSEM_H
#define _KMEM_LINUX_RWSEM_H

#include <pthread.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>

struct rw_semaphore {
	pthread_rwlock_t lock;
#ifdef CONFIG_LOCKDEP
	struct lockdep_map dep_map; /* writer and rank (linux/lockdep.h) */
#endif
};

/* A semaphore with its place in the lock order (enum lock_rank). */
#ifdef CONFIG_LOCKDEP
#define DECLARE_RWSEM_RANK(name, r)                              \
	struct rw_semaphore name = { PTHREAD_RWLOCK_INITIALIZER, \
				     STATIC_LOCKDEP_MAP_INIT(#name, r) }
#else
#define DECLARE_RWSEM_RANK(name, r) \
	struct rw_semaphore name = { PTHREAD_RWLOCK_INITIALIZER }
#endif

static inline void init_rwsem(struct rw_semaphore *sem)
{
	pthread_rwlock_init(&sem->lock, NULL);
#ifdef CONFIG_LOCKDEP
	sem->dep_map = (struct lockdep_map){ NULL, LOCK_RANK_NONE, NULL };
#endif
}

static inline void destroy_rwsem(struct rw_semaphore *sem)
{
	pthread_rwlock_destroy(&sem->lock);
}

/* The lockdep side of taking sem (linux/lockdep.h): checked before waiting. */
#ifdef CONFIG_LOCKDEP
#define __rwsem_lock_dep(sem, read, take)                          \
	do {                                                       \
		const void *__ip = _THIS_IP_;                      \
		lock_acquire_check(&(sem)->dep_map, (read), __ip); \
		take;                                              \
		lock_acquired(&(sem)->dep_map, (read), __ip);      \
	} while (0)
#else
#define __rwsem_lock_dep(sem, read, take) take
#endif

static __always_inline void down_read(struct rw_semaphore *sem)
{
	might_sleep();
	__rwsem_lock_dep(sem, 1, pthread_rwlock_rdlock(&sem->lock));
}

static __always_inline int down_read_trylock(struct rw_semaphore *sem)
{
	if (pthread_rwlock_tryrdlock(&sem->lock))
		return 0;
#ifdef CONFIG_LOCKDEP
	lock_acquired(&sem->dep_map, 1, _THIS_IP_);
#endif
	return 1;
}

static __always_inline void down_write(struct rw_semaphore *sem)
{
	might_sleep();
	__rwsem_lock_dep(sem, 0, pthread_rwlock_wrlock(&sem->lock));
}

static __always_inline int down_write_trylock(struct rw_semaphore *sem)
{
	if (pthread_rwlock_trywrlock(&sem->lock))
		return 0;
#ifdef CONFIG_LOCKDEP
	lock_acquired(&sem->dep_map, 0, _THIS_IP_);
#endif
	return 1;
}

static __always_inline void up_read(struct rw_semaphore *sem)
{
#ifdef CONFIG_LOCKDEP
	lock_release(&sem->dep_map);
#endif
	pthread_rwlock_unlock(&sem->lock);
}

static __always_inline void up_write(struct rw_semaphore *sem)
{
#ifdef CONFIG_LOCKDEP
	lock_release(&sem->dep_map);
#endif
	pthread_rwlock_unlock(&sem->lock);
}

#endif
