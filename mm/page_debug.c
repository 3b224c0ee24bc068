// SPDX-License-Identifier: MIT
/*
 * The page allocator's debugging and hardening options, as the kernel's
 * mm_core_init() / post_alloc_hook() / free_pages_prepare() apply them.
 * All are off unless the kernel command line turns them on (the kernel's
 * CONFIG_*_DEFAULT_ON are off here); they are read once per boot into
 * page_debug_flags, and the allocator's fast paths test that one word.
 *
 * 1. init_on_alloc=1, init_on_free=1. Zero pages when they are allocated, or
 *    when they are freed. With init_on_free every free page is zero, so an
 *    allocation never zeroes, even with __GFP_ZERO (the kernel's
 *    post_alloc_hook: init = !want_init_on_free() && want_init_on_alloc()).
 *    Boot prints "mem auto-init: stack:off, heap alloc:on|off, heap
 *    free:on|off" (report_meminit). The slab side (objects of caches without
 *    a constructor and without SLAB_TYPESAFE_BY_RCU) is not here.
 *
 * 2. page_poison=1. A freed page is filled with PAGE_POISON (0xaa) and
 *    marked poisoned (a bit per pfn); the next allocation of that page checks
 *    the bytes and reports "pagealloc: memory corruption" (or "single bit
 *    error") with a hex dump of the changed bytes and the stack, then hands
 *    the page out as the kernel does. Poisoning takes precedence over
 *    init_on_alloc/free, which it turns off with the kernel's message.
 *
 * 3. debug_pagealloc=on. A freed page is removed from the direct map (the
 *    host mapping of its frame at PAGE_OFFSET + phys becomes PROT_NONE) and
 *    put back when it is allocated again, so an access after free_pages()
 *    faults. The fault handler recognises the page (a bit per pfn, set before
 *    the unmapping) and prints the kernel's oops naming the pfn; the program
 *    then dies as the kernel oops kills. HighMem pages are not in the direct
 *    map and are left alone, as in the kernel.
 *    Cost in host mappings: the direct map is a few big host mappings; a
 *    PROT_NONE page in the middle of one splits it. Each boundary between a
 *    mapped and an unmapped page of the same e820 range is one more host
 *    mapping; they are counted exactly (before/after each change, under
 *    dpa_lock) in HOSTMAP_DEBUG, whose budget (max_map_count / 4, taken from
 *    vmalloc's half when the option is on) bounds them. A free that would
 *    pass it leaves the page mapped (counted: "left mapped" in the stats and
 *    one warning); putting a page back is never refused.
 *
 * 4. page_owner=on. At boot a page_ext array (one struct page_owner per
 *    frame) is reserved from memblock, as the kernel's page_ext; every
 *    allocation records order, gfp mask, pid, comm, time and the call stack
 *    (backtrace(), kept once in the stack depot of lib/stackdepot.c, which
 *    slab_debug shares) in its head page's record.
 *    kmem_show("page_owner") prints the records in the format of
 *    /sys/kernel/debug/page_owner; kmem_show("page_owner_sort") the summary
 *    of tools/mm/page_owner_sort --cull=stacktrace: pages per identical
 *    stack, most allocations first.
 *
 * Locking: dpa_lock (a host mutex, leaf) serialises changes of the direct
 * map and its count (the stack depot locks itself). Poison bits and page_owner
 * records belong to the page's owner (the allocating or freeing thread).
 */
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <kmem/cmdline.h>
#include <kmem/show.h>
#include "arch/x86/machine.h"
#include "kernel/internal.h"
#include "mm/internal.h"
#include "mm/page_debug.h"
#include "lib/stackdepot.h"

#define PAGE_POISON 0xaa

unsigned int page_debug_flags;
static unsigned int page_debug_want; /* from this boot's command line */

/* ---- the command line -------------------------------------------------- */

static int want_option(const char *val, unsigned int bit)
{
	bool on;

	if (kstrtobool(val, &on))
		return -EINVAL;
	if (on)
		page_debug_want |= bit;
	else
		page_debug_want &= ~bit;
	return 0;
}

static int early_init_on_alloc(const char *val)
{
	return want_option(val, PAGE_DEBUG_INIT_ON_ALLOC);
}
KMEM_EARLY_PARAM("init_on_alloc", early_init_on_alloc)

static int early_init_on_free(const char *val)
{
	return want_option(val, PAGE_DEBUG_INIT_ON_FREE);
}
KMEM_EARLY_PARAM("init_on_free", early_init_on_free)

