// SPDX-License-Identifier: MIT
/*
 * User address spaces: processes, VMAs, brk and mmap (the kernel's
 * mm/mmap.c, mm/mprotect.c, mm/mlock.c, mm/madvise.c and kernel/fork.c+exit.c
 * for the parts a process without fork or exec needs).
 *
 * 1. A process
 *    struct kmem_process = task + mm_struct. kmem_process_create() gives it a
 *    pid, an empty page table (mm/pgtable.c, table pages counted in
 *    PageTables), a stack VMA and a host reservation per window (see
 *    mm/mm_user.h for the glossary and docs/ARCHITECTURE.md for the layout).
 *    Threads enter and leave it; "current" (comm, pid) follows.
 *
 * 2. VMAs
 *    mm->vmas is an array of VMAs sorted by address, non-overlapping: lookup
 *    (find_vma) is a binary search, insertion and removal a memmove. This is
 *    the order the kernel's maple tree keeps, as a flat B-tree leaf; processes
 *    here have tens of VMAs, not thousands. Adjacent private anonymous VMAs
 *    with equal flags are merged, as vma_merge() does; shared ones never
 *    (each would be its own shmem file).
 *
 * 3. Layout (no randomisation, as with `setarch -R`)
 *    TASK_SIZE      x86-64 0x7ffffffff000, x86-32 0xc0000000
 *    stack          [TASK_SIZE - 132 KiB, TASK_SIZE), VM_GROWSDOWN, grows on
 *                   faults down to 8 MiB (RLIMIT_STACK)
 *    mmap_base      TASK_SIZE - 128 MiB (the minimum gap); mmap searches
 *                   top-down below it
 *    start_brk      ELF_ET_DYN_BASE + 20 KiB, where a small PIE program's
 *                   heap begins: 0x555555559000 / 0x00405000
 *    mmap_min_addr  65536: MAP_FIXED below it is EPERM
 *
 * 4. Accounting: total_vm, data_vm (private writable, not stack), stack_vm,
 *    locked_vm in pages, as vm_stat_account(). Private writable mappings
 *    without MAP_NORESERVE are charged against the heuristic overcommit
 *    limit: one mapping larger than RAM + swap fails with ENOMEM. What is
 *    charged (VM_ACCOUNT, and shared anonymous mappings) is summed in
 *    vm_committed_as, meminfo's Committed_AS.
 *
 * Locking: mm->mmap_lock (write) around every system call that changes VMAs;
 * page-table changes additionally take page_table_lock (mm/memory.c).
 * process_lock protects process_list and pids.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <kmem/process.h>
#include "arch/x86/machine.h"
#include "mm/mm_user.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

#define TASK_SIZE_64 0x7ffffffff000UL
#define TASK_SIZE_32 0xc0000000UL
#define ELF_ET_DYN_BASE_64 0x555555554000UL
#define ELF_ET_DYN_BASE_32 0x00400000UL
#define PROGRAM_SIZE 0x5000UL	    /* text + data + bss of a small program */
#define HEAP_WINDOW_64 (64UL << 30) /* room for the x86-64 heap */
#define TOP_WINDOW_64 (256UL << 30) /* room for the x86-64 mmap area + stack */
#define MMAP_MIN_GAP (128UL << 20)
#define STACK_INIT (132UL << 10) /* 33 pages, as a fresh process */
#define RLIMIT_STACK_BYTES (8UL << 20)
#define STACK_GUARD_GAP (256UL << PAGE_SHIFT)
#define MMAP_MIN_ADDR 65536UL
#define MAX_MAP_COUNT 65530 /* sysctl vm.max_map_count */
#define RLIMIT_MEMLOCK_BYTES (8UL << 20)
#define PID_FIRST 1000

DECLARE_RWSEM_RANK(process_lock, LOCK_RANK_PROCESS);
LIST_HEAD(process_list);
static int next_pid = PID_FIRST;
static unsigned long shmem_ino; /* numbers of MAP_SHARED mappings' inodes */
/* Slab caches, as the kernel's vm_area_cachep and mm_cachep (one struct
 * kmem_process is the task and its mm). The VMA array is kmalloc'd. */
static struct kmem_cache *vm_area_cachep, *process_cachep;

/* ---- the calling thread's process ---------------------------------------- */

struct task_ctx {
	struct kmem_process *proc;
	sigjmp_buf jb;	    /* armed by kmem_process_enter */
	sigjmp_buf scratch; /* for an enter that will fail */
	const char *saved_comm;
	int saved_pid;
	unsigned long gen; /* kmem_boot_generation at enter */
};
static __thread struct task_ctx task;
__thread unsigned long __kmem_process_switches;

struct kmem_process *current_process(void)
{
	if (task.proc && task.gen != kmem_boot_generation)
		task.proc = NULL; /* the machine was rebooted under us */
	return task.proc;
}

struct kmem_process *kmem_process_current(void)
{
	return current_process();
}

sigjmp_buf *__kmem_process_jmpbuf(void)
{
	return current_process() ? &task.scratch : &task.jb;
}

static void leave_current(void)
{
	struct kmem_process *p = task.proc;

	if (!p)
		return;
	task.proc = NULL;
	__kmem_process_switches++;
	__atomic_fetch_sub(&p->nr_inside, 1, __ATOMIC_ACQ_REL);
	kmem_set_current(task.saved_comm, task.saved_pid);
}

int __kmem_process_enter(struct kmem_process *p, int jumped)
{
	if (jumped)
		return jumped; /* thrown back here by process_die() */
	if (!p)
		return -EINVAL;
	if (current_process())
		return -EBUSY;
	if (__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE))
		return -ESRCH;
	task.saved_comm = kmem_current_comm();
	task.saved_pid = kmem_current_pid();
	task.gen = kmem_boot_generation;
	__atomic_fetch_add(&p->nr_inside, 1, __ATOMIC_ACQ_REL);
	task.proc = p;
	__kmem_process_switches++;
	kmem_set_current(p->comm, p->pid);
	return 0;
}

void kmem_process_leave(void)
{
	if (current_process())
		leave_current();
}

