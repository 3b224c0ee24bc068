// SPDX-License-Identifier: MIT
/*
 * SLAB: the classic slab allocator (Bonwick's design as Linux had it until
 * 6.7, removed in 6.8), selected at boot with KMEM_SLAB=slab. It plugs into
 * the common slab layer through struct slab_allocator (mm/slab.h); written
 * from the rules of Linux 3.4's mm/slab.c, the kernel of the seed documents,
 * whose layout (struct slab and kmem_bufctl_t in the slab) 6.7 only
 * repacked.
 *
 * 1. The kmalloc caches are kmalloc_sizes.h's for 4 KiB pages and 64-byte
 *    cache lines: size-32, size-64, size-128, size-192, size-256, size-512
 *    ... size-4194304 (no size-96: that class exists only for lines
 *    shorter than 64 bytes), each with a size-N(DMA) twin. kmalloc(0) is
 *    ZERO_SIZE_PTR; above 4 MiB kmalloc returns NULL (3.4's
 *    __find_general_cachep runs off the end of the table). The common
 *    kmalloc front end indexes kmalloc_caches[][] by SLUB's classes; each
 *    entry here is the smallest SLAB class that holds it (kmalloc-8, -16,
 *    -32 -> size-32, kmalloc-96 -> size-128), so a size lands exactly where
 *    3.4 put it. Sizes above 8 KiB come through kmalloc_large.
 *
 * 2. Geometry (slab_classic_calculate; 3.4's kmem_cache_create). The size is
 *    rounded to a word; SLAB_HWCACHE_ALIGN aligns to the 64-byte line,
 *    halved while the object fits twice; the caller's align wins if larger.
 *    Objects of PAGE_SIZE >> 3 (512) bytes or more get off-slab management
 *    (but SLAB_NOLEAKTRACE). The order (calculate_slab_order) is the first
 *    from 0 that holds an object, then grows while the leftover exceeds 1/8
 *    of the slab, stopping at slab_max_order (1 above 32 MiB of RAM, else
 *    0), at the first order of a SLAB_RECLAIM_ACCOUNT cache, or before an
 *    off-slab slab would hold more objects than an object's bytes can index.
 *    Management: struct slab (48 bytes) followed by one kmem_bufctl_t
 *    (4 bytes) per object, the index of the next free object (BUFCTL_END
 *    ends the list): on-slab at the start of the slab (after the colour),
 *    aligned; off-slab in a kmalloc cache (slabp_cache) when the leftover
 *    cannot hold it. Colouring: colour_off is the cache line (or align if
 *    larger), colour = leftover / colour_off, and each new slab starts
 *    colour_next * colour_off bytes in (colour_next advancing mod colour).
 *
 * 3. The per-CPU layer: an array_cache per simulated CPU (avail, limit,
 *    batchcount, touched: a LIFO stack of free objects) and one shared array
 *    for the node (shared * batchcount entries). enable_cpucache's tunables:
 *    limit 1 (> 128 KiB), 8 (> PAGE_SIZE), 24 (> 1 KiB), 54 (> 256 B), else
 *    120; batchcount (limit + 1) / 2; shared 8 on SMP for objects up to a
 *    page. Allocation pops the array; an empty array is refilled with up to
 *    batchcount objects (16 until touched) from the shared array, else from
 *    the partial slabs, then the free ones, growing the cache by a slab when
 *    none is left. Free pushes; a full array gives batchcount objects to
 *    the shared array while it has room, else back to their slabs
 *    (free_block), which frees an empty slab once the node holds more than
 *    free_limit = (1 + CPUs) * batchcount + num free objects.
 *    Host threads share a simulated CPU, so each array has a lock (the
 *    kernel's disabled interrupts).
 *
 * 4. cache_reap, the kernel's every-2-seconds work, runs every
 *    SLAB_REAP_EVENTS refills and flushes (there is no clock: the count of
 *    slow-path events is deterministic): every CPU's array gives back a fifth
 *    of its limit unless touched since the last reap, and every second reap
 *    (4 s for 2 s) the shared array does the same and the node frees a fifth
 *    of its free slabs' worth unless a refill took from them. slab_drain (the
 *    shrinker, kmem_free_pages_drained) and kmem_cache_shrink empty every
 *    array and free every free slab.
 *
 * 5. Lists: each node keeps slabs_full, slabs_partial and slabs_free, linked
 *    through the struct slab in simulated memory as 3.4 did; the struct page
 *    of the slab (mm/slab.h's struct slab overlay) carries the cache, the
 *    address of the management (freelist), inuse and objects for the tools.
 *
 * 6. Bad frees. SLAB without CONFIG_DEBUG_SLAB trusted its callers; here a
 *    pointer that is not an object start is reported in SLAB's words
 *    ("slab error in kfree(): cache `size-64': Invalid object pointer") and a
 *    second free of an object ("slab: double free detected in cache
 *    'size-64', objp ...", CONFIG_DEBUG_SLAB's line) is found with one bit
 *    per 8 bytes of the direct map (allocated or not), so neither ever
 *    reaches an array. Nothing is freed then.
 *
 * 7. Debugging (CONFIG_DEBUG_SLAB; SLAB_RED_ZONE, SLAB_POISON and
 *    SLAB_STORE_USER from kmem_cache_create or slab_debug=Z,P,U). 3.4's
 *    layout: a red zone word before the object and one after it (holding
 *    RED_INACTIVE 0x09F911029D74E35B while free, RED_ACTIVE
 *    0xD84156C5635688C0 while allocated), then the user word (the caller of
 *    the last allocation or free); the object moves 8 bytes in (obj_offset)
 *    and the buffer grows by 16 and 8. Debugging overrides the cache-line
 *    alignment (the zones want words) and is dropped for caches whose
 *    alignment exceeds 8, as 3.4 did. Poisoning fills a free object with
 *    0x6b, an allocated one with 0x5a, the last byte 0xa5, and checks the
 *    free pattern when the object is handed out ("Slab corruption
 *    (Not tainted): <cache> start=..., len=...", the lines that differ, the
 *    neighbours); the red zones are checked at free ("slab error in
 *    verify_redzone_free(): cache `<cache>': double free detected" or
 *    "memory outside object was overwritten") and at allocation ("double
 *    free, or memory outside object was overwritten"). With poisoning the
 *    constructor runs at every allocation. A red-zoned double free is
 *    reported once and nothing is freed (3.4 went on and corrupted the
 *    lists). The arrays and slabs hold buffer starts; callers get objects.
 *    /proc/slab_allocators (CONFIG_DEBUG_SLAB_LEAK; `kmem show
 *    slab_allocators`): for every cache with both SLAB_RED_ZONE and
 *    SLAB_STORE_USER, the user words of the objects its full and partial
 *    slabs have handed out (bufctl BUFCTL_ACTIVE), counted by address and
 *    printed in address order, one "<cache>: <count> <func+0xoff/0xsize>"
 *    line each, as 3.4's leaks_show. As there, an object freed into a
 *    per-CPU or shared array is still out of its slab and counts under the
 *    code that freed it, until the arrays drain.
 *
 * 8. Locks: slab_mutex (the cache list); ac->lock (one CPU's array, rank
 *    BARN); l3->list_lock (the lists, free_objects, colour_next and the
 *    shared array, rank LIST). ac->lock is taken before list_lock. Pages are
 *    allocated and slabs destroyed with neither held (the page allocator may
 *    reclaim, and reclaim drains the arrays).
 */
#include <execinfo.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/kmemleak.h>
#include <kmem/machine.h>
#include <kmem/show.h>
#include "kernel/internal.h"
#include "kernel/printk.h"
#include "mm/internal.h"
#include "mm/page_debug.h"
#include "mm/slab.h"
#include "mm/slub_debug.h"

typedef unsigned int kmem_bufctl_t;
#define BUFCTL_END ((kmem_bufctl_t)~0U)
#define BUFCTL_ACTIVE ((kmem_bufctl_t)(~0U - 2)) /* handed out (DEBUG's mark) */
#define SLAB_LIMIT ((kmem_bufctl_t)(~0U - 3))
#define BYTES_PER_WORD sizeof(void *)
#define SLAB_LINE 64 /* cache_line_size() */
#define BATCHREFILL_LIMIT 16
#define SLAB_MAX_ORDER_HI 1
#define SLAB_MAX_ORDER_LO 0
#define SLAB_SHARED_FACTOR 8
#define DEAD_TC (SLAB_DEAD_INDEX << SLAB_TC_SHIFT)
#define BITS_PER_LONG (8 * sizeof(long))
/* CONFIG_DEBUG_SLAB (section 7 above). */
#define CLASSIC_DEBUG_FLAGS (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define REDZONE_ALIGN max(BYTES_PER_WORD, __alignof__(unsigned long long))
#define RED_INACTIVE 0x09F911029D74E35BULL /* when obj is inactive */
#define RED_ACTIVE 0xD84156C5635688C0ULL   /* when obj is active */
#define POISON_INUSE 0x5a		   /* for use-uninitialised poisoning */
#define POISON_FREE 0x6b		   /* for use-after-free poisoning */
#define POISON_END 0xa5			   /* end-byte of poisoning */

