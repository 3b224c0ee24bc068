// SPDX-License-Identifier: MIT
/*
 * SLUB: the slab allocator core.
 *
 * 1. What it manages
 *    A cache (struct kmem_cache) hands out objects of one size. Its memory is
 *    a set of slabs: 2^order contiguous pages obtained from a page source
 *    (struct slab_page_source, mm/slab.h) and cut into `objects` objects of
 *    s->size bytes, the first at the slab's start; no bytes are reserved in
 *    the slab. The core never assumes where pages come from: the kernel's
 *    source is the buddy allocator (mm/slab_common.c), a later user-space
 *    malloc brings its own.
 *
 * 2. Geometry (slab_calculate_geometry; SLUB's, see
 *    ../shared/docs/linux-facts.md §2, but for the free pointer). Alignment:
 *    the requested one, raised to the cache line (halved while the object
 *    fits twice) with SLAB_HWCACHE_ALIGN, at least 8. The free pointer (kmem's
 *    free word, section 5) lives after the object when the object must stay
 *    intact while free (constructor, poisoning, SLAB_TYPESAFE_BY_RCU).
 *    Otherwise SLUB puts it in the middle, ALIGN_DOWN(object_size / 2, 8),
 *    so that a small overflow from the previous object does not redirect
 *    its freelist; kmem does so only for debug caches (whose reports then
 *    match the kernel's) and puts it at offset 8 of every other cache (0 for
 *    objects of 8 bytes): both fast paths touch the free word (allocation
 *    clears it, free reads and writes it for the double-free check), and at
 *    8 it shares the cache line the user touches first, where the middle of
 *    an object of 128 bytes or more is a second line (issue 12: D1 misses
 *    per pair of bench_live mixed1k 3.3 -> 2.3 under callgrind's cache
 *    model). Not 0: free's 8-byte read of a word the caller has just
 *    written with a narrower store (a flag, a char at offset 0) cannot be
 *    forwarded from the store buffer and waits for the store to retire;
 *    at 0, that stall made the kmalloc(64) pair that writes one byte 1.7x
 *    slower (4.9 -> 8.6 ns). An
 *    overflow into a free word cannot redirect kmem's freelists (their links
 *    are keyed slab indices, checked before use): it is reported as
 *    "Freepointer corrupt" when the slab's freelist is walked. Red zones and
 *    user tracking add their bytes.
 *    Order: the smallest order of at least min_objects = 4 * (fls(nr_cpus) + 1)
 *    objects whose leftover is at most 1/16 of the slab, then 1/8, 1/4, 1/2,
 *    up to order 3 (PAGE_ALLOC_COSTLY_ORDER), else get_order(size).
 *    min_partial = clamp(ilog2(size) / 2, 5, 10) empty slabs are kept.
 *
 * 3. Slab lists (per node; one node). Every slab is on exactly one list:
 *    full (inuse == objects), partial (0 < inuse < objects) or empty
 *    (inuse == 0). "inuse" counts objects not on the slab's freelist, so
 *    objects cached in sheaves count as in use, as in the kernel's slabinfo.
 *    Allocation takes from partial slabs first (fewest new pages touched),
 *    then empty ones, then a new slab. A slab that becomes empty goes to the
 *    empty list; beyond min_partial empty slabs it is given back to the
 *    source at once. kmem_cache_shrink() and the shrinker (reclaim) give back
 *    the rest.
 *
 * 4. The per-CPU layer: sheaves and barns (the kernel's 6.18+ design, which
 *    is Bonwick's magazines). Chosen over the pre-6.18 lockless per-CPU
 *    freelists because it needs no double-word cmpxchg and no per-CPU slab
 *    ownership: a sheaf is a plain array of free object pointers, so the fast
 *    paths are an array pop and push with no atomic instruction at all.
 *    In user space "per-CPU" is per host thread (struct slab_thread, TLS):
 *    each thread owns a main and a spare sheaf per cache and nobody else
 *    touches them while the thread may, so they need no lock. A free from
 *    another thread than the allocating one simply lands in the freeing
 *    thread's sheaf: objects are interchangeable, a slab's accounting only
 *    changes under its node's list_lock. When main is empty (alloc) or full
 *    (free) the slow path swaps with spare, then trades with the thread's
 *    own stock of sheaves (struct sheaf_stock: a full one for an empty
 *    one, at most about 1 MiB of objects per cache; kmem's, not the
 *    kernel's: it keeps a thread's frees on its own core), then exchanges
 *    with the node's barn (full and empty sheaves shared by all threads, at
 *    most s->barn_max of each: sheaf_barn_max()), then refills from or
 *    flushes to the slabs.
 *    Capacity: 60 objects (< 256 B), 28 (< 4 KiB), 12 (larger): the
 *    kernel's calculate_sheaf_capacity(), one step larger for objects of
 *    1 KiB and more (sheaf_capacity()).
 *    A thread's sheaves go back to the slabs when it exits (pthread key
 *    destructor), when it calls kmem_cache_shrink() or the drain
 *    (kmem_free_pages_drained), and when a cache is destroyed (which may
 *    touch every thread's sheaves of that cache: using a cache while it is
 *    destroyed is the caller's bug, as in the kernel); its stocks also when
 *    any thread calls kmem_cache_shrink() or the drain, and when the slab
 *    shrinker runs. Each thread's entries
 *    are one table of SLAB_MAX_CACHES (1024) entries indexed by s->index,
 *    reached by one initial-exec TLS load (struct slab_thread), so the fast
 *    paths have no bounds test. When the slab layer goes down (kmem_halt())
 *    the sheaves would point into dead RAM: slab_core_exit() frees every
 *    registered thread's table and sheaves without touching the objects
 *    (nobody may allocate while the machine halts) and points the thread
 *    at slab_no_table, whose zero capacity sends both fast paths to the slow
 *    path, which registers the thread for the new machine. So the fast
 *    paths need no boot-epoch test either: a table they can reach belongs
 *    to the running machine.
 *
 *    The fast paths (mm/slab.h) are one pop or push with one combined test.
 *    A thread's entry holds its main sheaf as pointers (top, base, end), and
 *    the fast paths reach it by a byte offset stored pre-shifted: in the
 *    cache for allocation (s->alloc_tc), in the slab for free
 *    (slab->tc_offset). Pointing either at the dead index's entry (always
 *    empty) sends that path to the slow path for a whole cache at no cost
 *    on the fast path: init_on_alloc and init_on_free use it.
 *    Free checks in that test, for every object, that x is an object start
 *    of its slab (one multiply: slab_obj_index()) and that its free word
 *    (section 5) does not say it is free already; it then writes the
 *    "in a sheaf" word. Allocation writes 0 over the free word of the object
 *    it pops.
 *
 * 5. The free word. The word at s->offset of a free object says so: it is
 *    free_mark ^ link * free_key (mm/slab.h), two per-cache secrets, where
 *    link is 0 for an object in a sheaf (main, spare, barn, any thread's)
 *    and, on a slab freelist, 1 for the end or 2 + the index of the next
 *    free object in the slab. The freelist thus stores object indices, not
 *    pointers, and every link followed is checked to be an index of the
 *    slab (get_free_link()): whatever is written into a free object, the
 *    allocator never follows it out of its slab. Any word other than a
 *    real free word, user data or a partial overwrite of a free word alike,
 *    decodes to a valid link with probability about 2^-48 (the multiply by
 *    the odd key spreads every bit change over the whole word).
 *    CONFIG_SLAB_FREELIST_HARDENED (on by default, as in distribution
 *    kernels; the CMake option KMEM_SLAB_FREELIST_HARDENED turns it off)
 *    also xors in the byte-swapped address of the word, as the kernel's
 *    freelist_ptr_encode() does: a free word copied or replayed into
 *    another object is not a link there, and the walk reports it at that
 *    object ("Freepointer corrupt"). Free pays one copy, a byte swap and an
 *    xor for it; allocation nothing (it writes 0).
 *
 * 6. Bad frees (slab_free_slow): a pointer that is not an object start
 *    ("Invalid object pointer"), an object of a slab that has no object in
 *    use, or a free to the wrong cache are reported in the kernel's words
 *    and freed nowhere. A double free, however many frees ago and from
 *    whichever thread, finds a free word saying "free" (one load, xor,
 *    multiply and compare on the fast path). The slow path confirms it before
 *    reporting "Object already free" (no false report for user data that
 *    happens to match): an object whose word says "on the freelist" must be
 *    found there (object_is_free()), one whose word says "in a sheaf" in the
 *    calling thread's sheaves, the barn or another thread's sheaves
 *    (in_some_sheaf()). Nothing is freed then, so no object is ever in two
 *    places and none is handed out twice. Two frees of one object racing in
 *    two threads can both pass the test; return_objects() still refuses the
 *    second copy when it reaches the slab.
 *
 *    Use after free: a link that is not a link of its slab (a write into a
 *    free object on a slab freelist) is reported as SLUB does with
 *    slab_debug ("Freepointer corrupt", the slab and the object) and fixed as
 *    it does: the slab's remaining freelist is abandoned ("FIX <cache>:
 *    Marking all objects used"); those objects are leaked, the allocator
 *    goes on. A write into an object in a sheaf only changes that object.
 *
 *    Destroyed caches: a cache's descriptor is host memory that stays, marked
 *    dead (index SLAB_DEAD_INDEX, whose entries in every thread's table are
 *    empty), until the machine halts, so it is never reused for a later
 *    cache; kmem_cache_alloc/free/shrink/destroy on it warn in the kernel's
 *    WARN format and do nothing.
 *
 * 7. Locks (their order: docs/ARCHITECTURE.md, "Lock order"):
 *    slab_mutex     the cache list, cache indices, create/destroy/shrink; the
 *                   shrinker only trylocks it (it runs inside allocations)
 *    slab_tc_lock   the registry of threads and their sheaf tables
 *                   (table creation, thread exit, destroy's flush, halt)
 *    st->lock       a thread's stock of one cache (a leaf: the owner's slow
 *                   paths, other threads' drains and double-free search)
 *    n->barn_lock   a node's barn
 *    n->list_lock   a node's slab lists and every slab's freelist and inuse
 *    The page source is called with none of the spinlocks held (it may
 *    reclaim, and reclaim calls the shrinker).
 *
 * 8. Invariants (slab_check): every slab is on the list its inuse says, with
 *    slab_cache == s; freelist length == objects - inuse; every free object
 *    is an object start inside its slab, holds a valid link and appears
 *    once; the node's counts equal the lists; total_inuse == sum of inuse;
 *    sheaves hold at most their capacity.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/kmemleak.h>
#include <kmem/machine.h>
#include "kernel/internal.h"
#include "mm/internal.h"
#include "mm/kfence.h"
#include "mm/slab.h"
#include "mm/page_debug.h"
#include "mm/slub_debug.h"

#define CACHE_LINE_SIZE 64

/* ---- Data ------------------------------------------------------------------ */

DEFINE_MUTEX_RANK(slab_mutex, LOCK_RANK_SLAB_MUTEX);
LIST_HEAD(slab_caches);
struct kmem_cache *kmem_cache;
struct kmem_cache *kmem_cache_node;
unsigned long slab_epoch;

/* What a thread without a table for the running machine points to: all
 * zero (capacity 0), so both fast paths take the slow path; never written. */
static struct slab_thread_cache slab_no_table[SLAB_MAX_CACHES];

__thread struct slab_thread slab_thread
	__attribute__((tls_model("initial-exec"))) = {
		.tc = slab_no_table,
	};

static struct kmem_cache *cache_by_index[SLAB_MAX_CACHES]; /* slab_mutex */

static DEFINE_MUTEX_RANK(slab_tc_lock, LOCK_RANK_SLAB_TC);
static LIST_HEAD(slab_threads);
static pthread_key_t slab_thread_key;
static pthread_once_t slab_key_once = PTHREAD_ONCE_INIT;

/* The sheaf every table entry starts with: empty, capacity 0, so both fast
 * paths fall through to the slow path without a NULL test. */
static struct slab_sheaf empty_sheaf;

static unsigned long random_state = 0x9e3779b97f4a7c15UL;