_Noreturn void process_die(void)
{
	struct kmem_process *p = task.proc;
	int sig = p ? __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE) : SIGKILL;

	leave_current();
	siglongjmp(task.jb, sig ? sig : SIGKILL);
}

int kmem_process_run(struct kmem_process *p, int (*fn)(void *), void *arg)
{
	volatile int ret;
	int r = kmem_process_enter(p);

	if (r > 0)
		return -r; /* killed by signal r */
	if (r < 0)
		return r;
	ret = fn(arg);
	kmem_process_leave();
	return ret;
}

/* The lookup and the entry under process_lock (read): kmem_process_exit()
 * checks nr_inside under the same lock (write) before it frees p. */
static struct kmem_process *enter_pid(int pid)
{
	struct kmem_process *p = NULL;

	if (pid <= 0)
		return NULL;
	down_read(&process_lock);
	p = find_process(pid);
	if (p && __kmem_process_enter(p, 0) != 0)
		p = NULL;
	up_read(&process_lock);
	return p;
}

int kmem_process_run_pid(int pid, int (*fn)(void *), void *arg)
{
	volatile int ret;
	int sig;

	if (current_process())
		return -EBUSY;
	sig = sigsetjmp(task.jb, 1);
	if (sig)
		return -sig; /* killed while fn ran */
	if (!enter_pid(pid))
		return -ESRCH;
	ret = fn(arg);
	kmem_process_leave();
	return ret;
}

/* Called at the entry of every system call: a killed process does not come
 * back from the kernel. */
static struct kmem_process *syscall_enter(void)
{
	struct kmem_process *p = current_process();

	if (p && __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE))
		process_die();
	return p;
}

/* ---- address translation ---------------------------------------------------- */

unsigned long mm_to_host(struct mm_struct *mm, unsigned long uaddr)
{
	int i;

	for (i = 0; i < mm->nr_win; i++)
		if (uaddr >= mm->win[i].start && uaddr < mm->win[i].end)
			return mm->win[i].host + (uaddr - mm->win[i].start);
	return 0;
}

bool mm_host_to_user(struct mm_struct *mm, unsigned long host,
		     unsigned long *uaddr)
{
	int i;

	for (i = 0; i < mm->nr_win; i++) {
		unsigned long len = mm->win[i].end - mm->win[i].start;

		if (host >= mm->win[i].host && host - mm->win[i].host < len) {
			*uaddr = mm->win[i].start + (host - mm->win[i].host);
			return true;
		}
	}
	return false;
}

/* The window holding [start, end), or -1. */
static int window_of(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	int i;

	for (i = 0; i < mm->nr_win; i++)
		if (start >= mm->win[i].start && end <= mm->win[i].end &&
		    start < end)
			return i;
	return -1;
}

struct kmem_process *process_of_host(unsigned long host)
{
	struct kmem_process *p, *found = NULL;
	unsigned long u;

	down_read(&process_lock);
	list_for_each_entry(p, &process_list, list) {
		if (mm_host_to_user(&p->mm, host, &u)) {
			found = p;
			break;
		}
	}
	up_read(&process_lock);
	return found;
}

unsigned long kmem_user_addr(const void *ptr)
{
	struct kmem_process *p = current_process();
	unsigned long u = 0;

	if (!p)
		p = process_of_host((unsigned long)ptr);
	if (p && mm_host_to_user(&p->mm, (unsigned long)ptr, &u))
		return u;
	return 0;
}

void *kmem_user_ptr(unsigned long uaddr)
{
	struct kmem_process *p = current_process();

	return p ? (void *)mm_to_host(&p->mm, uaddr) : NULL;
}

/* ---- the VMA array -------------------------------------------------------------- */