/* 3.4's struct slab: the management at the head of an on-slab slab (or in
 * a kmalloc object), followed by kmem_bufctl_t[num]. */
struct slab_mgmt {
	struct list_head list; /* on slabs_full, slabs_partial or slabs_free */
	unsigned long colouroff; /* bytes from the slab's start to s_mem */
	void *s_mem;		 /* the first object */
	unsigned int inuse;	 /* objects not on this slab's free list */
	kmem_bufctl_t free;	 /* the first free object, or BUFCTL_END */
	unsigned short nodeid;
};
_Static_assert(sizeof(struct slab_mgmt) == 48, "3.4's struct slab on x86-64");

static inline kmem_bufctl_t *slab_bufctl(struct slab_mgmt *m)
{
	return (kmem_bufctl_t *)(m + 1);
}

struct array_cache {
	spinlock_t lock;
	unsigned int avail;
	unsigned int limit;
	unsigned int batchcount;
	unsigned int touched;
	void *entry[];
};

enum { L_FULL, L_PARTIAL, L_FREE };

/* The kernel's kmem_list3 (one node). */
struct kmem_list3 {
	spinlock_t list_lock;
	struct list_head slabs[3];  /* slabs_full, slabs_partial, slabs_free */
	unsigned long nr_slabs[3];  /* kmem: counted (the kernel walks) */
	unsigned long free_objects; /* free objects on the slabs */
	unsigned int free_limit;
	unsigned int colour_next;
	struct array_cache *shared;
	unsigned long next_reap; /* reap tick of the next node reap */
	int free_touched;
};

/* The cache's SLAB state (s->priv). */
struct slab_cache_info {
	struct slab_classic_geometry g;
	struct kmem_cache *slabp_cache; /* off-slab management's cache */
	struct kmem_list3 l3;
	struct array_cache *array[]; /* nr_cpu_ids */
};

static const struct slab_page_source *slab_src;
static unsigned int slab_max_order;
static LIST_HEAD(dead_caches);	  /* slab_mutex */
static unsigned long *obj_active; /* a bit per 8 bytes: handed out */
static unsigned long obj_active_bits;
static unsigned long reap_events, reap_tick;

static inline struct slab_cache_info *info(const struct kmem_cache *s)
{
	return s->priv;
}

/* ---- geometry ------------------------------------------------------------- */

static size_t mgmt_size(size_t nr, size_t align)
{
	return ALIGN(sizeof(struct slab_mgmt) + nr * sizeof(kmem_bufctl_t),
		     align);
}

/* Objects and leftover of a slab of 2^order pages (3.4's cache_estimate). */
static void cache_estimate(unsigned int order, size_t size, size_t align,
			   bool off_slab, size_t *left_over, unsigned int *num)
{
	size_t slab_size = PAGE_SIZE << order, mgmt = 0, nr;

	if (off_slab) {
		nr = slab_size / size;
	} else {
		nr = (slab_size - sizeof(struct slab_mgmt)) /
		     (size + sizeof(kmem_bufctl_t));
		if (nr && mgmt_size(nr, align) + nr * size > slab_size)
			nr--;
		mgmt = mgmt_size(nr, align);
	}
	if (nr > SLAB_LIMIT)
		nr = SLAB_LIMIT;
	*num = (unsigned int)nr;
	*left_over = slab_size - nr * size - mgmt;
}

int slab_classic_calculate(unsigned int object_size, unsigned int align,
			   slab_flags_t flags, unsigned int max_order,
			   unsigned int nr_cpus,
			   struct slab_classic_geometry *g)
{
	size_t size = object_size, ralign, left_over = 0;
	unsigned int order;

	memset(g, 0, sizeof(*g));
	if (!object_size || object_size > KMALLOC_MAX_SIZE)
		return -EINVAL;
	size = ALIGN(size, BYTES_PER_WORD);
	g->dbg = flags & CLASSIC_DEBUG_FLAGS;
	if ((g->dbg & SLAB_POISON) && (flags & SLAB_TYPESAFE_BY_RCU))
		g->dbg &= ~SLAB_POISON; /* 3.4: BUG_ON(flags & SLAB_POISON) */
	if (flags & SLAB_HWCACHE_ALIGN) {
		ralign = SLAB_LINE;
		while (size <= ralign / 2)
			ralign /= 2;
	} else {
		ralign = BYTES_PER_WORD;
	}
	/* Debugging overrides the line: the red zones and the user word
	 * want words (the second red zone an aligned one). */
	if (g->dbg & SLAB_STORE_USER)
		ralign = BYTES_PER_WORD;
	if (g->dbg & SLAB_RED_ZONE) {
		ralign = REDZONE_ALIGN;
		size = ALIGN(size, REDZONE_ALIGN);
	}
	if (ralign < ARCH_SLAB_MINALIGN)
		ralign = ARCH_SLAB_MINALIGN;
	if (ralign < align)
		ralign = align;
	if (ralign > __alignof__(unsigned long long))
		g->dbg &= ~(SLAB_RED_ZONE | SLAB_STORE_USER);
	g->align = (unsigned int)ralign;
	g->obj_size = (unsigned int)size;
	if (g->dbg & SLAB_RED_ZONE) {
		g->obj_offset = sizeof(unsigned long long);
		size += 2 * sizeof(unsigned long long);
	}
	if (g->dbg & SLAB_STORE_USER)
		size += g->dbg & SLAB_RED_ZONE ? REDZONE_ALIGN : BYTES_PER_WORD;
	g->off_slab = size >= (PAGE_SIZE >> 3) && !(flags & SLAB_NOLEAKTRACE);
	size = ALIGN(size, ralign);
	g->size = (unsigned int)size;

	/* calculate_slab_order */
	for (order = 0; order <= KMALLOC_MAX_ORDER; order++) {
		unsigned int num;
		size_t remainder;

		cache_estimate(order, size, ralign, g->off_slab, &remainder,
			       &num);
		if (!num)
			continue;
		if (g->off_slab && num > (size - sizeof(struct slab_mgmt)) /
						   sizeof(kmem_bufctl_t))
			break; /* the off-slab limit */
		g->num = num;
		g->gfporder = order;
		left_over = remainder;
		if (flags & SLAB_RECLAIM_ACCOUNT)
			break;
		if (order >= max_order)
			break;
		if (left_over * 8 <= (PAGE_SIZE << order))
			break; /* acceptable internal fragmentation */
	}
	if (!g->num)
		return -EINVAL;
	g->slab_size = (unsigned int)mgmt_size(g->num, ralign);
	if (g->off_slab && left_over >= g->slab_size) {
		g->off_slab =
			false; /* on-slab after all, at the colour's cost */
		left_over -= g->slab_size;
	}
	if (g->off_slab)
		g->slab_size = (unsigned int)(sizeof(struct slab_mgmt) +
					      g->num * sizeof(kmem_bufctl_t));
	g->left_over = (unsigned int)left_over;
	g->colour_off = max((unsigned int)SLAB_LINE, g->align);
	g->colour = g->left_over / g->colour_off;

	/* enable_cpucache */
	if (size > 131072)
		g->limit = 1;
	else if (size > PAGE_SIZE)
		g->limit = 8;
	else if (size > 1024)
		g->limit = 24;
	else if (size > 256)
		g->limit = 54;
	else
		g->limit = 120;
	g->shared = size <= PAGE_SIZE && nr_cpus > 1 ? SLAB_SHARED_FACTOR : 0;
	g->batchcount = (g->limit + 1) / 2;
	g->free_limit = (1 + nr_cpus) * g->batchcount + g->num;
	return 0;
}

unsigned int slab_classic_max_order(unsigned long ram_pages)
{
	return ram_pages > ((32UL << 20) >> PAGE_SHIFT) ? SLAB_MAX_ORDER_HI :
							  SLAB_MAX_ORDER_LO;
}

/* ---- the allocated bit of an object ----------------------------------------- */

