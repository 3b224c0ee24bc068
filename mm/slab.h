/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the slab allocator (mm/slub.c, mm/slab_common.c).
 * See the theory statement at the top of mm/slub.c.
 *
 * Glossary
 *   cache    struct kmem_cache: objects of one size, their geometry, the slabs
 *   slab     2^order contiguous pages cut into `objects` objects of s->size
 *   node     struct kmem_cache_node: the cache's full/partial/empty slab lists
 *            and its barn (one node: the simulated machine is not NUMA)
 *   sheaf    an array of free object pointers; each thread owns a "main" and a
 *            "spare" sheaf per cache (the kernel's per-CPU sheaves)
 *   barn     per-node stock of full and empty sheaves shared by the threads
 *   source   struct slab_page_source: where slabs get their pages
 */
#ifndef _KMEM_MM_SLAB_H
#define _KMEM_MM_SLAB_H

#include <linux/slab.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/mm_types.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <stdio.h>
#include "mm/fault_inject.h"

struct kmem_cache;

/*
 * struct slab: the descriptor of one slab. For the buddy page source it is
 * overlaid on the head struct page (as in the kernel): word 0 keeps the page
 * flags, words 1-5 are the slab's, page_type is PGTY_slab, kmem_private holds
 * the address of the first object. Other sources keep descriptors wherever
 * they like; the core only uses the fields.
 */
struct slab {
	unsigned long __page_flags;
	struct kmem_cache *slab_cache; /* bit 0 clear: not a tail page */
	struct list_head slab_list;    /* on n->full, n->partial or n->empty */
	void *freelist;		/* first free object (its link: free_link_*) */
	unsigned short inuse;	/* objects not on the freelist */
	unsigned short objects; /* objects in this slab */
	unsigned short tc_offset; /* the free fast path's sheaf entry (see
				   * slab_free_fast) */
	unsigned char order;	  /* the slab is 2^order pages */
	unsigned char __pad;
	unsigned int __page_type;
	atomic_t __page_refcount;
	void *s_mem; /* first object (the slab's address) */
};

_Static_assert(sizeof(struct slab) == sizeof(struct page),
	       "struct slab overlays struct page");
_Static_assert(__builtin_offsetof(struct slab, __page_type) ==
		       __builtin_offsetof(struct page, page_type),
	       "page_type must stay in place");
_Static_assert(__builtin_offsetof(struct slab, s_mem) ==
		       __builtin_offsetof(struct page, kmem_private),
	       "s_mem overlays kmem_private");

/*
 * The page source: the only way the core gets and returns memory. The core
 * makes no assumption about where pages come from.
 *   alloc_slab   2^order contiguous pages for a slab of `s` (gfp as given, the
 *                source adds s->allocflags), with a descriptor whose s_mem is
 *                set and whose other fields the core fills; NULL on failure
 *   free_slab    give the slab's pages back (the descriptor dies with them)
 *   virt_to_slab the slab containing `addr`, or NULL if `addr` is not inside a
 *                slab of this source
 */
struct slab_page_source {
	const char *name;
	struct slab *(*alloc_slab)(struct kmem_cache *s, gfp_t gfp,
				   unsigned int order);
	void (*free_slab)(struct kmem_cache *s, struct slab *slab,
			  unsigned int order);
	struct slab *(*virt_to_slab)(const void *addr);
};

/* A sheaf: free objects cached above the slabs. */
struct slab_sheaf {
	struct list_head barn_list; /* on a barn list, or unused */
	unsigned int size;	    /* objects[0 .. size) are free objects */
	unsigned int capacity;
	struct kmem_cache *cache;
	void *objects[];
};

/* The kernel's barn limits (per node) are MAX_FULL_SHEAVES and
 * MAX_EMPTY_SHEAVES; kmem raises a cache's limit (s->barn_max) to hold
 * BARN_BYTES_PER_CPU of objects per simulated CPU, up to MAX_BARN_SHEAVES
 * (see sheaf_barn_max() in mm/slub.c). */
#define MAX_FULL_SHEAVES 10
#define MAX_EMPTY_SHEAVES 10
#define MAX_BARN_SHEAVES 128
#define BARN_BYTES_PER_CPU (1UL << 20)

struct kmem_cache_node {
	/* list_lock protects the three lists, their counts and every field
	 * of the slabs on them (freelist, inuse). */
	spinlock_t list_lock;
	unsigned int nr_partial;
	struct list_head partial; /* 0 < inuse < objects */
	struct list_head full;	  /* inuse == objects */
	struct list_head empty;	  /* inuse == 0, at most min_partial kept */
	unsigned int nr_full, nr_empty;
	unsigned long total_objects; /* objects in all slabs of the node */
	unsigned long total_inuse;   /* of which not on a slab freelist */

	/* barn_lock protects the barn. */
	spinlock_t barn_lock;
	unsigned int nr_barn_full, nr_barn_empty;
	struct list_head barn_full, barn_empty;
};
/* The fields are ordered so the node is 128 bytes on x86-64 without lockdep,
 * the size of the kernel's (6.18: kmem_cache_node 128 in /proc/slabinfo;
 * kmem's barn is inline where the kernel's is a pointer). */

#define SLAB_NAME_LEN 48

struct kmem_cache {
	/* Read-mostly after creation; the fast paths read the first line. */
	unsigned int alloc_tc;	  /* the alloc fast path's entry, in bytes
				   * (see slab_alloc_fast) */
	unsigned int size;	  /* s->size: object + metadata, aligned */
	unsigned int object_size; /* what the user asked for */
	unsigned int offset;	  /* free pointer offset in the object */
	unsigned long obj_inv;	  /* odd part of size, inverted mod 2^64 */
	unsigned int obj_shift;	  /* size = odd part << obj_shift */
	slab_flags_t flags;
	unsigned long
		free_mark; /* secret: the free word of an object in a sheaf */
	unsigned long free_unkey; /* free_key^-1 mod 2^64 (see free_word_link) */
	struct kmem_cache_node *node[1];
	void (*ctor)(void *);

	unsigned long free_key; /* secret, odd: free word links are multiples */
	unsigned int index;	/* slot in the per-thread sheaf table */
	unsigned int sheaf_capacity;
	unsigned int barn_max;	  /* full (and empty) sheaves a barn keeps */
	bool init_on_alloc;	  /* slab_want_init_on_alloc() without GFP */
	bool init_on_free;	  /* slab_want_init_on_free() */
	unsigned int *random_seq; /* CONFIG_SLAB_FREELIST_RANDOM: s->objects
				   * indices, shuffled (host memory) */

	unsigned int align;
	unsigned int inuse; /* offset of the end of the object's data */
	unsigned int red_left_pad;
	unsigned int order;	  /* slab order (pagesperslab = 1 << order) */
	unsigned int objects;	  /* objects per slab of that order */
	unsigned int min_order;	  /* fallback order when `order` fails */
	unsigned int min_partial; /* empty slabs kept per node */
	gfp_t allocflags;	  /* added to every slab page allocation */
	const struct slab_page_source *src;
	int refcount;
	struct list_head list; /* slab_caches, newest first (slab_mutex) */
	char name[SLAB_NAME_LEN];
	void *priv; /* SLAB/SLOB: the allocator's own state of
		     * the cache (see struct slab_allocator) */
};

/* Internal flag: object is poisoned (SLAB_POISON without ctor or RCU). */
#define __OBJECT_POISON ((slab_flags_t)0x80000000U)

/* ---- geometry (mm/slub.c) ------------------------------------------------- */
struct slab_geometry {
	unsigned int align, size, offset, inuse, red_left_pad;
	unsigned int order, objects, min_order, min_partial, sheaf_capacity;
	slab_flags_t flags;
};
/* Compute SLUB's geometry for an object of `object_size` bytes with the given
 * align/flags/ctor on a machine of `nr_cpus` CPUs. 0 or -EINVAL (too large). */
int slab_calculate_geometry(unsigned int object_size, unsigned int align,
			    slab_flags_t flags, bool has_ctor,
			    unsigned int nr_cpus, struct slab_geometry *g);
unsigned int slab_calculate_order(unsigned int size, unsigned int nr_cpus);

/* ---- the core (mm/slub.c) ---------------------------------------------------- */
extern struct mutex slab_mutex; /* slab_caches, create/destroy */
extern struct list_head slab_caches;
extern struct kmem_cache *kmem_cache; /* the cache of struct kmem_cache */
extern struct kmem_cache
	*kmem_cache_node; /* the cache of struct kmem_cache_node */

/* Allocate and initialise a cache from `src` (caller holds slab_mutex).
 * NULL with an error printed on failure. */
struct kmem_cache *__kmem_cache_create(const char *name, unsigned int size,
				       unsigned int align, slab_flags_t flags,
				       void (*ctor)(void *),
				       const struct slab_page_source *src);
/* Destroy (caller holds slab_mutex): 0, or -EBUSY when objects remain (the
 * kernel's report is printed and the cache is kept). */
int __kmem_cache_destroy(struct kmem_cache *s);
/* Bring up / tear down the core: boot caches, per-thread state. */
int slab_core_init(const struct slab_page_source *src);
void slab_core_exit(void);

/* orig_size: the size a kmalloc asked for (0: the whole object); only
 * debug caches use it (the kmalloc red zone, mm/slub_debug.c). */
void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, size_t orig_size);
/* memset(obj, 0, s->object_size); returns obj (out of line: a tail call
 * keeps the fast path free of saved registers). */