/* Index of the first VMA ending above addr (nr_vmas if none). */
static int vma_index(struct mm_struct *mm, unsigned long addr)
{
	int lo = 0, hi = mm->nr_vmas;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (mm->vmas[mid]->vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The first VMA with vm_end > addr, or NULL (the kernel's find_vma). */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	int i = vma_index(mm, addr);

	return i < mm->nr_vmas ? mm->vmas[i] : NULL;
}

static struct vm_area_struct *vma_alloc(struct mm_struct *mm,
					unsigned long start, unsigned long end,
					unsigned long flags)
{
	struct vm_area_struct *vma =
		kmem_cache_zalloc(vm_area_cachep, GFP_KERNEL);

	if (!vma)
		return NULL;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = flags;
	vma->vm_mm = mm;
	return vma;
}

static int vma_array_grow(struct mm_struct *mm)
{
	struct vm_area_struct **n;
	int max;

	if (mm->nr_vmas < mm->max_vmas)
		return 0;
	if (mm->nr_vmas >= MAX_MAP_COUNT)
		return -ENOMEM;
	max = mm->max_vmas ? mm->max_vmas * 2 : 16;
	n = krealloc(mm->vmas, (size_t)max * sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	mm->vmas = n;
	mm->max_vmas = max;
	return 0;
}

atomic_long_t vm_committed_as;

/* Does a VMA with these flags count in vm_committed_as? The kernel charges
 * (vm_acct_memory) private writable mappings, brk and the stack (VM_ACCOUNT),
 * and a shared anonymous mapping's shmem object unless MAP_NORESERVE
 * (shmem_acct_size). The kernel keeps that object charged in full until its
 * last mapping goes; kmem charges the pages still mapped (they differ only
 * after a partial munmap of a shared mapping). */
static inline bool vm_committed(unsigned long flags)
{
	return (flags & VM_ACCOUNT) ||
	       (flags & (VM_SHARED | VM_NORESERVE)) == VM_SHARED;
}

static void vm_stat_account(struct mm_struct *mm, unsigned long flags,
			    long npages)
{
	if (vm_committed(flags))
		atomic_long_add(npages, &vm_committed_as);
	mm->total_vm += (unsigned long)npages;
	if ((flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE)
		mm->data_vm += (unsigned long)npages;
	else if (flags & VM_STACK)
		mm->stack_vm += (unsigned long)npages;
	if (flags & VM_LOCKED)
		mm->locked_vm += (unsigned long)npages;
	if (mm->total_vm > mm->hiwater_vm)
		mm->hiwater_vm = mm->total_vm;
}

static long vma_pages(const struct vm_area_struct *vma)
{
	return (long)((vma->vm_end - vma->vm_start) >> PAGE_SHIFT);
}

static int vma_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int i;

	if (vma_array_grow(mm))
		return -ENOMEM;
	i = vma_index(mm, vma->vm_start);
	memmove(&mm->vmas[i + 1], &mm->vmas[i],
		(size_t)(mm->nr_vmas - i) * sizeof(mm->vmas[0]));
	mm->vmas[i] = vma;
	mm->nr_vmas++;
	vm_stat_account(mm, vma->vm_flags, vma_pages(vma));
	return 0;
}

static void vma_remove_at(struct mm_struct *mm, int i)
{
	struct vm_area_struct *vma = mm->vmas[i];

	vm_stat_account(mm, vma->vm_flags, -vma_pages(vma));
	memmove(&mm->vmas[i], &mm->vmas[i + 1],
		(size_t)(mm->nr_vmas - i - 1) * sizeof(mm->vmas[0]));
	mm->nr_vmas--;
	kmem_cache_free(vm_area_cachep, vma);
}

/* Split vmas[i] at addr (strictly inside it): [start, addr) stays at i, the
 * rest becomes i + 1. */
static int split_vma(struct mm_struct *mm, int i, unsigned long addr)
{
	struct vm_area_struct *vma = mm->vmas[i], *tail;

	if (vma_array_grow(mm))
		return -ENOMEM;
	tail = vma_alloc(mm, addr, vma->vm_end, vma->vm_flags);
	if (!tail)
		return -ENOMEM;
	tail->vm_ino = vma->vm_ino;
	vma->vm_end = addr;
	memmove(&mm->vmas[i + 2], &mm->vmas[i + 1],
		(size_t)(mm->nr_vmas - i - 1) * sizeof(mm->vmas[0]));
	mm->vmas[i + 1] = tail;
	mm->nr_vmas++;
	return 0;
}

static bool can_merge(const struct vm_area_struct *a,
		      const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_flags == b->vm_flags &&
	       !(a->vm_flags & (VM_SHARED | VM_GROWSDOWN));
}

/* Merge vmas[i] with its neighbours where possible; returns its new index. */
static int vma_merge_at(struct mm_struct *mm, int i)
{
	if (i + 1 < mm->nr_vmas && can_merge(mm->vmas[i], mm->vmas[i + 1])) {
		struct vm_area_struct *next = mm->vmas[i + 1];

		mm->vmas[i]->vm_end = next->vm_end;
		memmove(&mm->vmas[i + 1], &mm->vmas[i + 2],
			(size_t)(mm->nr_vmas - i - 2) * sizeof(mm->vmas[0]));
		mm->nr_vmas--;
		kmem_cache_free(vm_area_cachep, next);
	}
	if (i > 0 && can_merge(mm->vmas[i - 1], mm->vmas[i])) {
		struct vm_area_struct *cur = mm->vmas[i];

		mm->vmas[i - 1]->vm_end = cur->vm_end;
		memmove(&mm->vmas[i], &mm->vmas[i + 1],
			(size_t)(mm->nr_vmas - i - 1) * sizeof(mm->vmas[0]));
		mm->nr_vmas--;
		kmem_cache_free(vm_area_cachep, cur);
		i--;
	}
	return i;
}

int vma_host_prot(unsigned long vm_flags)
{
	int prot = PROT_NONE;

	if (vm_flags & VM_READ)
		prot |= PROT_READ;
	if (vm_flags & VM_WRITE)
		prot |= PROT_READ |
			PROT_WRITE; /* x86: writable implies readable */
	if (vm_flags & VM_EXEC)
		prot |= PROT_READ | PROT_EXEC;
	return prot;
}

static unsigned long calc_vm_prot_bits(int prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* ---- process life ------------------------------------------------------------- */

static void mm_release_windows(struct mm_struct *mm)
{
	int i;

	for (i = 0; i < mm->nr_win; i++)
		arch_release((void *)mm->win[i].host,
			     mm->win[i].end - mm->win[i].start);
	mm->nr_win = 0;
}

static int mm_add_window(struct mm_struct *mm, unsigned long start,
			 unsigned long end)
{
	void *host = arch_reserve(0, end - start, SZ_2M);

	if (!host)
		return -ENOMEM;
	mm->win[mm->nr_win].start = start;
	mm->win[mm->nr_win].end = end;
	mm->win[mm->nr_win].host = (unsigned long)host;
	mm->nr_win++;
	return 0;
}

static int mm_setup_layout(struct mm_struct *mm)
{
	unsigned long dyn_base;
	int ret;

	if (machine_is_x86_32()) {
		mm->task_size = TASK_SIZE_32;
		dyn_base = ELF_ET_DYN_BASE_32;
		ret = mm_add_window(mm, 0, TASK_SIZE_32);
	} else {
		mm->task_size = TASK_SIZE_64;
		dyn_base = ELF_ET_DYN_BASE_64;
		ret = mm_add_window(mm, ELF_ET_DYN_BASE_64,
				    ELF_ET_DYN_BASE_64 + HEAP_WINDOW_64);
		if (!ret)
			ret = mm_add_window(mm, TASK_SIZE_64 - TOP_WINDOW_64,
					    TASK_SIZE_64);
	}
	if (ret)
		return ret;
	mm->mmap_min_addr = MMAP_MIN_ADDR;
	mm->mmap_base = PAGE_ALIGN(mm->task_size - MMAP_MIN_GAP);
	mm->start_brk = mm->brk = dyn_base + PROGRAM_SIZE;
	mm->start_stack = mm->task_size;
	return 0;
}

struct kmem_process *kmem_process_create(const char *comm)
{
	struct kmem_process *p;
	struct vm_area_struct *stack;

	if (unlikely(!kmem_ensure_booted())) {
		errno = ENOMEM;
		return NULL;
	}
	p = kmem_cache_zalloc(process_cachep, GFP_KERNEL);
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(p->comm, sizeof(p->comm), "%s",
		 comm && *comm ? comm : "kmem-user");
	INIT_LIST_HEAD(&p->list);
	mmap_init_lock(&p->mm);
	spin_lock_init(&p->mm.page_table_lock);
	lockdep_set_rank(&p->mm.page_table_lock, LOCK_RANK_PAGE_TABLE);
	mutex_init(&p->mm.pgt_alloc_lock);
	lockdep_set_rank(&p->mm.pgt_alloc_lock, LOCK_RANK_PGT_ALLOC);
	if (mm_setup_layout(&p->mm))
		goto out_windows;
	if (pgtable_init(&p->mm.pgt, GFP_KERNEL))
		goto out_windows;
	stack = vma_alloc(&p->mm, p->mm.task_size - STACK_INIT, p->mm.task_size,
			  VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE |
				  VM_MAYEXEC | VM_GROWSDOWN | VM_ACCOUNT);
	if (!stack || vma_insert(&p->mm, stack)) {
		if (stack)
			kmem_cache_free(vm_area_cachep, stack);
		goto out_pgtable;
	}
	down_write(&process_lock);
	p->pid = next_pid++;
	list_add_tail(&p->list, &process_list);
	up_write(&process_lock);
	return p;

out_pgtable:
	pgtable_destroy(&p->mm.pgt);
out_windows:
	mm_release_windows(&p->mm);
	kfree(p->mm.vmas);
	kmem_cache_free(process_cachep, p);
	errno = ENOMEM;
	return NULL;
}

static void mm_teardown(struct mm_struct *mm)
{
	int i;

	reap_mm(mm);
	for (i = mm->nr_vmas - 1; i >= 0; i--)
		vma_remove_at(mm, i);
	kfree(mm->vmas);
	mm->vmas = NULL;
	pgtable_destroy(&mm->pgt);
	mm_release_windows(mm);
}

int kmem_process_exit(struct kmem_process *p)
{
	int status;

	if (!p)
		return -EINVAL;
	if (current_process() == p)
		leave_current();
	down_write(&process_lock);
	if (__atomic_load_n(&p->nr_inside, __ATOMIC_ACQUIRE)) {
		up_write(&process_lock);
		return -EBUSY;
	}
	list_del_init(&p->list);
	up_write(&process_lock);
	mmap_write_lock(&p->mm);
	mm_teardown(&p->mm);
	mmap_write_unlock(&p->mm);
	status = __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE);
	destroy_rwsem(&p->mm.mmap_lock);
	mutex_destroy(&p->mm.pgt_alloc_lock);
	kmem_cache_free(process_cachep, p);
	return status;
}

int kmem_process_pid(struct kmem_process *p)
{
	return p ? p->pid : -1;
}

const char *kmem_process_comm(struct kmem_process *p)
{
	return p ? p->comm : "";
}

/* ---- brk -------------------------------------------------------------------------- */

/* Is [start, end) free of VMAs (with the stack guard gap below a stack)? */
static bool range_free(struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	struct vm_area_struct *next = find_vma(mm, start);

	if (!next)
		return true;
	if (next->vm_flags & VM_GROWSDOWN)
		return end + STACK_GUARD_GAP <= next->vm_start ||
		       next->vm_start < STACK_GUARD_GAP;
	return end <= next->vm_start;
}

static int do_munmap(struct kmem_process *p, unsigned long start,
		     unsigned long end);

/* Extend or create the anonymous VMA ending at addr (do_brk_flags). */
static int do_brk(struct kmem_process *p, unsigned long addr, unsigned long len)
{
	struct mm_struct *mm = &p->mm;
	unsigned long flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE |
			      VM_MAYEXEC | VM_ACCOUNT;
	struct vm_area_struct *vma;
	int i;

	if (window_of(mm, addr, addr + len) < 0)
		return -ENOMEM;
	i = vma_index(mm, addr);
	if (i > 0 && mm->vmas[i - 1]->vm_end == addr &&
	    mm->vmas[i - 1]->vm_flags == flags) {
		mm->vmas[i - 1]->vm_end += len;
		vm_stat_account(mm, flags, (long)(len >> PAGE_SHIFT));
		return 0;
	}
	vma = vma_alloc(mm, addr, addr + len, flags);
	if (!vma || vma_insert(mm, vma)) {
		kmem_cache_free(vm_area_cachep, vma);
		return -ENOMEM;
	}
	return 0;
}

static unsigned long __brk(struct kmem_process *p, unsigned long brk)
{
	struct mm_struct *mm = &p->mm;
	unsigned long newbrk, oldbrk, ret;

	mmap_write_lock(mm);
	ret = mm->brk;
	if (brk < mm->start_brk)
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (newbrk < brk) /* overflow */
		goto out;
	if (oldbrk == newbrk) {
		mm->brk = ret = brk;
		goto out;
	}
	if (brk <= mm->brk) {
		/* Shrink: the pages beyond the new break go away. */
		if (do_munmap(p, newbrk, oldbrk) == 0)
			mm->brk = ret = brk;
		goto out;
	}
	if (newbrk > mm->task_size || !range_free(mm, oldbrk, newbrk))
		goto out;
	if (do_brk(p, oldbrk, newbrk - oldbrk))
		goto out;
	mm->brk = ret = brk;
	{
		struct vm_area_struct *vma = find_vma(mm, oldbrk);

		if (vma && (vma->vm_flags & VM_LOCKED))
			populate_range(p, vma, oldbrk, newbrk);
	}
out:
	mmap_write_unlock(mm);
	return ret;
}

void *kmem_sys_brk(void *addr)
{
	struct kmem_process *p = syscall_enter();
	unsigned long u = 0;

	if (!p) {
		errno = ESRCH;
		return (void *)-1;
	}
	if (addr && !mm_host_to_user(&p->mm, (unsigned long)addr, &u))
		u = 1; /* below start_brk: a query */
	return (void *)mm_to_host(&p->mm, __brk(p, u));
}

void *kmem_sys_sbrk(intptr_t increment)
{
	struct kmem_process *p = syscall_enter();
	unsigned long old, want, got;

	if (!p) {
		errno = ESRCH;
		return (void *)-1;
	}
	old = __brk(p, 0);
	if (!increment)
		return (void *)mm_to_host(&p->mm, old);
	want = old + (unsigned long)increment;
	if ((increment > 0 && want < old) || (increment < 0 && want > old)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	got = __brk(p, want);
	if (got != want) {
		errno = ENOMEM;
		return (void *)-1;
	}
	return (void *)mm_to_host(&p->mm, old);
}

/* ---- mmap ------------------------------------------------------------------------- */

/* Top-down search for len bytes below mmap_base (vm_unmapped_area). */
static unsigned long unmapped_area_topdown(struct mm_struct *mm,
					   unsigned long len)
{
	int w, i;

	for (w = mm->nr_win - 1; w >= 0; w--) {
		unsigned long lo = max(mm->win[w].start, mm->mmap_min_addr);
		unsigned long hi = min(mm->win[w].end, mm->mmap_base);

		if (hi <= lo || hi - lo < len)
			continue;
		/* Gaps between VMAs, from the highest one down. */
		i = vma_index(mm, hi);
		for (;;) {
			unsigned long gap_end = hi, gap_start = lo;

			if (i < mm->nr_vmas &&
			    mm->vmas[i]->vm_start < gap_end) {
				gap_end = mm->vmas[i]->vm_start;
				if (mm->vmas[i]->vm_flags & VM_GROWSDOWN)
					gap_end =
						gap_end > STACK_GUARD_GAP ?
							gap_end -
								STACK_GUARD_GAP :
							0;
			}
			if (i > 0 && mm->vmas[i - 1]->vm_end > gap_start)
				gap_start = mm->vmas[i - 1]->vm_end;
			if (gap_end > gap_start && gap_end - gap_start >= len)
				return (gap_end - len) & PAGE_MASK;
			if (i == 0 || mm->vmas[i - 1]->vm_end <= lo)
				break;
			i--;
			hi = mm->vmas[i]->vm_start;
			if (hi <= lo)
				break;
		}
	}
	return 0;
}

static bool overlaps(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end;
}

/* The heuristic overcommit check (OVERCOMMIT_GUESS). */
static bool vm_enough_memory(unsigned long pages)
{
	return pages <= totalram_pages() + (unsigned long)atomic_long_read(
						   &total_swap_pages);
}

static unsigned long do_mmap(struct kmem_process *p, unsigned long addr,
			     unsigned long len, int prot, int flags, int *err)
{
	struct mm_struct *mm = &p->mm;
	unsigned long vm_flags, end;
	struct vm_area_struct *vma;
	int i;

	vm_flags = calc_vm_prot_bits(prot) | VM_MAYREAD | VM_MAYWRITE |
		   VM_MAYEXEC;
	if ((flags & MAP_TYPE) == MAP_SHARED ||
	    (flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	if (flags & MAP_LOCKED)
		vm_flags |= VM_LOCKED;
	if (flags & MAP_GROWSDOWN)
		vm_flags |= VM_GROWSDOWN;

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK) {
			*err = EINVAL;
			return 0;
		}
		if (addr + len > mm->task_size || addr + len < addr) {
			*err = ENOMEM;
			return 0;
		}
		if (addr < mm->mmap_min_addr) {
			*err = EPERM;
			return 0;
		}
		if (window_of(mm, addr, addr + len) < 0) {
			/* Outside the simulated windows (x86-64 only). */
			*err = ENOMEM;
			return 0;
		}
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    overlaps(mm, addr, addr + len)) {
			*err = EEXIST;
			return 0;
		}
	} else {
		unsigned long hint = PAGE_ALIGN(addr);

		if (hint && hint >= mm->mmap_min_addr &&
		    hint + len <= mm->task_size && hint + len > hint &&
		    window_of(mm, hint, hint + len) >= 0 &&
		    range_free(mm, hint, hint + len))
			addr = hint;
		else
			addr = unmapped_area_topdown(mm, len);
		if (!addr) {
			*err = ENOMEM;
			return 0;
		}
	}
	end = addr + len;
	if (mm->nr_vmas + 2 > MAX_MAP_COUNT) {
		*err = ENOMEM;
		return 0;
	}
	if (!(vm_flags & (VM_SHARED | VM_NORESERVE)) && (vm_flags & VM_WRITE)) {
		if (!vm_enough_memory(len >> PAGE_SHIFT)) {
			*err = ENOMEM;
			return 0;
		}
		vm_flags |= VM_ACCOUNT;
	}
	if ((vm_flags & VM_LOCKED) &&
	    ((mm->locked_vm << PAGE_SHIFT) + len > RLIMIT_MEMLOCK_BYTES)) {
		*err = EAGAIN;
		return 0;
	}
	/* MAP_FIXED replaces what was there. */
	if (do_munmap(p, addr, end)) {
		*err = ENOMEM;
		return 0;
	}
	vma = vma_alloc(mm, addr, end, vm_flags);
	if (!vma || vma_insert(mm, vma)) {
		kmem_cache_free(vm_area_cachep, vma);
		*err = ENOMEM;
		return 0;
	}
	if (vm_flags & VM_SHARED)
		vma->vm_ino =
			__atomic_add_fetch(&shmem_ino, 1, __ATOMIC_RELAXED) +
			1024;
	i = vma_merge_at(mm, vma_index(mm, addr));
	vma = mm->vmas[i];
	if ((flags & MAP_POPULATE) || (vm_flags & VM_LOCKED))
		populate_range(p, vma, addr,
			       end); /* failures are not reported */
	return addr;
}

void *kmem_sys_mmap(void *addr, size_t length, int prot, int flags, int fd,
		    off_t offset)
{
	struct kmem_process *p = syscall_enter();
	unsigned long uaddr = 0, len, ret;
	int err = 0, type = flags & MAP_TYPE;

	if (!p) {
		errno = ESRCH;
		return MAP_FAILED;
	}
	if (offset & ~PAGE_MASK) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!(flags & MAP_ANONYMOUS)) {
		errno = EBADF; /* the simulated process has no files */
		return MAP_FAILED;
	}
	(void)fd;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!length) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	len = PAGE_ALIGN((unsigned long)length);
	if (!len || len > p->mm.task_size) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	if (addr && !mm_host_to_user(&p->mm, (unsigned long)addr, &uaddr)) {
		if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
			errno = ENOMEM; /* not in this process's address space */
			return MAP_FAILED;
		}
		uaddr = 0;
	}
	mmap_write_lock(&p->mm);
	ret = do_mmap(p, uaddr, len, prot, flags, &err);
	mmap_write_unlock(&p->mm);
	if (!ret) {
		errno = err;
		return MAP_FAILED;
	}
	return (void *)mm_to_host(&p->mm, ret);
}

