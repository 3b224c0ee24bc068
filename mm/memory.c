// SPDX-License-Identifier: MIT
/*
 * Demand paging on the real MMU (the kernel's mm/memory.c and
 * arch/x86/mm/fault.c, for anonymous memory).
 *
 * 1. What it manages
 *    The page tables of each process (mm/pgtable.c, indexed by user address)
 *    and the host mappings that mirror them. A pte is one of:
 *      none              untouched: the host page is PROT_NONE (a fault)
 *      present|ZERO      the shared zero page, mapped read-only
 *      present           a frame of this process (owner tag ANON), mapped
 *                        with the VMA's protection (read-only while LAZYFREE)
 *      SWP (not present) a swap slot holding the contents (mm/swapfile.c)
 *      SHM_OFF           a MAP_SHARED frame kept after MADV_DONTNEED (shmem
 *                        keeps its pages), not mapped
 *    A present pte is mapped in the host (an mmap of the RAM memfd at the
 *    page's host address) in one of two ways:
 *      eager             its own host page with the pte's protection, which
 *                        the host merges with neighbours mapping the
 *                        adjacent frames with the same protection
 *      ONDEMAND          past the HOSTMAP_USER budget (arch/x86/hostmap.c):
 *                        mapped through the machine's on-demand ring when
 *                        touched, and back to PROT_NONE when the ring
 *                        evicts it; the pte stays the truth
 *    No other host page of a window is accessible (but the ring's).
 *
 * 1a. Counting host mappings
 *    The host keeps two neighbouring pages in one mapping when both are
 *    unmapped (the reservation) or both map consecutive frames with the same
 *    protection; so the mappings a window adds to the host are the
 *    boundaries between neighbouring pages where neither holds (host_cut).
 *    mm->host_maps counts them and the HOSTMAP_USER class sums them: every
 *    pte change goes through set_pte_counted() (nothing new mapped) or
 *    map_user_pte() (charges the budget, or falls back to the ring), which
 *    look at the two neighbouring ptes. The count ignores differences of
 *    read/exec protection between VMAs (at most 2 per VMA boundary); the
 *    hostmap reserve covers that. user_hostmap_check() recounts.
 *
 * 2. The fault path
 *    The machine's SIGSEGV handler calls user_fault(); it finds the process
 *    owning the host address, takes mmap_lock for read, finds the VMA and
 *    checks the access against it, then resolves the pte:
 *      read of none (private)     -> map the zero page read-only
 *      write of none, any shared  -> a zeroed GFP_HIGHUSER_MOVABLE frame
 *      write of the zero page     -> copy on write (a zeroed frame)
 *      swap entry                 -> read the slot into a new frame (major)
 *      write of a LAZYFREE page   -> the page is dirty again
 *      present, ONDEMAND          -> map it through the ring (a refill:
 *                                    FAULT_REFILL, not counted as a fault)
 *    Frames are allocated with no spinlock held; the pte is re-checked under
 *    page_table_lock before it is installed (another thread may have won).
 *    The signal handler returns and the instruction is restarted. A fault
 *    outside any VMA (or below a stack it cannot grow into) or against the
 *    VMA's permissions prints the kernel's segfault line and kills the
 *    process (mm/oom_kill.c: process_kill), whose threads are thrown back to
 *    kmem_process_enter().
 *
 * 3. Reclaim hook
 *    Before allocating, a fault checks the watermarks as kswapd would: below
 *    the low watermark it reclaims (try_to_free_pages: shrinkers and the
 *    anon LRU, which swaps out) so that the machine stays above it.
 *
 * Locking (the order: docs/ARCHITECTURE.md, "Lock order"): mmap_lock is read
 * in faults, written in system calls; page-table pages are allocated under
 * pgt_alloc_lock and never freed while a fault may run; page_table_lock
 * covers ptes, host mappings, rss and host_maps. Whoever changes the host mapping of an ONDEMAND page first drops it from
 * the ring (hostmap_ondemand_drop), under page_table_lock.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <linux/kernel.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include "arch/x86/machine.h"
#include "mm/mm_user.h"

#define USER_PTE (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PTES_PER_TABLE 512

/* ---- host mappings ------------------------------------------------------------ */

static inline bool pte_ondemand(pteval_t pte)
{
	return pte_present(pte) && (pte & _PAGE_ONDEMAND);
}

static inline bool pte_host_writable(pteval_t pte)
{
	return (pte & _PAGE_RW) && !(pte & (_PAGE_ZERO | _PAGE_LAZYFREE));
}

/* What the host maps at a page, as far as merging goes: 0 for nothing (not
 * present, or on demand), else the frame, bit 0 set, bit 1 if writable. */
static inline pteval_t host_id(pteval_t pte)
{
	if (!pte_present(pte) || (pte & _PAGE_ONDEMAND))
		return 0;
	return (pte & PTE_PFN_MASK) | 1 | (pte_host_writable(pte) ? 2 : 0);
}

/* The boundary between neighbouring pages a (lower) and b is a host mapping
 * boundary: the host cannot merge them. */
static inline int host_cut(pteval_t a, pteval_t b)
{
	pteval_t x = host_id(a), y = host_id(b);

	if (!x || !y)
		return x != y;
	return y != x + PAGE_SIZE;
}

/* The host protection of present pte of vma. */
static int pte_host_prot(struct vm_area_struct *vma, pteval_t pte)
{
	int prot = vma_host_prot(vma->vm_flags);

	if (pte & (_PAGE_ZERO | _PAGE_LAZYFREE))
		prot &= ~PROT_WRITE;
	return prot;
}

static const struct uwindow *uwindow_of(struct mm_struct *mm,
					unsigned long addr)
{
	int i;

	for (i = 0; i < mm->nr_win; i++)
		if (addr >= mm->win[i].start && addr < mm->win[i].end)
			return &mm->win[i];
	return NULL;
}