void *slab_zero_object(struct kmem_cache *s, void *obj);
void slab_free_slow(struct kmem_cache *s, struct slab *slab, void *x);
/* Report a use of a destroyed cache by `func` (the kernel's WARN format). */
void slab_dead_cache(struct kmem_cache *s, const char *func);

/* Flush this thread's sheaves, the barns and the empty slabs of every
 * cache (what kmem_free_pages_drained() and the shrinker use). Returns pages
 * given back. */
unsigned long slab_drain_all(void);
/* Give the calling thread's sheaves and the barn of s back to the slabs,
 * keeping the empty slabs up to min_partial (what the kernel's sheaf flush
 * does; kmem_cache_shrink() then frees the rest). */
void slab_flush_sheaves(struct kmem_cache *s);
/* Sheaves the threads' stocks of s hold (the shrinker's count). */
unsigned long slab_stock_sheaves(struct kmem_cache *s);

/* Counts for slabinfo and the tour. */
struct slab_counts {
	unsigned long nr_full, nr_partial, nr_empty, nr_slabs;
	unsigned long total_objects, active_objects;
	unsigned long barn_full, barn_empty, thread_cached;
};
void slab_get_counts(struct kmem_cache *s, struct slab_counts *c);
/* Check one cache's lists and slabs; prints what is wrong. */
bool slab_check_cache(struct kmem_cache *s);
bool slab_check(void);

