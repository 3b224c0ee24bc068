// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: random sequences of allocator calls against a shadow model.
 *
 * Theory. One small machine (64 MiB, x86-64, 2 CPUs, quiet) is booted once
 * per process. Each input decodes into a sequence of operations on at most
 * MAX_LIVE live objects: kmalloc/kzalloc/krealloc/kfree, kmem_cache_alloc/
 * _free (fixed caches, one with a constructor and one with red zones and
 * poisoning, plus caches the input creates and destroys), the bulk calls,
 * alloc_pages/__free_pages, __get_free_pages, alloc_pages_exact,
 * vmalloc/vzalloc/vfree, kvmalloc/kvfree, switching the simulated CPU,
 * shrinking caches, and runs of non-sleeping calls in atomic context
 * (irq_enter, irqs off, preemption off, bottom halves off). Every call is a valid one, so the harness fails on:
 *   - an object whose bytes differ from the shadow model: each object is
 *     filled with a pattern derived from its id and size when it is
 *     allocated (after checking zeroing for __GFP_ZERO and the constructor's
 *     state for the constructed cache) and checked in full when it is freed,
 *     and every live object is checked every VERIFY_EVERY operations and at
 *     the end of the input (so an overlap or a stray write shows);
 *   - an allocation that fails although the machine has room (the harness
 *     keeps live memory within a budget; only orders above
 *     PAGE_ALLOC_COSTLY_ORDER may fail, from fragmentation);
 *   - kmem_check_invariants() failing: it runs every CHECK_EVERY operations
 *     and at the end of each input (after every operation it would cost more
 *     than the operations: see docs/ARCHITECTURE.md "Fuzzing");
 *   - any text in the kernel log: a valid caller gets no report at all;
 *   - free pages (drained) not back to their value before the input once
 *     the input has freed everything: a leak.
 * Inputs are independent: each one frees all it allocated and destroys the
 * caches it created.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <asm/page.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kmem/kmem.h>
#include "fuzz/fuzz.h"

#define FUZZ_RAM (64ull << 20)
#define MAX_LIVE 256
#define MAX_OPS 2000
#define BUDGET (8ul << 20)     /* live bytes an input may hold */
#define DMA_BUDGET (2ul << 20) /* of which in ZONE_DMA (16 MiB, mostly free) */
#define CHECK_EVERY 32	       /* default; $KMEM_FUZZ_CHECK_EVERY overrides */
#define VERIFY_EVERY 64	       /* every live byte; a multiple of check_every */

enum kind {
	K_NONE,
	K_KMALLOC,
	K_CACHE,
	K_PAGES,
	K_GFP,
	K_EXACT,
	K_VMALLOC,
	K_KV
};

struct obj {
	enum kind kind;
	void *p;
	struct page *page;
	size_t size; /* bytes the model tracks */
	unsigned int order;
	int cache; /* K_CACHE: index into caches[] */
	uint64_t id;
	bool dma;     /* GFP_DMA: must lie below 16 MiB */
	size_t align; /* the alignment the allocator promises */
};

/* Caches: the first NR_FIXED live for the whole process, the others are
 * created and destroyed by inputs. */
#define NR_FIXED 5
#define NR_CACHES 8
#define CTOR_CACHE 4
#define CTOR_BYTE 0xc7
struct cache {
	struct kmem_cache *s;
	unsigned int size;
	unsigned int live;
	unsigned int align; /* of its objects */
	char name[32];
};

static struct cache caches[NR_CACHES];
static struct obj live[MAX_LIVE];
static size_t live_bytes, dma_bytes;
static uint64_t next_id = 1;
static unsigned long base_free, check_every = CHECK_EVERY;
static size_t mark;

/* ---- input decoding -------------------------------------------------------- */

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned int in_u8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned int in_u16(struct in *in)
{
	return in_u8(in) | in_u8(in) << 8;
}

/* ---- the shadow model: a pattern per object ------------------------------ */

static inline uint64_t pat_word(uint64_t id, size_t i)
{
	uint64_t x = id * 0x9e3779b97f4a7c15ull + i * 0xc2b2ae3d27d4eb4full;

	return x ^ (x >> 29);
}

