// SPDX-License-Identifier: MIT
/*
 * Lock debugging of the host locks (include/linux/rwsem.h, the mutexes of
 * include/linux/mutex.h that wrap kmemleak_lock, fault_lock, pt_lock,
 * purge_mutex and an mm's pgt_alloc_lock): a process's mmap_lock and
 * pgt_alloc_lock taken against the lock order report the kernel's "possible
 * circular locking dependency" with both names; the order itself and a
 * trylock against it are silent; a reader of mmap_lock holds it for
 * lockdep_assert_held() and lockdep_assert_held_read() but not for
 * lockdep_assert_held_write(); a reader in another thread holds nothing for
 * this one; and a function whose comment says "the caller holds mmap_lock"
 * (expand_stack) reports when called without it. Release builds: compiled
 * away, the wrappers are the bare host locks.
 */
#include <pthread.h>
#include <stdio.h>

#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <kmem/process.h>
#include "mm/mm_user.h"
#include "test.h"

#if defined(KMEM_SANITIZE) && !defined(CONFIG_LOCKDEP)
#error "sanitizer builds run the suite with lock debugging (CONFIG_LOCKDEP)"
#endif

#ifdef CONFIG_LOCKDEP
/* pgt_alloc_lock, then mmap_lock: the inversion, with both names. */
TEST(mmap_lock_inversion)
{
	struct kmem_process *p = kmem_process_create("lockdep");
	struct kmem_process *q = kmem_process_create("lockdep2");
	size_t mark = kmem_log_mark();
	char want[128];

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(p->mm.mmap_lock.dep_map.rank, LOCK_RANK_MMAP);
	CHECK_EQ(p->mm.pgt_alloc_lock.dep_map.rank, LOCK_RANK_PGT_ALLOC);

	/* The order, for read and for write, and a trylock against it. */
	mmap_read_lock(&p->mm);
	mutex_lock_atomic(&p->mm.pgt_alloc_lock);
	mutex_unlock(&p->mm.pgt_alloc_lock);
	mmap_read_unlock(&p->mm);
	mmap_write_lock(&p->mm);
	mutex_lock_atomic(&p->mm.pgt_alloc_lock);
	mutex_unlock(&p->mm.pgt_alloc_lock);
	mmap_write_unlock(&p->mm);
	mutex_lock_atomic(&p->mm.pgt_alloc_lock);
	CHECK(down_read_trylock(&p->mm.mmap_lock));
	up_read(&p->mm.mmap_lock);
	mutex_unlock(&p->mm.pgt_alloc_lock);
	CHECK(!kmem_log_contains(mark, "circular"));
	CHECK_EQ(debug_locks, 1);

	/* Another mm's locks: lockdep ranks classes, TSan (make tsan) orders
	 * instances and would report the cycle with the locks above. */
	CHECK(q != NULL);
	if (!q)
		return;
	mutex_lock_atomic(&q->mm.pgt_alloc_lock);
	mmap_read_lock(&q->mm);
	mmap_read_unlock(&q->mm);
	mutex_unlock(&q->mm.pgt_alloc_lock);
	CHECK_LOG(mark,
		  "WARNING: possible circular locking dependency detected\n");
	snprintf(want, sizeof(want),
		 " (&mm->mmap_lock){rank %d}, at: ", LOCK_RANK_MMAP);
	CHECK_LOG(mark, want);
	CHECK_LOG(mark, "but task is already holding lock:\n");
	snprintf(want, sizeof(want),
		 " (&mm->pgt_alloc_lock){rank %d}, at: ", LOCK_RANK_PGT_ALLOC);
	CHECK_LOG(mark, want);
	CHECK_LOG(mark, "&mm->mmap_lock (rank 1) before &mm->pgt_alloc_lock");
	CHECK_EQ(kmem_log_count(mark, "circular locking"), 1);
	CHECK_EQ(debug_locks, 0);
	debug_locks = 1;
	test_lock_mark = kmem_log_mark(); /* provoked */
	CHECK_EQ(kmem_process_exit(p), 0);
	CHECK_EQ(kmem_process_exit(q), 0);
}

/* Two host mutexes of the order (as kmemleak_lock and fault_lock are):
 * fault_lock is the innermost lock, so anything ranked under it reports. */
TEST(host_mutex_inversion)
{
	DEFINE_MUTEX_RANK(leak, LOCK_RANK_KMEMLEAK);
	DEFINE_MUTEX_RANK(fault, LOCK_RANK_FAULT);
	DEFINE_MUTEX_RANK(leak2, LOCK_RANK_KMEMLEAK);
	DEFINE_MUTEX_RANK(fault2, LOCK_RANK_FAULT);
	size_t mark = kmem_log_mark();

	mutex_lock_atomic(&leak);
	mutex_lock_atomic(&fault);
	lockdep_assert_held(&leak);
	lockdep_assert_held(&fault);
	mutex_unlock(&fault);
	mutex_unlock(&leak);
	CHECK(!kmem_log_contains(mark, "WARNING"));

	/* Other instances of the same ranks (TSan orders instances). */
	mutex_lock_atomic(&fault2);
	mutex_lock_atomic(&leak2);
	mutex_unlock(&leak2);
	mutex_unlock(&fault2);
	CHECK_LOG(mark, "circular locking dependency detected");
	CHECK_LOG(mark, " (kmemleak_lock){rank ");
	CHECK_LOG(mark, " (fault_lock){rank ");
	CHECK_LOG(mark, "kmemleak_lock (rank ");
	debug_locks = 1;
	test_lock_mark = kmem_log_mark(); /* provoked */
}

