// SPDX-License-Identifier: MIT
/*
 * Boot and halt, where the kernel has them: start_kernel()'s order.
 *
 * kmem_boot() resolves the configuration (struct kmem_config, then the KMEM_*
 * environment variables, then the defaults) and parses the command line
 * (parse_early_param), builds the machine (setup_arch: arch/x86/machine.c,
 * RAM, layout, direct map, memblock), brings up the page allocator
 * (mm_core_init: mm/page_alloc.c), then runs the registered initcalls in level
 * order (do_initcalls: slab, kmalloc, vmalloc, user address spaces ...).
 * kmem_halt() undoes it all in reverse.
 *
 * The lazy boot of a first call has one gate: kmem_ensure_booted()
 * (kernel/internal.h) and kmem_boot_default() below; the layers below (arch/,
 * mm/) never boot a machine themselves.
 *
 * Configuration errors are found before anything is built
 * (kmem_config_resolve(): one line naming the variable, the value and the
 * accepted range). The implicit boot of the first call never panics: its
 * failure is remembered in default_boot_err, so that every later call fails
 * fast the same way (NULL, an error) without printing the line again.
 *
 * Locking: boot_lock serialises boot and halt. __kmem_running is published
 * with release order once every initcall has run, so an allocator that sees
 * it set (acquire) sees a complete machine; a thread that does not see it
 * waits for boot_lock in kmem_boot_default() and finds the machine up. The
 * booting thread itself (kmem_booting) lets the initcalls allocate before
 * the machine is published. default_boot_err is written under boot_lock and
 * read without it (release/acquire) on the failure path only. Halting while
 * other threads still use the machine is the caller's error, as unplugging a
 * running computer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <unistd.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <kmem/log.h>
#include <kmem/machine.h>
#include "kernel/internal.h"
#include "arch/x86/machine.h"
#include "mm/internal.h"
#include "init/init.h"

/* Every layer, so that a static link pulls them all in (see KMEM_LINK_ANCHOR). */
extern const char __kmem_anchor_proc;
extern const char __kmem_anchor_meminfo;
extern const char __kmem_anchor_mmap;
extern const char __kmem_anchor_slab_common;
extern const char __kmem_anchor_slub;
extern const char __kmem_anchor_vmalloc;
extern const char __kmem_anchor_task_mmu;
extern const char __kmem_anchor_percpu;
extern const char __kmem_anchor_fork;
static const char *const kmem_layers[] __used = {
	&__kmem_anchor_proc,	 &__kmem_anchor_meminfo,
	&__kmem_anchor_mmap,	 &__kmem_anchor_slab_common,
	&__kmem_anchor_slub,	 &__kmem_anchor_vmalloc,
	&__kmem_anchor_task_mmu, &__kmem_anchor_percpu,
	&__kmem_anchor_fork,
};

struct kmem_config kmem_cfg;
int __kmem_running;
unsigned long kmem_boot_generation;

static DEFINE_MUTEX_RANK(boot_lock, LOCK_RANK_BOOT);
/* Set in the thread booting or halting the machine: its own calls to entry
 * points pass kmem_ensure_booted() instead of booting (and deadlocking). */
static __thread bool kmem_booting;
/* The remembered failure of the implicit boot (0: none); see below. */
static int default_boot_err;
static struct kmem_initcall *initcalls; /* sorted by level */

void kmem_register_initcall(struct kmem_initcall *ic)
{
	struct kmem_initcall **pp;

	mutex_lock_atomic(&boot_lock);
	for (pp = &initcalls; *pp && (*pp)->level <= ic->level;
	     pp = &(*pp)->next)
		;
	ic->next = *pp;
	*pp = ic;
	mutex_unlock(&boot_lock);
}

/* A size: digits, then an optional K/M/G/T and an optional "B" or "iB". */
static bool kmem_parse_size_ok(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;
	unsigned int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
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
			return false; /* does not fit in 64 bits: not a size */
		v <<= shift;
		end++;
	}
	if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
		end += strlen(end);
	if (*end)
		return false;
	*out = v;
	return true;
}

unsigned long long kmem_parse_size(const char *s)
{
	unsigned long long v;

	return kmem_parse_size_ok(s, &v) ? v : 0;
}

/*
 * Configuration errors. Every value is checked here, before anything is built,
 * and reported in one line that names the variable, the value as the user
 * wrote it and what is accepted, e.g.
 *	kmem: KMEM_RAM=16M: too little RAM; use 32M to 64G
 * A value given in struct kmem_config is named as the field.
 */
