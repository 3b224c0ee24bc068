/* SPDX-License-Identifier: MIT */
/*
 * kmem's own API: simulated processes and the system calls malloc sits on.
 *
 * A process has its own user address space (VMAs, page tables, a heap that
 * moves with brk, an mmap area growing down, a stack) on the simulated
 * machine. A host thread "enters" a process; the kmem_sys_* calls then act on
 * it. Addresses handed out and taken by these calls are host pointers that can
 * be dereferenced directly: every access goes through the real MMU, untouched
 * pages are not present, and the fault handler resolves demand-paging faults
 * (the shared zero page on a read, a fresh frame on a write, a swap-in) so the
 * instruction resumes. kmem_user_addr() converts a pointer to the address the
 * simulated process sees (what /proc/<pid>/maps prints), kmem_user_ptr() the
 * other way.
 *
 *	struct kmem_process *p = kmem_process_create("demo");
 *	if (kmem_process_enter(p) == 0) {
 *		char *m = kmem_sys_mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
 *					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
 *		m[0] = 1;                     // a real page fault: one frame
 *		kmem_process_leave();
 *	} else {
 *		// the process died (segfault, OOM kill) while we were inside
 *	}
 *	kmem_process_exit(p);
 *
 * Death of a process. An access outside any VMA or against its permissions
 * prints the kernel's "<comm>[pid]: segfault at ..." line and kills the
 * process with SIGSEGV; the OOM killer kills with SIGKILL. A killed process's
 * memory is freed at once (as the OOM reaper does); every thread inside it is
 * thrown back to its kmem_process_enter(), which returns a second time with
 * the signal number (as setjmp returns twice), the thread being outside any
 * process again. The function that called kmem_process_enter() must therefore
 * still be running while the thread is inside the process, and its local
 * variables changed after the call must be volatile (as with setjmp).
 * kmem_process_run() wraps all of this in one call. Other processes and the
 * machine are not affected.
 *
 * Errors follow the C library's conventions: -1 (MAP_FAILED for mmap) and
 * errno set to the kernel's error (EINVAL, ENOMEM, EPERM, EEXIST, EBADF,
 * EAGAIN). kmem_sys_brk() is the raw system call: it returns the new break, or
 * the unchanged break on failure (kmem_sys_brk(NULL) asks for it).
 */
#ifndef _KMEM_PROCESS_H
#define _KMEM_PROCESS_H

#include <kmem/export.h>

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_process;

/* A new process with an empty address space (only its stack VMA) and a pid.
 * NULL with errno ENOMEM if the machine or the host cannot provide it. */
KMEM_API struct kmem_process *kmem_process_create(const char *comm);

/* The calling thread runs in process p until kmem_process_leave(). Returns 0,
 * -EBUSY if the thread is already inside a process, -ESRCH if p is dead; and a
 * second time the signal that killed p (SIGSEGV, SIGKILL) if it dies while the
 * thread is inside (see above). Several threads may be inside one process. */
#define kmem_process_enter(p) \
	__kmem_process_enter((p), sigsetjmp(*__kmem_process_jmpbuf(), 1))
KMEM_API void kmem_process_leave(void);
/* The process the calling thread is inside, or NULL. */
KMEM_API struct kmem_process *kmem_process_current(void);

/*
 * How many times the calling thread has entered or left a process (a
 * kmem_process_enter that succeeded, a leave, being thrown out of a process
 * that died, kmem_process_exit of its own process): a library above the
 * system calls (the C library, libc/malloc.c) keeps per-process state per
 * thread and checks with one thread-local load that the process it found
 * last time is still the current one, instead of calling
 * kmem_process_current() on every call. A reboot of the machine does not
 * count: compare kmem_boot_generation (<kmem/machine.h>) too. A fork()ed
 * child's thread keeps its count, as it stays in the child's copy of the
 * process.
 */
extern KMEM_API __thread unsigned long __kmem_process_switches
	__attribute__((tls_model("initial-exec")));