static inline unsigned long obj_bit(const void *x)
{
	return ((unsigned long)x - PAGE_OFFSET) >> 3;
}

/* Set (alloc) or clear (free) x's bit; returns its old value. */
static bool obj_mark(const void *x, bool active)
{
	unsigned long b = obj_bit(x), m = 1UL << (b % BITS_PER_LONG);
	unsigned long *w = &obj_active[b / BITS_PER_LONG];

	if (b >= obj_active_bits)
		return !active;
	if (active)
		return __atomic_fetch_or(w, m, __ATOMIC_RELAXED) & m;
	return __atomic_fetch_and(w, ~m, __ATOMIC_RELAXED) & m;
}

/* ---- slabs ------------------------------------------------------------------- */

static inline struct slab *obj_slab(const void *x)
{
	return slab_src->virt_to_slab(x);
}

static inline int list_of(const struct slab_cache_info *c,
			  const struct slab_mgmt *m)
{
	return m->inuse == c->g.num ? L_FULL : m->inuse ? L_PARTIAL : L_FREE;
}

static void unfile(struct kmem_list3 *l3, const struct slab_cache_info *c,
		   struct slab_mgmt *m)
{
	list_del(&m->list);
	l3->nr_slabs[list_of(c, m)]--;
}

static void file(struct kmem_list3 *l3, const struct slab_cache_info *c,
		 struct slab_mgmt *m, bool tail)
{
	int l = list_of(c, m);

	if (tail)
		list_add_tail(&m->list, &l3->slabs[l]);
	else
		list_add(&m->list, &l3->slabs[l]);
	l3->nr_slabs[l]++;
}

static void *slab_get_obj(struct kmem_cache *s, struct slab_cache_info *c,
			  struct slab_mgmt *m)
{
	kmem_bufctl_t idx = m->free;
	void *obj = (char *)m->s_mem + (size_t)idx * s->size;

	m->inuse++;
	m->free = slab_bufctl(m)[idx];
	slab_bufctl(m)[idx] = BUFCTL_ACTIVE;
	obj_slab(obj)->inuse = (unsigned short)m->inuse;
	(void)c;
	return obj;
}

/* false if obj is already on its slab's free list (reported). */
static bool slab_put_obj(struct kmem_cache *s, struct slab_mgmt *m,
			 struct slab *slab, void *obj)
{
	kmem_bufctl_t idx =
		(kmem_bufctl_t)(((char *)obj - (char *)m->s_mem) / s->size);

	if (slab_bufctl(m)[idx] != BUFCTL_ACTIVE) {
		pr_err("slab: double free detected in cache '%s', objp %p\n",
		       s->name, obj);
		dump_stack();
		return false;
	}
	slab_bufctl(m)[idx] = m->free;
	m->free = idx;
	m->inuse--;
	slab->inuse = (unsigned short)m->inuse;
	return true;
}

/* Give a slab's pages (and its off-slab management) back. No lock held. */
static void slab_destroy(struct kmem_cache *s, struct slab_mgmt *m)
{
	struct slab_cache_info *c = info(s);
	struct slab *slab = obj_slab(m->s_mem);

	slab->freelist = NULL;
	slab->inuse = 0;
	slab->s_mem = (char *)m->s_mem - m->colouroff;
	if (c->g.off_slab)
		kmem_cache_free(c->slabp_cache, m);
	slab_src->free_slab(s, slab, c->g.gfporder);
}

static void destroy_list(struct kmem_cache *s, struct list_head *list)
{
	struct slab_mgmt *m, *next;

	list_for_each_entry_safe(m, next, list, list) {
		list_del(&m->list);
		slab_destroy(s, m);
	}
}

static void cache_init_debug_obj(struct kmem_cache *s, void *objp);

/* A new slab on slabs_free (3.4's cache_grow). No lock held. */
static bool cache_grow(struct kmem_cache *s, gfp_t gfp)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	gfp_t pgfp = gfp &
		     ~(__GFP_ZERO | __GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM |
		       __GFP_MOVABLE | __GFP_RECLAIMABLE | __GFP_ACCOUNT);
	unsigned long offset;
	struct slab_mgmt *m;
	struct slab *slab;
	unsigned int i;
	char *addr;

	spin_lock(&l3->list_lock);
	offset = l3->colour_next;
	if (++l3->colour_next >= c->g.colour)
		l3->colour_next = 0;
	spin_unlock(&l3->list_lock);
	offset *= c->g.colour_off;

	slab = slab_src->alloc_slab(s, pgfp, c->g.gfporder);
	if (!slab)
		return false;
	addr = slab->s_mem;
	if (c->g.off_slab) {
		m = kmem_cache_alloc(c->slabp_cache, pgfp);
		if (!m) {
			slab_src->free_slab(s, slab, c->g.gfporder);
			return false;
		}
		/* Found from the struct page, which kmemleak does not scan;
		 * its s_mem must not keep a leaked first object alive either. */
		if (unlikely(kmemleak_enabled))
			kmemleak_ignore(m);
	} else {
		m = (struct slab_mgmt *)(addr + offset);
		offset += c->g.slab_size;
	}
	m->inuse = 0;
	m->colouroff = offset;
	m->s_mem = addr + offset;
	m->nodeid = 0;
	m->free = 0;
	slab->slab_cache = s;
	slab->tc_offset = DEAD_TC;
	slab->order = (unsigned char)c->g.gfporder;
	slab->objects = (unsigned short)min(c->g.num, 0xffffu);
	slab->inuse = 0;
	slab->freelist = m;
	slab->s_mem = m->s_mem;
	INIT_LIST_HEAD(&slab->slab_list);
	for (i = 0; i < c->g.num; i++) {
		void *objp = (char *)m->s_mem + (size_t)i * s->size;

		if (unlikely(c->g.dbg))
			cache_init_debug_obj(s, objp);
		else if (s->ctor)
			s->ctor(objp);
		slab_bufctl(m)[i] = i + 1;
	}
	slab_bufctl(m)[c->g.num - 1] = BUFCTL_END;

	spin_lock(&l3->list_lock);
	list_add_tail(&m->list, &l3->slabs[L_FREE]);
	l3->nr_slabs[L_FREE]++;
	l3->free_objects += c->g.num;
	spin_unlock(&l3->list_lock);
	return true;
}

/* Objects back to their slabs (list_lock held); slabs to destroy go on
 * `discard` (3.4's free_block destroys them under the lock). */
static void free_block(struct kmem_cache *s, void **objs, unsigned int nr,
		       struct list_head *discard)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	unsigned int i;

	lockdep_assert_held(&l3->list_lock);
	for (i = 0; i < nr; i++) {
		struct slab *slab = obj_slab(objs[i]);
		struct slab_mgmt *m = slab->freelist;

		unfile(l3, c, m);
		if (!slab_put_obj(s, m, slab, objs[i])) {
			file(l3, c, m, false);
			continue;
		}
		l3->free_objects++;
		if (m->inuse == 0 && l3->free_objects > l3->free_limit) {
			l3->free_objects -= c->g.num;
			list_add(&m->list, discard);
		} else {
			file(l3, c, m, m->inuse != 0);
		}
	}
}

static unsigned int transfer_objects(struct array_cache *to,
				     struct array_cache *from, unsigned int max)
{
	unsigned int nr = min(min(from->avail, max), to->limit - to->avail);

	if (!nr)
		return 0;
	memcpy(to->entry + to->avail, from->entry + from->avail - nr,
	       sizeof(void *) * nr);
	from->avail -= nr;
	to->avail += nr;
	return nr;
}

static void cache_reap_tick(void);

/* Count a slow-path event; every SLAB_REAP_EVENTS, reap. */
static void reap_clock(void)
{
	if (__atomic_add_fetch(&reap_events, 1, __ATOMIC_RELAXED) %
		    SLAB_REAP_EVENTS ==
	    0)
		cache_reap_tick();
}

/* ac is empty and locked: refill it (3.4's cache_alloc_refill). Returns an
 * object with ac unlocked, or NULL. */
static void *cache_alloc_refill(struct kmem_cache *s, struct array_cache *ac,
				gfp_t gfp)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	int batchcount; /* signed: the inner loop's test decrements past 0 */
	void *obj;

