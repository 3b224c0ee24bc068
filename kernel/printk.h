/* SPDX-License-Identifier: MIT */
/* Private interface of kernel/printk.c beyond <linux/printk.h>: what the
 * lowest layers (arch/, the fault handler) may call. Includes nothing of the
 * layers above, so arch/ can use it without depending on boot or mm. */
#ifndef _KMEM_KERNEL_PRINTK_H
#define _KMEM_KERNEL_PRINTK_H

#include <stdbool.h>
#include <stddef.h>

/* kmem_symbolize() is public: <kmem/introspect.h>. */
#include <kmem/introspect.h>
/* kmem_symbolize() without libdw, from dladdr1() and the library's own
 * symbol table alone: safe in the fault (signal) paths once that table is
 * loaded (KFENCE loads it at boot) (kernel/kallsyms.c). */
char *kmem_symbolize_fast(const void *addr, char *buf, size_t len);

/* Write a message straight to the console and log without taking locks that
 * may be held (used from the fault handler before the process stops). */
void kmem_emergency_write(const char *msg);

#endif
