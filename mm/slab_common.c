// SPDX-License-Identifier: MIT
/*
 * The kernel's side of the slab allocator: the buddy page source, the kmalloc
 * caches and the kmalloc family, kmem_cache_create/destroy, /proc/slabinfo,
 * the shrinker and the checkers. The core (slabs, sheaves) is mm/slub.c.
 *
 * 1. Page source. Slab pages come from alloc_pages() (order s->order, with
 *    fallback to the smallest order that holds one object), carry page_type
 *    PGTY_slab and owner KMEM_OWNER_SLAB, and are counted in
 *    NR_SLAB_RECLAIMABLE (SLAB_RECLAIM_ACCOUNT caches) or
 *    NR_SLAB_UNRECLAIMABLE. struct slab overlays the head struct page.
 *    Finding the slab of an address is arithmetic on the direct map:
 *    virt_to_page(), compound_head(), PageSlab().
 *
 * 2. kmalloc. Sizes 1..8192 go to a kmalloc cache: sizes up to 192 by
 *    size_index[(size - 1) / 8] (so 65-96 land in kmalloc-96 and 129-192 in
 *    kmalloc-192), larger ones by fls(size - 1). The cache family comes from
 *    the GFP flags (kmalloc_type()): __GFP_DMA -> dma-kmalloc-*,
 *    __GFP_RECLAIMABLE -> kmalloc-rcl-*, __GFP_ACCOUNT -> kmalloc-cg-*.
 *    Larger sizes are "large kmalloc": a compound page of order
 *    get_order(size) with page_type PGTY_large_kmalloc, counted as
 *    unreclaimable slab as in the kernel. Above KMALLOC_MAX_SIZE (4 MiB) the
 *    page allocator warns once and returns NULL. kmalloc(0) is ZERO_SIZE_PTR.
 *
 * 3. Bad frees are reported in the kernel's words and never reach a
 *    freelist: an address outside the direct map ("virt_to_phys used for
 *    non-linear address", plus which range it is in), a page that is neither
 *    slab nor large kmalloc ("Not a kmalloc allocation"), a pointer inside an
 *    object ("Invalid object pointer"), an object freed twice, however long
 *    ago ("Object already free"), an object of another cache ("Wrong slab
 *    cache"), a destroyed cache (a WARNING; see mm/slub.c section 6).
 *
 * 4. The allocator. One of SLUB (mm/slub.c), SLAB (mm/slab.c) and SLOB
 *    (mm/slob.c) serves every cache of a machine, chosen at boot
 *    (kmem_config.slab, $KMEM_SLAB, slab_allocator=; kernel/init.c). This
 *    file is the common layer above it: it calls the allocator through
 *    struct slab_allocator (mm/slab.h), and SLUB's fast paths send every
 *    object of another allocator to SLUB's slow paths, which hand it over
 *    (slab_foreign()), so SLUB pays nothing on its fast paths for the choice.
 *
 * Locks: slab_mutex (mm/slub.c) protects the cache list for create, destroy
 * and slabinfo. kmalloc_caches[] is written at boot only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/shrinker.h>
#include <linux/kmemleak.h>
#include <kmem/show.h>
#include <kmem/machine.h>
#include <kmem/cmdline.h>
#include <kmem/introspect.h>
#include "kernel/internal.h"
#include "mm/internal.h"
#include "mm/kfence.h"
#include "mm/slab.h"
#include "mm/slob.h"
#include "mm/slub_debug.h"

kmem_buckets kmalloc_caches[NR_KMALLOC_TYPES];
/* The running allocator (SLUB while no machine runs). */
const struct slab_allocator *slab_allocator = &slub_allocator;
static struct kmem_cache *kmem_buckets_cache; /* "kmalloc_buckets" */
static atomic_long_t nr_large_kmalloc_pages;
static struct shrinker *slab_shrinker;

/* The kmalloc index of sizes 1..192, by (size - 1) / 8 (the kernel's table). */
static const u8 size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6, /*   8 ..  64 */
	1, 1, 1, 1,		/*  72 ..  96 */
	7, 7, 7, 7,		/* 104 .. 128 */
	2, 2, 2, 2, 2, 2, 2, 2, /* 136 .. 192 */
};

static inline unsigned int kmalloc_size_index(size_t size)
{
	if (size <= 192)
		return size_index[(size - 1) / 8];
	return (unsigned int)fls((unsigned int)(size - 1));
}

/* The cache a kmalloc of `size` (1..KMALLOC_MAX_CACHE_SIZE) uses. */
static inline struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags)
{
	return kmalloc_caches[kmalloc_type(flags)][kmalloc_size_index(size)];
}

/*
 * The variable-size kmalloc's fast path (__kmalloc_noprof) in one load:
 * for every size 1..KMALLOC_MAX_CACHE_SIZE by (size - 1) / 8, the byte
 * offset of its KMALLOC_NORMAL cache's entry in a thread's sheaf table
 * (s->alloc_tc). Where the kernel reads size_index[], then
 * kmalloc_caches[][], then the cache's fields, one load gives the entry:
 * the cache itself is not read. Filled from
 * kmalloc_size_index() when the slab layer comes up (kmalloc_tc_fill()),
 * so it says nothing of its own. An entry's low SLAB_TC_SHIFT bits, zero
 * in a table offset, hold the cache's free word offset (8, or 0 for
 * kmalloc-8: mm/slub.c section 2), which the fast path clears. Every entry
 * is the empty entry (the slow path) while no machine runs, for a cache
 * whose free word lies further in than KMALLOC_TC_WORD (a debug cache's
 * middle) and for every cache of SLAB and SLOB, whose alloc_tc is the
 * empty entry. 2 KiB, of which sizes up to 2 KiB use the first 512 bytes.
 */
#define KMALLOC_TC_EMPTY (SLAB_DEAD_INDEX << SLAB_TC_SHIFT)
#define KMALLOC_TC_WORD ((1U << SLAB_TC_SHIFT) - 1) /* the free word's offset */
static u16 kmalloc_tc[KMALLOC_MAX_CACHE_SIZE / 8] = {
	[0 ... KMALLOC_MAX_CACHE_SIZE / 8 - 1] = KMALLOC_TC_EMPTY
};
_Static_assert(KMALLOC_TC_EMPTY <= 0xffff, "sheaf table offsets fit a u16");