/* The pte beside addr's (dir -1: below, 1: above); ptep is addr's slot. */
static pteval_t pte_beside(struct mm_struct *mm, unsigned long addr,
			   pteval_t *ptep, int dir)
{
	unsigned int idx = (addr >> PAGE_SHIFT) & (PTES_PER_TABLE - 1);
	pteval_t *n;

	if (dir < 0 ? idx > 0 : idx < PTES_PER_TABLE - 1)
		return ptep[dir];
	n = pgtable_pte(&mm->pgt, dir < 0 ? addr - PAGE_SIZE : addr + PAGE_SIZE,
			false);
	return n ? *n : 0;
}

/* How many host mappings the window gains when the pte at addr goes from
 * old to new (negative: it loses some). page_table_lock held. */
static long host_delta(struct mm_struct *mm, unsigned long addr, pteval_t *ptep,
		       pteval_t old, pteval_t new)
{
	const struct uwindow *w;
	long d = 0;

	lockdep_assert_held(&mm->page_table_lock);
	pteval_t n;

	if (host_id(old) == host_id(new) || !(w = uwindow_of(mm, addr)))
		return 0;
	if (addr > w->start) {
		n = pte_beside(mm, addr, ptep, -1);
		d += host_cut(n, new) - host_cut(n, old);
	}
	if (addr + PAGE_SIZE < w->end) {
		n = pte_beside(mm, addr, ptep, 1);
		d += host_cut(new, n) - host_cut(old, n);
	}
	return d;
}

/* Set a pte whose new value needs no new host mapping (an unmap, a change of
 * protection, a swap entry), counting what the host gains or loses. The
 * caller changes the host page. */
static void set_pte_counted(struct mm_struct *mm, unsigned long addr,
			    pteval_t *ptep, pteval_t new)
{
	long d = host_delta(mm, addr, ptep, *ptep, new);

	if (d) {
		mm->host_maps += d;
		hostmap_account(HOSTMAP_USER, d);
	}
	*ptep = new;
}

/*
 * Make the pte at addr the present value new and map its frame in the host
 * with prot: eagerly if the HOSTMAP_USER budget allows what the host gains
 * (nothing, when the page extends a neighbour's mapping), else through the
 * on-demand ring, the pte marked ONDEMAND. 0 or -ENOMEM (nothing changed).
 */
static int map_user_pte(struct mm_struct *mm, unsigned long addr,
			pteval_t *ptep, pteval_t new, int prot)
{
	unsigned long host = mm_to_host(mm, addr);
	phys_addr_t phys = PFN_PHYS(pte_pfn(new));
	pteval_t old = *ptep;
	long d;
	int ret;

	if (pte_ondemand(old))
		hostmap_ondemand_drop(host, host + PAGE_SIZE, true);
	new &= ~_PAGE_ONDEMAND;
	d = host_delta(mm, addr, ptep, old, new);
	if (hostmap_charge(HOSTMAP_USER, d)) {
		if (!arch_map_phys(host, phys, PAGE_SIZE, prot)) {
			mm->host_maps += d;
			*ptep = new;
			return 0;
		}
		hostmap_account(HOSTMAP_USER, -d);
	}
	ret = hostmap_ondemand_map(host, phys, prot);
	if (ret) {
		pr_err("kmem: cannot map user page %#lx: host mmap error %d\n",
		       addr, ret);
		return -ENOMEM;
	}
	set_pte_counted(mm, addr, ptep, new | _PAGE_ONDEMAND);
	return 0;
}

/* Change the protection of the present pte at addr (same frame) to new, and
 * its host page's to prot. An ONDEMAND page leaves the ring (the next access
 * maps it again with the new protection). */
static int reprotect_user_pte(struct mm_struct *mm, unsigned long addr,
			      pteval_t *ptep, pteval_t new, int prot)
{
	unsigned long host = mm_to_host(mm, addr);

	if (pte_ondemand(*ptep)) {
		hostmap_ondemand_drop(host, host + PAGE_SIZE, true);
		*ptep = new | _PAGE_ONDEMAND;
		return 0;
	}
	set_pte_counted(mm, addr, ptep, new);
	return arch_protect(host, PAGE_SIZE, prot) ? -ENOMEM : 0;
}

/* The pte at addr leaves the host: not present any more (unmapped, swapped
 * out, kept off). The caller unmaps eager pages' host range. */
static void unmap_user_pte(struct mm_struct *mm, unsigned long addr,
			   pteval_t *ptep, pteval_t new)
{
	if (pte_ondemand(*ptep)) {
		unsigned long host = mm_to_host(mm, addr);

		hostmap_ondemand_drop(host, host + PAGE_SIZE, false);
	}
	set_pte_counted(mm, addr, ptep, new);
}

/* ---- frames ------------------------------------------------------------------- */

static unsigned long low_wmark_total(void)
{
	struct zone *zone;
	unsigned long n = 0;

	for_each_populated_zone(zone)
		n += low_wmark_pages(zone);
	return n;
}

/* kswapd's job, done by the faulting thread: keep free memory above the low
 * watermark by reclaiming user pages (nothing to do without swap). */
static void balance_memory(void)
{
	if (!atomic_long_read(&total_swap_pages) && !lru_nr_pages())
		return;
	if (nr_free_pages() < low_wmark_total())
		try_to_free_pages(GFP_HIGHUSER_MOVABLE, 0);
}

static struct page *alloc_user_page(bool zero)
{
	balance_memory();
	return alloc_pages(GFP_HIGHUSER_MOVABLE | (zero ? __GFP_ZERO : 0), 0);
}

