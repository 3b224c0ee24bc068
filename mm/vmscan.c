// SPDX-License-Identifier: MIT
/*
 * Reclaim: shrinkers, page reclaimers and the OOM hook.
 *
 * Direct reclaim (try_to_free_pages) is what an allocation that may sleep does
 * when the free lists are below the watermark: it asks every registered
 * shrinker to scan its objects (slab caches give back empty slabs this way)
 * and every page reclaimer (the user-memory LRU, which swaps pages out) to
 * free pages, then reports how many pages became free. There is no kswapd
 * thread: __GFP_KSWAPD_RECLAIM is accepted but background reclaim is not
 * simulated (an allocation that cannot sleep fails where the kernel's might
 * have been rescued by kswapd in the meantime).
 *
 * When reclaim cannot help and the OOM killer finds nobody to kill, a request
 * that may fail fails; a __GFP_NOFAIL one could never be served, and
 * out_of_memory_deadlock() panics as the kernel's out_of_memory() does
 * ("Out of memory and no killable processes...") instead of looping forever.
 *
 * Locking: shrinker_lock (a struct mutex) protects the shrinker list and
 * serialises reclaim. Reclaim runs inside allocations, so it is below every
 * lock held while allocating (mmap_lock, slab_mutex, pcpu_alloc_mutex,
 * pt_lock: docs/ARCHITECTURE.md, "Lock order"); a shrinker takes only locks
 * below it, or trylocks (the slab shrinker's slab_mutex). The thread in reclaim carries
 * PF_MEMALLOC: its own allocations ignore watermarks and never recurse.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/shrinker.h>
#include "mm/internal.h"

static LIST_HEAD(shrinker_list);
static DEFINE_MUTEX_RANK(shrinker_lock, LOCK_RANK_SHRINKER);

static KMEM_HOOK_LIST(reclaimers, "page reclaimers");
static KMEM_HOOK_LIST(oom_handlers, "oom handlers");

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = calloc(1, sizeof(*s));
	va_list args;

	if (!s)
		return NULL;
	va_start(args, fmt);
	vsnprintf(s->name, sizeof(s->name), fmt, args);
	va_end(args);
	s->flags = flags & ~SHRINKER_REGISTERED;
	s->seeks = DEFAULT_SEEKS;
	INIT_LIST_HEAD(&s->list);
	return s;
}

void shrinker_register(struct shrinker *s)
{
	mutex_lock(&shrinker_lock);
	if (!(s->flags & SHRINKER_REGISTERED)) {
		list_add_tail(&s->list, &shrinker_list);
		s->flags |= SHRINKER_REGISTERED;
	}
	mutex_unlock(&shrinker_lock);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	mutex_lock(&shrinker_lock);
	if (s->flags & SHRINKER_REGISTERED)
		list_del(&s->list);
	mutex_unlock(&shrinker_lock);
	free(s);
}

void shrinkers_reset(void)
{
	/* Shrinkers registered by layers of a halted machine are forgotten
	 * (their owners free them in their exit functions). */
	mutex_lock(&shrinker_lock);
	INIT_LIST_HEAD(&shrinker_list);
	mutex_unlock(&shrinker_lock);
}

void register_page_reclaimer(struct kmem_hook *h)
{
	kmem_hook_register(&reclaimers, h);
}

void unregister_page_reclaimer(struct kmem_hook *h)
{
	kmem_hook_unregister(&reclaimers, h);
}

void register_oom_handler(struct kmem_hook *h)
{
	kmem_hook_register(&oom_handlers, h);
}

void unregister_oom_handler(struct kmem_hook *h)
{
	kmem_hook_unregister(&oom_handlers, h);
}

/* The first OOM handler (the highest priority) decides. */
bool out_of_memory(gfp_t gfp, unsigned int order)
{
	struct kmem_hook *h =
		__atomic_load_n(&oom_handlers.head, __ATOMIC_ACQUIRE);

	return h ? ((oom_handler_t)h->fn)(gfp, order) : false;
}

void out_of_memory_deadlock(gfp_t gfp, unsigned int order)
{
	char flags[256];

	kmem_format_gfp(gfp, flags, sizeof(flags));
	pr_warn("%s invoked oom-killer: gfp_mask=%#x(%s), order=%u, oom_score_adj=0\n",
		kmem_current_comm(), gfp, flags, order);
	pr_warn("CPU: %d UID: 0 PID: %d Comm: %s\n", raw_smp_processor_id(),
		kmem_current_pid(), kmem_current_comm());
	dump_stack();
	show_free_areas();
	pr_warn("Out of memory and no killable processes...\n");
	panic("System is deadlocked on memory\n");
}

static unsigned long shrink_one(struct shrinker *s, gfp_t gfp)
{
	struct shrink_control sc = { .gfp_mask = gfp, .nid = 0 };
	unsigned long count, freed = 0, batch;

	count = s->count_objects(s, &sc);
	if (!count || count == SHRINK_EMPTY)
		return 0;
	batch = s->batch ? (unsigned long)s->batch : 128;
	while (count) {
		unsigned long ret;

		sc.nr_to_scan = min(count, batch);
		sc.nr_scanned = sc.nr_to_scan;
		ret = s->scan_objects(s, &sc);
		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		count -= min(count,
			     sc.nr_scanned ? sc.nr_scanned : sc.nr_to_scan);
	}
	return freed;
}

unsigned long try_to_free_pages(gfp_t gfp, unsigned int order)
{
	unsigned long before = nr_free_pages(), after, want;
	struct shrinker *s;
	struct kmem_hook *h;

	if (current_pf_memalloc)
		return 0;
	want = (1UL << order) + 32; /* SWAP_CLUSTER_MAX beyond the request */
	mutex_lock(&shrinker_lock);
	current_pf_memalloc = 1;
	list_for_each_entry(s, &shrinker_list, list)
		shrink_one(s, gfp);
	drain_all_pages(NULL);
	after = nr_free_pages();
	kmem_hook_for_each(h, &reclaimers) {
		if (after >= before + want)
			break;
		((page_reclaimer_t)h->fn)(gfp, before + want - after);
		drain_all_pages(NULL);
		after = nr_free_pages();
	}
	current_pf_memalloc = 0;
	mutex_unlock(&shrinker_lock);
	return after > before ? after - before : 0;
}

/* fork() (init/fork.c): no reclaim runs while the machine is copied. */
static void shrinker_fork_prepare(void)
{
	mutex_lock(&shrinker_lock);
}

static void shrinker_fork_release(void)
{
	mutex_unlock(&shrinker_lock);
}

KMEM_FORK_HOOKS(30, shrinker_fork_prepare, shrinker_fork_release,
		shrinker_fork_release);
