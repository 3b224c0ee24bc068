/* SPDX-License-Identifier: MIT */
#ifndef _KMEM_LINUX_CPUMASK_H
#define _KMEM_LINUX_CPUMASK_H
#include <linux/smp.h>
#endif
