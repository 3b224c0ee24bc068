// SPDX-License-Identifier: MIT
/*
 * Fault injection: the kernel's lib/fault-inject.c, mm/failslab.c and
 * mm/fail_page_alloc.c, with their debugfs knobs as kmem_fault_set() and
 * their boot parameters on the command line (kernel/cmdline.c).
 *
 * A capability (struct fault_attr) decides, for one call, whether it fails:
 * first the calling thread's fail-nth (armed with kmem_fail_nth_set(n): the
 * n-th call counted from then fails, whatever the rest says); then, if the
 * probability is not 0: `times` left, `space` bytes let through first, every
 * `interval`-th call only, and a random draw under `probability` percent.
 * The capability's own filters come before all of that, so a call they
 * exclude is not even counted by fail-nth (as in the kernel): failslab never
 * fails kmem_cache (the cache of caches), __GFP_NOFAIL, requests that may
 * sleep while ignore-gfp-wait is Y, or caches without SLAB_FAILSLAB when
 * cache-filter is Y; fail_page_alloc never fails orders below min-order,
 * __GFP_NOFAIL, __GFP_HIGHMEM requests while ignore-gfp-highmem is Y, or
 * sleeping ones while ignore-gfp-wait is Y. A forced failure is reported
 * (unless the request has __GFP_NOWARN) with fail_dump()'s words, rate
 * limited per capability (verbose_ratelimit_*: 10 per 5 s by default).
 *
 * Cost when off: the allocation paths test kmem_fault_active (a hidden
 * global: one RIP-relative load and a branch predicted not taken) before
 * calling the out-of-line hooks. It is non-zero only while the machine is
 * up and booted (the last initcall), and a capability has a probability or
 * a thread has fail-nth armed. So the boot's own allocations are never
 * failed (a machine that cannot boot helps no one), and kmem_halt() turns
 * everything off and restores the defaults: the settings are the machine's.
 *
 * Locking: fault_lock (a leaf) serialises the knobs' writers and the gate.
 * Readers on the allocation paths read the knobs without it, as the kernel
 * reads its fault_attr; times, space and the interval count are atomics.
 * fail-nth lives in the thread (TLS) with the boot generation it was armed
 * in, so a reboot disarms every thread without touching it.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <kmem/cmdline.h>
#include <kmem/fault.h>
#include "kernel/internal.h"
#include "mm/slab.h"
#include "mm/slob.h"
#include "mm/fault_inject.h"

int kmem_fault_active;

struct fault_attr {
	const char *name;
	unsigned long probability;
	unsigned long interval;
	int times;
	int space;
	unsigned long verbose;
	unsigned int rs_interval_ms, rs_burst;
	unsigned long count; /* calls seen by the interval test */
	/* fail_dump()'s rate limit (the kernel's ratelimit_state) */
	long long rs_begin;
	int rs_printed, rs_missed;
};

#define FAULT_ATTR_INIT(n)                                                \
	{                                                                 \
		.name = (n), .probability = 0, .interval = 1, .times = 1, \
		.space = 0, .verbose = 2, .rs_interval_ms = 5000,         \
		.rs_burst = 10                                            \
	}

struct failslab {
	struct fault_attr attr;
	bool ignore_gfp_reclaim;
	bool cache_filter;
};

struct fail_page_alloc {
	struct fault_attr attr;
	bool ignore_gfp_highmem;
	bool ignore_gfp_reclaim;
	unsigned int min_order;
};

#define FAILSLAB_INIT                                              \
	{                                                          \
		.attr = FAULT_ATTR_INIT("failslab"),               \
		.ignore_gfp_reclaim = true, .cache_filter = false, \
	}
#define FAIL_PAGE_ALLOC_INIT                                            \
	{                                                               \
		.attr = FAULT_ATTR_INIT("fail_page_alloc"),             \
		.ignore_gfp_highmem = true, .ignore_gfp_reclaim = true, \
		.min_order = 1,                                         \
	}
static const struct failslab failslab_defaults = FAILSLAB_INIT;
static const struct fail_page_alloc fail_page_alloc_defaults =
	FAIL_PAGE_ALLOC_INIT;