/* ---- munmap ------------------------------------------------------------------------ */

/* Isolate [start, end) into whole VMAs: split the VMAs straddling its ends.
 * Returns the index of the first VMA inside, or -ENOMEM. */
static int split_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	int i = vma_index(mm, start);

	if (i < mm->nr_vmas && mm->vmas[i]->vm_start < start &&
	    mm->vmas[i]->vm_end > start) {
		if (split_vma(mm, i, start))
			return -ENOMEM;
		i++;
	}
	{
		int j = vma_index(mm, end);

		if (j < mm->nr_vmas && mm->vmas[j]->vm_start < end &&
		    mm->vmas[j]->vm_end > end)
			if (split_vma(mm, j, end))
				return -ENOMEM;
	}
	return i;
}

static int do_munmap(struct kmem_process *p, unsigned long start,
		     unsigned long end)
{
	struct mm_struct *mm = &p->mm;
	int i;

	if (!overlaps(mm, start, end))
		return 0;
	i = split_range(mm, start, end);
	if (i < 0)
		return i;
	zap_page_range(mm, start, end, false);
	while (i < mm->nr_vmas && mm->vmas[i]->vm_start < end)
		vma_remove_at(mm, i);
	{
		int w = window_of(mm, start, end);

		if (w >= 0)
			arch_unmap(mm_to_host(mm, start), end - start);
	}
	pgtable_free_empty(&mm->pgt, start, end);
	return 0;
}