static int config_error(char *msg, size_t len, const char *var, const char *val,
			const char *why)
{
	snprintf(msg, len, "kmem: %s=%s: %s", var, val, why);
	return -EINVAL;
}

/* One size, from the environment (as written) or the struct (in bytes). */
static int check_size(const char *env, const char *envname, const char *field,
		      unsigned long long *v, unsigned long long min,
		      unsigned long long max, const char *range,
		      const char *what, char *msg, size_t len)
{
	char num[32], why[96];
	const char *var = env ? envname : field, *val = env;

	if (!env) {
		snprintf(num, sizeof(num), "%llu", *v);
		val = num;
	}
	if (env && !kmem_parse_size_ok(env, v)) {
		snprintf(why, sizeof(why), "not a size; use %s (e.g. 160M, 2G)",
			 range);
		return config_error(msg, len, var, val, why);
	}
	if (*v < min || *v > max) {
		snprintf(why, sizeof(why), "too %s %s; use %s",
			 *v < min ? "little" : "much", what, range);
		return config_error(msg, len, var, val, why);
	}
	return 0;
}

/* "slub", "slab", "slob" (any case), or KMEM_SLAB_DEFAULT. */
static enum kmem_slab slab_by_name(const char *s, size_t n)
{
	static const char *const names[] = { "slub", "slab", "slob" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (n == 4 && !strncasecmp(s, names[i], n))
			return (enum kmem_slab)(KMEM_SLAB_SLUB + i);
	return KMEM_SLAB_DEFAULT;
}

/* The value of slab_allocator= on a command line (the parser's rules for a
 * plain argument: spaces end it, '-' and '_' are one), or NULL; *n its
 * length. The last one wins, as for any repeated parameter. */
static const char *cmdline_slab_value(const char *line, size_t *n)
{
	static const char key[] = "slab_allocator=";
	const char *found = NULL, *p = line;

	while (p && *p) {
		size_t i;

		while (*p == ' ' || *p == '\t')
			p++;
		for (i = 0; key[i]; i++)
			if (!(p[i] == key[i] || (key[i] == '_' && p[i] == '-')))
				break;
		if (!key[i]) {
			found = p + i;
			*n = strcspn(found, " \t");
		}
		p += strcspn(p, " \t");
	}
	return found;
}

/* The slab allocator: the field, $KMEM_SLAB, slab_allocator= on the command
 * line, SLUB. A name this build does not have is an error, never a silent
 * fall back to another allocator. */
static int resolve_slab(struct kmem_config *out, char *msg, size_t len)
{
	const char *env = getenv("KMEM_SLAB"), *var = "KMEM_SLAB", *val = env;
	char num[24], why[96], word[32];
	size_t n = 0;

	if (out->slab != KMEM_SLAB_DEFAULT) {
		if (out->slab < KMEM_SLAB_SLUB || out->slab > KMEM_SLAB_SLOB) {
			snprintf(num, sizeof(num), "%d", (int)out->slab);
			return config_error(
				msg, len, "kmem_config.slab", num,
				"unknown slab allocator; use KMEM_SLAB_SLUB, KMEM_SLAB_SLAB or KMEM_SLAB_SLOB");
		}
		var = "kmem_config.slab";
		val = slab_allocator_name(out->slab);
	} else if (env && *env) {
		out->slab = slab_by_name(env, strlen(env));
	} else {
		const char *line = out->cmdline ? out->cmdline :
						  getenv("KMEM_CMDLINE");

		val = cmdline_slab_value(line, &n);
		if (!val) {
			out->slab = KMEM_SLAB_SLUB;
			return 0;
		}
		snprintf(word, sizeof(word), "%.*s",
			 (int)min(n, sizeof(word) - 1), val);
		val = word;
		var = "slab_allocator";
		out->slab = slab_by_name(val, n);
	}
	if (out->slab == KMEM_SLAB_DEFAULT)
		return config_error(
			msg, len, var, val,
			"unknown slab allocator; use slub, slab or slob");
	if (!slab_allocator_built(out->slab)) {
		snprintf(why, sizeof(why),
			 "%s is not in this build yet; use slub",
			 slab_allocator_name(out->slab));
		return config_error(msg, len, var, val, why);
	}
	return 0;
}

int kmem_config_resolve(const struct kmem_config *in, struct kmem_config *out,
			char *msg, size_t len)
{
	const char *env, *ram_env = NULL;
	char buf[160], num[24], why[96];
	long ncpu;
	int ret;

	if (!msg || !len) {
		msg = buf;
		len = sizeof(buf);
	}
	msg[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (in)
		*out = *in;
	if (out->layout == KMEM_LAYOUT_DEFAULT) {
		env = getenv("KMEM_LAYOUT");
		if (!env || !*env || !strcmp(env, "x86-64") ||
		    !strcmp(env, "x86_64")) {
			out->layout = KMEM_LAYOUT_X86_64;
		} else if (!strcmp(env, "x86-32") || !strcmp(env, "x86_32") ||
			   !strcmp(env, "i386")) {
			out->layout = KMEM_LAYOUT_X86_32;
		} else {
			return config_error(
				msg, len, "KMEM_LAYOUT", env,
				"unknown layout; use x86-64 or x86-32");
		}
	} else if (out->layout != KMEM_LAYOUT_X86_64 &&
		   out->layout != KMEM_LAYOUT_X86_32) {
		snprintf(num, sizeof(num), "%d", (int)out->layout);
		return config_error(
			msg, len, "kmem_config.layout", num,
			"unknown layout; use KMEM_LAYOUT_X86_64 or KMEM_LAYOUT_X86_32");
	}
	if (!out->ram) {
		env = getenv("KMEM_RAM");
		if (env && *env)
			ram_env = env;
		else
			out->ram = KMEM_DEFAULT_RAM;
	}
	if (out->layout == KMEM_LAYOUT_X86_32)
		ret = check_size(ram_env, "KMEM_RAM", "kmem_config.ram",
				 &out->ram, KMEM_MIN_RAM, KMEM_MAX_RAM_X86_32,
				 "32M to 4G with the x86-32 layout", "RAM", msg,
				 len);
	else
		ret = check_size(ram_env, "KMEM_RAM", "kmem_config.ram",
				 &out->ram, KMEM_MIN_RAM, KMEM_MAX_RAM,
				 "32M to 64G", "RAM", msg, len);
	if (ret)
		return ret;
	if (!out->cpus) {
		env = getenv("KMEM_CPUS");
		if (env && *env) {
			char *end;
			long v;

			errno = 0;
			v = strtol(env, &end, 10);
			if (errno || end == env || *end || v < 1 ||
			    v > KMEM_MAX_CPUS) {
				snprintf(why, sizeof(why), "%s; use 1 to %d",
					 errno || end == env || *end ?
						 "not a CPU count" :
					 v < 1 ? "too few CPUs" :
						 "too many CPUs",
					 KMEM_MAX_CPUS);
				return config_error(msg, len, "KMEM_CPUS", env,
						    why);
			}
			out->cpus = (int)v;
		} else {
			ncpu = sysconf(_SC_NPROCESSORS_ONLN);
			out->cpus = ncpu > 0 ? (int)ncpu : 1;
			if (out->cpus > KMEM_MAX_CPUS)
				out->cpus = KMEM_MAX_CPUS;
		}
	} else if (out->cpus < 1 || out->cpus > KMEM_MAX_CPUS) {
		snprintf(num, sizeof(num), "%d", out->cpus);
		snprintf(why, sizeof(why), "%s; use 1 to %d",
			 out->cpus < 1 ? "too few CPUs" : "too many CPUs",
			 KMEM_MAX_CPUS);
		return config_error(msg, len, "kmem_config.cpus", num, why);
	}
	if (!out->swap) {
		env = getenv("KMEM_SWAP");
		if (env && *env)
			ret = check_size(env, "KMEM_SWAP", NULL, &out->swap, 0,
					 KMEM_MAX_SWAP, "0 (none) to 64G",
					 "swap", msg, len);
	} else {
		ret = check_size(NULL, NULL, "kmem_config.swap", &out->swap, 0,
				 KMEM_MAX_SWAP, "0 (none) to 64G", "swap", msg,
				 len);
	}
	if (ret)
		return ret;
	return resolve_slab(out, msg, len);
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

static int __boot_locked(const struct kmem_config *cfg)
{
	struct kmem_initcall *ic;
	char msg[160];
	int ret;

	ret = kmem_config_resolve(cfg, &kmem_cfg, msg, sizeof(msg));
	if (ret) {
		/* As the kernel's `quiet` keeps KERN_ERR on the console, a
		 * configuration error reaches stderr even with KMEM_QUIET=1. */
		FILE *con = kmem_log_set_console(stderr);

		if (con)
			kmem_log_set_console(con);
		pr_err("%s\n", msg);
		if (!con)
			kmem_log_set_console(NULL);
		return ret;
	}
	kmem_cmdline_boot(&kmem_cfg);
	smp_cpus_init((unsigned int)kmem_cfg.cpus);

	ret = arch_machine_setup(&kmem_cfg);
	if (ret)
		return ret;
	ret = page_alloc_init();
	if (ret)
		goto out_arch;
	kmem_boot_generation++;
	for (ic = initcalls; ic; ic = ic->next) {
		ret = ic->init();
		if (ret) {
			pr_err("kmem: %s failed: %d\n", ic->name, ret);
			run_exits(ic);
			goto out_page_alloc;
		}
	}
	__atomic_store_n(&__kmem_running, 1, __ATOMIC_RELEASE);
	if (!kmem_cfg.quiet)
		arch_print_banner(slab_allocator_name(kmem_cfg.slab));
	return 0;

out_page_alloc:
	page_alloc_exit();
out_arch:
	arch_machine_teardown();
	return ret;
}

/* Boot in process context, as start_kernel() runs: the first call may come
 * from a caller in (simulated) interrupt or atomic context, whose allocation
 * rules do not apply to the initcalls. */
static int boot_locked(const struct kmem_config *cfg)
{
	unsigned int saved_preempt = __kmem_preempt_count;
	int ret;

	/* The machine's own setup may call entry points (num_online_cpus(),
	 * allocations in initcalls): kmem_booting lets this thread's
	 * kmem_ensure_booted() pass; other threads wait for boot_lock. */
	__kmem_preempt_count = 0;
	kmem_booting = true;
	ret = __boot_locked(cfg);
	kmem_booting = false;
	__kmem_preempt_count = saved_preempt;
	return ret;
}

int kmem_boot(const struct kmem_config *cfg)
{
	int ret = -EBUSY;

	mutex_lock_atomic(&boot_lock);
	if (!__kmem_running) {
		/* An explicit boot is a new start: forget a failed default. */
		__atomic_store_n(&default_boot_err, 0, __ATOMIC_RELEASE);
		ret = boot_locked(cfg);
	}
	mutex_unlock(&boot_lock);
	return ret;
}

/*
 * The implicit boot of the first kmem call. If it fails (a bad KMEM_*
 * value, a host out of memory), the error is remembered: every later call
 * fails at once the same way (NULL, -errno) without printing again, until an
 * explicit kmem_boot().
 */
int kmem_boot_default(void)
{
	int ret;

	if (__atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE) || kmem_booting)
		return 0;
	ret = __atomic_load_n(&default_boot_err, __ATOMIC_ACQUIRE);
	if (ret)
		return ret;
	mutex_lock_atomic(&boot_lock);
	if (__kmem_running) {
		ret = 0;
	} else {
		ret = default_boot_err;
		if (!ret) {
			ret = boot_locked(NULL);
			if (ret && ret != -EINVAL)
				pr_err("kmem: cannot boot the default machine (error %d)\n",
				       ret);
			__atomic_store_n(&default_boot_err, ret,
					 __ATOMIC_RELEASE);
		}
	}
	mutex_unlock(&boot_lock);
	return ret;
}

void kmem_halt(void)
{
	mutex_lock_atomic(&boot_lock);
	if (!__kmem_running) {
		mutex_unlock(&boot_lock);
		return;
	}
	kmem_booting = true; /* teardown must not boot a machine */
	run_exits(NULL);
	__atomic_store_n(&__kmem_running, 0, __ATOMIC_RELEASE);
	page_alloc_exit();
	arch_machine_teardown();
	kmem_booting = false;
	mutex_unlock(&boot_lock);
}

/* The public description of the running machine; the first call boots it. */
void kmem_machine_info(struct kmem_machine_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!kmem_ensure_booted()) {
		info->layout_name = "none"; /* no machine: all zero */
		return;
	}
	info->layout = machine.layout;
	info->layout_name = machine.layout == KMEM_LAYOUT_X86_32 ? "x86-32" :
								   "x86-64";
	info->ram = machine.ram_bytes;
	info->cpus = nr_cpu_ids;
	info->page_offset = PAGE_OFFSET;
	info->relocated = machine.relocated;
	info->high_memory = (unsigned long)high_memory;
	info->vmalloc_start = VMALLOC_START;
	info->vmalloc_end = VMALLOC_END;
	info->pkmap_base = PKMAP_BASE;
	info->max_low_pfn = max_low_pfn;
	info->max_pfn = max_pfn;
	info->swap = kmem_cfg.swap;
	info->slab = kmem_cfg.slab;
	info->slab_name = slab_allocator_name(kmem_cfg.slab);
}

bool kmem_is_booted(void)
{
	return __atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE) != 0;
}

/* fork() holds the boot lock from before the fork until after it in both
 * processes (init/fork.c), so no machine is half booted or halted then. */
void kmem_boot_lock(void)
{
	mutex_lock_atomic(&boot_lock);
}

void kmem_boot_unlock(void)
{
	mutex_unlock(&boot_lock);
}