/* The pattern loops carry no coverage hooks: they would compare every word
 * through libFuzzer's callbacks and dominate the run, for no new coverage. */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

static NO_COVERAGE void fill(const struct obj *o)
{
	unsigned char *p = o->p;
	size_t i, words = o->size / 8;

	for (i = 0; i < words; i++) {
		uint64_t w = pat_word(o->id, i);

		memcpy(p + i * 8, &w, 8);
	}
	if (o->size % 8) {
		uint64_t w = pat_word(o->id, i);

		memcpy(p + i * 8, &w, o->size % 8);
	}
}

static const char *const kind_name[] = {
	"none",	       "kmalloc",	   "kmem_cache",
	"alloc_pages", "__get_free_pages", "alloc_pages_exact",
	"vmalloc",     "kvmalloc"
};

static NO_COVERAGE void verify(const struct obj *o, const char *when)
{
	const unsigned char *p = o->p;
	size_t i, words = o->size / 8;

	for (i = 0; i < words; i++) {
		uint64_t w = pat_word(o->id, i), got;

		memcpy(&got, p + i * 8, 8);
		if (got != w)
			goto bad;
	}
	if (o->size % 8) {
		uint64_t w = pat_word(o->id, i);

		if (memcmp(p + i * 8, &w, o->size % 8))
			goto bad;
	}
	return;
bad : {
	size_t b = i * 8;
	uint64_t w = pat_word(o->id, i);

	while (b < o->size && p[b] == ((unsigned char *)&w)[b % 8])
		b++;
	fuzz_fail(
		mark,
		"%s: %s object %p (%zu bytes, id %llu) corrupted at byte %zu: "
		"%#x, expected %#x",
		when, kind_name[o->kind], o->p, o->size,
		(unsigned long long)o->id, b, p[b],
		((unsigned char *)&w)[b % 8]);
}
}

static NO_COVERAGE void expect_bytes(const struct obj *o, unsigned char c,
				     const char *what)
{
	const unsigned char *p = o->p;
	size_t i;

	for (i = 0; i < o->size; i++)
		if (p[i] != c)
			fuzz_fail(
				mark,
				"%s: %s object %p (%zu bytes) byte %zu is %#x, "
				"expected %#x",
				what, kind_name[o->kind], o->p, o->size, i,
				p[i], c);
}

static void verify_all(const char *when)
{
	int i;

	for (i = 0; i < MAX_LIVE; i++)
		if (live[i].kind)
			verify(&live[i], when);
}

/* ---- caches ---------------------------------------------------------------- */

static void ctor(void *p)
{
	memset(p, CTOR_BYTE, caches[CTOR_CACHE].size);
}

/* The alignment a cache promises its objects (the kernel's rule). */
static unsigned int cache_align(unsigned int size, unsigned int align,
				slab_flags_t flags)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = 64;

		while (size <= ralign / 2)
			ralign /= 2;
		if (ralign > align)
			align = ralign;
	}
	return align < 8 ? 8 : align;
}

static void create_fixed(int i, const char *name, unsigned int size,
			 unsigned int align, slab_flags_t flags,
			 void (*c)(void *))
{
	snprintf(caches[i].name, sizeof(caches[i].name), "%s", name);
	caches[i].size = size;
	caches[i].align = cache_align(size, align, flags);
	caches[i].s = kmem_cache_create(caches[i].name, size, align, flags, c);
	if (!caches[i].s)
		fuzz_fail(0, "cannot create cache %s", name);
}

static void op_cache_create(struct in *in)
{
	static const slab_flags_t fl[] = { 0,
					   SLAB_HWCACHE_ALIGN,
					   SLAB_RED_ZONE | SLAB_POISON,
					   SLAB_STORE_USER,
					   SLAB_RECLAIM_ACCOUNT,
					   SLAB_NO_MERGE,
					   SLAB_ACCOUNT,
					   SLAB_CACHE_DMA32 };
	int i = NR_FIXED + (int)(in_u8(in) % (NR_CACHES - NR_FIXED));
	unsigned int size = 1 + in_u16(in) % 8192, a = in_u8(in), align = 0;
	slab_flags_t flags = fl[a % 8] | fl[(a >> 3) % 8];
	struct cache *c = &caches[i];

	if (c->s)
		return;
	if (a >> 6)
		align = 8u << ((a >> 6) * 2); /* 32, 128, 512 */
	snprintf(c->name, sizeof(c->name), "fuzz-%d-%u", i, size);
	c->size = size;
	c->align = cache_align(size, align, flags);
	c->live = 0;
	c->s = kmem_cache_create(c->name, size, align, flags, NULL);
	if (!c->s)
		fuzz_fail(
			mark,
			"kmem_cache_create(%s, %u, align %u, flags %#x) failed",
			c->name, size, align, (unsigned int)flags);
	if (kmem_cache_size(c->s) < size)
		fuzz_fail(mark, "cache %s: object size %u < %u", c->name,
			  kmem_cache_size(c->s), size);
}