static const struct slab_page_source *default_src;

/* ---- Geometry ------------------------------------------------------------- */

#define TRACK_SIZE 32 /* struct track with a stack depot handle */
#define MIN_PARTIAL 5
#define MAX_PARTIAL 10
#define SLUB_MAX_ORDER PAGE_ALLOC_COSTLY_ORDER
#define MAX_OBJS_PER_PAGE 32767

static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
					unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = CACHE_LINE_SIZE;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	align = max(align, (unsigned int)ARCH_SLAB_MINALIGN);
	return ALIGN(align, sizeof(void *));
}

static unsigned int calc_slab_order(unsigned int size, unsigned int min_order,
				    unsigned int max_order,
				    unsigned int fract_leftover)
{
	unsigned int order;

	for (order = min_order; order <= max_order; order++) {
		unsigned long slab_size = PAGE_SIZE << order;
		unsigned long rem = slab_size % size;

		if (rem <= slab_size / fract_leftover)
			break;
	}
	return order;
}

unsigned int slab_calculate_order(unsigned int size, unsigned int nr_cpus)
{
	unsigned int min_objects, max_objects, min_order, order, fraction;

	min_objects = 4 * ((unsigned int)fls(nr_cpus) + 1);
	max_objects =
		max((unsigned int)((PAGE_SIZE << SLUB_MAX_ORDER) / size), 1u);
	min_objects = min(min_objects, max_objects);
	min_order = (unsigned int)get_order((unsigned long)min_objects * size);
	if (((PAGE_SIZE << min_order) / size) > MAX_OBJS_PER_PAGE)
		return (unsigned int)get_order((unsigned long)size *
					       MAX_OBJS_PER_PAGE) -
		       1;
	for (fraction = 16; fraction > 1; fraction /= 2) {
		order = calc_slab_order(size, min_order, SLUB_MAX_ORDER,
					fraction);
		if (order <= SLUB_MAX_ORDER)
			return order;
	}
	order = (unsigned int)get_order(size);
	if (order <= MAX_PAGE_ORDER)
		return order;
	return UINT_MAX;
}

/*
 * The kernel's calculate_sheaf_capacity(): about half the objects the
 * per-CPU partial slabs used to hold (there are two sheaves per CPU), then
 * raised so that the sheaf (header and pointer array) fills its kmalloc
 * bucket exactly: 4 objects (size >= 4 KiB), 12 (>= 1 KiB), 28 (>= 256 B),
 * 60 (smaller). kmem, which like 6.18 may size a cache's sheaves as it
 * likes, takes one step up for objects of 1 KiB and more: 12 (>= 4 KiB)
 * and 28 (>= 1 KiB). A program with a live set of a few hundred large
 * objects otherwise goes to the barn every 4 or 12 of them (issue 12:
 * 121.8 -> 112.1 instructions per pair on bench_live mixed1k, 123.1 ->
 * 111.5 on logu1k; docs/PERFORMANCE.md). Two sheaves of kmalloc-2k now
 * cache 112 KiB per thread, of kmalloc-8k 192 KiB.
 */
static unsigned int sheaf_capacity(unsigned int size)
{
	const size_t head = sizeof(struct slab_sheaf);
	unsigned int capacity;
	size_t bytes, bucket;

	if (size >= PAGE_SIZE)
		capacity = 12;
	else if (size >= 256)
		capacity = 26;
	else
		capacity = 60;
	bytes = head + capacity * sizeof(void *);
	bucket = bytes <= 96 && bytes > 64 ?
			 96 :
		 bytes <= 192 && bytes > 128 ?
			 192 :
			 (size_t)1 << fls((unsigned int)(bytes - 1));
	return (unsigned int)((bucket - head) / sizeof(void *));
}

int slab_calculate_geometry(unsigned int object_size, unsigned int align,
			    slab_flags_t flags, bool has_ctor,
			    unsigned int nr_cpus, struct slab_geometry *g)
{
	unsigned int size = object_size;

	memset(g, 0, sizeof(*g));
	if (!object_size || object_size > KMALLOC_MAX_SIZE)
		return -EINVAL;
	g->flags = flags;
	g->align = calculate_alignment(flags, align, object_size);
	size = ALIGN(size, (unsigned int)sizeof(void *));

	if ((flags & SLAB_POISON) && !(flags & SLAB_TYPESAFE_BY_RCU) &&
	    !has_ctor)
		g->flags |= __OBJECT_POISON;
	if ((flags & SLAB_RED_ZONE) && size == object_size)
		size += sizeof(void *);
	g->inuse = size;

	if ((flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) || has_ctor ||
	    ((flags & SLAB_RED_ZONE) &&
	     (object_size < sizeof(void *) ||
	      ((flags & SLAB_STORE_USER) && (flags & SLAB_KMALLOC))))) {
		g->offset = size;
		size += sizeof(void *);
	} else if (flags & SLAB_DEBUG_FLAGS) {
		g->offset = ALIGN_DOWN(object_size / 2,
				       (unsigned int)sizeof(void *));
	} else {
		/* kmem's free word, read and written by both fast paths,
		 * shares the line the user touches first (section 2). */
		g->offset = object_size >= 16 ? 8 : 0;
	}
	if (flags & SLAB_STORE_USER) {
		size += 2 * TRACK_SIZE;
		if (flags & SLAB_KMALLOC)
			size += sizeof(unsigned int);
	}
	if (flags & SLAB_RED_ZONE) {
		size += sizeof(void *);
		g->red_left_pad = ALIGN((unsigned int)sizeof(void *), g->align);
		size += g->red_left_pad;
	}
	size = ALIGN(size, g->align);
	g->size = size;
	g->order = slab_calculate_order(size, nr_cpus);
	if (g->order == UINT_MAX)
		return -EINVAL;
	g->objects = (unsigned int)((PAGE_SIZE << g->order) / size);
	g->min_order = (unsigned int)get_order(size);
	if (g->min_order > g->order)
		g->min_order = g->order;
	g->min_partial = clamp((unsigned int)(ilog2(size) / 2),
			       (unsigned int)MIN_PARTIAL,
			       (unsigned int)MAX_PARTIAL);
	g->sheaf_capacity = sheaf_capacity(size);
	return 0;
}

/* ---- Free words and freelists ------------------------------------------------- */

/* The free word of `object` (on a slab freelist of `slab`) links to next. */
static inline void set_free_link(const struct kmem_cache *s,
				 const struct slab *slab, void *object,
				 void *next)
{
	unsigned long link = next ? 2 + slab_obj_index(s, slab, next) :
				    FREE_LINK_END;

	free_word_write(s, object, free_word_make(s, object, link));
}

/*
 * Follow the link in the free word of `object`, a free object of `slab`:
 * true with *next (NULL at the end of the list), or false when the word is
 * not a link to an object of this slab (written after the object was freed:
 * the freelist is corrupt). Every link the allocator follows goes through
 * here, so no value written into a free object makes it touch memory
 * outside the slab.
 */
static inline bool get_free_link(const struct kmem_cache *s,
				 const struct slab *slab, void *object,
				 void **next)
{
	unsigned long link = free_word_get(s, object);

	if (link == FREE_LINK_END) {
		*next = NULL;
		return true;
	}
	link -= 2; /* FREE_LINK_SHEAF wraps to a huge index */
	if (unlikely(link >= slab->objects))
		return false;
	*next = (char *)slab->s_mem + link * s->size;
	return true;
}

/* A corrupt freelist found under list_lock, to report once it is dropped. */
struct freelist_damage {
	struct kmem_cache *s;
	struct slab *slab;
	void *object;	    /* the object whose free word is not a link */
	unsigned long word; /* what it held */
	unsigned int used;  /* slab->inuse before the fix */
};

static inline struct kmem_cache_node *get_node(const struct kmem_cache *s)
{
	return s->node[0];
}

/*
 * The kernel's fix for a corrupt freelist ("Marking all objects used"): the
 * slab gives up the rest of its freelist, whose objects are leaked rather
 * than handed out from a chain nobody can trust. Caller holds list_lock and
 * has taken the slab off its list (it is filed as full after this).
 */
static void abandon_freelist(struct kmem_cache *s, struct slab *slab,
			     void *object, struct freelist_damage *d)
{
	struct kmem_cache_node *n = get_node(s);

	lockdep_assert_held(&n->list_lock);
	if (!d->object) {
		d->s = s;
		d->slab = slab;
		d->object = object;
		d->word = free_word_read(s, object);
		d->used = slab->inuse;
	}
	n->total_inuse += slab->objects - slab->inuse;
	slab->inuse = slab->objects;
	slab->freelist = NULL;
}

static void report_freelist_damage(const struct freelist_damage *d);

/*
 * Is x on the freelist of `slab`? Caller holds list_lock and has taken the
 * slab off its list (it refiles it after: a corrupt link met on the way is
 * fixed by abandon_freelist(), which changes inuse, and recorded in *d).
 */
static bool on_slab_freelist(struct kmem_cache *s, struct slab *slab, void *x,
			     struct freelist_damage *d)
{
	unsigned int n = 0;
	void *p = slab->freelist, *next;

	while (p) {
		if (p == x)
			return true;
		if (unlikely(!get_free_link(s, slab, p, &next) ||
			     ++n >= slab->objects)) {
			abandon_freelist(s, slab, p, d);
			return false;
		}
		p = next;
	}
	return false;
}

static inline unsigned int slab_order(const struct slab *slab)
{
	return slab->order;
}

/* ---- Slabs --------------------------------------------------------------- */

static unsigned long next_random(void);

/*
 * CONFIG_SLAB_FREELIST_RANDOM: the kernel's cache_random_seq_create(). At
 * creation a cache gets a random permutation of its object indices (a
 * Fisher-Yates shuffle); each new slab links its objects in that order,
 * starting at a random place in it and wrapping around (shuffle_freelist()),
 * so neither the order inside a slab nor which object comes first can be
 * predicted from the previous slab. Indices beyond a smaller slab's count
 * (the min_order fallback) are skipped.
 */
static int cache_random_seq_create(struct kmem_cache *s)
{
#ifdef CONFIG_SLAB_FREELIST_RANDOM
	unsigned int n = s->objects, i;

	if (n < 2)
		return 0;
	s->random_seq = malloc(n * sizeof(*s->random_seq));
	if (!s->random_seq)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		s->random_seq[i] = i;
	for (i = n - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(next_random() % (i + 1));
		unsigned int t = s->random_seq[i];

		s->random_seq[i] = s->random_seq[j];
		s->random_seq[j] = t;
	}
#else
	(void)s;
#endif
	return 0;
}

/* Link the `objects` objects of a new slab at p into a freelist (in the
 * cache's random order if it has one); returns the first one's index. */
static unsigned int link_objects(struct kmem_cache *s, char *p,
				 unsigned int objects)
{
	unsigned int n = s->objects, pos, k, first = 0, prev = UINT_MAX, i;

	if (!s->random_seq || objects < 2) {
		for (i = 0; i + 1 < objects;
		     i++) { /* object i links to i + 1 */
			void *obj = p + (size_t)i * s->size;

			free_word_write(
				s, obj,
				free_word_make(s, obj,
					       2 + (unsigned long)i + 1));
		}
		prev = objects - 1;
	} else {
		pos = (unsigned int)(next_random() % n);
		for (k = 0; k < n; k++) {
			i = s->random_seq[(pos + k) % n];
			if (i >= objects)
				continue;
			if (prev == UINT_MAX) {
				first = i;
			} else {
				void *obj = p + (size_t)prev * s->size;

				free_word_write(
					s, obj,
					free_word_make(s, obj,
						       2 + (unsigned long)i));
			}
			prev = i;
		}
	}
	{
		void *last = p + (size_t)prev * s->size;

		free_word_write(s, last,
				free_word_make(s, last, FREE_LINK_END));
	}
	return first;
}

