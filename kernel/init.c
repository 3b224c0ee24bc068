// SPDX-License-Identifier: MIT
/*
 * Boot and halt: the equivalent of init/main.c's start_kernel().
 *
 * kmem_boot() resolves the configuration (struct kmem_config, then the KMEM_*
 * environment variables, then the defaults), builds the machine
 * (arch/x86/machine.c: RAM, layout, direct map, memblock), brings up the page
 * allocator (mm/page_alloc.c), then runs the registered initcalls in level
 * order (slab, kmalloc, vmalloc, user address spaces ...). kmem_halt() undoes
 * it all in reverse.
 *
 * Locking: boot_lock serialises boot and halt. __kmem_running is published
 * with release order once every initcall has run, so an allocator that sees
 * it set (acquire) sees a complete machine; a thread that does not see it
 * waits for boot_lock in kmem_boot_default() and finds the machine up. The
 * booting thread itself (kmem_booting) lets the initcalls allocate before
 * the machine is published. Halting while other threads still use the
 * machine is the caller's error, as unplugging a running computer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>

#include <linux/kernel.h>
#include <kmem/machine.h>
#include "kernel/internal.h"
#include "arch/x86/machine.h"
#include "mm/internal.h"

/* Every layer, so that a static link pulls them all in (see KMEM_LINK_ANCHOR). */
extern const char __kmem_anchor_proc;
extern const char __kmem_anchor_meminfo;
extern const char __kmem_anchor_mmap;
extern const char __kmem_anchor_slab_common;
extern const char __kmem_anchor_slub;
extern const char __kmem_anchor_vmalloc;
static const char *const kmem_layers[] __used = {
	&__kmem_anchor_proc,
	&__kmem_anchor_meminfo,
	&__kmem_anchor_mmap,
	&__kmem_anchor_slab_common,
	&__kmem_anchor_slub,
	&__kmem_anchor_vmalloc,
};

struct kmem_config kmem_cfg;
int __kmem_running;
unsigned long kmem_boot_generation;

static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;
/* Set in the thread running kmem_boot()'s initcalls (which allocate). */
static __thread bool kmem_booting;
static struct kmem_initcall *initcalls; /* sorted by level */

void kmem_register_initcall(struct kmem_initcall *ic)
{
	struct kmem_initcall **pp;

	pthread_mutex_lock(&boot_lock);
	for (pp = &initcalls; *pp && (*pp)->level <= ic->level; pp = &(*pp)->next)
		;
	ic->next = *pp;
	*pp = ic;
	pthread_mutex_unlock(&boot_lock);
}

unsigned long long kmem_parse_size(const char *s)
{
	unsigned long long v;
	char *end;
	unsigned int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return 0;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		break;
	}
	if (shift) {
		if (v > (~0ULL >> shift))
			return 0; /* does not fit in 64 bits: not a size */
		v <<= shift;
		end++;
	}
	if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
		end += strlen(end);
	return *end ? 0 : v;
}

