// SPDX-License-Identifier: MIT
/*
 * Host mappings: the budget every layer maps RAM within, and the on-demand
 * "software TLB" for what does not fit.
 *
 * 1. Why. Each host mapping (an mmap of a piece of the RAM memfd, made by
 *    arch_map_phys) covers physically contiguous frames only, and the host
 *    allows a process vm.max_map_count (65530 by default) of them. On a
 *    physically scattered machine every page of a vmalloc area or of a user
 *    address space needs its own mapping, so the layers that map page by
 *    page must stay under a budget and still work beyond it.
 *
 * 2. The count. Every host mapping kmem creates is counted in one class:
 *      HOSTMAP_KERNEL    the direct map and the pkmap slots (bounded by
 *                        construction: a few, at most 2 x LAST_PKMAP)
 *      HOSTMAP_VMALLOC   vmalloc's eagerly mapped areas (mm/vmalloc.c)
 *      HOSTMAP_USER      user pages mapped eagerly (mm/memory.c)
 *      HOSTMAP_ONDEMAND  the live slots of the on-demand ring
 *      HOSTMAP_DEBUG     debug_pagealloc's splits of the direct map (one per
 *                        boundary between a mapped and an unmapped page)
 *    A mapping placed inside a PROT_NONE reservation splits it, so a lone
 *    mapping costs the host two entries; the layers count what they add
 *    (vmalloc: runs + 1 per area; user mm: the change in the number of
 *    boundaries between differently mapped neighbouring pages; the ring: 2
 *    per slot). hostmap_charge() hands out budget: it fails, charging
 *    nothing, when the class would pass its budget. KERNEL and ONDEMAND have
 *    none. The budgets split max_map_count:
 *      vmalloc   max_map_count / 2
 *      user      max_map_count - max_map_count / 2 - HOSTMAP_RESERVE
 *    where the reserve covers the ring (2 x HOSTMAP_RING_SLOTS), the kernel
 *    class (2 x LAST_PKMAP + the direct map) and HOSTMAP_HOST_SLACK entries
 *    for the C library, the program and its sanitizers.
 *
 * 3. The on-demand ring. A page that cannot get a mapping within the budget
 *    keeps its page-table entry (the kernel-style tables stay the truth) and
 *    is mapped when touched: the layer's fault handler finds the pte and
 *    calls hostmap_ondemand_map(), which maps that one page into the next
 *    of HOSTMAP_RING_SLOTS single-page slots and returns the oldest slot's
 *    page to PROT_NONE, so its next access faults and is resolved again from
 *    the page tables - a software TLB, evicting in FIFO order (least
 *    recently filled). 512 slots are 2 MiB of reach: enough for any loop
 *    over a working set of that size to run without faults, small enough
 *    that the ring's 1024 host entries fit the reserve.
 *    The rule that keeps the ring safe across layers: whoever changes the
 *    host mapping of an address that may be in the ring first calls
 *    hostmap_ondemand_drop() on it. An eviction unmaps a page under
 *    ring_lock, so it can never undo a mapping made after the drop.
 *
 * 4. Locks. ring_lock (raw spinlock, a leaf: taken inside vmalloc's pt_lock
 *    and a process's page_table_lock, never held while allocating or while
 *    touching memory that could fault). The counters are atomics.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <asm/pgtable.h>
#include "arch/x86/machine.h"

#define HOSTMAP_HOST_SLACK 4096 /* the C library, the program, ASan */
#define HOSTMAP_DEFAULT_MAX 65530

static unsigned long max_map_count;
static long used[NR_HOSTMAP_CLASSES];		 /* atomics */
static unsigned long budget[NR_HOSTMAP_CLASSES]; /* 0: unlimited */
static unsigned long budget_default[NR_HOSTMAP_CLASSES];
static unsigned long over_budget, ondemand_maps,
	ondemand_evictions; /* atomics */

/* The ring, under ring_lock: the host address of each slot's page, 0 if free. */
static spinlock_t ring_lock;

/* ring_lock is raw (the fault handlers take it without changing the
 * simulated context) but ranked and owned like any lock. */
static inline void ring_lock_raw(void)
{
	spin_acquire_check(&ring_lock);
	arch_spin_lock(&ring_lock);
	spin_acquired(&ring_lock);
}

static inline void ring_unlock_raw(void)
{
	spin_release(&ring_lock);
	arch_spin_unlock(&ring_lock);
}

static unsigned long ring[HOSTMAP_RING_SLOTS];
static unsigned int ring_head, ring_live;

static unsigned long read_max_map_count(void)
{
	unsigned long n = HOSTMAP_DEFAULT_MAX;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");

	if (f) {
		if (fscanf(f, "%lu", &n) != 1 || n < 8192)
			n = HOSTMAP_DEFAULT_MAX;
		fclose(f);
	}
	return n;
}

static unsigned long hostmap_reserve(void)
{
	return HOSTMAP_HOST_SLACK + 2 * HOSTMAP_RING_SLOTS +
	       (machine.layout == KMEM_LAYOUT_X86_32 ? 2 * LAST_PKMAP : 0) + 16;
}

