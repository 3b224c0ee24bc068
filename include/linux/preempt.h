/* SPDX-License-Identifier: MIT */
/* Simulated execution context.
 *
 * Each host thread is a simulated task running on a simulated CPU. It carries a
 * preempt_count laid out as the kernel's (preemption depth in bits 0-7, softirq
 * in 8-15, hardirq in 16-19, NMI in 20-23) and an "interrupts disabled" flag.
 * Spinlocks, preempt_disable, local_irq_save and irq_enter change them exactly as
 * in the kernel, so in_atomic(), in_interrupt() and might_sleep() give the
 * kernel's answers. */
#ifndef _KMEM_LINUX_PREEMPT_H
#define _KMEM_LINUX_PREEMPT_H

#include <linux/compiler.h>

#define PREEMPT_BITS 8
#define SOFTIRQ_BITS 8
#define HARDIRQ_BITS 4
#define NMI_BITS 4
#define PREEMPT_SHIFT 0
#define SOFTIRQ_SHIFT (PREEMPT_SHIFT + PREEMPT_BITS)
#define HARDIRQ_SHIFT (SOFTIRQ_SHIFT + SOFTIRQ_BITS)
#define NMI_SHIFT (HARDIRQ_SHIFT + HARDIRQ_BITS)
#define __IRQ_MASK(x) ((1UL << (x)) - 1)
#define PREEMPT_MASK (__IRQ_MASK(PREEMPT_BITS) << PREEMPT_SHIFT)
#define SOFTIRQ_MASK (__IRQ_MASK(SOFTIRQ_BITS) << SOFTIRQ_SHIFT)
#define HARDIRQ_MASK (__IRQ_MASK(HARDIRQ_BITS) << HARDIRQ_SHIFT)
#define NMI_MASK (__IRQ_MASK(NMI_BITS) << NMI_SHIFT)
#define PREEMPT_OFFSET (1UL << PREEMPT_SHIFT)
#define SOFTIRQ_OFFSET (1UL << SOFTIRQ_SHIFT)
#define HARDIRQ_OFFSET (1UL << HARDIRQ_SHIFT)
#define NMI_OFFSET (1UL << NMI_SHIFT)
#define SOFTIRQ_DISABLE_OFFSET (2 * SOFTIRQ_OFFSET)

extern KMEM_API __thread unsigned int __kmem_preempt_count;

static __always_inline int preempt_count(void)
{
	return (int)__kmem_preempt_count;
}

#define preempt_count_add(val) (__kmem_preempt_count += (val))
#define preempt_count_sub(val) (__kmem_preempt_count -= (val))
#define preempt_disable()             \
	do {                          \
		preempt_count_add(1); \
		barrier();            \
	} while (0)
#define preempt_enable()              \
	do {                          \
		barrier();            \
		preempt_count_sub(1); \
	} while (0)
#define preempt_enable_no_resched() preempt_enable()

#define hardirq_count() (preempt_count() & HARDIRQ_MASK)
#define softirq_count() (preempt_count() & SOFTIRQ_MASK)
#define irq_count() (preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK))
#define in_nmi() (preempt_count() & NMI_MASK)
#define in_hardirq() (hardirq_count())
#define in_irq() in_hardirq()
#define in_serving_softirq() (softirq_count() & SOFTIRQ_OFFSET)
#define in_softirq() (softirq_count())
#define in_interrupt() (irq_count())
#define in_task() (!(in_nmi() | in_hardirq() | in_serving_softirq()))
#define in_atomic() (preempt_count() != 0)
#define preemptible() (preempt_count() == 0 && !irqs_disabled())

/* Enter and leave simulated hard-interrupt context (what an interrupt handler
 * runs in). They nest; while inside, in_interrupt() is true and only
 * non-sleeping allocations (GFP_ATOMIC, GFP_NOWAIT) are allowed. */
KMEM_API void irq_enter(void);
KMEM_API void irq_exit(void);
KMEM_API void local_bh_disable(void);
KMEM_API void local_bh_enable(void);

#endif