static void release_frame(struct page *page)
{
	page->kmem_private = 0;
	page->index = 0;
	page->private = 0;
	set_page_owner_tag(page, 1, KMEM_OWNER_NONE);
	__free_pages(page, 0);
}

static inline bool page_is_shmem(const struct page *page)
{
	return page->private == 1;
}

/* Counters for a frame entering or leaving a process (page_table_lock). */
static void account_frame(struct mm_struct *mm, struct page *page, long d)
{
	if (page_is_shmem(page)) {
		mod_node_page_state(&contig_page_data, NR_SHMEM, d);
		mod_node_page_state(&contig_page_data, NR_FILE_PAGES, d);
	}
}

static void account_mapped(struct mm_struct *mm, struct page *page, long d)
{
	if (page_is_shmem(page)) {
		mm->rss[MM_SHMEMPAGES] += d;
		mod_node_page_state(&contig_page_data, NR_FILE_MAPPED, d);
	} else {
		mm->rss[MM_ANONPAGES] += d;
		mod_node_page_state(&contig_page_data, NR_ANON_MAPPED, d);
	}
	if (d > 0) {
		unsigned long rss = (unsigned long)(mm->rss[MM_ANONPAGES] +
						    mm->rss[MM_SHMEMPAGES]);

		if (rss > mm->hiwater_rss)
			mm->hiwater_rss = rss;
	}
}

static void mlock_page(struct page *page)
{
	SetPageMlocked(page);
	SetPageUnevictable(page);
	mod_zone_page_state(page_zone(page), NR_MLOCK, 1);
	mod_zone_page_state(page_zone(page), NR_ZONE_UNEVICTABLE, 1);
	mod_node_page_state(&contig_page_data, NR_UNEVICTABLE, 1);
}

static void munlock_page(struct page *page)
{
	ClearPageMlocked(page);
	ClearPageUnevictable(page);
	mod_zone_page_state(page_zone(page), NR_MLOCK, -1);
	mod_zone_page_state(page_zone(page), NR_ZONE_UNEVICTABLE, -1);
	mod_node_page_state(&contig_page_data, NR_UNEVICTABLE, -1);
}

/* A frame leaves its process for good (page_table_lock held). */
static void free_user_frame(struct mm_struct *mm, struct page *page,
			    bool mapped)
{
	lockdep_assert_held(&mm->page_table_lock);
	if (PageMlocked(page))
		munlock_page(page);
	else
		lru_del_page(page);
	if (mapped)
		account_mapped(mm, page, -1);
	account_frame(mm, page, -1);
	release_frame(page);
}

static pteval_t user_pte_bits(unsigned long vm_flags, bool dirty)
{
	return USER_PTE | (vm_flags & VM_WRITE ? _PAGE_RW : 0) |
	       (dirty ? _PAGE_DIRTY : 0) | (vm_flags & VM_EXEC ? 0 : _PAGE_NX);
}

/* Install a new frame at addr (page_table_lock held). */
static int install_frame(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long addr, pteval_t *ptep, struct page *page,
			 bool dirty)
{
	int ret;

	lockdep_assert_held(&mm->page_table_lock);
	ret = map_user_pte(mm, addr, ptep,
			   pfn_pte(page_to_pfn(page),
				   user_pte_bits(vma->vm_flags, dirty)),
			   vma_host_prot(vma->vm_flags));
	if (ret)
		return ret;
	page->kmem_private = (unsigned long)mm;
	page->index = addr >> PAGE_SHIFT;
	page->private = (vma->vm_flags & VM_SHARED) ? 1 : 0;
	set_page_owner_tag(page, 1, KMEM_OWNER_ANON);
	SetPageSwapBacked(page);
	SetPageUptodate(page);
	account_mapped(mm, page, 1);
	if (vma->vm_flags & VM_LOCKED)
		mlock_page(page);
	else
		lru_add_page(page);
	return 0;
}

/*
 * One page being resolved, as the kernel's struct vm_fault: the pte as it was
 * read under page_table_lock, and the frame do_page() allocated for it with
 * the lock dropped. The handlers below run with page_table_lock held; one
 * that needs a frame returns VMF_NEED_ZEROED or VMF_NEED_SWAPIN, do_page()
 * allocates it without the lock and runs them again on the pte as it is then
 * (another thread may have resolved it meanwhile).
 */
struct vm_fault {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	unsigned long address; /* page aligned */
	unsigned long host;    /* its host address (page aligned) */
	pteval_t *ptep;
	pteval_t orig_pte;
	bool write, fault;
	bool *major;
	struct page *newpage;	 /* allocated for this page, or NULL */
	unsigned long swap_slot; /* newpage holds this slot's data (0: zeroed) */
};

#define VMF_NEED_ZEROED 2 /* a zeroed frame (not FAULT_REFILL's 1) */
#define VMF_NEED_SWAPIN 3 /* a frame read from orig_pte's swap slot */

/* Install vmf->newpage at the address; 0 once it is the process's frame. */
static int install_new_frame(struct vm_fault *vmf, bool dirty)
{
	int ret = install_frame(vmf->mm, vmf->vma, vmf->address, vmf->ptep,
				vmf->newpage, dirty);

	if (!ret) {
		account_frame(vmf->mm, vmf->newpage, 1);
		vmf->newpage = NULL;
	}
	return ret;
}

/* pte_none: the zero page for a private read, else a new zeroed frame. */
static int do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	int ret;

	if (!vmf->write && !(vma->vm_flags & VM_SHARED)) {
		ret = map_user_pte(vmf->mm, vmf->address, vmf->ptep,
				   pfn_pte(page_to_pfn(zero_page),
					   USER_PTE | _PAGE_ZERO),
				   vma_host_prot(vma->vm_flags) & ~PROT_WRITE);
		if (!ret)
			vmf->mm->nr_zero++;
		return ret;
	}
	if (!vmf->newpage || vmf->swap_slot)
		return VMF_NEED_ZEROED;
	return install_new_frame(vmf, vmf->write);
}

