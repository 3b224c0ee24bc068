/* SPDX-License-Identifier: MIT */
/* Private interface of the simulated machine (arch/x86/). */
#ifndef _KMEM_ARCH_X86_MACHINE_H
#define _KMEM_ARCH_X86_MACHINE_H

#include <linux/types.h>
#include <kmem/machine.h>

/* Physical memory map (as the BIOS's e820 table): usable RAM ranges. */
#define E820_MAX 8
struct e820_range {
	phys_addr_t start, end; /* [start, end) */
};

struct kmem_machine {
	enum kmem_layout layout;
	int memfd;		      /* the RAM */
	unsigned long long ram_bytes; /* size of the memfd */
	struct e820_range e820[E820_MAX];
	int nr_e820;
	unsigned long max_pfn, max_low_pfn;
	unsigned long zone_end_pfn[6]; /* per enum zone_type; 0: absent */
	unsigned long zone_start_pfn[6];
	void *kva_base; /* host reservation for the kernel half */
	size_t kva_size;
	bool relocated;
};

extern struct kmem_machine machine;

/* The layout of the running machine (the kernel's IS_ENABLED(CONFIG_X86_32)). */
bool machine_is_x86_32(void);

int arch_machine_setup(const struct kmem_config *cfg);
void arch_machine_teardown(void);
/* The boot banner; slab: the slab allocator's name. */
void arch_print_banner(const char *slab);
void arch_kmap_reset(void);

/* File offset in the RAM memfd of physical address `phys` (RAM above the PCI
 * hole sits lower in the file than in the physical address space). */
unsigned long long arch_phys_to_file(phys_addr_t phys);

/*
 * MMU operations on the kernel (or any kmem-owned) virtual range:
 *   arch_map_phys()  map [phys, phys+len) of RAM at vaddr (one host mapping;
 *                    the range must be physically contiguous RAM)
 *   arch_unmap()     make [vaddr, vaddr+len) inaccessible again (the address
 *                    space stays reserved)
 *   arch_protect()   change the protection (PROT_* from <sys/mman.h>)
 * Return 0 or -errno.
 */
int arch_map_phys(unsigned long vaddr, phys_addr_t phys, size_t len, int prot);
/* As arch_map_phys, and fill the host's page tables now (MAP_POPULATE), as a
 * kernel that writes every pte up front; later accesses take no fault. */
int arch_map_phys_populate(unsigned long vaddr, phys_addr_t phys, size_t len,
			   int prot);
int arch_unmap(unsigned long vaddr, size_t len);
int arch_protect(unsigned long vaddr, size_t len, int prot);
/* Back [vaddr, vaddr+len) of a writable mapping of RAM with host pages now
 * (MADV_POPULATE_WRITE, one system call, instead of a host page fault at each
 * first touch later); the contents do not change. A host kernel without it
 * (before 5.14) gets each page touched instead. */
int arch_populate(unsigned long vaddr, size_t len);
/* Reserve len bytes of host address space (PROT_NONE), at `hint` if it is free
 * (hint 0: anywhere), aligned to `align`. Returns NULL on failure. */
void *arch_reserve(unsigned long hint, size_t len, size_t align);
void arch_release(void *addr, size_t len);

/*
 * Page faults. The machine installs one SIGSEGV/SIGBUS handler; layers that
 * own address ranges (user address spaces, vmalloc) register a handler.
 * A handler returns KMEM_FAULT_HANDLED if it resolved the fault (the faulting
 * instruction is restarted), KMEM_FAULT_NOT_MINE if the address is not in its
 * ranges. A handler that decides the access is fatal prints its report and
 * returns KMEM_FAULT_OOPS: the process then stops (abort) as the kernel would
 * oops. Faults nobody claims go to the previously installed handler.
 */
enum kmem_fault_result {
	KMEM_FAULT_NOT_MINE,
	KMEM_FAULT_HANDLED,
	KMEM_FAULT_OOPS,
};
struct kmem_fault {
	unsigned long address;
	bool write;   /* the access was a write */
	bool present; /* the page was mapped (a protection fault) */
	unsigned long ip;
	void *ucontext;
};
typedef enum kmem_fault_result (*kmem_fault_handler_t)(struct kmem_fault *f);
struct kmem_hook;
/* h->fn is a kmem_fault_handler_t (KMEM_HOOK); handlers run in priority
 * order, then registration order. */
