// SPDX-License-Identifier: MIT
/*
 * KFENCE: the kernel's sampling detector of out-of-bounds accesses,
 * use-after-free and invalid frees (mm/kfence/core.c and report.c).
 *
 * 1. The pool. At boot (an initcall after the slab layer) KFENCE takes
 *    2 * (kfence.num_objects + 1) contiguous pages of low memory from the
 *    buddy allocator (the kernel's late initialisation; the pool must fit one
 *    buddy block, so at most 511 objects). Page 2i + 2 holds object i, the
 *    odd pages are guard pages and pages 0 and 1 are guards too (an even
 *    count keeps "address to object" a division). Guard pages, and the page
 *    of every object that is not allocated, are PROT_NONE in the host's
 *    mapping of the direct map (arch_protect()): an access to them is a real
 *    MMU fault. Object pages are PGTY_slab pages whose struct slab says
 *    objects = 0, so kfree() and kmem_cache_free() find a slab, fail the
 *    fast path's "object start" test and reach slab_free_slow(), whose first
 *    test sends them here (__kfence_free): the free fast path pays nothing,
 *    as in the kernel (kfence_free() in __slab_free()).
 *
 * 2. Sampling. The slab allocation entry points (mm/slab_common.c) test one
 *    word, kfence_armed, and only if it is set call kfence_alloc_slow(),
 *    which takes the gate (an atomic exchange: one allocation per arming) and
 *    serves the allocation from the pool, or falls back to the slab fast
 *    path. A timer thread arms the word every kfence.sample_interval ms (the
 *    kernel's delayed work toggling a static key). In kmem's deterministic
 *    mode (kfence.sample_every=N or kmem_kfence_sample_every(N)) the word
 *    stays armed and a countdown picks every N-th allocation; there is no
 *    timer. Allocations larger than a page, or for DMA/HighMem/movable
 *    zones or DMA caches, are skipped ("skipped allocations (incompatible)").
 *
 * 3. Layout of an object. At random the object is placed at the left edge
 *    of its page or at the right edge (PAGE_SIZE - size, aligned down to the
 *    cache's alignment); the rest of the page is filled with the canary,
 *    0xaa ^ (address & 7). The object's size is the size asked for (the
 *    kmalloc size, or the cache's object_size), which ksize() returns.
 *
 * 4. Errors. A fault in the pool (kfence_fault, a handler of the machine's
 *    SIGSEGV dispatch): in a guard page it is an out-of-bounds access of the
 *    nearest allocated neighbour, in an object page a use-after-free, in
 *    page 0 an invalid access. The report is printed, the page is made
 *    accessible and the faulting instruction restarted: the access
 *    completes, as the kernel's kfence_handle_page_fault() lets it go on
 *    (a guard page opened that way is closed again when its object is
 *    freed). A free of anything but the start of an allocated object is an
 *    invalid free (nothing is freed); at every free the canary bytes are
 *    checked and a damaged one is reported as memory corruption.
 *
 * 5. Views: kmem_show("kfence/stats") and ("kfence/objects"), in the
 *    formats of /sys/kernel/debug/kfence/.
 *
 * Locking: freelist_lock (leaf) guards the free object list; each object's
 * lock its state and tracks (reports are printed under it, as the kernel).
 * The fault handler runs in the faulting thread's signal handler: it takes
 * only these locks and printk's.
 */
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <kmem/cmdline.h>
#include <kmem/show.h>
#include "arch/x86/machine.h"
#include "kernel/internal.h"
#include "mm/internal.h"
#include "mm/kfence.h"
#include "mm/slab.h"

#define KFENCE_STACK_DEPTH 64
#define KFENCE_MAX_OBJECTS 511 /* the pool is one buddy block (order 10) */
#define KFENCE_CANARY_PATTERN_U8(addr) \
	((u8)0xaa ^ (u8)((unsigned long)(addr)&0x7))

char *__kfence_pool;
unsigned long __kfence_pool_size;
int kfence_armed; /* the gate word the allocation paths test */

/* ---- the command line ------------------------------------------------------ */

static unsigned long want_interval;	 /* kfence.sample_interval (ms) */
static unsigned long want_objects = 255; /* kfence.num_objects */
static unsigned long want_every;	 /* kfence.sample_every */

static int parse_ulong(const char *val, unsigned long *out)
{
	char *end;
	unsigned long n;

	if (!val || !*val)
		return -EINVAL;
	errno = 0;
	n = strtoul(val, &end, 0);
	if (errno || *end || *val == '-')
		return -EINVAL;
	*out = n;
	return 0;
}

static int early_kfence_sample_interval(const char *val)
{
	return parse_ulong(val, &want_interval);
}
KMEM_EARLY_PARAM("kfence.sample_interval", early_kfence_sample_interval)

