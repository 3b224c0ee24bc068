/* SPDX-License-Identifier: MIT */
/* Simulated local interrupt flag (per host thread). */
#ifndef _KMEM_LINUX_IRQFLAGS_H
#define _KMEM_LINUX_IRQFLAGS_H

#include <linux/compiler.h>

extern KMEM_API __thread unsigned int __kmem_irqs_off;

#define irqs_disabled() (__kmem_irqs_off != 0)
#define local_irq_disable() (__kmem_irqs_off = 1)
#define local_irq_enable() (__kmem_irqs_off = 0)
#define local_irq_save(flags)              \
	do {                               \
		(flags) = __kmem_irqs_off; \
		__kmem_irqs_off = 1;       \
	} while (0)
#define local_irq_restore(flags) (__kmem_irqs_off = (flags))
#define raw_local_irq_save(flags) local_irq_save(flags)
#define raw_local_irq_restore(flags) local_irq_restore(flags)

#endif