static void free_obj(int slot);

static void cache_destroy(int i)
{
	int j;

	if (!caches[i].s)
		return;
	for (j = 0; j < MAX_LIVE; j++)
		if (live[j].kind == K_CACHE && live[j].cache == i)
			free_obj(j);
	kmem_cache_destroy(caches[i].s);
	caches[i].s = NULL;
}

/* ---- operations -------------------------------------------------------------- */

static int free_slot(struct in *in)
{
	int i, s = (int)(in_u8(in) % MAX_LIVE);

	for (i = 0; i < MAX_LIVE; i++, s = (s + 1) % MAX_LIVE)
		if (!live[s].kind)
			return s;
	return -1;
}

static int live_slot(struct in *in)
{
	int i, s = (int)(in_u8(in) % MAX_LIVE);

	for (i = 0; i < MAX_LIVE; i++, s = (s + 1) % MAX_LIVE)
		if (live[s].kind)
			return s;
	return -1;
}

/* Inside op_atomic(): interrupt, irqs-off, preempt-off or bh-off context. */
static bool atomic_ctx;

static gfp_t pick_gfp(unsigned int b, bool *zero, bool *dma)
{
	static const gfp_t base[] = {
		GFP_KERNEL,	    GFP_KERNEL,
		GFP_ATOMIC,	    GFP_NOWAIT,
		GFP_KERNEL_ACCOUNT, GFP_KERNEL | __GFP_RECLAIMABLE,
		GFP_NOFS,	    GFP_KERNEL | __GFP_DMA
	};
	gfp_t g = base[b % 8];

	if (atomic_ctx) /* only the non-sleeping ones */
		g = ((b & 1) ? GFP_ATOMIC : GFP_NOWAIT) | (g & __GFP_DMA);

	*zero = (b >> 3) & 1;
	*dma = !!(g & __GFP_DMA);
	if (*zero)
		g |= __GFP_ZERO;
	return g;
}

static bool room(size_t bytes, bool dma)
{
	return live_bytes + bytes <= BUDGET &&
	       (!dma || dma_bytes + bytes <= DMA_BUDGET);
}

static void track(int slot, struct obj *o, bool zero)
{
	if (o->align && (uintptr_t)o->p % o->align)
		fuzz_fail(mark, "%s object %p (%zu bytes) not aligned to %zu",
			  kind_name[o->kind], o->p, o->size, o->align);
	if (o->dma &&
	    (o->kind == K_KMALLOC || o->kind == K_PAGES || o->kind == K_GFP) &&
	    __pa(o->p) + o->size > (16ul << 20))
		fuzz_fail(mark,
			  "GFP_DMA %s object %p (%zu bytes) at physical %#lx, "
			  "above ZONE_DMA",
			  kind_name[o->kind], o->p, o->size,
			  (unsigned long)__pa(o->p));
	if (zero)
		expect_bytes(o, 0, "__GFP_ZERO");
	o->id = next_id++;
	fill(o);
	live[slot] = *o;
	live_bytes += o->size;
	if (o->dma)
		dma_bytes += o->size;
}

