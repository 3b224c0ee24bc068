// SPDX-License-Identifier: MIT
/*
 * The vmalloc address allocator: who owns which range of [VMALLOC_START,
 * VMALLOC_END).
 *
 * 1. Data structures. Every page-aligned range of the vmalloc space is in
 *    exactly one of three places, each range described by a struct vmap_area
 *    (from the "vmap_area" slab cache):
 *      - the free tree: free ranges, an AVL tree ordered by address. Each node
 *        also holds subtree_max_size, the largest free range in its subtree
 *        (the kernel augments a red-black tree the same way; an AVL tree gives
 *        the same O(log n) bounds with simpler code);
 *      - the busy tree: allocated ranges (vmalloc areas with their guard page,
 *        vmap, vm_map_ram), an AVL tree ordered by address;
 *      - the purge list: ranges freed by vfree/vunmap but not yet purged
 *        ("unpurged vm_area" in /proc/vmallocinfo). Their page-table entries
 *        are already clear; they wait for one batched "TLB flush".
 *
 * 2. Invariants (checked by vmalloc_check()):
 *      - both trees are ordered, AVL-balanced, heights correct;
 *      - in the free tree, subtree_max_size == max(own size, children's);
 *      - free ranges never touch (a freed range is merged with both
 *        neighbours at once), ranges never overlap;
 *      - free + busy + lazy ranges tile [VMALLOC_START, vmalloc_end) exactly;
 *      - vmap_lazy_nr == the pages of the ranges on the purge list.
 *
 * 3. Allocation: the lowest free range that holds `size` bytes at an
 *    `align`-aligned address at or above vstart. The search descends left
 *    while the left subtree has a block of at least size + align - 1 bytes
 *    (such a block always fits whatever its alignment), so it is O(log n); the
 *    chosen range is cut into up to two free pieces (the kernel's FL/LE/RE/NE
 *    fit types). A no-edge fit needs a second vmap_area, allocated before the
 *    lock is taken (a spare kept in `ne_fit_spare`).
 *
 * 4. Lazy freeing: freed ranges go on the purge list; when more than
 *    lazy_max_pages() = fls(online CPUs) * 32 MiB / PAGE_SIZE pages wait, one
 *    purge returns them all to the free tree and counts one TLB flush. The
 *    kernel runs that purge from a workqueue; kmem has none, so the thread
 *    that crosses the threshold purges. Exhaustion of the space also purges
 *    (then retries once), and so does reclaim (a shrinker in mm/vmalloc.c).
 *
 * 5. Locks (their order: docs/ARCHITECTURE.md, "Lock order"):
 *      purge_mutex          one purge at a time; the checker takes it to see
 *                           a quiescent state (pthread mutex)
 *      vmap_area_lock       the busy tree, the purge list, vmap_lazy_nr
 *      free_vmap_area_lock  the free tree
 *    The two spinlocks are never nested: an area moves from free to busy by
 *    taking one, then the other. No allocation happens under them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "mm/internal.h"
#include "mm/vmalloc.h"

DEFINE_SPINLOCK_RANK(vmap_area_lock, LOCK_RANK_VMAP_AREA);
static DEFINE_SPINLOCK_RANK(free_vmap_area_lock, LOCK_RANK_FREE_VMAP_AREA);
static DEFINE_MUTEX_RANK(purge_mutex, LOCK_RANK_PURGE);

static struct kmem_cache *vmap_area_cachep;

/* Protected by free_vmap_area_lock. */
static struct vmap_area *free_root;
static unsigned long nr_free_areas;

/* Protected by vmap_area_lock. */
static struct vmap_area *busy_root;
static unsigned long nr_busy_areas;
static LIST_HEAD(purge_list);
static unsigned long nr_lazy_areas;
static unsigned long vmap_lazy_nr; /* pages on the purge list */