static void kmalloc_tc_fill(bool up)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kmalloc_tc); i++) {
		struct kmem_cache *s =
			up ? kmalloc_caches[KMALLOC_NORMAL]
					   [kmalloc_size_index(i * 8 + 1)] :
			     NULL;
		unsigned int off = KMALLOC_TC_EMPTY;

		if (s && s->offset <= KMALLOC_TC_WORD)
			off = s->alloc_tc | s->offset;
		__atomic_store_n(&kmalloc_tc[i], (u16)off, __ATOMIC_RELAXED);
	}
}

static const char *const kmalloc_prefix[NR_KMALLOC_TYPES] = {
	"kmalloc-", "kmalloc-rcl-", "dma-kmalloc-", "kmalloc-cg-"
};

static unsigned int kmalloc_index_size(unsigned int idx)
{
	return idx == 1 ? 96 : idx == 2 ? 192 : 1u << idx;
}

/*
 * The blocking-context check, in each exported entry so that the report
 * names the caller's call site. Only the test is inline: the report and the
 * allocation after it are a tail call, so the fast path saves no registers.
 * The two context words are thread-locals of libkmem itself, which already
 * needs static TLS (slab_thread): declared initial-exec here, each is one
 * %fs-relative load instead of a __tls_get_addr sequence, and the entry
 * points keep no registers for a call.
 */
extern __thread unsigned int __kmem_preempt_count
	__attribute__((tls_model("initial-exec")));
extern __thread unsigned int __kmem_irqs_off
	__attribute__((tls_model("initial-exec")));
/* Most allocations may block (GFP_KERNEL): only the context test is
 * unlikely, so the common path runs straight through both tests. */
#define slab_atomic_blocking(gfp)        \
	(((gfp)&__GFP_DIRECT_RECLAIM) && \
	 unlikely(__kmem_preempt_count | __kmem_irqs_off))
#define slab_might_sleep(gfp)                                       \
	do {                                                        \
		if (slab_atomic_blocking(gfp))                      \
			__might_sleep(__FILE__, __LINE__,           \
				      __builtin_return_address(0)); \
	} while (0)

/* ---- the buddy page source --------------------------------------------------- */

/*
 * The direct map as the free fast path sees it, in one cache line of this
 * file (reached without a GOT load): PAGE_OFFSET, its size, and the slab
 * map: for every page of the direct map, the struct slab of the buddy
 * source's slab it belongs to (head and tail pages alike), or NULL. Set by
 * slab_init() and cleared by slab_exit(). While cleared (size 0), every
 * address fails the range test and takes the slow path, which asks the
 * machine itself; so does an address on a page the map does not name
 * (KFENCE's and SLOB's own PGTY_slab pages, large kmalloc blocks).
 *
 * The kernel's kfree finds the slab through struct page: the page's
 * compound_head word, and for a tail page of a slab of order > 0 (most
 * objects of the larger kmalloc caches) the head page's. That costs a
 * branch that a program of mixed sizes cannot predict (head or tail) and a
 * second dependent load; the map is one load, the same for every page,
 * for 8 bytes of host memory per page of the simulated RAM.
 */
static struct {
	unsigned long base;  /* PAGE_OFFSET */
	unsigned long size;  /* high_memory - PAGE_OFFSET, 0 without a map */
	struct slab **slabs; /* by page index in the direct map */
} slab_dmap __aligned(64);

/* The slab map's entry of a page of the direct map. */
static inline struct slab **slab_map_entry(const struct page *page)
{
	return &slab_dmap.slabs[((unsigned long)lowmem_page_address(page) -
				 slab_dmap.base) >>
				PAGE_SHIFT];
}

/* Name `slab` (or NULL) in the map for its 2^order pages. */
static void slab_map_set(struct page *page, unsigned int order,
			 struct slab *slab)
{
	struct slab **e;
	unsigned long i;

	if (!slab_dmap.size)
		return;
	e = slab_map_entry(page);
	for (i = 0; i < 1UL << order; i++)
		__atomic_store_n(&e[i], slab, __ATOMIC_RELAXED);
}

/*
 * Find the slab x is in: true with *slabp and its cache *sp, or false (the
 * caller's slow path finds out why: NULL or ZERO_SIZE_PTR, which lie below
 * the direct map, an address outside it, a large kmalloc block, a page of
 * no slab). A range test and one load of the slab map; then the slab's
 * slab_cache word, in the head page's struct page.
 */
static __always_inline bool kmem_addr_slab(const void *x, struct slab **slabp,
					   struct kmem_cache **sp)
{
	unsigned long off = (unsigned long)x - slab_dmap.base;
	struct slab *slab;

	if (unlikely(off >= slab_dmap.size))
		return false;
	slab = __atomic_load_n(&slab_dmap.slabs[off >> PAGE_SHIFT],
			       __ATOMIC_RELAXED);
	if (unlikely(!slab))
		return false;
	*slabp = slab;
	*sp = __atomic_load_n(&slab->slab_cache, __ATOMIC_RELAXED);
	return true;
}

/* The head page of a direct-map address, or NULL. */
static __always_inline struct page *kmem_addr_head_page(const void *x)
{
	unsigned long off = (unsigned long)x - PAGE_OFFSET;
	struct page *page;
	unsigned long head;

	if (unlikely(off >= (unsigned long)high_memory - PAGE_OFFSET))
		return NULL;
	page = mem_map + (off >> PAGE_SHIFT);
	head = __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);
	if (unlikely(head & 1)) {
		page = (struct page *)(head - 1);
		if ((unsigned long)(page - mem_map) >= max_pfn)
			return NULL;
	}
	return page;
}

static struct slab *buddy_virt_to_slab(const void *x)
{
	struct page *page = kmem_addr_head_page(x);

	if (!page || !PageSlab(page))
		return NULL;
	return (struct slab *)page;
}

static inline enum node_stat_item slab_stat(const struct kmem_cache *s)
{
	return (s->flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE :
						   NR_SLAB_UNRECLAIMABLE;
}

static struct slab *buddy_alloc_slab(struct kmem_cache *s, gfp_t gfp,
				     unsigned int order)
{
	struct page *page;
	struct slab *slab;

	page = alloc_pages(gfp | s->allocflags | (order ? __GFP_COMP : 0),
			   order);
	if (!page)
		return NULL;
	__SetPageSlab(page);
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_SLAB);
	mod_node_page_state(NODE_DATA(0), slab_stat(s), 1L << order);
	slab = (struct slab *)page;
	slab->s_mem = lowmem_page_address(page);
	slab_map_set(page, order, slab);
	return slab;
}