void kmem_register_fault_handler(struct kmem_hook *h);
void kmem_unregister_fault_handler(struct kmem_hook *h);

/*
 * Host mappings (arch/x86/hostmap.c): the count of every host mapping kmem
 * makes, the budgets the page-by-page mappers (vmalloc, user pages) stay
 * within under the host's vm.max_map_count, and the on-demand ring (a
 * software TLB) that maps single pages for faulting accesses beyond them.
 */
enum hostmap_class {
	HOSTMAP_KERNEL,	  /* direct map, pkmap slots: no budget */
	HOSTMAP_VMALLOC,  /* vmalloc areas mapped eagerly */
	HOSTMAP_USER,	  /* user pages mapped eagerly */
	HOSTMAP_ONDEMAND, /* live slots of the ring (2 each): no budget */
	HOSTMAP_DEBUG,	  /* debug_pagealloc's splits of the direct map */
	NR_HOSTMAP_CLASSES
};
#define HOSTMAP_RING_SLOTS 512

void hostmap_init(void); /* at machine setup, before the direct map */
void hostmap_exit(void);
/* debug_pagealloc=on: give HOSTMAP_DEBUG its budget (at boot). */
void hostmap_debug_pagealloc(void);
/* Charge n host mappings to class c; false (nothing charged) if that would
 * pass the class's budget. A negative n always succeeds. */
bool hostmap_charge(enum hostmap_class c, long n);
/* Count n (positive or negative) mappings whatever the budget. */
void hostmap_account(enum hostmap_class c, long n);
/* Set class c's budget (0: the default); returns the previous one. */
unsigned long hostmap_set_budget(enum hostmap_class c, unsigned long n);
unsigned long hostmap_used(enum hostmap_class c);
unsigned long hostmap_budget(enum hostmap_class c);
struct hostmap_stats {
	unsigned long max_map_count;
	unsigned long used[NR_HOSTMAP_CLASSES];
	unsigned long budget[NR_HOSTMAP_CLASSES]; /* 0: none */
	unsigned long total;			  /* sum of used[] */
	unsigned long ring_slots, ring_live;
	unsigned long ondemand_maps; /* pages mapped through the ring */
	unsigned long
		ondemand_evictions; /* slots reused (page back to PROT_NONE) */
	unsigned long over_budget;  /* charges refused */
};
void hostmap_get_stats(struct hostmap_stats *st);
/*
 * Map the page at vaddr (kmem-owned, inside a reservation) to phys with prot
 * through the next ring slot; the page that slot held goes back to PROT_NONE
 * so that its next access faults. 0 or -errno. Callable from a fault handler.
 */
int hostmap_ondemand_map(unsigned long vaddr, phys_addr_t phys, int prot);
/* Forget the ring slots inside [start, end), unmapping their pages if asked.
 * Call it before changing the host mapping of an address the ring may hold.
 * Returns how many slots were dropped. */
unsigned int hostmap_ondemand_drop(unsigned long start, unsigned long end,
				   bool unmap);
/* vaddr's page is mapped by a ring slot (tests). */
bool hostmap_ondemand_mapped(unsigned long vaddr);

/*
 * fork(), the machine's part (arch/x86/fork.c; init/fork.c runs it).
 * kmem_copy_memfd: a new memfd (close-on-exec) with the contents of memfd
 * `fd`: same size, only the populated parts copied (holes stay holes); the
 * new fd or -errno. arch_fork_copy_ram: the same for the RAM, its free
 * frames left out (parent, locks held). arch_fork_adopt_ram: in the child,
 * map the RAM from `copy` everywhere it was mapped and give `copy` the RAM
 * descriptor's number; how many host mappings it remapped, or -errno with
 * *what naming the step that failed.
 */
int kmem_copy_memfd(int fd, const char *name);
int arch_fork_copy_ram(void);
int arch_fork_adopt_ram(int copy, const char **what);

#endif