static void op_kmalloc(struct in *in, bool large)
{
	unsigned int r = in_u16(in), g = in_u8(in);
	struct obj o = { .kind = K_KMALLOC };
	int slot = free_slot(in);
	bool zero;
	gfp_t gfp = pick_gfp(g, &zero, &o.dma);
	size_t k;

	/* kmalloc-cache sizes, or large ones (page allocator) up to 136 KiB,
	 * most of them small. */
	o.size = large ? 8192 + ((size_t)(r & 0x3fff) << (r >> 14)) : r % 8193;
	if (slot < 0 || !room(o.size, o.dma))
		return;
	/* Power-of-two sizes are naturally aligned; large ones page aligned. */
	o.align = o.size > KMALLOC_MAX_CACHE_SIZE    ? PAGE_SIZE :
		  o.size && !(o.size & (o.size - 1)) ? o.size :
						       8;
	o.p = kmalloc(o.size, gfp);
	if (!o.size) {
		if (o.p != ZERO_SIZE_PTR)
			fuzz_fail(mark,
				  "kmalloc(0) returned %p, not ZERO_SIZE_PTR",
				  o.p);
		kfree(o.p);
		return;
	}
	if (!o.p)
		fuzz_fail(mark, "kmalloc(%zu, %#x) failed with %zu bytes live",
			  o.size, (unsigned int)gfp, live_bytes);
	k = ksize(o.p);
	if (k < o.size)
		fuzz_fail(mark, "ksize %zu < kmalloc(%zu)", k, o.size);
	track(slot, &o, zero);
}

static void op_krealloc(struct in *in)
{
	int slot = live_slot(in);
	unsigned int r = in_u16(in);
	struct obj *o, n;
	size_t keep;

	if (slot < 0 || live[slot].kind != K_KMALLOC)
		return;
	o = &live[slot];
	n = *o;
	n.size = 1 + r % 12000;
	if (n.size > o->size && !room(n.size - o->size, o->dma))
		return;
	n.p = krealloc(o->p, n.size,
		       o->dma ? GFP_KERNEL | __GFP_DMA : GFP_KERNEL);
	if (!n.p)
		fuzz_fail(mark, "krealloc(%zu -> %zu) failed", o->size, n.size);
	if (ksize(n.p) < n.size)
		fuzz_fail(mark, "krealloc: ksize %zu < %zu", ksize(n.p),
			  n.size);
	/* The old contents must have moved along, up to the smaller size. */
	keep = o->size < n.size ? o->size : n.size;
	{
		struct obj part = *o;

		part.p = n.p;
		part.size = keep;
		verify(&part, "krealloc");
	}
	live_bytes += n.size;
	live_bytes -= o->size;
	if (o->dma) {
		dma_bytes += n.size;
		dma_bytes -= o->size;
	}
	n.id = next_id++;
	fill(&n);
	*o = n;
}

static void op_cache_alloc(struct in *in)
{
	int c = (int)(in_u8(in) % NR_CACHES), slot = free_slot(in);
	unsigned int g = in_u8(in);
	struct obj o = { .kind = K_CACHE, .cache = c };
	bool zero = (g & 1) &&
		    c != CTOR_CACHE; /* __GFP_ZERO with a ctor is a bug */
	gfp_t gfp = (g & 2) || atomic_ctx ? GFP_ATOMIC : GFP_KERNEL;

	if (!caches[c].s || slot < 0)
		return;
	o.size = caches[c].size;
	o.align = caches[c].align;
	if (!room(o.size, false))
		return;
	o.p = kmem_cache_alloc(caches[c].s, gfp | (zero ? __GFP_ZERO : 0));
	if (!o.p)
		fuzz_fail(mark, "kmem_cache_alloc(%s) failed", caches[c].name);
	if (c == CTOR_CACHE)
		expect_bytes(&o, CTOR_BYTE, "constructed object");
	caches[c].live++;
	track(slot, &o, zero);
}