static void buddy_free_slab(struct kmem_cache *s, struct slab *slab,
			    unsigned int order)
{
	struct page *page = (struct page *)slab;

	mod_node_page_state(NODE_DATA(0), slab_stat(s), -(1L << order));
	slab_map_set(page, order, NULL);
	slab->slab_cache = NULL;
	INIT_LIST_HEAD(&slab->slab_list);
	memset(page->__words, 0, sizeof(page->__words));
	page->kmem_private = 0;
	__ClearPageSlab(page);
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_NONE);
	__free_pages(page, order);
}

static const struct slab_page_source buddy_slab_source = {
	.name = "buddy",
	.alloc_slab = buddy_alloc_slab,
	.free_slab = buddy_free_slab,
	.virt_to_slab = buddy_virt_to_slab,
};

/* ---- reports ---------------------------------------------------------------- */

static noinline void report_bad_address(const char *func, const void *x,
					const void *caller)
{
	unsigned long a = (unsigned long)x;
	char sym[160];

	WARN(1, "virt_to_phys used for non-linear address: %p (%s)\n", x,
	     kmem_symbolize(caller, sym, sizeof(sym)));
	if (a >= VMALLOC_START && a < VMALLOC_END)
		pr_err("%s(%p): a vmalloc address: free it with vfree() or kvfree()\n",
		       func, x);
	else
		pr_err("%s(%p): not a kernel direct-map address (stack, global or user memory?); nothing freed\n",
		       func, x);
}

static noinline void report_not_kmalloc(const char *func, const void *x,
					struct page *page)
{
	WARN(1, "%s(%p): Not a kmalloc allocation\n", func, x);
	pr_alert(
		"page: refcount:%d mapcount:0 mapping:%p index:%#lx pfn:%#lx\n",
		atomic_read(&page->_refcount), (void *)page->mapping,
		(unsigned long)page->index, page_to_pfn(page));
	pr_alert("page dumped because: Not a kmalloc allocation\n");
}

/* ---- large kmalloc -------------------------------------------------------- */

static void *___kmalloc_large(size_t size, gfp_t flags)
{
	unsigned int order;
	struct page *page;

	if (unlikely(slab_foreign()) && slab_allocator->kmalloc_large)
		return slab_allocator->kmalloc_large(size, flags);
	if (unlikely(size > (1UL << (PAGE_SHIFT + 40))))
		order = MAX_PAGE_ORDER + 1;
	else
		order = (unsigned int)get_order(size);
	flags &= ~(__GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE);
	page = alloc_pages(flags | __GFP_COMP, order);
	if (!page)
		return NULL;
	__SetPageLargeKmalloc(page);
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_LARGE_KMALLOC);
	mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, 1L << order);
	atomic_long_add(1L << order, &nr_large_kmalloc_pages);
	if (unlikely(kmemleak_enabled))
		kmemleak_alloc(lowmem_page_address(page), size, 1, flags);
	return lowmem_page_address(page);
}

void *__kmalloc_large_noprof(size_t size, gfp_t flags)
{
	slab_might_sleep(flags);
	return ___kmalloc_large(size, flags);
}

static void free_large_kmalloc(struct page *page, const void *x)
{
	unsigned int order = compound_order(page);

	if (x != lowmem_page_address(page)) {
		WARN(1,
		     "kfree(%p): pointer inside a large kmalloc block at %p\n",
		     x, lowmem_page_address(page));
		return;
	}
	if (unlikely(kmemleak_enabled))
		kmemleak_free(x);
	mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE,
			    -(1L << order));
	atomic_long_sub(1L << order, &nr_large_kmalloc_pages);
	__ClearPageLargeKmalloc(page);
	set_page_owner_tag(page, 1u << order, KMEM_OWNER_NONE);
	__free_pages(page, order);
}

/* Large kmalloc blocks for the other slab allocators (mm/slob.c). */
void *slab_kmalloc_large(size_t size, gfp_t flags)
{
	return ___kmalloc_large(size, flags);
}

void slab_kfree_large(const void *x)
{
	struct page *page = kmem_addr_head_page(x);

	if (page && PageLargeKmalloc(page))
		free_large_kmalloc(page, x);
	else if (page)
		report_not_kmalloc("kfree", x, page);
	else
		report_bad_address("kfree", x, __builtin_return_address(0));
}

/* ---- kmalloc --------------------------------------------------------------- */

/* KFENCE's sample or failslab's hook: either gate is open (out of line,
 * reached by a tail call). */
static noinline void *slab_alloc_gated(struct kmem_cache *s, gfp_t flags,
				       size_t size)
{
	if (kfence_gate_armed())
		return kfence_alloc_slow(s, size, flags);
	return slab_alloc_fault(s, flags, size);
}

/* The slab fast path, or KFENCE's sample while its gate is armed (mm/kfence.c)
 * or failslab's hook while fault injection is on: the two gate words are
 * tested as one (one OR and one branch). size: the kmalloc size, 0 for a
 * cache's object_size (read only when sampling). */
static __always_inline void *slab_alloc_sampled(struct kmem_cache *s,
						gfp_t flags, size_t size)
{
	if (unlikely(__atomic_load_n(&kfence_armed, __ATOMIC_RELAXED) |
		     kmem_fault_active))
		return slab_alloc_gated(s, flags, size);
	return __slab_alloc_fast(s, flags, size);
}

/*
 * kmalloc_caches[] is filled by create_kmalloc_caches() at boot and cleared
 * at halt, and every size class of every type has a cache while the
 * machine runs: a NULL entry means "not booted", nothing else. The fast
 * paths test for it (one predictable branch) and come here, which boots
 * the machine (kmem's lazy boot: the first kmalloc of a program may be its
 * first call) and allocates. NULL if the boot fails.
 */
static noinline void *kmalloc_first_boot(size_t size, gfp_t flags)
{
	struct kmem_cache *s;

	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	s = kmalloc_slab(size, flags);
	if (!s)
		return NULL;
	return slab_alloc_sampled(s, flags, size);
}

static __always_inline bool kmalloc_not_booted(const struct kmem_cache *s)
{
	return unlikely(!s);
}

