// SPDX-License-Identifier: MIT
/*
 * vmalloc: virtually contiguous memory built from scattered pages.
 *
 * 1. What it manages. An area is a range of the vmalloc address space (from
 *    the address allocator, mm/vmap_area.c) plus a struct vm_struct (kmalloc'd)
 *    that records the pages behind it. vmalloc() takes order-0 pages from the
 *    buddy allocator (whole blocks first, split to order 0, then in bulk;
 *    __GFP_HIGHMEM added unless a DMA zone was asked
 *    for, so they may be HighMem frames on x86-32), writes one pte per page in
 *    the kernel's page tables for the vmalloc range (mm/pgtable.h; the table
 *    pages are counted in PageTables) and maps the pages with the host MMU at
 *    consecutive virtual addresses. The page array is kmalloc'd, or vmalloc'd
 *    when it is larger than a page (vmallocinfo then says "vpages"). Every
 *    area but VM_NO_GUARD ones is followed by an unmapped guard page.
 *
 * 2. The host MMU and vm.max_map_count (arch/x86/hostmap.c). A host mapping
 *    (mmap of the RAM memfd) can only cover physically contiguous frames, and
 *    the host allows about 65530 mappings per process. So an area is mapped
 *    with one host mapping per physically contiguous run of its pages
 *    ("eager" mode), as long as the HOSTMAP_VMALLOC class can be charged
 *    runs + 1 (the split of the reservation counts; the budget is half of
 *    max_map_count by default). An area that would cross the budget, or whose
 *    mmap fails, is left unmapped in the host ("demand" mode): its ptes are
 *    written as usual, and the fault handler maps the page an access touches,
 *    found by walking the page tables, through the machine's on-demand ring
 *    (hostmap_ondemand_map: a software TLB shared with user address spaces,
 *    evicting the oldest slot). Any machine, however scattered, therefore
 *    works, at the cost of faults.
 *
 * 3. Freeing. vfree() unmaps at once (ptes cleared, host range made
 *    inaccessible, so a use after free faults and is reported) and returns the
 *    pages to the buddy allocator; the address range is freed lazily
 *    (mm/vmap_area.c: the purge list, one counted TLB flush per purge, empty
 *    page tables released then). vfree() in interrupt context and
 *    vfree_atomic() push the area on a lock-free deferred list, drained by the
 *    next vmalloc/vfree that may sleep, by a purge, or by reclaim.
 *
 * 4. Faults. vmalloc_fault() (registered with kmem_register_fault_handler)
 *    refills demand mappings, and reports any other access to the vmalloc
 *    range like the kernel's oops, naming what was hit: a guard page, an area
 *    freed but not yet purged, free space, an unmapped page of an area.
 *
 * 5. Locks (their order: docs/ARCHITECTURE.md, "Lock order"):
 *      purge_mutex (mm/vmap_area.c)
 *      pt_lock      the kernel page tables of the vmalloc range, and the host
 *                   mappings of the range (pthread mutex: table pages are
 *                   allocated under it; never held while touching vmalloc
 *                   memory, so the fault handler may take it)
 *      ring_lock    the on-demand ring (arch/x86/hostmap.c, a leaf)
 *      vmap_area_lock, free_vmap_area_lock (mm/vmap_area.c)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>
#include <linux/shrinker.h>
#include <linux/kmemleak.h>
#include <kmem/show.h>
#include "arch/x86/machine.h"
#include "kernel/internal.h"
#include "mm/internal.h"
#include "mm/pgtable.h"
#include "mm/vmalloc.h"

#ifndef GFP_RECLAIM_MASK
#define GFP_RECLAIM_MASK                                                       \
	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN |     \
	 __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | \
	 __GFP_NOMEMALLOC)
#endif

#define PMD_SHIFT 21
#define PMD_SIZE (1UL << PMD_SHIFT)
#define SHMLBA PAGE_SIZE

/* Bulk requests are made in chunks of this many pages, as the kernel's. */
#define VMALLOC_BULK_CHUNK 100

static struct kmem_pgtable vmalloc_pt;
static DEFINE_MUTEX_RANK(pt_lock, LOCK_RANK_PT);
/* This thread holds pt_lock while allocating table pages: reclaim it enters
 * must not free vmalloc areas or purge (both take pt_lock). */
static __thread bool pt_lock_allocating;
static bool vmalloc_ready;

/* Demand mode (atomic counters). */
static unsigned long demand_areas, demand_faults;

/* vfree_atomic's deferred list: a lock-free stack threaded through the freed
 * areas' own first words, as the kernel's llist. */
struct vfree_deferred {
	struct vfree_deferred *next;
};
static struct vfree_deferred *deferred_head;

static struct shrinker *vmap_shrinker;

unsigned long try_purge_vmap_area_lazy(void);
bool vmap_area_check(void);
void vmap_area_get_stats(struct vmalloc_stats *st);

bool is_vmalloc_addr(const void *x)
{
	unsigned long addr = (unsigned long)x;

	return addr >= VMALLOC_START && addr < VMALLOC_END;
}

static void vmalloc_warn(gfp_t gfp, const char *fmt, ...) __printf(2, 3);
static void vmalloc_warn(gfp_t gfp, const char *fmt, ...)
{
	char msg[160], flags[256];
	va_list args;

	if (gfp & __GFP_NOWARN)
		return;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	kmem_format_gfp(gfp, flags, sizeof(flags));
	pr_warn("%s: %s, mode:%#x(%s), nodemask=(null)\n", kmem_current_comm(),
		msg, gfp, flags);
	pr_warn("CPU: %d UID: 0 PID: %d Comm: %s\n", raw_smp_processor_id(),
		kmem_current_pid(), kmem_current_comm());
	dump_stack();
}

/* ---- host mappings ---------------------------------------------------------- */

unsigned long vmalloc_set_host_map_budget(unsigned long budget)
{
	return hostmap_set_budget(HOSTMAP_VMALLOC, budget);
}

static unsigned int count_runs(struct page **pages, unsigned int nr)
{
	unsigned int i, runs = nr ? 1 : 0;

	for (i = 1; i < nr; i++)
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			runs++;
	return runs;
}

static int prot_to_host(pgprot_t prot)
{
	return (pgprot_val(prot) & _PAGE_RW) ? PROT_READ | PROT_WRITE :
					       PROT_READ;
}