static int early_page_poison_param(const char *val)
{
	return want_option(val, PAGE_DEBUG_POISON);
}
KMEM_EARLY_PARAM("page_poison", early_page_poison_param)

static int early_debug_pagealloc(const char *val)
{
	return want_option(val, PAGE_DEBUG_PAGEALLOC);
}
KMEM_EARLY_PARAM("debug_pagealloc", early_debug_pagealloc)

static int early_page_owner_param(const char *val)
{
	return want_option(val, PAGE_DEBUG_OWNER);
}
KMEM_EARLY_PARAM("page_owner", early_page_owner_param)

/* ---- bitmaps (one bit per pfn) ------------------------------------------ */

#define BITS_LONG (8 * sizeof(unsigned long))

static unsigned long *poisoned; /* page_poison: filled with PAGE_POISON */
static unsigned long *unmapped; /* debug_pagealloc: out of the direct map */

static inline bool pfn_bit(const unsigned long *map, unsigned long pfn)
{
	return (__atomic_load_n(&map[pfn / BITS_LONG], __ATOMIC_RELAXED) >>
		(pfn % BITS_LONG)) &
	       1;
}

static inline void pfn_set(unsigned long *map, unsigned long pfn, bool on)
{
	unsigned long bit = 1UL << (pfn % BITS_LONG);

	if (on)
		__atomic_fetch_or(&map[pfn / BITS_LONG], bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&map[pfn / BITS_LONG], ~bit,
				   __ATOMIC_RELAXED);
}

static unsigned long *bitmap_alloc(void)
{
	return calloc((max_pfn + BITS_LONG - 1) / BITS_LONG,
		      sizeof(unsigned long));
}

/* ---- init_on_free / page_poison ----------------------------------------- */

static void fill_pages(struct page *page, unsigned long nr, int c)
{
	unsigned long i;

	if (!PageHighMem(page)) {
		memset(lowmem_page_address(page), c, nr * PAGE_SIZE);
		return;
	}
	for (i = 0; i < nr; i++) {
		void *addr = kmap_local_page(page + i);

		memset(addr, c, PAGE_SIZE);
		kunmap_local(addr);
	}
}

static void hex_dump(const unsigned char *start, const unsigned char *end)
{
	const unsigned char *row;
	char hex[64], ascii[20];
	int w = machine_is_x86_32() ? 8 : 16;

	for (row = start; row <= end; row += 16) {
		int i, n = (int)min((long)(end - row + 1), 16L), h = 0;

		for (i = 0; i < n; i++) {
			h += snprintf(hex + h, sizeof(hex) - (size_t)h,
				      "%s%02x", i ? " " : "", row[i]);
			ascii[i] = (row[i] >= 0x20 && row[i] < 0x7f) ?
					   (char)row[i] :
					   '.';
		}
		ascii[n] = 0;
		pr_err("%0*lx: %-49s%s\n", w, (unsigned long)row, hex, ascii);
	}
}

static void check_poison_mem(unsigned char *mem)
{
	const unsigned long pattern = 0x0101010101010101UL * PAGE_POISON;
	const unsigned long *w = (const unsigned long *)mem;
	unsigned char *start = NULL, *end;
	unsigned char error;
	unsigned long i;

	/* A word at a time: this runs on every allocation of a poisoned page. */
	for (i = 0; i < PAGE_SIZE / sizeof(long); i++)
		if (w[i] != pattern)
			break;
	if (i == PAGE_SIZE / sizeof(long))
		return;
	for (start = mem + i * sizeof(long); *start == PAGE_POISON; start++)
		;
	for (end = mem + PAGE_SIZE - 1; end > start; end--)
		if (*end != PAGE_POISON)
			break;
	error = *start ^ PAGE_POISON;
	if (start == end && !(error & (error - 1)))
		pr_err("pagealloc: single bit error\n");
	else
		pr_err("pagealloc: memory corruption\n");
	hex_dump(start, end);
	dump_stack();
}

static void unpoison_pages(struct page *page, unsigned long nr)
{
	unsigned long i, pfn = page_to_pfn(page);

	for (i = 0; i < nr; i++) {
		void *addr;

		if (!pfn_bit(poisoned, pfn + i))
			continue;
		addr = kmap_local_page(page + i);
		check_poison_mem(addr);
		kunmap_local(addr);
		pfn_set(poisoned, pfn + i, false);
	}
}