/* ---- the slab allocators: SLUB, SLAB, SLOB ----------------------------------
 *
 * One allocator serves every cache of a machine, chosen at boot
 * (kmem_config.slab, $KMEM_SLAB, slab_allocator= on the command line) and
 * set in slab_allocator before the slab layer comes up. The common layer
 * (mm/slab_common.c: the kmalloc family, kmem_cache_create/destroy/shrink,
 * ksize, krealloc, slabinfo, the shrinker, the checkers) calls it through
 * this table; the page source (struct slab_page_source: slab pages from the
 * buddy allocator, PGTY_slab, accounted) is shared.
 *
 * SLUB's fast paths (mm/slab.h below, inlined in kmalloc/kfree and
 * kmem_cache_alloc/free) know nothing of the table: another allocator's
 * caches and slabs simply never let them succeed, as slab_debug caches do,
 * so every allocation and free reaches SLUB's slow paths, whose first test
 * (slab_alloc_slow, slab_free_slow: slab_foreign()) hands it to the table.
 * An allocator other than SLUB must therefore keep, for each cache s:
 *	s->alloc_tc == SLAB_DEAD_INDEX << SLAB_TC_SHIFT (the empty entry)
 *	s->index    != SLAB_DEAD_INDEX until destroyed (then == it: dead)
 *	s->name, s->object_size, s->size, s->align, s->flags, s->ctor,
 *	s->refcount, s->list (on slab_caches under slab_mutex) as SLUB's
 * and for every page holding its objects (a PGTY_slab page of the page
 * source, so that kfree() finds it):
 *	slab->slab_cache  a struct kmem_cache (the object's cache, or any
 *	                  cache of the allocator's own, e.g. SLOB's pages)
 *	slab->tc_offset == SLAB_DEAD_INDEX << SLAB_TC_SHIFT
 * Everything else in struct slab (but __page_flags, __page_type,
 * __page_refcount), and s->priv, is the allocator's.
 *
 * The operations (slab_mutex is held where noted; none may be NULL unless
 * noted):
 *   name          "SLUB", "SLAB", "SLOB" (the banner, kmem_machine_info)
 *   init          bring the allocator up on `src`: its boot caches and every
 *                 entry of kmalloc_caches[type][1 .. KMALLOC_SHIFT_HIGH]
 *                 (the caches kmalloc of that SLUB class uses: an allocator
 *                 without the class points to its next larger cache); 0 or
 *                 -errno (the boot fails)
 *   exit          tear down at halt (the RAM goes away: free host memory only)
 *   cache_create  a new cache (slab_mutex); ERR_PTR(-errno) on failure
 *   cache_destroy 0; -EBUSY with objects left (reported, cache kept); -ENOENT
 *                 for a cache destroyed before (reported) (slab_mutex)
 *   cache_shrink  kmem_cache_shrink(): give back what is not in use
 *   alloc         an object of s (never NULL s; dead caches reported by the
 *                 caller), honouring __GFP_ZERO; orig_size: the kmalloc size
 *                 or 0; kmemleak_slab_alloc() if kmemleak_enabled
 *   free          free x; s is the cache kmem_cache_free() names or the
 *                 cache of x's slab page (kfree); reports bad frees itself
 *   kmalloc_large kmalloc of KMALLOC_MAX_CACHE_SIZE < size (NULL op: the
 *                 common large kmalloc, a compound page per block)
 *   ksize         the usable size of the block x starts on one of the
 *                 allocator's pages, *sp its cache (NULL: no cache, e.g. a
 *                 SLOB kmalloc block); 0 after a report (as `func`) if x is
 *                 not a block start
 *   size_roundup  kmalloc_size_roundup() for size <= KMALLOC_MAX_SIZE
 *   get_counts    struct slab_counts of s (slabinfo, tour, replay)
 *   slabinfo_line one line of /proc/slabinfo for s (NULL op: no
 *                 /proc/slabinfo, as SLOB)
 *   drain         give back every page not in use (shrinker, drain): pages
 *   cache_pages   slab pages s holds (the accounting checker; NULL op: the
 *                 allocator checks its accounting in `check`)
 *   check         the invariants of every cache; prints what is wrong
 */