/* Map the runs of pages[] at addr; on failure undo and return -errno. */
static int host_map_runs(unsigned long addr, struct page **pages,
			 unsigned int nr, int hprot)
{
	unsigned int i = 0, j;
	int ret;

	while (i < nr) {
		for (j = i + 1; j < nr; j++)
			if (page_to_pfn(pages[j]) !=
			    page_to_pfn(pages[j - 1]) + 1)
				break;
		ret = arch_map_phys_populate(
			addr + ((unsigned long)i << PAGE_SHIFT),
			page_to_phys(pages[i]), (size_t)(j - i) << PAGE_SHIFT,
			hprot);
		if (ret) {
			arch_unmap(addr, (size_t)nr << PAGE_SHIFT);
			return ret;
		}
		i = j;
	}
	return 0;
}

/* Clear the ptes of [start, end). The ptes of one 2 MiB region sit side by
 * side in one table, so the table is looked up once per region. Caller holds
 * pt_lock. */
static void clear_ptes(unsigned long start, unsigned long end)
{
	unsigned long addr = start;

	lockdep_assert_held(&pt_lock);
	while (addr < end) {
		unsigned long next = min(ALIGN(addr + 1, PMD_SIZE), end);
		pteval_t *pte = pgtable_pte(&vmalloc_pt, addr, false);

		if (pte)
			memset(pte, 0,
			       ((next - addr) >> PAGE_SHIFT) * sizeof(*pte));
		addr = next;
	}
}

/*
 * Write the ptes of pages[0..nr) at addr, under pt_lock. 0, or -ENOMEM with
 * every pte written so far cleared again.
 */
static int set_ptes(unsigned long addr, struct page **pages, unsigned int nr,
		    pteval_t bits)
{
	pteval_t *pte = NULL;
	unsigned int i;

	mutex_lock_atomic(&pt_lock);
	for (i = 0; i < nr; i++) {
		unsigned long a = addr + ((unsigned long)i << PAGE_SHIFT);

		/* One table lookup per 2 MiB region: its ptes are contiguous. */
		if (!pte || IS_ALIGNED(a, PMD_SIZE)) {
			pt_lock_allocating = true;
			pte = pgtable_pte(&vmalloc_pt, a, true);
			pt_lock_allocating = false;
			if (!pte) {
				clear_ptes(addr, a);
				mutex_unlock(&pt_lock);
				return -ENOMEM;
			}
		} else {
			pte++;
		}
		WARN_ON(pte_present(*pte));
		*pte = pfn_pte(page_to_pfn(pages[i]), bits);
	}
	mutex_unlock(&pt_lock);
	return 0;
}

/*
 * Write the ptes of pages[0..nr) at addr and map them in the host; records
 * the mode in va. 0 or -ENOMEM (nothing is left mapped then).
 */
static int vmap_pages_range(struct vmap_area *va, unsigned long addr,
			    struct page **pages, unsigned int nr, pgprot_t prot)
{
	pteval_t bits = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY |
			_PAGE_GLOBAL | _PAGE_NX;
	unsigned int runs;

	if (pgprot_val(prot) & _PAGE_RW)
		bits |= _PAGE_RW;
	if (set_ptes(addr, pages, nr, bits))
		return -ENOMEM;

