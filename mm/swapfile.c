// SPDX-License-Identifier: MIT
/*
 * Swap and the anonymous LRU (the kernel's mm/swapfile.c, mm/swap_state.c
 * and the anon half of mm/vmscan.c, much simplified).
 *
 * 1. The swap area
 *    KMEM_SWAP bytes in a memfd ("/memfd:kmem-swap"), one slot per page. Slot
 *    0 holds the swap header, as on a real swap device, so SwapTotal is
 *    (size / 4 KiB - 1) pages. swap_map[slot] is 1 while a pte holds the
 *    slot. Slots are handed out next-fit from a cursor (the kernel's cluster
 *    allocator serves the same purpose: sequential writes). There is no swap
 *    cache: a page is written when it is evicted and read back into a new
 *    frame at the fault, and the slot is freed then (the frame is the only
 *    copy again, so it counts as dirty). nr_swap_pages / total_swap_pages
 *    feed meminfo's SwapFree / SwapTotal.
 *
 * 2. The LRU (an approximation)
 *    One list of evictable user frames (anon and MAP_SHARED anon; mlocked
 *    frames are kept off it, "unevictable"), in the order they were faulted
 *    in: the head is the oldest. The host MMU does not tell kmem which pages
 *    were referenced since, so there is no second chance: the list is the
 *    kernel's inactive anon list with every page unreferenced. MADV_FREE'd
 *    pages move to the head: they are dropped, not written, when clean.
 *    Counted in NR_INACTIVE_ANON / NR_ZONE_INACTIVE_ANON (Inactive(anon)).
 *    Kernel memory (slab, kmalloc, vmalloc, page tables) is never on it.
 *
 * 3. Reclaim
 *    anon_lru_reclaim() is registered with the page allocator's direct
 *    reclaim (mm/vmscan.c) and is also what a fault runs when free memory is
 *    under the low watermark (kswapd's job, mm/memory.c). It takes pages from
 *    the head and evicts each (reclaim_user_page, mm/memory.c: write it out,
 *    make its pte a swap entry, unmap it from the host, free the frame).
 *
 * Locking: lru_lock protects the list and lru_count; reclaim holds it while it
 * trylocks a page's page_table_lock (the normal order is page_table_lock ->
 * lru_lock, so the reverse is only ever a trylock). swap_lock protects
 * swap_map and the cursor; it is a leaf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include "mm/mm_user.h"

DEFINE_SPINLOCK_RANK(lru_lock, LOCK_RANK_LRU); /* mm/memory.c asserts it */
static LIST_HEAD(lru_list);
static unsigned long lru_count;

static DEFINE_SPINLOCK_RANK(swap_lock, LOCK_RANK_SWAP);
static int swap_fd = -1;
static unsigned char *swap_map;
static unsigned long swap_slots; /* including the header slot */
static unsigned long swap_cursor;

/* ---- the LRU ------------------------------------------------------------------ */

static void lru_stat(struct page *page, long d)
{
	mod_node_page_state(&contig_page_data, NR_INACTIVE_ANON, d);
	mod_zone_page_state(page_zone(page), NR_ZONE_INACTIVE_ANON, d);
}

void lru_add_page(struct page *page)
{
	spin_lock(&lru_lock);
	if (!PageLRU(page)) {
		SetPageLRU(page);
		list_add_tail(&page->lru, &lru_list);
		lru_count++;
		lru_stat(page, 1);
	}
	spin_unlock(&lru_lock);
}

void __lru_del_page(struct page *page)
{
	lockdep_assert_held(&lru_lock);
	if (PageLRU(page)) {
		ClearPageLRU(page);
		list_del(&page->lru);
		page->lru.next = page->lru.prev = NULL;
		lru_count--;
		lru_stat(page, -1);
	}
}

void lru_del_page(struct page *page)
{
	spin_lock(&lru_lock);
	__lru_del_page(page);
	spin_unlock(&lru_lock);
}

void lru_lazyfree_page(struct page *page)
{
	spin_lock(&lru_lock);
	if (PageLRU(page))
		list_move(&page->lru, &lru_list);
	spin_unlock(&lru_lock);
}

unsigned long lru_nr_pages(void)
{
	return data_race(lru_count); /* a peek: counted under lru_lock */
}

unsigned long anon_lru_reclaim(gfp_t gfp, unsigned long nr)
{
	unsigned long freed = 0, scanned = 0, budget;

	spin_lock(&lru_lock);
	budget = lru_count;
	while (freed < nr && scanned < budget && !list_empty(&lru_list)) {
		struct page *page =
			list_first_entry(&lru_list, struct page, lru);
		int ret;

		scanned++;
		ret = reclaim_user_page(page);
		if (!ret) {
			freed++;
			continue;
		}
		if (ret == -ENOSPC && atomic_long_read(&nr_swap_pages) == 0)
			break; /* swap is full: nothing but clean lazyfree pages could go */
		if (PageLRU(page))
			list_move_tail(&page->lru, &lru_list);
	}
	spin_unlock(&lru_lock);
	return freed;
}

/* ---- the swap area ------------------------------------------------------------ */