static __always_inline void *__do_kmalloc(size_t size, gfp_t flags)
{
	struct kmem_cache *s;

	if (unlikely(size > KMALLOC_MAX_CACHE_SIZE))
		return ___kmalloc_large(size, flags);
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	s = kmalloc_slab(size, flags);
	if (kmalloc_not_booted(s))
		return kmalloc_first_boot(size, flags);
	return slab_alloc_sampled(s, flags, size);
}

/*
 * A blocking allocation in atomic context: report it (naming the caller's
 * call site), then allocate as usual. Out of line, reached by a tail call,
 * so the entry points' fast paths save no registers. One for kmalloc of a
 * size, one for a cache's object.
 */
static noinline void *kmalloc_might_sleep(size_t size, gfp_t flags,
					  const void *caller)
{
	__might_sleep(__FILE__, __LINE__, caller);
	return __do_kmalloc(size, flags);
}

static noinline void *kmem_cache_alloc_might_sleep(struct kmem_cache *s,
						   gfp_t flags,
						   const void *caller)
{
	__might_sleep(__FILE__, __LINE__, caller);
	return slab_alloc_sampled(s, flags, 0);
}

/* Everything __kmalloc_noprof()'s fast path leaves: size 0, large sizes,
 * the caches of other kmalloc types, __GFP_ZERO, KFENCE's and failslab's
 * gates, an empty main sheaf, a machine not booted (all of it is
 * __do_kmalloc's). */
static noinline void *kmalloc_general(size_t size, gfp_t flags)
{
	return __do_kmalloc(size, flags);
}

#define KMALLOC_GENERAL_GFP (KMALLOC_NOT_NORMAL_BITS | __GFP_ZERO)

/*
 * kmalloc of a variable size. The fast path pops the thread's main sheaf
 * of the size's kmalloc cache without reading the cache: kmalloc_tc[]
 * gives the entry's offset and, in its low bits, where the free word it
 * clears sits in the object. One test sends everything else (size 0 and
 * large sizes, as size - 1 wraps for 0; other kmalloc types and
 * __GFP_ZERO, which needs the cache's size) to kmalloc_general(); the
 * gates are the same two loads as slab_alloc_sampled()'s.
 */
void *__kmalloc_noprof(size_t size, gfp_t flags)
{
	struct slab_thread_cache *tc;
	void **top;
	void *obj;
	unsigned long v;

	if (slab_atomic_blocking(flags))
		return kmalloc_might_sleep(size, flags,
					   __builtin_return_address(0));
	if (unlikely(size - 1 >= KMALLOC_MAX_CACHE_SIZE ||
		     (flags & KMALLOC_GENERAL_GFP) || kfence_gate_armed() ||
		     kmem_fault_active))
		return kmalloc_general(size, flags);
	v = __atomic_load_n(&kmalloc_tc[(size - 1) / 8], __ATOMIC_RELAXED);
	tc = slab_tc_at(v & ~KMALLOC_TC_WORD);
	top = tc->top;
	if (unlikely(top == tc->base))
		return kmalloc_general(size, flags);
	obj = *--top;
	tc->top = top;
	/* The free word: not free any more. */
	__builtin_memset((char *)obj + (v & KMALLOC_TC_WORD), 0,
			 sizeof(unsigned long));
	return obj;
}

void *__kmalloc_node_noprof(size_t size, gfp_t flags, int node)
{
	(void)node; /* one node */
	slab_might_sleep(flags);
	return __do_kmalloc(size, flags);
}

void *__kmalloc_cache_noprof(struct kmem_cache *s, gfp_t flags, size_t size)
{
	if (slab_atomic_blocking(flags))
		return kmalloc_might_sleep(size, flags,
					   __builtin_return_address(0));
	if (kmalloc_not_booted(s))
		return kmalloc_first_boot(size, flags);
	return slab_alloc_sampled(s, flags, size);
}

/* kmem_cache_alloc(NULL, ...): warn once, fail (out of line: the call
 * would make the fast path set up a frame). */
static noinline void *kmem_cache_alloc_no_cache(void)
{
	static bool warned;

	if (!warned) {
		warned = true;
		__kmem_warn(__FILE__, __LINE__, "kmem_cache_alloc", NULL);
	}
	return NULL;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	if (slab_atomic_blocking(flags) && s)
		return kmem_cache_alloc_might_sleep(
			s, flags, __builtin_return_address(0));
	if (unlikely(!s))
		return kmem_cache_alloc_no_cache();
	return slab_alloc_sampled(s, flags, 0);
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags, int node)
{
	(void)node;
	slab_might_sleep(flags);
	if (WARN_ON_ONCE(!s))
		return NULL;
	return slab_alloc_sampled(s, flags, 0);
}

/* Everything kfree()'s fast path does not handle: NULL and ZERO_SIZE_PTR
 * (nothing to do), large kmalloc blocks and bad pointers (reported). */
static noinline void kfree_slow(const void *x, const void *caller)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(x))
		return;
	page = kmem_addr_head_page(x);
	if (!page) {
		report_bad_address("kfree", x, caller);
		return;
	}
	if (PageSlab(page)) {
		/* The fast path's copy of the direct map was cleared (the slab
		 * layer is down) but a slab page is still there. */
		struct slab *slab = (struct slab *)page;

		slab_free_slow(slab->slab_cache, slab, (void *)x);
		return;
	}
	if (PageLargeKmalloc(page)) {
		free_large_kmalloc(page, x);
		return;
	}
	report_not_kmalloc("kfree", x, page);
}

void kfree(const void *x)
{
	struct kmem_cache *s;
	struct slab *slab;

	if (likely(kmem_addr_slab(x, &slab, &s))) {
		slab_free_fast(s, slab, (void *)x);
		return;
	}
	kfree_slow(x, __builtin_return_address(0));
}

static noinline void kmem_cache_free_slow(struct kmem_cache *s, void *x,
					  const void *caller)
{
	struct page *page;
	struct slab *slab;

	if (s && slab_cache_dead(s)) {
		slab_dead_cache(s, "kmem_cache_free");
		return;
	}
	if (!x)
		return;
	page = kmem_addr_head_page(x);
	if (!page) {
		report_bad_address("kmem_cache_free", x, caller);
		return;
	}
	if (!PageSlab(page)) {
		report_not_kmalloc("kmem_cache_free", x, page);
		return;
	}
	if (slab_foreign() && s) {
		slab_allocator->free(s, x);
		return;
	}
	slab = (struct slab *)page;
	if (slab->slab_cache != s) {
		WARN(1, "%s: Wrong slab cache. %s but object is from %s\n",
		     "kmem_cache_free", s ? s->name : "(null)",
		     slab->slab_cache->name);
		return;
	}
	slab_free_slow(s, slab, x);
}