struct slab_allocator {
	const char *name;
	int (*init)(const struct slab_page_source *src);
	void (*exit)(void);
	struct kmem_cache *(*cache_create)(const char *name, unsigned int size,
					   unsigned int align,
					   slab_flags_t flags,
					   void (*ctor)(void *));
	int (*cache_destroy)(struct kmem_cache *s);
	int (*cache_shrink)(struct kmem_cache *s);
	void *(*alloc)(struct kmem_cache *s, gfp_t gfp, size_t orig_size);
	void (*free)(struct kmem_cache *s, void *x);
	void *(*kmalloc_large)(size_t size, gfp_t gfp);
	size_t (*ksize)(const void *x, struct kmem_cache **sp,
			const char *func);
	size_t (*size_roundup)(size_t size);
	void (*get_counts)(struct kmem_cache *s, struct slab_counts *c);
	void (*slabinfo_line)(struct kmem_cache *s, FILE *f);
	unsigned long (*drain)(void);
	unsigned long (*cache_pages)(struct kmem_cache *s);
	bool (*check)(void);
};

/* The allocators of this build (NULL: not built) and the running one. */
extern const struct slab_allocator slub_allocator;	   /* mm/slub.c */
extern const struct slab_allocator slab_allocator_classic; /* mm/slab.c */
extern const struct slab_allocator slob_allocator;	   /* mm/slob.c */
extern const struct slab_allocator *slab_allocator;

/* ---- SLAB (mm/slab.c) ---------------------------------------------------- */
/* A SLAB cache's geometry and tunables (Linux 3.4's kmem_cache_create,
 * calculate_slab_order and enable_cpucache; see mm/slab.c). */