static void op_cache_bulk(struct in *in)
{
	int c = (int)(in_u8(in) % NR_CACHES), n = 1 + (int)(in_u8(in) % 32), i,
	    got;
	void *p[32];
	int slots[32];

	if (!caches[c].s || c == CTOR_CACHE)
		return;
	for (i = 0; i < n; i++) {
		slots[i] = free_slot(in);
		if (slots[i] < 0 ||
		    !room((size_t)(i + 1) * caches[c].size, false))
			break;
		live[slots[i]].kind = K_CACHE; /* reserve it */
	}
	got = i;
	for (i = 0; i < got; i++)
		live[slots[i]].kind = K_NONE;
	if (got < n)
		return;
	got = kmem_cache_alloc_bulk(caches[c].s, GFP_KERNEL, (size_t)n, p);
	if (got != n)
		fuzz_fail(mark, "kmem_cache_alloc_bulk(%s, %d) returned %d",
			  caches[c].name, n, got);
	for (i = 0; i < n; i++) {
		struct obj o = { .kind = K_CACHE,
				 .cache = c,
				 .p = p[i],
				 .size = caches[c].size,
				 .align = caches[c].align };

		caches[c].live++;
		track(slots[i], &o, false);
	}
	/* Give half of them straight back in bulk. */
	if (in_u8(in) & 1) {
		int k = 0;

		for (i = 0; i < n; i += 2) {
			verify(&live[slots[i]], "kmem_cache_free_bulk");
			p[k++] = live[slots[i]].p;
			live_bytes -= live[slots[i]].size;
			live[slots[i]].kind = K_NONE;
			caches[c].live--;
		}
		kmem_cache_free_bulk(caches[c].s, (size_t)k, p);
	}
}

static void op_pages(struct in *in)
{
	unsigned int a = in_u8(in), g = in_u8(in), order;
	struct obj o = { .kind = K_PAGES };
	int slot = free_slot(in);
	bool zero;
	gfp_t gfp = pick_gfp(g, &zero, &o.dma);

	/* Orders 0-3 mostly, up to MAX_PAGE_ORDER one time in eight. */
	order = (a & 0xe0) == 0xe0 ? a % (MAX_PAGE_ORDER + 1) : a % 4;
	if (g & 0x10)
		gfp |= __GFP_COMP;
	if (g & 0x20)
		gfp |= __GFP_MOVABLE;
	if (gfp & __GFP_MOVABLE && gfp & __GFP_RECLAIMABLE)
		gfp &= ~__GFP_MOVABLE;
	o.order = order;
	o.size = PAGE_SIZE << order;
	o.align = o.size; /* a buddy block is aligned to its size */
	if (slot < 0 || !room(o.size, o.dma))
		return;
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		gfp |= __GFP_NOWARN;
	if (a & 0x40) { /* the address interface */
		unsigned long addr = __get_free_pages(gfp, order);

		o.kind = K_GFP;
		o.p = (void *)addr;
	} else {
		o.page = alloc_pages(gfp, order);
		o.p = o.page ? page_address(o.page) : NULL;
		if (o.page && !o.p)
			fuzz_fail(mark,
				  "page_address of a lowmem page is NULL");
	}
	if (!o.p) {
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			return; /* fragmentation may refuse it */
		fuzz_fail(
			mark,
			"order-%u page allocation (%#x) failed with %zu bytes live",
			order, (unsigned int)gfp, live_bytes);
	}
	track(slot, &o, zero);
}

static void op_exact(struct in *in)
{
	unsigned int r = in_u16(in);
	struct obj o = { .kind = K_EXACT };
	int slot = free_slot(in);

	o.size = 1 + (size_t)r * 8;
	if (slot < 0 || !room(o.size, false))
		return;
	o.align = PAGE_SIZE;
	o.p = alloc_pages_exact(o.size, GFP_KERNEL | __GFP_NOWARN);
	if (!o.p) {
		if (o.size > (PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER))
			return;
		fuzz_fail(mark, "alloc_pages_exact(%zu) failed", o.size);
	}
	track(slot, &o, false);
}

static void op_vmalloc(struct in *in, bool kv)
{
	unsigned int r = in_u16(in), g = in_u8(in);
	struct obj o = { .kind = kv ? K_KV : K_VMALLOC };
	int slot = free_slot(in);
	bool zero = g & 1;

	/* any byte size up to 1 MiB, small ones more often */
	o.size = 1 + ((size_t)(r & 0x1fff) << (r >> 13));
	if (slot < 0 || !room(o.size, false))
		return;
	o.align = kv ? 8 : PAGE_SIZE;
	if (kv)
		o.p = zero ? kvzalloc(o.size, GFP_KERNEL) :
			     kvmalloc(o.size, GFP_KERNEL);
	else
		o.p = zero ? vzalloc(o.size) : vmalloc(o.size);
	if (!o.p)
		fuzz_fail(mark, "%s(%zu) failed with %zu bytes live",
			  kv ? "kvmalloc" : "vmalloc", o.size, live_bytes);
	if (!kv && !is_vmalloc_addr(o.p))
		fuzz_fail(mark, "vmalloc returned %p, not a vmalloc address",
			  o.p);
	track(slot, &o, zero);
}