/* A new slab, every object free and constructed; not on any list. */
static struct slab *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	const struct slab_page_source *src = s->src;
	struct slab *slab;
	unsigned int order = s->order, i, objects;
	gfp_t pgfp = gfp &
		     ~(__GFP_ZERO | __GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM |
		       __GFP_MOVABLE | __GFP_RECLAIMABLE | __GFP_ACCOUNT);
	char *p;

	if (order > s->min_order)
		slab = src->alloc_slab(s,
				       (pgfp | __GFP_NOWARN | __GFP_NORETRY) &
					       ~__GFP_NOFAIL,
				       order);
	else
		slab = NULL;
	if (!slab) {
		order = s->min_order;
		slab = src->alloc_slab(s, pgfp, order);
		if (!slab)
			return NULL;
	}
	objects = (unsigned int)((PAGE_SIZE << order) / s->size);
	slab->slab_cache = s;
	slab->objects = (unsigned short)objects;
	slab->order = (unsigned char)order;
	slab->tc_offset =
		(unsigned short)(s->init_on_free ?
					 SLAB_DEAD_INDEX << SLAB_TC_SHIFT :
					 s->index << SLAB_TC_SHIFT);
	slab->inuse = 0;
	INIT_LIST_HEAD(&slab->slab_list);
	if (unlikely(kmem_cache_debug(s))) {
		/* Objects start after the first left red zone. */
		slab->s_mem = (char *)slab->s_mem + s->red_left_pad;
		slab_debug_init_slab(s, slab);
	}
	p = slab->s_mem;
	if (s->ctor)
		for (i = 0; i < objects; i++)
			s->ctor(p + (size_t)i * s->size);
	slab->freelist = p + (size_t)link_objects(s, p, objects) * s->size;
	return slab;
}

static void discard_slab(struct kmem_cache *s, struct slab *slab)
{
	unsigned int order = slab_order(slab);

	if (unlikely(kmem_cache_debug(s)))
		slab_debug_free_slab(s, slab);
	slab->freelist = NULL;
	slab->inuse = 0;
	s->src->free_slab(s, slab, order);
}

static void free_slab_list(struct kmem_cache *s, struct list_head *list)
{
	struct slab *slab, *next;

	list_for_each_entry_safe(slab, next, list, slab_list) {
		list_del(&slab->slab_list);
		discard_slab(s, slab);
	}
}

/* Move a slab to the list its inuse says (caller holds list_lock and has
 * already counted it out of `from`: 0 full, 1 partial, 2 empty, -1 none). */
static void file_slab(struct kmem_cache_node *n, struct slab *slab)
{
	lockdep_assert_held(&n->list_lock);
	if (slab->inuse == slab->objects) {
		list_add(&slab->slab_list, &n->full);
		n->nr_full++;
	} else if (slab->inuse) {
		list_add(&slab->slab_list, &n->partial);
		n->nr_partial++;
	} else {
		list_add(&slab->slab_list, &n->empty);
		n->nr_empty++;
	}
}

static void unfile_slab(struct kmem_cache_node *n, struct slab *slab)
{
	list_del(&slab->slab_list);
	if (slab->inuse == slab->objects)
		n->nr_full--;
	else if (slab->inuse)
		n->nr_partial--;
	else
		n->nr_empty--;
}

/*
 * Take up to `want` objects of one slab (off its list, under list_lock) into
 * objs[], their free words saying "in a sheaf"; the slab's counts change
 * once for the whole run (the kernel's refill takes a slab's freelist at
 * once). Returns how many; a corrupt link ends the run and abandons the
 * rest of the freelist (recorded in *d).
 */
static unsigned int take_from_slab(struct kmem_cache *s, struct slab *slab,
				   void **objs, unsigned int want,
				   struct freelist_damage *d)
{
	unsigned int avail = slab->objects - slab->inuse, got = 0;
	void *obj = slab->freelist, *next;

	lockdep_assert_held(&get_node(s)->list_lock);
	if (want > avail)
		want = avail;
	while (got < want && obj) {
		if (unlikely(!get_free_link(s, slab, obj, &next))) {
			slab->inuse += got;
			get_node(s)->total_inuse += got;
			abandon_freelist(s, slab, obj, d);
			return got;
		}
		free_word_write(s, obj,
				free_word_make(s, obj, FREE_LINK_SHEAF));
		objs[got++] = obj;
		obj = next;
	}
	slab->freelist = obj;
	slab->inuse += got;
	get_node(s)->total_inuse += got;
	if (unlikely(obj && slab->inuse == slab->objects)) {
		/* More free objects than the slab's count: a link made a
		 * cycle. */
		abandon_freelist(s, slab, obj, d);
	} else if (unlikely(!obj && slab->inuse < slab->objects)) {
		/* A forged end link (about 2^-48 for garbage) cut the list
		 * short: the rest is lost, and the slab must not stay partial
		 * with no freelist. */
		get_node(s)->total_inuse += slab->objects - slab->inuse;
		slab->inuse = slab->objects;
	}
	return got;
}

/*
 * Take up to `want` objects from the slabs into objs[], their free words
 * saying "in a sheaf"; allocate one new slab if the lists run dry. Returns
 * how many (0: out of memory). A corrupt link ends that slab's freelist
 * (reported, the rest abandoned) and the refill goes on with the next slab.
 */
static unsigned int take_objects(struct kmem_cache *s, void **objs,
				 unsigned int want, gfp_t gfp)
{
	struct kmem_cache_node *n = get_node(s);
	unsigned int got = 0;
	bool tried_new = false;

	for (;;) {
		struct freelist_damage d = { 0 };

		spin_lock(&n->list_lock);
		while (got < want && !d.object) {
			struct slab *slab;

			if (!list_empty(&n->partial))
				slab = list_first_entry(&n->partial,
							struct slab, slab_list);
			else if (!list_empty(&n->empty))
				slab = list_first_entry(&n->empty, struct slab,
							slab_list);
			else
				break;
			unfile_slab(n, slab);
			got += take_from_slab(s, slab, objs + got, want - got,
					      &d);
			file_slab(n, slab);
		}
		spin_unlock(&n->list_lock);
		if (unlikely(d.object)) {
			report_freelist_damage(&d);
			continue;
		}
		/* One new slab per call is enough for a refill; but if other
		 * threads emptied the new slab before we got back to it, make
		 * another rather than return nothing (a NULL from a GFP_KERNEL
		 * allocation that the page allocator would have served). */
		if (got == want || (tried_new && got))
			return got;
		tried_new = true;
		{
			struct slab *slab = new_slab(s, gfp);

			if (!slab)
				return got;
			spin_lock(&n->list_lock);
			n->total_objects += slab->objects;
			file_slab(n, slab);
			spin_unlock(&n->list_lock);
		}
	}
}

static void report_object_problem(struct kmem_cache *s, struct slab *slab,
				  const void *x, const char *why);

/*
 * Give objects back to their slabs; discard empty slabs beyond min_partial.
 * An object whose slab has no object in use, or that is on its slab's
 * freelist already (its free word says so and the freelist walk confirms:
 * two frees that raced past the fast path's test), is refused.
 *
 * A slab changes lists only when its state does (full -> partial,
 * -> empty), as the kernel's __slab_free: most returns touch the object and
 * the slab, not the neighbours on a list. A slab that stops being full
 * goes to the tail of partial (the kernel's DEACTIVATE_TO_TAIL), so that
 * refills keep taking from the slabs already in use at the head. Runs of
 * objects of one slab (a sheaf refilled from it) find it without the page
 * source's lookup.
 */
static void return_objects(struct kmem_cache *s, void **objs, unsigned int nr)
{
	struct kmem_cache_node *n = get_node(s);
	struct slab *slab = NULL;
	LIST_HEAD(discard);
	unsigned int i;

	spin_lock(&n->list_lock);
	for (i = 0; i < nr; i++) {
		void *x = objs[i];
		unsigned long link;
		bool was_full;

		if (i + 1 < nr)
			__builtin_prefetch(free_word(s, objs[i + 1]), 1);
		if (!slab || !slab_is_obj_start(s, slab, x))
			slab = s->src->virt_to_slab(x);
		if (unlikely(!slab || slab->slab_cache != s || !slab->inuse)) {
			spin_unlock(&n->list_lock);
			report_object_problem(
				s, slab, x,
				!slab || slab->slab_cache != s ?
					"Object not in this cache" :
					"Object already free");
			spin_lock(&n->list_lock);
			slab = NULL;
			continue;
		}
		link = free_word_get(s, x);
		if (unlikely(link != FREE_LINK_SHEAF &&
			     link <= FREE_LINK_MAX)) {
			struct freelist_damage d = { 0 };
			bool dup;

			unfile_slab(n, slab);
			dup = on_slab_freelist(s, slab, x, &d);
			file_slab(n, slab);
			if (dup || d.object) {
				spin_unlock(&n->list_lock);
				if (d.object)
					report_freelist_damage(&d);
				if (dup)
					report_object_problem(
						s, slab, x,
						"Object already free");
				spin_lock(&n->list_lock);
				if (dup) {
					slab = NULL;
					continue;
				}
			}
		}
		was_full = slab->inuse == slab->objects;
		set_free_link(s, slab, x, slab->freelist);
		slab->freelist = x;
		slab->inuse--;
		n->total_inuse--;
		if (!slab->inuse) {
			list_del(&slab->slab_list);
			if (was_full)
				n->nr_full--;
			else
				n->nr_partial--;
			if (n->nr_empty >= s->min_partial) {
				n->total_objects -= slab->objects;
				list_add(&slab->slab_list, &discard);
			} else {
				list_add(&slab->slab_list, &n->empty);
				n->nr_empty++;
			}
			slab = NULL;
		} else if (was_full) {
			list_move_tail(&slab->slab_list, &n->partial);
			n->nr_full--;
			n->nr_partial++;
		}
	}
	spin_unlock(&n->list_lock);
	free_slab_list(s, &discard);
}

/* Discard every empty slab of s. Returns pages freed. */
static unsigned long discard_empty_slabs(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s);
	struct slab *slab;
	unsigned long pages = 0;
	LIST_HEAD(discard);

	spin_lock(&n->list_lock);
	list_for_each_entry(slab, &n->empty, slab_list) {
		n->total_objects -= slab->objects;
		pages += 1UL << slab_order(slab);
	}
	list_splice_init(&n->empty, &discard);
	n->nr_empty = 0;
	spin_unlock(&n->list_lock);
	free_slab_list(s, &discard);
	return pages;
}

/* ---- Sheaves and barns ----------------------------------------------------- */

/* Host memory for per-thread structures, in whole cache lines: two threads'
 * sheaves or tables never share a line (no false sharing on the fast path). */
static void *host_alloc_lines(size_t size)
{
	return aligned_alloc(CACHE_LINE_SIZE,
			     ALIGN(size, (size_t)CACHE_LINE_SIZE));
}

static struct slab_sheaf *alloc_sheaf(struct kmem_cache *s)
{
	struct slab_sheaf *sh;

	sh = host_alloc_lines(sizeof(*sh) + s->sheaf_capacity * sizeof(void *));
	if (!sh)
		return NULL;
	INIT_LIST_HEAD(&sh->barn_list);
	sh->size = 0;
	sh->capacity = s->sheaf_capacity;
	sh->cache = s;
	return sh;
}

static void free_sheaf(struct slab_sheaf *sh)
{
	if (sh && sh != &empty_sheaf)
		free(sh);
}

/* Empty a sheaf into the slabs. */
static void flush_sheaf(struct kmem_cache *s, struct slab_sheaf *sh)
{
	if (sh && sh->size) {
		return_objects(s, sh->objects, sh->size);
		sh->size = 0;
	}
}

/*
 * The barn's operations, each under one barn_lock. The lock is taken only
 * when the count of the list the caller takes from says there is
 * something (an unlocked peek: a stale 0 only sends the caller to the
 * slabs). barn_take and barn_add work on one list (barn_full with
 * nr_barn_full, or barn_empty with nr_barn_empty) under the lock.
 */
static bool barn_lock_if(struct kmem_cache_node *n, const unsigned int *nr)
{
	if (!READ_ONCE(*nr))
		return false;
	spin_lock(&n->barn_lock);
	return true;
}

/* The first sheaf of the list, or NULL. */
static struct slab_sheaf *barn_take(struct list_head *list, unsigned int *nr)
{
	struct slab_sheaf *sh;