static int early_kfence_num_objects(const char *val)
{
	unsigned long n;

	if (parse_ulong(val, &n) || !n)
		return -EINVAL;
	want_objects = n;
	return 0;
}
KMEM_EARLY_PARAM("kfence.num_objects", early_kfence_num_objects)

static int early_kfence_sample_every(const char *val)
{
	return parse_ulong(val, &want_every);
}
KMEM_EARLY_PARAM("kfence.sample_every", early_kfence_sample_every)

/* ---- data ---------------------------------------------------------------- */

enum kfence_object_state {
	KFENCE_OBJECT_UNUSED,
	KFENCE_OBJECT_ALLOCATED,
	KFENCE_OBJECT_FREED,
};

enum kfence_error_type {
	KFENCE_ERROR_OOB,
	KFENCE_ERROR_UAF,
	KFENCE_ERROR_CORRUPTION,
	KFENCE_ERROR_INVALID,
	KFENCE_ERROR_INVALID_FREE,
};

struct kfence_track {
	int pid, cpu;
	int num_stack_entries;
	unsigned long long ts_nsec; /* since boot */
	void *stack_entries[KFENCE_STACK_DEPTH];
};

struct kfence_metadata {
	struct list_head list; /* on the freelist when not allocated */
	spinlock_t lock;
	enum kfence_object_state state;
	unsigned long addr; /* the object (its page's address if unused) */
	size_t size;
	struct kmem_cache *cache;
	unsigned long unprotected_page; /* a guard page opened by an OOB */
	struct kfence_track alloc_track, free_track;
};

static struct kfence_metadata *kfence_metadata;
static unsigned long nr_objects;
static struct page *pool_pages;
static unsigned int pool_order;
static LIST_HEAD(kfence_freelist);
static DEFINE_SPINLOCK_RANK(freelist_lock, LOCK_RANK_LEAF);
static bool kfence_enabled;
static unsigned long sample_interval; /* ms; 0: no timer */
static unsigned long sample_every;    /* 0: the timer's mode */
static long countdown; /* atomic: allocations to the next sample */
static unsigned long long rnd_state; /* atomic */
static struct timespec boot_ts;

enum kfence_counter_id {
	KFENCE_COUNTER_ALLOCATED,
	KFENCE_COUNTER_ALLOCS,
	KFENCE_COUNTER_FREES,
	KFENCE_COUNTER_ZOMBIES,
	KFENCE_COUNTER_BUGS,
	KFENCE_COUNTER_SKIP_INCOMPAT,
	KFENCE_COUNTER_SKIP_CAPACITY,
	KFENCE_COUNTER_SKIP_COVERED,
	KFENCE_COUNTER_COUNT,
};
static long counters[KFENCE_COUNTER_COUNT]; /* atomics */
static const char *const counter_names[] = {
	[KFENCE_COUNTER_ALLOCATED] = "currently allocated",
	[KFENCE_COUNTER_ALLOCS] = "total allocations",
	[KFENCE_COUNTER_FREES] = "total frees",
	[KFENCE_COUNTER_ZOMBIES] = "zombie allocations",
	[KFENCE_COUNTER_BUGS] = "total bugs",
	[KFENCE_COUNTER_SKIP_INCOMPAT] = "skipped allocations (incompatible)",
	[KFENCE_COUNTER_SKIP_CAPACITY] = "skipped allocations (capacity)",
	[KFENCE_COUNTER_SKIP_COVERED] = "skipped allocations (covered)",
};

static inline void count(enum kfence_counter_id id, long n)
{
	__atomic_fetch_add(&counters[id], n, __ATOMIC_RELAXED);
}

static unsigned long long now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)(ts.tv_sec - boot_ts.tv_sec) *
		       1000000000ULL +
	       (unsigned long long)ts.tv_nsec -
	       (unsigned long long)boot_ts.tv_nsec;
}

/* A random bit (splitmix64 of a counter): left or right. */
static bool random_bit(void)
{
	unsigned long long z = __atomic_add_fetch(
		&rnd_state, 0x9e3779b97f4a7c15ULL, __ATOMIC_RELAXED);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) & 1;
}

/* ---- addresses ------------------------------------------------------------- */

static struct kfence_metadata *addr_to_metadata(unsigned long addr)
{
	long index;

	if (!is_kfence_address((void *)addr))
		return NULL;
	index = (long)((addr - (unsigned long)__kfence_pool) /
		       (PAGE_SIZE * 2)) -
		1;
	if (index < 0 || (unsigned long)index >= nr_objects)
		return NULL;
	return &kfence_metadata[index];
}

