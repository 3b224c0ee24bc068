/* SPDX-License-Identifier: MIT */
/* spinlock_t: a test-and-test-and-set lock that yields the host CPU after a
 * short spin (the host may preempt a lock holder, the kernel's CPUs may not).
 * spin_lock() also disables preemption, as in the kernel, so code under a
 * spinlock is in atomic context and may not sleep. */
#ifndef _KMEM_LINUX_SPINLOCK_H
#define _KMEM_LINUX_SPINLOCK_H

#include <linux/types.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>

typedef struct spinlock {
	int locked;
#ifdef CONFIG_LOCKDEP
	struct lockdep_map dep_map; /* owner and rank (linux/lockdep.h) */
#endif
} spinlock_t;

typedef spinlock_t raw_spinlock_t;

/* clang-format off: one-line initializer, as in the kernel */
#define __SPIN_LOCK_UNLOCKED(name) \
	{                          \
		0                  \
	}
/* clang-format on */
/* lockdep (linux/lockdep.h): spin_acquire_check() before spinning,
 * spin_acquired() once taken (alone after a trylock). */
#ifdef CONFIG_LOCKDEP
#define spin_acquire_check(l) lock_acquire_check(&(l)->dep_map, 0, _THIS_IP_)
#define spin_acquired(l) lock_acquired(&(l)->dep_map, 0, _THIS_IP_)
#define spin_release(l) lock_release(&(l)->dep_map)
#else
#define spin_acquire_check(l) ((void)(l))
#define spin_acquired(l) ((void)(l))
#define spin_release(l) ((void)(l))
#endif
#define DEFINE_SPINLOCK(name) spinlock_t name = __SPIN_LOCK_UNLOCKED(name)
/* A lock with its place in the lock order (enum lock_rank). */
#ifdef CONFIG_LOCKDEP
#define DEFINE_SPINLOCK_RANK(name, r)    \
	spinlock_t name = { .locked = 0, \
			    .dep_map = STATIC_LOCKDEP_MAP_INIT(#name, r) }
#else
#define DEFINE_SPINLOCK_RANK(name, r) DEFINE_SPINLOCK(name)
#endif

KMEM_API void __kmem_spin_lock_slow(spinlock_t *lock);

static inline void spin_lock_init(spinlock_t *lock)
{
	*lock = (spinlock_t)__SPIN_LOCK_UNLOCKED(lock);
}

/* The raw lock, without the preemption accounting (used by kmem internals that
 * must not change the simulated context). */
static __always_inline void arch_spin_lock(spinlock_t *lock)
{
	if (likely(!__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)))
		return;
	__kmem_spin_lock_slow(lock);
}

static __always_inline bool arch_spin_trylock(spinlock_t *lock)
{
	return !__atomic_load_n(&lock->locked, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE);
}

static __always_inline void arch_spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0;
}

static __always_inline void spin_lock(spinlock_t *lock)
{
	preempt_disable();
	spin_acquire_check(lock);
	arch_spin_lock(lock);
	spin_acquired(lock);
}

static __always_inline bool spin_trylock(spinlock_t *lock)
{
	preempt_disable();
	if (arch_spin_trylock(lock)) {
		spin_acquired(lock);
		return true;
	}
	preempt_enable();
	return false;
}

static __always_inline void spin_unlock(spinlock_t *lock)
{
	spin_release(lock);
	arch_spin_unlock(lock);
	preempt_enable();
}

#define spin_lock_irqsave(lock, flags) \
	do {                           \
		local_irq_save(flags); \
		spin_lock(lock);       \
	} while (0)
#define spin_unlock_irqrestore(lock, flags) \
	do {                                \
		spin_unlock(lock);          \
		local_irq_restore(flags);   \
	} while (0)
#define spin_lock_irq(lock)          \
	do {                         \
		local_irq_disable(); \
		spin_lock(lock);     \
	} while (0)
#define spin_unlock_irq(lock)       \
	do {                        \
		spin_unlock(lock);  \
		local_irq_enable(); \
	} while (0)
#define spin_lock_bh(lock) spin_lock(lock)
#define spin_unlock_bh(lock) spin_unlock(lock)
#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define raw_spin_lock_init spin_lock_init
#define raw_spin_lock_irqsave spin_lock_irqsave
#define raw_spin_unlock_irqrestore spin_unlock_irqrestore

#endif