retry:
	batchcount = (int)ac->batchcount;
	if (!ac->touched && batchcount > BATCHREFILL_LIMIT)
		batchcount = BATCHREFILL_LIMIT;
	spin_lock(&l3->list_lock);
	if (l3->shared &&
	    transfer_objects(ac, l3->shared, (unsigned int)batchcount)) {
		l3->shared->touched = 1;
		goto alloc_done;
	}
	while (batchcount > 0) {
		struct slab_mgmt *m;

		if (!list_empty(&l3->slabs[L_PARTIAL])) {
			m = list_first_entry(&l3->slabs[L_PARTIAL],
					     struct slab_mgmt, list);
		} else {
			l3->free_touched = 1;
			if (list_empty(&l3->slabs[L_FREE]))
				break; /* must grow */
			m = list_first_entry(&l3->slabs[L_FREE],
					     struct slab_mgmt, list);
		}
		unfile(l3, c, m);
		while (m->inuse < c->g.num && batchcount--)
			ac->entry[ac->avail++] = slab_get_obj(s, c, m);
		file(l3, c, m, false);
	}
	l3->free_objects -= ac->avail;
alloc_done:
	spin_unlock(&l3->list_lock);
	if (unlikely(!ac->avail)) {
		bool grew;

		spin_unlock(&ac->lock);
		grew = cache_grow(s, gfp);
		spin_lock(&ac->lock);
		if (!grew && !ac->avail) {
			spin_unlock(&ac->lock);
			return NULL;
		}
		if (!ac->avail)
			goto retry;
	}
	ac->touched = 1;
	obj = ac->entry[--ac->avail];
	spin_unlock(&ac->lock);
	reap_clock();
	return obj;
}

/* ac is full and locked: give batchcount objects to the shared array or
 * their slabs (3.4's cache_flusharray). Slabs to destroy go on discard. */
static void cache_flusharray(struct kmem_cache *s, struct array_cache *ac,
			     struct list_head *discard)
{
	struct kmem_list3 *l3 = &info(s)->l3;
	unsigned int batchcount = ac->batchcount;

	spin_lock(&l3->list_lock);
	if (l3->shared) {
		struct array_cache *shared = l3->shared;
		unsigned int max = shared->limit - shared->avail;

		if (max) {
			if (batchcount > max)
				batchcount = max;
			memcpy(shared->entry + shared->avail, ac->entry,
			       sizeof(void *) * batchcount);
			shared->avail += batchcount;
			goto free_done;
		}
	}
	free_block(s, ac->entry, batchcount, discard);
free_done:
	spin_unlock(&l3->list_lock);
	ac->avail -= batchcount;
	memmove(ac->entry, ac->entry + batchcount, sizeof(void *) * ac->avail);
}

static inline struct array_cache *cpu_ac(struct slab_cache_info *c)
{
	return c->array[raw_smp_processor_id()];
}

/* 3.4's slab_error(). */
static void slab_error(struct kmem_cache *s, const char *func, const char *msg)
{
	pr_err("slab error in %s(): cache `%s': %s\n", func, s->name, msg);
	dump_stack();
}

/* ---- debugging (CONFIG_DEBUG_SLAB) ---------------------------------------------- */

/*
 * A debug cache's buffer (3.4's layout, x86-64):
 *
 *	[red zone 1: 8][object: obj_size][red zone 2: 8][user word: 8]
 *
 * obj_offset is 8 with SLAB_RED_ZONE (else 0); the red zones hold
 * RED_INACTIVE while the object is free and RED_ACTIVE while it is handed
 * out; the user word (SLAB_STORE_USER) holds the code address of the last
 * allocation or free. SLAB_POISON fills a free object with POISON_FREE and
 * an allocated one with POISON_INUSE, the last byte POISON_END each time.
 * The per-CPU arrays and the slabs hold buffer starts; callers see the
 * object.
 */
static inline unsigned long long *dbg_redzone1(struct kmem_cache *s, void *objp)
{
	return (unsigned long long *)((char *)objp + info(s)->g.obj_offset -
				      sizeof(unsigned long long));
}

static inline unsigned long long *dbg_redzone2(struct kmem_cache *s, void *objp)
{
	size_t end = s->size - sizeof(unsigned long long);

	if (info(s)->g.dbg & SLAB_STORE_USER)
		end -= REDZONE_ALIGN;
	return (unsigned long long *)((char *)objp + end);
}

static inline void **dbg_userword(struct kmem_cache *s, void *objp)
{
	return (void **)((char *)objp + s->size - BYTES_PER_WORD);
}