	/* One host mapping per run, plus the split of the reservation. */
	runs = count_runs(pages, nr);
	if (hostmap_charge(HOSTMAP_VMALLOC, (long)runs + 1)) {
		if (!host_map_runs(addr, pages, nr, prot_to_host(prot))) {
			va->host_maps = runs + 1;
			va->map_mode = VMAP_HOST_EAGER;
			return 0;
		}
		hostmap_account(HOSTMAP_VMALLOC, -((long)runs + 1));
	}
	va->host_maps = 0;
	va->map_mode = VMAP_HOST_DEMAND;
	__atomic_add_fetch(&demand_areas, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Clear the ptes of [start, end) and make the host range inaccessible. */
static void vunmap_range(struct vmap_area *va, unsigned long start,
			 unsigned long end)
{
	mutex_lock_atomic(&pt_lock);
	clear_ptes(start, end);
	if (va->map_mode != VMAP_HOST_NONE)
		arch_unmap(start, end - start);
	hostmap_ondemand_drop(start, end, false);
	mutex_unlock(&pt_lock);
	if (va->host_maps)
		hostmap_account(HOSTMAP_VMALLOC, -(long)va->host_maps);
	va->host_maps = 0;
	va->map_mode = VMAP_HOST_NONE;
}

/* Called by a purge: the TLB flush of the batch, and the page tables that
 * map nothing any more go back to the buddy allocator. A purge from reclaim
 * (the shrinker, under shrinker_lock) only trylocks pt_lock, which is above
 * shrinker_lock (fork's prepare hooks take pt_lock, then shrinker_lock); if
 * it is busy, the empty tables wait for the next purge. */
void vmalloc_release_lazy_range(unsigned long start, unsigned long end)
{
	if (current_pf_memalloc) {
		if (!mutex_trylock(&pt_lock))
			return;
	} else {
		mutex_lock_atomic(&pt_lock);
	}
	pgtable_free_empty(&vmalloc_pt, start, end);
	mutex_unlock(&pt_lock);
}

struct page *vmalloc_to_page(const void *vmalloc_addr)
{
	unsigned long addr = (unsigned long)vmalloc_addr;
	struct page *page = NULL;
	pteval_t *pte;

	if (!is_vmalloc_addr(vmalloc_addr) || !vmalloc_ready)
		return NULL;
	mutex_lock_atomic(&pt_lock);
	pte = pgtable_pte(&vmalloc_pt, addr, false);
	if (pte && pte_present(*pte))
		page = pfn_to_page(pte_pfn(*pte));
	mutex_unlock(&pt_lock);
	return page;
}

unsigned long vmalloc_to_pfn(const void *vmalloc_addr)
{
	struct page *page = vmalloc_to_page(vmalloc_addr);

	return page ? page_to_pfn(page) : 0;
}

unsigned long vmalloc_nr_pages(void)
{
	return (unsigned long)atomic_long_read(&nr_vmalloc_pages);
}

/* ---- faults ------------------------------------------------------------------ */

/* Take a lock from the fault handler without risking a deadlock on a lock the
 * faulting thread itself holds. */
static bool fault_trylock_mutex(struct mutex *m)
{
	int i;

	for (i = 0; i < 20000; i++) {
		if (mutex_trylock(m))
			return true;
		sched_yield();
	}
	return false;
}

static bool fault_trylock_spin(spinlock_t *l)
{
	int i;

	for (i = 0; i < 20000; i++) {
		if (arch_spin_trylock(l)) {
			spin_acquired(l); /* the owner, for lockdep */
			return true;
		}
		sched_yield();
	}
	return false;
}

/* Map the faulting page from the page tables (demand mode). */
static bool demand_refill(struct kmem_fault *f)
{
	unsigned long addr = f->address & PAGE_MASK;
	pteval_t *pte, val;
	bool done = false;

	if (!fault_trylock_mutex(&pt_lock))
		return false;
	pte = pgtable_pte(&vmalloc_pt, addr, false);
	val = pte ? *pte : 0;
	if (pte_present(val) && !(f->write && !(val & _PAGE_RW)) && !f->present)
		done = !hostmap_ondemand_map(
			addr, PFN_PHYS(pte_pfn(val)),
			(val & _PAGE_RW) ? PROT_READ | PROT_WRITE : PROT_READ);
	mutex_unlock(&pt_lock);
	if (done)
		__atomic_add_fetch(&demand_faults, 1, __ATOMIC_RELAXED);
	return done;
}

static int addr_width(void)
{
	return machine_is_x86_32() && !(VMALLOC_END >> 32) ? 8 : 16;
}

/* Describe what addr hit, for the oops. */
static void describe_fault(unsigned long addr, char *buf, size_t len)
{
	struct vmap_area *va;
	char sym[160] = "";
	int w = addr_width();

	if (!fault_trylock_spin(&vmap_area_lock)) {
		snprintf(buf, len,
			 "kmem: %#lx is in the vmalloc range (areas locked)\n",
			 addr);
		return;
	}
	va = __find_vmap_area(addr);
	if (va) {
		struct vm_struct *vm = va->vm;
		const void *caller = vm ? vm->caller : va->caller;
		bool guard = vm && !(vm->flags & VM_NO_GUARD) &&
			     addr >= va->va_end - PAGE_SIZE;

		if (caller)
			kmem_symbolize_fast(caller, sym, sizeof(sym));
		snprintf(
			buf, len,
			"kmem: %#lx is in the %s of vmalloc area 0x%0*lx-0x%0*lx %lu%s%s pages=%u\n",
			addr, guard ? "guard page" : "unmapped part", w,
			va->va_start, w, va->va_end, va_size(va),
			sym[0] ? " " : "", sym, vm ? vm->nr_pages : 0);
	} else if ((va = __find_lazy_vmap_area(addr))) {
		if (va->caller)
			kmem_symbolize_fast(va->caller, sym, sizeof(sym));
		snprintf(
			buf, len,
			"kmem: %#lx is in freed vmalloc area 0x%0*lx-0x%0*lx %lu (unpurged vm_area)%s%s: use after vfree\n",
			addr, w, va->va_start, w, va->va_end, va_size(va),
			sym[0] ? ", allocated by " : "", sym);
	} else {
		snprintf(
			buf, len,
			"kmem: %#lx is in free vmalloc space (no area; freed and purged, or never allocated)\n",
			addr);
	}
	spin_release(&vmap_area_lock);
	arch_spin_unlock(&vmap_area_lock);
}

static enum kmem_fault_result vmalloc_fault(struct kmem_fault *f)
{
	char what[400], buf[1024], sym[160];
	unsigned int err;
	int w;

	if (!__atomic_load_n(&vmalloc_ready, __ATOMIC_ACQUIRE) ||
	    !is_vmalloc_addr((void *)f->address))
		return KMEM_FAULT_NOT_MINE;
	if (demand_refill(f))
		return KMEM_FAULT_HANDLED;
	describe_fault(f->address, what, sizeof(what));
	err = (f->write ? 2 : 0) | (f->present ? 1 : 0);
	w = addr_width();
	snprintf(buf, sizeof(buf),
		 "BUG: unable to handle page fault for address: %0*lx\n"
		 "#PF: supervisor %s access in kernel mode\n"
		 "#PF: error_code(0x%04x) - %s\n"
		 "%s"
		 "Oops: %04x [#1] SMP\n"
		 "CPU: %d PID: %d Comm: %s\n"
		 "RIP: 0010:%s\n",
		 w, f->address, f->write ? "write" : "read", err,
		 f->present ? "permissions violation" : "not-present page",
		 what, err, raw_smp_processor_id(), kmem_current_pid(),
		 kmem_current_comm(),
		 kmem_symbolize_fast((void *)f->ip, sym, sizeof(sym)));
	kmem_emergency_write(buf);
	return KMEM_FAULT_OOPS;
}

/* ---- areas ------------------------------------------------------------------- */

struct vm_struct *__get_vm_area_node(unsigned long size, unsigned long align,
				     unsigned long flags, unsigned long start,
				     unsigned long end, int node, gfp_t gfp,
				     const void *caller)
{
	struct vmap_area *va;
	struct vm_struct *area;

	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	size = PAGE_ALIGN(size);
	if (unlikely(!size))
		return NULL;
	if (flags & VM_IOREMAP)
		align = 1UL << clamp_t(int, fls_long(size - 1), PAGE_SHIFT, 24);
	area = kzalloc_node(sizeof(*area), gfp & GFP_RECLAIM_MASK, node);
	if (unlikely(!area))
		return NULL;
	/* Referenced from its vmap_area, which kmemleak does not track. */
	kmemleak_not_leak(area);
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	area->flags = flags;
	area->caller = caller;
	area->size = size;
	va = alloc_vmap_area(size, align, start, end, node, gfp, 0, area);
	if (IS_ERR(va)) {
		kfree(area);
		return NULL;
	}
	area->addr = (void *)va->va_start;
	return area;
}

struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long flags,
				       unsigned long start, unsigned long end,
				       const void *caller)
{
	return __get_vm_area_node(size, 1, flags, start, end, NUMA_NO_NODE,
				  GFP_KERNEL, caller);
}

struct vm_struct *get_vm_area_caller(unsigned long size, unsigned long flags,
				     const void *caller)
{
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __get_vm_area_node(size, 1, flags, VMALLOC_START, VMALLOC_END,
				  NUMA_NO_NODE, GFP_KERNEL, caller);
}

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __get_vm_area_node(size, 1, flags, VMALLOC_START, VMALLOC_END,
				  NUMA_NO_NODE, GFP_KERNEL,
				  __builtin_return_address(0));
}