	if (list_empty(list))
		return NULL;
	sh = list_first_entry(list, struct slab_sheaf, barn_list);
	list_del_init(&sh->barn_list);
	(*nr)--;
	return sh;
}

/* Add sh to the list; false if the list is at the cache's barn_max. */
static bool barn_add(struct slab_sheaf *sh, struct list_head *list,
		     unsigned int *nr)
{
	if (*nr >= sh->cache->barn_max)
		return false;
	list_add(&sh->barn_list, list);
	(*nr)++;
	return true;
}

/* Take a sheaf from one of the barn's lists, or NULL. */
static struct slab_sheaf *barn_get(struct kmem_cache_node *n,
				   struct list_head *list, unsigned int *nr)
{
	struct slab_sheaf *sh;

	if (!barn_lock_if(n, nr))
		return NULL;
	sh = barn_take(list, nr);
	spin_unlock(&n->barn_lock);
	return sh;
}

static inline struct slab_sheaf *barn_get_empty(struct kmem_cache_node *n)
{
	return barn_get(n, &n->barn_empty, &n->nr_barn_empty);
}

/*
 * The two exchanges of the slow paths (the kernel's
 * barn_replace_empty_sheaf / barn_replace_full_sheaf):
 * barn_swap_empty gives an empty sheaf for a full one, or NULL (then
 * `empty` is still the caller's); if the barn has no room for `empty`,
 * *drop says so and the caller frees it. barn_swap_full stores a full
 * sheaf and takes an empty one: NULL if the barn has no empty sheaf or no
 * room for `full` (then nothing changed).
 */
static struct slab_sheaf *barn_swap_empty(struct kmem_cache_node *n,
					  struct slab_sheaf *empty, bool *drop)
{
	struct slab_sheaf *full;

	*drop = false;
	if (!barn_lock_if(n, &n->nr_barn_full))
		return NULL;
	full = barn_take(&n->barn_full, &n->nr_barn_full);
	if (full)
		*drop = !barn_add(empty, &n->barn_empty, &n->nr_barn_empty);
	spin_unlock(&n->barn_lock);
	return full;
}

static struct slab_sheaf *barn_swap_full(struct kmem_cache_node *n,
					 struct slab_sheaf *full)
{
	struct slab_sheaf *empty = NULL;

	if (!barn_lock_if(n, &n->nr_barn_empty))
		return NULL;
	if (n->nr_barn_full < full->cache->barn_max) {
		empty = barn_take(&n->barn_empty, &n->nr_barn_empty);
		if (empty)
			barn_add(full, &n->barn_full, &n->nr_barn_full);
	}
	spin_unlock(&n->barn_lock);
	return empty;
}

/* Store a sheaf in the barn (full or empty list by its size); false if the
 * barn has no room. */
static bool barn_put(struct kmem_cache_node *n, struct slab_sheaf *sh)
{
	bool ok = false;

	spin_lock(&n->barn_lock);
	if (sh->size == sh->capacity)
		ok = barn_add(sh, &n->barn_full, &n->nr_barn_full);
	else if (!sh->size)
		ok = barn_add(sh, &n->barn_empty, &n->nr_barn_empty);
	spin_unlock(&n->barn_lock);
	return ok;
}

/* Free the sheaves of two lists (barn_list) that nobody else can reach;
 * the objects of those on `full` go back to the slabs of s first (s NULL:
 * their machine is gone, forget them). */
static void free_sheaf_lists(struct kmem_cache *s, struct list_head *full,
			     struct list_head *empty)
{
	struct slab_sheaf *sh, *next;

	list_for_each_entry_safe(sh, next, full, barn_list) {
		if (s)
			flush_sheaf(s, sh);
		free(sh);
	}
	list_for_each_entry_safe(sh, next, empty, barn_list)
		free(sh);
}

/* Flush the barn's full sheaves to the slabs and free every barn sheaf. */
static void barn_flush(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s);
	LIST_HEAD(full);
	LIST_HEAD(empty);

	spin_lock(&n->barn_lock);
	list_splice_init(&n->barn_full, &full);
	list_splice_init(&n->barn_empty, &empty);
	n->nr_barn_full = n->nr_barn_empty = 0;
	spin_unlock(&n->barn_lock);
	free_sheaf_lists(s, &full, &empty);
}

/* ---- Per-thread state -------------------------------------------------------- */

/*
 * A thread's stock of sheaves of one cache: full and empty sheaves it keeps
 * for itself between its main/spare pair and the barn, at most `max` in all
 * (about BARN_BYTES_PER_CPU of objects: sheaf_stock_max()). Not the kernel's:
 * its per-CPU pair trades with the node's barn, and so did kmem's, but with
 * both threads of bench_live mixed1k-2T on a core each, 55% of the full
 * sheaves a thread took from the barn had been filled by the other thread
 * (the barn is one LIFO stack), so their objects' lines sat in the other
 * core's cache, and barn_lock was found held at 5-19% of the round trips
 * (docs/PERFORMANCE.md, "Live sets in two threads"). tcmalloc's thread cache
 * and mimalloc's thread heap keep a thread's frees for that thread; so does
 * the stock.
 *
 * A full sheaf enters the stock only in exchange for an empty one the stock
 * holds, and an empty one enters when the thread empties its main sheaf and
 * takes a full one from the barn: so the stock holds what the thread both
 * allocates and frees. A thread that only frees (a consumer) stocks
 * nothing and feeds the barn as before; one that only allocates keeps at
 * most `max` empty sheaves (host memory, no objects).
 *
 * Each stock has a lock, a leaf: the owner takes it on its slow paths (no
 * one else wants it but a drain), other threads to take the stock away
 * (kmem_cache_shrink, the slab drain and shrinker, destroy, thread exit,
 * fork) or to search it for a double free. Its counts are peeked without
 * it (READ_ONCE: a stale count only sends the owner to the barn).
 */
struct sheaf_stock {
	spinlock_t lock;
	unsigned int nr_full, nr_empty; /* sheaves on full, on empty */
	unsigned int max;		/* 0 until the entry has sheaves */
	struct list_head full, empty;
};

/* A table is SLAB_MAX_CACHES entries, then as many stocks. */
static inline struct sheaf_stock *tc_stock(struct slab_thread_cache *tbl,
					   unsigned int i)
{
	return (struct sheaf_stock *)(tbl + SLAB_MAX_CACHES) + i;
}

static void stock_init(struct sheaf_stock *st)
{
	spin_lock_init(&st->lock);
	lockdep_set_rank_name(&st->lock, LOCK_RANK_LEAF, "&st->lock");
	st->nr_full = st->nr_empty = st->max = 0;
	INIT_LIST_HEAD(&st->full);
	INIT_LIST_HEAD(&st->empty);
}

/* Sheaves a thread's stock of s may hold: about BARN_BYTES_PER_CPU of
 * objects (a thread is one of kmem's CPUs), 2 to MAX_BARN_SHEAVES. */
static unsigned int sheaf_stock_max(const struct kmem_cache *s)
{
	unsigned long sheaves = BARN_BYTES_PER_CPU /
				((unsigned long)s->size * s->sheaf_capacity);

	return (unsigned int)clamp(sheaves, 2UL,
				   (unsigned long)MAX_BARN_SHEAVES);
}

/* Move sh from a stock list to the other (caller holds st->lock). */
static struct slab_sheaf *stock_trade(struct sheaf_stock *st,
				      struct list_head *from,
				      unsigned int *nr_from,
				      struct slab_sheaf *sh,
				      struct list_head *to, unsigned int *nr_to)
{
	struct slab_sheaf *got = barn_take(from, nr_from);

	if (got) {
		list_add(&sh->barn_list, to);
		(*nr_to)++;
	}
	return got;
}

/* The owner: a full sheaf of the stock for the (detached) empty main, or
 * NULL (then nothing changed). */
static struct slab_sheaf *stock_swap_empty(struct sheaf_stock *st,
					   struct slab_sheaf *empty)
{
	struct slab_sheaf *full;

	if (!READ_ONCE(st->nr_full))
		return NULL;
	spin_lock(&st->lock);
	full = stock_trade(st, &st->full, &st->nr_full, empty, &st->empty,
			   &st->nr_empty);
	spin_unlock(&st->lock);
	return full;
}

/* The owner: an empty sheaf of the stock for the (detached) full main, or
 * NULL (then nothing changed). */
static struct slab_sheaf *stock_swap_full(struct sheaf_stock *st,
					  struct slab_sheaf *full)
{
	struct slab_sheaf *empty;

	if (!READ_ONCE(st->nr_empty))
		return NULL;
	spin_lock(&st->lock);
	empty = stock_trade(st, &st->empty, &st->nr_empty, full, &st->full,
			    &st->nr_full);
	spin_unlock(&st->lock);
	return empty;
}

/* Has the stock room for one more sheaf (the owner's peek)? */
static inline bool stock_room(const struct sheaf_stock *st)
{
	return READ_ONCE(st->nr_full) + READ_ONCE(st->nr_empty) < st->max;
}

/* The owner: keep an empty sheaf in the stock; false if it has no room. */
static bool stock_add_empty(struct sheaf_stock *st, struct slab_sheaf *sh)
{
	bool ok = false;

	spin_lock(&st->lock);
	if (st->nr_full + st->nr_empty < st->max) {
		list_add(&sh->barn_list, &st->empty);
		st->nr_empty++;
		ok = true;
	}
	spin_unlock(&st->lock);
	return ok;
}

/* Any thread: take every sheaf out of a stock, onto *full and *empty. */
static void stock_take_all(struct sheaf_stock *st, struct list_head *full,
			   struct list_head *empty)
{
	spin_lock(&st->lock);
	list_splice_init(&st->full, full);
	list_splice_init(&st->empty, empty);
	st->nr_full = st->nr_empty = 0;
	spin_unlock(&st->lock);
}

/* Return stock i of table tbl to the slabs of s (NULL: forget the objects)
 * and free its sheaves. */
static void stock_flush(struct kmem_cache *s, struct slab_thread_cache *tbl,
			unsigned int i)
{
	LIST_HEAD(full);
	LIST_HEAD(empty);

	stock_take_all(tc_stock(tbl, i), &full, &empty);
	free_sheaf_lists(s, &full, &empty);
}

/* The main sheaf of tc (a table's entry: never slab_no_table's). */
static inline struct slab_sheaf *tc_main(const struct slab_thread_cache *tc)
{
	return container_of(tc->base, struct slab_sheaf, objects[0]);
}

/* Free objects in tc's main sheaf. */
static inline unsigned int tc_size(const struct slab_thread_cache *tc)
{
	return (unsigned int)(tc->top - tc->base);
}

/* Make sh the main sheaf of tc. */
static inline void tc_attach(struct slab_thread_cache *tc,
			     struct slab_sheaf *sh)
{
	tc->base = sh->objects;
	tc->top = sh->objects + sh->size;
	tc->end = sh->objects + sh->capacity;
}

/* Write the fill back into the main sheaf (before it is swapped or stored). */
static inline struct slab_sheaf *tc_detach(struct slab_thread_cache *tc)
{
	struct slab_sheaf *main = tc_main(tc);

	main->size = tc_size(tc);
	return main;
}

static void tc_init(struct slab_thread_cache *tc)
{
	tc->spare = &empty_sheaf;
	tc_attach(tc, &empty_sheaf);
}

/* Return entry i of table tbl (its main, spare and stock) to the slabs of
 * s and free its sheaves. */
static void flush_thread_entry(struct kmem_cache *s,
			       struct slab_thread_cache *tbl, unsigned int i)
{
	struct slab_thread_cache *tc = &tbl[i];

	stock_flush(s, tbl, i);
	flush_sheaf(s, tc_detach(tc));
	flush_sheaf(s, tc->spare);
	free_sheaf(tc_main(tc));
	free_sheaf(tc->spare);
	tc_init(tc);
}

static inline bool has_table(const struct slab_thread *t)
{
	return t->tc != slab_no_table;
}

/* Free t's table and its sheaves, not the objects they hold (flushed
 * before, or their machine is gone), and unregister t: its fast paths go
 * to the slow path from now on. Caller holds slab_tc_lock; t is the
 * calling thread, or any registered thread while the slab layer goes down
 * (nobody may allocate then). */