/* The allocator's own frames, skipped when naming the caller. */
static bool slab_frame(const char *sym)
{
	static const char *const prefixes[] = {
		"slab_",     "__slab",	   "cache_",	  "kmalloc",
		"__kmalloc", "___kmalloc", "kmem_cache_", "kfree",
		"krealloc",  "kzalloc",	   "kcalloc",	  "kmemdup",
		"kstrdup",   "kstrndup",   "kvmalloc",	  "kvfree",
		"kvrealloc", "kvzalloc",   "kvcalloc",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(sym, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* The code that called kmalloc, kfree, kmem_cache_alloc or _free: the
 * kernel passes it down (_RET_IP_); kmem finds it on the stack. */
static noinline void *slab_debug_caller(void)
{
	void *frames[12];
	char sym[128];
	int n = backtrace(frames, ARRAY_SIZE(frames)), i;
	bool in_run = false;

	for (i = 1; i < n; i++) {
		bool mine = slab_frame(
			kmem_symbolize_fast(frames[i], sym, sizeof(sym)));

		if (mine)
			in_run = true;
		else if (in_run)
			return frames[i];
	}
	return n > 1 ? frames[n - 1] : NULL;
}

static void poison_obj(struct kmem_cache *s, void *objp, unsigned char val)
{
	unsigned char *addr = (unsigned char *)objp + info(s)->g.obj_offset;
	unsigned int size = info(s)->g.obj_size;

	memset(addr, val, size);
	addr[size - 1] = POISON_END;
}

/* One line of a dump, as print_hex_dump(16, 1, ascii) prints it, and 3.4's
 * diagnosis of a lone flipped bit. */
static void dump_line(const unsigned char *data, unsigned int offset,
		      unsigned int limit)
{
	char hex[16 * 3 + 1], ascii[17];
	unsigned int i, bad = 0;
	unsigned char error = 0;

	for (i = 0; i < limit; i++) {
		unsigned char c = data[offset + i];

		snprintf(hex + 3 * i, 4, "%02x ", c);
		ascii[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		if (c != POISON_FREE) {
			error = c;
			bad++;
		}
	}
	hex[limit ? 3 * limit - 1 : 0] = 0;
	ascii[limit] = 0;
	pr_err("%03x: %-47s  %s\n", offset, hex, ascii);
	if (bad == 1) {
		error ^= POISON_FREE;
		if (!(error & (error - 1))) {
			pr_err("Single bit error detected. Probably bad RAM.\n");
			pr_err("Run memtest86+ or a similar memory test tool.\n");
		}
	}
}

/* 3.4's print_objinfo: the red zones, the last user, `lines` lines. */
static void print_objinfo(struct kmem_cache *s, void *objp, int lines)
{
	struct slab_cache_info *c = info(s);
	unsigned char *realobj = (unsigned char *)objp + c->g.obj_offset;
	unsigned int i, size = c->g.obj_size;
	char sym[128];

	if (c->g.dbg & SLAB_RED_ZONE)
		pr_err("Redzone: 0x%llx/0x%llx.\n", *dbg_redzone1(s, objp),
		       *dbg_redzone2(s, objp));
	if (c->g.dbg & SLAB_STORE_USER) {
		void *user = *dbg_userword(s, objp);

		pr_err("Last user: [<%016lx>](%s)\n", (unsigned long)user,
		       user ? kmem_symbolize(user, sym, sizeof(sym)) : "none");
	}
	for (i = 0; i < size && lines; i += 16, lines--)
		dump_line(realobj, i, min(16u, size - i));
}

/* 3.4's check_poison_obj: a free object must still read POISON_FREE. */
static void check_poison_obj(struct kmem_cache *s, void *objp)
{
	struct slab_cache_info *c = info(s);
	unsigned char *realobj = (unsigned char *)objp + c->g.obj_offset;
	unsigned int size = c->g.obj_size, i, lines = 0;
	struct slab_mgmt *m;
	unsigned int objnr;

	for (i = 0; i < size; i++) {
		unsigned char exp = i == size - 1 ? POISON_END : POISON_FREE;

		if (realobj[i] == exp)
			continue;
		if (!lines) {
			pr_err("Slab corruption (Not tainted): %s start=%p, len=%u\n",
			       s->name, (void *)realobj, size);
			print_objinfo(s, objp, 0);
		}
		i = (i / 16) * 16;
		dump_line(realobj, i, min(16u, size - i));
		i += 16 - 1; /* the loop adds the last one */
		if (++lines > 5)
			break;
	}
	if (!lines)
		return;
	/* The neighbours, if any: the overrun often comes from one. */
	m = obj_slab(objp)->freelist;
	objnr = (unsigned int)(((char *)objp - (char *)m->s_mem) / s->size);
	if (objnr) {
		void *prev = (char *)objp - s->size;

		pr_err("Prev obj: start=%p, len=%u\n",
		       (void *)((char *)prev + c->g.obj_offset), size);
		print_objinfo(s, prev, 2);
	}
	if (objnr + 1 < c->g.num) {
		void *next = (char *)objp + s->size;

		pr_err("Next obj: start=%p, len=%u\n",
		       (void *)((char *)next + c->g.obj_offset), size);
		print_objinfo(s, next, 2);
	}
}

/* A new slab's objects (3.4's cache_init_objs with DEBUG). */
static void cache_init_debug_obj(struct kmem_cache *s, void *objp)
{
	struct slab_cache_info *c = info(s);

	if (c->g.dbg & SLAB_STORE_USER)
		*dbg_userword(s, objp) = NULL;
	if (c->g.dbg & SLAB_RED_ZONE) {
		*dbg_redzone1(s, objp) = RED_INACTIVE;
		*dbg_redzone2(s, objp) = RED_INACTIVE;
	}
	/* With poisoning the constructor runs at each allocation. */
	if (s->ctor && !(c->g.dbg & SLAB_POISON)) {
		s->ctor((char *)objp + c->g.obj_offset);
		if ((c->g.dbg & SLAB_RED_ZONE) &&
		    *dbg_redzone2(s, objp) != RED_INACTIVE)
			slab_error(
				s, "cache_init_objs",
				"constructor overwrote the end of an object");
		if ((c->g.dbg & SLAB_RED_ZONE) &&
		    *dbg_redzone1(s, objp) != RED_INACTIVE)
			slab_error(
				s, "cache_init_objs",
				"constructor overwrote the start of an object");
	}
	if (c->g.dbg & SLAB_POISON)
		poison_obj(s, objp, POISON_FREE);
}

/* 3.4's cache_alloc_debugcheck_after: objp is the buffer; returns the
 * object. */
static noinline void *cache_alloc_debugcheck_after(struct kmem_cache *s,
						   void *objp)
{
	struct slab_cache_info *c = info(s);

	if (c->g.dbg & SLAB_POISON) {
		check_poison_obj(s, objp);
		poison_obj(s, objp, POISON_INUSE);
	}
	if (c->g.dbg & SLAB_STORE_USER)
		*dbg_userword(s, objp) = slab_debug_caller();
	if (c->g.dbg & SLAB_RED_ZONE) {
		if (*dbg_redzone1(s, objp) != RED_INACTIVE ||
		    *dbg_redzone2(s, objp) != RED_INACTIVE) {
			slab_error(
				s, "cache_alloc_debugcheck_after",
				"double free, or memory outside object was overwritten");
			pr_err("%p: redzone 1:0x%llx, redzone 2:0x%llx\n", objp,
			       *dbg_redzone1(s, objp), *dbg_redzone2(s, objp));
		}
		*dbg_redzone1(s, objp) = RED_ACTIVE;
		*dbg_redzone2(s, objp) = RED_ACTIVE;
	}
	objp = (char *)objp + c->g.obj_offset;
	if (s->ctor && (c->g.dbg & SLAB_POISON))
		s->ctor(objp);
	return objp;
}

/* 3.4's verify_redzone_free. false: both zones say free (a double free:
 * kmem then frees nothing, where 3.4 went on). */
static bool verify_redzone_free(struct kmem_cache *s, void *objp)
{
	unsigned long long rz1 = *dbg_redzone1(s, objp),
			   rz2 = *dbg_redzone2(s, objp);

	if (rz1 == RED_ACTIVE && rz2 == RED_ACTIVE)
		return true;
	if (rz1 == RED_INACTIVE && rz2 == RED_INACTIVE)
		slab_error(s, "verify_redzone_free", "double free detected");
	else
		slab_error(s, "verify_redzone_free",
			   "memory outside object was overwritten");
	pr_err("%p: redzone 1:0x%llx, redzone 2:0x%llx.\n", objp, rz1, rz2);
	return !(rz1 == RED_INACTIVE && rz2 == RED_INACTIVE);
}

/* 3.4's cache_free_debugcheck after the red zone check: objp is the
 * buffer. */
static noinline void cache_free_debugcheck(struct kmem_cache *s, void *objp)
{
	struct slab_cache_info *c = info(s);

	if (c->g.dbg & SLAB_RED_ZONE) {
		*dbg_redzone1(s, objp) = RED_INACTIVE;
		*dbg_redzone2(s, objp) = RED_INACTIVE;
	}
	if (c->g.dbg & SLAB_STORE_USER)
		*dbg_userword(s, objp) = slab_debug_caller();
	if (c->g.dbg & SLAB_POISON)
		poison_obj(s, objp, POISON_FREE);
}

/* ---- /proc/slab_allocators (CONFIG_DEBUG_SLAB_LEAK) ------------------------------ */

/* One caller of live objects and how many. */
struct leak_caller {
	unsigned long addr, count;
};

struct leak_table {
	struct leak_caller *v;
	size_t nr, cap;
};

/* Count one more object of `addr` (3.4's add_caller: a sorted table, found
 * by bisection; address 0, an object never handed out, is not counted).
 * false when the table cannot grow. */
static bool add_caller(struct leak_table *t, unsigned long addr)
{
	size_t lo = 0, hi = t->nr;

	if (!addr)
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].addr == addr) {
			t->v[mid].count++;
			return true;
		}
		if (t->v[mid].addr > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct leak_caller *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return false;
		t->v = v;
		t->cap = cap;
	}
	memmove(t->v + lo + 1, t->v + lo, (t->nr - lo) * sizeof(*t->v));
	t->v[lo].addr = addr;
	t->v[lo].count = 1;
	t->nr++;
	return true;
}

/* 3.4's handle_slab: the objects of one slab that are out of it. */
static bool handle_slab(struct leak_table *t, struct kmem_cache *s,
			struct slab_mgmt *m)
{
	unsigned int i;

	for (i = 0; i < info(s)->g.num; i++) {
		void *objp = (char *)m->s_mem + (size_t)i * s->size;

		if (slab_bufctl(m)[i] != BUFCTL_ACTIVE)
			continue;
		if (!add_caller(t, (unsigned long)*dbg_userword(s, objp)))
			return false;
	}
	return true;
}

/* 3.4's leaks_show for one cache. slab_mutex held. */
static int leaks_show(struct kmem_cache *s, struct leak_table *t, FILE *f)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	struct slab_mgmt *m;
	bool ok = true;
	char sym[128];
	size_t i;

	if (!(c->g.dbg & SLAB_STORE_USER) || !(c->g.dbg & SLAB_RED_ZONE))
		return 0;
	t->nr = 0;
	spin_lock(&l3->list_lock);
	list_for_each_entry(m, &l3->slabs[L_FULL], list)
		ok = ok && handle_slab(t, s, m);
	list_for_each_entry(m, &l3->slabs[L_PARTIAL], list)
		ok = ok && handle_slab(t, s, m);
	spin_unlock(&l3->list_lock);
	if (!ok)
		return -ENOMEM;
	for (i = 0; i < t->nr; i++)
		fprintf(f, "%s: %lu %s\n", s->name, t->v[i].count,
			kmem_symbolize((void *)t->v[i].addr, sym, sizeof(sym)));
	return 0;
}

static int show_slab_allocators(const char *name, FILE *f)
{
	struct leak_table t = { 0 };
	struct kmem_cache *s;
	int ret = 0;

	(void)name;
	if (slab_allocator != &slab_allocator_classic) {
		/* The kernel has the file only with SLAB. */
		fprintf(f,
			"# slab_allocators is SLAB's (CONFIG_DEBUG_SLAB_LEAK); "
			"this machine runs %s (KMEM_SLAB=slab)\n",
			slab_allocator->name);
		return 0;
	}
	mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		ret = leaks_show(s, &t, f);
		if (ret)
			break;
	}
	mutex_unlock(&slab_mutex);
	free(t.v);
	return ret;
}

static const struct kmem_view slab_allocators_view = { "slab_allocators",
						       show_slab_allocators,
						       0 };

__attribute__((constructor)) static void slab_classic_register_views(void)
{
	kmem_register_view(&slab_allocators_view);
}