void hostmap_init(void)
{
	if (!max_map_count)
		max_map_count = read_max_map_count();
	memset(used, 0, sizeof(used));
	memset(budget_default, 0, sizeof(budget_default));
	budget_default[HOSTMAP_VMALLOC] = max_map_count / 2;
	budget_default[HOSTMAP_USER] =
		max_map_count - max_map_count / 2 - hostmap_reserve();
	memcpy(budget, budget_default, sizeof(budget));
	over_budget = ondemand_maps = ondemand_evictions = 0;
	spin_lock_init(&ring_lock);
	lockdep_set_rank_name(&ring_lock, LOCK_RANK_LEAF, "ring_lock");
	memset(ring, 0, sizeof(ring));
	ring_head = ring_live = 0;
}

void hostmap_debug_pagealloc(void)
{
	/* debug_pagealloc=on: a quarter of max_map_count for its splits of the
	 * direct map, taken from vmalloc's half. */
	budget_default[HOSTMAP_DEBUG] = max_map_count / 4;
	budget_default[HOSTMAP_VMALLOC] = max_map_count / 2 - max_map_count / 4;
	budget[HOSTMAP_DEBUG] = budget_default[HOSTMAP_DEBUG];
	budget[HOSTMAP_VMALLOC] = budget_default[HOSTMAP_VMALLOC];
}

void hostmap_exit(void)
{
	/* The reservations the ring points into are released with the machine
	 * and the processes; forget everything. */
	hostmap_init();
}

bool hostmap_charge(enum hostmap_class c, long n)
{
	long total = __atomic_add_fetch(&used[c], n, __ATOMIC_RELAXED);
	unsigned long limit = __atomic_load_n(&budget[c], __ATOMIC_RELAXED);

	if (n > 0 && limit && (unsigned long)total > limit) {
		__atomic_sub_fetch(&used[c], n, __ATOMIC_RELAXED);
		__atomic_add_fetch(&over_budget, 1, __ATOMIC_RELAXED);
		return false;
	}
	return true;
}

void hostmap_account(enum hostmap_class c, long n)
{
	__atomic_add_fetch(&used[c], n, __ATOMIC_RELAXED);
}

unsigned long hostmap_set_budget(enum hostmap_class c, unsigned long n)
{
	unsigned long old = budget[c];

	__atomic_store_n(&budget[c], n ? n : budget_default[c],
			 __ATOMIC_RELAXED);
	return old;
}

unsigned long hostmap_used(enum hostmap_class c)
{
	long n = __atomic_load_n(&used[c], __ATOMIC_RELAXED);

	return n > 0 ? (unsigned long)n : 0;
}

unsigned long hostmap_budget(enum hostmap_class c)
{
	return __atomic_load_n(&budget[c], __ATOMIC_RELAXED);
}

void hostmap_get_stats(struct hostmap_stats *st)
{
	int c;

	memset(st, 0, sizeof(*st));
	st->max_map_count = max_map_count;
	for (c = 0; c < NR_HOSTMAP_CLASSES; c++) {
		st->used[c] = hostmap_used(c);
		st->budget[c] = hostmap_budget(c);
		st->total += st->used[c];
	}
	st->ring_slots = HOSTMAP_RING_SLOTS;
	st->ring_live = __atomic_load_n(&ring_live, __ATOMIC_RELAXED);
	st->ondemand_maps = __atomic_load_n(&ondemand_maps, __ATOMIC_RELAXED);
	st->ondemand_evictions =
		__atomic_load_n(&ondemand_evictions, __ATOMIC_RELAXED);
	st->over_budget = __atomic_load_n(&over_budget, __ATOMIC_RELAXED);
}

int hostmap_ondemand_map(unsigned long vaddr, phys_addr_t phys, int prot)
{
	unsigned long old;
	int ret;

	vaddr &= PAGE_MASK;
	ring_lock_raw();
	old = ring[ring_head];
	if (old) {
		arch_unmap(old, PAGE_SIZE);
		ring_live--;
		__atomic_add_fetch(&ondemand_evictions, 1, __ATOMIC_RELAXED);
	}
	ret = arch_map_phys(vaddr, phys, PAGE_SIZE, prot);
	if (!ret) {
		ring[ring_head] = vaddr;
		ring_live++;
	} else {
		ring[ring_head] = 0;
	}
	ring_head = (ring_head + 1) % HOSTMAP_RING_SLOTS;
	ring_unlock_raw();
	if (!ret)
		__atomic_add_fetch(&ondemand_maps, 1, __ATOMIC_RELAXED);
	if (!!old != !ret)
		hostmap_account(HOSTMAP_ONDEMAND, ret ? -2 : 2);
	return ret;
}

unsigned int hostmap_ondemand_drop(unsigned long start, unsigned long end,
				   bool unmap)
{
	unsigned int i, dropped = 0;

	if (!__atomic_load_n(&ring_live, __ATOMIC_RELAXED))
		return 0;
	ring_lock_raw();
	for (i = 0; i < HOSTMAP_RING_SLOTS && ring_live; i++) {
		if (ring[i] >= start && ring[i] < end) {
			if (unmap)
				arch_unmap(ring[i], PAGE_SIZE);
			ring[i] = 0;
			ring_live--;
			dropped++;
		}
	}
	ring_unlock_raw();
	if (dropped)
		hostmap_account(HOSTMAP_ONDEMAND, -2 * (long)dropped);
	return dropped;
}

bool hostmap_ondemand_mapped(unsigned long vaddr)
{
	unsigned int i;
	bool found = false;

	vaddr &= PAGE_MASK;
	ring_lock_raw();
	for (i = 0; i < HOSTMAP_RING_SLOTS && !found; i++)
		found = ring[i] == vaddr;
	ring_unlock_raw();
	return found;
}