static void drop_table(struct slab_thread *t)
{
	unsigned int i;

	if (has_table(t)) {
		struct slab_thread_cache *tbl = t->tc;

		WRITE_ONCE(t->tc, slab_no_table);
		for (i = 0; i < SLAB_MAX_CACHES; i++) {
			free_sheaf(tc_main(&tbl[i]));
			free_sheaf(tbl[i].spare);
			stock_flush(NULL, tbl, i);
		}
		free(tbl);
	}
	if (t->registered)
		list_del(&t->link);
	t->registered = false;
	t->epoch = 0;
}

/* Return everything the calling thread caches (caller holds slab_tc_lock). */
static void __flush_thread(struct slab_thread *t)
{
	unsigned int i;

	if (!has_table(t))
		return;
	for (i = 0; i < SLAB_MAX_CACHES; i++) {
		struct slab_thread_cache *tc = &t->tc[i];

		if (tc_main(tc) == &empty_sheaf && tc->spare == &empty_sheaf)
			continue;
		flush_thread_entry(cache_by_index[i] ? cache_by_index[i] :
						       tc_main(tc)->cache,
				   t->tc, i);
	}
}

static void slab_thread_exit(void *arg)
{
	struct slab_thread *t = arg;

	mutex_lock_atomic(&slab_tc_lock);
	if (t->epoch && t->epoch == slab_epoch)
		__flush_thread(t);
	drop_table(t);
	mutex_unlock(&slab_tc_lock);
}

static void make_key(void)
{
	pthread_key_create(&slab_thread_key, slab_thread_exit);
}

/* Is the calling thread's entry for s ready (a table of the running
 * machine, a real main and spare sheaf)? The slow paths' test before
 * slab_thread_prepare(), which it makes rare. */
static inline bool tc_ready(const struct kmem_cache *s)
{
	const struct slab_thread_cache *tc;

	if (!has_table(&slab_thread))
		return false;
	tc = &slab_thread.tc[s->index];
	return tc->base != empty_sheaf.objects && tc->spare != &empty_sheaf;
}

/* Make the calling thread's table usable for cache s: a table registered
 * for the running machine, an entry for s with real sheaves. false if out
 * of host memory. */
static noinline bool slab_thread_prepare(struct kmem_cache *s)
{
	struct slab_thread *t = &slab_thread;
	struct slab_thread_cache *tc;

	/* kmemleak records every object: no thread gets sheaves, so both
	 * fast paths fall through to the slow ones, which hold its hooks. */
	if (unlikely(kmemleak_enabled))
		return false;
	if (!has_table(t)) {
		struct slab_thread_cache *tbl;
		unsigned int i;

		tbl = host_alloc_lines(
			SLAB_MAX_CACHES *
			(sizeof(*tbl) + sizeof(struct sheaf_stock)));
		if (!tbl)
			return false;
		for (i = 0; i < SLAB_MAX_CACHES; i++) {
			tc_init(&tbl[i]);
			stock_init(tc_stock(tbl, i));
		}
		mutex_lock_atomic(&slab_tc_lock);
		if (!slab_epoch) {
			mutex_unlock(&slab_tc_lock);
			free(tbl);
			return false;
		}
		pthread_once(&slab_key_once, make_key);
		pthread_setspecific(slab_thread_key, t);
		t->epoch = slab_epoch;
		list_add(&t->link, &slab_threads);
		t->registered = true;
		WRITE_ONCE(t->tc, tbl);
		mutex_unlock(&slab_tc_lock);
	}
	tc = &t->tc[s->index];
	if (tc_main(tc) == &empty_sheaf || tc->spare == &empty_sheaf) {
		struct slab_sheaf *m = tc_main(tc), *sp = tc->spare;

		if (m == &empty_sheaf)
			m = alloc_sheaf(s);
		if (sp == &empty_sheaf)
			sp = alloc_sheaf(s);
		mutex_lock_atomic(&slab_tc_lock);
		if (m && tc_main(tc) == &empty_sheaf)
			tc_attach(tc, m);
		if (sp)
			tc->spare = sp;
		tc_stock(t->tc, s->index)->max = sheaf_stock_max(s);
		mutex_unlock(&slab_tc_lock);
		if (!m || !sp)
			return false;
	}
	return true;
}

/* Flush the calling thread's sheaves of s. */
static void flush_this_thread(struct kmem_cache *s)
{
	struct slab_thread *t = &slab_thread;

	if (!has_table(t))
		return;
	mutex_lock_atomic(&slab_tc_lock);
	flush_thread_entry(s, t->tc, s->index);
	mutex_unlock(&slab_tc_lock);
}

/* Flush every thread's sheaves of s (destroy: nobody may use s now). */
static void flush_all_threads(struct kmem_cache *s)
{
	struct slab_thread *t;

	mutex_lock_atomic(&slab_tc_lock);
	list_for_each_entry(t, &slab_threads, link)
		if (has_table(t))
			flush_thread_entry(s, t->tc, s->index);
	mutex_unlock(&slab_tc_lock);
}

/* The sheaves in every thread's stock of s, for the shrinker's count (0
 * if slab_tc_lock is busy: it runs in reclaim). */
unsigned long slab_stock_sheaves(struct kmem_cache *s)
{
	struct slab_thread *t;
	unsigned long nr = 0;

	if (!mutex_trylock(&slab_tc_lock))
		return 0;
	list_for_each_entry(t, &slab_threads, link) {
		if (has_table(t)) {
			struct sheaf_stock *st = tc_stock(t->tc, s->index);

			nr += READ_ONCE(st->nr_full) + READ_ONCE(st->nr_empty);
		}
	}
	mutex_unlock(&slab_tc_lock);
	return nr;
}

/* Flush every thread's stock of s (shrink, drain: the threads go on).
 * In reclaim only if slab_tc_lock is free at once. */
static void flush_all_stocks(struct kmem_cache *s, bool in_reclaim)
{
	struct slab_thread *t;
	LIST_HEAD(full);
	LIST_HEAD(empty);

	if (in_reclaim) {
		if (!mutex_trylock(&slab_tc_lock))
			return;
	} else {
		mutex_lock_atomic(&slab_tc_lock);
	}
	list_for_each_entry(t, &slab_threads, link)
		if (has_table(t))
			stock_take_all(tc_stock(t->tc, s->index), &full,
				       &empty);
	mutex_unlock(&slab_tc_lock);
	free_sheaf_lists(s, &full, &empty);
}

/* ---- Allocation and free, slow paths ---------------------------------------- */

/* A use of a destroyed cache (its handle is never reused: see
 * release_cache()). Out of line, reports in the kernel's WARN format. */
noinline void slab_dead_cache(struct kmem_cache *s, const char *func)
{
	WARN(1, "%s: cache %s (%p) was destroyed\n", func, s->name, (void *)s);
}

noinline void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp,
			       size_t orig_size)
{
	struct kmem_cache_node *n;
	struct slab_thread_cache *tc;
	struct slab_sheaf *sh;
	bool drop;
	void *obj;

	kmem_ensure_booted();
	if (unlikely(!s))
		return NULL;
	if (unlikely(slab_cache_dead(s))) {
		slab_dead_cache(s, "kmem_cache_alloc");
		return NULL;
	}
	if (unlikely(slab_foreign())) /* SLAB, SLOB: mm/slab.h */
		return slab_allocator->alloc(s, gfp, orig_size);
	WARN_ON_ONCE(s->ctor && (gfp & __GFP_ZERO));
	if (unlikely(kmem_cache_debug(s)))
		return slab_debug_alloc(s, gfp, orig_size);
	n = get_node(s);
	if (unlikely(!tc_ready(s) && !slab_thread_prepare(s))) {
		/* No sheaves (host memory short): straight from the slabs. */
		if (!take_objects(s, &obj, 1, gfp))
			return NULL;
		goto out;
	}
	tc = slab_tc(s->index);
	if (tc->top == tc->base) {
		/* Detached (its size written) before the barn can hand it to
		 * another thread or a drain can read it in the stock. */
		struct slab_sheaf *old = tc_detach(tc);
		struct sheaf_stock *st = tc_stock(slab_thread.tc, s->index);

		if (tc->spare->size) {
			tc_attach(tc, tc->spare);
			tc->spare = old;
		} else if ((sh = stock_swap_empty(st, old))) {
			tc_attach(tc, sh);
		} else if (stock_room(st) &&
			   (sh = barn_get(n, &n->barn_full,
					  &n->nr_barn_full))) {
			/* The empty one stays with this thread. */
			tc_attach(tc, sh);
			if (!stock_add_empty(st, old) && !barn_put(n, old))
				free_sheaf(old);
		} else if ((sh = barn_swap_empty(n, old, &drop))) {
			tc_attach(tc, sh);
			if (drop)
				free_sheaf(old);
		} else {
			tc->top =
				tc->base +
				take_objects(s, tc->base,
					     (unsigned int)(tc->end - tc->base),
					     gfp);
			if (tc->top == tc->base)
				return NULL;
		}
	}
	obj = *--tc->top;
out:
	free_word_write(s, obj, 0);
	if (unlikely((gfp & __GFP_ZERO) || s->init_on_alloc))
		memset(obj, 0, s->object_size);
	if (unlikely(kmemleak_enabled))
		kmemleak_slab_alloc(s, obj);
	return obj;
}

noinline void *slab_zero_object(struct kmem_cache *s, void *obj)
{
	memset(obj, 0, s->object_size);
	return obj;
}

static void print_section_header(struct kmem_cache *s, const char *why)
{
	pr_err("=============================================================================\n");
	pr_err("BUG %s (Not tainted): %s\n", s->name, why);
	pr_err("-----------------------------------------------------------------------------\n");
	pr_err("\n");
}

static void print_slab_info(const struct slab *slab)
{
	pr_err("Slab %p objects=%u used=%u fp=%p flags=%#lx\n", (void *)slab,
	       slab->objects, slab->inuse, slab->freelist,
	       slab->__page_flags & ((1UL << 32) - 1));
}

static void report_object_problem(struct kmem_cache *s, struct slab *slab,
				  const void *x, const char *why)
{
	print_section_header(s, why);
	if (slab) {
		print_slab_info(slab);
		pr_err("Object %p @offset=%lu\n", x,
		       (unsigned long)((const char *)x -
				       (const char *)slab->s_mem));
	} else {
		pr_err("Object %p\n", x);
	}
	pr_err("FIX %s: Object at %p not freed\n", s->name, x);
	dump_stack();
}

/* SLUB's report of a free pointer that is not one (with slab_debug; without
 * it the kernel would oops in get_freepointer()), and its fix. */
static void report_freelist_damage(const struct freelist_damage *d)
{
	struct kmem_cache *s = d->s;
	struct slab *slab = d->slab;

	slab_debug_count_error(); /* object_err and slab_fix: two */
	slab_debug_count_error();
	print_section_header(s, "Freepointer corrupt");
	pr_err("Slab %p objects=%u used=%u fp=%p flags=%#lx\n", (void *)slab,
	       slab->objects, d->used, d->object,
	       slab->__page_flags & ((1UL << 32) - 1));
	pr_err("Object %p @offset=%lu fp=0x%016lx\n", d->object,
	       (unsigned long)((char *)d->object - (char *)slab->s_mem),
	       d->word);
	pr_err("FIX %s: Marking all objects used\n", s->name);
	dump_stack();
}

static bool sheaf_holds(void *const *objs, unsigned int size, const void *x)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		if (objs[i] == x)
			return true;
	return false;
}

/* The same for another thread's main sheaf [base, top), whose two pointers
 * were read apart: if they do not belong together, look no further. */
static bool sheaf_holds_range(void *const *base, void *const *top,
			      unsigned int capacity, const void *x)
{
	if (!base || top < base || top > base + capacity)
		return false;
	return sheaf_holds(base, (unsigned int)(top - base), x);
}

/* Is x in a full sheaf of the stock (any thread)? */
static bool stock_holds(struct sheaf_stock *st, const void *x)
{
	struct slab_sheaf *sh;
	bool found = false;

	spin_lock(&st->lock);
	list_for_each_entry(sh, &st->full, barn_list)
		if (sheaf_holds(sh->objects, sh->size, x))
			found = true;
	spin_unlock(&st->lock);
	return found;
}