TEST(mmap_lock_readers)
{
	struct kmem_process *p = kmem_process_create("lockdep");
	size_t mark = kmem_log_mark();

	CHECK(p != NULL);
	if (!p)
		return;
	mmap_read_lock(&p->mm);
	mmap_assert_locked(&p->mm);
	lockdep_assert_held_read(&p->mm.mmap_lock);
	CHECK(!kmem_log_contains(mark, "WARNING"));
	mmap_assert_write_locked(&p->mm);
	CHECK_LOG(mark, "mmap_lock is not held");
	mmap_read_unlock(&p->mm);

	mark = kmem_log_mark();
	mmap_write_lock(&p->mm);
	mmap_assert_locked(&p->mm);
	mmap_assert_write_locked(&p->mm);
	CHECK(!kmem_log_contains(mark, "WARNING"));
	lockdep_assert_held_read(&p->mm.mmap_lock);
	CHECK_LOG(mark, "mmap_lock is not held");
	mmap_write_unlock(&p->mm);

	mark = kmem_log_mark();
	mmap_assert_locked(&p->mm);
	CHECK_LOG(mark, "mmap_lock is not held");
	CHECK_LOG(mark, "WARNING: CPU: ");
	test_lock_mark = kmem_log_mark(); /* provoked */
	CHECK_EQ(kmem_process_exit(p), 0);
}

struct reader {
	struct mm_struct *mm;
	pthread_barrier_t locked, checked;
};

static void *read_in_other_thread(void *arg)
{
	struct reader *r = arg;

	mmap_read_lock(r->mm);
	pthread_barrier_wait(&r->locked);
	pthread_barrier_wait(&r->checked);
	mmap_read_unlock(r->mm);
	return NULL;
}

/* Read-held by another thread is not held by the caller. */
TEST(mmap_lock_other_reader)
{
	struct kmem_process *p = kmem_process_create("lockdep");
	size_t mark = kmem_log_mark();
	struct reader r;
	pthread_t t;

	CHECK(p != NULL);
	if (!p)
		return;
	r.mm = &p->mm;
	pthread_barrier_init(&r.locked, NULL, 2);
	pthread_barrier_init(&r.checked, NULL, 2);
	pthread_create(&t, NULL, read_in_other_thread, &r);
	pthread_barrier_wait(&r.locked);
	CHECK(!lockdep_is_held(&p->mm.mmap_lock));
	mmap_assert_locked(&p->mm);
	pthread_barrier_wait(&r.checked);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&r.locked);
	pthread_barrier_destroy(&r.checked);
	CHECK_LOG(mark, "mmap_lock is not held");
	test_lock_mark = kmem_log_mark(); /* provoked */
	CHECK_EQ(kmem_process_exit(p), 0);
}

/* expand_stack() says "the caller holds mmap_lock for write". */
TEST(expand_stack_unlocked)
{
	struct kmem_process *p = kmem_process_create("lockdep");
	struct vm_area_struct *vma;
	size_t mark;

	CHECK(p != NULL);
	if (!p)
		return;
	mmap_write_lock(&p->mm);
	CHECK(p->mm.nr_vmas > 0);
	vma = p->mm.vmas[p->mm.nr_vmas - 1];
	mark = kmem_log_mark();
	/* At its own start: nothing to grow (-EFAULT), after the assert. */
	CHECK_EQ(expand_stack(&p->mm, vma, vma->vm_start), -EFAULT);
	CHECK(!kmem_log_contains(mark, "WARNING"));
	mmap_write_unlock(&p->mm);

	CHECK_EQ(expand_stack(&p->mm, vma, vma->vm_start), -EFAULT);
	CHECK_LOG(mark, "mmap_lock is not held");
	CHECK_LOG(mark, "mm/mmap.c:");
	test_lock_mark = kmem_log_mark(); /* provoked */
	CHECK_EQ(kmem_process_exit(p), 0);
}
#else
TEST(compiled_away)
{
	CHECK_EQ(sizeof(struct rw_semaphore), sizeof(pthread_rwlock_t));
	CHECK_EQ(sizeof(struct mutex), sizeof(pthread_mutex_t));
}
#endif

int main(void)
{
	if (!getenv("KMEM_TEST_CONSOLE"))
		kmem_log_set_console(NULL);
#ifdef CONFIG_LOCKDEP
	RUN(mmap_lock_inversion);
	RUN(host_mutex_inversion);
	RUN(mmap_lock_readers);
	RUN(mmap_lock_other_reader);
	RUN(expand_stack_unlocked);
#else
	RUN(compiled_away);
#endif
	return test_summary();
}