struct slab_classic_geometry {
	unsigned int size; /* buffer_size: the object, aligned */
	unsigned int align;
	unsigned int num;	 /* objects per slab */
	unsigned int gfporder;	 /* the slab is 2^gfporder pages */
	unsigned int left_over;	 /* bytes no object uses (the colour area) */
	unsigned int colour_off; /* the cache line, or align if larger */
	unsigned int colour;	 /* left_over / colour_off */
	unsigned int slab_size;	 /* struct slab + kmem_bufctl_t[num] */
	bool off_slab;		 /* management in a kmalloc object */
	unsigned int limit, batchcount, shared; /* the tunables */
	unsigned int free_limit;		/* free objects a node keeps */
	/* CONFIG_DEBUG_SLAB (mm/slab.c, "Debugging"): the flags kept of
	 * SLAB_RED_ZONE, SLAB_POISON and SLAB_STORE_USER, the object's offset
	 * in its buffer (8 after a red zone) and its size (obj_size). */
	slab_flags_t dbg;
	unsigned int obj_offset, obj_size;
};
/* 0, or -EINVAL when no order up to KMALLOC_MAX_ORDER holds an object.
 * max_order: slab_max_order (slab_classic_max_order of the RAM). */
int slab_classic_calculate(unsigned int object_size, unsigned int align,
			   slab_flags_t flags, unsigned int max_order,
			   unsigned int nr_cpus,
			   struct slab_classic_geometry *g);
/* SLAB_MAX_ORDER_HI (1) above 32 MiB of RAM, else SLAB_MAX_ORDER_LO (0). */
unsigned int slab_classic_max_order(unsigned long ram_pages);
/* cache_reap now, on every CPU and node (it also runs by itself every
 * SLAB_REAP_EVENTS refills and flushes of the per-CPU arrays). */
void slab_classic_reap(void);
#define SLAB_REAP_EVENTS 1024

/* Is the running allocator another than SLUB (the slow paths' test)? */
static __always_inline bool slab_foreign(void)
{
	return slab_allocator != &slub_allocator;
}

/* ---- per-thread sheaves (inline fast paths) ----------------------------- */

/* Cache indices, and entries in every thread's sheaf table. The last index
 * is never given to a live cache: a destroyed cache gets it, so that its
 * entry in every table stays empty and a stale handle's fast paths always
 * reach the slow path, which reports the use (slab_dead_cache()). */
#define SLAB_MAX_CACHES 1024
#define SLAB_DEAD_INDEX (SLAB_MAX_CACHES - 1)

/* Has s been destroyed (its descriptor is kept: see __kmem_cache_create)? */
/* The page allocator flags a cache's creation flags ask for (SLAB and SLUB
 * alike): its zone and the reclaimable migrate type. */
static inline gfp_t slab_cache_gfp(slab_flags_t flags)
{
	gfp_t gfp = 0;

	if (flags & SLAB_CACHE_DMA)
		gfp |= GFP_DMA;
	if (flags & SLAB_CACHE_DMA32)
		gfp |= GFP_DMA32;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		gfp |= __GFP_RECLAIMABLE;
	return gfp;
}

static inline bool slab_cache_dead(const struct kmem_cache *s)
{
	return s->index == SLAB_DEAD_INDEX;
}

/*
 * The free word: the word at s->offset of every free object (see section 5
 * of mm/slub.c). A free object holds
 *	link * s->free_key ^ s->free_mark ^ swab(&word)		(mod 2^64)
 * where link is 0 while the object sits in a sheaf, and on a slab freelist
 * 1 for the end of the list or 2 + the index of the next free object in the
 * slab; swab(&word), the byte-swapped address of the word itself, is
 * CONFIG_SLAB_FREELIST_HARDENED's (the kernel's freelist_ptr_encode():
 * ptr ^ s->random ^ swab(ptr_addr)), so a free word copied to another
 * object, or one leaked and replayed elsewhere, is not a link there.
 * free_key is odd and s->free_unkey its inverse, so
 * (word ^ free_mark ^ swab(&word)) * free_unkey gives the link back, and a
 * link is at most FREE_LINK_MAX: "free" is two xors, a byte swap, one
 * multiply and one compare. Any other word (0, which allocation writes
 * there, user data, a partial overwrite or a copy of a free word) decodes
 * to a link that small with probability about 2^-48.
 */
#define FREE_LINK_SHEAF 0UL
#define FREE_LINK_END 1UL
#define FREE_LINK_MAX 0xffffUL /* > 2 + MAX_OBJS_PER_PAGE */