/* Convert a host pointer + length of a system call to a user range. */
static int user_range(struct kmem_process *p, const void *addr, size_t len,
		      unsigned long *start, unsigned long *end)
{
	unsigned long u;

	if (!mm_host_to_user(&p->mm, (unsigned long)addr, &u))
		u = (unsigned long)addr; /* treat as a raw user address */
	*start = u;
	*end = u + len;
	return 0;
}

int kmem_sys_munmap(void *addr, size_t length)
{
	struct kmem_process *p = syscall_enter();
	unsigned long start, end, len;
	int ret;

	if (!p) {
		errno = ESRCH;
		return -1;
	}
	user_range(p, addr, length, &start, &end);
	len = PAGE_ALIGN((unsigned long)length);
	if ((start & ~PAGE_MASK) || !len || len > p->mm.task_size ||
	    start > p->mm.task_size - len) {
		errno = EINVAL;
		return -1;
	}
	end = start + len;
	mmap_write_lock(&p->mm);
	ret = do_munmap(p, start, end);
	mmap_write_unlock(&p->mm);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

/* ---- mprotect, mlock, madvise: per-VMA operations over a range ------------------ */

/* Apply fn to every VMA piece of [start, end), splitting at the ends. Stops
 * at the first hole with -ENOMEM (the pieces before it keep the change, as in
 * the kernel). */
static int apply_range(struct kmem_process *p, unsigned long start,
		       unsigned long end,
		       int (*fn)(struct kmem_process *p, int i, void *arg),
		       void *arg)
{
	struct mm_struct *mm = &p->mm;
	unsigned long next = start;
	int i, ret;

	{
		struct vm_area_struct *vma = find_vma(mm, start);

		if (!vma || vma->vm_start > start)
			return -ENOMEM;
	}
	i = split_range(mm, start, end);
	if (i < 0)
		return i;
	while (next < end) {
		if (i >= mm->nr_vmas || mm->vmas[i]->vm_start != next)
			return -ENOMEM;
		ret = fn(p, i, arg);
		if (ret < 0)
			return ret;
		/* fn may have merged with a neighbour: it returns the index of
		 * the VMA now covering the piece. */
		next = mm->vmas[ret]->vm_end;
		i = ret + 1;
	}
	return 0;
}

static int mprotect_one(struct kmem_process *p, int i, void *arg)
{
	struct mm_struct *mm = &p->mm;
	struct vm_area_struct *vma = mm->vmas[i];
	unsigned long newflags = (vma->vm_flags & ~VM_ACCESS_FLAGS) |
				 *(unsigned long *)arg;

	if ((newflags & VM_WRITE) &&
	    !(vma->vm_flags & (VM_SHARED | VM_NORESERVE | VM_ACCOUNT))) {
		if (!vm_enough_memory((unsigned long)vma_pages(vma)))
			return -ENOMEM;
		newflags |= VM_ACCOUNT;
	}
	vm_stat_account(mm, vma->vm_flags, -vma_pages(vma));
	vma->vm_flags = newflags;
	vm_stat_account(mm, vma->vm_flags, vma_pages(vma));
	change_protection(mm, vma, vma->vm_start, vma->vm_end);
	return vma_merge_at(mm, i);
}

int kmem_sys_mprotect(void *addr, size_t length, int prot)
{
	struct kmem_process *p = syscall_enter();
	unsigned long start, end, len, flags;
	int ret;

	if (!p) {
		errno = ESRCH;
		return -1;
	}
	user_range(p, addr, length, &start, &end);
	if (start & ~PAGE_MASK) {
		errno = EINVAL;
		return -1;
	}
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) {
		errno = EINVAL;
		return -1;
	}
	if (!length)
		return 0;
	len = PAGE_ALIGN((unsigned long)length);
	end = start + len;
	if (!len || end <= start) {
		errno = ENOMEM;
		return -1;
	}
	flags = calc_vm_prot_bits(prot);
	mmap_write_lock(&p->mm);
	ret = apply_range(p, start, end, mprotect_one, &flags);
	mmap_write_unlock(&p->mm);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

struct mlock_arg {
	bool lock;
};

static int mlock_one(struct kmem_process *p, int i, void *arg)
{
	struct mm_struct *mm = &p->mm;
	struct vm_area_struct *vma = mm->vmas[i];
	bool lock = ((struct mlock_arg *)arg)->lock;

	if (lock == !!(vma->vm_flags & VM_LOCKED))
		return i;
	vm_stat_account(mm, vma->vm_flags, -vma_pages(vma));
	if (lock)
		vma->vm_flags |= VM_LOCKED;
	else
		vma->vm_flags &= ~VM_LOCKED;
	vm_stat_account(mm, vma->vm_flags, vma_pages(vma));
	mlock_range(mm, vma->vm_start, vma->vm_end, lock);
	return vma_merge_at(mm, i);
}

static int do_mlock(const void *addr, size_t length, bool lock)
{
	struct kmem_process *p = syscall_enter();
	struct mlock_arg a = { lock };
	unsigned long start, end, len, u;
	int ret;

	if (!p) {
		errno = ESRCH;
		return -1;
	}
	user_range(p, addr, length, &start, &end);
	len = PAGE_ALIGN((unsigned long)length + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	end = start + len;
	if (end < start) {
		errno = EINVAL;
		return -1;
	}
	if (!len)
		return 0;
	mmap_write_lock(&p->mm);
	if (lock) {
		/* RLIMIT_MEMLOCK: count what is not locked yet in the range. */
		unsigned long already = 0;
		int i;

		for (i = vma_index(&p->mm, start);
		     i < p->mm.nr_vmas && p->mm.vmas[i]->vm_start < end; i++) {
			struct vm_area_struct *v = p->mm.vmas[i];

			if (v->vm_flags & VM_LOCKED)
				already += min(v->vm_end, end) -
					   max(v->vm_start, start);
		}
		if ((p->mm.locked_vm << PAGE_SHIFT) + len - already >
		    RLIMIT_MEMLOCK_BYTES) {
			mmap_write_unlock(&p->mm);
			errno = ENOMEM;
			return -1;
		}
	}
	ret = apply_range(p, start, end, mlock_one, &a);
	if (!ret && lock) {
		/* Fault the range in (__mm_populate). */
		for (u = start; u < end;) {
			struct vm_area_struct *vma = find_vma(&p->mm, u);

			if (!vma || vma->vm_start >= end)
				break;
			if (populate_range(p, vma, max(u, vma->vm_start),
					   min(end, vma->vm_end))) {
				ret = -EAGAIN; /* ENOMEM from populate becomes EAGAIN */
				break;
			}
			u = vma->vm_end;
		}
	}
	mmap_write_unlock(&p->mm);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

int kmem_sys_mlock(const void *addr, size_t length)
{
	return do_mlock(addr, length, true);
}

int kmem_sys_munlock(const void *addr, size_t length)
{
	return do_mlock(addr, length, false);
}

static int madvise_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end, int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
		if (vma->vm_flags & VM_LOCKED)
			return -EINVAL;
		zap_page_range(mm, start, end, true);
		break;
	case MADV_FREE:
		if (vma->vm_flags & (VM_SHARED | VM_LOCKED))
			return -EINVAL;
		madvise_free_range(mm, start, end);
		break;
	case MADV_WILLNEED:
		swapin_range(mm, vma, start, end);
		break;
	default: /* MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL: hints only */
		break;
	}
	return 0;
}

/* The kernel's madvise walks the VMAs of the range without splitting them
 * for these advices, applies the advice to each piece and reports ENOMEM
 * for holes once it has done the rest. */
int kmem_sys_madvise(void *addr, size_t length, int advice)
{
	struct kmem_process *p = syscall_enter();
	unsigned long start, end, len, u;
	int ret = 0;

	if (!p) {
		errno = ESRCH;
		return -1;
	}
	user_range(p, addr, length, &start, &end);
	if (advice != MADV_DONTNEED && advice != MADV_FREE &&
	    advice != MADV_WILLNEED && advice != MADV_NORMAL &&
	    advice != MADV_RANDOM && advice != MADV_SEQUENTIAL) {
		errno = EINVAL;
		return -1;
	}
	if (start & ~PAGE_MASK) {
		errno = EINVAL;
		return -1;
	}
	len = PAGE_ALIGN((unsigned long)length);
	if (length && !len) {
		errno = EINVAL;
		return -1;
	}
	end = start + len;
	if (end < start) {
		errno = EINVAL;
		return -1;
	}
	if (end == start)
		return 0;
	mmap_write_lock(&p->mm);
	for (u = start; u < end;) {
		struct vm_area_struct *vma = find_vma(&p->mm, u);
		unsigned long s, e;
		int r;

		if (!vma || vma->vm_start >= end) {
			ret = -ENOMEM;
			break;
		}
		if (vma->vm_start > u)
			ret = -ENOMEM;
		s = max(u, vma->vm_start);
		e = min(end, vma->vm_end);
		r = madvise_vma(&p->mm, vma, s, e, advice);
		if (r) {
			ret = r;
			break;
		}
		u = e;
	}
	mmap_write_unlock(&p->mm);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

/* ---- information ------------------------------------------------------------------- */

int kmem_process_info(struct kmem_process *p, struct kmem_process_info *info)
{
	struct mm_struct *mm;

	if (!p || !info)
		return -EINVAL;
	mm = &p->mm;
	memset(info, 0, sizeof(*info));
	info->pid = p->pid;
	memcpy(info->comm, p->comm, sizeof(info->comm));
	info->killed = __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE);
	mmap_read_lock(mm);
	info->vm_size = mm->total_vm;
	info->vm_data = mm->data_vm;
	info->vm_stk = mm->stack_vm;
	info->vm_lck = mm->locked_vm;
	info->start_brk = mm->start_brk;
	info->brk = mm->brk;
	info->mmap_base = mm->mmap_base;
	info->heap = (void *)mm_to_host(mm, mm->start_brk);
	spin_lock(&mm->page_table_lock);
	info->rss_anon = (unsigned long)mm->rss[MM_ANONPAGES];
	info->rss_shmem = (unsigned long)mm->rss[MM_SHMEMPAGES];
	info->swap = (unsigned long)mm->rss[MM_SWAPENTS];
	info->pte_pages = mm->pgt.nr_table_pages;
	info->zero_mapped = mm->nr_zero;
	spin_unlock(&mm->page_table_lock);
	mmap_read_unlock(mm);
	info->min_flt = __atomic_load_n(&mm->min_flt, __ATOMIC_RELAXED);
	info->maj_flt = __atomic_load_n(&mm->maj_flt, __ATOMIC_RELAXED);
	return 0;
}

int kmem_for_each_process(int (*fn)(struct kmem_process *p, void *arg),
			  void *arg)
{
	struct kmem_process *p;
	int ret = 0;

	down_read(&process_lock);
	list_for_each_entry(p, &process_list, list) {
		ret = fn(p, arg);
		if (ret)
			break;
	}
	up_read(&process_lock);
	return ret;
}

static const char *vma_name(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_SHARED)
		return "/dev/zero (deleted)";
	if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		return "[heap]";
	if (vma->vm_start <= mm->start_stack - 1 &&
	    vma->vm_end >= mm->start_stack - 1 &&
	    (vma->vm_flags & VM_GROWSDOWN))
		return "[stack]";
	return "";
}

