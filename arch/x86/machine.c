// SPDX-License-Identifier: MIT
/*
 * The simulated machine: RAM, the physical memory map, the kernel's virtual
 * layout, and the MMU operations the other layers use.
 *
 * RAM is a memfd of the configured size. "Physical address" p lives at file
 * offset arch_phys_to_file(p). Mapping a physical range at a virtual address is
 * an mmap(MAP_SHARED|MAP_FIXED) of that piece of the memfd, so several virtual
 * addresses may alias one frame, exactly like page table entries. The kernel
 * half of the simulated address space is one PROT_NONE host reservation; inside
 * it the direct map is mapped at boot and the vmalloc/pkmap ranges on demand.
 *
 * Physical memory map (both layouts, like a PC's e820 table):
 *   [0x1000, 0x9f000) and [1 MiB, end) are RAM; pfn 0 and the legacy ISA hole
 *   (640 KiB - 1 MiB) are not. memblock then reserves the whole first MiB, as
 *   Linux does since 5.13 (so ZONE_DMA has 3840 managed pages, as in the real
 *   zoneinfo). On x86-64 with more than 3 GiB, RAM above 3 GiB is placed above
 *   4 GiB, leaving the PCI hole [3 GiB, 4 GiB) as the real machine does.
 *
 * Layouts:
 *   x86-64: zones DMA < 16 MiB, DMA32 < 4 GiB, Normal above. All RAM is direct
 *           mapped at PAGE_OFFSET; VMALLOC_START is 1 GiB past the end of the
 *           direct map and the vmalloc range is 32 TiB (VmallocTotal
 *           34359738367 kB, as the real kernel). Both are relocated: user space
 *           cannot map the kernel half of the address space. A ThreadSanitizer
 *           build has a 256 GiB vmalloc range (see tsan_app_ranges below).
 *   x86-32: PAGE_OFFSET 0xC0000000 when the host has [3 GiB, 4 GiB) free,
 *           otherwise a relocated 1 GiB-aligned base (the banner says so).
 *           Low memory ends at MAXMEM = VMALLOC_END - PAGE_OFFSET - 128 MiB
 *           (0x377fe000, about 888 MiB); RAM above it is ZONE_HIGHMEM, which
 *           has no permanent mapping. VMALLOC_START = high_memory + 8 MiB,
 *           VMALLOC_END = PKMAP_BASE - 2 pages = PAGE_OFFSET + 0x3f7fe000,
 *           PKMAP_BASE = PAGE_OFFSET + 0x3f800000 (512 kmap slots).
 *
 * Every host mapping made here and by the other layers is counted by
 * arch/x86/hostmap.c, which also keeps the page-by-page mappers (vmalloc,
 * user pages) under the host's vm.max_map_count.
 *
 * Locking: setup and teardown run under the boot lock (init/main.c). The MMU
 * operations are host system calls and need no lock of their own; callers own
 * the ranges they change.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ucontext.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <asm/pgtable.h>
#include "arch/x86/machine.h"
#include "kernel/printk.h"
#include "kernel/hooks.h"
#ifdef KMEM_ASAN
#include <sanitizer/lsan_interface.h>
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

struct kmem_machine machine = { .memfd = -1 };

unsigned long __kmem_page_offset;
struct page *mem_map;
unsigned long max_low_pfn;
unsigned long max_pfn;
void *high_memory;
unsigned long __kmem_vmalloc_start;
unsigned long __kmem_vmalloc_end;
unsigned long __kmem_pkmap_base;

#define X86_32_PAGE_OFFSET 0xC0000000UL
#define X86_32_MAXMEM 0x377fe000UL /* VMALLOC_END - PAGE_OFFSET - 128M */
#define X86_32_VMALLOC_END_OFF 0x3f7fe000UL
#define X86_32_PKMAP_OFF 0x3f800000UL
#ifndef KMEM_TSAN
#define X86_64_KVA_HINT 0x200000000000UL /* 32 TiB */
#define X86_64_VMALLOC_SIZE (32UL << 40)
#else
/*
 * Under ThreadSanitizer the program may only map memory inside TSan's
 * application ranges (the rest of the address space is its shadow and
 * metadata; an mmap elsewhere is refused, or kills the program). The ranges
 * below are those that both gcc 12's libtsan and clang 14's runtime (the
 * 48-bit x86-64 mapping) accept, and that the newer runtimes keep too. No
 * one of them holds the kernel's 32 TiB vmalloc range, so a TSan build has a
 * 256 GiB one (VmallocTotal 268435455 kB; the banner says so); the kernel
 * half goes at 64 GiB, in the low range, which nothing else uses in a PIE
 * program. Reservations without a hint (user address spaces) are placed by
 * tsan_reserve() in the same ranges, never by the host's mmap, which would
 * put them below TSan's high range once that is full.
 */