/* A swap entry: the frame read back from its slot (a major fault). */
static int do_swap_page(struct vm_fault *vmf)
{
	unsigned long slot = pte_swp_offset(vmf->orig_pte);
	int ret;

	if (!vmf->newpage || vmf->swap_slot != slot)
		return VMF_NEED_SWAPIN;
	/* A MAP_SHARED frame that comes back is a shmem page again. */
	ret = install_new_frame(vmf, vmf->write);
	if (!ret) {
		swap_free_slot(slot);
		vmf->mm->rss[MM_SWAPENTS]--;
		*vmf->major = true;
	}
	return ret;
}

/* A MAP_SHARED frame unmapped but kept (_PAGE_SHM_OFF): map it again. */
static int do_shared_page(struct vm_fault *vmf)
{
	pteval_t pte = vmf->orig_pte;
	int ret;

	ret = map_user_pte(
		vmf->mm, vmf->address, vmf->ptep,
		pfn_pte(pte_pfn(pte),
			user_pte_bits(vmf->vma->vm_flags, vmf->write)),
		vma_host_prot(vmf->vma->vm_flags));
	if (!ret)
		account_mapped(vmf->mm, pfn_to_page(pte_pfn(pte)), 1);
	return ret;
}

/*
 * A write to a present page that may not be written yet: copy on write from
 * the zero page (the new frame is zeroed), or the first write to a
 * MADV_FREE page, which keeps it (dirty again).
 */
static int do_wp_page(struct vm_fault *vmf)
{
	pteval_t pte = vmf->orig_pte;
	int ret;

	if (pte & _PAGE_ZERO) {
		if (!vmf->write)
			return 0; /* spurious: another thread mapped it */
		if (!vmf->newpage || vmf->swap_slot)
			return VMF_NEED_ZEROED;
		ret = install_new_frame(vmf, true);
		if (!ret)
			vmf->mm->nr_zero--;
		return ret;
	}
	if (!vmf->write)
		return 0;
	return reprotect_user_pte(vmf->mm, vmf->address, vmf->ptep,
				  (pte & ~_PAGE_LAZYFREE) | _PAGE_DIRTY,
				  vma_host_prot(vmf->vma->vm_flags));
}

/* Dispatch on the pte (page_table_lock held), as handle_pte_fault(). */
static int handle_pte_fault(struct vm_fault *vmf)
{
	pteval_t pte = vmf->orig_pte;

	lockdep_assert_held(&vmf->mm->page_table_lock);
	if (pte_none(pte))
		return do_anonymous_page(vmf);
	if (pte_is_swap(pte))
		return do_swap_page(vmf);
	if (!pte_present(pte) && (pte & _PAGE_SHM_OFF))
		return do_shared_page(vmf);
	if (vmf->fault && pte_ondemand(pte) &&
	    (!vmf->write || pte_host_writable(pte))) {
		/* Evicted from the ring (or never mapped): a software-TLB
		 * refill from the page table. No allocation, not a fault. */
		return hostmap_ondemand_map(vmf->host, PFN_PHYS(pte_pfn(pte)),
					    pte_host_prot(vmf->vma, pte)) ?
			       -ENOMEM :
			       FAULT_REFILL;
	}
	if ((pte & _PAGE_ZERO) || (pte_present(pte) && (pte & _PAGE_LAZYFREE)))
		return do_wp_page(vmf);
	return 0; /* present and allowed: spurious (another thread won) */
}

/*
 * Resolve one page of a VMA (the caller holds mmap_lock, read or write, and
 * has checked the access). 0, -ENOMEM, or -ESRCH if the process was killed;
 * for an access (fault) to an ONDEMAND page, FAULT_REFILL once it is mapped.
 */
static int do_page(struct mm_struct *mm, struct vm_area_struct *vma,
		   unsigned long addr, bool write, bool fault, bool *major)
{
	struct vm_fault vmf = {
		.mm = mm,
		.vma = vma,
		.address = addr & PAGE_MASK,
		.host = mm_to_host(mm, addr) & PAGE_MASK,
		.write = write,
		.fault = fault,
		.major = major,
	};
	unsigned long slot;
	int ret;

	mmap_assert_locked(mm);
	mutex_lock_atomic(&mm->pgt_alloc_lock);
	vmf.ptep = pgtable_pte(&mm->pgt, vmf.address, true);
	mutex_unlock(&mm->pgt_alloc_lock);
	if (!vmf.ptep)
		return -ENOMEM;
	for (;;) {
		spin_lock(&mm->page_table_lock);
		if (mm->dead) {
			ret = -ESRCH;
		} else {
			vmf.orig_pte = *vmf.ptep;
			ret = handle_pte_fault(&vmf);
		}
		spin_unlock(&mm->page_table_lock);
		if (ret != VMF_NEED_ZEROED && ret != VMF_NEED_SWAPIN)
			break;
		/* Allocate (and read) the frame with the lock dropped. */
		if (vmf.newpage)
			release_frame(vmf.newpage);
		vmf.newpage = NULL;
		if (ret == VMF_NEED_ZEROED) {
			vmf.swap_slot = 0;
			vmf.newpage = alloc_user_page(true);
			if (!vmf.newpage)
				return -ENOMEM;
			continue;
		}
		slot = pte_swp_offset(vmf.orig_pte);
		vmf.newpage = alloc_user_page(false);
		if (!vmf.newpage)
			return -ENOMEM;
		if (swap_in_page(vmf.newpage, slot)) {
			release_frame(vmf.newpage);
			return -ENOMEM;
		}
		vmf.swap_slot = slot;
	}
	if (vmf.newpage)
		release_frame(vmf.newpage);
	return ret;
}