/* A forked child's copy of RAM leaves the free frames out (arch/x86/fork.c):
 * they read zero there, no longer PAGE_POISON. */
static void page_poison_fork_child(void)
{
	if (poisoned)
		memset(poisoned, 0,
		       (max_pfn + BITS_LONG - 1) / BITS_LONG * sizeof(long));
}

__attribute__((constructor)) static void page_poison_atfork(void)
{
	pthread_atfork(NULL, NULL, page_poison_fork_child);
}

static void poison_pages(struct page *page, unsigned long nr)
{
	unsigned long i, pfn = page_to_pfn(page);

	fill_pages(page, nr, PAGE_POISON);
	for (i = 0; i < nr; i++)
		pfn_set(poisoned, pfn + i, true);
}

/* ---- debug_pagealloc ------------------------------------------------------ */

static DEFINE_MUTEX_RANK(dpa_lock, LOCK_RANK_LEAF);
static unsigned long dpa_left_mapped; /* frees refused by the budget */
static bool dpa_warned;

/* The e820 range (in pfns, clamped to low memory) holding pfn. */
static bool direct_range(unsigned long pfn, unsigned long *rs,
			 unsigned long *re)
{
	int i;

	for (i = 0; i < machine.nr_e820; i++) {
		unsigned long s =
			(unsigned long)(machine.e820[i].start >> PAGE_SHIFT);
		unsigned long e =
			(unsigned long)(machine.e820[i].end >> PAGE_SHIFT);

		e = min(e, max_low_pfn);
		if (pfn >= s && pfn < e) {
			*rs = s;
			*re = e;
			return true;
		}
	}
	return false;
}

/* Boundaries between mapped and unmapped neighbours among the pairs touching
 * [start, end) inside [rs, re): each is one host mapping more. */
static long dpa_boundaries(unsigned long start, unsigned long end,
			   unsigned long rs, unsigned long re)
{
	unsigned long i = start > rs ? start - 1 : rs;
	unsigned long last = min(end, re - 1);
	long n = 0;

	for (; i < last; i++)
		n += pfn_bit(unmapped, i) != pfn_bit(unmapped, i + 1);
	return n;
}

/* Unmap (or map back) [pfn, pfn + nr) of the direct map. */
static void dpa_set(unsigned long pfn, unsigned long nr, bool unmap)
{
	unsigned long rs, re, i;
	long before, after;
	int ret;

	if (pfn >= max_low_pfn || !direct_range(pfn, &rs, &re))
		return;
	nr = min(nr, re - pfn);
	mutex_lock_atomic(&dpa_lock);
	if (pfn_bit(unmapped, pfn) == unmap) {
		/* Left mapped by the budget (map back), or already so. */
		mutex_unlock(&dpa_lock);
		return;
	}
	before = dpa_boundaries(pfn, pfn + nr, rs, re);
	for (i = 0; i < nr; i++)
		pfn_set(unmapped, pfn + i, unmap);
	after = dpa_boundaries(pfn, pfn + nr, rs, re);
	if (unmap && !hostmap_charge(HOSTMAP_DEBUG, after - before)) {
		for (i = 0; i < nr; i++)
			pfn_set(unmapped, pfn + i, false);
		dpa_left_mapped += nr;
		if (!dpa_warned) {
			dpa_warned = true;
			pr_warn("debug_pagealloc: %lu host mappings used: freed pages are left mapped\n",
				hostmap_used(HOSTMAP_DEBUG));
		}
		mutex_unlock(&dpa_lock);
		return;
	}
	if (!unmap)
		hostmap_account(HOSTMAP_DEBUG, after - before);
	ret = arch_protect(PAGE_OFFSET + (pfn << PAGE_SHIFT), nr << PAGE_SHIFT,
			   unmap ? PROT_NONE : PROT_READ | PROT_WRITE);
	if (ret) {
		pr_err("debug_pagealloc: cannot %s pfn %#lx: %d\n",
		       unmap ? "unmap" : "map", pfn, ret);
		if (unmap) {
			for (i = 0; i < nr; i++)
				pfn_set(unmapped, pfn + i, false);
			hostmap_account(HOSTMAP_DEBUG, before - after);
		}
	}
	mutex_unlock(&dpa_lock);
}

static enum kmem_fault_result dpa_fault(struct kmem_fault *f)
{
	unsigned long pfn;
	unsigned int err;
	char buf[1024], sym[160];
	int w;