#define X86_64_KVA_HINT 0x1000000000UL /* 64 GiB */
#define X86_64_VMALLOC_SIZE (256UL << 30)
static const struct {
	unsigned long start, end;
} tsan_app_ranges[] = {
	{ 0x000100000000UL, 0x008000000000UL }, /* low: 4 GiB - 512 GiB */
	{ 0x550000000000UL, 0x568000000000UL }, /* PIE programs */
	{ 0x7e8000000000UL, 0x800000000000UL }, /* libraries, stacks */
};
#endif
#define PCI_HOLE_START (3ULL << 30)
#define PCI_HOLE_END (4ULL << 30)

static void *reserve_at(unsigned long addr, size_t len)
{
	void *p = mmap((void *)addr, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			       MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == (void *)addr)
		return p;
	if (p != MAP_FAILED) /* a kernel before 4.17 took the flag as a hint */
		munmap(p, len);
	return NULL;
}

#ifdef KMEM_TSAN
/* First fit in TSan's application ranges, in steps of 1 GiB (or align). */
static void *tsan_reserve(size_t len, size_t align)
{
	unsigned long step = max_t(unsigned long, align, SZ_1G);
	unsigned long a;
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(tsan_app_ranges); i++)
		for (a = ALIGN(tsan_app_ranges[i].start, align);
		     a + len > a && a + len <= tsan_app_ranges[i].end;
		     a += step) {
			p = reserve_at(a, len);
			if (p)
				return p;
		}
	return NULL;
}
#endif