static inline unsigned long kmem_process_switches(void)
{
	return __kmem_process_switches;
}

/* Run fn(arg) inside p. Returns fn's value, or minus the signal that killed
 * the process (-SIGSEGV, -SIGKILL), or -EBUSY/-ESRCH as kmem_process_enter. */
KMEM_API int kmem_process_run(struct kmem_process *p, int (*fn)(void *),
			      void *arg);

/* kmem_process_run() on the live process with this pid, if there is one:
 * -ESRCH if none (it exited, or died) or pid is not a process's. For code
 * that remembers a process it may have outlived (the C library's thread-exit
 * hook keeps pids, not pointers): the lookup and the entry are one step
 * under the process list's lock, so kmem_process_exit() cannot free the
 * process between them. */
KMEM_API int kmem_process_run_pid(int pid, int (*fn)(void *), void *arg);

/* Tear p down: every frame, swap slot and page-table page goes back. Returns
 * p's wait status (0 for a process that was not killed, the signal number for
 * one that was, so WIFSIGNALED/WTERMSIG apply), or -EBUSY if another thread
 * is still inside it (p is then left alone). The calling thread may be inside
 * p: it leaves first. */
KMEM_API int kmem_process_exit(struct kmem_process *p);

/* The simulated system calls (act on the calling thread's process; without
 * one they fail with ESRCH). */
KMEM_API void *kmem_sys_brk(void *addr);
KMEM_API void *kmem_sys_sbrk(intptr_t increment);
KMEM_API void *kmem_sys_mmap(void *addr, size_t length, int prot, int flags,
			     int fd, off_t offset);
KMEM_API int kmem_sys_munmap(void *addr, size_t length);
KMEM_API int kmem_sys_mprotect(void *addr, size_t length, int prot);
KMEM_API int kmem_sys_madvise(void *addr, size_t length, int advice);
KMEM_API int kmem_sys_mlock(const void *addr, size_t length);
KMEM_API int kmem_sys_munlock(const void *addr, size_t length);
/* kill(2): signal sig kills process pid (0: the caller's own; every signal is
 * fatal, there are no handlers). Killing one's own process does not return:
 * the thread is thrown back to its kmem_process_enter() (the C library's
 * abort() is kmem_sys_kill(0, SIGABRT)). -1 with ESRCH for no such process. */
KMEM_API int kmem_sys_kill(int pid, int sig);

/* Address translation for the process the thread is inside (or p). */
KMEM_API unsigned long kmem_user_addr(const void *ptr);
KMEM_API void *kmem_user_ptr(unsigned long uaddr);

/* Figures of a process, in pages unless said otherwise (what /proc/<pid>/status
 * prints in kB). */
struct kmem_process_info {
	int pid;
	char comm[16];
	int killed;		 /* signal that killed it, 0 if alive */
	unsigned long vm_size;	 /* VmSize */
	unsigned long vm_data;	 /* VmData */
	unsigned long vm_stk;	 /* VmStk */
	unsigned long vm_lck;	 /* VmLck */
	unsigned long rss_anon;	 /* RssAnon: private anonymous frames mapped */
	unsigned long rss_shmem; /* RssShmem: shared anonymous frames mapped */
	unsigned long swap;	 /* VmSwap: pages out on swap */
	unsigned long pte_pages; /* page-table pages (VmPTE) */
	unsigned long zero_mapped; /* ptes mapping the shared zero page */
	unsigned long min_flt, maj_flt;
	unsigned long start_brk, brk, mmap_base; /* user addresses */
	void *heap; /* start_brk as a host pointer */
};
KMEM_API int kmem_process_info(struct kmem_process *p,
			       struct kmem_process_info *info);
KMEM_API int kmem_process_pid(struct kmem_process *p);

/* Internals of the macros above. */
KMEM_API int __kmem_process_enter(struct kmem_process *p, int jumped);
KMEM_API sigjmp_buf *__kmem_process_jmpbuf(void);

#ifdef __cplusplus
}
#endif
#endif