void kmem_cache_free(struct kmem_cache *s, void *x)
{
	struct kmem_cache *found;
	struct slab *slab;

	if (likely(kmem_addr_slab(x, &slab, &found) && found == s)) {
		slab_free_fast(s, slab, x);
		return;
	}
	kmem_cache_free_slow(s, x, __builtin_return_address(0));
}

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t flags, size_t size,
			  void **p)
{
	size_t i;

	slab_might_sleep(flags);
	for (i = 0; i < size; i++) {
		p[i] = slab_alloc_sampled(s, flags, 0);
		if (unlikely(!p[i])) {
			kmem_cache_free_bulk(s, i, p);
			return 0;
		}
	}
	return (int)size;
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	size_t i;

	for (i = 0; i < size; i++) {
		if (s)
			kmem_cache_free(s, p[i]);
		else
			kfree(p[i]);
	}
}

static size_t slab_ksize(const struct kmem_cache *s)
{
	if (s->flags & (SLAB_RED_ZONE | SLAB_POISON))
		return s->object_size;
	if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_STORE_USER))
		return s->inuse;
	return s->size;
}

/*
 * The block x starts (a slab object or a large kmalloc block): its cache in
 * *sp (NULL for a large block) and its ksize(). A pointer that is not the
 * start of a block is reported (as `func`) and gives 0, so that ksize(),
 * kfree_sensitive() and krealloc() never write or copy past a block from an
 * interior pointer. x is not NULL or ZERO_SIZE_PTR.
 */
static size_t kmalloc_block_size(const char *func, const void *x,
				 struct kmem_cache **sp, const void *caller)
{
	struct page *page = kmem_addr_head_page(x);

	*sp = NULL;
	if (unlikely(is_kfence_address(x))) {
		/* A KFENCE object: the size it was allocated with. */
		if (kfence_object_start(x) == x)
			return kfence_ksize(x);
		WARN(1,
		     "%s(%p): Invalid object pointer (inside a KFENCE object)\n",
		     func, x);
		return 0;
	}
	if (page && PageSlab(page) && slab_foreign())
		return slab_allocator->ksize(x, sp, func);
	if (page && PageSlab(page)) {
		struct slab *slab = (struct slab *)page;
		struct kmem_cache *s = slab->slab_cache;

		if (unlikely(!slab_is_obj_start(s, slab, x))) {
			WARN(1,
			     "%s(%p): Invalid object pointer (inside an object of %s)\n",
			     func, x, s->name);
			return 0;
		}
		*sp = s;
		return slab_ksize(s);
	}
	if (page && PageLargeKmalloc(page)) {
		if (unlikely(x != lowmem_page_address(page))) {
			WARN(1,
			     "%s(%p): pointer inside a large kmalloc block at %p\n",
			     func, x, lowmem_page_address(page));
			return 0;
		}
		return PAGE_SIZE << compound_order(page);
	}
	if (!page)
		report_bad_address(func, x, caller);
	else
		report_not_kmalloc(func, x, page);
	return 0;
}

size_t ksize(const void *x)
{
	struct kmem_cache *s;
	size_t ks;

	if (unlikely(ZERO_OR_NULL_PTR(x)))
		return 0;
	ks = kmalloc_block_size("ksize", x, &s, __builtin_return_address(0));
	if (s && !slab_foreign() && slub_debug_orig_size(s))
		slab_debug_ksize(s, (void *)x); /* the caller may use it all */
	return ks;
}

/* <kmem/introspect.h>: what kmalloc_block_size() finds, without reports. */
int kmem_object_info(const void *x, struct kmem_object_info *info)
{
	struct page *page;

	memset(info, 0, sizeof(*info));
	if (ZERO_OR_NULL_PTR(x))
		return -EINVAL;
	if (is_kfence_address(x)) {
		if (kfence_object_start(x) != x)
			return -EINVAL;
		info->size = info->footprint = kfence_ksize(x);
		info->pfn = virt_to_pfn(x);
		return 0;
	}
	page = kmem_addr_head_page(x);
	if (!page)
		return -EINVAL;
	info->pfn = page_to_pfn(page);
	info->order = compound_order(page);
	if (PageSlab(page) && slab_foreign()) {
		info->size = slab_allocator->ksize(x, &info->cache,
						   "kmem_object_info");
		if (!info->size)
			return -EINVAL;
		info->footprint = info->cache ?
					  info->cache->size :
					  info->size + (slob_kmalloc_size(x) ?
								SLOB_MINALIGN :
								0);
		return 0;
	}
	if (PageSlab(page)) {
		struct slab *slab = (struct slab *)page;
		struct kmem_cache *s = slab->slab_cache;

		if (!slab_is_obj_start(s, slab, x))
			return -EINVAL;
		info->cache = s;
		info->size = slab_ksize(s);
		info->footprint = s->size;
		info->order = slab->order;
		info->objects = slab->objects;
		info->inuse = slab->inuse;
		info->offset = (unsigned long)((const char *)x -
					       (const char *)slab->s_mem);
		info->index = info->offset / s->size;
		return 0;
	}
	if (PageLargeKmalloc(page) && x == lowmem_page_address(page)) {
		info->size = info->footprint = PAGE_SIZE << info->order;
		return 0;
	}
	return -EINVAL;
}

void kfree_sensitive(const void *p)
{
	struct kmem_cache *s;
	size_t ks;

	if (ZERO_OR_NULL_PTR(p))
		return;
	ks = kmalloc_block_size("kfree_sensitive", p, &s,
				__builtin_return_address(0));
	if (!ks)
		return; /* not a block: reported, nothing zeroed or freed */
	if (s && !slab_foreign() && slub_debug_orig_size(s))
		slab_debug_ksize(s, (void *)p);
	memzero_explicit((void *)p, ks);
	kfree(p);
}

/*
 * As the kernel's __do_krealloc(): the old block is kept when new_size fits
 * in it (its object_size for a slab object, the whole block for a large
 * kmalloc), the tail beyond new_size zeroed with __GFP_ZERO; otherwise a new
 * block gets a copy of the old one's bytes and the old one is freed.
 */