/*
 * Is x, whose free word says "in a sheaf", in one? The calling thread's
 * sheaves, the barn, then every other thread's sheaves of s (a free from
 * another thread than the first free's: their fill and arrays are read
 * without their owner's cooperation, under slab_tc_lock, which keeps the
 * tables and sheaves alive; a thread that frees or allocates x at this very
 * moment races with the double free itself).
 */
static bool in_some_sheaf(struct kmem_cache *s, const void *x)
{
	struct kmem_cache_node *n = get_node(s);
	struct slab_thread *t;
	struct slab_sheaf *sh;
	bool found = false;

	spin_lock(&n->barn_lock);
	list_for_each_entry(sh, &n->barn_full, barn_list)
		if (sheaf_holds(sh->objects, sh->size, x))
			found = true;
	spin_unlock(&n->barn_lock);
	if (found)
		return true;
	mutex_lock_atomic(&slab_tc_lock);
	list_for_each_entry(t, &slab_threads, link) {
		struct slab_thread_cache *tc;
		struct slab_sheaf *spare;

		if (!has_table(t))
			continue;
		tc = &t->tc[s->index];
		spare = READ_ONCE(tc->spare);
		if (sheaf_holds_range(READ_ONCE(tc->base), READ_ONCE(tc->top),
				      s->sheaf_capacity, x) ||
		    sheaf_holds(spare->objects, READ_ONCE(spare->size), x) ||
		    stock_holds(tc_stock(t->tc, s->index), x)) {
			found = true;
			break;
		}
	}
	mutex_unlock(&slab_tc_lock);
	return found;
}

/*
 * x's free word says it is free: confirm it before calling the free a double
 * free (no false report for user data that happens to look free). On a
 * slab freelist: walk it. In a sheaf: look in the sheaves.
 */
static noinline bool object_is_free(struct kmem_cache *s, struct slab *slab,
				    void *x)
{
	struct kmem_cache_node *n = get_node(s);
	struct freelist_damage d = { 0 };
	unsigned long link;
	bool found = false;

	spin_lock(&n->list_lock);
	link = free_word_get(s, x);
	if (link != FREE_LINK_SHEAF && link <= FREE_LINK_MAX) {
		unfile_slab(n, slab);
		found = on_slab_freelist(s, slab, x, &d);
		file_slab(n, slab);
	}
	spin_unlock(&n->list_lock);
	if (d.object)
		report_freelist_damage(&d);
	if (found)
		return true;
	if (free_word_get(s, x) != FREE_LINK_SHEAF)
		return false;
	return in_some_sheaf(s, x);
}

noinline void slab_free_slow(struct kmem_cache *s, struct slab *slab, void *x)
{
	struct slab_sheaf *sh, *empty;
	struct slab_thread_cache *tc;
	struct kmem_cache_node *n;
	char buf[64];

	if (unlikely(is_kfence_address(x))) {
		__kfence_free(x); /* its slab never passes the fast path */
		return;
	}
	if (unlikely(slab_foreign())) { /* SLAB, SLOB: mm/slab.h */
		slab_allocator->free(s, x);
		return;
	}
	if (unlikely(kmem_cache_debug(s))) {
		slab_debug_free(s, slab, x);
		return;
	}
	if (!slab_is_obj_start(s, slab, x)) {
		snprintf(buf, sizeof(buf), "Invalid object pointer %p", x);
		report_object_problem(s, slab, x, buf);
		return;
	}
	if (!READ_ONCE(slab->inuse) ||
	    (free_word_says_free(s, x) && object_is_free(s, slab, x))) {
		report_object_problem(s, slab, x, "Object already free");
		return;
	}
	if (unlikely(kmemleak_enabled))
		kmemleak_free(x);
	if (unlikely(!tc_ready(s) &&
		     (slab_epoch == 0 || !slab_thread_prepare(s)))) {
		return_objects(s, &x, 1);
		return;
	}
	n = get_node(s);
	tc = slab_tc(s->index);
	if (tc->top == tc->end) {
		sh = tc_detach(tc);
		if (!tc->spare->size) {
			tc_attach(tc, tc->spare);
			tc->spare = sh;
		} else if ((empty = stock_swap_full(
				    tc_stock(slab_thread.tc, s->index), sh))) {
			tc_attach(tc, empty);
		} else if ((empty = barn_swap_full(n, sh))) {
			tc_attach(tc, empty);
		} else {
			empty = barn_get_empty(n);
			if (!empty)
				empty = alloc_sheaf(s);
			if (empty && barn_put(n, sh)) {
				tc_attach(tc, empty);
			} else {
				if (empty && !barn_put(n, empty))
					free_sheaf(empty);
				flush_sheaf(s, sh);
				tc_attach(tc, sh);
			}
		}
	}
	if (s->init_on_free)
		memset(x, 0, s->object_size);
	free_word_write(s, x, free_word_make(s, x, FREE_LINK_SHEAF));
	*tc->top++ = x;
}

/* ---- Debug caches (slab_debug; the checks are in mm/slub_debug.c) ---------- */

bool slab_next_free(const struct kmem_cache *s, const struct slab *slab,
		    void *object, void **next)
{
	return get_free_link(s, slab, object, next);
}

void slab_set_next_free(const struct kmem_cache *s, const struct slab *slab,
			void *object, void *next)
{
	set_free_link(s, slab, object, next);
}

/*
 * A debug cache has no sheaves: one object straight from a slab, under
 * list_lock, checked (F) and set up as allocated (red zones 0xcc, track),
 * as the kernel's alloc_single_from_partial/new_slab. A slab whose checks
 * fail is marked all used (reported) and the next one is tried.
 */
noinline void *slab_debug_alloc(struct kmem_cache *s, gfp_t gfp,
				size_t orig_size)
{
	struct kmem_cache_node *n = get_node(s);
	unsigned int osize = s->object_size;
	bool tried_new = false;
	void *obj = NULL;

	if (orig_size && orig_size < osize)
		osize = (unsigned int)orig_size;
	for (;;) {
		struct freelist_damage d = { 0 };
		struct slab *slab = NULL, *fresh;
		unsigned int old;
		void *next;

		spin_lock(&n->list_lock);
		if (!list_empty(&n->partial))
			slab = list_first_entry(&n->partial, struct slab,
						slab_list);
		else if (!list_empty(&n->empty))
			slab = list_first_entry(&n->empty, struct slab,
						slab_list);
		if (slab) {
			unfile_slab(n, slab);
			old = slab->inuse;
			obj = slab->freelist;
			if (!slab_debug_alloc_checks(s, slab, obj, osize)) {
				obj = NULL;
			} else if (!get_free_link(s, slab, obj, &next)) {
				abandon_freelist(s, slab, obj, &d);
				old = slab->inuse; /* counted by abandon_freelist */
				obj = NULL;
			} else {
				slab->freelist = next;
				slab->inuse++;
				free_word_write(s, obj, 0);
			}
			n->total_inuse += (long)slab->inuse - (long)old;
			file_slab(n, slab);
		}
		spin_unlock(&n->list_lock);
		if (d.object)
			report_freelist_damage(&d);
		if (obj)
			break;
		if (slab)
			continue;
		if (tried_new)
			return NULL;
		tried_new = true;
		fresh = new_slab(s, gfp);
		if (!fresh)
			return NULL;
		spin_lock(&n->list_lock);
		n->total_objects += fresh->objects;
		file_slab(n, fresh);
		spin_unlock(&n->list_lock);
	}
	slab_debug_alloc_done(s, obj);
	if (unlikely((gfp & __GFP_ZERO) || s->init_on_alloc))
		memset(obj, 0,
		       (s->flags & SLAB_KMALLOC) ? osize : s->object_size);
	return obj;
}

/* The kernel's free_to_partial_list for a debug cache: checked, then back
 * on its slab's freelist (or not freed at all if the checks fail). */
noinline void slab_debug_free(struct kmem_cache *s, struct slab *slab, void *x)
{
	struct kmem_cache_node *n = get_node(s);
	unsigned int old;
	bool discard = false;

	spin_lock(&n->list_lock);
	unfile_slab(n, slab);
	old = slab->inuse;
	if (slab_debug_free_checks(s, slab, x)) {
		set_free_link(s, slab, x, slab->freelist);
		slab->freelist = x;
		slab->inuse--;
	}
	n->total_inuse += (long)slab->inuse - (long)old;
	if (!slab->inuse && n->nr_empty >= s->min_partial) {
		n->total_objects -= slab->objects;
		discard = true;
	} else {
		file_slab(n, slab);
	}
	spin_unlock(&n->list_lock);
	if (discard)
		discard_slab(s, slab);
}

/* validate_slab_cache(): every slab of every list, under list_lock. */
void slab_debug_validate_cache(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s);
	struct slab *slab, *next;
	LIST_HEAD(all);
	LIST_HEAD(discard);

	spin_lock(&n->list_lock);
	list_splice_init(&n->partial, &all);
	list_splice_init(&n->full, &all);
	list_splice_init(&n->empty, &all);
	n->nr_partial = n->nr_full = n->nr_empty = 0;
	list_for_each_entry_safe(slab, next, &all, slab_list) {
		unsigned int old = slab->inuse;

		list_del(&slab->slab_list);
		slab_debug_validate_slab(s, slab);
		n->total_inuse += (long)slab->inuse - (long)old;
		if (!slab->inuse && n->nr_empty >= s->min_partial) {
			n->total_objects -= slab->objects;
			list_add(&slab->slab_list, &discard);
		} else {
			file_slab(n, slab);
		}
	}
	spin_unlock(&n->list_lock);
	free_slab_list(s, &discard);
}

/* ---- Cache creation and destruction ------------------------------------- */

static void init_node(struct kmem_cache_node *n)
{
	memset(n, 0, sizeof(*n));
	spin_lock_init(&n->list_lock);
	spin_lock_init(&n->barn_lock);
	lockdep_set_rank(&n->list_lock, LOCK_RANK_LIST);
	lockdep_set_rank(&n->barn_lock, LOCK_RANK_BARN);
	INIT_LIST_HEAD(&n->partial);
	INIT_LIST_HEAD(&n->full);
	INIT_LIST_HEAD(&n->empty);
	INIT_LIST_HEAD(&n->barn_full);
	INIT_LIST_HEAD(&n->barn_empty);
}

static unsigned long next_random(void)
{
	unsigned long x = __atomic_add_fetch(
		&random_state, 0x9e3779b97f4a7c15UL, __ATOMIC_RELAXED);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9UL;
	x ^= x >> 29;
	return x | 1;
}

/* d^-1 mod 2^64 for an odd d by Newton's iteration (each step doubles the
 * number of correct low bits; d * d == 1 mod 8 gives the first 3). */
static unsigned long mul_inverse(unsigned long d)
{
	unsigned long inv = d;
	unsigned int i;

	for (i = 0; i < 5; i++)
		inv *= 2 - d * inv;
	return inv;
}

/* s->obj_inv and s->obj_shift for slab_obj_index(): size = d << k, d odd,
 * obj_inv = d^-1 mod 2^64. */
static void set_obj_divisor(struct kmem_cache *s, unsigned int size)
{
	unsigned long d = size;
	unsigned int k = (unsigned int)__builtin_ctzl(d);

	s->obj_inv = mul_inverse(d >> k);
	s->obj_shift = k;
}

static int alloc_index(struct kmem_cache *s)
{
	unsigned int i;

	for (i = 0; i < SLAB_DEAD_INDEX; i++) {
		if (!cache_by_index[i]) {
			cache_by_index[i] = s;
			s->index = i;
			/* init_on_alloc: every allocation takes the slow path,
			 * which zeroes (the fast path has no test for it). */
			s->alloc_tc = (s->init_on_alloc ? SLAB_DEAD_INDEX : i)
				      << SLAB_TC_SHIFT;
			return 0;
		}
	}
	return -ENOSPC;
}