static __always_inline unsigned long *free_word(const struct kmem_cache *s,
						void *object)
{
	return (unsigned long *)((char *)object + s->offset);
}

/* What the slot's address adds to the free word stored there. */
static __always_inline unsigned long free_word_salt(const unsigned long *slot)
{
#ifdef CONFIG_SLAB_FREELIST_HARDENED
	return __builtin_bswap64((unsigned long)slot);
#else
	(void)slot;
	return 0;
#endif
}

static __always_inline unsigned long free_word_read(const struct kmem_cache *s,
						    void *object)
{
	unsigned long w;

	__builtin_memcpy(&w, free_word(s, object), sizeof(w));
	return w;
}

static __always_inline void free_word_write(const struct kmem_cache *s,
					    void *object, unsigned long w)
{
	__builtin_memcpy(free_word(s, object), &w, sizeof(w));
}

/* The link the free word w of object holds (> FREE_LINK_MAX: w is not a
 * free word there). */
static __always_inline unsigned long
free_word_link(const struct kmem_cache *s, void *object, unsigned long w)
{
	return (w ^ s->free_mark ^ free_word_salt(free_word(s, object))) *
	       s->free_unkey;
}

/* The free word of object for link. */
static __always_inline unsigned long
free_word_make(const struct kmem_cache *s, void *object, unsigned long link)
{
	return link * s->free_key ^ s->free_mark ^
	       free_word_salt(free_word(s, object));
}

/* The link object's free word holds now. */
static __always_inline unsigned long free_word_get(const struct kmem_cache *s,
						   void *object)
{
	return free_word_link(s, object, free_word_read(s, object));
}

/* Does the free word of object say it is free (in a sheaf or on a slab's
 * freelist)? */
static __always_inline bool free_word_says_free(const struct kmem_cache *s,
						void *object)
{
	return free_word_get(s, object) <= FREE_LINK_MAX;
}

/*
 * One thread's sheaves of one cache: the main sheaf as three pointers, so
 * that each fast path is one compare and one pointer step (its free
 * objects are [base, top), its room ends at end), and the spare. base is
 * main->objects, so main itself is found from it (tc_main()); while a
 * sheaf is main, its own `size` is stale and top - base is the truth
 * (tc_detach() writes it back). An all-zero entry (base == top == end)
 * sends both fast paths to the slow path. 32 bytes: an entry's byte offset
 * in a table is index << 5.
 */
struct slab_thread_cache {
	void **top;
	void **base;
	void **end;
	struct slab_sheaf *spare;
};

#define SLAB_TC_SHIFT 5
_Static_assert(sizeof(struct slab_thread_cache) == 1 << SLAB_TC_SHIFT,
	       "sheaf table entries are indexed by a shift");

/*
 * A thread's slab state. tc is the only field the fast paths read: it
 * points to a table of SLAB_MAX_CACHES entries (indexed by s->index, so no
 * bounds test), or to slab_no_table (all zero, never written) while the
 * thread has no table for the running machine. It is reset to slab_no_table
 * when the thread exits and, for every registered thread, when the slab
 * layer goes down (slab_core_exit()), so a table the fast paths can reach
 * always belongs to the running machine: they need no epoch test.
 */
struct slab_thread {
	struct slab_thread_cache *tc;
	unsigned long epoch;   /* slab_epoch it registered in, or 0 */
	struct list_head link; /* slab_threads (slab_tc_lock) */
	bool registered;
};

extern __thread struct slab_thread slab_thread
	__attribute__((tls_model("initial-exec")));
/* Non-zero while the slab layer is up; changes at every boot. */
extern unsigned long slab_epoch;

/* The calling thread's entry for cache index i (one TLS load). */
static __always_inline struct slab_thread_cache *slab_tc(unsigned int i)
{
	return &slab_thread.tc[i];
}

/* The calling thread's entry at byte offset off (s->alloc_tc,
 * slab->tc_offset): the fast paths' form, with no shift. */
static __always_inline struct slab_thread_cache *slab_tc_at(unsigned long off)
{
	return (struct slab_thread_cache *)((char *)slab_thread.tc + off);
}