void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	struct kmem_cache *s;
	size_t ks = 0;
	void *ret;

	slab_might_sleep(flags);
	if (unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (!ZERO_OR_NULL_PTR(p)) {
		ks = kmalloc_block_size("krealloc", p, &s,
					__builtin_return_address(0));
		if (!ks)
			return NULL; /* not a kmalloc block: reported */
		if (s)
			ks = s->object_size;
		if (new_size <= ks) {
			if (s && !slab_foreign() && slub_debug_orig_size(s))
				/* the kmalloc red zone follows the new size */
				slab_debug_krealloc(s, (void *)p, new_size,
						    flags);
			else if (flags & __GFP_ZERO)
				memset((char *)p + new_size, 0, ks - new_size);
			return (void *)p;
		}
		if (s && !slab_foreign() && slub_debug_orig_size(s))
			ks = slab_debug_orig_size_of(s,
						     p); /* not the red zone */
	}
	ret = __do_kmalloc(new_size, flags);
	if (ret && ks) {
		memcpy(ret, p, ks);
		kfree(p);
	}
	return ret;
}

size_t kmalloc_size_roundup(size_t size)
{
	if (size == 0)
		return 0;
	if (size == SIZE_MAX)
		return SIZE_MAX;
	if (slab_foreign() && size <= KMALLOC_MAX_SIZE)
		return slab_allocator->size_roundup(size);
	if (size <= KMALLOC_MAX_CACHE_SIZE) {
		unsigned int idx = kmalloc_size_index(size);

		return kmalloc_index_size(idx);
	}
	if (size > KMALLOC_MAX_SIZE)
		return size;
	return PAGE_SIZE << get_order(size);
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p;

	slab_might_sleep(gfp);
	p = __do_kmalloc(len, gfp);
	if (p && !ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

void *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	char *buf;

	if (!s)
		return NULL;
	slab_might_sleep(gfp);
	buf = __do_kmalloc(len + 1, gfp);
	if (buf) {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	return buf;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	size_t len;
	char *buf;

	if (!s)
		return NULL;
	slab_might_sleep(gfp);
	len = strlen(s) + 1;
	buf = __do_kmalloc(len, gfp);
	if (buf)
		memcpy(buf, s, len);
	return buf;
}

const char *kstrdup_const(const char *s, gfp_t gfp)
{
	return kstrdup(s, gfp);
}

void kfree_const(const void *x)
{
	kfree(x);
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	size_t len;
	char *buf;

	if (!s)
		return NULL;
	slab_might_sleep(gfp);
	len = strnlen(s, max);
	buf = __do_kmalloc(len + 1, gfp);
	if (buf) {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	return buf;
}

/* ---- caches ------------------------------------------------------------------ */

#define SLAB_FLAGS_PERMITTED                                     \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | \
	 SLAB_KMALLOC | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA |    \
	 SLAB_CACHE_DMA32 | SLAB_STORE_USER | SLAB_PANIC |       \
	 SLAB_TYPESAFE_BY_RCU | SLAB_TRACE | SLAB_NOLEAKTRACE |  \
	 SLAB_NO_MERGE | SLAB_ACCOUNT | SLAB_NO_USER_FLAGS |     \
	 SLAB_RECLAIM_ACCOUNT | SLAB_FAILSLAB)

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s = NULL;
	int err = 0;

	if (unlikely(!kmem_ensure_booted()))
		return NULL; /* no machine: the boot said why */
	if (!name || in_interrupt() || size > KMALLOC_MAX_SIZE || !size) {
		pr_err("kmem_cache_create(%s) integrity check failed\n",
		       name ? name : "(null)");
		err = -EINVAL;
	} else if (flags & ~SLAB_FLAGS_PERMITTED) {
		err = -EINVAL;
	} else if (align && !is_power_of_2(align)) {
		err = -EINVAL;
	} else {
		mutex_lock(&slab_mutex);
		s = slab_allocator->cache_create(name, size, align, flags,
						 ctor);
		mutex_unlock(&slab_mutex);
		if (IS_ERR(s)) {
			err = (int)PTR_ERR(s);
			s = NULL;
		}
	}
	if (err) {
		if (flags & SLAB_PANIC)
			panic("%s: Failed to create slab '%s'. Error %d\n",
			      "kmem_cache_create", name ? name : "(null)", err);
		pr_warn("%s(%s) failed with error %d\n", "kmem_cache_create",
			name ? name : "(null)", err);
		dump_stack();
		return NULL;
	}
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	char sym[160];
	int err;

	if (IS_ERR_OR_NULL(s))
		return;
	mutex_lock(&slab_mutex);
	err = slab_allocator->cache_destroy(s);
	mutex_unlock(&slab_mutex);
	if (err == -ENOENT)
		return; /* destroyed before: reported */
	WARN(err, "%s %s: Slab cache still has objects when called from %s",
	     "kmem_cache_destroy", s->name,
	     kmem_symbolize(__builtin_return_address(0), sym, sizeof(sym)));
}

static int create_kmalloc_caches(void)
{
	static const unsigned int order_of_creation[] = { 1,  2,  3, 4, 5,
							  6,  7,  8, 9, 10,
							  11, 12, 13 };
	static const slab_flags_t type_flags[NR_KMALLOC_TYPES] = {
		0, SLAB_RECLAIM_ACCOUNT, SLAB_CACHE_DMA, SLAB_ACCOUNT
	};
	char name[SLAB_NAME_LEN];
	unsigned int t, i;

	mutex_lock(&slab_mutex);
	for (t = 0; t < NR_KMALLOC_TYPES; t++) {
		for (i = 0; i < ARRAY_SIZE(order_of_creation); i++) {
			unsigned int idx = order_of_creation[i];
			unsigned int size = kmalloc_index_size(idx);
			struct kmem_cache *s;

			if (size >= 1024)
				snprintf(name, sizeof(name), "%s%uk",
					 kmalloc_prefix[t], size >> 10);
			else
				snprintf(name, sizeof(name), "%s%u",
					 kmalloc_prefix[t], size);
			s = __kmem_cache_create(name, size, size & -size,
						SLAB_KMALLOC | SLAB_NO_MERGE |
							type_flags[t],
						NULL, NULL);
			if (IS_ERR(s)) {
				mutex_unlock(&slab_mutex);
				pr_err("kmalloc: cannot create %s\n", name);
				return (int)PTR_ERR(s);
			}
			kmalloc_caches[t][idx] = s;
		}
	}
	mutex_unlock(&slab_mutex);
	/* CONFIG_SLAB_BUCKETS: the cache of kmem_buckets_create()'s tables,
	 * made at boot as the kernel does (an empty cache until someone asks
	 * for a set of buckets; slabinfo lists it as the kernel's does). */
	kmem_buckets_cache = kmem_cache_create("kmalloc_buckets",
					       sizeof(kmem_buckets),
					       __alignof__(kmem_buckets),
					       SLAB_NO_MERGE, NULL);
	if (!kmem_buckets_cache) {
		pr_err("kmalloc: cannot create %s\n", "kmalloc_buckets");
		return -ENOMEM;
	}
	return 0;
}

/* ---- slabinfo -------------------------------------------------------------- */

static int show_slabinfo(const char *name, FILE *f)
{
	struct kmem_cache *s;

	(void)name;
	fprintf(f, "slabinfo - version: 2.1\n");
	fprintf(f,
		"# name            <active_objs> <num_objs> <objsize> <objperslab> "
		"<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
		"slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	if (!slab_allocator->slabinfo_line) {
		/* As the kernel: no /proc/slabinfo without the data. */
		fprintf(f, "# %s keeps no per-cache slabs: no /proc/slabinfo\n",
			slab_allocator->name);
		return 0;
	}
	mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		struct slab_counts c;

		if (slab_foreign()) {
			slab_allocator->slabinfo_line(s, f);
			continue;
		}
		slab_get_counts(s, &c);
		fprintf(f, "%-17s %6lu %6lu %6u %4u %4d", s->name,
			c.active_objects, c.total_objects, s->size, s->objects,
			1 << s->order);
		fprintf(f, " : tunables %4u %4u %4u", 0, 0, 0);
		fprintf(f, " : slabdata %6lu %6lu %6lu\n", c.nr_slabs,
			c.nr_slabs, 0UL);
	}
	mutex_unlock(&slab_mutex);
	return 0;
}

