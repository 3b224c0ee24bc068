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
 * fork() (arch/x86/fork.c): the child gets its own copy of the machine. A
 * layer with locks to hold across fork(), or state of its own to copy,
 * registers hooks; they run only while a machine is up, with the boot lock
 * held. prepare runs in the parent before fork() in increasing `order` (the
 * lock order: outermost lock first), then the RAM is copied; parent and
 * child run in decreasing order after it, child once the RAM is the child's
 * own (it may touch kmem memory, after releasing its locks).
 */
struct kmem_fork_hooks {
	const char *name;
	int order;
	void (*prepare)(void);
	void (*parent)(void);
	void (*child)(void);
	struct kmem_fork_hooks *next;
};

void kmem_register_fork_hooks(struct kmem_fork_hooks *h);

#define KMEM_FORK_HOOKS(ord, prep, par, chld)                                \
	static struct kmem_fork_hooks __kmem_fork_##prep = { #prep,  (ord),  \
							     (prep), (par),  \
							     (chld), NULL }; \
	__attribute__((constructor)) static void __kmem_regfork_##prep(void) \
	{                                                                    \
		kmem_register_fork_hooks(&__kmem_fork_##prep);               \
	}

/* A new memfd (close-on-exec) with the contents of memfd `fd`: same size,
 * only the populated parts copied (holes stay holes). The new fd or -errno. */
int kmem_copy_memfd(int fd, const char *name);

/* The boot lock, for fork() (init/main.c). */
void kmem_boot_lock(void);
void kmem_boot_unlock(void);

#endif