void *arch_reserve(unsigned long hint, size_t len, size_t align)
{
	void *p;
	unsigned long a, start;

	if (hint) {
		p = reserve_at(hint, len);
		if (p)
			return p;
	}
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
#ifdef KMEM_TSAN
	return tsan_reserve(len, align);
#endif
	p = mmap(NULL, len + align, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (unsigned long)p;
	start = ALIGN(a, align);
	if (start > a)
		munmap(p, start - a);
	if (start + len < a + len + align)
		munmap((void *)(start + len), a + len + align - (start + len));
	return (void *)start;
}

void arch_release(void *addr, size_t len)
{
	if (addr)
		munmap(addr, len);
}

unsigned long long arch_phys_to_file(phys_addr_t phys)
{
	if (machine.layout == KMEM_LAYOUT_X86_64 && phys >= PCI_HOLE_END)
		return phys - (PCI_HOLE_END - PCI_HOLE_START);
	return phys;
}

int arch_map_phys(unsigned long vaddr, phys_addr_t phys, size_t len, int prot)
{
	void *p = mmap((void *)vaddr, len, prot, MAP_SHARED | MAP_FIXED,
		       machine.memfd, (off_t)arch_phys_to_file(phys));

	return p == MAP_FAILED ? -errno : 0;
}

int arch_map_phys_populate(unsigned long vaddr, phys_addr_t phys, size_t len,
			   int prot)
{
	void *p = mmap((void *)vaddr, len, prot,
		       MAP_SHARED | MAP_FIXED | MAP_POPULATE, machine.memfd,
		       (off_t)arch_phys_to_file(phys));

	return p == MAP_FAILED ? -errno : 0;
}

int arch_unmap(unsigned long vaddr, size_t len)
{
	void *p = mmap((void *)vaddr, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

int arch_protect(unsigned long vaddr, size_t len, int prot)
{
	return mprotect((void *)vaddr, len, prot) ? -errno : 0;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int arch_populate(unsigned long vaddr, size_t len)
{
	static int have_populate = -1; /* unknown, no, yes */
	unsigned long a;
	int have;

	len += vaddr & ~PAGE_MASK;
	vaddr &= PAGE_MASK;
	have = __atomic_load_n(&have_populate, __ATOMIC_RELAXED);
	if (have < 0) { /* an unknown advice is EINVAL even for len 0 */
		have = !madvise((void *)vaddr, 0, MADV_POPULATE_WRITE);
		__atomic_store_n(&have_populate, have, __ATOMIC_RELAXED);
	}
	if (have)
		return madvise((void *)vaddr, len, MADV_POPULATE_WRITE) ?
			       -errno :
			       0;
	/* Adding 0 atomically writes each page without changing a byte, even
	 * under a concurrent writer. */
	for (a = vaddr; a < vaddr + len; a += PAGE_SIZE)
		__atomic_fetch_add((unsigned char *)a, 0, __ATOMIC_RELAXED);
	return 0;
}

static void e820_add(phys_addr_t start, phys_addr_t end)
{
	if (end > start && machine.nr_e820 < E820_MAX) {
		machine.e820[machine.nr_e820].start = start;
		machine.e820[machine.nr_e820].end = end;
		machine.nr_e820++;
	}
}

static int setup_ram(const struct kmem_config *cfg)
{
	unsigned long long ram = cfg->ram & PAGE_MASK;
	unsigned long long low_end;

	if (ram < (32ULL << 20)) {
		pr_err("kmem: %llu bytes of RAM is too little (at least 32M)\n",
		       ram);
		return -EINVAL;
	}
	if (cfg->layout == KMEM_LAYOUT_X86_32 && ram > (4ULL << 30)) {
		pr_err("kmem: the x86-32 layout addresses at most 4G of RAM\n");
		return -EINVAL;
	}
	if (ram > (64ULL << 30)) {
		pr_err("kmem: at most 64G of RAM is simulated\n");
		return -EINVAL;
	}
	machine.memfd = memfd_create("kmem-ram", MFD_CLOEXEC);
	if (machine.memfd < 0)
		return -errno;
	if (ftruncate(machine.memfd, (off_t)ram)) {
		int err = -errno;

		close(machine.memfd);
		machine.memfd = -1;
		return err;
	}
	machine.ram_bytes = ram;
	machine.nr_e820 = 0;
	e820_add(0x1000, 0x9f000);
	low_end = ram;
	if (cfg->layout == KMEM_LAYOUT_X86_64 && ram > PCI_HOLE_START)
		low_end = PCI_HOLE_START;
	e820_add(0x100000, low_end);
	if (low_end < ram)
		e820_add(PCI_HOLE_END, PCI_HOLE_END + (ram - low_end));
	max_pfn = (unsigned long)(machine.e820[machine.nr_e820 - 1].end >>
				  PAGE_SHIFT);
	machine.max_pfn = max_pfn;
	return 0;
}

static void set_zone(enum zone_type z, unsigned long start, unsigned long end)
{
	if (end > max_pfn)
		end = max_pfn;
	if (end <= start)
		return;
	machine.zone_start_pfn[z] = start;
	machine.zone_end_pfn[z] = end;
}

static int setup_layout_x86_64(void)
{
	unsigned long direct =
		ALIGN((unsigned long)max_pfn << PAGE_SHIFT, SZ_1G);
	size_t len = direct + SZ_1G + X86_64_VMALLOC_SIZE;
	void *base;

	base = arch_reserve(X86_64_KVA_HINT, len, SZ_1G);
	if (!base) {
		pr_err("kmem: cannot reserve %zu bytes of host address space\n",
		       len);
		return -ENOMEM;
	}
	machine.kva_base = base;
	machine.kva_size = len;
	machine.relocated =
		true; /* always: the real one is 0xffff888000000000 */
	__kmem_page_offset = (unsigned long)base;
	max_low_pfn = max_pfn;
	machine.max_low_pfn = max_low_pfn;
	__kmem_vmalloc_start = __kmem_page_offset + direct + SZ_1G;
	__kmem_vmalloc_end = __kmem_vmalloc_start + X86_64_VMALLOC_SIZE - 1;
	__kmem_pkmap_base = 0;
	set_zone(ZONE_DMA, 1, SZ_16M >> PAGE_SHIFT);
	set_zone(ZONE_DMA32, SZ_16M >> PAGE_SHIFT,
		 (unsigned long)(SZ_4G >> PAGE_SHIFT));
	set_zone(ZONE_NORMAL, (unsigned long)(SZ_4G >> PAGE_SHIFT), max_pfn);
	return 0;
}

static int setup_layout_x86_32(void)
{
	void *base;

	base = arch_reserve(X86_32_PAGE_OFFSET, SZ_1G, SZ_1G);
	if (!base) {
		pr_err("kmem: cannot reserve 1G of host address space\n");
		return -ENOMEM;
	}
	machine.kva_base = base;
	machine.kva_size = SZ_1G;
	machine.relocated = (unsigned long)base != X86_32_PAGE_OFFSET;
	__kmem_page_offset = (unsigned long)base;
	max_low_pfn = min(max_pfn, X86_32_MAXMEM >> PAGE_SHIFT);
	machine.max_low_pfn = max_low_pfn;
	__kmem_vmalloc_start = __kmem_page_offset +
			       (max_low_pfn << PAGE_SHIFT) + VMALLOC_OFFSET;
	__kmem_vmalloc_end = __kmem_page_offset + X86_32_VMALLOC_END_OFF;
	__kmem_pkmap_base = __kmem_page_offset + X86_32_PKMAP_OFF;
	set_zone(ZONE_DMA, 1, SZ_16M >> PAGE_SHIFT);
	set_zone(ZONE_NORMAL, SZ_16M >> PAGE_SHIFT, max_low_pfn);
	set_zone(ZONE_HIGHMEM, max_low_pfn, max_pfn);
	return 0;
}

static int map_direct(void)
{
	int i, ret;

	for (i = 0; i < machine.nr_e820; i++) {
		phys_addr_t s = machine.e820[i].start;
		phys_addr_t e = machine.e820[i].end;

		if (s >= ((phys_addr_t)max_low_pfn << PAGE_SHIFT))
			continue;
		e = min(e, (phys_addr_t)max_low_pfn << PAGE_SHIFT);
		ret = arch_map_phys(__kmem_page_offset + s, s, e - s,
				    PROT_READ | PROT_WRITE);
		if (ret)
			return ret;
		hostmap_account(HOSTMAP_KERNEL, 2); /* the range, the split */
	}
	return 0;
}

/*
 * LeakSanitizer looks for pointers to host memory in the heap, the stacks and
 * the globals, not in the simulated RAM (a shared mapping of the memfd). The
 * kernel keeps some host memory only there (the slab barns' sheaves hang off
 * a struct kmem_cache_node in a slab page), which would look leaked at exit
 * while the machine is up. So the direct map is an LSan root region while
 * it is mapped.
 */
static void lsan_direct_map(bool mapped)
{
#ifdef KMEM_ASAN
	const void *start = (const void *)__kmem_page_offset;
	size_t len = (size_t)max_low_pfn << PAGE_SHIFT;

	if (mapped)
		__lsan_register_root_region(start, len);
	else
		__lsan_unregister_root_region(start, len);
#endif
}

static void install_fault_handler(void);

int arch_machine_setup(const struct kmem_config *cfg)
{
	int ret;

	memset(machine.zone_start_pfn, 0, sizeof(machine.zone_start_pfn));
	memset(machine.zone_end_pfn, 0, sizeof(machine.zone_end_pfn));
	machine.layout = cfg->layout;
	ret = setup_ram(cfg);
	if (ret)
		return ret;
	ret = cfg->layout == KMEM_LAYOUT_X86_32 ? setup_layout_x86_32() :
						  setup_layout_x86_64();
	if (ret)
		goto out_ram;
	high_memory =
		(void *)(__kmem_page_offset + (max_low_pfn << PAGE_SHIFT));
	hostmap_init();
	ret = map_direct();
	if (ret)
		goto out_kva;
	lsan_direct_map(true);
	install_fault_handler();
	return 0;

out_kva:
	arch_release(machine.kva_base, machine.kva_size);
	machine.kva_base = NULL;
out_ram:
	close(machine.memfd);
	machine.memfd = -1;
	return ret;
}

void arch_machine_teardown(void)
{
	arch_kmap_reset();
	hostmap_exit();
	lsan_direct_map(false);
	arch_release(machine.kva_base, machine.kva_size);
	machine.kva_base = NULL;
	machine.kva_size = 0;
	if (machine.memfd >= 0)
		close(machine.memfd);
	machine.memfd = -1;
	mem_map = NULL;
	__kmem_page_offset = 0;
	max_pfn = max_low_pfn = 0;
	high_memory = NULL;
	__kmem_vmalloc_start = __kmem_vmalloc_end = __kmem_pkmap_base = 0;
}

bool machine_is_x86_32(void)
{
	return machine.layout == KMEM_LAYOUT_X86_32;
}

void arch_print_banner(const char *slab)
{
	pr_info("kmem: booted an %s machine: %llu MiB RAM, %u CPUs, %s\n",
		machine.layout == KMEM_LAYOUT_X86_32 ? "x86-32" : "x86-64",
		machine.ram_bytes >> 20, nr_cpu_ids, slab);
	if (machine.layout == KMEM_LAYOUT_X86_32 && machine.relocated)
		pr_info("kmem: PAGE_OFFSET relocated to %#lx (the host uses 0xc0000000)\n",
			PAGE_OFFSET);
#ifdef KMEM_TSAN
	if (machine.layout == KMEM_LAYOUT_X86_64)
		pr_info("kmem: ThreadSanitizer build: vmalloc range %lu GiB (the kernel's is 32 TiB)\n",
			X86_64_VMALLOC_SIZE >> 30);
#endif
}

/* ---- Page faults ----------------------------------------------------- */

static KMEM_HOOK_LIST(fault_handlers, "fault handlers");
static struct sigaction old_segv, old_bus;
static int fault_installed;

static void oops_unclaimed(struct kmem_fault *f)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "BUG: unable to handle page fault for address: %016lx\n"
		 "#PF: supervisor %s access in kernel mode\n"
		 "#PF: error_code(0x%04x) - %s\n"
		 "Oops: %04x [#1] SMP\n"
		 "CPU: %d PID: %d Comm: %s\n"
		 "RIP: 0010:%016lx\n",
		 f->address, f->write ? "write" : "read",
		 (f->write ? 2 : 0) | (f->present ? 1 : 0),
		 f->present ? "permissions violation" : "not-present page",
		 (f->write ? 2 : 0) | (f->present ? 1 : 0),
		 raw_smp_processor_id(), kmem_current_pid(),
		 kmem_current_comm(), f->ip);
	kmem_emergency_write(buf);
}

static void chain(struct sigaction *old, int sig, siginfo_t *si, void *uc)
{
	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uc);
	} else if (old->sa_handler == SIG_IGN) {
		return;
	} else if (old->sa_handler == SIG_DFL) {
		signal(sig, SIG_DFL); /* returning re-faults and terminates */
	} else {
		old->sa_handler(sig);
	}
}