int kmem_process_vmas(struct kmem_process *p, struct kmem_vma_info *out,
		      int max)
{
	struct mm_struct *mm = &p->mm;
	int i, n;

	mmap_read_lock(mm);
	n = mm->nr_vmas;
	for (i = 0; i < n && i < max; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		out[i].start = vma->vm_start;
		out[i].end = vma->vm_end;
		out[i].flags = vma->vm_flags;
		out[i].host = mm_to_host(mm, vma->vm_start);
		out[i].name = vma_name(mm, vma);
	}
	mmap_read_unlock(mm);
	return n;
}

const char *mm_vma_name(struct mm_struct *mm, struct vm_area_struct *vma)
{
	return vma_name(mm, vma);
}

/* Stack growth on a fault below the stack (expand_stack): the caller holds
 * mmap_lock for write. */
int expand_stack(struct mm_struct *mm, struct vm_area_struct *vma,
		 unsigned long addr)
{
	unsigned long start = addr & PAGE_MASK;
	int i;

	mmap_assert_write_locked(mm);
	if (!(vma->vm_flags & VM_GROWSDOWN) || start >= vma->vm_start)
		return -EFAULT;
	if (vma->vm_end - start > RLIMIT_STACK_BYTES)
		return -EFAULT;
	if (window_of(mm, start, vma->vm_end) < 0)
		return -EFAULT;
	i = vma_index(mm, vma->vm_start);
	if (i > 0 && mm->vmas[i - 1]->vm_end + STACK_GUARD_GAP > start)
		return -EFAULT;
	vm_stat_account(mm, vma->vm_flags,
			(long)((vma->vm_start - start) >> PAGE_SHIFT));
	vma->vm_start = start;
	return 0;
}