static void free_obj(int slot)
{
	struct obj *o = &live[slot];

	verify(o, "free");
	switch (o->kind) {
	case K_KMALLOC:
		kfree(o->p);
		break;
	case K_CACHE:
		if (o->cache == CTOR_CACHE) /* back to the constructed state */
			memset(o->p, CTOR_BYTE, o->size);
		kmem_cache_free(caches[o->cache].s, o->p);
		caches[o->cache].live--;
		break;
	case K_PAGES:
		__free_pages(o->page, o->order);
		break;
	case K_GFP:
		free_pages((unsigned long)o->p, o->order);
		break;
	case K_EXACT:
		free_pages_exact(o->p, o->size);
		break;
	case K_VMALLOC:
		vfree(o->p);
		break;
	case K_KV:
		kvfree(o->p);
		break;
	default:
		break;
	}
	live_bytes -= o->size;
	if (o->dma)
		dma_bytes -= o->size;
	o->kind = K_NONE;
}

/* $KMEM_FUZZ_TIMING=1: where the time goes, printed at exit. */
static bool timing;
static double t_inv, t_verify, t_total;
static unsigned long n_inv, n_ops;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_timing(void)
{
	fprintf(stderr,
		"alloc_ops timing: %lu operations, %.3f s in all; "
		"kmem_check_invariants %lu calls, %.3f s (%.3f ms each); "
		"checking live objects %.3f s\n",
		n_ops, t_total, n_inv, t_inv,
		n_inv ? t_inv * 1e3 / (double)n_inv : 0.0, t_verify);
}

/*
 * A few calls in atomic context, as an interrupt handler or code under a
 * spinlock makes them: non-sleeping allocations from kmalloc, a cache and the
 * page allocator, and frees of objects of those kinds (vfree may sleep).
 */
static void op_atomic(struct in *in)
{
	unsigned int how = in_u8(in), n = 1 + (how >> 2) % 4, i;
	unsigned long flags = 0;
	int slot;

	switch (how % 4) {
	case 0:
		irq_enter();
		break;
	case 1:
		local_irq_save(flags);
		break;
	case 2:
		preempt_disable();
		break;
	case 3:
		local_bh_disable();
		break;
	}
	atomic_ctx = true;
	for (i = 0; i < n; i++) {
		switch (in_u8(in) % 4) {
		case 0:
			op_kmalloc(in, false);
			break;
		case 1:
			op_cache_alloc(in);
			break;
		case 2:
			op_pages(in);
			break;
		case 3:
			slot = live_slot(in);
			if (slot >= 0 && live[slot].kind != K_VMALLOC &&
			    live[slot].kind != K_KV &&
			    live[slot].kind != K_EXACT)
				free_obj(slot);
			break;
		}
	}
	atomic_ctx = false;
	switch (how % 4) {
	case 0:
		irq_exit();
		break;
	case 1:
		local_irq_restore(flags);
		break;
	case 2:
		preempt_enable();
		break;
	case 3:
		local_bh_enable();
		break;
	}
}

static void step_check(unsigned long nops)
{
	double t0 = timing ? now() : 0, t1;
	bool ok;

	if (nops % VERIFY_EVERY == 0)
		verify_all("periodic check");
	t1 = timing ? now() : 0;
	ok = kmem_check_invariants();
	if (timing) {
		t_verify += t1 - t0;
		t_inv += now() - t1;
		n_inv++;
	}
	if (!ok)
		fuzz_fail(mark, "invariants do not hold %s %lu",
			  nops ? "after operation" : "at the end of the input",
			  nops);
}