/* ---- the operations ------------------------------------------------------------ */

static void *slab_classic_alloc(struct kmem_cache *s, gfp_t gfp,
				size_t orig_size)
{
	struct array_cache *ac = cpu_ac(info(s));
	void *obj;

	(void)orig_size;
	spin_lock(&ac->lock);
	if (likely(ac->avail)) {
		ac->touched = 1;
		obj = ac->entry[--ac->avail];
		spin_unlock(&ac->lock);
	} else {
		obj = cache_alloc_refill(s, ac, gfp);
		if (!obj)
			return NULL;
	}
	obj_mark(obj, true);
	if (unlikely(info(s)->g.dbg))
		obj = cache_alloc_debugcheck_after(s, obj);
	if (unlikely((gfp & __GFP_ZERO) || s->init_on_alloc))
		memset(obj, 0, s->object_size);
	if (unlikely(kmemleak_enabled))
		kmemleak_slab_alloc(s, obj);
	return obj;
}

static void slab_classic_free(struct kmem_cache *s, void *x)
{
	struct slab *slab = obj_slab(x);
	struct kmem_cache *cache = slab ? slab->slab_cache : NULL;
	struct array_cache *ac;
	struct slab_mgmt *m;
	unsigned long off;
	char msg[80];
	void *objp;
	LIST_HEAD(discard);

	if (!cache || !slab->freelist) {
		WARN(1, "kfree(%p): Not a kmalloc allocation\n", x);
		return;
	}
	if (cache != s) {
		WARN(1, "%s: Wrong slab cache. %s but object is from %s\n",
		     "kmem_cache_free", s->name, cache->name);
		return;
	}
	m = slab->freelist;
	objp = (char *)x - info(s)->g.obj_offset; /* the buffer */
	off = (unsigned long)((char *)objp - (char *)m->s_mem);
	if ((char *)objp < (char *)m->s_mem || off % s->size ||
	    off / s->size >= info(s)->g.num) {
		snprintf(msg, sizeof(msg), "Invalid object pointer %p", x);
		slab_error(s, "kfree", msg);
		return;
	}
	/* A red-zoned double free is reported in 3.4's words, once. */
	if (unlikely(info(s)->g.dbg & SLAB_RED_ZONE) &&
	    !verify_redzone_free(s, objp))
		return;
	if (!obj_mark(objp, false)) {
		pr_err("slab: double free detected in cache '%s', objp %p\n",
		       s->name, x);
		dump_stack();
		return;
	}
	if (unlikely(kmemleak_enabled))
		kmemleak_free(x);
	if (unlikely(s->init_on_free))
		memset(x, 0, s->object_size);
	if (unlikely(info(s)->g.dbg))
		cache_free_debugcheck(s, objp);
	x = objp; /* the arrays and slabs hold buffers */
	ac = cpu_ac(info(s));
	spin_lock(&ac->lock);
	if (likely(ac->avail < ac->limit)) {
		ac->entry[ac->avail++] = x;
		spin_unlock(&ac->lock);
		return;
	}
	cache_flusharray(s, ac, &discard);
	ac->entry[ac->avail++] = x;
	spin_unlock(&ac->lock);
	destroy_list(s, &discard);
	reap_clock();
}

/* 3.4's drain_array: give back a fifth of the array's limit unless it was
 * touched since the last time (all of it with force). `ac` is a CPU's array
 * (its lock is taken) or the shared one (under list_lock). */
static void drain_array(struct kmem_cache *s, struct array_cache *ac,
			bool shared, bool force, struct list_head *discard)
{
	struct kmem_list3 *l3 = &info(s)->l3;
	unsigned int tofree;

	if (!ac)
		return;
	if (!shared)
		spin_lock(&ac->lock);
	spin_lock(&l3->list_lock);
	if (!ac->avail)
		goto out;
	if (ac->touched && !force) {
		ac->touched = 0;
		goto out;
	}
	tofree = force ? ac->avail : (ac->limit + 4) / 5;
	if (tofree > ac->avail)
		tofree = (ac->avail + 1) / 2;
	free_block(s, ac->entry, tofree, discard);
	ac->avail -= tofree;
	memmove(ac->entry, ac->entry + tofree, sizeof(void *) * ac->avail);
out:
	spin_unlock(&l3->list_lock);
	if (!shared)
		spin_unlock(&ac->lock);
}

/* Free up to `tofree` free slabs, the oldest first. Returns pages. */
static unsigned long drain_freelist(struct kmem_cache *s, unsigned long tofree)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	unsigned long freed = 0;

	while (freed < tofree) {
		struct slab_mgmt *m;

		spin_lock(&l3->list_lock);
		if (list_empty(&l3->slabs[L_FREE])) {
			spin_unlock(&l3->list_lock);
			break;
		}
		m = list_last_entry(&l3->slabs[L_FREE], struct slab_mgmt, list);
		unfile(l3, c, m);
		l3->free_objects -= c->g.num;
		spin_unlock(&l3->list_lock);
		slab_destroy(s, m);
		freed++;
	}
	return freed << c->g.gfporder;
}

/* Every array and every free slab of s (drain_cpu_caches + __cache_shrink).
 * Returns pages freed. */
static unsigned long cache_shrink(struct kmem_cache *s)
{
	struct slab_cache_info *c = info(s);
	LIST_HEAD(discard);
	unsigned long pages = 0;
	struct slab_mgmt *m;
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		drain_array(s, c->array[cpu], false, true, &discard);
	drain_array(s, c->l3.shared, true, true, &discard);
	list_for_each_entry(m, &discard, list)
		pages += 1UL << c->g.gfporder;
	destroy_list(s, &discard);
	return pages + drain_freelist(s, ULONG_MAX);
}

/* One reap of every CPU and node (the kernel's cache_reap on every CPU).
 * Caller holds slab_mutex. */
static void __cache_reap(void)
{
	unsigned long tick = ++reap_tick;
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list) {
		struct slab_cache_info *c = info(s);
		struct kmem_list3 *l3 = &c->l3;
		LIST_HEAD(discard);
		unsigned int cpu;
		bool touched;

		for (cpu = 0; cpu < nr_cpu_ids; cpu++)
			drain_array(s, c->array[cpu], false, false, &discard);
		spin_lock(&l3->list_lock);
		if (tick < l3->next_reap) {
			spin_unlock(&l3->list_lock);
			destroy_list(s, &discard);
			continue;
		}
		l3->next_reap = tick + 2; /* REAPTIMEOUT_LIST3: twice CPUC */
		touched = l3->free_touched;
		l3->free_touched = 0;
		spin_unlock(&l3->list_lock);
		drain_array(s, l3->shared, true, false, &discard);
		destroy_list(s, &discard);
		if (!touched)
			drain_freelist(s, (l3->free_limit + 5 * c->g.num - 1) /
						  (5 * c->g.num));
	}
}

static void cache_reap_tick(void)
{
	if (!mutex_trylock(&slab_mutex))
		return; /* busy: the next tick reaps */
	__cache_reap();
	mutex_unlock(&slab_mutex);
}

void slab_classic_reap(void)
{
	mutex_lock(&slab_mutex);
	__cache_reap();
	mutex_unlock(&slab_mutex);
}

static unsigned long slab_classic_drain(void)
{
	unsigned long pages = 0;
	struct kmem_cache *s;

	if (!mutex_trylock(&slab_mutex))
		return 0;
	list_for_each_entry(s, &slab_caches, list)
		pages += cache_shrink(s);
	mutex_unlock(&slab_mutex);
	return pages;
}

static int slab_classic_shrink(struct kmem_cache *s)
{
	cache_shrink(s);
	return 0;
}

static struct array_cache *alloc_arraycache(unsigned int entries,
					    unsigned int batchcount)
{
	struct array_cache *ac;

	ac = aligned_alloc(SLAB_LINE,
			   ALIGN(sizeof(*ac) + entries * sizeof(void *),
				 SLAB_LINE));
	if (!ac)
		return NULL;
	memset(ac, 0, sizeof(*ac));
	spin_lock_init(&ac->lock);
	lockdep_set_rank(&ac->lock, LOCK_RANK_BARN);
	ac->limit = entries;
	ac->batchcount = batchcount;
	return ac;
}

static void free_cache(struct kmem_cache *s)
{
	struct slab_cache_info *c = info(s);
	unsigned int cpu;

	if (c) {
		for (cpu = 0; cpu < nr_cpu_ids; cpu++)
			free(c->array[cpu]);
		free(c->l3.shared);
		free(c);
	}
	free(s);
}

