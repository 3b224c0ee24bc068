// SPDX-License-Identifier: MIT
/*
 * Lock debugging (include/linux/lockdep.h): lockdep_assert_held() warns when
 * the caller does not hold the lock and is silent when it does; taking a lock
 * of a lower rank while holding a higher one reports the kernel's "possible
 * circular locking dependency" with both locks, once; the documented order,
 * trylocks and locks without a rank report nothing; a real lock of the
 * machine (zone->lock) carries its rank. Release builds: compiled away, a
 * spinlock stays one int. Sanitizer builds (CI) must have it on.
 */
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include "mm/internal.h"
#include "test.h"

#if defined(KMEM_SANITIZE) && !defined(CONFIG_LOCKDEP)
#error "sanitizer builds run the suite with lock debugging (CONFIG_LOCKDEP)"
#endif

#ifdef CONFIG_LOCKDEP
TEST(assert_held)
{
	DEFINE_SPINLOCK(lock);
	DEFINE_MUTEX(m);
	size_t mark = kmem_log_mark();

	spin_lock(&lock);
	lockdep_assert_held(&lock);
	spin_unlock(&lock);
	CHECK(!kmem_log_contains(mark, "WARNING"));
	lockdep_assert_held(&lock);
	CHECK_LOG(mark, "&lock is not held");
	CHECK_LOG(mark, "WARNING: CPU: ");
	test_lock_mark = kmem_log_mark(); /* provoked */

	mark = kmem_log_mark();
	mutex_lock(&m);
	lockdep_assert_held(&m);
	CHECK(lockdep_is_held(&m));
	mutex_unlock(&m);
	CHECK(!lockdep_is_held(&m));
	CHECK(!kmem_log_contains(mark, "WARNING"));
}

static void *hold_in_other_thread(void *arg)
{
	spin_lock(arg);
	return NULL;
}

/* Held by another thread is not held by the caller. */
TEST(assert_held_other_thread)
{
	DEFINE_SPINLOCK(lock);
	size_t mark = kmem_log_mark();
	pthread_t t;

	pthread_create(&t, NULL, hold_in_other_thread, &lock);
	pthread_join(t, NULL);
	CHECK(spin_is_locked(&lock));
	CHECK(!lockdep_is_held(&lock));
	lockdep_assert_held(&lock);
	CHECK_LOG(mark, "is not held");
	test_lock_mark = kmem_log_mark(); /* provoked */
}

TEST(order_inversion)
{
	spinlock_t pcp, zone;
	size_t mark = kmem_log_mark();
	char want[96];

	spin_lock_init(&pcp);
	spin_lock_init(&zone);
	lockdep_set_rank(&pcp, LOCK_RANK_PCP);
	lockdep_set_rank(&zone, LOCK_RANK_ZONE);

	/* The documented order, and a trylock against it: nothing. */
	spin_lock(&pcp);
	spin_lock(&zone);
	spin_unlock(&zone);
	spin_unlock(&pcp);
	spin_lock(&zone);
	CHECK(spin_trylock(&pcp));
	spin_unlock(&pcp);
	spin_unlock(&zone);
	CHECK(!kmem_log_contains(mark, "circular"));
	CHECK_EQ(debug_locks, 1);

	/* zone->lock, then pcp->lock: the inversion, reported once. */
	spin_lock(&zone);
	spin_lock(&pcp);
	spin_unlock(&pcp);
	spin_unlock(&zone);
	CHECK_LOG(mark,
		  "WARNING: possible circular locking dependency detected\n");
	CHECK_LOG(mark, " is trying to acquire lock:\n");
	snprintf(want, sizeof(want),
		 " (&pcp->lock){rank %d}, at: ", LOCK_RANK_PCP);
	CHECK_LOG(mark, want);
	CHECK_LOG(mark, "but task is already holding lock:\n");
	snprintf(want, sizeof(want),
		 " (&zone->lock){rank %d}, at: ", LOCK_RANK_ZONE);
	CHECK_LOG(mark, want);
	CHECK_LOG(mark, "which lock already depends on the new lock.");
	snprintf(want, sizeof(want),
		 "&pcp->lock (rank %d) before &zone->lock (rank %d)",
		 LOCK_RANK_PCP, LOCK_RANK_ZONE);
	CHECK_LOG(mark, want);
	CHECK_LOG(mark, "stack backtrace:");
	CHECK_EQ(debug_locks, 0);
	CHECK_EQ(kmem_log_count(mark, "circular locking"), 1);
	mark = kmem_log_mark();
	spin_lock(&zone);
	spin_lock(&pcp);
	spin_unlock(&pcp);
	spin_unlock(&zone);
	CHECK(!kmem_log_contains(mark, "circular"));
	debug_locks = 1;
	test_lock_mark = kmem_log_mark(); /* provoked */
}

/* The machine's locks carry their ranks: pcp->lock under zone->lock of a
 * real zone is reported. */
TEST(machine_locks_ranked)
{
	struct zone *zone = &contig_page_data.node_zones[ZONE_NORMAL];
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[0];
	size_t mark = kmem_log_mark();

	CHECK_EQ(zone->lock.dep_map.rank, LOCK_RANK_ZONE);
	CHECK_EQ(pcp->lock.dep_map.rank, LOCK_RANK_PCP);
	spin_lock(&zone->lock);
	spin_lock(&pcp->lock);
	spin_unlock(&pcp->lock);
	spin_unlock(&zone->lock);
	CHECK_LOG(mark, "(&zone->lock)");
	CHECK_LOG(mark, "circular locking dependency");
	debug_locks = 1;
	test_lock_mark = kmem_log_mark(); /* provoked */
}
#else
TEST(compiled_away)
{
	CHECK_EQ(sizeof(spinlock_t), sizeof(int));
}
#endif

int main(void)
{
	if (!getenv("KMEM_TEST_CONSOLE"))
		kmem_log_set_console(NULL);
#ifdef CONFIG_LOCKDEP
	RUN(assert_held);
	RUN(assert_held_other_thread);
	RUN(order_inversion);
	RUN(machine_locks_ranked);
#else
	RUN(compiled_away);
#endif
	return test_summary();
}
