/* SPDX-License-Identifier: MIT */
#ifndef _KMEM_LINUX_HARDIRQ_H
#define _KMEM_LINUX_HARDIRQ_H
#include <linux/preempt.h>
#include <linux/irqflags.h>
#endif