static unsigned long metadata_to_pageaddr(const struct kfence_metadata *meta)
{
	return (unsigned long)__kfence_pool +
	       (unsigned long)(meta - kfence_metadata + 1) * PAGE_SIZE * 2;
}

static bool kfence_protect_page(unsigned long addr, bool protect)
{
	int ret = arch_protect(ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE,
			       protect ? PROT_NONE : PROT_READ | PROT_WRITE);

	if (ret) {
		pr_err("kfence: cannot %s page %#lx: %d\n",
		       protect ? "protect" : "unprotect", addr, ret);
		WRITE_ONCE(kfence_enabled, false);
		return false;
	}
	return true;
}

/* ---- stacks and reports ----------------------------------------------------- */

static noinline int save_stack(void **entries)
{
	int n = backtrace(entries, KFENCE_STACK_DEPTH);

	return n > 0 ? n : 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * The first entry outside the allocator (get_stack_skipnr()): past the last
 * KFENCE function and the entry point of the allocator that called it.
 */
static int get_stack_skipnr(void *const *entries, int n)
{
	int skipnr, fallback = 0;
	char buf[160];

	for (skipnr = 0; skipnr < n; skipnr++) {
		kmem_symbolize_fast(entries[skipnr], buf, sizeof(buf));
		/* kfree_slow: kfree's own slow path (KFENCE's pages are not
		 * in the free fast path's slab map), a frame of its own where
		 * it is not a tail call (-O0). */
		if (has_prefix(buf, "kfence_") ||
		    has_prefix(buf, "__kfence_") ||
		    has_prefix(buf, "save_stack") ||
		    has_prefix(buf, "slab_free_slow") ||
		    has_prefix(buf, "kfree_slow")) {
			fallback = skipnr + 1;
			continue;
		}
		if (has_prefix(buf, "kfree") ||
		    has_prefix(buf, "kmem_cache_free") ||
		    has_prefix(buf, "__kmalloc") ||
		    has_prefix(buf, "krealloc") ||
		    has_prefix(buf, "kmem_cache_alloc"))
			return skipnr + 1 < n ? skipnr + 1 : 0;
	}
	return fallback < n ? fallback : 0;
}

/* To a view's file, or to the log at KERN_ERR. */
static void __attribute__((format(printf, 2, 3)))
seq_con_printf(FILE *seq, const char *fmt, ...)
{
	char buf[512];
	va_list args;

	va_start(args, fmt);
	if (seq) {
		vfprintf(seq, fmt, args);
	} else {
		vsnprintf(buf, sizeof(buf), fmt, args);
		pr_err("%s", buf);
	}
	va_end(args);
}

static int addr_width(void)
{
	return machine_is_x86_32() ? 8 : 16;
}

static void print_stack_entries(FILE *seq, void *const *entries, int n)
{
	char sym[256];
	int i;

	for (i = 0; i < n; i++)
		seq_con_printf(seq, " %s\n",
			       kmem_symbolize_fast(entries[i], sym,
						   sizeof(sym)));
}

static void kfence_print_stack(FILE *seq, const struct kfence_metadata *meta,
			       bool show_alloc)
{
	const struct kfence_track *track = show_alloc ? &meta->alloc_track :
							&meta->free_track;
	unsigned long long ts = track->ts_nsec, ago = now_nsec() - ts;

	seq_con_printf(
		seq,
		"%s by task %d on cpu %d at %llu.%06llus (%llu.%06llus ago):\n",
		show_alloc ? "allocated" : "freed", track->pid, track->cpu,
		ts / 1000000000ULL, ts % 1000000000ULL / 1000,
		ago / 1000000000ULL, ago % 1000000000ULL / 1000);
	if (track->num_stack_entries) {
		int i = get_stack_skipnr(track->stack_entries,
					 track->num_stack_entries);

		print_stack_entries(seq, track->stack_entries + i,
				    track->num_stack_entries - i);
	} else {
		seq_con_printf(seq, " no %s stack\n",
			       show_alloc ? "allocation" : "deallocation");
	}
}

static void kfence_print_object(FILE *seq, const struct kfence_metadata *meta)
{
	const unsigned long start = meta->addr;
	const struct kmem_cache *cache = meta->cache;
	int w = addr_width();

	if (meta->state == KFENCE_OBJECT_UNUSED) {
		seq_con_printf(seq, "kfence-#%td unused\n",
			       meta - kfence_metadata);
		return;
	}
	seq_con_printf(seq,
		       "kfence-#%td: 0x%0*lx-0x%0*lx, size=%d, cache=%s\n\n",
		       meta - kfence_metadata, w, start, w,
		       start + meta->size - 1, (int)meta->size,
		       cache ? cache->name : "<destroyed>");
	kfence_print_stack(seq, meta, true);
	if (meta->state == KFENCE_OBJECT_FREED) {
		seq_con_printf(seq, "\n");
		kfence_print_stack(seq, meta, false);
	}
}

/* The bytes at address that differ from the canary, up to 16, without
 * showing the object or reading into the next page. */
static void print_diff_canary(unsigned long address, size_t bytes_to_show,
			      const struct kfence_metadata *meta)
{
	const unsigned long show_until = address + bytes_to_show;
	const u8 *cur, *end;

	end = (const u8 *)(address < meta->addr ?
				   min(show_until, meta->addr) :
				   min(show_until, PAGE_ALIGN(address + 1)));
	pr_cont("[");
	for (cur = (const u8 *)address; cur < end; cur++) {
		if (*cur == KFENCE_CANARY_PATTERN_U8(cur))
			pr_cont(" .");
		else
			pr_cont(" !");
	}
	pr_cont(" ]");
}

static const char *access_type(bool is_write)
{
	return is_write ? "write" : "read";
}

/*
 * The report. fault is the faulting access (its stack starts at the
 * faulting instruction), or NULL for errors found by a free (the stack
 * starts at the caller of kfree()). Called with meta->lock held, if meta.
 */
static void kfence_report_error(unsigned long address, bool is_write,
				const struct kmem_fault *fault,
				const struct kfence_metadata *meta,
				enum kfence_error_type type)
{
	void *entries[KFENCE_STACK_DEPTH];
	long index = meta ? meta - kfence_metadata : -1;
	int n = save_stack(entries), skipnr = 0, i, w = addr_width();
	char fn[256];

	if (fault) {
		/* The signal frame's return address is the faulting
		 * instruction itself. */
		for (i = 0; i < n; i++)
			if ((unsigned long)entries[i] == fault->ip)
				break;
		skipnr = i < n ? i : 0;
	} else {
		skipnr = get_stack_skipnr(entries, n);
	}
	if (n)
		kmem_symbolize_fast(entries[skipnr], fn, sizeof(fn));
	else
		snprintf(fn, sizeof(fn), "0x0");

	pr_err("==================================================================\n");
	switch (type) {
	case KFENCE_ERROR_OOB: {
		const bool left = address < meta->addr;

		pr_err("BUG: KFENCE: out-of-bounds %s in %s\n\n",
		       access_type(is_write), fn);
		pr_err("Out-of-bounds %s at 0x%0*lx (%luB %s of kfence-#%ld):\n",
		       access_type(is_write), w, address,
		       left ? meta->addr - address : address - meta->addr,
		       left ? "left" : "right", index);
		break;
	}
	case KFENCE_ERROR_UAF:
		pr_err("BUG: KFENCE: use-after-free %s in %s\n\n",
		       access_type(is_write), fn);
		pr_err("Use-after-free %s at 0x%0*lx (in kfence-#%ld):\n",
		       access_type(is_write), w, address, index);
		break;
	case KFENCE_ERROR_CORRUPTION:
		pr_err("BUG: KFENCE: memory corruption in %s\n\n", fn);
		pr_err("Corrupted memory at 0x%0*lx ", w, address);
		print_diff_canary(address, 16, meta);
		pr_cont(" (in kfence-#%ld):\n", index);
		break;
	case KFENCE_ERROR_INVALID:
		pr_err("BUG: KFENCE: invalid %s in %s\n\n",
		       access_type(is_write), fn);
		pr_err("Invalid %s at 0x%0*lx:\n", access_type(is_write), w,
		       address);
		break;
	case KFENCE_ERROR_INVALID_FREE:
		pr_err("BUG: KFENCE: invalid free in %s\n\n", fn);
		pr_err("Invalid free of 0x%0*lx (in kfence-#%ld):\n", w,
		       address, index);
		break;
	}
	print_stack_entries(NULL, entries + skipnr, n - skipnr);
	if (meta) {
		pr_err("\n");
		kfence_print_object(NULL, meta);
	}
	pr_err("\n");
	pr_err("CPU: %d PID: %d Comm: %s\n", raw_smp_processor_id(),
	       kmem_current_pid(), kmem_current_comm());
	pr_err("==================================================================\n");
}

/* ---- allocation and free ---------------------------------------------------- */

static void metadata_update_state(struct kfence_metadata *meta,
				  enum kfence_object_state next,
				  void *const *entries, int n)
{
	struct kfence_track *track = next == KFENCE_OBJECT_FREED ?
					     &meta->free_track :
					     &meta->alloc_track;

	if (entries) {
		memcpy(track->stack_entries, entries,
		       (size_t)n * sizeof(void *));
		track->num_stack_entries = n;
	} else {
		track->num_stack_entries = save_stack(track->stack_entries);
	}
	track->pid = kmem_current_pid();
	track->cpu = raw_smp_processor_id();
	track->ts_nsec = now_nsec();
	__atomic_store_n(&meta->state, next, __ATOMIC_RELEASE);
}

static bool check_canary_byte(u8 *addr)
{
	struct kfence_metadata *meta;

	if (likely(*addr == KFENCE_CANARY_PATTERN_U8(addr)))
		return true;
	count(KFENCE_COUNTER_BUGS, 1);
	meta = addr_to_metadata((unsigned long)addr);
	spin_lock(&meta->lock);
	kfence_report_error((unsigned long)addr, false, NULL, meta,
			    KFENCE_ERROR_CORRUPTION);
	spin_unlock(&meta->lock);
	return false;
}

static bool set_canary_byte(u8 *addr)
{
	*addr = KFENCE_CANARY_PATTERN_U8(addr);
	return true;
}

/* fn on each canary byte, left of the object then right of it; a side stops
 * at the first false (the other side is still done). */
static void for_each_canary(const struct kfence_metadata *meta,
			    bool (*fn)(u8 *))
{
	const unsigned long pageaddr = ALIGN_DOWN(meta->addr, PAGE_SIZE);
	unsigned long addr;

	for (addr = pageaddr; addr < meta->addr; addr++)
		if (!fn((u8 *)addr))
			break;
	for (addr = meta->addr + meta->size; addr < pageaddr + PAGE_SIZE;
	     addr++)
		if (!fn((u8 *)addr))
			break;
}

static void *kfence_guarded_alloc(struct kmem_cache *s, size_t size, gfp_t gfp,
				  void *const *entries, int n)
{
	struct kfence_metadata *meta = NULL;
	struct slab *slab;
	void *addr;

	spin_lock(&freelist_lock);
	if (!list_empty(&kfence_freelist)) {
		meta = list_entry(kfence_freelist.next, struct kfence_metadata,
				  list);
		list_del_init(&meta->list);
	}
	spin_unlock(&freelist_lock);
	if (!meta) {
		count(KFENCE_COUNTER_SKIP_CAPACITY, 1);
		return NULL;
	}
	if (unlikely(!spin_trylock(&meta->lock))) {
		/* Being reported on (the report allocated): put it back. */
		spin_lock(&freelist_lock);
		list_add_tail(&meta->list, &kfence_freelist);
		spin_unlock(&freelist_lock);
		return NULL;
	}
	meta->addr = metadata_to_pageaddr(meta);
	/* Open the page: unused and freed object pages are closed. */
	kfence_protect_page(meta->addr, false);
	if (random_bit()) {
		/* The right edge of the page, at the cache's alignment. */
		meta->addr += PAGE_SIZE - size;
		meta->addr = ALIGN_DOWN(meta->addr,
					(unsigned long)max(s->align, 1u));
	}
	addr = (void *)meta->addr;
	metadata_update_state(meta, KFENCE_OBJECT_ALLOCATED, entries, n);
	WRITE_ONCE(meta->cache, s);
	meta->size = size;
	spin_unlock(&meta->lock);

	/* The page's struct slab: found by kfree(), never an object start. */
	slab = (struct slab *)virt_to_page(addr);
	__atomic_store_n(&slab->slab_cache, s, __ATOMIC_RELEASE);

	for_each_canary(meta, set_canary_byte);
	if (gfp & __GFP_ZERO)
		memset(addr, 0, size);
	if (s->ctor)
		s->ctor(addr);
	count(KFENCE_COUNTER_ALLOCATED, 1);
	count(KFENCE_COUNTER_ALLOCS, 1);
	return addr;
}

static void *__kfence_alloc(struct kmem_cache *s, size_t size, gfp_t gfp)
{
	void *entries[KFENCE_STACK_DEPTH];
	int n;

	if (size > PAGE_SIZE || (gfp & GFP_ZONEMASK) ||
	    (s->flags & (SLAB_CACHE_DMA | SLAB_CACHE_DMA32))) {
		count(KFENCE_COUNTER_SKIP_INCOMPAT, 1);
		return NULL;
	}
	if (READ_ONCE(sample_every)) {
		if (__atomic_sub_fetch(&countdown, 1, __ATOMIC_RELAXED) > 0)
			return NULL;
		__atomic_store_n(&countdown, (long)READ_ONCE(sample_every),
				 __ATOMIC_RELAXED);
	} else if (!__atomic_exchange_n(&kfence_armed, 0, __ATOMIC_RELAXED)) {
		return NULL; /* another allocation took this period's sample */
	}
	if (!READ_ONCE(kfence_enabled))
		return NULL;
	n = save_stack(entries);
	return kfence_guarded_alloc(s, size, gfp, entries, n);
}

/* The slab allocation paths come here while kfence_armed is set: a sample,
 * or the ordinary allocation. */
noinline void *kfence_alloc_slow(struct kmem_cache *s, size_t size, gfp_t gfp)
{
	void *p;

	if (unlikely(kmem_fault_active) && should_failslab(s, gfp))
		return NULL;
	p = __kfence_alloc(s, size ? size : s->object_size, gfp);
	if (p)
		return p;
	return __slab_alloc_fast(s, gfp, size);
}

static void kfence_guarded_free(void *addr, struct kfence_metadata *meta,
				bool zombie)
{
	spin_lock(&meta->lock);
	if (meta->state != KFENCE_OBJECT_ALLOCATED ||
	    meta->addr != (unsigned long)addr) {
		/* A double free or a free of an address inside the object. */
		count(KFENCE_COUNTER_BUGS, 1);
		kfence_report_error((unsigned long)addr, false, NULL, meta,
				    KFENCE_ERROR_INVALID_FREE);
		spin_unlock(&meta->lock);
		return;
	}
	if (meta->unprotected_page) {
		/* Close the guard page an out-of-bounds access opened. */
		memset((void *)ALIGN_DOWN(meta->unprotected_page, PAGE_SIZE), 0,
		       PAGE_SIZE);
		kfence_protect_page(meta->unprotected_page, true);
		meta->unprotected_page = 0;
	}
	metadata_update_state(meta, KFENCE_OBJECT_FREED, NULL, 0);
	spin_unlock(&meta->lock);

	for_each_canary(meta, check_canary_byte);
	kfence_protect_page((unsigned long)addr, true);
	if (!zombie) {
		spin_lock(&freelist_lock);
		list_add_tail(&meta->list, &kfence_freelist);
		spin_unlock(&freelist_lock);
		count(KFENCE_COUNTER_ALLOCATED, -1);
		count(KFENCE_COUNTER_FREES, 1);
	} else {
		count(KFENCE_COUNTER_ZOMBIES, 1);
	}
}

/* From slab_free_slow(): addr is in the pool. */
void __kfence_free(void *addr)
{
	struct kfence_metadata *meta = addr_to_metadata((unsigned long)addr);

	if (!meta) {
		/* Not an object page: the free paths never get here. */
		WARN_ON_ONCE(1);
		return;
	}
	kfence_guarded_free(addr, meta, false);
}

size_t kfence_ksize(const void *addr)
{
	const struct kfence_metadata *meta =
		addr_to_metadata((unsigned long)addr);

	return meta ? meta->size : 0;
}

void *kfence_object_start(const void *addr)
{
	const struct kfence_metadata *meta =
		addr_to_metadata((unsigned long)addr);

	return meta ? (void *)meta->addr : NULL;
}

/* ---- faults ------------------------------------------------------------------ */

static enum kmem_fault_result kfence_fault(struct kmem_fault *f)
{
	unsigned long addr = f->address;
	struct kfence_metadata *to_report = NULL;
	enum kfence_error_type type = KFENCE_ERROR_INVALID;
	long page_index;

	if (!is_kfence_address((void *)addr))
		return KMEM_FAULT_NOT_MINE;
	if (!READ_ONCE(kfence_enabled))
		goto out;
	count(KFENCE_COUNTER_BUGS, 1);
	page_index = (long)((addr - (unsigned long)__kfence_pool) / PAGE_SIZE);
	if (page_index % 2) {
		/* A guard page: the nearest allocated neighbour overflowed. */
		struct kfence_metadata *meta;
		unsigned long distance = 0;

		meta = addr_to_metadata(addr - PAGE_SIZE);
		if (meta && READ_ONCE(meta->state) == KFENCE_OBJECT_ALLOCATED) {
			to_report = meta;
			distance = addr - (meta->addr + meta->size);
		}
		meta = addr_to_metadata(addr + PAGE_SIZE);
		if (meta && READ_ONCE(meta->state) == KFENCE_OBJECT_ALLOCATED) {
			if (!to_report || distance > meta->addr - addr)
				to_report = meta;
		}
		if (to_report) {
			spin_lock(&to_report->lock);
			to_report->unprotected_page = addr;
			type = KFENCE_ERROR_OOB;
		}
	} else {
		to_report = addr_to_metadata(addr);
		if (to_report) {
			spin_lock(&to_report->lock);
			type = KFENCE_ERROR_UAF;
		}
	}
	kfence_report_error(addr, f->write, f, to_report, type);
	if (to_report)
		spin_unlock(&to_report->lock);
out:
	/* Open the page and let the access go on. */
	if (!kfence_protect_page(addr, false))
		return KMEM_FAULT_OOPS;
	return KMEM_FAULT_HANDLED;
}

/* ---- the timer ---------------------------------------------------------------- */

static DEFINE_MUTEX_RANK(timer_lock, LOCK_RANK_KFENCE_TIMER);
static pthread_cond_t timer_cond;
static pthread_t timer_thread;
static bool timer_running, timer_stop;

static void *kfence_timer(void *arg)
{
	(void)arg;
	mutex_lock_atomic(&timer_lock);
	while (!timer_stop) {
		struct timespec ts;
		unsigned long ms = READ_ONCE(sample_interval);

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(ms / 1000);
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		mutex_cond_timedwait(&timer_cond, &timer_lock, &ts);
		/* toggle_allocation_gate(): let one allocation through. */
		if (!timer_stop && READ_ONCE(kfence_enabled) &&
		    !READ_ONCE(sample_every))
			__atomic_store_n(&kfence_armed, 1, __ATOMIC_RELAXED);
	}
	mutex_unlock(&timer_lock);
	return NULL;
}

static void timer_start(void)
{
	pthread_condattr_t attr;
	sigset_t all, old;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &attr);
	pthread_condattr_destroy(&attr);
	timer_stop = false;
	/* The timer takes none of the program's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	timer_running =
		!pthread_create(&timer_thread, NULL, kfence_timer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!timer_running)
		pr_err("kfence: cannot start the sampling timer\n");
}

static void timer_halt(void)
{
	if (!timer_running)
		return;
	mutex_lock_atomic(&timer_lock);
	timer_stop = true;
	pthread_cond_signal(&timer_cond);
	mutex_unlock(&timer_lock);
	pthread_join(timer_thread, NULL);
	pthread_cond_destroy(&timer_cond);
	timer_running = false;
}

static void kfence_fork_prepare(void)
{
	mutex_lock_atomic(&timer_lock);
}

static void kfence_fork_parent(void)
{
	mutex_unlock(&timer_lock);
}

/* Only the forking thread goes on in the child: a new timer. */
static void kfence_fork_child(void)
{
	mutex_unlock(&timer_lock);
	if (!timer_running)
		return;
	timer_running = false;
#ifndef KMEM_TSAN
	timer_start();
#endif
}
KMEM_FORK_HOOKS(90, kfence_fork_prepare, kfence_fork_parent, kfence_fork_child)

int kmem_kfence_sample_every(unsigned long n)
{
	if (!__kfence_pool)
		return -ENODEV;
	WRITE_ONCE(sample_every, n);
	__atomic_store_n(&countdown, (long)n, __ATOMIC_RELAXED);
	__atomic_store_n(&kfence_armed, n ? 1 : 0, __ATOMIC_RELAXED);
	return 0;
}

/* ---- views ---------------------------------------------------------------------- */

static int show_stats(const char *name, FILE *f)
{
	int i;

	(void)name;
	kmem_ensure_booted();
	fprintf(f, "enabled: %i\n", READ_ONCE(kfence_enabled) ? 1 : 0);
	for (i = 0; i < KFENCE_COUNTER_COUNT; i++)
		fprintf(f, "%s: %ld\n", counter_names[i],
			__atomic_load_n(&counters[i], __ATOMIC_RELAXED));
	return 0;
}

static int show_objects(const char *name, FILE *f)
{
	unsigned long i;

	(void)name;
	kmem_ensure_booted();
	for (i = 0; i < nr_objects; i++) {
		struct kfence_metadata *meta = &kfence_metadata[i];

		spin_lock(&meta->lock);
		kfence_print_object(f, meta);
		spin_unlock(&meta->lock);
		fprintf(f, "---------------------------------\n");
	}
	return 0;
}

static const struct kmem_view stats_view = { "kfence/stats", show_stats, 0 };
static const struct kmem_view objects_view = { "kfence/objects", show_objects,
					       0 };

__attribute__((constructor)) static void kfence_register_views(void)
{
	kmem_register_view(&stats_view);
	kmem_register_view(&objects_view);
}

/* ---- boot and halt ---------------------------------------------------------------- */

static void set_pool_protection(bool protect)
{
	arch_protect((unsigned long)__kfence_pool, __kfence_pool_size,
		     protect ? PROT_NONE : PROT_READ | PROT_WRITE);
}

KMEM_HOOK(kfence_fault_hook, kfence_fault, 0);

static int kfence_init(void)
{
	unsigned long i, pages, interval = want_interval, every = want_every;
	unsigned long objects = want_objects;
	void *warm[2];
	char name[128];

	want_interval = 0;
	want_every = 0;
	want_objects = 255;
	memset(counters, 0, sizeof(counters));
	if (!interval && !every)
		return 0; /* kfence.sample_interval=0: KFENCE is off */
	if (objects > KFENCE_MAX_OBJECTS) {
		pr_warn("kfence: KFENCE_NUM_OBJECTS too large for buddy allocator (at most %d)\n",
			KFENCE_MAX_OBJECTS);
		objects = KFENCE_MAX_OBJECTS;
	}
	pages = 2 * (objects + 1);
	pool_order = (unsigned int)get_order(pages * PAGE_SIZE);
	kfence_metadata = calloc(objects, sizeof(*kfence_metadata));
	pool_pages = alloc_pages(GFP_KERNEL | __GFP_NOWARN, pool_order);
	if (!kfence_metadata || !pool_pages) {
		pr_err("kfence: failed to allocate pool\n");
		if (pool_pages)
			__free_pages(pool_pages, pool_order);
		free(kfence_metadata);
		kfence_metadata = NULL;
		pool_pages = NULL;
		return 0; /* the machine runs without KFENCE */
	}
	backtrace(warm, 2); /* load the unwinder now, not in a fault */
	kmem_symbolize_fast(warm[0], name, sizeof(name)); /* and kallsyms */
	clock_gettime(CLOCK_MONOTONIC, &boot_ts);
	rnd_state = (unsigned long long)boot_ts.tv_nsec ^
		    ((unsigned long long)boot_ts.tv_sec << 32);
	nr_objects = objects;
	INIT_LIST_HEAD(&kfence_freelist);
	for (i = 0; i < pages; i++) {
		struct page *page = pool_pages + i;

		if (i < 2 || i % 2)
			continue;
		/* An object page: a slab page of no object (see 1.). */
		((struct slab *)page)->slab_cache = kmem_cache;
		((struct slab *)page)->objects = 0;
		/* The dead index's (empty) sheaf entry: slow path. */
		((struct slab *)page)->tc_offset =
			(unsigned short)(SLAB_DEAD_INDEX << SLAB_TC_SHIFT);
		((struct slab *)page)->s_mem = lowmem_page_address(page);
		__SetPageSlab(page);
	}
	__kfence_pool = lowmem_page_address(pool_pages);
	for (i = 0; i < objects; i++) {
		struct kfence_metadata *meta = &kfence_metadata[i];

		INIT_LIST_HEAD(&meta->list);
		spin_lock_init(&meta->lock);
		lockdep_set_rank_name(&meta->lock, LOCK_RANK_LEAF,
				      "&meta->lock");
		meta->state = KFENCE_OBJECT_UNUSED;
		meta->addr = metadata_to_pageaddr(meta);
		list_add_tail(&meta->list, &kfence_freelist);
	}
	/* Every page inaccessible: guards always, objects until allocated
	 * (the kernel leaves unused object pages open; closing them costs
	 * nothing and makes each page boundary of the pool one host
	 * mapping, counted once here). */
	__kfence_pool_size = pages * PAGE_SIZE;
	set_pool_protection(true);
	hostmap_account(HOSTMAP_KERNEL, (long)pages + 1);
	sample_interval = interval;
	sample_every = every;
	countdown = (long)every;
	kmem_register_fault_handler(&kfence_fault_hook);
	WRITE_ONCE(kfence_enabled, true);
	if (every)
		__atomic_store_n(&kfence_armed, 1, __ATOMIC_RELAXED);
	else
		timer_start();
	if (!kmem_cfg.quiet)
		pr_info("kfence: initialized - using %lu bytes for %lu objects at 0x%0*lx-0x%0*lx\n",
			__kfence_pool_size, objects, addr_width(),
			(unsigned long)__kfence_pool, addr_width(),
			(unsigned long)__kfence_pool + __kfence_pool_size);
	return 0;
}

static void kfence_exit(void)
{
	unsigned long i, pages = __kfence_pool_size / PAGE_SIZE;

	__atomic_store_n(&kfence_armed, 0, __ATOMIC_RELAXED);
	WRITE_ONCE(kfence_enabled, false);
	timer_halt();
	kmem_unregister_fault_handler(&kfence_fault_hook);
	if (!pool_pages)
		return;
	set_pool_protection(false);
	hostmap_account(HOSTMAP_KERNEL, -(long)pages - 1);
	for (i = 0; i < pages; i++) {
		struct page *page = pool_pages + i;

		if (PageSlab(page)) {
			struct slab *slab = (struct slab *)page;

			__ClearPageSlab(page);
			slab->slab_cache = NULL;
			slab->tc_offset = 0;
			slab->s_mem = NULL;
		}
	}
	__kfence_pool = NULL;
	__kfence_pool_size = 0;
	__free_pages(pool_pages, pool_order);
	pool_pages = NULL;
	free(kfence_metadata);
	kfence_metadata = NULL;
	nr_objects = 0;
	sample_every = 0;
	sample_interval = 0;
}

KMEM_INITCALL(KMEM_INIT_SLAB + 1, kfence_init, kfence_exit);