static const struct kmem_view slabinfo_view = { "slabinfo", show_slabinfo, 0 };

__attribute__((constructor)) static void slab_register_views(void)
{
	kmem_register_view(&slabinfo_view);
}

/* ---- shrinker, drain, checker ----------------------------------------------- */

static unsigned long slab_shrink_count(struct shrinker *sh,
				       struct shrink_control *sc)
{
	struct kmem_cache *s;
	unsigned long count = 0;

	if (!mutex_trylock(&slab_mutex))
		return 0;
	list_for_each_entry(s, &slab_caches, list) {
		struct kmem_cache_node *n = s->node[0];

		if (slab_foreign()) {
			struct slab_counts c;

			slab_allocator->get_counts(s, &c);
			count += c.nr_empty + c.barn_full + c.barn_empty +
				 !!c.thread_cached;
			continue;
		}
		count += READ_ONCE(n->nr_empty) + READ_ONCE(n->nr_barn_full) +
			 READ_ONCE(n->nr_barn_empty) + slab_stock_sheaves(s);
	}
	mutex_unlock(&slab_mutex);
	return count;
}

static unsigned long slab_shrink_scan(struct shrinker *sh,
				      struct shrink_control *sc)
{
	unsigned long freed = slab_drain_all();

	sc->nr_scanned = sc->nr_to_scan;
	return freed;
}

static void slab_drain_hook(void)
{
	slab_drain_all();
}

/* The node counters agree with the slabs and large kmalloc blocks. */
static bool slab_accounting_check(void)
{
	unsigned long counts[KMEM_NR_OWNERS];
	unsigned long rcl = 0, unrcl, owned;
	struct kmem_cache *s;
	bool ok = true;

	if (!slab_epoch)
		return true;
	mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		struct kmem_cache_node *n = s->node[0];
		struct slab *slab;
		unsigned long pages = 0;

		if (slab_foreign()) {
			if (!slab_allocator->cache_pages) {
				mutex_unlock(&slab_mutex);
				return true; /* the allocator's check does it */
			}
			if (s->flags & SLAB_RECLAIM_ACCOUNT)
				rcl += slab_allocator->cache_pages(s);
			continue;
		}
		spin_lock(&n->list_lock);
		list_for_each_entry(slab, &n->full, slab_list)
			pages += 1UL << slab->order;
		list_for_each_entry(slab, &n->partial, slab_list)
			pages += 1UL << slab->order;
		list_for_each_entry(slab, &n->empty, slab_list)
			pages += 1UL << slab->order;
		spin_unlock(&n->list_lock);
		if (s->flags & SLAB_RECLAIM_ACCOUNT)
			rcl += pages;
	}
	mutex_unlock(&slab_mutex);
	unrcl = global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	if (rcl != global_node_page_state(NR_SLAB_RECLAIMABLE)) {
		pr_err("slab check: %lu reclaimable slab pages, NR_SLAB_RECLAIMABLE says %lu\n",
		       rcl, global_node_page_state(NR_SLAB_RECLAIMABLE));
		ok = false;
	}
	page_owner_counts(counts);
	owned = counts[KMEM_OWNER_SLAB] + counts[KMEM_OWNER_LARGE_KMALLOC];
	if (owned != rcl + unrcl) {
		pr_err("slab check: %lu pages tagged slab/large kmalloc, counters say %lu\n",
		       owned, rcl + unrcl);
		ok = false;
	}
	if (counts[KMEM_OWNER_LARGE_KMALLOC] !=
	    (unsigned long)atomic_long_read(&nr_large_kmalloc_pages)) {
		pr_err("slab check: %lu large kmalloc pages tagged, %ld counted\n",
		       counts[KMEM_OWNER_LARGE_KMALLOC],
		       atomic_long_read(&nr_large_kmalloc_pages));
		ok = false;
	}
	return ok;
}

/* ---- the allocators ----------------------------------------------------------- */

/* SLUB's entries: the core (mm/slub.c) and the kmalloc caches above. */
static int slub_init(const struct slab_page_source *src)
{
	int err = slab_core_init(src);

	return err ? err : create_kmalloc_caches();
}

static struct kmem_cache *slub_cache_create(const char *name, unsigned int size,
					    unsigned int align,
					    slab_flags_t flags,
					    void (*ctor)(void *))
{
	return __kmem_cache_create(name, size, align, flags, ctor, NULL);
}