static bool access_ok(struct vm_area_struct *vma, bool write)
{
	if (write)
		return vma->vm_flags & VM_WRITE;
	return vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
}

/*
 * The page-fault handler proper. Returns 0 (resolved), -EFAULT (no VMA:
 * SEGV_MAPERR), -EACCES (SEGV_ACCERR), -ENOMEM, -ESRCH (killed).
 */
int handle_user_fault(struct kmem_process *p, unsigned long addr, bool write,
		      bool *major)
{
	struct mm_struct *mm = &p->mm;
	struct vm_area_struct *vma;
	int ret;

	mmap_read_lock(mm);
	if (__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
		ret = -ESRCH;
		goto out;
	}
	vma = find_vma(mm, addr);
	if (vma && addr < vma->vm_start && (vma->vm_flags & VM_GROWSDOWN)) {
		/* Grow the stack: needs the lock for write. */
		mmap_read_unlock(mm);
		mmap_write_lock(mm);
		vma = find_vma(mm, addr);
		ret = vma && addr < vma->vm_start ?
			      expand_stack(mm, vma, addr) :
			      0;
		mmap_write_unlock(mm);
		mmap_read_lock(mm);
		vma = find_vma(mm, addr);
	}
	if (!vma || addr < vma->vm_start) {
		ret = -EFAULT;
		goto out;
	}
	if (!access_ok(vma, write)) {
		ret = -EACCES;
		goto out;
	}
	ret = do_page(mm, vma, addr, write, true, major);
out:
	mmap_read_unlock(mm);
	return ret;
}

int populate_range(struct kmem_process *p, struct vm_area_struct *vma,
		   unsigned long start, unsigned long end)
{
	bool write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	bool major = false;
	unsigned long addr;
	int ret;

	if (!(vma->vm_flags & VM_ACCESS_FLAGS))
		return 0;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		ret = do_page(&p->mm, vma, addr, write, false, &major);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- range operations ----------------------------------------------------------- */

struct zap_ctx {
	struct mm_struct *mm;
	bool keep_shared;
};

static int zap_one(pteval_t *ptep, unsigned long addr, void *arg)
{
	struct zap_ctx *z = arg;
	struct mm_struct *mm = z->mm;
	pteval_t pte = *ptep;
	struct page *page;

	if (pte_is_swap(pte)) {
		swap_free_slot(pte_swp_offset(pte));
		mm->rss[MM_SWAPENTS]--;
		*ptep = 0;
		return 0;
	}
	if (pte_present(pte) && (pte & _PAGE_ZERO)) {
		mm->nr_zero--;
		set_pte_counted(mm, addr, ptep, 0);
		return 0;
	}
	page = pfn_to_page(pte_pfn(pte));
	if (z->keep_shared && page_is_shmem(page)) {
		if (pte_present(pte)) {
			set_pte_counted(mm, addr, ptep,
					(pte & PTE_PFN_MASK) | _PAGE_SHM_OFF);
			account_mapped(mm, page, -1);
		}
		return 0;
	}
	free_user_frame(mm, page, pte_present(pte));
	set_pte_counted(mm, addr, ptep, 0);
	return 0;
}

void zap_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end, bool keep_shared)
{
	struct zap_ctx z = { mm, keep_shared };
	unsigned long host = mm_to_host(mm, start);

	spin_lock(&mm->page_table_lock);
	pgtable_walk(&mm->pgt, start, end, zap_one, &z);
	if (host) {
		hostmap_ondemand_drop(host, host + (end - start), false);
		arch_unmap(host, end - start);
	}
	spin_unlock(&mm->page_table_lock);
}

void reap_mm(struct mm_struct *mm)
{
	struct zap_ctx z = { mm, false };
	int i;

	spin_lock(&mm->page_table_lock);
	mm->dead = 1;
	for (i = 0; i < mm->nr_win; i++) {
		unsigned long len = mm->win[i].end - mm->win[i].start;

		pgtable_walk(&mm->pgt, mm->win[i].start, mm->win[i].end,
			     zap_one, &z);
		hostmap_ondemand_drop(mm->win[i].host, mm->win[i].host + len,
				      false);
		arch_unmap(mm->win[i].host, len);
	}
	/* Nothing is mapped any more: the count must be back to zero. */
	if (WARN_ON_ONCE(mm->host_maps))
		hostmap_account(HOSTMAP_USER, -mm->host_maps);
	mm->host_maps = 0;
	spin_unlock(&mm->page_table_lock);
}

struct prot_ctx {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	unsigned long run_start, run_end; /* host range pending, same prot */
	int run_prot;
	bool ondemand; /* ONDEMAND pages seen: drop them from the ring */
};

static void prot_flush(struct prot_ctx *c)
{
	if (c->run_end > c->run_start)
		arch_protect(c->run_start, c->run_end - c->run_start,
			     c->run_prot);
	c->run_start = c->run_end = 0;
}

static int prot_one(pteval_t *ptep, unsigned long addr, void *arg)
{
	struct prot_ctx *c = arg;
	pteval_t pte = *ptep;
	unsigned long host;
	int prot;

	if (!pte_present(pte))
		return 0;
	prot = vma_host_prot(c->vma->vm_flags);
	if (pte & (_PAGE_ZERO | _PAGE_LAZYFREE)) {
		prot &= ~PROT_WRITE;
	} else {
		pte &= ~(pteval_t)_PAGE_RW;
		if (c->vma->vm_flags & VM_WRITE)
			pte |= _PAGE_RW;
		set_pte_counted(c->mm, addr, ptep, pte);
	}
	if (pte & _PAGE_ONDEMAND) {
		/* Not mapped but by the ring: it leaves the ring below. */
		c->ondemand = true;
		prot_flush(c);
		return 0;
	}
	host = mm_to_host(c->mm, addr);
	if (host != c->run_end || prot != c->run_prot)
		prot_flush(c);
	if (!c->run_end) {
		c->run_start = host;
		c->run_prot = prot;
	}
	c->run_end = host + PAGE_SIZE;
	return 0;
}