struct vm_struct *find_vm_area(const void *addr)
{
	struct vmap_area *va;
	struct vm_struct *vm = NULL;

	if (!is_vmalloc_addr(addr) || !vmalloc_ready)
		return NULL;
	spin_lock(&vmap_area_lock);
	va = __find_vmap_area((unsigned long)addr);
	if (va)
		vm = va->vm;
	spin_unlock(&vmap_area_lock);
	return vm;
}

/* Unlink the area that starts at addr (a vm_struct area, not vm_map_ram). */
static struct vmap_area *unlink_vm_area(const void *addr)
{
	struct vmap_area *va;

	if (!PAGE_ALIGNED(addr) || !is_vmalloc_addr(addr) || !vmalloc_ready)
		return NULL;
	spin_lock(&vmap_area_lock);
	va = __find_vmap_area((unsigned long)addr);
	if (!va || va->va_start != (unsigned long)addr || !va->vm) {
		spin_unlock(&vmap_area_lock);
		return NULL;
	}
	spin_unlock(&vmap_area_lock);
	/* Only the owner frees an area: nobody else unlinks it meanwhile. */
	return find_unlink_vmap_area((unsigned long)addr);
}

struct vm_struct *remove_vm_area(const void *addr)
{
	struct vmap_area *va;
	struct vm_struct *vm;

	might_sleep();
	va = unlink_vm_area(addr);
	if (!va)
		return NULL;
	vm = va->vm;
	vunmap_range(va, va->va_start, va->va_end);
	free_vmap_area_noflush(va);
	return vm;
}

void free_vm_area(struct vm_struct *area)
{
	struct vm_struct *ret;

	if (!area)
		return;
	ret = remove_vm_area(area->addr);
	BUG_ON(ret != area);
	kfree(area);
}

int map_kernel_range(unsigned long start, unsigned long size, pgprot_t prot,
		     struct page **pages)
{
	struct vmap_area *va = find_vmap_area(start);

	if (!va || start + size > va->va_end)
		return -EINVAL;
	return vmap_pages_range(va, start, pages,
				(unsigned int)(size >> PAGE_SHIFT), prot);
}

/*
 * The percpu allocator's chunks (mm/percpu.c): an area from
 * __get_vm_area_node() holding no pages of its own, populated and
 * depopulated a range at a time (the kernel's pcpu_map_pages and
 * pcpu_unmap_pages). The first call decides how the host backs the whole
 * area: eagerly if HOSTMAP_VMALLOC can be charged two mappings per page of
 * the area plus one (the most its pages can ever need: a page mapped alone
 * splits the reservation), else on demand through the ring. The charge is
 * held until the area is removed.
 */
int vmap_pages_partial(struct vm_struct *vm, unsigned long addr,
		       struct page **pages, unsigned int nr)
{
	pteval_t bits = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY |
			_PAGE_GLOBAL | _PAGE_NX | _PAGE_RW;
	unsigned long size = (unsigned long)nr << PAGE_SHIFT;
	struct vmap_area *va = find_vmap_area((unsigned long)vm->addr);

	if (!va || addr < va->va_start || addr + size > va->va_end)
		return -EINVAL;
	if (va->map_mode == VMAP_HOST_NONE) {
		unsigned long maps = 2 * (va_size(va) >> PAGE_SHIFT) + 1;
		bool eager = hostmap_charge(HOSTMAP_VMALLOC, (long)maps);

		spin_lock(&vmap_area_lock);
		va->host_maps = eager ? (unsigned int)maps : 0;
		va->map_mode = eager ? VMAP_HOST_EAGER : VMAP_HOST_DEMAND;
		spin_unlock(&vmap_area_lock);
		if (!eager)
			__atomic_add_fetch(&demand_areas, 1, __ATOMIC_RELAXED);
	}
	if (set_ptes(addr, pages, nr, bits))
		return -ENOMEM;
	/* A run the host refuses is left to the fault handler, which maps
	 * any present pte through the ring. */
	if (va->map_mode == VMAP_HOST_EAGER)
		host_map_runs(addr, pages, nr, PROT_READ | PROT_WRITE);
	return 0;
}

void vunmap_pages_partial(struct vm_struct *vm, unsigned long addr,
			  unsigned int nr)
{
	unsigned long end = addr + ((unsigned long)nr << PAGE_SHIFT);
	struct vmap_area *va = find_vmap_area((unsigned long)vm->addr);

	if (WARN_ON(!va || addr < va->va_start || end > va->va_end))
		return;
	mutex_lock_atomic(&pt_lock);
	clear_ptes(addr, end);
	if (va->map_mode == VMAP_HOST_EAGER)
		arch_unmap(addr, end - addr);
	hostmap_ondemand_drop(addr, end, false);
	mutex_unlock(&pt_lock);
}

/* ---- allocating pages -------------------------------------------------------- */

/*
 * Which frame backs which page does not matter to vmalloc, but every
 * physically contiguous run of an area costs one host mapping to map and
 * one host VMA to zap at vfree (the host flushes the TLB once per VMA of
 * dirty shared pages). Frames taken one by one from the per-CPU lists are
 * wherever the last frees left them: after a mixed workload a 256-page area
 * came in 35 runs, on a fresh machine in 3, hence a vfree cost that swung
 * between runs. So first take blocks of the largest order that fits what is
 * left (at most MAX_PAGE_ORDER) and split them into order-0 pages, without
 * reclaim, reserves or warning (a block that is not free now is not worth
 * compaction); an order that fails is not retried for this area. The rest
 * comes in bulk as before. A departure from 6.18, which takes order-0 pages
 * in bulk only; the mm tree took the same step after 6.18 ("request large
 * order pages from buddy allocator", split to order 0; not checked here
 * against a released kernel). Returns how many pages it put in pages[].
 */