/*
 * The kernel's slab_want_init_on_alloc() / slab_want_init_on_free() for s,
 * with init_on_alloc= / init_on_free= of this boot (mm/page_debug.c): not
 * for caches whose objects must keep their contents while free or
 * unallocated (a constructor, SLAB_TYPESAFE_BY_RCU, or poisoning), which
 * __GFP_ZERO still zeroes on allocation.
 */
static void slab_set_init(struct kmem_cache *s, slab_flags_t flags,
			  bool has_ctor)
{
	bool exempt = has_ctor ||
		      (flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON));

	s->init_on_alloc = !exempt &&
			   (page_debug_flags & PAGE_DEBUG_INIT_ON_ALLOC);
	s->init_on_free = !exempt &&
			  (page_debug_flags & PAGE_DEBUG_INIT_ON_FREE);
}

/*
 * How many full (and how many empty) sheaves a cache's barn keeps. The
 * kernel keeps MAX_FULL_SHEAVES per node, which with its capacities is 40
 * objects of 4 KiB or 120 of 2 KiB: a program that frees a few hundred
 * objects of one size and allocates them again (a live set) sends most of
 * them through the slab lists. kmem's "CPUs" are the host threads that
 * share one node, so the barn is sized in bytes instead: about
 * BARN_BYTES_PER_CPU of objects per CPU, at least the kernel's 10 sheaves
 * and at most MAX_BARN_SHEAVES. The barns are flushed by the shrinker and
 * by kmem_cache_shrink(), so under memory pressure they hold nothing.
 */
static unsigned int sheaf_barn_max(unsigned int size, unsigned int capacity,
				   unsigned int nr_cpus)
{
	unsigned long sheaves =
		nr_cpus * BARN_BYTES_PER_CPU / ((unsigned long)size * capacity);

	return (unsigned int)clamp(sheaves, (unsigned long)MAX_FULL_SHEAVES,
				   (unsigned long)MAX_BARN_SHEAVES);
}

static int init_cache(struct kmem_cache *s, const char *name, unsigned int size,
		      unsigned int align, slab_flags_t flags,
		      void (*ctor)(void *), const struct slab_page_source *src)
{
	struct slab_geometry g;
	int err;

	err = slab_calculate_geometry(size, align, flags, ctor != NULL,
				      nr_cpu_ids, &g);
	if (err)
		return err;
	/* slab_debug=O: no debug metadata where it would raise the order. */
	if (slab_debug_higher_order_disabled() &&
	    get_order(g.size) > get_order(size)) {
		flags &= ~DEBUG_METADATA_FLAGS;
		err = slab_calculate_geometry(size, align, flags, ctor != NULL,
					      nr_cpu_ids, &g);
		if (err)
			return err;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = size;
	s->size = g.size;
	s->align = g.align;
	s->offset = g.offset;
	s->inuse = g.inuse;
	s->red_left_pad = g.red_left_pad;
	s->flags = g.flags;
	s->order = g.order;
	s->objects = g.objects;
	s->min_order = g.min_order;
	s->min_partial = g.min_partial;
	s->sheaf_capacity = g.sheaf_capacity;
	s->barn_max = sheaf_barn_max(g.size, g.sheaf_capacity, nr_cpu_ids);
	set_obj_divisor(s, g.size);
	s->ctor = ctor;
	s->src = src;
	s->refcount = 1;
	/* The free word's secrets. A 0 (what allocation writes) that decodes
	 * to a link at its slot (about 2^-48 per slot) only sends a free of
	 * that object to the slow path, which finds it in no freelist and no
	 * sheaf: never a false report. */
	s->free_key = next_random(); /* odd */
	s->free_unkey = mul_inverse(s->free_key);
	s->free_mark = next_random();
	slab_set_init(s, flags, ctor != NULL);
	err = cache_random_seq_create(s);
	if (err)
		return err;
	s->allocflags = slab_cache_gfp(flags);
	if (s->order)
		s->allocflags |= __GFP_COMP;
	INIT_LIST_HEAD(&s->list);
	return alloc_index(s);
}

/*
 * A cache's descriptor is host memory in whole cache lines, not an object
 * of the kmem_cache cache (which holds only the two boot caches): when the
 * cache is destroyed the descriptor stays, marked dead, until the machine
 * halts, so a stale handle always reaches a dead cache (reported) and never
 * a cache created later at the same address. It costs one host allocation
 * of sizeof(struct kmem_cache) per destroyed cache and no simulated RAM.
 */
struct kmem_cache *__kmem_cache_create(const char *name, unsigned int size,
				       unsigned int align, slab_flags_t flags,
				       void (*ctor)(void *),
				       const struct slab_page_source *src)
{
	struct kmem_cache *s;
	struct kmem_cache_node *n;
	int err;

	s = host_alloc_lines(sizeof(*s));
	if (!s)
		return ERR_PTR(-ENOMEM);
	memset(s, 0, sizeof(*s));
	n = kmem_cache_alloc(kmem_cache_node, GFP_KERNEL);
	if (!n) {
		free(s);
		return ERR_PTR(-ENOMEM);
	}
	init_node(n);
	s->node[0] = n;
	flags = kmem_cache_flags(flags, name);
	err = init_cache(s, name, size, align, flags, ctor,
			 src ? src : default_src);
	if (err) {
		kmem_cache_free(kmem_cache_node, n);
		free(s->random_seq);
		free(s);
		return ERR_PTR(err);
	}
	list_add(&s->list, &slab_caches);
	/* In host memory: a root for kmemleak (its node is a slab object). */
	kmemleak_alloc(s, sizeof(*s), 0, GFP_KERNEL);
	return s;
}

/* Print the objects still allocated in the slabs of a list. */
static void list_slab_objects(struct kmem_cache *s, struct slab *slab)
{
	unsigned int i, shown = 0;
	unsigned char *is_free = calloc(slab->objects, 1);
	void *p, *next;

	slab_debug_count_error(); /* per slab, as the kernel's slab_bug */
	print_section_header(s, "");
	for (p = slab->freelist; p && is_free && shown++ < slab->objects;
	     p = next) {
		is_free[slab_obj_index(s, slab, p)] = 1;
		if (!get_free_link(s, slab, p, &next))
			break;
	}
	print_slab_info(slab);
	shown = 0;
	for (i = 0; i < slab->objects && shown < 16; i++) {
		if (is_free && is_free[i])
			continue;
		slab_debug_count_error();
		pr_err("Object 0x%lx @offset=%lu\n",
		       (unsigned long)((char *)slab->s_mem +
				       (size_t)i * s->size),
		       (unsigned long)i * s->size + s->red_left_pad);
		slab_debug_print_tracking(s, (char *)slab->s_mem +
						     (size_t)i * s->size);
		shown++;
	}
	free(is_free);
}

/* Returns 0, or -EBUSY if objects remain (reported, cache kept). */
static int __kmem_cache_shutdown(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s);
	struct list_head *lists[2] = { &n->partial, &n->full };
	char why[SLAB_NAME_LEN + 64];
	struct slab *slab;
	int l;

	flush_all_threads(s);
	barn_flush(s);
	discard_empty_slabs(s);
	spin_lock(&n->list_lock);
	if (!n->nr_partial && !n->nr_full) {
		spin_unlock(&n->list_lock);
		return 0;
	}
	spin_unlock(&n->list_lock);
	/* Reporting prints: no lock held (the cache is unused by contract). */
	snprintf(why, sizeof(why),
		 "Objects remaining in %s on __kmem_cache_shutdown()", s->name);
	print_section_header(s, why);
	for (l = 0; l < 2; l++)
		list_for_each_entry(slab, lists[l], slab_list)
			list_slab_objects(s, slab);
	dump_stack();
	return -EBUSY;
}

/* Destroyed caches (slab_mutex): their descriptors, kept until the halt. */
static LIST_HEAD(slab_dead_caches);

/* The cache is gone: its slabs, sheaves and node are freed, its index is
 * free for a new cache. The descriptor stays, with the dead index, whose
 * entry is empty in every thread's table: a stale handle's fast paths go to
 * the slow paths, which report it. */
static void release_cache(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s);

	list_del(&s->list);
	cache_by_index[s->index] = NULL;
	free(s->random_seq); /* no slab is left to link */
	s->random_seq = NULL;
	kmem_cache_free(kmem_cache_node, n);
	s->node[0] = NULL;
	WRITE_ONCE(s->index, SLAB_DEAD_INDEX);
	WRITE_ONCE(s->alloc_tc, SLAB_DEAD_INDEX << SLAB_TC_SHIFT);
	list_add(&s->list, &slab_dead_caches);
}

/* kmem_cache_destroy's core; caller holds slab_mutex. 0, -EBUSY, or
 * -ENOENT for a cache destroyed before (reported). */
int __kmem_cache_destroy(struct kmem_cache *s)
{
	int err;

	if (slab_cache_dead(s)) {
		slab_dead_cache(s, "kmem_cache_destroy");
		return -ENOENT;
	}
	if (--s->refcount > 0)
		return 0;
	err = __kmem_cache_shutdown(s);
	if (err) {
		s->refcount++;
		return err;
	}
	release_cache(s);
	return 0;
}

void slab_flush_sheaves(struct kmem_cache *s)
{
	if (slab_foreign())
		return; /* no sheaves */
	flush_this_thread(s);
	flush_all_stocks(s, false);
	barn_flush(s);
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	if (!s)
		return 0;
	if (slab_cache_dead(s)) {
		slab_dead_cache(s, "kmem_cache_shrink");
		return 0;
	}
	if (slab_foreign())
		return slab_allocator->cache_shrink(s);
	slab_flush_sheaves(s);
	discard_empty_slabs(s);
	return 0;
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s->object_size;
}

const char *kmem_cache_name(const struct kmem_cache *s)
{
	return s->name;
}

unsigned long slab_drain_all(void)
{
	struct kmem_cache *s;
	unsigned long pages = 0;
	bool in_reclaim = current_pf_memalloc != 0;

	if (!slab_epoch)
		return 0;
	if (slab_foreign())
		return slab_allocator->drain();
	if (!mutex_trylock(&slab_mutex))
		return 0;
	list_for_each_entry(s, &slab_caches, list) {
		/* Inside an allocation (reclaim) the thread's own sheaves may
		 * be half-way through a refill: leave them alone. */
		if (!in_reclaim)
			flush_this_thread(s);
		flush_all_stocks(s, in_reclaim);
		barn_flush(s);
		pages += discard_empty_slabs(s);
	}
	mutex_unlock(&slab_mutex);
	return pages;
}

/* ---- Introspection ------------------------------------------------------- */

void slab_get_counts(struct kmem_cache *s, struct slab_counts *c)
{
	struct kmem_cache_node *n = get_node(s);
	struct slab_thread *t = &slab_thread;

	if (slab_foreign()) {
		slab_allocator->get_counts(s, c);
		return;
	}
	memset(c, 0, sizeof(*c));
	spin_lock(&n->list_lock);
	c->nr_full = n->nr_full;
	c->nr_partial = n->nr_partial;
	c->nr_empty = n->nr_empty;
	c->total_objects = n->total_objects;
	c->active_objects = n->total_inuse;
	spin_unlock(&n->list_lock);
	c->nr_slabs = c->nr_full + c->nr_partial + c->nr_empty;
	spin_lock(&n->barn_lock);
	c->barn_full = n->nr_barn_full;
	c->barn_empty = n->nr_barn_empty;
	spin_unlock(&n->barn_lock);
	if (has_table(t))
		c->thread_cached = tc_size(&t->tc[s->index]) +
				   t->tc[s->index].spare->size +
				   (unsigned long)READ_ONCE(
					   tc_stock(t->tc, s->index)->nr_full) *
					   s->sheaf_capacity;
}