void change_protection(struct mm_struct *mm, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end)
{
	struct prot_ctx c = { mm, vma, 0, 0, 0, false };
	unsigned long host = mm_to_host(mm, start);

	spin_lock(&mm->page_table_lock);
	pgtable_walk(&mm->pgt, start, end, prot_one, &c);
	prot_flush(&c);
	if (c.ondemand && host)
		hostmap_ondemand_drop(host, host + (end - start), true);
	spin_unlock(&mm->page_table_lock);
}

static int mlock_one(pteval_t *ptep, unsigned long addr, void *arg)
{
	bool lock = *(bool *)arg;
	struct page *page;

	if (!pte_present(*ptep) || (*ptep & _PAGE_ZERO))
		return 0;
	page = pfn_to_page(pte_pfn(*ptep));
	if (lock && !PageMlocked(page)) {
		lru_del_page(page);
		mlock_page(page);
	} else if (!lock && PageMlocked(page)) {
		munlock_page(page);
		lru_add_page(page);
	}
	return 0;
}

void mlock_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		 bool lock)
{
	spin_lock(&mm->page_table_lock);
	pgtable_walk(&mm->pgt, start, end, mlock_one, &lock);
	spin_unlock(&mm->page_table_lock);
}

struct free_ctx {
	struct mm_struct *mm;
	bool ondemand; /* ONDEMAND pages seen: drop them from the ring */
};

static int free_one(pteval_t *ptep, unsigned long addr, void *arg)
{
	struct free_ctx *c = arg;
	struct mm_struct *mm = c->mm;
	pteval_t pte = *ptep;

	if (pte_is_swap(pte)) {
		swap_free_slot(pte_swp_offset(pte));
		mm->rss[MM_SWAPENTS]--;
		*ptep = 0;
		return 0;
	}
	if (!pte_present(pte) || (pte & (_PAGE_ZERO | _PAGE_LAZYFREE)))
		return 0;
	set_pte_counted(mm, addr, ptep, (pte & ~_PAGE_DIRTY) | _PAGE_LAZYFREE);
	if (pte & _PAGE_ONDEMAND)
		c->ondemand = true;
	else
		arch_protect(mm_to_host(mm, addr), PAGE_SIZE, PROT_READ);
	lru_lazyfree_page(pfn_to_page(pte_pfn(pte)));
	return 0;
}

void madvise_free_range(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	struct free_ctx c = { mm, false };
	unsigned long host = mm_to_host(mm, start);

	spin_lock(&mm->page_table_lock);
	pgtable_walk(&mm->pgt, start, end, free_one, &c);
	if (c.ondemand && host)
		hostmap_ondemand_drop(host, host + (end - start), true);
	spin_unlock(&mm->page_table_lock);
}

struct swapin_ctx {
	unsigned long addrs[64];
	int n;
};

static int find_swapped(pteval_t *ptep, unsigned long addr, void *arg)
{
	struct swapin_ctx *c = arg;

	if (!pte_is_swap(*ptep))
		return 0;
	c->addrs[c->n++] = addr;
	return c->n == (int)ARRAY_SIZE(c->addrs);
}

void swapin_range(struct mm_struct *mm, struct vm_area_struct *vma,
		  unsigned long start, unsigned long end)
{
	struct swapin_ctx c;
	bool major = false;
	int i;

	if (!(vma->vm_flags & VM_ACCESS_FLAGS))
		return;
	do {
		c.n = 0;
		spin_lock(&mm->page_table_lock);
		pgtable_walk(&mm->pgt, start, end, find_swapped, &c);
		spin_unlock(&mm->page_table_lock);
		for (i = 0; i < c.n; i++)
			if (do_page(mm, vma, c.addrs[i], false, false, &major) <
			    0)
				return;
		if (c.n)
			start = c.addrs[c.n - 1] + PAGE_SIZE;
	} while (c.n == (int)ARRAY_SIZE(c.addrs));
}

/* ---- who maps a frame (for `kmem map`) ------------------------------------------ */

struct users_ctx {
	struct kmem_process *p;
	unsigned long pfn, count;
	void (*fn)(struct kmem_process *p, unsigned long uaddr, void *arg);
	void *arg;
};

static int user_of(pteval_t *ptep, unsigned long addr, void *arg)
{
	struct users_ctx *c = arg;

	if (pte_present(*ptep) && pte_pfn(*ptep) == c->pfn) {
		c->count++;
		if (c->fn)
			c->fn(c->p, addr, c->arg);
	}
	return 0;
}

unsigned long kmem_frame_users(unsigned long pfn,
			       void (*fn)(struct kmem_process *p,
					  unsigned long uaddr, void *arg),
			       void *arg)
{
	struct users_ctx c = { NULL, pfn, 0, fn, arg };
	struct kmem_process *p;
	struct page *page;
	int i;

	if (!pfn_valid(pfn))
		return 0;
	page = pfn_to_page(pfn);
	down_read(&process_lock);
	list_for_each_entry(p, &process_list, list) {
		struct mm_struct *mm = &p->mm;

		if (page != zero_page &&
		    page->kmem_private != (unsigned long)mm)
			continue;
		c.p = p;
		spin_lock(&mm->page_table_lock);
		if (page == zero_page) {
			for (i = 0; i < mm->nr_win; i++)
				pgtable_walk(&mm->pgt, mm->win[i].start,
					     mm->win[i].end, user_of, &c);
		} else {
			unsigned long u = page->index << PAGE_SHIFT;

			pgtable_walk(&mm->pgt, u, u + PAGE_SIZE, user_of, &c);
		}
		spin_unlock(&mm->page_table_lock);
	}
	up_read(&process_lock);
	return c.count;
}