static struct failslab failslab = FAILSLAB_INIT;
static struct fail_page_alloc fail_page_alloc = FAIL_PAGE_ALLOC_INIT;

static DEFINE_MUTEX_RANK(fault_lock, LOCK_RANK_FAULT);
static bool fault_live;	      /* booted and not halting */
static int nth_armed;	      /* threads with fail-nth armed */
static unsigned int boot_nth; /* the command line's fail_nth= */
static unsigned long stat_forced, stat_silent;

static __thread unsigned int task_fail_nth;
static __thread unsigned long task_fail_gen;
static __thread unsigned long task_rand;

/* Recompute the gate (fault_lock held). */
static void update_gate(void)
{
	lockdep_assert_held(&fault_lock);
	int on = fault_live && (failslab.attr.probability ||
				fail_page_alloc.attr.probability || nth_armed);

	__atomic_store_n(&kmem_fault_active, on, __ATOMIC_RELAXED);
}

static bool task_armed(void)
{
	return task_fail_nth && task_fail_gen == kmem_boot_generation;
}

static void arm_nth(unsigned int n)
{
	bool was;

	mutex_lock_atomic(&fault_lock);
	was = task_armed();
	task_fail_nth = n;
	task_fail_gen = kmem_boot_generation;
	if (was && !n)
		nth_armed--;
	else if (!was && n)
		nth_armed++;
	update_gate();
	mutex_unlock(&fault_lock);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The kernel's __ratelimit() on the capability's state. */
static bool fail_dump_ratelimit(struct fault_attr *attr)
{
	long long now = now_ms();
	bool ok;

	if (!attr->rs_interval_ms)
		return true;
	mutex_lock_atomic(&fault_lock);
	if (!attr->rs_begin || now - attr->rs_begin >= attr->rs_interval_ms) {
		if (attr->rs_missed)
			pr_warn("fail_dump: %d callbacks suppressed\n",
				attr->rs_missed);
		attr->rs_begin = now;
		attr->rs_printed = 0;
		attr->rs_missed = 0;
	}
	ok = attr->rs_printed < (int)attr->rs_burst;
	if (ok)
		attr->rs_printed++;
	else
		attr->rs_missed++;
	mutex_unlock(&fault_lock);
	return ok;
}

static noinline void fail_dump(struct fault_attr *attr)
{
	if (!attr->verbose || !fail_dump_ratelimit(attr))
		return;
	printk(KERN_NOTICE
	       "FAULT_INJECTION: forcing a failure.\n"
	       "name %s, interval %lu, probability %lu, space %d, times %d\n",
	       attr->name, attr->interval, attr->probability,
	       __atomic_load_n(&attr->space, __ATOMIC_RELAXED),
	       __atomic_load_n(&attr->times, __ATOMIC_RELAXED));
	if (attr->verbose > 1) {
		printk(KERN_NOTICE "CPU: %d UID: 0 PID: %d Comm: %s\n",
		       raw_smp_processor_id(), kmem_current_pid(),
		       kmem_current_comm());
		dump_stack();
	}
}

/* A number in [0, 100): xorshift per thread, seeded from the clock. */
static unsigned int random_below_100(void)
{
	unsigned long x = task_rand;

	if (!x) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (unsigned long)ts.tv_nsec * 0x9e3779b97f4a7c15UL ^
		    (unsigned long)&task_rand;
		x |= 1;
	}
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	task_rand = x;
	return (unsigned int)((x >> 11) % 100);
}