/* The kmalloc cache of at least `size` bytes (kmem_find_general_cachep). */
static struct kmem_cache *general_cache(size_t size, bool dma);

static struct kmem_cache *
slab_classic_create(const char *name, unsigned int size, unsigned int align,
		    slab_flags_t flags, void (*ctor)(void *))
{
	struct slab_classic_geometry g;
	struct slab_cache_info *c;
	struct kmem_cache *s;
	slab_flags_t boot_dbg;
	unsigned int cpu;
	int i;

	/* slab_debug=Z, P, U (kmem: SLUB's boot option picks SLAB's three
	 * debug flags too) as 3.4's FORCED_DEBUG added them: the red zones and
	 * the user word only where they do not push the buffer past a power
	 * of two (so size-4194304 still fits its order). */
	boot_dbg = kmem_cache_flags(flags, name) & ~flags & CLASSIC_DEBUG_FLAGS;
	if (size >= 4096 &&
	    fls(size - 1) != fls(size - 1 + REDZONE_ALIGN +
				 2 * sizeof(unsigned long long)))
		boot_dbg &= ~(SLAB_RED_ZONE | SLAB_STORE_USER);
	flags |= boot_dbg;
	if (slab_classic_calculate(size, align, flags, slab_max_order,
				   nr_cpu_ids, &g)) {
		pr_err("kmem_cache_create: couldn't create cache %s.\n", name);
		return ERR_PTR(-EINVAL);
	}
	s = aligned_alloc(SLAB_LINE, ALIGN(sizeof(*s), SLAB_LINE));
	c = calloc(1, sizeof(*c) + nr_cpu_ids * sizeof(c->array[0]));
	if (!s || !c) {
		free(s);
		free(c);
		return ERR_PTR(-ENOMEM);
	}
	memset(s, 0, sizeof(*s));
	s->priv = c;
	c->g = g;
	if (g.off_slab) {
		c->slabp_cache = general_cache(g.slab_size, false);
		if (!c->slabp_cache) {
			free_cache(s);
			return ERR_PTR(-EINVAL);
		}
	}
	spin_lock_init(&c->l3.list_lock);
	lockdep_set_rank(&c->l3.list_lock, LOCK_RANK_LIST);
	for (i = 0; i < 3; i++)
		INIT_LIST_HEAD(&c->l3.slabs[i]);
	c->l3.free_limit = g.free_limit;
	c->l3.next_reap = reap_tick + 2;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		c->array[cpu] = alloc_arraycache(g.limit, g.batchcount);
		if (!c->array[cpu]) {
			free_cache(s);
			return ERR_PTR(-ENOMEM);
		}
	}
	if (g.shared) {
		c->l3.shared =
			alloc_arraycache(g.shared * g.batchcount, 0xbaadf00d);
		if (!c->l3.shared) {
			free_cache(s);
			return ERR_PTR(-ENOMEM);
		}
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->alloc_tc = DEAD_TC; /* every allocation reaches the slow path */
	s->index = 0;
	s->size = g.size;
	s->object_size = size;
	s->inuse = g.size;
	s->align = g.align;
	s->flags = (flags & ~CLASSIC_DEBUG_FLAGS) | g.dbg;
	s->ctor = ctor;
	s->order = g.gfporder;
	s->min_order = g.gfporder;
	s->objects = g.num;
	s->src = slab_src;
	s->refcount = 1;
	s->allocflags |= slab_cache_gfp(flags);
	if (!ctor && !(flags & SLAB_TYPESAFE_BY_RCU) &&
	    !(g.dbg & SLAB_POISON)) {
		s->init_on_alloc = page_debug_flags & PAGE_DEBUG_INIT_ON_ALLOC;
		s->init_on_free = page_debug_flags & PAGE_DEBUG_INIT_ON_FREE;
	}
	list_add(&s->list, &slab_caches);
	return s;
}

static int slab_classic_destroy(struct kmem_cache *s)
{
	struct slab_cache_info *c = info(s);
	unsigned long left;

	if (slab_cache_dead(s)) {
		slab_dead_cache(s, "kmem_cache_destroy");
		return -ENOENT;
	}
	if (--s->refcount > 0)
		return 0;
	cache_shrink(s);
	spin_lock(&c->l3.list_lock);
	left = c->l3.nr_slabs[L_FULL] + c->l3.nr_slabs[L_PARTIAL];
	spin_unlock(&c->l3.list_lock);
	if (left) {
		slab_error(s, "kmem_cache_destroy", "Can't free all objects");
		s->refcount++;
		return -EBUSY;
	}
	list_del(&s->list);
	WRITE_ONCE(s->index, SLAB_DEAD_INDEX);
	list_add(&s->list, &dead_caches);
	return 0;
}

static void slab_classic_counts(struct kmem_cache *s, struct slab_counts *cnt)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	unsigned int cpu;

	memset(cnt, 0, sizeof(*cnt));
	spin_lock(&l3->list_lock);
	cnt->nr_full = l3->nr_slabs[L_FULL];
	cnt->nr_partial = l3->nr_slabs[L_PARTIAL];
	cnt->nr_empty = l3->nr_slabs[L_FREE];
	cnt->nr_slabs = cnt->nr_full + cnt->nr_partial + cnt->nr_empty;
	cnt->total_objects = cnt->nr_slabs * c->g.num;
	cnt->active_objects = cnt->total_objects - l3->free_objects;
	if (l3->shared)
		cnt->thread_cached = l3->shared->avail;
	spin_unlock(&l3->list_lock);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		cnt->thread_cached += READ_ONCE(c->array[cpu]->avail);
}

/* 3.4's s_show. */
static void slab_classic_slabinfo(struct kmem_cache *s, FILE *f)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	unsigned long active_objs, num_objs, active_slabs, num_slabs,
		shared_avail;

	spin_lock(&l3->list_lock);
	active_slabs = l3->nr_slabs[L_FULL] + l3->nr_slabs[L_PARTIAL];
	num_slabs = active_slabs + l3->nr_slabs[L_FREE];
	num_objs = num_slabs * c->g.num;
	active_objs = num_objs - l3->free_objects;
	shared_avail = l3->shared ? l3->shared->avail : 0;
	spin_unlock(&l3->list_lock);
	fprintf(f, "%-17s %6lu %6lu %6u %4u %4d", s->name, active_objs,
		num_objs, c->g.size, c->g.num, 1 << c->g.gfporder);
	fprintf(f, " : tunables %4u %4u %4u", c->g.limit, c->g.batchcount,
		c->g.shared);
	fprintf(f, " : slabdata %6lu %6lu %6lu\n", active_slabs, num_slabs,
		shared_avail);
}

static unsigned long slab_classic_pages(struct kmem_cache *s)
{
	struct slab_cache_info *c = info(s);
	unsigned long n;

	spin_lock(&c->l3.list_lock);
	n = c->l3.nr_slabs[L_FULL] + c->l3.nr_slabs[L_PARTIAL] +
	    c->l3.nr_slabs[L_FREE];
	spin_unlock(&c->l3.list_lock);
	return n << c->g.gfporder;
}

static bool check_cache(struct kmem_cache *s)
{
	struct slab_cache_info *c = info(s);
	struct kmem_list3 *l3 = &c->l3;
	unsigned long counts[3] = { 0 }, free_objs = 0;
	unsigned char *seen = calloc(c->g.num, 1);
	bool ok = true;
	unsigned int cpu;
	int l;

	spin_lock(&l3->list_lock);
	for (l = 0; l < 3; l++) {
		struct slab_mgmt *m;

		list_for_each_entry(m, &l3->slabs[l], list) {
			struct slab *slab = obj_slab(m->s_mem);
			kmem_bufctl_t i;
			unsigned int nfree = 0;

			counts[l]++;
			if (!slab || slab->slab_cache != s ||
			    slab->freelist != m) {
				pr_err("slab check: %s: slab %p is not found from its objects\n",
				       s->name, (void *)m);
				ok = false;
				continue;
			}
			if (list_of(c, m) != l || m->inuse > c->g.num) {
				pr_err("slab check: %s: slab %p with inuse %u/%u on the wrong list\n",
				       s->name, (void *)m, m->inuse, c->g.num);
				ok = false;
			}
			if (seen)
				memset(seen, 0, c->g.num);
			for (i = m->free; i != BUFCTL_END;
			     i = slab_bufctl(m)[i]) {
				if (i >= c->g.num || (seen && seen[i]) ||
				    ++nfree > c->g.num) {
					pr_err("slab check: %s: slab %p: bad free index %u\n",
					       s->name, (void *)m, i);
					ok = false;
					break;
				}
				if (seen)
					seen[i] = 1;
			}
			if (nfree != c->g.num - m->inuse) {
				pr_err("slab check: %s: slab %p has %u free objects, inuse says %u of %u\n",
				       s->name, (void *)m, nfree, m->inuse,
				       c->g.num);
				ok = false;
			}
			free_objs += c->g.num - m->inuse;
		}
		if (counts[l] != l3->nr_slabs[l]) {
			pr_err("slab check: %s: %lu slabs on list %d, counted %lu\n",
			       s->name, counts[l], l, l3->nr_slabs[l]);
			ok = false;
		}
	}
	if (free_objs != l3->free_objects) {
		pr_err("slab check: %s: %lu free objects on the slabs, free_objects says %lu\n",
		       s->name, free_objs, l3->free_objects);
		ok = false;
	}
	if (l3->shared && l3->shared->avail > l3->shared->limit)
		ok = false;
	spin_unlock(&l3->list_lock);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (READ_ONCE(c->array[cpu]->avail) > c->array[cpu]->limit)
			ok = false;
	free(seen);
	return ok;
}