static unsigned int vm_area_alloc_large(gfp_t gfp, unsigned int nr_pages,
					struct page **pages)
{
	gfp_t large_gfp = (gfp & ~(__GFP_RECLAIM | __GFP_NOFAIL | __GFP_COMP)) |
			  __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC;
	unsigned int order =
		min_t(unsigned int, ilog2(nr_pages), MAX_PAGE_ORDER);
	unsigned int nr = 0, i;
	struct page *page;

	while (order && nr < nr_pages) {
		if ((1u << order) > nr_pages - nr) {
			order--;
			continue;
		}
		page = alloc_pages(large_gfp, order);
		if (!page) {
			order--;
			continue;
		}
		split_page(page, order);
		set_page_owner_tag(page, 1u << order, KMEM_OWNER_VMALLOC);
		for (i = 0; i < (1u << order); i++)
			pages[nr + i] = page + i;
		nr += 1u << order;
	}
	return nr;
}

static unsigned int vm_area_alloc_pages(gfp_t gfp, unsigned int order,
					unsigned int nr_pages,
					struct page **pages)
{
	unsigned int nr = 0, i;
	struct page *page;

	if (!order) {
		if (nr_pages > 1)
			nr = vm_area_alloc_large(gfp, nr_pages, pages);
		while (nr < nr_pages) {
			unsigned long want = min_t(unsigned long,
						   VMALLOC_BULK_CHUNK,
						   nr_pages - nr);
			unsigned long got;

			got = alloc_pages_bulk(gfp & ~__GFP_NOFAIL, want,
					       pages + nr);
			for (i = 0; i < got; i++)
				set_page_owner_tag(pages[nr + i], 1,
						   KMEM_OWNER_VMALLOC);
			nr += (unsigned int)got;
			if (got == want)
				continue;
			/* Short: one at a time, with the caller's full effort. */
			page = alloc_pages(gfp, 0);
			if (!page)
				break;
			set_page_owner_tag(page, 1, KMEM_OWNER_VMALLOC);
			pages[nr++] = page;
		}
		return nr;
	}
	while (nr < nr_pages) {
		page = alloc_pages(gfp, order);
		if (!page)
			break;
		set_page_owner_tag(page, 1u << order, KMEM_OWNER_VMALLOC);
		for (i = 0; i < (1u << order); i++)
			pages[nr + i] = page + i;
		nr += 1u << order;
	}
	return nr;
}

static int cmp_page(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a,
			  *y = *(struct page *const *)b;

	return x < y ? -1 : x > y;
}

/*
 * Which frame backs which page of an area does not matter to vmalloc, but
 * the host maps each physically contiguous run with one mapping. The per-CPU
 * lists hand out recently freed frames last-in first-out, often in
 * descending order: put the array in pfn order so neighbours form runs.
 */
static void sort_pages(struct page **pages, unsigned int nr)
{
	bool up = true, down = true;
	unsigned int i;

	for (i = 1; i < nr && (up || down); i++) {
		up &= pages[i] > pages[i - 1];
		down &= pages[i] < pages[i - 1];
	}
	if (up)
		return;
	if (down) {
		for (i = 0; i < nr / 2; i++)
			swap(pages[i], pages[nr - 1 - i]);
		return;
	}
	qsort(pages, nr, sizeof(*pages), cmp_page);
}

static void vm_area_free_pages(struct vm_struct *vm)
{
	unsigned int i, step = 1u << vm->page_order;

	for (i = 0; i + step <= vm->nr_pages; i += step) {
		set_page_owner_tag(vm->pages[i], step, KMEM_OWNER_NONE);
		__free_pages(vm->pages[i], vm->page_order);
	}
	atomic_long_sub(vm->nr_pages, &nr_vmalloc_pages);
	vm->nr_pages = 0;
}

static void *__vmalloc_area_node(struct vm_struct *area, gfp_t gfp,
				 pgprot_t prot, unsigned int page_shift,
				 int node)
{
	gfp_t nested_gfp = (gfp & GFP_RECLAIM_MASK) | __GFP_ZERO;
	unsigned long addr = (unsigned long)area->addr;
	unsigned long size = get_vm_area_size(area);
	unsigned int nr_small_pages = (unsigned int)(size >> PAGE_SHIFT);
	unsigned long array_size =
		(unsigned long)nr_small_pages * sizeof(struct page *);
	unsigned int page_order = page_shift - PAGE_SHIFT;
	struct vmap_area *va;

	if (!(gfp & (GFP_DMA | GFP_DMA32)))
		gfp |= __GFP_HIGHMEM;
	if (array_size > PAGE_SIZE)
		area->pages = __vmalloc_node(array_size, 1, nested_gfp, node,
					     area->caller);
	else
		area->pages = kmalloc_node(array_size, nested_gfp, node);
	if (!area->pages) {
		vmalloc_warn(
			gfp,
			"vmalloc error: size %lu, failed to allocated page array size %lu",
			size, array_size);
		free_vm_area(area);
		return NULL;
	}
	area->page_order = page_order;
	if (page_order)
		gfp |= __GFP_NOWARN |
		       (gfp & __GFP_RETRY_MAYFAIL ? 0 : __GFP_NORETRY);
	area->nr_pages = vm_area_alloc_pages(gfp, page_order, nr_small_pages,
					     area->pages);
	atomic_long_add(area->nr_pages, &nr_vmalloc_pages);
	if (area->nr_pages != nr_small_pages) {
		if (!page_order)
			vmalloc_warn(
				gfp,
				"vmalloc error: size %lu, page order %u, failed to allocate pages",
				(unsigned long)area->nr_pages * PAGE_SIZE,
				page_order);
		goto fail;
	}
	sort_pages(area->pages, nr_small_pages);
	va = find_vmap_area(addr);
	if (vmap_pages_range(va, addr, area->pages, nr_small_pages, prot)) {
		vmalloc_warn(gfp,
			     "vmalloc error: size %lu, failed to map pages",
			     (unsigned long)area->nr_pages * PAGE_SIZE);
		goto fail;
	}
	return area->addr;

fail:
	vfree(area->addr);
	return NULL;
}