	if (!unmapped || f->address < PAGE_OFFSET ||
	    f->address >= (unsigned long)high_memory)
		return KMEM_FAULT_NOT_MINE;
	pfn = (f->address - PAGE_OFFSET) >> PAGE_SHIFT;
	if (!pfn_bit(unmapped, pfn))
		return KMEM_FAULT_NOT_MINE;
	err = f->write ? 2 : 0; /* not present: the pte is cleared */
	w = machine_is_x86_32() ? 8 : 16;
	snprintf(buf, sizeof(buf),
		 "BUG: unable to handle page fault for address: %0*lx\n"
		 "#PF: supervisor %s access in kernel mode\n"
		 "#PF: error_code(0x%04x) - not-present page\n"
		 "debug_pagealloc: pfn:%#lx is free: not in the direct map\n"
		 "Oops: %04x [#1] SMP DEBUG_PAGEALLOC\n"
		 "CPU: %d PID: %d Comm: %s\n"
		 "RIP: 0010:%s\n",
		 w, f->address, f->write ? "write" : "read", err, pfn, err,
		 raw_smp_processor_id(), kmem_current_pid(),
		 kmem_current_comm(),
		 kmem_symbolize_fast((void *)f->ip, sym, sizeof(sym)));
	kmem_emergency_write(buf);
	return KMEM_FAULT_OOPS;
}

/* At boot: every free page leaves the direct map, as the kernel's
 * memblock_free_all() frees them through free_pages_prepare(). */
static void dpa_unmap_free_pages(void)
{
	unsigned long pfn = 0;

	while (pfn < max_low_pfn) {
		unsigned long start, rs, re;

		if (page_owner(pfn_to_page(pfn)) != KMEM_OWNER_FREE) {
			pfn++;
			continue;
		}
		start = pfn;
		if (!direct_range(pfn, &rs, &re))
			re = pfn + 1;
		while (pfn < re &&
		       page_owner(pfn_to_page(pfn)) == KMEM_OWNER_FREE)
			pfn++;
		dpa_set(start, pfn - start, true);
	}
}

/* ---- page_owner ------------------------------------------------------------ */

#define PAGE_OWNER_ALLOCATED 1
#define DEPOT_SKIP 2 /* save_stack() and page_debug_alloc() */

struct page_owner {
	unsigned short order;
	unsigned short flags;
	gfp_t gfp_mask;
	depot_stack_handle_t handle; /* 0: none */
	int pid, tgid;
	unsigned long long ts_nsec;
	char comm[16];
};

static struct page_owner *page_ext;
static struct timespec boot_ts;

static noinline unsigned int save_stack(void)
{
	void *frames[STACK_DEPOT_FRAMES + DEPOT_SKIP];
	int n = backtrace(frames, STACK_DEPOT_FRAMES + DEPOT_SKIP);

	if (n <= DEPOT_SKIP)
		return 0;
	return stack_depot_save(frames + DEPOT_SKIP,
				(unsigned int)(n - DEPOT_SKIP));
}

static void set_page_owner(struct page *page, unsigned int order, gfp_t gfp)
{
	struct page_owner *po = &page_ext[page_to_pfn(page)];
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	po->order = (unsigned short)order;
	po->gfp_mask = gfp;
	po->handle = save_stack();
	po->pid = po->tgid = kmem_current_pid();
	po->ts_nsec = (unsigned long long)(ts.tv_sec - boot_ts.tv_sec) *
			      1000000000ULL +
		      (unsigned long long)ts.tv_nsec -
		      (unsigned long long)boot_ts.tv_nsec;
	snprintf(po->comm, sizeof(po->comm), "%s", kmem_current_comm());
	__atomic_store_n(&po->flags, PAGE_OWNER_ALLOCATED, __ATOMIC_RELEASE);
}

void page_debug_split(struct page *page, unsigned int order)
{
	struct page_owner *po;
	unsigned long i, pfn = page_to_pfn(page);

	if (!page_ext)
		return;
	po = &page_ext[pfn];
	/* split_page_owner(): every page an order-0 allocation, same stack. */
	for (i = 1; i < (1UL << order); i++)
		page_ext[pfn + i] = *po;
	for (i = 0; i < (1UL << order); i++)
		page_ext[pfn + i].order = 0;
}