static void fault_signal(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *ctx = uc;
	struct kmem_fault f;
	unsigned long err;
	struct kmem_hook *h;
	int saved_errno = errno;

	err = (unsigned long)ctx->uc_mcontext.gregs[REG_ERR];
	f.address = (unsigned long)si->si_addr;
	f.write = (err & 2) != 0;
	f.present = (err & 1) != 0;
	f.ip = (unsigned long)ctx->uc_mcontext.gregs[REG_RIP];
	f.ucontext = uc;
	kmem_hook_for_each(h, &fault_handlers) {
		switch (((kmem_fault_handler_t)h->fn)(&f)) {
		case KMEM_FAULT_HANDLED:
			errno = saved_errno;
			return;
		case KMEM_FAULT_OOPS:
			abort();
		case KMEM_FAULT_NOT_MINE:
			break;
		}
	}
	if (machine.kva_base && f.address >= (unsigned long)machine.kva_base &&
	    f.address < (unsigned long)machine.kva_base + machine.kva_size) {
		oops_unclaimed(&f);
		abort();
	}
	chain(sig == SIGBUS ? &old_bus : &old_segv, sig, si, uc);
}

static DEFINE_MUTEX_RANK(fault_lock, LOCK_RANK_LEAF);

static void install_fault_handler_locked(void)
{
	struct sigaction sa;

	if (fault_installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	fault_installed = 1;
}

void kmem_register_fault_handler(struct kmem_hook *h)
{
	kmem_hook_register(&fault_handlers, h);
	install_fault_handler();
}

void kmem_unregister_fault_handler(struct kmem_hook *h)
{
	kmem_hook_unregister(&fault_handlers, h);
}

static void install_fault_handler(void)
{
	mutex_lock_atomic(&fault_lock);
	install_fault_handler_locked();
	mutex_unlock(&fault_lock);
}