void *__vmalloc_node_range(unsigned long size, unsigned long align,
			   unsigned long start, unsigned long end,
			   gfp_t gfp_mask, pgprot_t prot,
			   unsigned long vm_flags, int node, const void *caller)
{
	unsigned long real_size = size, real_align = align;
	unsigned int shift = PAGE_SHIFT;
	struct vm_struct *area;
	void *ret;

	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	might_sleep_if(gfpflags_allow_blocking(gfp_mask));
	if (gfpflags_allow_blocking(gfp_mask) && !in_atomic())
		vmalloc_run_deferred();
	if (WARN_ON_ONCE(!size))
		return NULL;
	if ((size >> PAGE_SHIFT) > totalram_pages()) {
		vmalloc_warn(gfp_mask,
			     "vmalloc error: size %lu, exceeds total pages",
			     real_size);
		return NULL;
	}
	if (WARN_ON_ONCE(!is_power_of_2(align)))
		return NULL;
	if ((vm_flags & VM_ALLOW_HUGE_VMAP) && size >= PMD_SIZE) {
		shift = PMD_SHIFT;
		align = max(real_align, PMD_SIZE);
		size = ALIGN(real_size, PMD_SIZE);
	}
again:
	area = __get_vm_area_node(size, align,
				  VM_ALLOC | VM_UNINITIALIZED | vm_flags, start,
				  end, node, gfp_mask, caller);
	if (!area) {
		if (shift == PAGE_SHIFT || !(gfp_mask & __GFP_NOWARN))
			vmalloc_warn(
				gfp_mask,
				"vmalloc error: size %lu, vm_struct allocation failed",
				real_size);
		goto fail;
	}
	ret = __vmalloc_area_node(area, gfp_mask, prot, shift, node);
	if (!ret)
		goto fail;
	__atomic_and_fetch(&area->flags, ~VM_UNINITIALIZED, __ATOMIC_RELEASE);
	area->requested_size = real_size;
	kmemleak_vmalloc(area, PAGE_ALIGN(real_size), gfp_mask);
	return ret;

fail:
	if (shift > PAGE_SHIFT) {
		shift = PAGE_SHIFT;
		align = real_align;
		size = real_size;
		goto again;
	}
	return NULL;
}

void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask,
		     int node, const void *caller)
{
	/* Boot before the arguments below read VMALLOC_START. */
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __vmalloc_node_range(size, align, VMALLOC_START, VMALLOC_END,
				    gfp_mask, PAGE_KERNEL, 0, node, caller);
}

void *__vmalloc(unsigned long size, gfp_t gfp_mask)
{
	return __vmalloc_node(size, 1, gfp_mask, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void *vzalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void *vmalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, GFP_KERNEL, node,
			      __builtin_return_address(0));
}

void *vzalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_ZERO, node,
			      __builtin_return_address(0));
}

void *vmalloc_huge_node(unsigned long size, gfp_t gfp_mask, int node)
{
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END,
				    gfp_mask, PAGE_KERNEL, VM_ALLOW_HUGE_VMAP,
				    node, __builtin_return_address(0));
}

void *vmalloc_huge(unsigned long size, gfp_t gfp_mask)
{
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END,
				    gfp_mask, PAGE_KERNEL, VM_ALLOW_HUGE_VMAP,
				    NUMA_NO_NODE, __builtin_return_address(0));
}

void *vmalloc_user(unsigned long size)
{
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __vmalloc_node_range(size, SHMLBA, VMALLOC_START, VMALLOC_END,
				    GFP_KERNEL | __GFP_ZERO, PAGE_KERNEL,
				    VM_USERMAP, NUMA_NO_NODE,
				    __builtin_return_address(0));
}

/* The kernel's GFP_VMALLOC32: DMA32 on 64-bit, plain GFP_KERNEL on 32-bit. */
static gfp_t gfp_vmalloc32(void)
{
	return machine_is_x86_32() ? GFP_KERNEL : GFP_KERNEL | GFP_DMA32;
}