/* The kernel's should_fail_ex(). */
static bool should_fail(struct fault_attr *attr, long size, bool nowarn)
{
	int v;

	if (in_task() && task_armed()) {
		if (--task_fail_nth)
			return false;
		mutex_lock_atomic(&fault_lock);
		nth_armed--;
		update_gate();
		mutex_unlock(&fault_lock);
		goto fail;
	}
	if (!attr->probability)
		return false;
	if (!__atomic_load_n(&attr->times, __ATOMIC_RELAXED))
		return false;
	v = __atomic_load_n(&attr->space, __ATOMIC_RELAXED);
	if (v > size) {
		__atomic_fetch_sub(&attr->space, (int)size, __ATOMIC_RELAXED);
		return false;
	}
	if (attr->interval > 1 &&
	    __atomic_add_fetch(&attr->count, 1, __ATOMIC_RELAXED) %
		    attr->interval)
		return false;
	if (attr->probability <= random_below_100())
		return false;
fail:
	__atomic_fetch_add(&stat_forced, 1, __ATOMIC_RELAXED);
	if (nowarn)
		__atomic_fetch_add(&stat_silent, 1, __ATOMIC_RELAXED);
	else
		fail_dump(attr);
	/* times: decrement unless -1 (no limit) or already 0 */
	v = __atomic_load_n(&attr->times, __ATOMIC_RELAXED);
	while (v != -1 && v != 0 &&
	       !__atomic_compare_exchange_n(&attr->times, &v, v - 1, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return true;
}

static bool __should_failslab(struct kmem_cache *s, gfp_t gfp, long size);

noinline bool should_failslab(struct kmem_cache *s, gfp_t gfp)
{
	return __should_failslab(s, gfp, s ? (long)s->object_size : 0);
}

static bool __should_failslab(struct kmem_cache *s, gfp_t gfp, long size)
{
	/* No fault injection for the cache of caches (bootstrap). */
	if (unlikely(s == kmem_cache) || !s)
		return false;
	if (gfp & __GFP_NOFAIL)
		return false;
	if (failslab.ignore_gfp_reclaim && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (failslab.cache_filter && !(s->flags & SLAB_FAILSLAB))
		return false;
	return should_fail(&failslab.attr, size, gfp & __GFP_NOWARN);
}

noinline void *slab_alloc_fault(struct kmem_cache *s, gfp_t gfp,
				size_t orig_size)
{
	long size = s ? (long)s->object_size : 0;

	/* SLOB's kmalloc marker cache (mm/slob.c) has no object size: the
	 * request is the size, and from PAGE_SIZE - SLOB_MINALIGN up it is a
	 * large kmalloc, the page allocator's (failslab leaves it alone, as on
	 * SLUB). The kernel's FAILSLAB needed SLAB or SLUB; kmem hooks SLOB
	 * here, on the one path all three allocators share. */
	if (s && !size && (s->flags & SLAB_KMALLOC)) {
		if (orig_size >= PAGE_SIZE - SLOB_MINALIGN)
			return __slab_alloc_fast(s, gfp, orig_size);
		size = (long)orig_size;
	}
	if (__should_failslab(s, gfp, size))
		return NULL;
	return __slab_alloc_fast(s, gfp, orig_size);
}

noinline bool should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	if (order < fail_page_alloc.min_order)
		return false;
	if (gfp & __GFP_NOFAIL)
		return false;
	if (fail_page_alloc.ignore_gfp_highmem && (gfp & __GFP_HIGHMEM))
		return false;
	if (fail_page_alloc.ignore_gfp_reclaim && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	return should_fail(&fail_page_alloc.attr, 1L << order,
			   gfp & __GFP_NOWARN);
}

void fault_inject_get_stats(struct fault_inject_stats *st)
{
	st->forced = __atomic_load_n(&stat_forced, __ATOMIC_RELAXED);
	st->silent = __atomic_load_n(&stat_silent, __ATOMIC_RELAXED);
}

/* ---- knobs (debugfs) ------------------------------------------------------ */

enum knob_type { KNOB_UL, KNOB_INT, KNOB_BOOL, KNOB_U32 };

struct knob {
	const char *name;
	enum knob_type type;
	void *ptr;
};

#define ATTR_KNOBS(a)                                              \
	{ "probability", KNOB_UL, &(a).probability },              \
		{ "interval", KNOB_UL, &(a).interval },            \
		{ "times", KNOB_INT, &(a).times },                 \
		{ "space", KNOB_INT, &(a).space },                 \
		{ "verbose", KNOB_UL, &(a).verbose },              \
		{ "verbose_ratelimit_interval_ms", KNOB_U32,       \
		  &(a).rs_interval_ms },                           \
	{                                                          \
		"verbose_ratelimit_burst", KNOB_U32, &(a).rs_burst \
	}

static const struct knob failslab_knobs[] = {
	ATTR_KNOBS(failslab.attr),
	{ "ignore-gfp-wait", KNOB_BOOL, &failslab.ignore_gfp_reclaim },
	{ "cache-filter", KNOB_BOOL, &failslab.cache_filter },
	{ NULL, KNOB_UL, NULL },
};

static const struct knob fail_page_alloc_knobs[] = {
	ATTR_KNOBS(fail_page_alloc.attr),
	{ "ignore-gfp-wait", KNOB_BOOL, &fail_page_alloc.ignore_gfp_reclaim },
	{ "ignore-gfp-highmem", KNOB_BOOL,
	  &fail_page_alloc.ignore_gfp_highmem },
	{ "min-order", KNOB_U32, &fail_page_alloc.min_order },
	{ NULL, KNOB_UL, NULL },
};

static const struct knob *find_knob(const char *name, const char *knob)
{
	const struct knob *k;

	if (!name || !knob)
		return NULL;
	if (!strcmp(name, "failslab"))
		k = failslab_knobs;
	else if (!strcmp(name, "fail_page_alloc"))
		k = fail_page_alloc_knobs;
	else
		return NULL;
	for (; k->name; k++)
		if (!strcmp(k->name, knob))
			return k;
	return NULL;
}

/* A whole number, as kstrtoull/kstrtoll read it (base 0, one trailing
 * newline allowed, as `echo` writes). */
static int parse_number(const char *s, bool is_signed, long long *out)
{
	char *end;

	if (!s || !*s || *s == ' ' || *s == '\t' || (!is_signed && *s == '-'))
		return -EINVAL;
	errno = 0;
	if (is_signed) {
		*out = strtoll(s, &end, 0);
	} else {
		unsigned long long v = strtoull(s, &end, 0);

		if (v > LLONG_MAX)
			return -EINVAL;
		*out = (long long)v;
	}
	if (errno || end == s || (*end && strcmp(end, "\n")))
		return -EINVAL;
	return 0;
}

static int knob_write(const struct knob *k, const char *value)
{
	long long v = 0;
	bool b;
	int ret;

	if (k->type == KNOB_BOOL) {
		ret = kstrtobool(value, &b);
		if (ret)
			return ret;
		*(bool *)k->ptr = b;
		return 0;
	}
	ret = parse_number(value, k->type == KNOB_INT, &v);
	if (ret)
		return ret;
	switch (k->type) {
	case KNOB_UL:
		*(unsigned long *)k->ptr = (unsigned long)v;
		break;
	case KNOB_INT:
		if (v < INT_MIN || v > INT_MAX)
			return -EINVAL;
		__atomic_store_n((int *)k->ptr, (int)v, __ATOMIC_RELAXED);
		break;
	case KNOB_U32:
		if (v > UINT_MAX)
			return -EINVAL;
		*(unsigned int *)k->ptr = (unsigned int)v;
		break;
	default:
		break;
	}
	return 0;
}

static int fault_set_locked(const char *name, const char *knob,
			    const char *value)
{
	const struct knob *k = find_knob(name, knob);
	int ret;

	if (!k)
		return -ENOENT;
	ret = knob_write(k, value);
	update_gate();
	return ret;
}

int kmem_fault_set(const char *name, const char *knob, const char *value)
{
	int ret;

	if (!kmem_ensure_booted())
		return -EINVAL;
	mutex_lock_atomic(&fault_lock);
	ret = fault_set_locked(name, knob, value);
	mutex_unlock(&fault_lock);
	return ret;
}

int kmem_fault_get(const char *name, const char *knob, char *buf, size_t len)
{
	const struct knob *k = find_knob(name, knob);

	if (!k)
		return -ENOENT;
	if (!kmem_ensure_booted())
		return -EINVAL;
	switch (k->type) {
	case KNOB_UL:
		snprintf(buf, len, "%lu", *(unsigned long *)k->ptr);
		break;
	case KNOB_INT:
		snprintf(buf, len, "%d",
			 __atomic_load_n((int *)k->ptr, __ATOMIC_RELAXED));
		break;
	case KNOB_BOOL:
		snprintf(buf, len, "%s", *(bool *)k->ptr ? "Y" : "N");
		break;
	case KNOB_U32:
		snprintf(buf, len, "%u", *(unsigned int *)k->ptr);
		break;
	}
	return 0;
}

void kmem_fail_nth_set(unsigned int n)
{
	if (kmem_ensure_booted())
		arm_nth(n);
}

unsigned int kmem_fail_nth_get(void)
{
	return task_armed() ? task_fail_nth : 0;
}

/* ---- boot parameters -------------------------------------------------------- */

/* The kernel's setup_fault_attr(): "<interval>,<probability>,<space>,<times>". */
static int setup_fault_attr(struct fault_attr *attr, const char *str)
{
	long long v[4];
	const char *p = str;
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		if (!p || !*p)
			break;
		errno = 0;
		v[i] = strtoll(p, &end, 10);
		if (errno || end == p)
			break;
		p = end;
		if (i < 3) {
			if (*p != ',')
				break;
			p++;
		}
	}
	if (i < 4 || v[0] < 0 || v[1] < 0 || v[2] < INT_MIN || v[2] > INT_MAX ||
	    v[3] < INT_MIN || v[3] > INT_MAX) {
		printk(KERN_WARNING
		       "FAULT_INJECTION: failed to parse arguments\n");
		return -EINVAL;
	}
	mutex_lock_atomic(&fault_lock);
	attr->interval = (unsigned long)v[0];
	attr->probability = (unsigned long)v[1];
	attr->space = (int)v[2];
	attr->times = (int)v[3];
	update_gate();
	mutex_unlock(&fault_lock);
	return 0;
}

static int setup_failslab(const char *str)
{
	return setup_fault_attr(&failslab.attr, str);
}
KMEM_SETUP("failslab", setup_failslab)

static int setup_fail_page_alloc(const char *str)
{
	return setup_fault_attr(&fail_page_alloc.attr, str);
}
KMEM_SETUP("fail_page_alloc", setup_fail_page_alloc)

/* failslab.<knob>=<value>: kmem's way to set a debugfs knob at boot. */
static int setup_knob(const char *name, const char *arg)
{
	char knob[64];
	const char *eq = arg ? strchr(arg, '=') : NULL;
	int ret;

	if (!eq || (size_t)(eq - arg) >= sizeof(knob))
		return -EINVAL;
	memcpy(knob, arg, (size_t)(eq - arg));
	knob[eq - arg] = '\0';
	mutex_lock_atomic(&fault_lock);
	ret = fault_set_locked(name, knob, eq + 1);
	mutex_unlock(&fault_lock);
	return ret;
}

static int setup_failslab_knob(const char *arg)
{
	return setup_knob("failslab", arg);
}
KMEM_SETUP("failslab.", setup_failslab_knob)

static int setup_fail_page_alloc_knob(const char *arg)
{
	return setup_knob("fail_page_alloc", arg);
}
KMEM_SETUP("fail_page_alloc.", setup_fail_page_alloc_knob)

/* fail_nth=<n>: arm fail-nth in the thread that boots (kmem's). */
static int setup_fail_nth(const char *str)
{
	long long v;

	if (parse_number(str, false, &v) || v > UINT_MAX)
		return -EINVAL;
	boot_nth = (unsigned int)v;
	return 0;
}
KMEM_SETUP("fail_nth", setup_fail_nth)

/* ---- boot and halt ------------------------------------------------------------ */

/* The last initcall: from here on, injection may happen. Runs in the thread
 * that boots, which gets the command line's fail_nth. */
static int fault_inject_init(void)
{
	mutex_lock_atomic(&fault_lock);
	fault_live = true;
	nth_armed = 0;
	stat_forced = stat_silent = 0;
	update_gate();
	mutex_unlock(&fault_lock);
	if (boot_nth)
		arm_nth(boot_nth);
	boot_nth = 0;
	return 0;
}

/* The first exit at halt: nothing fails during the teardown, and the next
 * machine starts with the defaults. */
static void fault_inject_exit(void)
{
	mutex_lock_atomic(&fault_lock);
	fault_live = false;
	nth_armed = 0;
	failslab = failslab_defaults;
	fail_page_alloc = fail_page_alloc_defaults;
	update_gate();
	mutex_unlock(&fault_lock);
}
KMEM_INITCALL(KMEM_INIT_LATE + 9, fault_inject_init, fault_inject_exit);