static bool slab_classic_check(void)
{
	struct kmem_cache *s;
	bool ok = true;

	mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list)
		ok &= check_cache(s);
	mutex_unlock(&slab_mutex);
	return ok;
}

/* ---- kmalloc ------------------------------------------------------------------ */

#define NR_SIZES 19 /* 32, 64, 128, 192, 256, 512 ... 4 MiB */
static struct kmem_cache *malloc_sizes[NR_SIZES][2]; /* [i][dma] */

static unsigned int size_of_class(unsigned int i)
{
	static const unsigned int small[] = { 32, 64, 128, 192 };

	return i < 4 ? small[i] : 256u << (i - 4);
}

/* The class of `size` (1 .. 4 MiB): the first that holds it. */
static unsigned int class_of(size_t size)
{
	if (size <= 32)
		return 0;
	if (size <= 64)
		return 1;
	if (size <= 128)
		return 2;
	if (size <= 192)
		return 3;
	return (unsigned int)fls((unsigned int)(size - 1)) - 8 + 4;
}

static struct kmem_cache *general_cache(size_t size, bool dma)
{
	if (!size || size > KMALLOC_MAX_SIZE)
		return NULL;
	return malloc_sizes[class_of(size)][dma];
}

static void *slab_classic_kmalloc_large(size_t size, gfp_t gfp)
{
	struct kmem_cache *s = general_cache(size, gfp & __GFP_DMA);

	if (!s)
		return NULL; /* above the largest class */
	return kmem_cache_alloc(s, gfp);
}

static size_t slab_classic_ksize(const void *x, struct kmem_cache **sp,
				 const char *func)
{
	struct slab *slab = obj_slab(x);
	struct kmem_cache *s = slab ? slab->slab_cache : NULL;
	struct slab_mgmt *m = slab ? slab->freelist : NULL;
	unsigned long off;

	*sp = NULL;
	if (!s || !m) {
		WARN(1, "%s(%p): Not a kmalloc allocation\n", func, x);
		return 0;
	}
	off = (unsigned long)((const char *)x - info(s)->g.obj_offset -
			      (const char *)m->s_mem);
	if ((const char *)x < (const char *)m->s_mem || off % s->size ||
	    off / s->size >= info(s)->g.num) {
		WARN(1,
		     "%s(%p): Invalid object pointer (inside an object of %s)\n",
		     func, x, s->name);
		return 0;
	}
	*sp = s;
	/* obj_size(): the buffer size, or without the debug words. */
	return info(s)->g.dbg ? info(s)->g.obj_size : s->size;
}

static size_t slab_classic_roundup(size_t size)
{
	return size_of_class(class_of(size));
}

static int slab_classic_init(const struct slab_page_source *src)
{
	/* 3.4 makes the array cache's and kmem_list3's classes first. */
	static const unsigned int first[] = { 0, 2 };
	char name[SLAB_NAME_LEN];
	unsigned int i, t, idx;

	slab_src = src;
	slab_debug_boot(); /* slab_debug= of this boot (mm/slub_debug.c) */
	slab_max_order = slab_classic_max_order(totalram_pages());
	reap_events = reap_tick = 0;
	INIT_LIST_HEAD(&dead_caches);
	obj_active_bits = ((unsigned long)high_memory - PAGE_OFFSET) >> 3;
	obj_active = calloc(obj_active_bits / BITS_PER_LONG + 1, sizeof(long));
	if (!obj_active)
		return -ENOMEM;
	memset(malloc_sizes, 0, sizeof(malloc_sizes));
	mutex_lock(&slab_mutex);
	for (i = 0; i < ARRAY_SIZE(first) + NR_SIZES; i++) {
		unsigned int c = i < ARRAY_SIZE(first) ? first[i] :
							 i - ARRAY_SIZE(first);
		unsigned int dma;

		for (dma = 0; dma < 2; dma++) {
			struct kmem_cache *s;

			if (malloc_sizes[c][dma] ||
			    (i < ARRAY_SIZE(first) && dma))
				continue;
			snprintf(name, sizeof(name), "size-%u%s",
				 size_of_class(c), dma ? "(DMA)" : "");
			s = slab_classic_create(
				name, size_of_class(c), ARCH_KMALLOC_MINALIGN,
				SLAB_HWCACHE_ALIGN | SLAB_KMALLOC | SLAB_PANIC |
					(dma ? SLAB_CACHE_DMA : 0),
				NULL);
			if (IS_ERR(s)) {
				mutex_unlock(&slab_mutex);
				pr_err("kmalloc: cannot create %s\n", name);
				return (int)PTR_ERR(s);
			}
			malloc_sizes[c][dma] = s;
		}
	}
	mutex_unlock(&slab_mutex);
	/* The front end's classes (SLUB's) to SLAB's caches. */
	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (idx = 1; idx <= KMALLOC_SHIFT_HIGH; idx++) {
			unsigned int sz = idx == 1 ? 96 :
					  idx == 2 ? 192 :
						     1u << idx;

			kmalloc_caches[t][idx] =
				general_cache(sz, t == KMALLOC_DMA);
		}
	return 0;
}

static void slab_classic_exit(void)
{
	struct kmem_cache *s, *next;

	list_for_each_entry_safe(s, next, &slab_caches, list)
		free_cache(s);
	list_for_each_entry_safe(s, next, &dead_caches, list)
		free_cache(s);
	INIT_LIST_HEAD(&slab_caches);
	INIT_LIST_HEAD(&dead_caches);
	memset(malloc_sizes, 0, sizeof(malloc_sizes));
	free(obj_active);
	obj_active = NULL;
	obj_active_bits = 0;
	slab_src = NULL;
}

/*
 * fork() (its sequence: init/fork.c): SLUB's hook holds slab_mutex across
 * the fork, so the cache list is stable. In the child only the forking
 * thread exists: an array or list lock another thread held at the fork
 * would never be released, so every lock starts afresh there (the other
 * threads' objects in the arrays are simply free objects of the child).
 */
static void slab_fork_child(void)
{
	struct kmem_cache *s;
	unsigned int cpu;

	if (slab_allocator != &slab_allocator_classic)
		return;
	list_for_each_entry(s, &slab_caches, list) {
		struct slab_cache_info *c = info(s);

		for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
			spin_lock_init(&c->array[cpu]->lock);
			lockdep_set_rank(&c->array[cpu]->lock, LOCK_RANK_BARN);
		}
		spin_lock_init(&c->l3.list_lock);
		lockdep_set_rank(&c->l3.list_lock, LOCK_RANK_LIST);
	}
}

static void slab_fork_nop(void)
{
}

KMEM_FORK_HOOKS(11, slab_fork_nop, slab_fork_nop, slab_fork_child);

const struct slab_allocator slab_allocator_classic = {
	.name = "SLAB",
	.init = slab_classic_init,
	.exit = slab_classic_exit,
	.cache_create = slab_classic_create,
	.cache_destroy = slab_classic_destroy,
	.cache_shrink = slab_classic_shrink,
	.alloc = slab_classic_alloc,
	.free = slab_classic_free,
	.kmalloc_large = slab_classic_kmalloc_large,
	.ksize = slab_classic_ksize,
	.size_roundup = slab_classic_roundup,
	.get_counts = slab_classic_counts,
	.slabinfo_line = slab_classic_slabinfo,
	.drain = slab_classic_drain,
	.cache_pages = slab_classic_pages,
	.check = slab_classic_check,
};