static void print_stack(FILE *f, unsigned int handle)
{
	char sym[256];
	unsigned int i, nr;
	void **frames;

	nr = stack_depot_fetch(handle, &frames);
	if (!nr) {
		fprintf(f, " (no stack: the stack depot is full)\n");
		return;
	}
	for (i = 0; i < nr; i++)
		fprintf(f, " %s\n",
			kmem_symbolize(frames[i], sym, sizeof(sym)));
}

static int show_page_owner(const char *name, FILE *f)
{
	unsigned long pfn;
	char gfp[256];

	(void)name;
	kmem_ensure_booted();
	if (!page_ext) {
		fprintf(f, "page_owner is disabled: boot with page_owner=on\n");
		return 0;
	}
	for (pfn = 0; pfn < max_pfn; pfn++) {
		struct page_owner *po = &page_ext[pfn];
		struct page *page = pfn_to_page(pfn);
		unsigned int handle;

		if (!(__atomic_load_n(&po->flags, __ATOMIC_ACQUIRE) &
		      PAGE_OWNER_ALLOCATED))
			continue;
		handle = po->handle;
		fprintf(f,
			"Page allocated via order %u, mask %#x(%s), pid %d, tgid %d (%s), ts %llu ns\n",
			po->order, po->gfp_mask,
			kmem_format_gfp(po->gfp_mask, gfp, sizeof(gfp)),
			po->pid, po->tgid, po->comm, po->ts_nsec);
		fprintf(f,
			"PFN 0x%lx type %s Block %lu type %s Flags %#lx(zone=%s)\n",
			pfn, migratetype_names[gfp_migratetype(po->gfp_mask)],
			pfn >> pageblock_order,
			migratetype_names[get_pageblock_migratetype(page)],
			page->flags & PAGE_FLAGS_MASK, page_zone(page)->name);
		print_stack(f, handle);
		fprintf(f, "\n");
	}
	return 0;
}

struct owner_sum {
	unsigned int handle;
	unsigned long times, pages;
};

static int cmp_sum(const void *a, const void *b)
{
	const struct owner_sum *x = a, *y = b;

	if (x->times != y->times)
		return x->times < y->times ? 1 : -1;
	if (x->pages != y->pages)
		return x->pages < y->pages ? 1 : -1;
	return x->handle < y->handle ? -1 : x->handle > y->handle;
}

/* tools/mm/page_owner_sort --cull=stacktrace: allocations and pages per
 * identical stack, most allocations first. */
static int show_page_owner_sort(const char *name, FILE *f)
{
	struct owner_sum *sum;
	unsigned long pfn, i, n;

	(void)name;
	kmem_ensure_booted();
	if (!page_ext) {
		fprintf(f, "page_owner is disabled: boot with page_owner=on\n");
		return 0;
	}
	n = stack_depot_nr_handles() + 1;
	sum = calloc(n, sizeof(*sum));
	if (!sum)
		return -ENOMEM;
	for (pfn = 0; pfn < max_pfn; pfn++) {
		struct page_owner *po = &page_ext[pfn];
		unsigned int h;

		if (!(__atomic_load_n(&po->flags, __ATOMIC_ACQUIRE) &
		      PAGE_OWNER_ALLOCATED))
			continue;
		h = po->handle < n ? po->handle : 0;
		sum[h].handle = h;
		sum[h].times++;
		sum[h].pages += 1UL << po->order;
	}
	qsort(sum, n, sizeof(*sum), cmp_sum);
	for (i = 0; i < n && sum[i].times; i++) {
		fprintf(f, "%lu times, %lu pages:\n", sum[i].times,
			sum[i].pages);
		print_stack(f, sum[i].handle);
		fprintf(f, "\n");
	}
	free(sum);
	return 0;
}

static const struct kmem_view page_owner_view = { "page_owner", show_page_owner,
						  0 };
static const struct kmem_view page_owner_sort_view = { "page_owner_sort",
						       show_page_owner_sort,
						       0 };

__attribute__((constructor)) static void page_debug_register_views(void)
{
	kmem_register_view(&page_owner_view);
	kmem_register_view(&page_owner_sort_view);
}

/* ---- the hooks ------------------------------------------------------------ */