static struct vmap_area *ne_fit_spare; /* exchanged atomically */
static unsigned long nr_purges;	       /* atomic */
static unsigned long vm_space_start, vm_space_end;

/* ---- AVL tree ------------------------------------------------------------ */

static inline int va_height(const struct vmap_area *va)
{
	return va ? va->height : 0;
}

static inline unsigned long va_max(const struct vmap_area *va)
{
	return va ? va->subtree_max_size : 0;
}

static inline void va_update(struct vmap_area *n)
{
	n->height = 1 + max(va_height(n->left), va_height(n->right));
	n->subtree_max_size =
		max(va_size(n), max(va_max(n->left), va_max(n->right)));
}

static struct vmap_area *rotate_right(struct vmap_area *n)
{
	struct vmap_area *l = n->left;

	n->left = l->right;
	l->right = n;
	va_update(n);
	va_update(l);
	return l;
}

static struct vmap_area *rotate_left(struct vmap_area *n)
{
	struct vmap_area *r = n->right;

	n->right = r->left;
	r->left = n;
	va_update(n);
	va_update(r);
	return r;
}

static struct vmap_area *va_balance(struct vmap_area *n)
{
	int bf;

	va_update(n);
	bf = va_height(n->left) - va_height(n->right);
	if (bf > 1) {
		if (va_height(n->left->left) < va_height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (bf < -1) {
		if (va_height(n->right->right) < va_height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

static struct vmap_area *va_insert(struct vmap_area *n, struct vmap_area *va)
{
	if (!n) {
		va->left = va->right = NULL;
		va_update(va);
		return va;
	}
	if (va->va_start < n->va_start)
		n->left = va_insert(n->left, va);
	else
		n->right = va_insert(n->right, va);
	return va_balance(n);
}

static struct vmap_area *va_remove_min(struct vmap_area *n,
				       struct vmap_area **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = va_remove_min(n->left, min);
	return va_balance(n);
}

/* Remove the node starting at `start` (it must be there). */
static struct vmap_area *va_remove(struct vmap_area *n, unsigned long start)
{
	struct vmap_area *l, *r, *m;

	if (!n)
		return NULL;
	if (start < n->va_start) {
		n->left = va_remove(n->left, start);
	} else if (start > n->va_start) {
		n->right = va_remove(n->right, start);
	} else {
		l = n->left;
		r = n->right;
		n->left = n->right = NULL;
		if (!r)
			return l;
		r = va_remove_min(r, &m);
		m->left = l;
		m->right = r;
		return va_balance(m);
	}
	return va_balance(n);
}

/* A node's range changed in place (its order did not): fix the augmented
 * values on the path from the root to it. */
static void va_update_path(struct vmap_area *n, unsigned long start)
{
	if (!n)
		return;
	if (start < n->va_start)
		va_update_path(n->left, start);
	else if (start > n->va_start)
		va_update_path(n->right, start);
	va_update(n);
}

/* The node containing addr. */
static struct vmap_area *va_lookup(struct vmap_area *n, unsigned long addr)
{
	while (n) {
		if (addr < n->va_start)
			n = n->left;
		else if (addr >= n->va_end)
			n = n->right;
		else
			return n;
	}
	return NULL;
}

/* The node with the largest va_start < addr. */
static struct vmap_area *va_pred(struct vmap_area *n, unsigned long addr)
{
	struct vmap_area *best = NULL;

	while (n) {
		if (n->va_start < addr) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* The node starting exactly at addr. */
static struct vmap_area *va_exact(struct vmap_area *n, unsigned long addr)
{
	while (n) {
		if (addr < n->va_start)
			n = n->left;
		else if (addr > n->va_start)
			n = n->right;
		else
			return n;
	}
	return NULL;
}

/* ---- the free tree -------------------------------------------------------- */

static inline bool va_fits(const struct vmap_area *va, unsigned long size,
			   unsigned long align, unsigned long vstart)
{
	unsigned long nva_start = ALIGN(max(va->va_start, vstart), align);

	if (nva_start < va->va_start || nva_start + size < nva_start)
		return false; /* wrapped */
	return nva_start + size <= va->va_end;
}

/* Lowest free range where [ALIGN(start, align), +size) fits, start >= vstart.
 * Subtrees without a block of `length` are not entered. */
static struct vmap_area *
find_lowest_match(struct vmap_area *n, unsigned long size, unsigned long align,
		  unsigned long vstart, unsigned long length)
{
	struct vmap_area *va;

	while (n) {
		if (va_max(n->left) >= length && vstart < n->va_start) {
			va = find_lowest_match(n->left, size, align, vstart,
					       length);
			if (va)
				return va;
		}
		if (va_fits(n, size, align, vstart))
			return n;
		if (va_max(n->right) < length)
			return NULL;
		n = n->right;
	}
	return NULL;
}

/*
 * Carve [nva_start, nva_start + size) out of free range va. Returns the
 * vmap_area that is no longer needed (full fit) or NULL; uses *spare for a
 * no-edge fit (and clears it). Caller holds free_vmap_area_lock.
 */
static struct vmap_area *va_clip(struct vmap_area *va, unsigned long nva_start,
				 unsigned long size, struct vmap_area **spare)
{
	unsigned long nva_end = nva_start + size;

	lockdep_assert_held(&free_vmap_area_lock);
	if (va->va_start == nva_start && va->va_end == nva_end) {
		free_root = va_remove(free_root, va->va_start);
		nr_free_areas--;
		return va;
	}
	if (va->va_start == nva_start) {
		va->va_start = nva_end; /* left edge: order unchanged */
		va_update_path(free_root, va->va_start);
	} else if (va->va_end == nva_end) {
		va->va_end = nva_start; /* right edge */
		va_update_path(free_root, va->va_start);
	} else {
		struct vmap_area *lva = *spare;

		*spare = NULL;
		lva->va_start = va->va_start;
		lva->va_end = nva_start;
		lva->flags = 0;
		lva->vm = NULL;
		va->va_start = nva_end;
		va_update_path(free_root, va->va_start);
		free_root = va_insert(free_root, lva);
		nr_free_areas++;
	}
	return NULL;
}

/*
 * Put a range back into the free tree, merging with the neighbours. Returns
 * up to two vmap_areas that are no longer needed in out[]. Caller holds
 * free_vmap_area_lock.
 */
static int merge_or_add_vmap_area(struct vmap_area *va,
				  struct vmap_area *out[2])
{
	struct vmap_area *prev = va_pred(free_root, va->va_start);
	struct vmap_area *next = va_exact(free_root, va->va_end);
	int n = 0;

	lockdep_assert_held(&free_vmap_area_lock);
	kmem_assert(va->va_start < va->va_end);
	if (prev && prev->va_end != va->va_start)
		prev = NULL;
	if (prev && next) {
		unsigned long end = next->va_end;

		free_root = va_remove(free_root, next->va_start);
		nr_free_areas--;
		prev->va_end = end;
		va_update_path(free_root, prev->va_start);
		out[n++] = next;
		out[n++] = va;
	} else if (next) {
		next->va_start = va->va_start; /* no range lies between */
		va_update_path(free_root, next->va_start);
		out[n++] = va;
	} else if (prev) {
		prev->va_end = va->va_end;
		va_update_path(free_root, prev->va_start);
		out[n++] = va;
	} else {
		va->flags = 0;
		va->vm = NULL;
		free_root = va_insert(free_root, va);
		nr_free_areas++;
	}
	return n;
}

static bool free_tree_ok(void);

/* Take free ranges back in one batch (one lock round trip). */
static void free_tree_add_list(struct list_head *head)
{
	struct vmap_area *va, *tmp, *out[2];
	LIST_HEAD(dead);
	int i, n;

	spin_lock(&free_vmap_area_lock);
	list_for_each_entry_safe(va, tmp, head, list) {
		list_del(&va->list);
		n = merge_or_add_vmap_area(va, out);
		for (i = 0; i < n; i++)
			list_add(&out[i]->list, &dead);
	}
	/* The whole free tree after the batch (debug builds). */
	kmem_assert_expensive(free_tree_ok());
	spin_unlock(&free_vmap_area_lock);
	list_for_each_entry_safe(va, tmp, &dead, list)
		kmem_cache_free(vmap_area_cachep, va);
}

/* ---- allocation ----------------------------------------------------------- */

static struct vmap_area *new_va(gfp_t gfp)
{
	struct vmap_area *va;

	va = kmem_cache_alloc(vmap_area_cachep,
			      gfp & (GFP_KERNEL | __GFP_NOFAIL | __GFP_NORETRY |
				     __GFP_NOWARN | __GFP_HIGH |
				     __GFP_RETRY_MAYFAIL));
	if (va)
		memset(va, 0, sizeof(*va));
	return va;
}

/* Search and carve; -ERANGE when nothing fits. */
static int __alloc_vmap_range(unsigned long size, unsigned long align,
			      unsigned long vstart, unsigned long vend,
			      unsigned long *addr, struct vmap_area **unused)
{
	struct vmap_area *va, *spare;
	unsigned long length = size, nva_start;

	if (align > PAGE_SIZE && vend - vstart != size) {
		length = size + align - 1;
		if (length < size)
			return -ERANGE;
	}
	spare = __atomic_exchange_n(&ne_fit_spare, NULL, __ATOMIC_ACQUIRE);
	spin_lock(&free_vmap_area_lock);
	va = find_lowest_match(free_root, size, align, vstart, length);
	if (!va) {
		spin_unlock(&free_vmap_area_lock);
		goto out_spare;
	}
	nva_start = ALIGN(max(va->va_start, vstart), align);
	if (nva_start + size > vend || nva_start + size < nva_start) {
		spin_unlock(&free_vmap_area_lock);
		goto out_spare;
	}
	if (!spare && va->va_start != nva_start &&
	    va->va_end != nva_start + size) {
		/* A no-edge fit needs a second node: get one and retry. */
		spin_unlock(&free_vmap_area_lock);
		spare = new_va(GFP_KERNEL);
		if (!spare)
			return -ENOMEM;
		__atomic_store_n(&ne_fit_spare, spare, __ATOMIC_RELEASE);
		return -EAGAIN;
	}
	*unused = va_clip(va, nva_start, size, &spare);
	spin_unlock(&free_vmap_area_lock);
	*addr = nva_start;
	if (spare) {
		spare = __atomic_exchange_n(&ne_fit_spare, spare,
					    __ATOMIC_ACQ_REL);
		if (spare)
			kmem_cache_free(vmap_area_cachep, spare);
	}
	return 0;

out_spare:
	if (spare) {
		spare = __atomic_exchange_n(&ne_fit_spare, spare,
					    __ATOMIC_ACQ_REL);
		if (spare)
			kmem_cache_free(vmap_area_cachep, spare);
	}
	return -ERANGE;
}

static void insert_busy(struct vmap_area *va)
{
	kmem_assert(va->va_start < va->va_end && PAGE_ALIGNED(va->va_start) &&
		    PAGE_ALIGNED(va->va_end));
	spin_lock(&vmap_area_lock);
	busy_root = va_insert(busy_root, va);
	nr_busy_areas++;
	spin_unlock(&vmap_area_lock);
}

struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align,
				  unsigned long vstart, unsigned long vend,
				  int node, gfp_t gfp_mask,
				  unsigned long va_flags, struct vm_struct *vm)
{
	struct vmap_area *va, *unused = NULL;
	unsigned long addr = 0;
	bool purged = false;
	int ret;

	(void)node;
	if (unlikely(!kmem_ensure_booted()))
		return ERR_PTR(-ENOMEM);
	if (unlikely(!size || offset_in_page(size) || !is_power_of_2(align)))
		return ERR_PTR(-EINVAL);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	vstart = max(vstart, vm_space_start);
	vend = min(vend, vm_space_end);
	if (vstart >= vend)
		return ERR_PTR(-EINVAL);
	va = new_va(gfp_mask);
	if (unlikely(!va))
		return ERR_PTR(-ENOMEM);
retry:
	ret = __alloc_vmap_range(size, align, vstart, vend, &addr, &unused);
	if (ret == -EAGAIN)
		goto retry;
	if (ret == -ERANGE && !purged && gfpflags_allow_blocking(gfp_mask) &&
	    !in_interrupt()) {
		purge_vmap_area_lazy();
		purged = true;
		goto retry;
	}
	if (ret) {
		kmem_cache_free(vmap_area_cachep, va);
		if (ret == -ENOMEM)
			return ERR_PTR(-ENOMEM);
		if (!(gfp_mask & __GFP_NOWARN))
			pr_warn("vmap allocation for size %lu failed: use vmalloc=<size> to increase size\n",
				size);
		return ERR_PTR(-EBUSY);
	}
	if (unused)
		kmem_cache_free(vmap_area_cachep, unused);
	va->va_start = addr;
	va->va_end = addr + size;
	va->vm = vm;
	va->flags = va_flags;
	va->caller = vm ? vm->caller : NULL;
	insert_busy(va);
	return va;
}

struct vmap_area *__find_vmap_area(unsigned long addr)
{
	lockdep_assert_held(&vmap_area_lock);
	return va_lookup(busy_root, addr);
}

struct vmap_area *find_vmap_area(unsigned long addr)
{
	struct vmap_area *va;

	spin_lock(&vmap_area_lock);
	va = va_lookup(busy_root, addr);
	spin_unlock(&vmap_area_lock);
	return va;
}

struct vmap_area *find_unlink_vmap_area(unsigned long addr)
{
	struct vmap_area *va;

	spin_lock(&vmap_area_lock);
	va = va_lookup(busy_root, addr);
	if (va) {
		kmem_assert(va->va_start <= addr && addr < va->va_end);
		busy_root = va_remove(busy_root, va->va_start);
		nr_busy_areas--;
	}
	spin_unlock(&vmap_area_lock);
	return va;
}

struct vmap_area *__find_lazy_vmap_area(unsigned long addr)
{
	struct vmap_area *va;

	list_for_each_entry(va, &purge_list, list)
		if (addr >= va->va_start && addr < va->va_end)
			return va;
	return NULL;
}

/* ---- lazy freeing ----------------------------------------------------------- */

unsigned long lazy_max_pages(void)
{
	return (unsigned long)fls(nr_cpu_ids) *
	       (32UL * 1024 * 1024 / PAGE_SIZE);
}

static unsigned long __purge_vmap_area_lazy(void)
{
	struct vmap_area *va;
	unsigned long start = ULONG_MAX, end = 0, nr;
	LIST_HEAD(local);

	lockdep_assert_held(&purge_mutex);
	spin_lock(&vmap_area_lock);
	list_splice_init(&purge_list, &local);
	nr = vmap_lazy_nr;
	vmap_lazy_nr = 0;
	nr_lazy_areas = 0;
	spin_unlock(&vmap_area_lock);
	if (list_empty(&local))
		return 0;
	list_for_each_entry(va, &local, list) {
		start = min(start, va->va_start);
		end = max(end, va->va_end);
	}
	/* One flush for the whole batch; empty page tables go back too. */
	vmalloc_release_lazy_range(start, end);
	__atomic_add_fetch(&nr_purges, 1, __ATOMIC_RELAXED);
	free_tree_add_list(&local);
	return nr;
}

unsigned long purge_vmap_area_lazy(void)
{
	unsigned long nr;

	mutex_lock_atomic(&purge_mutex);
	nr = __purge_vmap_area_lazy();
	mutex_unlock(&purge_mutex);
	return nr;
}

/* For the shrinker: never wait for another purge. */
unsigned long try_purge_vmap_area_lazy(void);
unsigned long try_purge_vmap_area_lazy(void)
{
	unsigned long nr;

	if (!mutex_trylock(&purge_mutex))
		return 0;
	nr = __purge_vmap_area_lazy();
	mutex_unlock(&purge_mutex);
	return nr;
}

void free_vmap_area_noflush(struct vmap_area *va)
{
	unsigned long nr_lazy = va_size(va) >> PAGE_SHIFT, total;

	va->vm = NULL;
	va->flags |= VMAP_LAZY;
	spin_lock(&vmap_area_lock);
	list_add_tail(&va->list, &purge_list);
	nr_lazy_areas++;
	vmap_lazy_nr += nr_lazy;
	total = vmap_lazy_nr;
	spin_unlock(&vmap_area_lock);
	if (unlikely(total > lazy_max_pages()) && !in_interrupt())
		purge_vmap_area_lazy();
}

/* ---- iteration, statistics ------------------------------------------------ */

static unsigned long
walk_busy(struct vmap_area *n,
	  void (*fn)(const struct vmalloc_area_info *, void *), void *arg)
{
	struct vmalloc_area_info info;
	unsigned long count;

	if (!n)
		return 0;
	count = walk_busy(n->left, fn, arg);
	memset(&info, 0, sizeof(info));
	info.start = n->va_start;
	info.end = n->va_end;
	info.vm_map_ram = (n->flags & VMAP_RAM) != 0;
	info.caller = n->caller;
	info.map_mode = n->map_mode;
	if (n->vm) {
		info.flags = n->vm->flags;
		info.nr_pages = n->vm->nr_pages;
		info.caller = n->vm->caller;
		info.vpages = is_vmalloc_addr(n->vm->pages);
	} else if (info.vm_map_ram) {
		info.nr_pages = (unsigned int)(va_size(n) >> PAGE_SHIFT);
	}
	fn(&info, arg);
	return count + 1 + walk_busy(n->right, fn, arg);
}

unsigned long vmalloc_for_each_area(void (*fn)(const struct vmalloc_area_info *,
					       void *),
				    void *arg)
{
	struct vmalloc_area_info info;
	struct vmap_area *va;
	unsigned long count;

	if (!kmem_is_booted())
		return 0;
	spin_lock(&vmap_area_lock);
	count = walk_busy(busy_root, fn, arg);
	list_for_each_entry(va, &purge_list, list) {
		memset(&info, 0, sizeof(info));
		info.start = va->va_start;
		info.end = va->va_end;
		info.caller = va->caller;
		info.lazy = true;
		fn(&info, arg);
		count++;
	}
	spin_unlock(&vmap_area_lock);
	return count;
}

static unsigned long sum_sizes(const struct vmap_area *n)
{
	return n ? va_size(n) + sum_sizes(n->left) + sum_sizes(n->right) : 0;
}

void vmap_area_get_stats(struct vmalloc_stats *st);
void vmap_area_get_stats(struct vmalloc_stats *st)
{
	struct vmap_area *va;

	spin_lock(&vmap_area_lock);
	st->nr_busy = nr_busy_areas;
	st->busy_bytes = sum_sizes(busy_root);
	st->nr_lazy = nr_lazy_areas;
	st->lazy_pages = vmap_lazy_nr;
	st->lazy_bytes = 0;
	list_for_each_entry(va, &purge_list, list)
		st->lazy_bytes += va_size(va);
	spin_unlock(&vmap_area_lock);
	spin_lock(&free_vmap_area_lock);
	st->nr_free = nr_free_areas;
	st->free_bytes = sum_sizes(free_root);
	st->largest_free = va_max(free_root);
	spin_unlock(&free_vmap_area_lock);
	st->nr_purges = __atomic_load_n(&nr_purges, __ATOMIC_RELAXED);
}

/* ---- the checker ------------------------------------------------------------ */

struct range {
	unsigned long start, end;
	int kind; /* 0 free, 1 busy, 2 lazy */
};

struct check_state {
	struct range *r;
	unsigned long n, cap;
	bool ok;
};

static void add_range(struct check_state *cs, unsigned long s, unsigned long e,
		      int kind)
{
	if (cs->n == cs->cap) {
		unsigned long cap = cs->cap ? cs->cap * 2 : 1024;
		struct range *r = realloc(cs->r, cap * sizeof(*r));

		if (!r) {
			cs->ok = false;
			return;
		}
		cs->r = r;
		cs->cap = cap;
	}
	cs->r[cs->n].start = s;
	cs->r[cs->n].end = e;
	cs->r[cs->n].kind = kind;
	cs->n++;
}

/* Checks order within (lo, hi), heights, balance and the augmented values;
 * returns the height. */
static int check_tree(struct check_state *cs, const struct vmap_area *n,
		      unsigned long lo, unsigned long hi, int kind,
		      const char *name)
{
	int hl, hr;
	unsigned long want;

	if (!n)
		return 0;
	if (n->va_start < lo || n->va_end > hi || n->va_start >= n->va_end ||
	    offset_in_page(n->va_start) || offset_in_page(n->va_end)) {
		pr_err("vmalloc: check: %s tree node [%#lx-%#lx) out of order or bad\n",
		       name, n->va_start, n->va_end);
		cs->ok = false;
		return n->height;
	}
	hl = check_tree(cs, n->left, lo, n->va_start, kind, name);
	add_range(cs, n->va_start, n->va_end, kind);
	hr = check_tree(cs, n->right, n->va_end, hi, kind, name);
	if (n->height != 1 + max(hl, hr) || hl - hr > 1 || hr - hl > 1) {
		pr_err("vmalloc: check: %s tree node [%#lx-%#lx) height %d (children %d/%d)\n",
		       name, n->va_start, n->va_end, n->height, hl, hr);
		cs->ok = false;
	}
	want = max(va_size(n), max(va_max(n->left), va_max(n->right)));
	if (kind == 0 && n->subtree_max_size != want) {
		pr_err("vmalloc: check: free node [%#lx-%#lx) subtree_max_size %lu, should be %lu\n",
		       n->va_start, n->va_end, n->subtree_max_size, want);
		cs->ok = false;
	}
	return 1 + max(hl, hr);
}

/* The free tree alone (free_vmap_area_lock held): order, balance and
 * subtree_max_size; the other trees change under their own locks, so
 * only vmap_area_check() compares them, at quiescent points. */
static bool free_tree_ok(void)
{
	struct check_state cs = { NULL, 0, 0, true };

	lockdep_assert_held(&free_vmap_area_lock);
	check_tree(&cs, free_root, 0, ULONG_MAX, 0, "free");
	free(cs.r);
	return cs.ok;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

bool vmap_area_check(void);
bool vmap_area_check(void)
{
	struct check_state cs = { NULL, 0, 0, true };
	struct vmap_area *va;
	unsigned long i, lazy_pages = 0, pos;

	if (!vmap_area_cachep)
		return true;
	mutex_lock_atomic(&purge_mutex);
	spin_lock(&vmap_area_lock);
	spin_lock(&free_vmap_area_lock);
	check_tree(&cs, free_root, 0, ULONG_MAX, 0, "free");
	check_tree(&cs, busy_root, 0, ULONG_MAX, 1, "busy");
	list_for_each_entry(va, &purge_list, list) {
		add_range(&cs, va->va_start, va->va_end, 2);
		lazy_pages += va_size(va) >> PAGE_SHIFT;
	}
	if (lazy_pages != vmap_lazy_nr) {
		pr_err("vmalloc: check: vmap_lazy_nr %lu, purge list holds %lu pages\n",
		       vmap_lazy_nr, lazy_pages);
		cs.ok = false;
	}
	spin_unlock(&free_vmap_area_lock);
	spin_unlock(&vmap_area_lock);
	mutex_unlock(&purge_mutex);

	qsort(cs.r, cs.n, sizeof(*cs.r), cmp_range);
	pos = vm_space_start;
	for (i = 0; i < cs.n && cs.ok; i++) {
		if (cs.r[i].start != pos) {
			pr_err("vmalloc: check: %s at %#lx: expected a range to start at %#lx\n",
			       cs.r[i].start < pos ? "overlap" : "hole",
			       cs.r[i].start, pos);
			cs.ok = false;
		}
		if (i > 0 && cs.r[i].kind == 0 && cs.r[i - 1].kind == 0) {
			pr_err("vmalloc: check: free ranges at %#lx and %#lx not merged\n",
			       cs.r[i - 1].start, cs.r[i].start);
			cs.ok = false;
		}
		pos = cs.r[i].end;
	}
	if (cs.ok && pos != vm_space_end) {
		pr_err("vmalloc: check: ranges end at %#lx, the space at %#lx\n",
		       pos, vm_space_end);
		cs.ok = false;
	}
	free(cs.r);
	return cs.ok;
}

/* ---- init and exit ---------------------------------------------------------- */

int vmap_area_init(void)
{
	struct vmap_area *va;

	/* Not tracked by kmemleak: va_start/va_end are bounds, not
	 * references (a free range's end is the next area's start). */
	vmap_area_cachep = kmem_cache_create("vmap_area",
					     sizeof(struct vmap_area), 0,
					     SLAB_NOLEAKTRACE, NULL);
	if (!vmap_area_cachep)
		return -ENOMEM;
	vm_space_start = VMALLOC_START;
	vm_space_end = VMALLOC_END & PAGE_MASK;
	va = new_va(GFP_KERNEL);
	if (!va)
		return -ENOMEM;
	va->va_start = vm_space_start;
	va->va_end = vm_space_end;
	free_root = va_insert(NULL, va);
	nr_free_areas = 1;
	return 0;
}

static void destroy_tree(struct vmap_area *n)
{
	if (!n)
		return;
	destroy_tree(n->left);
	destroy_tree(n->right);
	kmem_cache_free(vmap_area_cachep, n);
}

void vmap_area_exit(void)
{
	struct vmap_area *va, *tmp;

	if (!vmap_area_cachep)
		return;
	destroy_tree(free_root);
	destroy_tree(busy_root);
	list_for_each_entry_safe(va, tmp, &purge_list, list)
		kmem_cache_free(vmap_area_cachep, va);
	va = __atomic_exchange_n(&ne_fit_spare, NULL, __ATOMIC_ACQ_REL);
	if (va)
		kmem_cache_free(vmap_area_cachep, va);
	kmem_cache_destroy(vmap_area_cachep);
	vmap_area_cachep = NULL;
	free_root = busy_root = NULL;
	INIT_LIST_HEAD(&purge_list);
	nr_free_areas = nr_busy_areas = nr_lazy_areas = vmap_lazy_nr = 0;
	nr_purges = 0;
	vm_space_start = vm_space_end = 0;
}

/* fork() (init/fork.c): no purge runs while the machine is copied. */
static void purge_fork_prepare(void)
{
	mutex_lock_atomic(&purge_mutex);
}

static void purge_fork_release(void)
{
	mutex_unlock(&purge_mutex);
}

KMEM_FORK_HOOKS(20, purge_fork_prepare, purge_fork_release, purge_fork_release);