unsigned long swap_out_page(struct page *page)
{
	unsigned long slot = 0, i;
	void *kaddr;
	ssize_t n;

	if (swap_fd < 0)
		return 0;
	spin_lock(&swap_lock);
	for (i = 0; i < swap_slots - 1; i++) {
		unsigned long s = 1 + (swap_cursor + i) % (swap_slots - 1);

		if (!swap_map[s]) {
			swap_map[s] = 1;
			swap_cursor = s;
			slot = s;
			break;
		}
	}
	spin_unlock(&swap_lock);
	if (!slot)
		return 0;
	atomic_long_dec(&nr_swap_pages);
	kaddr = kmap_local_page(page);
	n = pwrite(swap_fd, kaddr, PAGE_SIZE, (off_t)(slot << PAGE_SHIFT));
	kunmap_local(kaddr);
	if (n != (ssize_t)PAGE_SIZE) {
		pr_err("kmem: write error on swap slot %lu\n", slot);
		swap_free_slot(slot);
		return 0;
	}
	return slot;
}

int swap_in_page(struct page *page, unsigned long slot)
{
	void *kaddr = kmap_local_page(page);
	ssize_t n =
		pread(swap_fd, kaddr, PAGE_SIZE, (off_t)(slot << PAGE_SHIFT));

	kunmap_local(kaddr);
	if (n != (ssize_t)PAGE_SIZE) {
		pr_err("kmem: read error on swap slot %lu\n", slot);
		return -EIO;
	}
	return 0;
}

void swap_free_slot(unsigned long slot)
{
	bool freed = false;

	spin_lock(&swap_lock);
	if (slot && slot < swap_slots && swap_map[slot]) {
		swap_map[slot] = 0;
		freed = true;
	}
	spin_unlock(&swap_lock);
	if (freed)
		atomic_long_inc(&nr_swap_pages);
	else
		pr_err("swap_free: Bad swap offset entry %08lx\n", slot);
}

static int swap_init(void)
{
	unsigned long long bytes = kmem_cfg.swap;
	unsigned long pages = (unsigned long)(bytes >> PAGE_SHIFT);

	atomic_long_set(&nr_swap_pages, 0);
	atomic_long_set(&total_swap_pages, 0);
	if (pages < 2)
		return 0;
	swap_fd = memfd_create("kmem-swap", MFD_CLOEXEC);
	if (swap_fd < 0)
		return -errno;
	if (ftruncate(swap_fd,
		      (off_t)((unsigned long long)pages << PAGE_SHIFT))) {
		int err = -errno;

		close(swap_fd);
		swap_fd = -1;
		return err;
	}
	swap_map = calloc(pages, 1);
	if (!swap_map) {
		close(swap_fd);
		swap_fd = -1;
		return -ENOMEM;
	}
	swap_slots = pages;
	swap_cursor = 0;
	swap_map[0] = 1; /* the header */
	atomic_long_set(&total_swap_pages, (long)(pages - 1));
	atomic_long_set(&nr_swap_pages, (long)(pages - 1));
	if (!kmem_cfg.quiet)
		pr_info("Adding %luk swap on /memfd:kmem-swap.  Priority:-2 extents:1 across:%luk SS\n",
			(pages - 1) << 2, (pages - 1) << 2);
	return 0;
}

static void swap_exit(void)
{
	if (swap_fd >= 0)
		close(swap_fd);
	swap_fd = -1;
	free(swap_map);
	swap_map = NULL;
	swap_slots = swap_cursor = 0;
	atomic_long_set(&nr_swap_pages, 0);
	atomic_long_set(&total_swap_pages, 0);
	INIT_LIST_HEAD(&lru_list);
	lru_count = 0;
}

/* Below the user address spaces: up before them, down after their processes
 * (which free their slots) are gone. */
KMEM_INITCALL(KMEM_INIT_MM - 1, swap_init, swap_exit);

/*
 * fork() (init/fork.c): the child gets a copy of the swap area, as of
 * the RAM. The copy is made in the parent before the fork, with the
 * shrinker lock held (no swap-out in flight), and takes swap_fd's number in
 * the child.
 */
static int swap_fork_copy = -1;
static int swap_fork_error;

static void swap_fork_prepare(void)
{
	swap_fork_copy = -1;
	swap_fork_error = 0;
	if (swap_fd < 0)
		return;
	swap_fork_copy = kmem_copy_memfd(swap_fd, "kmem-swap");
	if (swap_fork_copy < 0)
		swap_fork_error = -swap_fork_copy;
}

static void swap_fork_parent(void)
{
	if (swap_fork_copy >= 0)
		close(swap_fork_copy);
	swap_fork_copy = -1;
}

static void swap_fork_child(void)
{
	char buf[128];

	if (swap_fd < 0)
		return;
	if (swap_fork_copy >= 0 &&
	    dup3(swap_fork_copy, swap_fd, O_CLOEXEC) >= 0) {
		close(swap_fork_copy);
		swap_fork_copy = -1;
		return;
	}
	snprintf(buf, sizeof(buf),
		 "kmem: fork: cannot give the child its own swap (%s)\n",
		 strerror(swap_fork_copy >= 0 ? errno : swap_fork_error));
	kmem_emergency_write(buf);
	abort();
}

KMEM_FORK_HOOKS(90, swap_fork_prepare, swap_fork_parent, swap_fork_child);