gfp_t page_debug_alloc(struct page *page, unsigned int order, gfp_t gfp)
{
	unsigned int f = page_debug_flags;
	unsigned long nr = 1UL << order;

	if (f & PAGE_DEBUG_PAGEALLOC)
		dpa_set(page_to_pfn(page), nr, false);
	if (f & PAGE_DEBUG_POISON)
		unpoison_pages(page, nr);
	if (f & PAGE_DEBUG_OWNER)
		set_page_owner(page, order, gfp);
	if (f & PAGE_DEBUG_INIT_ON_FREE)
		return gfp & ~__GFP_ZERO; /* free pages are zero already */
	if (f & PAGE_DEBUG_INIT_ON_ALLOC)
		return gfp | __GFP_ZERO;
	return gfp;
}

void page_debug_free(struct page *page, unsigned int order)
{
	unsigned int f = page_debug_flags;
	unsigned long nr = 1UL << order;

	if (f & PAGE_DEBUG_OWNER)
		__atomic_store_n(&page_ext[page_to_pfn(page)].flags, 0,
				 __ATOMIC_RELEASE);
	if (f & PAGE_DEBUG_POISON)
		poison_pages(page, nr);
	else if (f & PAGE_DEBUG_INIT_ON_FREE)
		fill_pages(page, nr, 0);
	if (f & PAGE_DEBUG_PAGEALLOC)
		dpa_set(page_to_pfn(page), nr, true);
}

unsigned long page_debug_left_mapped(void)
{
	return __atomic_load_n(&dpa_left_mapped, __ATOMIC_RELAXED);
}

/* ---- boot ---------------------------------------------------------------- */

void page_debug_init(void)
{
	unsigned int f = page_debug_want;

	page_debug_want = 0; /* the next boot reads its own command line */
	page_debug_flags = 0;
	if ((f & PAGE_DEBUG_POISON) &&
	    (f & (PAGE_DEBUG_INIT_ON_ALLOC | PAGE_DEBUG_INIT_ON_FREE))) {
		pr_info("mem auto-init: CONFIG_PAGE_POISONING is on, will take precedence over init_on_alloc and init_on_free\n");
		f &= ~(PAGE_DEBUG_INIT_ON_ALLOC | PAGE_DEBUG_INIT_ON_FREE);
	}
	if (f & PAGE_DEBUG_OWNER) {
		unsigned long bytes = max_pfn * sizeof(struct page_owner);
		phys_addr_t phys = memblock_phys_alloc(bytes, PAGE_SIZE,
						       (phys_addr_t)max_low_pfn
							       << PAGE_SHIFT);

		if (!phys || stack_depot_init()) {
			pr_err("page_owner: no memory for page_ext: disabled\n");
			f &= ~PAGE_DEBUG_OWNER;
		} else {
			page_ext = __va(phys);
			memset(page_ext, 0, bytes);
			clock_gettime(CLOCK_MONOTONIC, &boot_ts);
			if (!kmem_cfg.quiet)
				pr_info("allocated %lu bytes of page_ext\n",
					bytes);
		}
	}
	if (f & PAGE_DEBUG_POISON) {
		poisoned = bitmap_alloc();
		if (!poisoned)
			f &= ~PAGE_DEBUG_POISON;
	}
	if (f & PAGE_DEBUG_PAGEALLOC) {
		unmapped = bitmap_alloc();
		if (!unmapped)
			f &= ~PAGE_DEBUG_PAGEALLOC;
	}
	if (!kmem_cfg.quiet) {
		pr_info("mem auto-init: stack:off, heap alloc:%s, heap free:%s\n",
			(f & PAGE_DEBUG_INIT_ON_ALLOC) ? "on" : "off",
			(f & PAGE_DEBUG_INIT_ON_FREE) ? "on" : "off");
		if (f & PAGE_DEBUG_INIT_ON_FREE)
			pr_info("mem auto-init: clearing system memory may take some time...\n");
	}
	page_debug_flags = f;
}

KMEM_HOOK(dpa_fault_hook, dpa_fault, 0);

void page_debug_init_late(void)
{
	if (!(page_debug_flags & PAGE_DEBUG_PAGEALLOC))
		return;
	dpa_left_mapped = 0;
	dpa_warned = false;
	hostmap_debug_pagealloc();
	kmem_register_fault_handler(&dpa_fault_hook);
	dpa_unmap_free_pages();
}

void page_debug_exit(void)
{
	kmem_unregister_fault_handler(&dpa_fault_hook);
	page_debug_flags = 0;
	page_debug_want = 0;
	/* The direct map goes with the machine's reservation. */
	free(unmapped);
	unmapped = NULL;
	free(poisoned);
	poisoned = NULL;
	page_ext = NULL;
}
