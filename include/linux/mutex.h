/* SPDX-License-Identifier: MIT */
/* struct mutex: a sleeping lock (a host pthread mutex). mutex_lock() may sleep,
 * so it checks might_sleep() like the kernel's. */
#ifndef _KMEM_LINUX_MUTEX_H
#define _KMEM_LINUX_MUTEX_H

#include <pthread.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>

struct mutex {
	pthread_mutex_t lock;
#ifdef CONFIG_LOCKDEP
	struct lockdep_map dep_map; /* owner and rank (linux/lockdep.h) */
#endif
};

#define DEFINE_MUTEX(name) struct mutex name = { PTHREAD_MUTEX_INITIALIZER }
/* A mutex with its place in the lock order (enum lock_rank). */
#ifdef CONFIG_LOCKDEP
#define DEFINE_MUTEX_RANK(name, r)                       \
	struct mutex name = { PTHREAD_MUTEX_INITIALIZER, \
			      STATIC_LOCKDEP_MAP_INIT(#name, r) }
#else
#define DEFINE_MUTEX_RANK(name, r) DEFINE_MUTEX(name)
#endif

static inline void mutex_init(struct mutex *m)
{
	pthread_mutex_init(&m->lock, NULL);
#ifdef CONFIG_LOCKDEP
	m->dep_map = (struct lockdep_map){ NULL, LOCK_RANK_NONE, NULL };
#endif
}

static inline void mutex_destroy(struct mutex *m)
{
	pthread_mutex_destroy(&m->lock);
}

/* The lockdep side of taking m (linux/lockdep.h): checked before waiting. */
#ifdef CONFIG_LOCKDEP
#define __mutex_lock_dep(m, take)                           \
	do {                                                \
		const void *__ip = _THIS_IP_;               \
		lock_acquire_check(&(m)->dep_map, 0, __ip); \
		take;                                       \
		lock_acquired(&(m)->dep_map, 0, __ip);      \
	} while (0)
#else
#define __mutex_lock_dep(m, take) take
#endif

static __always_inline void mutex_lock(struct mutex *m)
{
	might_sleep();
	__mutex_lock_dep(m, pthread_mutex_lock(&m->lock));
}

/*
 * mutex_lock() without might_sleep(), for host mutexes that stand where the
 * kernel has a raw spinlock or that the simulated code takes in atomic
 * context (kmemleak_lock and fault_lock under allocator spinlocks, vmalloc's
 * pt_lock and purge_mutex, an mm's pgt_alloc_lock, slab_tc_lock in the slab
 * slow paths, boot_lock at a first call from atomic context, the leaf
 * locks): the holder may block on the host, so it is a mutex, but it is
 * owned and ranked like any other.
 */
static __always_inline void mutex_lock_atomic(struct mutex *m)
{
	__mutex_lock_dep(m, pthread_mutex_lock(&m->lock));
}

static __always_inline int mutex_trylock(struct mutex *m)
{
	if (pthread_mutex_trylock(&m->lock))
		return 0;
#ifdef CONFIG_LOCKDEP
	lock_acquired(&m->dep_map, 0, _THIS_IP_);
#endif
	return 1;
}

static __always_inline void mutex_unlock(struct mutex *m)
{
#ifdef CONFIG_LOCKDEP
	lock_release(&m->dep_map);
#endif
	pthread_mutex_unlock(&m->lock);
}

/*
 * pthread_cond_timedwait() on a held mutex. The wait lets the mutex go and
 * takes it back, and another thread may own it in between, so lockdep is
 * told of both: an owner left recorded across the wait would be wiped by the
 * other thread's unlock, and this thread's next lockdep_assert_held() would
 * report a lock it holds as not held.
 */
static inline int mutex_cond_timedwait(pthread_cond_t *cond, struct mutex *m,
				       const struct timespec *until)
{
	int ret;

#ifdef CONFIG_LOCKDEP
	lock_release(&m->dep_map);
#endif
	ret = pthread_cond_timedwait(cond, &m->lock, until);
#ifdef CONFIG_LOCKDEP
	lock_acquired(&m->dep_map, 0, _THIS_IP_);
#endif
	return ret;
}

/* pthread_cond_wait() on a held mutex, told to lockdep the same way. */
static inline int mutex_cond_wait(pthread_cond_t *cond, struct mutex *m)
{
	int ret;

#ifdef CONFIG_LOCKDEP
	lock_release(&m->dep_map);
#endif
	ret = pthread_cond_wait(cond, &m->lock);
#ifdef CONFIG_LOCKDEP
	lock_acquired(&m->dep_map, 0, _THIS_IP_);
#endif
	return ret;
}

#endif