static int resolve_config(const struct kmem_config *in, struct kmem_config *out)
{
	const char *env;
	long ncpu;

	memset(out, 0, sizeof(*out));
	if (in)
		*out = *in;
	if (!out->ram) {
		env = getenv("KMEM_RAM");
		out->ram = env ? kmem_parse_size(env) : 256ULL << 20;
		if (!out->ram) {
			pr_err("kmem: KMEM_RAM=%s is not a size (try 160M or 2G)\n", env);
			return -EINVAL;
		}
	}
	if (out->layout == KMEM_LAYOUT_DEFAULT) {
		env = getenv("KMEM_LAYOUT");
		if (!env || !strcmp(env, "x86-64") || !strcmp(env, "x86_64")) {
			out->layout = KMEM_LAYOUT_X86_64;
		} else if (!strcmp(env, "x86-32") || !strcmp(env, "x86_32") ||
			   !strcmp(env, "i386")) {
			out->layout = KMEM_LAYOUT_X86_32;
		} else {
			pr_err("kmem: KMEM_LAYOUT=%s: use x86-64 or x86-32\n", env);
			return -EINVAL;
		}
	}
	if (!out->cpus) {
		env = getenv("KMEM_CPUS");
		if (env) {
			out->cpus = atoi(env);
			if (out->cpus <= 0) {
				pr_err("kmem: KMEM_CPUS=%s is not a CPU count\n", env);
				return -EINVAL;
			}
		} else {
			ncpu = sysconf(_SC_NPROCESSORS_ONLN);
			out->cpus = ncpu > 0 ? (int)ncpu : 1;
		}
	}
	if (out->cpus > 256) {
		pr_err("kmem: %d CPUs: at most 256 are simulated\n", out->cpus);
		return -EINVAL;
	}
	if (!out->swap) {
		env = getenv("KMEM_SWAP");
		if (env && *env) {
			out->swap = kmem_parse_size(env);
			if (!out->swap && strcmp(env, "0")) {
				pr_err("kmem: KMEM_SWAP=%s is not a size\n", env);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static void run_exits(struct kmem_initcall *upto)
{
	/* initcalls is a singly linked list in level order: exit in reverse. */
	struct kmem_initcall *stack[64], *ic;
	int n = 0;

	for (ic = initcalls; ic && ic != upto && n < 64; ic = ic->next)
		stack[n++] = ic;
	while (n--)
		if (stack[n]->exit)
			stack[n]->exit();
}

int kmem_boot(const struct kmem_config *cfg)
{
	struct kmem_initcall *ic;
	int ret;

	pthread_mutex_lock(&boot_lock);
	if (__kmem_running) {
		pthread_mutex_unlock(&boot_lock);
		return -EBUSY;
	}
	ret = resolve_config(cfg, &kmem_cfg);
	if (ret)
		goto out_unlock;
	nr_cpu_ids = (unsigned int)kmem_cfg.cpus;
	__kmem_cpu = -1;

	ret = arch_machine_setup(&kmem_cfg);
	if (ret)
		goto out_unlock;
	ret = page_alloc_init();
	if (ret)
		goto out_arch;
	/* Initcalls may allocate: kmem_booting lets this thread's
	 * kmem_ensure_booted() pass; other threads wait for boot_lock. */
	kmem_boot_generation++;
	kmem_booting = true;
	for (ic = initcalls; ic; ic = ic->next) {
		ret = ic->init();
		if (ret) {
			pr_err("kmem: %s failed: %d\n", ic->name, ret);
			run_exits(ic);
			kmem_booting = false;
			goto out_page_alloc;
		}
	}
	kmem_booting = false;
	__atomic_store_n(&__kmem_running, 1, __ATOMIC_RELEASE);
	if (!kmem_cfg.quiet)
		arch_print_banner();
	pthread_mutex_unlock(&boot_lock);
	return 0;

out_page_alloc:
	page_alloc_exit();
out_arch:
	arch_machine_teardown();
out_unlock:
	pthread_mutex_unlock(&boot_lock);
	return ret;
}

void kmem_boot_default(void)
{
	int ret;

	if (__atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE) || kmem_booting)
		return;
	ret = kmem_boot(NULL);
	if (ret && ret != -EBUSY)
		panic("kmem: cannot boot the default machine (error %d)", ret);
}

void kmem_halt(void)
{
	pthread_mutex_lock(&boot_lock);
	if (!__kmem_running) {
		pthread_mutex_unlock(&boot_lock);
		return;
	}
	run_exits(NULL);
	__atomic_store_n(&__kmem_running, 0, __ATOMIC_RELEASE);
	page_alloc_exit();
	arch_machine_teardown();
	pthread_mutex_unlock(&boot_lock);
}

bool kmem_is_booted(void)
{
	return __atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE) != 0;
}

/* fork() holds the boot lock from before the fork until after it in both
 * processes (arch/x86/fork.c), so no machine is half booted or halted then. */
void kmem_boot_lock(void)
{
	pthread_mutex_lock(&boot_lock);
}

void kmem_boot_unlock(void)
{
	pthread_mutex_unlock(&boot_lock);
}
