/* SPDX-License-Identifier: MIT */
/* Private interface of kernel/: boot sequencing, initcalls, the resolved
 * configuration. Included by every layer's .c files, never installed. */
#ifndef _KMEM_KERNEL_INTERNAL_H
#define _KMEM_KERNEL_INTERNAL_H

#include <linux/kernel.h>
#include <kmem/machine.h>
#include "kernel/printk.h"
#include "kernel/hooks.h"

/* The configuration of the running machine, every field resolved. */
extern struct kmem_config kmem_cfg;

/* Non-zero while a machine is up. Every public entry point calls
 * kmem_ensure_booted() (one predictable branch) before it reads any machine
 * state (zones, the vmalloc range, the caches), so kernel code needs no setup.
 * It returns false if no machine could be booted (a bad KMEM_* value: the
 * line saying so was printed once); the entry point then fails as its API
 * allows (NULL, -ENOMEM, nothing done). */
extern int __kmem_running;

static __always_inline bool kmem_ensure_booted(void)
{
	if (likely(__atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE)))
		return true;
	return kmem_boot_default() == 0;
}

/*
 * Initcalls: each layer registers an init and an exit function at a level;
 * kmem_boot() runs the inits in increasing level order after the machine and
 * the page allocator are up, kmem_halt() runs the exits in reverse. A layer
 * that is not linked into the program is simply not initialised.
 */
enum kmem_init_level {
	KMEM_INIT_EARLY = 10, /* after the page allocator: stats, reclaim */
	KMEM_INIT_SLAB = 20,  /* slab core and kmalloc caches */
	KMEM_INIT_VMALLOC = 30,
	KMEM_INIT_MM = 40, /* user address spaces, swap */
	KMEM_INIT_LATE = 90,
};

struct kmem_initcall {
	const char *name;
	int level;
	int (*init)(void);  /* 0 or -errno: the boot fails */
	void (*exit)(void); /* may be NULL */
	struct kmem_initcall *next;
};

void kmem_register_initcall(struct kmem_initcall *ic);

/* A static hook for fn (kernel/hooks.h), to register from an initcall and
 * unregister in its exit. */
#define KMEM_HOOK(var, f, prio) \
	static struct kmem_hook var = { #f, (const void *)(f), (prio), NULL }

/* The invariant checkers (kernel/check.c): fn is a bool (*)(void). */
extern struct kmem_hook_list kmem_checkers;
/* The /proc views (kernel/show.c): fn is a const struct kmem_view *. */
extern struct kmem_hook_list kmem_views;

/* Take the command line (cfg->cmdline, else $KMEM_CMDLINE), point
 * cfg->cmdline at the machine's copy and run the parameters' handlers
 * (kernel/cmdline.c). Called by kmem_boot() under boot_lock. */
void kmem_cmdline_boot(struct kmem_config *cfg);
/* The machine's CPUs at boot (kernel/context.c): nr_cpu_ids = cpus, and the
 * CPUs are handed out afresh from CPU 0, which the booting thread gets. */
void smp_cpus_init(unsigned int cpus);
/* The kernel's kstrtobool(): y/Y/t/T/1, n/N/f/F/0, on/off; 0 or -EINVAL. */
int kstrtobool(const char *s, bool *res);

#define KMEM_INITCALL(lvl, initfn, exitfn)                                 \
	static struct kmem_initcall __kmem_initcall_##initfn = {           \
		#initfn, (lvl), (initfn), (exitfn), NULL                   \
	};                                                                 \
	__attribute__((constructor)) static void __kmem_reg_##initfn(void) \
	{                                                                  \
		kmem_register_initcall(&__kmem_initcall_##initfn);         \
	}

/*
 * Link anchors. A layer whose only entry points are constructors (initcalls,
 * /proc views) would be dropped from a program linked against the static
 * libkmem.a, since nothing references its object file. Each such file says
 * KMEM_LINK_ANCHOR(name) and init/main.c references every anchor, so linking
 * the boot code links every layer, as a kernel image holds all its subsystems.
 */
#define KMEM_LINK_ANCHOR(name) const char __kmem_anchor_##name = 1

/*
 * fork() (init/fork.c): the child gets its own copy of the machine. A layer
 * with locks to hold across fork(), or state of its own to copy, gives its
 * hooks; they run only while a machine is up, with the boot lock held.
 * prepare runs in the parent before fork() in increasing `order` (the lock
 * order: outermost lock first), then the RAM is copied; parent and child
 * run in decreasing order after it, child once the RAM is the child's own
 * (it may touch kmem memory, after releasing its locks).
 *
 * The hooks are on a hook list (kernel/hooks.h) whose fn is a const struct
 * kmem_fork_ops * and whose priority is -order. Like the /proc views they
 * are registered by a constructor, because a fork may come before any boot
 * or after a halt (they do nothing then), and unregistered by a destructor.
 */
struct kmem_fork_ops {
	void (*prepare)(void);
	void (*parent)(void);
	void (*child)(void);
};

extern struct kmem_hook_list kmem_fork_hooks;

#define KMEM_FORK_HOOKS(ord, prep, par, chld)                                 \
	static const struct kmem_fork_ops __kmem_fork_ops_##prep = {          \
		.prepare = (prep),                                            \
		.parent = (par),                                              \
		.child = (chld),                                              \
	};                                                                    \
	static struct kmem_hook __kmem_fork_##prep = {                        \
		.name = #prep,                                                \
		.fn = &__kmem_fork_ops_##prep,                                \
		.priority = -(ord),                                           \
	};                                                                    \
	__attribute__((constructor)) static void __kmem_regfork_##prep(void)  \
	{                                                                     \
		kmem_hook_register(&kmem_fork_hooks, &__kmem_fork_##prep);    \
	}                                                                     \
	__attribute__((destructor)) static void __kmem_unregfork_##prep(void) \
	{                                                                     \
		kmem_hook_unregister(&kmem_fork_hooks, &__kmem_fork_##prep);  \
	}

#endif