/* ---- libFuzzer entry points -------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kmem_config cfg = { .ram = FUZZ_RAM,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = 2,
				   .quiet = true };
	int err;

	const char *ce = getenv("KMEM_FUZZ_CHECK_EVERY");

	if (ce && atol(ce) > 0 && VERIFY_EVERY % atol(ce) == 0)
		check_every = (unsigned long)atol(ce);
	timing = getenv("KMEM_FUZZ_TIMING") && atoi(getenv("KMEM_FUZZ_TIMING"));
	if (timing)
		atexit(print_timing);
	kmem_log_set_console(NULL);
	err = kmem_boot(&cfg);
	if (err) {
		fprintf(stderr,
			"fuzz_alloc_ops: cannot boot a 64 MiB machine: %d\n",
			err);
		exit(1);
	}
	create_fixed(0, "fuzz-24", 24, 0, 0, NULL);
	create_fixed(1, "fuzz-100-hwalign", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	create_fixed(2, "fuzz-200-debug", 200, 0,
		     SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER, NULL);
	create_fixed(3, "fuzz-3000-a64", 3000, 64, 0, NULL);
	create_fixed(CTOR_CACHE, "fuzz-ctor-72", 72, 0, 0, ctor);
	base_free = kmem_free_pages_drained();
	if (!kmem_check_invariants())
		fuzz_fail(0, "invariants do not hold after boot");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	unsigned long nops = 0, after;
	double t0 = timing ? now() : 0;
	char bug[256];
	int i;

	mark = kmem_log_mark();
	while (in.n && nops < MAX_OPS) {
		unsigned int op = in_u8(&in);
		int slot;

		switch (op % 21) {
		case 0:
		case 1:
		case 2:
			op_kmalloc(&in, false);
			break;
		case 3:
			op_kmalloc(&in, true);
			break;
		case 4:
		case 5:
		case 6:
			if ((slot = live_slot(&in)) >= 0)
				free_obj(slot);
			break;
		case 7:
		case 8:
			op_cache_alloc(&in);
			break;
		case 9:
			op_pages(&in);
			break;
		case 10:
			op_vmalloc(&in, false);
			break;
		case 11:
			op_vmalloc(&in, true);
			break;
		case 12:
			op_krealloc(&in);
			break;
		case 13:
			op_cache_bulk(&in);
			break;
		case 14:
			op_exact(&in);
			break;
		case 15:
			op_cache_create(&in);
			break;
		case 16:
			cache_destroy(NR_FIXED + (int)(in_u8(&in) %
						       (NR_CACHES - NR_FIXED)));
			break;
		case 17:
			kmem_set_cpu((int)(in_u8(&in) % 2));
			break;
		case 18: {
			int c = (int)(in_u8(&in) % NR_CACHES);

			if (caches[c].s)
				kmem_cache_shrink(caches[c].s);
			break;
		}
		case 20:
			op_atomic(&in);
			break;
		case 19:
			if ((slot = live_slot(&in)) >= 0)
				verify(&live[slot], "check operation");
			break;
		}
		if (++nops % check_every == 0)
			step_check(nops);
		if (kmem_log_mark() != mark) {
			if (!fuzz_log_bug(mark, bug, sizeof(bug)))
				bug[0] = 0;
			fuzz_fail(mark,
				  "operation %lu (%u) made a kernel report %s",
				  nops, op % 21, bug);
		}
	}
	step_check(0); /* 0: every live object too */
	/* Free everything: the next input starts from the same state. */
	for (i = 0; i < MAX_LIVE; i++)
		if (live[i].kind)
			free_obj(i);
	for (i = NR_FIXED; i < NR_CACHES; i++)
		cache_destroy(i);
	if (live_bytes || dma_bytes)
		fuzz_fail(mark, "harness bug: %zu live bytes after freeing all",
			  live_bytes);
	after = kmem_free_pages_drained();
	if (after != base_free)
		fuzz_fail(
			mark,
			"free pages %lu after the input, %lu before: %ld pages %s",
			after, base_free, (long)(base_free - after),
			after < base_free ? "leaked" : "appeared");
	if (!kmem_check_invariants())
		fuzz_fail(mark,
			  "invariants do not hold after freeing everything");
	if (kmem_log_mark() != mark)
		fuzz_fail(mark, "the input made a kernel report");
	kmem_set_cpu(0);
	if (timing) {
		t_total += now() - t0;
		n_ops += nops;
	}
	return 0;
}