/* ---- the SIGSEGV path --------------------------------------------------------------- */

struct ip_vma {
	unsigned long ip, start, end;
	const char *name;
};

static int find_ip_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct ip_vma *v = arg;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		unsigned long s, e;

		if (ph->p_type != PT_LOAD)
			continue;
		s = (info->dlpi_addr + ph->p_vaddr) & PAGE_MASK;
		e = PAGE_ALIGN(info->dlpi_addr + ph->p_vaddr + ph->p_memsz);
		if (v->ip >= s && v->ip < e) {
			const char *n = info->dlpi_name;
			const char *slash = n ? strrchr(n, '/') : NULL;

			v->start = s;
			v->end = e;
			v->name = n && *n ? (slash ? slash + 1 : n) :
					    program_invocation_short_name;
			return 1;
		}
	}
	return 0;
}

/* The kernel's show_signal_msg() and show_opcodes(). */
static void show_signal_msg(struct kmem_process *p, struct kmem_fault *f,
			    unsigned long uaddr)
{
	ucontext_t *uc = f->ucontext;
	unsigned long sp = uc ? (unsigned long)uc->uc_mcontext.gregs[REG_RSP] :
				0;
	unsigned long error = 4 | (f->write ? 2 : 0) | (f->present ? 1 : 0);
	struct ip_vma v = { f->ip, 0, 0, NULL };
	unsigned char code[64];
	struct iovec local = { code, sizeof(code) };
	struct iovec remote = { (void *)(f->ip - 42), sizeof(code) };
	char line[256];
	int cpu = raw_smp_processor_id(), i, n = 0;
	bool wide = !machine_is_x86_32();

	printk(KERN_INFO "%s[%d]: segfault at %lx ip %0*lx sp %0*lx error %lx",
	       p->comm, p->pid, uaddr, wide ? 16 : 8, f->ip, wide ? 16 : 8, sp,
	       error);
	if (dl_iterate_phdr(find_ip_segment, &v))
		pr_cont(" in %s[%lx+%lx]", v.name, v.start, v.end - v.start);
	pr_cont(" likely on CPU %d (core %d, socket 0)\n", cpu, cpu);
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
	    (ssize_t)sizeof(code)) {
		printk(KERN_INFO
		       "Code: Unable to access opcode bytes at 0x%lx.\n",
		       f->ip - 42);
		return;
	}
	for (i = 0; i < 64 && n < (int)sizeof(line) - 8; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      i == 42 ? "<%02x> " : "%02x ", code[i]);
	if (n)
		line[n - 1] = '\0';
	printk(KERN_INFO "Code: %s\n", line);
}

/* Failed retries of this thread's current fault (see user_fault). */
#define PF_OOM_RETRIES 16
static __thread unsigned int pf_oom_retries;

