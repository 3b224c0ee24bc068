// SPDX-License-Identifier: MIT
/*
 * Simulated execution context: which CPU a thread runs on, its preempt_count
 * and interrupt flag, "current" (comm and pid), and might_sleep().
 *
 * All of it is per host thread (__thread), so it needs no locking, except the
 * set of might_sleep() call sites already reported (site_lock).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <kmem/machine.h>
#include "kernel/internal.h"

__thread unsigned int __kmem_preempt_count;
__thread unsigned int __kmem_irqs_off;
__thread int __kmem_cpu = -1;
unsigned int nr_cpu_ids = 1;

static __thread const char *current_comm;
static __thread int current_pid;
static unsigned int next_cpu;

int __kmem_assign_cpu(void)
{
	unsigned int n = __atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED);

	__kmem_cpu = (int)(n % (nr_cpu_ids ? nr_cpu_ids : 1));
	return __kmem_cpu;
}

void smp_cpus_init(unsigned int cpus)
{
	nr_cpu_ids = cpus;
	__atomic_store_n(&next_cpu, 0, __ATOMIC_RELAXED);
	__kmem_cpu = -1;
}

unsigned int num_online_cpus(void)
{
	kmem_ensure_booted();
	return nr_cpu_ids;
}

void kmem_set_cpu(int cpu)
{
	/* Boot first: nr_cpu_ids is the machine's, and boot resets the CPU. */
	if (!kmem_ensure_booted())
		return;
	if (cpu < 0 || (unsigned int)cpu >= nr_cpu_ids) {
		pr_warn("kmem: no CPU %d (the machine has %u)\n", cpu,
			nr_cpu_ids);
		return;
	}
	__kmem_cpu = cpu;
}

const char *kmem_current_comm(void)
{
	return current_comm ? current_comm : program_invocation_short_name;
}

/* The host's tid of this thread, what kmem_current_pid() says outside any
 * simulated process (current_pid 0). */
static __thread int host_tid;

int kmem_current_pid(void)
{
	if (current_pid)
		return current_pid;
	if (!host_tid)
		host_tid = (int)syscall(SYS_gettid);
	return host_tid;
}

void kmem_set_current(const char *comm, int pid)
{
	current_comm = comm;
	current_pid = pid == host_tid ? 0 :
					pid; /* a saved host tid: follow it */
}

/* A forked child's thread has a tid of its own. */
static void current_pid_fork_child(void)
{
	host_tid = 0;
}

__attribute__((constructor)) static void current_pid_init(void)
{
	pthread_atfork(NULL, NULL, current_pid_fork_child);
}

void irq_enter(void)
{
	preempt_count_add(HARDIRQ_OFFSET);
}

void irq_exit(void)
{
	WARN_ON_ONCE(!in_hardirq());
	preempt_count_sub(HARDIRQ_OFFSET);
}

void local_bh_disable(void)
{
	preempt_count_add(SOFTIRQ_DISABLE_OFFSET);
}

void local_bh_enable(void)
{
	preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
}

void __kmem_spin_lock_slow(spinlock_t *lock)
{
	unsigned int spins = 0;

	for (;;) {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED)) {
			if (++spins < 64)
				__builtin_ia32_pause();
			else
				sched_yield();
		}
		if (!__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
			return;
	}
}

/* might_sleep() call sites already reported: (file, line, caller). */
#define MAX_SITES 256
static struct {
	const char *file;
	int line;
	const void *caller;
} sites[MAX_SITES];
static unsigned int nr_sites;
static DEFINE_MUTEX_RANK(site_lock, LOCK_RANK_REPORT);

static bool site_seen(const char *file, int line, const void *caller)
{
	unsigned int i;
	bool seen = false;

	mutex_lock_atomic(&site_lock);
	for (i = 0; i < nr_sites; i++) {
		if (sites[i].line == line && sites[i].caller == caller &&
		    !strcmp(sites[i].file, file)) {
			seen = true;
			break;
		}
	}
	if (!seen && nr_sites < MAX_SITES) {
		sites[nr_sites].file = file;
		sites[nr_sites].line = line;
		sites[nr_sites].caller = caller;
		nr_sites++;
	}
	mutex_unlock(&site_lock);
	return seen;
}

noinline void __might_sleep(const char *file, int line, const void *caller)
{
	char sym[160];

	if (likely(preempt_count() == 0 && !irqs_disabled()))
		return;
	if (site_seen(file, line, caller))
		return;
	pr_err("BUG: sleeping function called from invalid context at %s:%d\n",
	       file, line);
	pr_err("in_atomic(): %d, irqs_disabled(): %d, non_block: 0, pid: %d, name: %s\n",
	       in_atomic() ? 1 : 0, irqs_disabled() ? 1 : 0, kmem_current_pid(),
	       kmem_current_comm());
	pr_err("preempt_count: %x, expected: 0\n", preempt_count());
	pr_err("RCU nest depth: 0, expected: 0\n");
	pr_err("CPU: %d UID: 0 PID: %d Comm: %s\n", raw_smp_processor_id(),
	       kmem_current_pid(), kmem_current_comm());
	pr_err("Call Trace:\n");
	pr_err(" <TASK>\n");
	pr_err(" %s\n", kmem_symbolize(caller, sym, sizeof(sym)));
	pr_err(" </TASK>\n");
}
