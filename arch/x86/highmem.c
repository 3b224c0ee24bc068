// SPDX-License-Identifier: MIT
/*
 * kmap: temporary kernel mappings of HighMem pages (x86-32 layout).
 *
 * HighMem frames are not in the direct map. kmap() maps one into a free slot of
 * the persistent kmap window [PKMAP_BASE, PKMAP_BASE + LAST_PKMAP pages) with
 * the MMU; the slot is reference counted, so kmapping a page twice gives the
 * same address, and the mapping is removed when the last user kunmaps it.
 * kmap_local_page()/kmap_atomic() use the same window (the kernel uses per-CPU
 * fixmap slots; the observable behaviour, a short-lived private mapping, is the
 * same). Low-memory pages need no mapping: their direct-map address is
 * returned.
 *
 * Each mapped slot counts 2 host mappings (the page and the split of the
 * window) in the HOSTMAP_KERNEL class of arch/x86/hostmap.c.
 *
 * Locking: pkmap_lock protects the slot table; kmap() sleeps on pkmap_wait when
 * every slot is busy, as the kernel's does.
 */
#include <pthread.h>
#include <sys/mman.h>

#include <linux/highmem.h>
#include <linux/mutex.h>
#include <asm/pgtable.h>
#include "arch/x86/machine.h"

static struct {
	struct page *page;
	int count;
} pkmap[LAST_PKMAP];
static DEFINE_MUTEX_RANK(pkmap_lock, LOCK_RANK_LEAF);
static pthread_cond_t pkmap_wait = PTHREAD_COND_INITIALIZER;

static void *kmap_high(struct page *page, bool can_sleep)
{
	int i, free_slot;
	void *addr = NULL;

	mutex_lock_atomic(&pkmap_lock);
	for (;;) {
		free_slot = -1;
		for (i = 0; i < LAST_PKMAP; i++) {
			if (pkmap[i].page == page) {
				pkmap[i].count++;
				addr = (void *)PKMAP_ADDR(i);
				goto out;
			}
			if (!pkmap[i].page && free_slot < 0)
				free_slot = i;
		}
		if (free_slot >= 0)
			break;
		if (!can_sleep) {
			mutex_unlock(&pkmap_lock);
			pr_err("kmem: kmap_local_page: all %d kmap slots are in use\n",
			       LAST_PKMAP);
			BUG();
		}
		mutex_cond_wait(&pkmap_wait, &pkmap_lock);
	}
	if (arch_map_phys(PKMAP_ADDR(free_slot), page_to_phys(page), PAGE_SIZE,
			  PROT_READ | PROT_WRITE) == 0) {
		pkmap[free_slot].page = page;
		pkmap[free_slot].count = 1;
		hostmap_account(HOSTMAP_KERNEL, 2); /* the slot and the split */
		SetPageHighMemMapped(page);
		addr = (void *)PKMAP_ADDR(free_slot);
	}
out:
	mutex_unlock(&pkmap_lock);
	return addr;
}

static void kunmap_slot(int i)
{
	mutex_lock_atomic(&pkmap_lock);
	if (WARN_ON(!pkmap[i].page || pkmap[i].count <= 0))
		goto out;
	if (--pkmap[i].count == 0) {
		arch_unmap(PKMAP_ADDR(i), PAGE_SIZE);
		hostmap_account(HOSTMAP_KERNEL, -2);
		ClearPageHighMemMapped(pkmap[i].page);
		pkmap[i].page = NULL;
		pthread_cond_broadcast(&pkmap_wait);
	}
out:
	mutex_unlock(&pkmap_lock);
}

void *kmap(struct page *page)
{
	might_sleep();
	if (!PageHighMem(page))
		return lowmem_page_address(page);
	return kmap_high(page, true);
}

void kunmap(struct page *page)
{
	int i;

	if (!PageHighMem(page))
		return;
	mutex_lock_atomic(&pkmap_lock);
	for (i = 0; i < LAST_PKMAP; i++)
		if (pkmap[i].page == page)
			break;
	mutex_unlock(&pkmap_lock);
	if (WARN_ON(i == LAST_PKMAP))
		return;
	kunmap_slot(i);
}

void *kmap_local_page(struct page *page)
{
	if (!PageHighMem(page))
		return lowmem_page_address(page);
	return kmap_high(page, false);
}

void kunmap_local(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (!PKMAP_BASE || a < PKMAP_BASE || a >= PKMAP_ADDR(LAST_PKMAP))
		return;
	kunmap_slot((int)((a - PKMAP_BASE) >> PAGE_SHIFT));
}

void *page_address(const struct page *page)
{
	void *addr = NULL;
	int i;

	if (!PageHighMem(page))
		return lowmem_page_address(page);
	if (!PageHighMemMapped(page))
		return NULL;
	mutex_lock_atomic(&pkmap_lock);
	for (i = 0; i < LAST_PKMAP; i++) {
		if (pkmap[i].page == page) {
			addr = (void *)PKMAP_ADDR(i);
			break;
		}
	}
	mutex_unlock(&pkmap_lock);
	return addr;
}

/* Forget every mapping (the machine is being torn down). */
void arch_kmap_reset(void)
{
	mutex_lock_atomic(&pkmap_lock);
	memset(pkmap, 0, sizeof(pkmap));
	mutex_unlock(&pkmap_lock);
}