static void *slub_alloc(struct kmem_cache *s, gfp_t gfp, size_t orig_size)
{
	return slab_alloc_slow(s, gfp, orig_size);
}

static void slub_free(struct kmem_cache *s, void *x)
{
	kmem_cache_free(s, x);
}

static size_t slub_ksize(const void *x, struct kmem_cache **sp,
			 const char *func)
{
	return kmalloc_block_size(func, x, sp, NULL);
}

static size_t slub_size_roundup(size_t size)
{
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_index_size(kmalloc_size_index(size));
	return PAGE_SIZE << get_order(size);
}

static void slub_slabinfo_line(struct kmem_cache *s, FILE *f)
{
	struct slab_counts c;

	slab_get_counts(s, &c);
	fprintf(f, "%-17s %6lu %6lu %6u %4u %4d", s->name, c.active_objects,
		c.total_objects, s->size, s->objects, 1 << s->order);
	fprintf(f, " : tunables %4u %4u %4u", 0, 0, 0);
	fprintf(f, " : slabdata %6lu %6lu %6lu\n", c.nr_slabs, c.nr_slabs, 0UL);
}

static unsigned long slub_cache_pages(struct kmem_cache *s)
{
	struct slab_counts c;

	slab_get_counts(s, &c);
	return c.nr_slabs << s->order;
}

const struct slab_allocator slub_allocator = {
	.name = "SLUB",
	.init = slub_init,
	.exit = slab_core_exit,
	.cache_create = slub_cache_create,
	.cache_destroy = __kmem_cache_destroy,
	.cache_shrink = kmem_cache_shrink,
	.alloc = slub_alloc,
	.free = slub_free,
	.kmalloc_large = NULL,
	.ksize = slub_ksize,
	.size_roundup = slub_size_roundup,
	.get_counts = slab_get_counts,
	.slabinfo_line = slub_slabinfo_line,
	.drain = slab_drain_all,
	.cache_pages = slub_cache_pages,
	.check = slab_check,
};

/* The allocators this build has, by enum kmem_slab. */
static const struct slab_allocator *const slab_allocators[] = {
	[KMEM_SLAB_SLUB] = &slub_allocator,
	[KMEM_SLAB_SLAB] = &slab_allocator_classic, /* mm/slab.c */
	[KMEM_SLAB_SLOB] = &slob_allocator,	    /* mm/slob.c */
};

const char *slab_allocator_name(enum kmem_slab which)
{
	static const char *const names[] = { "SLUB", "SLUB", "SLAB", "SLOB" };

	if ((unsigned int)which >= ARRAY_SIZE(names))
		return "?";
	return names[which];
}

bool slab_allocator_built(enum kmem_slab which)
{
	return which >= KMEM_SLAB_SLUB && which <= KMEM_SLAB_SLOB &&
	       slab_allocators[which];
}

/* slab_allocator= (kernel/init.c resolves it with kmem_config.slab and
 * $KMEM_SLAB before the machine is built; a bad value never boots). Here it
 * is only taken, or reported when the configuration chose another. */
static int setup_slab_allocator(const char *val)
{
	const char *chosen = slab_allocator_name(kmem_cfg.slab);

	if (!val)
		return -EINVAL;
	if (strcasecmp(val, chosen))
		pr_warn("slab_allocator=%s ignored: KMEM_SLAB or kmem_config.slab chose %s\n",
			val, chosen);
	return 0;
}
KMEM_EARLY_PARAM("slab_allocator", setup_slab_allocator);

static struct kmem_hook slab_check_hook = { "slab", (const void *)slab_check };
static struct kmem_hook slab_accounting_check_hook = {
	"slab accounting", (const void *)slab_accounting_check
};
KMEM_HOOK(slab_drain, slab_drain_hook, KMEM_INIT_SLAB);

static int slab_init(void)
{
	const struct slab_allocator *a = slab_allocators[KMEM_SLAB_SLUB];
	int err;

	if (slab_allocator_built(kmem_cfg.slab))
		a = slab_allocators[kmem_cfg.slab];
	atomic_long_set(&nr_large_kmalloc_pages, 0);
	slab_dmap.base = PAGE_OFFSET;
	/* No map (host memory short): every kfree takes the slow path. */
	slab_dmap.slabs =
		calloc(((unsigned long)high_memory - PAGE_OFFSET) >> PAGE_SHIFT,
		       sizeof(struct slab *));
	if (slab_dmap.slabs)
		slab_dmap.size = (unsigned long)high_memory - PAGE_OFFSET;
	slab_allocator = a;
	if (a != &slub_allocator)
		slab_epoch = kmem_boot_generation;
	err = a->init(&buddy_slab_source);
	if (err) {
		free(slab_dmap.slabs);
		memset(&slab_dmap, 0, sizeof(slab_dmap));
		return err;
	}
	kmalloc_tc_fill(true);
	slab_shrinker = shrinker_alloc(0, "slab");
	if (slab_shrinker) {
		slab_shrinker->count_objects = slab_shrink_count;
		slab_shrinker->scan_objects = slab_shrink_scan;
		shrinker_register(slab_shrinker);
	}
	kmem_hook_register(&kmem_checkers, &slab_check_hook);
	kmem_hook_register(&kmem_checkers, &slab_accounting_check_hook);
	register_cpu_cache_drain(&slab_drain);
	return 0;
}

static void slab_exit(void)
{
	struct slab **slabs;

	kmem_hook_unregister(&kmem_checkers, &slab_check_hook);
	kmem_hook_unregister(&kmem_checkers, &slab_accounting_check_hook);
	unregister_cpu_cache_drain(&slab_drain);
	shrinker_free(slab_shrinker);
	slab_shrinker = NULL;
	kmalloc_tc_fill(false);
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	kmem_buckets_cache = NULL;
	slabs = slab_dmap.slabs;
	memset(&slab_dmap, 0, sizeof(slab_dmap));
	free(slabs);
	slab_allocator->exit();
	if (slab_foreign())
		slab_epoch = 0;
	slab_allocator = &slub_allocator;
	atomic_long_set(&nr_large_kmalloc_pages, 0);
}

KMEM_INITCALL(KMEM_INIT_SLAB, slab_init, slab_exit);

KMEM_LINK_ANCHOR(slab_common);
