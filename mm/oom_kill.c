// SPDX-License-Identifier: MIT
/*
 * Killing processes: the OOM killer (the kernel's mm/oom_kill.c) and the
 * kill that follows a segmentation fault.
 *
 * process_kill() marks the process dead with a signal (SIGSEGV, SIGKILL) and
 * frees its memory at once: every frame, swap slot and host mapping of its
 * address space (what the OOM reaper does for a victim); its VMAs and page
 * tables stay until kmem_process_exit(), as a zombie's. Threads inside it are
 * thrown back to their kmem_process_enter() at their next fault or system
 * call (mm/mmap.c: process_die).
 *
 * The OOM killer runs when an allocation that may use the file system has
 * failed after direct reclaim made no progress (mm/page_alloc.c calls
 * out_of_memory()): with swap full or absent, nothing else can give memory
 * back. It picks the process with the highest badness, the kernel's
 * oom_badness(): resident pages + swap entries + page-table pages (every
 * process has oom_score_adj 0), prints the kernel's report and kills it.
 *
 * Locking: process_lock (read) is held while the victim is chosen and killed,
 * so that it cannot exit meanwhile; killing takes its page_table_lock. The
 * OOM killer runs inside allocations, under an mm's mmap_lock, which is below
 * process_lock in the lock order: it only trylocks process_lock.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include "mm/mm_user.h"

#define K(pages) ((pages) << (PAGE_SHIFT - 10))
#define PROCESS_UID 1000

void process_kill(struct kmem_process *p, int sig)
{
	int old = 0;

	if (!__atomic_compare_exchange_n(&p->killed, &old, sig, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* already dead */
	reap_mm(&p->mm);
}

static void mm_counters(struct mm_struct *mm, long c[NR_MM_COUNTERS],
			unsigned long *ptes)
{
	int i;

	spin_lock(&mm->page_table_lock);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		c[i] = mm->rss[i];
	*ptes = mm->pgt.nr_table_pages;
	spin_unlock(&mm->page_table_lock);
}

void oom_kill_process(struct kmem_process *p, const char *message)
{
	long c[NR_MM_COUNTERS];
	unsigned long ptes;

	mm_counters(&p->mm, c, &ptes);
	pr_err("%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:0kB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:0\n",
	       message, p->pid, p->comm, K(p->mm.total_vm),
	       K((unsigned long)c[MM_ANONPAGES]),
	       K((unsigned long)c[MM_SHMEMPAGES]), PROCESS_UID, K(ptes));
	process_kill(p, SIGKILL);
	mm_counters(&p->mm, c, &ptes);
	pr_info("oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:0kB, shmem-rss:%lukB\n",
		p->pid, p->comm, K((unsigned long)c[MM_ANONPAGES]),
		K((unsigned long)c[MM_SHMEMPAGES]));
}

static unsigned long oom_badness(struct kmem_process *p)
{
	long c[NR_MM_COUNTERS];
	unsigned long ptes;

	mm_counters(&p->mm, c, &ptes);
	return (unsigned long)(c[MM_ANONPAGES] + c[MM_SHMEMPAGES] +
			       c[MM_SWAPENTS]) +
	       ptes;
}

static void dump_tasks(void)
{
	struct kmem_process *p;

	pr_info("Tasks state (memory values in pages):\n");
	pr_info("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name\n");
	list_for_each_entry(p, &process_list, list) {
		long c[NR_MM_COUNTERS];
		unsigned long ptes;

		if (__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE))
			continue;
		mm_counters(&p->mm, c, &ptes);
		pr_info("[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8lu %8lu         %5d %s\n",
			p->pid, PROCESS_UID, p->pid, p->mm.total_vm,
			(unsigned long)(c[MM_ANONPAGES] + c[MM_SHMEMPAGES]),
			(unsigned long)c[MM_ANONPAGES], 0UL,
			(unsigned long)c[MM_SHMEMPAGES], ptes << PAGE_SHIFT,
			(unsigned long)c[MM_SWAPENTS], 0, p->comm);
	}
}

bool oom_kill_largest(gfp_t gfp, unsigned int order)
{
	struct kmem_process *p, *victim = NULL;
	unsigned long best = 0, points;
	char flags[256];

	/* Inside an allocation, which may hold an mm's mmap_lock: below it in
	 * the lock order, so only tried (the kernel's oom_lock is tried too).
	 * Its writers add or remove a list entry and wait for nothing, so
	 * this ends. */
	while (!down_read_trylock(&process_lock))
		sched_yield();
	list_for_each_entry(p, &process_list, list) {
		if (__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE))
			continue;
		points = oom_badness(p);
		if (points > best) {
			best = points;
			victim = p;
		}
	}
	/* A victim with nothing but page tables would free nothing useful. */
	if (!victim || best <= victim->mm.pgt.nr_table_pages) {
		up_read(&process_lock);
		return false;
	}
	kmem_format_gfp(gfp, flags, sizeof(flags));
	pr_warn("%s invoked oom-killer: gfp_mask=%#x(%s), order=%u, oom_score_adj=0\n",
		kmem_current_comm(), gfp, flags, order);
	pr_warn("CPU: %d UID: %d PID: %d Comm: %s\n", raw_smp_processor_id(),
		PROCESS_UID, kmem_current_pid(), kmem_current_comm());
	dump_stack();
	show_free_areas();
	dump_tasks();
	pr_info("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=%s,pid=%d,uid=%d\n",
		victim->comm, victim->pid, PROCESS_UID);
	oom_kill_process(victim, "Out of memory");
	up_read(&process_lock);
	return true;
}

/*
 * kill(2) for the simulated processes: sig kills process pid (0: the calling
 * thread's own). There are no handlers, so every signal is fatal, as SIGKILL
 * and a blocked-and-default SIGABRT are: the C library's abort() lands here.
 * A thread killing its own process does not come back (it is thrown back to
 * its kmem_process_enter(), as at a segfault).
 */
int kmem_sys_kill(int pid, int sig)
{
	struct kmem_process *self = current_process();
	struct kmem_process *p;

	if (sig < 0 || sig >= 65) {
		errno = EINVAL;
		return -1;
	}
	down_read(&process_lock);
	p = pid == 0 ? self : find_process(pid);
	if (!p || __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
		up_read(&process_lock);
		errno = ESRCH;
		return -1;
	}
	if (sig)
		process_kill(p, sig);
	up_read(&process_lock);
	if (sig && p == self)
		process_die();
	return 0;
}