/*
 * The index of x in `slab` (a slab of s) if x is an object start there;
 * otherwise a number >= slab->objects. One multiply, no division and one
 * comparison for the caller, for any size: size = d << k with d odd,
 * s->obj_inv = d^-1 mod 2^64, off = x - s_mem. If size divides off,
 * rotr(off * obj_inv, k) is exactly off / size; if it does not, the result
 * exceeds (2^64 - 1) / size, hence any object count (Granlund and
 * Montgomery's divisibility test). Pointers inside an object, past the last
 * object and below the slab (off wraps) all land on the "not" side.
 */
static __always_inline unsigned long slab_obj_index(const struct kmem_cache *s,
						    const struct slab *slab,
						    const void *x)
{
	unsigned long off = (unsigned long)x - (unsigned long)slab->s_mem;
	unsigned long q = off * s->obj_inv;
	unsigned int k = s->obj_shift;

	return (q >> k) | (q << ((64 - k) & 63));
}

/* Is x the start of an object of `slab` (a slab of s)? Exact for any size. */
static __always_inline bool slab_is_obj_start(const struct kmem_cache *s,
					      const struct slab *slab,
					      const void *x)
{
	return slab_obj_index(s, slab, x) < slab->objects;
}

/*
 * Allocation fast path: pop the thread's main sheaf of s and clear the
 * object's free word (it is not free any more). Everything else (no table
 * yet, another machine, empty sheaf, a destroyed cache, whose index has an
 * empty entry in every table, a cache with init_on_alloc, whose alloc_tc
 * is that empty entry too) is the slow path's.
 */
static __always_inline void *__slab_alloc_fast(struct kmem_cache *s, gfp_t gfp,
					       size_t orig_size)
{
	struct slab_thread_cache *tc = slab_tc_at(s->alloc_tc);
	void **top = tc->top;

	if (likely(top != tc->base)) {
		void *obj = *--top;

		tc->top = top;
		free_word_write(s, obj, 0);
		if (unlikely(gfp & __GFP_ZERO))
			return slab_zero_object(s, obj);
		return obj;
	}
	return slab_alloc_slow(s, gfp, orig_size);
}

/* kmemleak (mm/kmemleak.c): on from boot with kmemleak=on. While it is,
 * no thread has sheaves (slab_thread_prepare() says no), so the fast paths
 * cost nothing and every object passes the slow paths, which record it
 * (kmemleak_slab_alloc) or forget it (kmemleak_free). */
extern int kmemleak_enabled __attribute__((visibility("hidden")));
void kmemleak_slab_alloc(struct kmem_cache *s, void *obj);

/* failslab's hook, then __slab_alloc_fast (mm/fault_inject.c). */
void *slab_alloc_fault(struct kmem_cache *s, gfp_t gfp, size_t orig_size);

static __always_inline void *slab_alloc_fast(struct kmem_cache *s, gfp_t gfp,
					     size_t orig_size)
{
	/* A tail call when fault injection is on: the fast path keeps no
	 * frame and pays one load and one branch. */
	if (unlikely(kmem_fault_active))
		return slab_alloc_fault(s, gfp, orig_size);
	return __slab_alloc_fast(s, gfp, orig_size);
}

/*
 * Free fast path: push x, which the caller found in `slab` of cache `s`, on
 * the thread's main sheaf and mark it free. One combined test: x is an
 * object start of the slab, the sheaf has room, and x's free word does not
 * say it is free already (a double free, however long ago: in any sheaf or
 * on a slab freelist). Everything else, including confirming a double free,
 * the reports and init_on_free (the slabs of such a cache have the empty
 * entry as tc_offset), is slab_free_slow()'s.
 */
static __always_inline void slab_free_fast(struct kmem_cache *s,
					   struct slab *slab, void *x)
{
	struct slab_thread_cache *tc = slab_tc_at(slab->tc_offset);
	void **top = tc->top;
	unsigned long sheaf_word = free_word_make(s, x, FREE_LINK_SHEAF);

	if (likely(slab_is_obj_start(s, slab, x) && top != tc->end &&
		   (free_word_read(s, x) ^ sheaf_word) * s->free_unkey >
			   FREE_LINK_MAX)) {
		free_word_write(s, x, sheaf_word);
		*top = x;
		tc->top = top + 1;
		return;
	}
	slab_free_slow(s, slab, x);
}

#endif