static bool check_slab(struct kmem_cache *s, struct slab *slab, int list,
		       unsigned long *inuse, unsigned long *objects)
{
	unsigned int nfree = 0, idx;
	unsigned char *seen;
	bool ok = true;
	void *p, *next;

	if (slab->slab_cache != s) {
		pr_err("slab check: %s: slab %p belongs to cache %p\n", s->name,
		       (void *)slab, (void *)slab->slab_cache);
		return false;
	}
	if ((list == 0 && slab->inuse != slab->objects) ||
	    (list == 1 && (!slab->inuse || slab->inuse >= slab->objects)) ||
	    (list == 2 && slab->inuse)) {
		pr_err("slab check: %s: slab %p with inuse %u/%u on the wrong list\n",
		       s->name, (void *)slab, slab->inuse, slab->objects);
		ok = false;
	}
	if (s->src->virt_to_slab(slab->s_mem) != slab) {
		pr_err("slab check: %s: slab %p is not found from its address\n",
		       s->name, (void *)slab);
		ok = false;
	}
	seen = calloc(slab->objects, 1);
	for (p = slab->freelist; p; p = next) {
		unsigned long off =
			(unsigned long)((char *)p - (char *)slab->s_mem);

		idx = (unsigned int)(off / s->size);
		if (off % s->size || idx >= slab->objects) {
			pr_err("slab check: %s: free pointer %p outside slab %p\n",
			       s->name, p, (void *)slab);
			ok = false;
			break;
		}
		if (seen && seen[idx]) {
			pr_err("slab check: %s: object %p twice on the freelist\n",
			       s->name, p);
			ok = false;
			break;
		}
		if (seen)
			seen[idx] = 1;
		if (++nfree > slab->objects)
			break;
		if (!get_free_link(s, slab, p, &next)) {
			pr_err("slab check: %s: object %p on the freelist of slab %p holds %#lx, not a free pointer\n",
			       s->name, p, (void *)slab, free_word_read(s, p));
			ok = false;
			break;
		}
	}
	free(seen);
	if (ok && nfree != (unsigned int)(slab->objects - slab->inuse)) {
		pr_err("slab check: %s: slab %p has %u free objects, inuse says %u of %u\n",
		       s->name, (void *)slab, nfree, slab->inuse,
		       slab->objects);
		ok = false;
	}
	*inuse += slab->inuse;
	*objects += slab->objects;
	return ok;
}

/* Every thread's stock of s: full sheaves full, empty ones empty, the
 * counts right, at most max sheaves. */
static bool check_stocks(struct kmem_cache *s)
{
	struct slab_thread *t;
	bool ok = true;

	mutex_lock_atomic(&slab_tc_lock);
	list_for_each_entry(t, &slab_threads, link) {
		struct sheaf_stock *st;
		struct slab_sheaf *sh;
		unsigned int full = 0, empty = 0;

		if (!has_table(t))
			continue;
		st = tc_stock(t->tc, s->index);
		spin_lock(&st->lock);
		list_for_each_entry(sh, &st->full, barn_list) {
			ok &= sh->size == sh->capacity && sh->cache == s;
			full++;
		}
		list_for_each_entry(sh, &st->empty, barn_list) {
			ok &= !sh->size && sh->cache == s;
			empty++;
		}
		if (full != st->nr_full || empty != st->nr_empty ||
		    full + empty > st->max) {
			pr_err("slab check: %s: a thread's stock has %u/%u sheaves, recorded %u/%u, at most %u\n",
			       s->name, full, empty, st->nr_full, st->nr_empty,
			       st->max);
			ok = false;
		}
		spin_unlock(&st->lock);
	}
	mutex_unlock(&slab_tc_lock);
	return ok;
}

bool slab_check_cache(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s);
	struct list_head *lists[3] = { &n->full, &n->partial, &n->empty };
	unsigned long counts[3], inuse = 0, objects = 0;
	struct slab_sheaf *sh;
	struct slab *slab;
	bool ok = true;
	int l;

	spin_lock(&n->list_lock);
	for (l = 0; l < 3; l++) {
		counts[l] = 0;
		list_for_each_entry(slab, lists[l], slab_list) {
			ok &= check_slab(s, slab, l, &inuse, &objects);
			counts[l]++;
		}
	}
	if (counts[0] != n->nr_full || counts[1] != n->nr_partial ||
	    counts[2] != n->nr_empty) {
		pr_err("slab check: %s: list counts %lu/%lu/%lu, recorded %u/%u/%u\n",
		       s->name, counts[0], counts[1], counts[2], n->nr_full,
		       n->nr_partial, n->nr_empty);
		ok = false;
	}
	if (inuse != n->total_inuse || objects != n->total_objects) {
		pr_err("slab check: %s: %lu/%lu objects in use, recorded %lu/%lu\n",
		       s->name, inuse, objects, n->total_inuse,
		       n->total_objects);
		ok = false;
	}
	if (n->nr_empty > s->min_partial) {
		pr_err("slab check: %s: %u empty slabs kept, min_partial is %u\n",
		       s->name, n->nr_empty, s->min_partial);
		ok = false;
	}
	spin_unlock(&n->list_lock);
	spin_lock(&n->barn_lock);
	list_for_each_entry(sh, &n->barn_full, barn_list)
		if (sh->size != sh->capacity || sh->cache != s)
			ok = false;
	list_for_each_entry(sh, &n->barn_empty, barn_list)
		if (sh->size || sh->cache != s)
			ok = false;
	spin_unlock(&n->barn_lock);
	return check_stocks(s) && ok;
}

bool slab_check(void)
{
	struct kmem_cache *s;
	bool ok = true;

	if (!slab_epoch)
		return true;
	if (slab_foreign())
		return slab_allocator->check();
	mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list)
		if (!slab_check_cache(s))
			ok = false;
	mutex_unlock(&slab_mutex);
	return ok;
}

/* ---- Boot -------------------------------------------------------------- */

static struct kmem_cache boot_kmem_cache, boot_kmem_cache_node;
static struct kmem_cache_node boot_node_cache, boot_node_node;

static void move_list(struct list_head *from, struct list_head *to)
{
	if (list_empty(from)) {
		INIT_LIST_HEAD(to);
		return;
	}
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	INIT_LIST_HEAD(from);
}

/* Replace a static boot cache by a copy in a slab object (the kernel's
 * bootstrap()). Allocations here bypass the sheaves: nothing is cached. */
static struct kmem_cache *bootstrap(struct kmem_cache *boot)
{
	struct kmem_cache *s;
	struct kmem_cache_node *n, *bn = boot->node[0];
	struct list_head *lists[3];
	struct slab *slab;
	void *obj;
	int l;

	if (!take_objects(kmem_cache, &obj, 1, GFP_NOWAIT))
		return NULL;
	s = obj;
	if (!take_objects(kmem_cache_node, &obj, 1, GFP_NOWAIT))
		return NULL;
	n = obj;
	memcpy(s, boot, sizeof(*s));
	init_node(n);
	move_list(&bn->partial, &n->partial);
	move_list(&bn->full, &n->full);
	move_list(&bn->empty, &n->empty);
	n->nr_partial = bn->nr_partial;
	n->nr_full = bn->nr_full;
	n->nr_empty = bn->nr_empty;
	n->total_objects = bn->total_objects;
	n->total_inuse = bn->total_inuse;
	s->node[0] = n;
	lists[0] = &n->partial;
	lists[1] = &n->full;
	lists[2] = &n->empty;
	for (l = 0; l < 3; l++)
		list_for_each_entry(slab, lists[l], slab_list)
			slab->slab_cache = s;
	cache_by_index[s->index] = s;
	INIT_LIST_HEAD(&s->list);
	list_add(&s->list, &slab_caches);
	return s;
}

int slab_core_init(const struct slab_page_source *src)
{
	int err;

	default_src = src;
	INIT_LIST_HEAD(&slab_caches);
	INIT_LIST_HEAD(&slab_dead_caches);
	memset(cache_by_index, 0, sizeof(cache_by_index));
	mutex_lock_atomic(&slab_tc_lock);
	INIT_LIST_HEAD(&slab_threads);
	mutex_unlock(&slab_tc_lock);
	slab_epoch = kmem_boot_generation;
	slab_debug_boot();

	memset(&boot_kmem_cache, 0, sizeof(boot_kmem_cache));
	memset(&boot_kmem_cache_node, 0, sizeof(boot_kmem_cache_node));
	init_node(&boot_node_node);
	init_node(&boot_node_cache);
	boot_kmem_cache_node.node[0] = &boot_node_node;
	err = init_cache(&boot_kmem_cache_node, "kmem_cache_node",
			 sizeof(struct kmem_cache_node), 0, SLAB_HWCACHE_ALIGN,
			 NULL, src);
	if (err)
		return err;
	kmem_cache_node = &boot_kmem_cache_node;
	boot_kmem_cache.node[0] = &boot_node_cache;
	/* The kernel's struct kmem_cache is 256 bytes with its alignment (6.18
	 * x86-64, /proc/slabinfo); kmem's is smaller, and its objects get the
	 * kernel's size so that slabinfo reads like the kernel's. */
	err = init_cache(&boot_kmem_cache, "kmem_cache",
			 max_t(unsigned int, sizeof(struct kmem_cache), 256), 0,
			 SLAB_HWCACHE_ALIGN, NULL, src);
	if (err)
		return err;
	kmem_cache = &boot_kmem_cache;

	kmem_cache = bootstrap(&boot_kmem_cache);
	if (!kmem_cache)
		return -ENOMEM;
	kmem_cache_node = bootstrap(&boot_kmem_cache_node);
	if (!kmem_cache_node)
		return -ENOMEM;
	return 0;
}

void slab_core_exit(void)
{
	struct slab_thread *t, *tnext;
	struct kmem_cache *s, *snext;

	/* The RAM goes away: free the host memory of the barns and of every
	 * registered thread's table and sheaves. The tables go back to
	 * slab_no_table, so no fast path can reach a sheaf of this machine
	 * (the fast paths have no epoch test; see struct slab_thread). */
	list_for_each_entry(s, &slab_caches, list) {
		struct kmem_cache_node *n = get_node(s);
		struct slab_sheaf *sh, *next;

		list_for_each_entry_safe(sh, next, &n->barn_full, barn_list)
			free(sh);
		list_for_each_entry_safe(sh, next, &n->barn_empty, barn_list)
			free(sh);
	}
	mutex_lock_atomic(&slab_tc_lock);
	list_for_each_entry_safe(t, tnext, &slab_threads, link)
		drop_table(t);
	INIT_LIST_HEAD(&slab_threads);
	slab_epoch = 0;
	mutex_unlock(&slab_tc_lock);
	/* Descriptors in host memory: every cache's but the two boot caches'
	 * (objects of kmem_cache, in the RAM that goes away), dead or alive. */
	list_for_each_entry_safe(s, snext, &slab_caches, list) {
		free(s->random_seq);
		if (s != kmem_cache && s != kmem_cache_node)
			free(s);
	}
	list_for_each_entry_safe(s, snext, &slab_dead_caches, list)
		free(s);
	INIT_LIST_HEAD(&slab_dead_caches);
	INIT_LIST_HEAD(&slab_caches);
	memset(cache_by_index, 0, sizeof(cache_by_index));
	kmem_cache = kmem_cache_node = NULL;
	default_src = NULL;
	slab_debug_halt();
}

KMEM_LINK_ANCHOR(slub);

/*
 * fork() (its sequence: init/fork.c): slab_mutex is held across the fork,
 * so no cache is created or destroyed half way. In the child only the
 * forking thread exists: the sheaves of every other registered thread go
 * back to their slabs and the threads are unregistered, as if they had
 * exited (the kernel flushes a dead CPU's caches). Their TLS is still
 * mapped in the child at this point; the C library may reuse it for a new
 * thread later.
 */
static void slab_fork_prepare(void)
{
	mutex_lock(&slab_mutex);
}

static void slab_fork_parent(void)
{
	mutex_unlock(&slab_mutex);
}

static void slab_fork_child(void)
{
	struct slab_thread *t, *tnext;

	mutex_unlock(&slab_mutex);
	mutex_lock_atomic(&slab_tc_lock);
	list_for_each_entry_safe(t, tnext, &slab_threads, link) {
		if (t == &slab_thread)
			continue;
		if (t->epoch && t->epoch == slab_epoch)
			__flush_thread(t);
		drop_table(t);
	}
	mutex_unlock(&slab_tc_lock);
}

KMEM_FORK_HOOKS(10, slab_fork_prepare, slab_fork_parent, slab_fork_child);
