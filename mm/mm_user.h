/* SPDX-License-Identifier: MIT */
/*
 * User address spaces: the private interface of mm/mmap.c, mm/memory.c,
 * mm/swapfile.c, mm/oom_kill.c and mm/task_mmu.c, and the small read-only API
 * `kmem map` uses (bottom of this file). Never installed.
 *
 * Glossary
 *   uaddr   a simulated user address: what the process sees, what
 *           /proc/<pid>/maps prints, what the page tables are indexed by.
 *   host    the host address where that user address is mapped with the real
 *           MMU. uaddr -> host is a fixed offset per window (below).
 *   window  a range of the simulated user address space backed by a host
 *           reservation of the same size. x86-32: one window, the whole
 *           3 GiB user space [0, 0xC0000000). x86-64: two windows, the heap
 *           window [0x555555554000, +64 GiB) and the top window
 *           [TASK_SIZE - 256 GiB, TASK_SIZE) that holds the mmap area and the
 *           stack (the 128 TiB user space cannot be reserved per process).
 *
 * Locks: what each protects. Their order is written once, in
 * docs/ARCHITECTURE.md ("Lock order"); debug builds check it
 * (include/linux/lockdep.h).
 *   mm->mmap_lock       (rw_semaphore) the VMA array and the mm's layout fields;
 *                       taken for read by faults, for write by mmap & co.
 *   mm->pgt_alloc_lock  page-table page allocation
 *   process_lock        (rw_semaphore) the process list
 *   mm->page_table_lock (spinlock) the mm's page tables, the host mappings,
 *                       the rss counters, host_maps and mm->dead
 *   lru_lock            the global anon LRU list (reclaim only trylocks a
 *                       page's page_table_lock while holding it)
 *   swap_lock           the swap slot map
 */
#ifndef _KMEM_MM_MM_USER_H
#define _KMEM_MM_MM_USER_H

#include <pthread.h>
#include <setjmp.h>

#include <linux/mm.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <kmem/process.h>
#include "mm/internal.h"
#include "mm/pgtable.h"

/* vm_flags, the kernel's values. */
#define VM_NONE 0x00000000UL
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_MAYREAD 0x00000010UL
#define VM_MAYWRITE 0x00000020UL
#define VM_MAYEXEC 0x00000040UL
#define VM_MAYSHARE 0x00000080UL
#define VM_GROWSDOWN 0x00000100UL
#define VM_LOCKED 0x00002000UL
#define VM_ACCOUNT 0x00100000UL
#define VM_NORESERVE 0x00200000UL
#define VM_STACK VM_GROWSDOWN
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)

/* Software pte bits (mm/pgtable.h leaves 9-11 to the owner):
 * _PAGE_ZERO      present: maps the shared zero page;
 * _PAGE_LAZYFREE  present: MADV_FREE'd, clean until written;
 * _PAGE_SWP       not present: a swap entry (slot << 12);
 * _PAGE_SHM_OFF   not present: shared page kept, unmapped;
 * _PAGE_ONDEMAND  present: no host mapping of its own (past the budget);
 *                 mapped through the machine's on-demand ring when touched. */
#define _PAGE_ZERO _PAGE_SOFTW1
#define _PAGE_LAZYFREE _PAGE_SOFTW2
#define _PAGE_SWP _PAGE_SOFTW3
#define _PAGE_SHM_OFF _PAGE_SOFTW2
#define _PAGE_ONDEMAND _PAGE_SOFTW4

/* handle_user_fault() result besides 0 and -errno: the pte was present but
 * not mapped in the host (evicted from the on-demand ring) and was mapped
 * again - a software-TLB refill, not a page fault of the process. */
#define FAULT_REFILL 1

static inline bool pte_is_swap(pteval_t pte)
{
	return !pte_present(pte) && (pte & _PAGE_SWP);
}
static inline unsigned long pte_swp_offset(pteval_t pte)
{
	return pte_pfn(pte);
}
static inline pteval_t swp_entry_pte(unsigned long offset)
{
	return ((pteval_t)offset << PAGE_SHIFT) | _PAGE_SWP;
}

#define MM_MAX_WINDOWS 2

struct uwindow {
	unsigned long start, end; /* user addresses [start, end) */
	unsigned long host;	  /* host address of start */
};

struct vm_area_struct {
	unsigned long vm_start, vm_end; /* user addresses, page aligned */
	unsigned long vm_flags;
	unsigned long vm_ino; /* MAP_SHARED: the shmem inode's number */
	struct mm_struct *vm_mm;
};

enum { MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS, NR_MM_COUNTERS };

struct mm_struct {
	struct uwindow win[MM_MAX_WINDOWS];
	int nr_win;
	unsigned long task_size, mmap_base, mmap_min_addr;
	unsigned long start_brk, brk, start_stack;

	/* mmap_lock: the VMAs, sorted by vm_start, and the layout fields. */
	struct rw_semaphore mmap_lock;
	/* serialises page-table page allocation */
	struct mutex pgt_alloc_lock;
	struct vm_area_struct **vmas;
	int nr_vmas, max_vmas;
	unsigned long total_vm, data_vm, stack_vm, locked_vm, hiwater_vm;

	/* page_table_lock: the page tables, the host mappings, the counters. */
	spinlock_t page_table_lock;
	struct kmem_pgtable pgt;
	long rss[NR_MM_COUNTERS];
	unsigned long nr_zero; /* ptes mapping the zero page */
	unsigned long hiwater_rss;
	int dead;	/* killed: no fault is resolved any more */
	long host_maps; /* host mappings the ptes account for (mm/memory.c) */