/* ---- boot and halt ------------------------------------------------------------------ */

struct kmem_process *find_process(int pid)
{
	struct kmem_process *p;

	if (pid < 0)
		return current_process();
	list_for_each_entry(p, &process_list, list)
		if (p->pid == pid)
			return p;
	return NULL;
}

KMEM_HOOK(anon_lru_reclaim_hook, anon_lru_reclaim, 0);
KMEM_HOOK(oom_kill_hook, oom_kill_largest, 0);

static int user_mm_init(void)
{
	/* The kernel's vm_area_struct is 192 bytes with its cache alignment
	 * (6.18 x86-64: 21 per 4 KiB slab in /proc/slabinfo); kmem's is far
	 * smaller. The objects get the kernel's size and alignment so that
	 * slabinfo and the slab memory of a process read like the kernel's. */
	atomic_long_set(&vm_committed_as, 0);
	vm_area_cachep = kmem_cache_create(
		"vm_area_struct",
		max_t(unsigned int, sizeof(struct vm_area_struct), 192),
		__alignof__(struct vm_area_struct),
		SLAB_HWCACHE_ALIGN | SLAB_PANIC, NULL);
	process_cachep =
		KMEM_CACHE(kmem_process, SLAB_HWCACHE_ALIGN | SLAB_PANIC);
	user_fault_init();
	register_page_reclaimer(&anon_lru_reclaim_hook);
	register_oom_handler(&oom_kill_hook);
	return 0;
}

static void user_mm_exit(void)
{
	struct kmem_process *p, *n;

	/* Processes left running when the machine halts are torn down. */
	down_write(&process_lock);
	list_for_each_entry_safe(p, n, &process_list, list) {
		list_del_init(&p->list);
		mm_teardown(&p->mm);
		destroy_rwsem(&p->mm.mmap_lock);
		mutex_destroy(&p->mm.pgt_alloc_lock);
		kmem_cache_free(process_cachep, p);
	}
	next_pid = PID_FIRST;
	shmem_ino = 0;
	up_write(&process_lock);
	task.proc = NULL;
	__kmem_process_switches++;
	unregister_oom_handler(&oom_kill_hook);
	unregister_page_reclaimer(&anon_lru_reclaim_hook);
	user_fault_exit();
	kmem_cache_destroy(vm_area_cachep);
	kmem_cache_destroy(process_cachep);
	vm_area_cachep = process_cachep = NULL;
}
KMEM_INITCALL(KMEM_INIT_MM, user_mm_init, user_mm_exit);

KMEM_LINK_ANCHOR(mmap);
