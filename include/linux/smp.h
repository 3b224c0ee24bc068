/* SPDX-License-Identifier: MIT */
/* Simulated CPUs. The machine has nr_cpu_ids CPUs (KMEM_CPUS); each host thread
 * is given one, round robin, the first time it asks (kmem_set_cpu() pins it). */
#ifndef _KMEM_LINUX_SMP_H
#define _KMEM_LINUX_SMP_H

#include <linux/compiler.h>

extern KMEM_API unsigned int nr_cpu_ids;
extern KMEM_API __thread int __kmem_cpu;
KMEM_API int __kmem_assign_cpu(void);

/* A thread keeps its CPU across kmem_halt() and the next boot (its TLS is out
 * of the halt's reach), so a CPU is valid only below this machine's
 * nr_cpu_ids: one unsigned compare also sends -1 (none yet) to the slow
 * path, which gives the thread one of this machine's CPUs. */
static __always_inline int raw_smp_processor_id(void)
{
	int cpu = __kmem_cpu;

	return likely((unsigned int)cpu < nr_cpu_ids) ? cpu :
							__kmem_assign_cpu();
}
#define smp_processor_id() raw_smp_processor_id()
/* clang-format off: one-line initializer, as in the kernel */
#define get_cpu()                   \
	({                          \
		preempt_disable();  \
		smp_processor_id(); \
	})
/* clang-format on */
#define put_cpu() preempt_enable()

/* The machine's CPUs (booting it first, so a first call sees its count). */
KMEM_API unsigned int num_online_cpus(void);
#define num_possible_cpus() num_online_cpus()
#define for_each_online_cpu(cpu) \
	for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)
#define for_each_possible_cpu(cpu) for_each_online_cpu(cpu)

#endif