	unsigned long min_flt, maj_flt; /* atomics */
};

struct kmem_process {
	int pid;
	char comm[16];
	struct mm_struct mm;
	struct list_head list; /* process_list, under process_lock */
	int nr_inside;	       /* threads inside (atomic) */
	int killed;	       /* the signal that killed it (atomic) */
};

/* mmap_lock, as the kernel's include/linux/mmap_lock.h: ranked and owned in
 * debug builds (a writer is the owner, readers are per thread). */
static inline void mmap_init_lock(struct mm_struct *mm)
{
	init_rwsem(&mm->mmap_lock);
	lockdep_set_rank(&mm->mmap_lock, LOCK_RANK_MMAP);
}
static inline void mmap_read_lock(struct mm_struct *mm)
{
	down_read(&mm->mmap_lock);
}
static inline void mmap_read_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_lock);
}
static inline void mmap_write_lock(struct mm_struct *mm)
{
	down_write(&mm->mmap_lock);
}
static inline void mmap_write_unlock(struct mm_struct *mm)
{
	up_write(&mm->mmap_lock);
}
#define mmap_assert_locked(mm) lockdep_assert_held(&(mm)->mmap_lock)
#define mmap_assert_write_locked(mm) lockdep_assert_held_write(&(mm)->mmap_lock)

/* mm/mmap.c */
extern struct rw_semaphore process_lock;
extern struct list_head process_list;
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct kmem_process *process_of_host(unsigned long host);
unsigned long mm_to_host(struct mm_struct *mm, unsigned long uaddr);
bool mm_host_to_user(struct mm_struct *mm, unsigned long host,
		     unsigned long *uaddr);
int vma_host_prot(unsigned long vm_flags);
const char *mm_vma_name(struct mm_struct *mm, struct vm_area_struct *vma);
/* Grow a VM_GROWSDOWN VMA down to addr; mmap_lock held for write. */
int expand_stack(struct mm_struct *mm, struct vm_area_struct *vma,
		 unsigned long addr);
/* The process with this pid, or the calling thread's for -1 (process_lock
 * held by the caller). */
struct kmem_process *find_process(int pid);
/* Called when a thread inside a killed process must stop: never returns. */
_Noreturn void process_die(void);
struct kmem_process *current_process(void);

/* mm/memory.c */
/* 0, FAULT_REFILL, or -errno (see below). */
int handle_user_fault(struct kmem_process *p, unsigned long uaddr, bool write,
		      bool *major);
/* Drop every page of [start, end) (munmap, MADV_DONTNEED, exit); the caller
 * holds mmap_lock (or the mm is dead and unreachable). */
void zap_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end, bool keep_shared);
/* Fault in [start, end) of one VMA as MAP_POPULATE/mlock do. 0 or -ENOMEM. */
int populate_range(struct kmem_process *p, struct vm_area_struct *vma,
		   unsigned long start, unsigned long end);
/* Re-apply the host protection of the present pages of [start, end). */
void change_protection(struct mm_struct *mm, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end);
/* Mark/unmark the pages of [start, end) mlocked (off/on the LRU). */
void mlock_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		 bool lock);
void madvise_free_range(struct mm_struct *mm, unsigned long start,
			unsigned long end);
/* Per-page figures of [start, end) for smaps (page_table_lock taken). */
struct mem_size_stats {
	unsigned long resident, anonymous, shmem, lazyfree, dirty, clean, swap,
		locked, zero;
};
void smaps_range(struct mm_struct *mm, struct vm_area_struct *vma,
		 struct mem_size_stats *mss);
void swapin_range(struct mm_struct *mm, struct vm_area_struct *vma,
		  unsigned long start, unsigned long end);
/* Reclaim one LRU page (lru_lock held): swap it out, or drop it if it is
 * MADV_FREE'd and clean. 0 if freed, -EAGAIN (busy), -ENOSPC (swap full). */
int reclaim_user_page(struct page *page);
/* Free every page of the mm (the OOM reaper, a dead process). */
void reap_mm(struct mm_struct *mm);
void user_fault_init(void);
void user_fault_exit(void);
/* The checker: each mm's host_maps equals its ptes' recount. */
bool user_hostmap_check(void);

/* mm/swapfile.c: the swap area and the anon LRU */
extern spinlock_t lru_lock; /* only for lockdep_assert_held() outside */
void lru_add_page(struct page *page);
void lru_del_page(struct page *page);
void __lru_del_page(struct page *page); /* lru_lock held */
void lru_lazyfree_page(struct page *page);
unsigned long lru_nr_pages(void);
unsigned long anon_lru_reclaim(gfp_t gfp, unsigned long nr);
/* A free slot (0: swap is full or absent), its contents written from page. */
unsigned long swap_out_page(struct page *page);
int swap_in_page(struct page *page, unsigned long slot);
void swap_free_slot(unsigned long slot);

/* mm/oom_kill.c */
void process_kill(struct kmem_process *p, int sig);
void oom_kill_process(struct kmem_process *p, const char *message);
bool oom_kill_largest(gfp_t gfp, unsigned int order);

/* For `kmem map`: kmem_for_each_process, kmem_process_vmas, kmem_frame_users
 * are public (<kmem/introspect.h>). */
#include <kmem/introspect.h>

#endif