/* pfoom_rs: about 10 reports per 5 s (no lock: a signal handler). */
static bool pf_oom_ratelimit(void)
{
	static long begin;
	static int printed;
	long now = (long)time(NULL),
	     b = __atomic_load_n(&begin, __ATOMIC_RELAXED);

	if (now - b >= 5 &&
	    __atomic_compare_exchange_n(&begin, &b, now, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		__atomic_store_n(&printed, 0, __ATOMIC_RELAXED);
	return __atomic_fetch_add(&printed, 1, __ATOMIC_RELAXED) < 10;
}

static enum kmem_fault_result user_fault(struct kmem_fault *f)
{
	struct kmem_process *p = process_of_host(f->address);
	unsigned long uaddr;
	bool major = false;
	int ret;

	if (!p || !mm_host_to_user(&p->mm, f->address, &uaddr))
		return KMEM_FAULT_NOT_MINE;
	ret = handle_user_fault(p, uaddr, f->write, &major);
	if (ret == FAULT_REFILL)
		return KMEM_FAULT_HANDLED; /* a software-TLB refill: not a fault */
	if (ret != -ESRCH)
		__atomic_fetch_add(major ? &p->mm.maj_flt : &p->mm.min_flt, 1,
				   __ATOMIC_RELAXED);
	if (!ret) {
		pf_oom_retries = 0;
		return KMEM_FAULT_HANDLED;
	}
	if (ret == -EFAULT || ret == -EACCES) {
		show_signal_msg(p, f, uaddr);
		process_kill(p, SIGSEGV);
	} else if (ret == -ENOMEM) {
		/* VM_FAULT_OOM. The kernel's pagefault_out_of_memory() retries
		 * the fault: the allocation has already run the OOM killer if
		 * there was anything to kill, and a failure that passes (an
		 * injected one, a moment of pressure) must not kill the
		 * process. Where the kernel would then panic, kmem's allocator
		 * fails: after PF_OOM_RETRIES failures in a row the process goes. */
		if (++pf_oom_retries <= PF_OOM_RETRIES) {
			if (pf_oom_ratelimit())
				pr_warn("Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF\n");
			return KMEM_FAULT_HANDLED;
		}
		pf_oom_retries = 0;
		oom_kill_process(p, "Out of memory (page fault)");
	}
	if (current_process() == p)
		process_die(); /* back to kmem_process_enter(); does not return */
	pr_emerg(
		"kmem: thread %d touched %#lx of process %d (%s) without being inside it\n",
		(int)gettid(), uaddr, p->pid, p->comm);
	return KMEM_FAULT_OOPS;
}

static struct kmem_hook user_fault_hook = { "user_fault",
					    (const void *)user_fault };
static struct kmem_hook user_hostmap_check_hook = {
	"user host mappings", (const void *)user_hostmap_check
};

void user_fault_init(void)
{
	kmem_register_fault_handler(&user_fault_hook);
	kmem_hook_register(&kmem_checkers, &user_hostmap_check_hook);
}

void user_fault_exit(void)
{
	kmem_unregister_fault_handler(&user_fault_hook);
	kmem_hook_unregister(&kmem_checkers, &user_hostmap_check_hook);
}

/* ---- eviction (called by mm/swapfile.c with lru_lock held) ------------------------ */

int reclaim_user_page(struct page *page)
{
	struct mm_struct *mm = (struct mm_struct *)page->kmem_private;
	unsigned long addr = page->index << PAGE_SHIFT, slot;
	pteval_t *ptep, pte;
	int ret = 0;

	lockdep_assert_held(&lru_lock);
	if (!mm || !spin_trylock(&mm->page_table_lock))
		return -EAGAIN;
	ptep = pgtable_pte(&mm->pgt, addr, false);
	pte = ptep ? *ptep : 0;
	if (!ptep || pte_pfn(pte) != page_to_pfn(page) ||
	    !(pte_present(pte) || (pte & _PAGE_SHM_OFF))) {
		ret = -EAGAIN; /* being changed under us */
		goto out;
	}
	if (pte_present(pte) && (pte & _PAGE_LAZYFREE)) {
		/* MADV_FREE'd and not written since: drop it, no I/O. */
		unmap_user_pte(mm, addr, ptep, 0);
		arch_unmap(mm_to_host(mm, addr), PAGE_SIZE);
		__lru_del_page(page);
		account_mapped(mm, page, -1);
		account_frame(mm, page, -1);
		release_frame(page);
		goto out;
	}
	slot = swap_out_page(page);
	if (!slot) {
		ret = -ENOSPC;
		goto out;
	}
	unmap_user_pte(mm, addr, ptep, swp_entry_pte(slot));
	if (pte_present(pte)) {
		arch_unmap(mm_to_host(mm, addr), PAGE_SIZE);
		account_mapped(mm, page, -1);
	}
	mm->rss[MM_SWAPENTS]++;
	__lru_del_page(page);
	account_frame(mm, page, -1);
	release_frame(page);
out:
	spin_unlock(&mm->page_table_lock);
	return ret;
}

/* ---- the checker --------------------------------------------------------------- */

struct recount_ctx {
	unsigned long start, end; /* the window */
	unsigned long prev;	  /* address of the last pte seen, 0: none */
	pteval_t prev_pte;
	long cuts;
};

/* Count the host_cut() boundaries of a window from its non-empty ptes, in
 * address order: a boundary only matters next to a non-empty pte. */
static int recount_one(pteval_t *ptep, unsigned long addr, void *arg)
{
	struct recount_ctx *c = arg;

	if (c->prev && c->prev + PAGE_SIZE != addr) {
		c->cuts += host_cut(c->prev_pte, 0); /* prev | an empty page */
		c->prev = 0;
	}
	if (addr > c->start)
		c->cuts += host_cut(c->prev ? c->prev_pte : 0, *ptep);
	c->prev = addr;
	c->prev_pte = *ptep;
	return 0;
}

static long recount_host_maps(struct mm_struct *mm)
{
	long n = 0;
	int i;

	for (i = 0; i < mm->nr_win; i++) {
		struct recount_ctx c = { mm->win[i].start, mm->win[i].end, 0, 0,
					 0 };

		pgtable_walk(&mm->pgt, c.start, c.end, recount_one, &c);
		if (c.prev && c.prev + PAGE_SIZE < c.end)
			c.cuts += host_cut(c.prev_pte, 0);
		n += c.cuts;
	}
	return n;
}

bool user_hostmap_check(void)
{
	struct kmem_process *p;
	bool ok = true;

	down_read(&process_lock);
	list_for_each_entry(p, &process_list, list) {
		struct mm_struct *mm = &p->mm;
		long n;

		spin_lock(&mm->page_table_lock);
		n = mm->dead ? 0 : recount_host_maps(mm);
		if (!mm->dead && n != mm->host_maps) {
			pr_err("user mm: check: pid %d accounts %ld host mappings, its ptes make %ld\n",
			       p->pid, mm->host_maps, n);
			ok = false;
		}
		spin_unlock(&mm->page_table_lock);
	}
	up_read(&process_lock);
	return ok;
}

/* ---- smaps ------------------------------------------------------------------------- */

static int smaps_one(pteval_t *ptep, unsigned long addr, void *arg)
{
	struct mem_size_stats *mss = arg;
	pteval_t pte = *ptep;
	struct page *page;

	if (pte_is_swap(pte)) {
		mss->swap++;
		return 0;
	}
	if (!pte_present(pte))
		return 0;
	if (pte & _PAGE_ZERO) {
		mss->zero++;
		return 0;
	}
	page = pfn_to_page(pte_pfn(pte));
	mss->resident++;
	if (page_is_shmem(page))
		mss->shmem++;
	else
		mss->anonymous++;
	if (pte & _PAGE_LAZYFREE) {
		mss->lazyfree++;
		mss->clean++;
	} else {
		mss->dirty++;
	}
	if (PageMlocked(page))
		mss->locked++;
	return 0;
}

void smaps_range(struct mm_struct *mm, struct vm_area_struct *vma,
		 struct mem_size_stats *mss)
{
	spin_lock(&mm->page_table_lock);
	pgtable_walk(&mm->pgt, vma->vm_start, vma->vm_end, smaps_one, mss);
	spin_unlock(&mm->page_table_lock);
}