void *vmalloc_32(unsigned long size)
{
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __vmalloc_node(size, 1, gfp_vmalloc32(), NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void *vmalloc_32_user(unsigned long size)
{
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	return __vmalloc_node_range(size, SHMLBA, VMALLOC_START, VMALLOC_END,
				    gfp_vmalloc32() | __GFP_ZERO, PAGE_KERNEL,
				    VM_USERMAP, NUMA_NO_NODE,
				    __builtin_return_address(0));
}

void *vmalloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return __vmalloc_node(bytes, 1, GFP_KERNEL, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

void *vcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return __vmalloc_node(bytes, 1, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

/* ---- freeing ------------------------------------------------------------------- */

void vfree_atomic(const void *addr)
{
	struct vfree_deferred *node = (struct vfree_deferred *)addr, *head;

	BUG_ON(in_nmi());
	if (!addr)
		return;
	head = __atomic_load_n(&deferred_head, __ATOMIC_RELAXED);
	do {
		node->next = head;
	} while (!__atomic_compare_exchange_n(&deferred_head, &head, node, true,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
}

/* The kernel's delayed_vfree_work: free what vfree_atomic() deferred. */
void vmalloc_run_deferred(void)
{
	struct vfree_deferred *node, *next;

	if (!__atomic_load_n(&deferred_head, __ATOMIC_RELAXED))
		return;
	node = __atomic_exchange_n(&deferred_head, NULL, __ATOMIC_ACQUIRE);
	for (; node; node = next) {
		next = node->next;
		vfree(node);
	}
}

static void __vfree(const void *addr)
{
	struct vm_struct *vm;

	vm = remove_vm_area(addr);
	if (unlikely(!vm)) {
		WARN(1, "Trying to vfree() nonexistent vm area (%p)\n", addr);
		return;
	}
	if (vm->pages) { /* vmalloc's, or vmap(VM_MAP_PUT_PAGES)'s */
		vm_area_free_pages(vm);
		kvfree(vm->pages);
	}
	kfree(vm);
}

void vfree(const void *addr)
{
	if (unlikely(in_interrupt())) {
		vfree_atomic(addr);
		return;
	}
	might_sleep();
	if (!addr)
		return;
	kmemleak_free(addr);
	vmalloc_run_deferred();
	__vfree(addr);
}

/* ---- vrealloc ------------------------------------------------------------------ */

void *vrealloc(const void *p, size_t size, gfp_t flags)
{
	struct vm_struct *vm = NULL;
	size_t alloced_size = 0, old_size = 0;
	void *n;

	if (!size) {
		vfree(p);
		return NULL;
	}
	if (p) {
		vm = find_vm_area(p);
		if (unlikely(!vm || vm->addr != p)) {
			WARN(1,
			     "Trying to vrealloc() nonexistent vm area (%p)\n",
			     p);
			return NULL;
		}
		alloced_size = get_vm_area_size(vm);
		old_size = vm->requested_size;
		if (WARN(alloced_size < old_size,
			 "vrealloc() has mismatched area vs requested sizes (%p)\n",
			 p))
			return NULL;
	}
	/* Shrinking: the tail is zeroed so that growing again shows zeroes. */
	if (p && size <= old_size) {
		if (flags & __GFP_ZERO)
			memset((char *)p + size, 0, old_size - size);
		vm->requested_size = size;
		return (void *)p;
	}
	/* Growing within the pages already there. */
	if (p && size <= alloced_size) {
		vm->requested_size = size;
		return (void *)p;
	}
	n = __vmalloc_node(size, 1, flags, NUMA_NO_NODE,
			   __builtin_return_address(0));
	if (!n)
		return NULL;
	if (p) {
		memcpy(n, p, old_size);
		vfree(p);
	}
	return n;
}

/* ---- vmap, vm_map_ram ------------------------------------------------------------ */

void *vmap(struct page **pages, unsigned int count, unsigned long flags,
	   pgprot_t prot)
{
	struct vm_struct *area;
	struct vmap_area *va;
	unsigned long size;

	might_sleep();
	if (WARN_ON_ONCE(flags & VM_FLUSH_RESET_PERMS))
		return NULL;
	if (count > totalram_pages())
		return NULL;
	if (!count)
		return NULL;
	size = (unsigned long)count << PAGE_SHIFT;
	area = get_vm_area_caller(size, flags | VM_MAP,
				  __builtin_return_address(0));
	if (!area)
		return NULL;
	va = find_vmap_area((unsigned long)area->addr);
	if (vmap_pages_range(va, (unsigned long)area->addr, pages, count,
			     prot)) {
		vunmap(area->addr);
		return NULL;
	}
	if (flags & VM_MAP_PUT_PAGES) {
		area->pages = pages;
		area->nr_pages = count;
		atomic_long_add(count, &nr_vmalloc_pages);
	}
	return area->addr;
}

void vunmap(const void *addr)
{
	struct vm_struct *vm;

	BUG_ON(in_interrupt());
	might_sleep();
	if (!addr)
		return;
	vm = remove_vm_area(addr);
	if (unlikely(!vm)) {
		WARN(1, "Trying to vunmap() nonexistent vm area (%p)\n", addr);
		return;
	}
	kfree(vm);
}

void *vm_map_ram(struct page **pages, unsigned int count, int node)
{
	unsigned long size = (unsigned long)count << PAGE_SHIFT;
	struct vmap_area *va;

	might_sleep();
	if (!count || unlikely(!kmem_ensure_booted()))
		return NULL;
	va = alloc_vmap_area(size, PAGE_SIZE, VMALLOC_START, VMALLOC_END, node,
			     GFP_KERNEL, VMAP_RAM, NULL);
	if (IS_ERR(va))
		return NULL;
	va->caller = __builtin_return_address(0);
	if (vmap_pages_range(va, va->va_start, pages, count, PAGE_KERNEL)) {
		vm_unmap_ram((void *)va->va_start, count);
		return NULL;
	}
	return (void *)va->va_start;
}

void vm_unmap_ram(const void *mem, unsigned int count)
{
	unsigned long addr = (unsigned long)mem;
	struct vmap_area *va;

	might_sleep();
	BUG_ON(!addr);
	BUG_ON(addr < VMALLOC_START);
	BUG_ON(addr > VMALLOC_END);
	BUG_ON(!PAGE_ALIGNED(addr));
	spin_lock(&vmap_area_lock);
	va = __find_vmap_area(addr);
	if (va && (va->va_start != addr || !(va->flags & VMAP_RAM) ||
		   va_size(va) != ((unsigned long)count << PAGE_SHIFT)))
		va = NULL;
	spin_unlock(&vmap_area_lock);
	if (WARN_ON_ONCE(!va))
		return;
	va = find_unlink_vmap_area(addr);
	vunmap_range(va, va->va_start, va->va_end);
	free_vmap_area_noflush(va);
}

void vm_unmap_aliases(void)
{
	vmalloc_run_deferred();
	purge_vmap_area_lazy();
}

/* ---- /proc/vmallocinfo ------------------------------------------------------------ */

static void show_one(const struct vmalloc_area_info *a, void *arg)
{
	FILE *f = arg;
	int w = addr_width();
	char sym[160];

	if (a->lazy) {
		fprintf(f, "0x%0*lx-0x%0*lx %7ld unpurged vm_area\n", w,
			a->start, w, a->end, (long)(a->end - a->start));
		return;
	}
	if (a->vm_map_ram) {
		fprintf(f, "0x%0*lx-0x%0*lx %7ld vm_map_ram\n", w, a->start, w,
			a->end, (long)(a->end - a->start));
		return;
	}
	fprintf(f, "0x%0*lx-0x%0*lx %7ld", w, a->start, w, a->end,
		(long)(a->end - a->start));
	if (a->caller)
		fprintf(f, " %s", kmem_symbolize(a->caller, sym, sizeof(sym)));
	if (a->nr_pages)
		fprintf(f, " pages=%u", a->nr_pages);
	if (a->flags & VM_IOREMAP)
		fprintf(f, " ioremap");
	if (a->flags & VM_SPARSE)
		fprintf(f, " sparse");
	if (a->flags & VM_ALLOC)
		fprintf(f, " vmalloc");
	if (a->flags & VM_MAP)
		fprintf(f, " vmap");
	if (a->flags & VM_USERMAP)
		fprintf(f, " user");
	if (a->flags & VM_DMA_COHERENT)
		fprintf(f, " dma-coherent");
	if (a->vpages)
		fprintf(f, " vpages");
	if (a->nr_pages && !(a->flags & VM_UNINITIALIZED))
		fprintf(f, " N0=%u", a->nr_pages);
	fprintf(f, "\n");
}

static int show_vmallocinfo(const char *name, FILE *f)
{
	(void)name;
	if (unlikely(!kmem_ensure_booted()))
		return -EINVAL;
	vmalloc_for_each_area(show_one, f);
	return 0;
}

static const struct kmem_view vmallocinfo_view = { "vmallocinfo",
						   show_vmallocinfo, 0 };

__attribute__((constructor)) static void vmalloc_register_view(void)
{
	kmem_register_view(&vmallocinfo_view);
}

/* ---- statistics, checker --------------------------------------------------------- */

void vmalloc_get_stats(struct vmalloc_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!vmalloc_ready)
		return;
	vmap_area_get_stats(st);
	st->host_maps = hostmap_used(HOSTMAP_VMALLOC);
	st->host_map_budget = hostmap_budget(HOSTMAP_VMALLOC);
	st->demand_faults = __atomic_load_n(&demand_faults, __ATOMIC_RELAXED);
	st->demand_areas = __atomic_load_n(&demand_areas, __ATOMIC_RELAXED);
}

struct pages_check {
	unsigned long pages;
	bool ok;
};

static void count_area_pages(const struct vmalloc_area_info *a, void *arg)
{
	struct pages_check *pc = arg;

	if (!a->lazy && !a->vm_map_ram &&
	    ((a->flags & VM_ALLOC) || (a->flags & VM_MAP_PUT_PAGES)))
		pc->pages += a->nr_pages;
}

bool vmalloc_check(void)
{
	struct pages_check pc = { 0, true };
	bool ok;

	if (!vmalloc_ready)
		return true;
	ok = vmap_area_check();
	vmalloc_for_each_area(count_area_pages, &pc);
	/* Areas being set up or torn down have their pages counted already. */
	if (pc.pages > vmalloc_nr_pages()) {
		pr_err("vmalloc: check: areas hold %lu pages, nr_vmalloc_pages is %lu\n",
		       pc.pages, vmalloc_nr_pages());
		ok = false;
	}
	return ok;
}

/* ---- reclaim, init, exit ---------------------------------------------------------- */

static unsigned long vmap_shrink_count(struct shrinker *s,
				       struct shrink_control *sc)
{
	struct vmalloc_stats st;

	(void)s;
	(void)sc;
	vmap_area_get_stats(&st);
	return st.nr_lazy +
	       (__atomic_load_n(&deferred_head, __ATOMIC_RELAXED) ? 1 : 0);
}

static unsigned long vmap_shrink_scan(struct shrinker *s,
				      struct shrink_control *sc)
{
	unsigned long before = vmalloc_pt.nr_table_pages;

	(void)s;
	if (pt_lock_allocating) /* reclaim from inside vmap_pages_range */
		return SHRINK_STOP;
	if (!in_atomic())
		vmalloc_run_deferred();
	if (!try_purge_vmap_area_lazy())
		return SHRINK_STOP;
	sc->nr_scanned = sc->nr_to_scan;
	return before > vmalloc_pt.nr_table_pages ?
		       before - vmalloc_pt.nr_table_pages :
		       0;
}

/* kmem_free_pages_drained(): lazily freed areas hold page-table pages until
 * their purge; give them back so that free-page counts are exact. */
static void vmalloc_drain(void)
{
	if (__atomic_load_n(&vmalloc_ready, __ATOMIC_ACQUIRE) && preemptible())
		vm_unmap_aliases();
}

KMEM_HOOK(vmalloc_fault_hook, vmalloc_fault, 0);
static struct kmem_hook vmalloc_check_hook = { "vmalloc",
					       (const void *)vmalloc_check };
/* vmalloc's purge frees vmap_area objects into the slab: it drains first. */
KMEM_HOOK(vmalloc_drain_hook, vmalloc_drain, KMEM_INIT_VMALLOC);

static int vmalloc_init(void)
{
	int ret;

	ret = pgtable_init(&vmalloc_pt, GFP_KERNEL);
	if (ret)
		return ret;
	ret = vmap_area_init();
	if (ret) {
		pgtable_destroy(&vmalloc_pt);
		return ret;
	}
	demand_areas = demand_faults = 0;
	deferred_head = NULL;
	vmap_shrinker = shrinker_alloc(0, "vmap-purge");
	if (vmap_shrinker) {
		vmap_shrinker->count_objects = vmap_shrink_count;
		vmap_shrinker->scan_objects = vmap_shrink_scan;
		vmap_shrinker->seeks = DEFAULT_SEEKS;
		shrinker_register(vmap_shrinker);
	}
	kmem_register_fault_handler(&vmalloc_fault_hook);
	kmem_hook_register(&kmem_checkers, &vmalloc_check_hook);
	register_cpu_cache_drain(&vmalloc_drain_hook);
	__atomic_store_n(&vmalloc_ready, true, __ATOMIC_RELEASE);
	return 0;
}

static void vmalloc_exit(void)
{
	__atomic_store_n(&vmalloc_ready, false, __ATOMIC_RELEASE);
	kmem_unregister_fault_handler(&vmalloc_fault_hook);
	kmem_hook_unregister(&kmem_checkers, &vmalloc_check_hook);
	unregister_cpu_cache_drain(&vmalloc_drain_hook);
	shrinker_free(vmap_shrinker);
	vmap_shrinker = NULL;
	vmap_area_exit();
	pgtable_destroy(&vmalloc_pt);
	memset(&vmalloc_pt, 0, sizeof(vmalloc_pt));
	atomic_long_set(&nr_vmalloc_pages, 0);
	/* Areas left at halt: their mappings go with the machine's reservation. */
	hostmap_account(HOSTMAP_VMALLOC, -(long)hostmap_used(HOSTMAP_VMALLOC));
	hostmap_ondemand_drop(VMALLOC_START, VMALLOC_END, false);
	hostmap_set_budget(HOSTMAP_VMALLOC, 0);
	deferred_head = NULL;
}

KMEM_INITCALL(KMEM_INIT_VMALLOC, vmalloc_init, vmalloc_exit);

KMEM_LINK_ANCHOR(vmalloc);

/* fork() (init/fork.c): no area is mapped or unmapped while the machine
 * is copied (pt_lock is taken after purge_mutex, as everywhere). */
static void pt_fork_prepare(void)
{
	mutex_lock_atomic(&pt_lock);
}

static void pt_fork_release(void)
{
	mutex_unlock(&pt_lock);
}

KMEM_FORK_HOOKS(21, pt_fork_prepare, pt_fork_release, pt_fork_release);
