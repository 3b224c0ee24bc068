// SPDX-License-Identifier: MIT
/*
 * The replay engine: a parsed kernel trace, event by event, through kmem.
 *
 * Theory. The trace is a window into a running kernel; the replay drives
 * kmem's allocators with the same requests in timestamp order and pairs each
 * free with its allocation:
 *
 *   kmalloc              kmalloc(bytes_req, gfp); fidelity: ksize == bytes_alloc
 *   kmem_cache_alloc     the cache named in the event, created on first sight
 *                        with object size bytes_alloc (the kernel's s->size), or
 *                        with slabinfo's objsize (--slabinfo); fidelity: ksize
 *                        == bytes_alloc
 *   kfree, kmem_cache_free   the object paired by its hashed pointer
 *   mm_page_alloc/_free  alloc_pages / __free_pages, paired by pfn
 *   alloc_vmap_area, free_vmap_area_noflush   the vmap-area allocator, paired
 *                        by va_start (when this build has vmalloc)
 *
 * Pairing tables are open-addressing hash maps (linear probing, deletion by
 * backward shift) keyed by the trace's value: hashed pointer, pfn, va_start.
 * An allocation finds or makes its entry in one probe (pmap_get). The tables
 * start at the size the trace needs (the estimate's most live objects and
 * pages) and, like the RAM the trace needs (kmem_prefault_free_pages,
 * mm/page_alloc.c), are backed by the host before the replay's clock starts:
 * a first touch while timed costs a host page fault. The replay knows the
 * events to come, so it fetches their table slots, and the objects and pages
 * that frees will give back, into the cache a few events ahead
 * (prefetch_ahead).
 *
 * Expected, counted, not errors: frees of objects/pages allocated before the
 * window (no entry), kfree(NULL), an allocation of a pointer still live (its
 * free was recorded later on another CPU: the old object is freed first),
 * kmem_cache_free naming another cache than the allocation (merged caches).
 *
 * Counting pages once. The real kernel's slab allocator gets its slabs from
 * the page allocator, so those pages appear in the trace as mm_page_alloc;
 * kmem's slab layer allocates its own slabs while replaying the object events.
 * Replaying both would count slab memory twice. SLUB's first attempt for a
 * slab always adds __GFP_COMP, __GFP_NOWARN and __GFP_NORETRY to the cache's
 * flags, and slab pages are never movable; no other page allocation in a
 * kernel trace has __GFP_COMP|__GFP_NORETRY without being movable except
 * kvmalloc's large-kmalloc attempt, which is also a page kmem's kmalloc makes
 * itself. Those events are marked "slab page" and not replayed; their frees
 * (paired by pfn) are skipped too. A large kmalloc (bytes_alloc > 8 KiB) is
 * backed by pages the kernel allocated just before on the same CPU for the
 * same pid: that mm_page_alloc (order == get_order(bytes_alloc), at most 32
 * events back) is marked "kmalloc page" likewise. SLUB's fallback to the
 * minimum order (no __GFP_NORETRY) is the one slab allocation this misses.
 * The signature alone also matches other order-3 __GFP_COMP|__GFP_NORETRY
 * requests (a socket's page fragment right after __alloc_skb), so at replay
 * the task's next object allocations confirm it (slab_page_refuted()).
 * mm_page_free_batched follows mm_page_free for the same page on 6.x kernels
 * (both tracepoints fire): a batched free of a pfn that mm_page_free already
 * freed -- replayed, or a page from before the trace -- is counted as a
 * duplicate, not freed twice. An allocation of a pfn still live frees the old
 * page first and is counted apart, so that the categories of page frees add
 * up to the page-free events.
 *
 * The machine (without --ram) is sized from trace_estimate_need(): the peak
 * of live object bytes + 25% + pages held, counting only requests that could
 * succeed (a kmalloc above KMALLOC_MAX_SIZE or a page order above
 * MAX_PAGE_ORDER cannot: it is replayed and reported as a failure), capped at
 * KMEM_REPLAY_RAM_AUTO_MAX. Its CPUs are the trace's; the parser refuses CPU
 * numbers beyond KMEM_MAX_CPUS as malformed lines.
 *
 * Single-threaded: one thread replays, switching its simulated CPU to the
 * event's CPU (so per-CPU page lists behave as on the traced machine).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kmem/kmem.h>
#include <kmem/introspect.h>
#include <kmem/replay.h>
#include "internal.h"

enum { MARK_NONE, MARK_SLAB_PAGE, MARK_KMALLOC_PAGE, MARK_VMAP_OBJ };
#define CACHE_SKIPPED 0xffffu /* pent.cache of an object not replayed */
#define MAX_CACHES 0xfffeu    /* pent.cache holds index + 1 in 16 bits */
enum { PG_LIVE = 1, PG_SKIPPED, PG_FREED };

/* ---- pairing table ----------------------------------------------------------- */

/* 32 bytes: two to a cache line. */
struct pent {
	uint64_t key;
	void *p;
	uint32_t a, b,
		c;	/* object: req, trace alloc, kmem alloc; page: order */
	uint16_t cache; /* object: 0 kmalloc, else cache index + 1 */
	uint8_t used, state;
};
_Static_assert(sizeof(struct pent) == 32, "a pairing-table entry");

struct pmap {
	struct pent *e;
	size_t mask, nr;
};

static inline size_t phash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k;
}

/* Write a byte of each host page of [p, p + len) (zeroes stay zeroes). */
static void prefault_host(void *p, size_t len)
{
	volatile unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i += 4096)
		b[i] = b[i];
}

/* Room for `want` entries at most half full. The table is written through
 * once so that the host backs it now, not at first touches while timed. */
static int pmap_init(struct pmap *m, size_t want)
{
	size_t size = 1024;

	while (size < want * 2)
		size <<= 1;
	m->e = calloc(size, sizeof(*m->e));
	m->mask = size - 1;
	m->nr = 0;
	if (!m->e)
		return -1;
	prefault_host(m->e, size * sizeof(*m->e));
	return 0;
}

static struct pent *pmap_find(struct pmap *m, uint64_t key)
{
	size_t i;

	for (i = phash(key) & m->mask; m->e[i].used; i = (i + 1) & m->mask)
		if (m->e[i].key == key)
			return &m->e[i];
	return NULL;
}

static int pmap_grow(struct pmap *m)
{
	struct pmap n;
	size_t i;

	if (pmap_init(&n, (m->mask + 1)))
		return -1;
	for (i = 0; i <= m->mask; i++)
		if (m->e[i].used) {
			size_t j = phash(m->e[i].key) & n.mask;

			while (n.e[j].used)
				j = (j + 1) & n.mask;
			n.e[j] = m->e[i];
			n.nr++;
		}
	free(m->e);
	*m = n;
	return 0;
}

/*
 * The entry for key, created empty (*found false) if absent, in one probe;
 * NULL only when out of memory. The table grows before the probe when one
 * more entry would fill it past half.
 */
static struct pent *pmap_get(struct pmap *m, uint64_t key, bool *found)
{
	size_t i;

	if (unlikely((m->nr + 1) * 2 > m->mask + 1) && pmap_grow(m))
		return NULL;
	for (i = phash(key) & m->mask; m->e[i].used; i = (i + 1) & m->mask)
		if (m->e[i].key == key) {
			*found = true;
			return &m->e[i];
		}
	*found = false;
	memset(&m->e[i], 0, sizeof(m->e[i]));
	m->e[i].used = 1;
	m->e[i].key = key;
	m->nr++;
	return &m->e[i];
}

static void pmap_del(struct pmap *m, struct pent *e)
{
	size_t i = (size_t)(e - m->e), j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & m->mask;
		if (!m->e[j].used)
			break;
		k = phash(m->e[j].key) & m->mask;
		/* Move e[j] into the hole at i if its home is not in (i, j]. */
		if ((i <= j) ? (k <= i || k > j) : (k <= i && k > j)) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].used = 0;
	m->nr--;
}

/* ---- /proc/slabinfo -------------------------------------------------------------- */

int kmem_slabinfo_load(struct kmem_slabinfo *si, const char *path, char *err,
		       size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned int cap = 0;
	bool header = false;

	memset(si, 0, sizeof(*si));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct kmem_slabinfo_entry e;

		if (!strncmp(line, "slabinfo - version:", 19)) {
			header = true;
			continue;
		}
		if (line[0] == '#')
			continue;
		memset(&e, 0, sizeof(e));
		if (sscanf(line, "%63s %lu %lu %u %u %u", e.name,
			   &e.active_objs, &e.num_objs, &e.objsize,
			   &e.objperslab, &e.pagesperslab) != 6)
			continue;
		if (si->nr == cap) {
			struct kmem_slabinfo_entry *n;

			cap = cap ? cap * 2 : 256;
			n = realloc(si->e, cap * sizeof(*n));
			if (!n) {
				fclose(f);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			si->e = n;
		}
		si->e[si->nr++] = e;
	}
	fclose(f);
	if (!header || !si->nr) {
		snprintf(err, errlen,
			 "%s: not a /proc/slabinfo snapshot "
			 "(no \"slabinfo - version:\" header or no caches)",
			 path);
		kmem_slabinfo_free(si);
		return -1;
	}
	return 0;
}

void kmem_slabinfo_free(struct kmem_slabinfo *si)
{
	free(si->e);
	memset(si, 0, sizeof(*si));
}

static const struct kmem_slabinfo_entry *
slabinfo_find(const struct kmem_slabinfo *si, const char *name)
{
	unsigned int i;

	for (i = 0; si && i < si->nr; i++)
		if (!strcmp(si->e[i].name, name))
			return &si->e[i];
	return NULL;
}

/* ---- classification and sizing ------------------------------------------------------ */

static bool slab_page_signature(const struct kmem_trace_event *e)
{
	unsigned int g = e->gfp;

	return (g & __GFP_COMP) && (g & __GFP_NORETRY) &&
	       !(g & (__GFP_MOVABLE | __GFP_HIGHMEM)) &&
	       e->migratetype != MIGRATE_MOVABLE;
}

static unsigned int bytes_order(uint64_t bytes)
{
	unsigned int o = 0;

	while (((uint64_t)PAGE_SIZE << o) < bytes)
		o++;
	return o;
}

/* Classify ev[i]; it may mark one of the 32 events before it, which are in
 * ev[] still (the caller keeps them: neither sized nor replayed yet). */
static void classify_one(struct kmem_trace *t, struct kmem_trace_event *ev,
			 size_t i)
{
	{
		struct kmem_trace_event *e = &ev[i];

		if (e->type == KMEM_TRACE_KMEM_CACHE_ALLOC &&
		    (e->flags & KMEM_TEV_NO_NAME)) {
			/* kernels before 6.0 do not name the cache: one per size */
			char synth[32];

			snprintf(synth, sizeof(synth), "cache-%u", e->alloc);
			e->name = trace_intern(t, synth, strlen(synth));
		}
		/* kmem's alloc_vmap_area allocates its own struct vmap_area */
		if (e->type == KMEM_TRACE_KMEM_CACHE_ALLOC && e->name &&
		    !strcmp(trace_name(t, e->name), "vmap_area"))
			e->mark = MARK_VMAP_OBJ;
		if (e->type == KMEM_TRACE_PAGE_ALLOC)
			e->mark = slab_page_signature(e) ? MARK_SLAB_PAGE :
							   MARK_NONE;
		if (e->type == KMEM_TRACE_KMALLOC &&
		    e->alloc > KMALLOC_MAX_CACHE_SIZE && e->key) {
			size_t j, lo = i > 32 ? i - 32 : 0;
			unsigned int order = bytes_order(e->alloc);

			for (j = i; j-- > lo;) {
				struct kmem_trace_event *p = &ev[j];

				if (p->type == KMEM_TRACE_PAGE_ALLOC &&
				    p->pid == e->pid && p->cpu == e->cpu &&
				    p->order == order &&
				    p->mark != MARK_KMALLOC_PAGE) {
					p->mark = MARK_KMALLOC_PAGE;
					break;
				}
			}
		}
	}
}

/* The estimate of the memory a trace needs, event by event; and the most
 * live objects and pages at any one time (the replay's pairing tables start
 * at that size). */
struct need {
	struct pmap objs, pages;
	uint64_t obj, pg, peak;
	size_t max_objs, max_pages;
};

static int need_init(struct need *n)
{
	memset(n, 0, sizeof(*n));
	if (pmap_init(&n->objs, 1024) || pmap_init(&n->pages, 1024)) {
		free(n->objs.e);
		n->objs.e = NULL;
		return -1;
	}
	return 0;
}

static void need_free(struct need *n)
{
	free(n->objs.e);
	free(n->pages.e);
	n->objs.e = n->pages.e = NULL;
}

static void need_event(struct need *n, const struct kmem_trace_event *e)
{
	struct pent *p;
	bool found;

	switch (e->type) {
	case KMEM_TRACE_KMALLOC:
	case KMEM_TRACE_KMEM_CACHE_ALLOC:
		/* Above KMALLOC_MAX_SIZE no kmalloc or slab object
		 * can succeed (the replay reports the failure): it
		 * must not size the machine. */
		if (!e->key || e->alloc > KMALLOC_MAX_SIZE ||
		    !(p = pmap_get(&n->objs, e->key, &found)))
			break;
		if (found)
			n->obj -= p->a;
		p->a = e->alloc;
		n->obj += e->alloc;
		break;
	case KMEM_TRACE_KFREE:
	case KMEM_TRACE_KMEM_CACHE_FREE:
		if (e->key && (p = pmap_find(&n->objs, e->key))) {
			n->obj -= p->a;
			pmap_del(&n->objs, p);
		}
		break;
	case KMEM_TRACE_PAGE_ALLOC:
		if (e->mark != MARK_NONE || (e->flags & KMEM_TEV_FAILED) ||
		    e->order > MAX_PAGE_ORDER ||
		    !(p = pmap_get(&n->pages, e->key, &found)))
			break;
		if (found)
			n->pg -= p->a;
		p->a = (uint32_t)(PAGE_SIZE << e->order);
		n->pg += p->a;
		break;
	case KMEM_TRACE_PAGE_FREE:
	case KMEM_TRACE_PAGE_FREE_BATCHED:
		if ((p = pmap_find(&n->pages, e->key))) {
			n->pg -= p->a;
			pmap_del(&n->pages, p);
		}
		break;
	}
	/* slabs are rarely fuller than 80% in a short window */
	if (n->obj + n->obj / 4 + n->pg > n->peak)
		n->peak = n->obj + n->obj / 4 + n->pg;
	if (n->objs.nr > n->max_objs)
		n->max_objs = n->objs.nr;
	if (n->pages.nr > n->max_pages)
		n->max_pages = n->pages.nr;
}

uint64_t trace_estimate_need(const struct kmem_trace *t)
{
	struct need n;
	uint64_t peak;
	size_t i;

	if (need_init(&n))
		return 0;
	for (i = 0; i < t->nr; i++)
		need_event(&n, &t->ev[i]);
	peak = n.peak;
	need_free(&n);
	return peak;
}

/* ---- the replay ------------------------------------------------------------------------ */

struct replay {
	struct kmem_trace *t;
	const struct kmem_replay_opts *o;
	struct kmem_replay_result *r;
	struct pmap objs, pages, vmaps;
	int32_t *cache_of_name; /* name id -> cache index, -1 none */
	uint32_t nr_cache_of_name;
	unsigned long cap_caches;
	unsigned long replayed_pages;
	int cur_cpu;
	/*
	 * The window of events (replay_stream_push): buf[0, rep) replayed,
	 * [rep, est) sized too, [est, cls) classified, [cls, nbuf) pushed.
	 * Sizing lags classification by NEED_LAG events and the replay by
	 * REPLAY_LAG (classify_one marks an event up to 32 back;
	 * slab_page_refuted looks 63 ahead), so a window holds a few
	 * thousand events whatever the length of the trace.
	 */
	struct kmem_trace_event *buf,
		*end; /* end: buf + nbuf (slab_page_refuted) */
	size_t cap, nbuf, cls, est, rep;
	uint64_t seen; /* events replayed (or skipped) before buf[0] */
	struct need need;
	int max_cpu;
	bool booted, scan_only, eof, forced, disorder;
	unsigned long long boot_ram; /* forced (redo) or what was booted */
	int boot_cpus;
	struct kmem_replay_machine whole; /* forced: the whole trace's estimate */
	uint64_t prefaulted; /* the need the last prefault was for (bytes) */
	size_t boot_after;   /* speculative boot after this many sized events */
	unsigned int mcpus;
	/* The slab order of each kmalloc cache (KMALLOC_NORMAL; -1: none),
	 * read once after the boot (they are created at boot and keep it). */
	int8_t kmalloc_order[KMALLOC_SHIFT_HIGH + 1];
	struct progress pr;
	uint64_t ns;
	double cpu_s;
};

static void fail(struct replay *rp, const struct kmem_trace_event *e,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct replay *rp, const struct kmem_trace_event *e,
		 const char *fmt, ...)
{
	struct kmem_replay_result *r = rp->r;
	va_list ap;

	if (r->failures < KMEM_REPLAY_MAX_FAILURES_KEPT) {
		r->failure[r->failures].line = e ? e->line : 0;
		va_start(ap, fmt);
		vsnprintf(r->failure[r->failures].why,
			  sizeof(r->failure[0].why), fmt, ap);
		va_end(ap);
	}
	r->failures++;
}

static void fail_pages(struct replay *rp, const struct kmem_trace_event *e,
		       const char *what, unsigned int order, gfp_t gfp)
{
	char g[160];
	struct zone *z;
	int hi = -1;

	for_each_populated_zone(z) {
		int k;

		for (k = NR_PAGE_ORDERS - 1; k > hi; k--)
			if (z->free_area[k].nr_free) {
				hi = k;
				break;
			}
	}
	kmem_format_gfp(gfp, g, sizeof(g));
	fail(rp, e,
	     "%s: page allocation failure: order:%u, mode:%#x(%s); "
	     "%lu pages free, largest free block order %d",
	     what, order, gfp, g, global_zone_page_state(NR_FREE_PAGES), hi);
}

static gfp_t replay_gfp(unsigned int gfp)
{
	gfp_t g = (gfp_t)gfp;

	/* A trace can name two zone modifiers at once (GFP_DMA|__GFP_HIGHMEM),
	 * which no kernel caller passes and gfp_zone() warns about: keep the
	 * most restrictive one (DMA, then DMA32, then HighMem). */
	if (g & __GFP_DMA)
		g &= ~(__GFP_DMA32 | __GFP_HIGHMEM);
	else if (g & __GFP_DMA32)
		g &= ~__GFP_HIGHMEM;
	/* __GFP_NOFAIL would retry forever on a full machine: the replay reports
	 * the failure instead; the report says why, so no console warning. */
	return (g & ~__GFP_NOFAIL) | __GFP_NOWARN;
}

static void mismatch(struct replay *rp, const struct kmem_trace_event *e,
		     size_t kmem_alloc)
{
	struct kmem_replay_result *r = rp->r;

	if (r->nr_mismatch < KMEM_REPLAY_MAX_MISMATCH_KEPT) {
		r->mismatch[r->nr_mismatch].line = e->line;
		r->mismatch[r->nr_mismatch].req = e->req;
		r->mismatch[r->nr_mismatch].trace_alloc = e->alloc;
		r->mismatch[r->nr_mismatch].kmem_alloc =
			(unsigned int)kmem_alloc;
		r->mismatch[r->nr_mismatch].gfp = e->gfp;
		r->mismatch[r->nr_mismatch].name = e->name;
		r->nr_mismatch++;
	}
}

static struct kmem_replay_cache *get_cache(struct replay *rp,
					   const struct kmem_trace_event *e)
{
	struct kmem_replay_result *r = rp->r;
	struct kmem_replay_cache *c;
	uint32_t id = e->name;
	const char *name;
	unsigned int size, align = 0;

	if (!id || id >= rp->t->nr_names)
		return NULL;
	if (id >= rp->nr_cache_of_name) { /* names grow while streaming */
		uint32_t n = rp->t->nr_names + 64;
		int32_t *c = realloc(rp->cache_of_name, sizeof(int32_t) * n);

		if (!c)
			return NULL;
		memset(c + rp->nr_cache_of_name, 0xff,
		       sizeof(int32_t) * (n - rp->nr_cache_of_name));
		rp->cache_of_name = c;
		rp->nr_cache_of_name = n;
	}
	if (rp->cache_of_name[id] >= 0)
		return &r->caches[rp->cache_of_name[id]];
	if (e->type != KMEM_TRACE_KMEM_CACHE_ALLOC)
		return NULL; /* a free names a cache never allocated from */

	if (r->nr_caches >= MAX_CACHES)
		return NULL; /* the pairing table cannot name more */
	if (r->nr_caches == rp->cap_caches) {
		unsigned long cap = rp->cap_caches ? rp->cap_caches * 2 : 128;
		struct kmem_replay_cache *n =
			realloc(r->caches, cap * sizeof(*n));

		if (!n)
			return NULL;
		r->caches = n;
		rp->cap_caches = cap;
	}
	c = &r->caches[r->nr_caches];
	memset(c, 0, sizeof(*c));
	c->name = id;
	c->trace_size = e->alloc;
	c->trace_objsize = e->req;
	name = trace_name(rp->t, id);
	size = e->alloc;
	c->si = slabinfo_find(rp->o->slabinfo, name);
	if (c->si && c->si->objsize && c->si->objsize <= e->alloc) {
		/* The snapshot's object size, aligned as the kernel must have
		 * aligned it to reach s->size (if an alignment does). */
		unsigned int a;

		size = c->si->objsize;
		for (a = 8; a <= 64; a <<= 1)
			if (ALIGN(size, a) == e->alloc) {
				align = a;
				break;
			}
		if (!align)
			size = e->alloc; /* metadata after the object: keep s->size */
	}
	if (!size)
		size = 8;
	c->s = kmem_cache_create(name, size, align, SLAB_NO_MERGE, NULL);
	if (c->s) {
		struct kmem_cache_info info;

		kmem_cache_get_info(c->s,
				    &info); /* its geometry, from now on */
		c->objperslab = info.objects;
		c->pagesperslab = 1u << info.order;
	} else {
		c->created_failed = true;
		fail(rp, e, "kmem_cache_create(\"%s\", %u) failed", name, size);
	}
	rp->cache_of_name[id] = (int32_t)r->nr_caches;
	r->nr_caches++;
	return c;
}

/* Free the object of entry p; the entry stays (the caller deletes or reuses
 * it). */
static void release_object(struct replay *rp, struct pent *p, bool via_kfree)
{
	struct kmem_replay_result *r = rp->r;

	if (p->cache) {
		struct kmem_replay_cache *c = &r->caches[p->cache - 1];

		if (via_kfree)
			kfree(p->p);
		else
			kmem_cache_free(c->s, p->p);
		c->frees++;
		c->live--;
	} else {
		kfree(p->p);
	}
	r->live_objects--;
	r->live_req_bytes -= p->a;
	r->live_trace_bytes -= p->b;
	r->live_kmem_bytes -= p->c;
}

static void do_alloc(struct replay *rp, const struct kmem_trace_event *e)
{
	struct kmem_replay_result *r = rp->r;
	struct kmem_replay_cache *c = NULL;
	struct pent *p;
	void *obj;
	size_t got;
	bool ok, found;

	if (!e->key) { /* the real kernel's allocation failed */
		r->failed_in_trace++;
		return;
	}
	if (e->type == KMEM_TRACE_KMEM_CACHE_ALLOC &&
	    e->mark != MARK_VMAP_OBJ) {
		c = get_cache(rp, e);
		if (!c) {
			if (r->nr_caches >= MAX_CACHES)
				fail(rp, e,
				     "no cache for kmem_cache_alloc (more than %u caches)",
				     MAX_CACHES);
			else
				fail(rp, e,
				     "no cache for kmem_cache_alloc (out of memory)");
			return;
		}
		if (!c->s)
			return;
	}
	/* One probe: the entry is the pointer's, whatever happens next. */
	p = pmap_get(&rp->objs, e->key, &found);
	if (!p) {
		fail(rp, e, "pairing table: out of memory");
		return;
	}
	if (found && p->cache != CACHE_SKIPPED) {
		/* its free was not traced, or is recorded later */
		r->alloc_live_ptr++;
		release_object(rp, p, false);
	}
	if (e->mark == MARK_VMAP_OBJ) {
		p->cache = CACHE_SKIPPED;
		p->p = NULL;
		r->vmap_objects_skipped++;
		return;
	}
	obj = c ? kmem_cache_alloc(c->s, replay_gfp(e->gfp)) :
		  kmalloc(e->req, replay_gfp(e->gfp));
	if (!obj) {
		pmap_del(&rp->objs, p);
		if (c)
			fail(rp, e, "kmem_cache_alloc(%s) returned NULL",
			     trace_name(rp->t, c->name));
		else if (e->req > KMALLOC_MAX_SIZE)
			fail(rp, e,
			     "kmalloc(%u) returned NULL: above KMALLOC_MAX_SIZE (%lu)",
			     e->req, KMALLOC_MAX_SIZE);
		else
			fail(rp, e, "kmalloc(%u) returned NULL", e->req);
		if ((e->req > KMALLOC_MAX_CACHE_SIZE &&
		     e->req <= KMALLOC_MAX_SIZE) ||
		    c)
			fail_pages(rp, e, c ? "kmem_cache_alloc" : "kmalloc",
				   bytes_order(c ? c->trace_size : e->req),
				   replay_gfp(e->gfp));
		return;
	}
	got = ZERO_OR_NULL_PTR(obj) ? 0 : ksize(obj);
	ok = got == e->alloc;
	if (c) {
		r->cache_total++;
		r->cache_ok += ok;
		c->fidelity_ok += ok;
		c->fidelity_bad += !ok;
		c->kmem_size = (unsigned int)got;
		c->allocs++;
		if (++c->live > c->peak_live)
			c->peak_live = c->live;
	} else {
		r->kmalloc_total++;
		r->kmalloc_ok += ok;
	}
	if (!ok)
		mismatch(rp, e, got);
	p->p = obj;
	p->a = e->req;
	p->b = e->alloc;
	p->c = (uint32_t)got;
	p->cache = c ? (uint16_t)(c - r->caches + 1) : 0;
	r->live_objects++;
	if (r->live_objects > r->peak_live_objects)
		r->peak_live_objects = r->live_objects;
	r->live_req_bytes += e->req;
	r->live_trace_bytes += e->alloc;
	r->live_kmem_bytes += got;
	r->all_req_bytes += e->req;
	r->all_trace_bytes += e->alloc;
	r->all_kmem_bytes += got;
}

static void do_free(struct replay *rp, const struct kmem_trace_event *e)
{
	struct kmem_replay_result *r = rp->r;
	struct pent *p;

	if (!e->key || e->key == (uint64_t)(uintptr_t)ZERO_SIZE_PTR) {
		r->kfree_null++;
		return;
	}
	p = pmap_find(&rp->objs, e->key);
	if (!p) {
		r->free_unknown++;
		return;
	}
	if (p->cache == CACHE_SKIPPED) {
		pmap_del(&rp->objs, p);
		return;
	}
	if (e->type == KMEM_TRACE_KMEM_CACHE_FREE &&
	    !(e->flags & KMEM_TEV_NO_NAME)) {
		uint32_t want = p->cache ? r->caches[p->cache - 1].name : 0;

		if (want != e->name)
			r->free_cache_mismatch++;
	}
	release_object(rp, p, e->type == KMEM_TRACE_KFREE || !p->cache);
	pmap_del(&rp->objs, p);
}

/* The slab order kmem uses for the object of an allocation event, or -1. */
static int object_slab_order(struct replay *rp,
			     const struct kmem_trace_event *f)
{
	if (f->type == KMEM_TRACE_KMALLOC) {
		if (f->alloc > KMALLOC_MAX_CACHE_SIZE)
			return -1;
		return rp->kmalloc_order[__kmalloc_index(f->alloc)];
	} else if (f->mark != MARK_VMAP_OBJ) {
		struct kmem_replay_cache *c = get_cache(rp, f);

		if (c && c->s)
			return __builtin_ctz(c->pagesperslab);
	}
	return -1;
}

/*
 * A page allocation with the slab signature is taken for a slab page unless
 * the task's next object allocations say otherwise. The kernel traces an
 * object allocation when it returns, so a slab page allocated for it is
 * followed by it in the same task; a slab of that order serves it. Other
 * __GFP_COMP|__GFP_NORETRY allocations (a socket's order-3 page fragment,
 * after __alloc_skb) are followed by objects of other sizes. The first two
 * object allocations of the task within 64 events decide (the second, as a
 * slab of an accounted cache allocates its obj_exts vector first); none
 * before the task's next page allocation (a sheaf prefill, a nested slab,
 * the end of the trace): a slab page, as before.
 */
static bool slab_page_refuted(struct replay *rp,
			      const struct kmem_trace_event *e)
{
	const struct kmem_trace_event *end = rp->end, *f;
	int seen = 0;

	if (end - e > 64)
		end = e + 64;
	for (f = e + 1; f < end && seen < 2; f++) {
		int order;

		if (f->pid != e->pid)
			continue;
		if (f->type == KMEM_TRACE_PAGE_ALLOC)
			break; /* a nested slab, or the task went on: undecided */
		if (!f->key || (f->type != KMEM_TRACE_KMALLOC &&
				f->type != KMEM_TRACE_KMEM_CACHE_ALLOC))
			continue;
		order = object_slab_order(rp, f);
		if (order < 0)
			continue;
		if (order == e->order)
			return false;
		seen++;
	}
	return seen > 0;
}

static void do_page_alloc(struct replay *rp, const struct kmem_trace_event *e)
{
	struct kmem_replay_result *r = rp->r;
	struct page *page;
	struct pent *p;
	bool found;

	if (e->flags & KMEM_TEV_FAILED) {
		r->failed_in_trace++;
		return;
	}
	p = pmap_get(&rp->pages, e->key, &found);
	if (!p) {
		fail(rp, e, "pairing table: out of memory");
		return;
	}
	if (p->state == PG_LIVE) { /* its free is recorded later: free it now */
		kmem_free_zeroed_pages((struct page *)p->p, p->a);
		rp->replayed_pages -= 1ul << p->a;
		r->page_alloc_live_pfn++; /* not a free event: counted apart */
	}
	p->a = e->order;
	if (e->mark == MARK_SLAB_PAGE && slab_page_refuted(rp, e))
		r->page_alloc_not_slab++;
	else if (e->mark != MARK_NONE) {
		p->state = PG_SKIPPED;
		p->p = NULL;
		if (e->mark == MARK_SLAB_PAGE)
			r->page_alloc_slab++;
		else
			r->page_alloc_kmalloc++;
		return;
	}
	page = alloc_pages(replay_gfp(e->gfp), e->order);
	if (!page) {
		fail_pages(rp, e, "mm_page_alloc", e->order,
			   replay_gfp(e->gfp));
		pmap_del(&rp->pages, p);
		return;
	}
	p->p = page;
	p->state = PG_LIVE;
	r->page_alloc_replayed++;
	rp->replayed_pages += 1ul << e->order;
	if (rp->replayed_pages > r->peak_replayed_pages)
		r->peak_replayed_pages = rp->replayed_pages;
}

static void do_page_free(struct replay *rp, const struct kmem_trace_event *e)
{
	struct kmem_replay_result *r = rp->r;
	struct pent *p = pmap_find(&rp->pages, e->key);
	bool found;

	if (!p) {
		r->page_free_unknown++;
		/* A page allocated before the trace: remember that it was
		 * freed, so that its mm_page_free_batched is a duplicate. */
		if (e->type == KMEM_TRACE_PAGE_FREE &&
		    (p = pmap_get(&rp->pages, e->key, &found))) {
			p->state = PG_FREED;
			p->p = NULL;
		}
		return;
	}
	switch (p->state) {
	case PG_FREED:
		if (e->type == KMEM_TRACE_PAGE_FREE_BATCHED) {
			r->page_free_batched_dup++;
			pmap_del(&rp->pages, p);
		} else {
			r->page_free_unknown++;
		}
		return;
	case PG_SKIPPED:
		r->page_free_slab++;
		break;
	case PG_LIVE:
		if (e->type == KMEM_TRACE_PAGE_FREE && e->order != p->a)
			r->page_free_order_mismatch++;
		kmem_free_zeroed_pages((struct page *)p->p, p->a);
		rp->replayed_pages -= 1ul << p->a;
		r->page_free_replayed++;
		break;
	}
	if (e->type == KMEM_TRACE_PAGE_FREE) {
		p->state = PG_FREED; /* a batched free of it may follow */
		p->p = NULL;
	} else {
		pmap_del(&rp->pages, p);
	}
}

/*
 * Each traced alloc_vmap_area becomes a vm_struct area of the traced size
 * (the traced size holds the guard page: VM_NO_GUARD adds none) at the traced
 * alignment, so /proc/vmallocinfo prints a caller and flags for it as the
 * kernel prints them for every area. The trace names neither: the caller is
 * the replay (do_vmap), the kind is vmalloc, the commonest (202 of the 236
 * areas of the Linux 6.18 snapshot). The vm_struct is kmalloc'd, as the
 * kernel's.
 */
static void vmap_release(struct vm_struct *vm)
{
	free_vm_area(vm);
}

static void do_vmap(struct replay *rp, const struct kmem_trace_event *e)
{
	struct kmem_replay_result *r = rp->r;
	struct kmem_machine_info mi;
	struct vm_struct *vm;
	struct pent *p;
	bool found;

	if (e->type == KMEM_TRACE_VMAP_PURGE) {
		r->vmap_purge_events++;
		return;
	}
	if (e->type == KMEM_TRACE_VMAP_FREE) {
		p = pmap_find(&rp->vmaps, e->key);
		if (!p) {
			r->vmap_free_unknown++;
			return;
		}
		vmap_release(p->p);
		pmap_del(&rp->vmaps, p);
		r->vmap_free_replayed++;
		return;
	}
	if (e->flags & KMEM_TEV_FAILED) {
		r->failed_in_trace++;
		return;
	}
	kmem_machine_info(&mi);
	/* The traced kernel's range is its vmalloc space: use kmem's. */
	vm = __get_vm_area_node(e->req, e->alloc ? e->alloc : PAGE_SIZE,
				VM_ALLOC | VM_NO_GUARD, mi.vmalloc_start,
				mi.vmalloc_end + 1, NUMA_NO_NODE,
				GFP_KERNEL | __GFP_NOWARN, _THIS_IP_);
	if (!vm) {
		fail(rp, e,
		     "alloc_vmap_area(size=%u, align=%u): vmap allocation for "
		     "size %u failed (%d)",
		     e->req, e->alloc, e->req, -ENOMEM);
		return;
	}
	p = pmap_get(&rp->vmaps, e->key, &found);
	if (!p) {
		vmap_release(vm);
		fail(rp, e, "pairing table: out of memory");
		return;
	}
	if (found) { /* freed later on another CPU: free it now */
		vmap_release(p->p);
		r->vmap_free_replayed++;
	}
	p->p = vm;
	r->vmap_alloc_replayed++;
}

static unsigned long slab_pages_now(void)
{
	return global_node_page_state(NR_SLAB_RECLAIMABLE) +
	       global_node_page_state(NR_SLAB_UNRECLAIMABLE);
}

static unsigned long managed_pages_all(void)
{
	struct zone *z;
	unsigned long n = 0;

	for_each_populated_zone(z)
		n += zone_managed_pages(z);
	return n;
}

static void final_state(struct replay *rp)
{
	struct kmem_replay_result *r = rp->r;
	unsigned long i;
	struct zone *z;

	r->final_slab_pages = slab_pages_now();
	r->final_used_pages =
		managed_pages_all() - global_zone_page_state(NR_FREE_PAGES);
	r->final_replayed_pages = rp->replayed_pages;
	for (i = 0; i < r->nr_caches; i++) {
		struct kmem_replay_cache *c = &r->caches[i];
		struct kmem_cache_info info;

		if (!c->s)
			continue;
		kmem_cache_get_info(c->s, &info);
		c->slabs = info.nr_slabs;
		c->total_objs = info.total_objects;
		c->active_objs = info.active_objects;
	}
	r->nr_kcaches = 0;
	{
		int ty, k;

		for (ty = 0; ty < NR_KMALLOC_TYPES; ty++)
			for (k = 0; k <= KMALLOC_SHIFT_HIGH; k++) {
				struct kmem_cache *s = kmalloc_caches[ty][k];
				struct kmem_cache_info info;
				unsigned int n = r->nr_kcaches;

				if (!s || n >= sizeof(r->kcache) /
							  sizeof(r->kcache[0]))
					continue;
				kmem_cache_get_info(s, &info);
				if (!info.nr_slabs)
					continue;
				snprintf(r->kcache[n].name,
					 sizeof(r->kcache[n].name), "%s",
					 kmem_cache_name(s));
				r->kcache[n].size = info.size;
				r->kcache[n].objperslab = info.objects;
				r->kcache[n].pagesperslab = 1u << info.order;
				r->kcache[n].slabs = info.nr_slabs;
				r->kcache[n].active_objs = info.active_objects;
				r->kcache[n].total_objs = info.total_objects;
				r->nr_kcaches++;
			}
	}
	r->highest_free_order = -1;
	r->nr_zones = 0;
	for_each_populated_zone(z) {
		unsigned long counts[NR_PAGE_ORDERS];
		int k, n = (int)r->nr_zones;

		if (n >= 4)
			break;
		kmem_zone_free_counts(z->idx, counts);
		snprintf(r->zone[n].name, sizeof(r->zone[n].name), "%s",
			 z->name);
		r->zone[n].highest_order = -1;
		for (k = 0; k < NR_PAGE_ORDERS && k < 16; k++) {
			r->zone[n].free[k] = counts[k];
			if (counts[k])
				r->zone[n].highest_order = k;
		}
		r->zone[n].free_pages = zone_page_state(z, NR_FREE_PAGES);
		r->zone[n].managed = zone_managed_pages(z);
		if (r->zone[n].highest_order > r->highest_free_order)
			r->highest_free_order = r->zone[n].highest_order;
		r->nr_zones++;
	}
}

/*
 * The events to come are known: their pairing-table slots are fetched into
 * the cache PREFETCH_AHEAD events early, and half that early what a free
 * gives back (the object, or the struct page), found in its home slot, which
 * the first fetch brought in: the table and the freed memory are not waited
 * for one miss at a time.
 */
#define PREFETCH_AHEAD 16

static inline struct pmap *pmap_of(struct replay *rp,
				   const struct kmem_trace_event *e)
{
	if (e->type <= KMEM_TRACE_KMEM_CACHE_FREE)
		return &rp->objs;
	return e->type <= KMEM_TRACE_PAGE_FREE_BATCHED ? &rp->pages :
							 &rp->vmaps;
}

static inline void prefetch_ahead(struct replay *rp,
				  const struct kmem_trace_event *far,
				  const struct kmem_trace_event *near)
{
	struct pmap *m = pmap_of(rp, far);
	const struct pent *q;

	__builtin_prefetch(&m->e[phash(far->key) & m->mask], 1);
	switch (near->type) {
	case KMEM_TRACE_KFREE:
	case KMEM_TRACE_KMEM_CACHE_FREE:
		m = &rp->objs;
		break;
	case KMEM_TRACE_PAGE_FREE:
	case KMEM_TRACE_PAGE_FREE_BATCHED:
		m = &rp->pages;
		break;
	default:
		return;
	}
	q = &m->e[phash(near->key) & m->mask];
	if (q->key == near->key && q->p)
		__builtin_prefetch(q->p, 1);
}

/* The replay phase: buf[rep, upto) in order (timed by the caller). */
static noinline void replay_events(struct replay *rp, size_t upto)
{
	const struct kmem_replay_opts *o = rp->o;
	struct kmem_replay_result *r = rp->r;
	unsigned int cpus = rp->mcpus;
	size_t j, ahead = rp->nbuf > PREFETCH_AHEAD ?
				  rp->nbuf - PREFETCH_AHEAD :
				  0; /* the events after upto are in buf */

	for (j = rp->rep; j < upto; j++) {
		const struct kmem_trace_event *e = &rp->buf[j];
		uint64_t i = rp->seen + j; /* the event's place in the trace */
		unsigned long slab;

		if (likely(j < ahead))
			prefetch_ahead(rp, e + PREFETCH_AHEAD,
				       e + PREFETCH_AHEAD / 2);
		if (o->objects_only && e->type > KMEM_TRACE_KMEM_CACHE_FREE)
			continue;
		if (e->cpu != rp->cur_cpu && e->cpu < cpus) {
			kmem_set_cpu(e->cpu);
			rp->cur_cpu = e->cpu;
		}
		r->events++;
		switch (e->type) {
		case KMEM_TRACE_KMALLOC:
		case KMEM_TRACE_KMEM_CACHE_ALLOC:
			do_alloc(rp, e);
			break;
		case KMEM_TRACE_KFREE:
		case KMEM_TRACE_KMEM_CACHE_FREE:
			do_free(rp, e);
			break;
		case KMEM_TRACE_PAGE_ALLOC:
			do_page_alloc(rp, e);
			break;
		case KMEM_TRACE_PAGE_FREE:
		case KMEM_TRACE_PAGE_FREE_BATCHED:
			do_page_free(rp, e);
			break;
		default:
			do_vmap(rp, e);
			break;
		}
		slab = slab_pages_now();
		if (slab > r->peak_slab_pages)
			r->peak_slab_pages = slab;
		if ((i & 255) == 0) {
			unsigned long used =
				managed_pages_all() -
				global_zone_page_state(NR_FREE_PAGES);

			if (used > r->peak_used_pages)
				r->peak_used_pages = used;
			progress_update(&rp->pr, i);
		}
	}
	rp->rep = upto;
}

/* ---- the stream of events ---------------------------------------------------------------
 *
 * The replay takes the events one by one in timestamp order
 * (replay_stream_push) and keeps only a window of them (struct replay). The
 * machine must be booted before the first event is replayed, but its RAM and
 * CPUs depend on the whole trace (the peak of trace_estimate_need(), the
 * highest CPU number). Unless forced (--ram and --cpus, or a second pass),
 * the machine is booted speculatively once REPLAY_BOOT_AFTER events have been
 * sized, as the trace so far asks; if the whole trace asks for another
 * machine in the end, replay_stream_end() says so and the caller replays
 * again on that one (the report is then exactly that of a replay that knew
 * the trace in advance). Most traces decide their machine early (RAM is a
 * power of two of at least 256 MiB; the CPUs show up at once).
 */
#define NEED_LAG 33   /* classify_one marks up to 32 events back */
#define REPLAY_LAG 64 /* slab_page_refuted looks up to 63 events ahead */
#define REPLAY_BOOT_AFTER 65536
#define REPLAY_STEP 4096 /* replay_stream_push, once booted */

static void machine_config(struct replay *rp, struct kmem_config *cfg)
{
	const struct kmem_replay_opts *o = rp->o;
	struct kmem_replay_result *r = rp->r;

	memset(cfg, 0, sizeof(*cfg));
	r->need_bytes = rp->need.peak;
	r->ram_wanted = 0;
	r->ram_capped = false;
	r->ram_from_trace = false;
	cfg->ram = o->ram;
	if (!cfg->ram) {
		/* What fits: room for the peak twice over plus 64 MiB, at least
		 * 256 MiB, rounded up to a power of two; at most
		 * KMEM_REPLAY_RAM_AUTO_MAX. */
		uint64_t want = r->need_bytes * 2 + (64ull << 20);

		cfg->ram = 256ull << 20;
		while (cfg->ram < want && cfg->ram < (1ull << 62))
			cfg->ram <<= 1;
		r->ram_wanted = cfg->ram;
		if (cfg->ram > KMEM_REPLAY_RAM_AUTO_MAX) {
			cfg->ram = KMEM_REPLAY_RAM_AUTO_MAX;
			r->ram_capped = true;
		}
		r->ram_from_trace = true;
	}
	cfg->layout = o->layout ? (enum kmem_layout)o->layout :
				  KMEM_LAYOUT_X86_64;
	/* The parser refuses CPU numbers the boot does not accept. */
	cfg->cpus = o->cpus ? o->cpus : rp->max_cpu + 1;
	if (cfg->cpus > KMEM_MAX_CPUS)
		cfg->cpus = KMEM_MAX_CPUS;
	cfg->quiet = true;
}

/* Entries for a pairing table: the estimate's most live ones (so far, or
 * the whole trace's) and a quarter more (pages of slabs and frees of pages
 * from before the trace have entries too). */
static size_t replay_want(size_t so_far, unsigned long whole)
{
	size_t n = max(so_far, (size_t)whole);

	return n + n / 4;
}

static int replay_boot(struct replay *rp, struct kmem_config *cfg)
{
	struct kmem_replay_result *r = rp->r;
	struct kmem_machine_info mi;
	int err, k;

	rp->booted = true;
	rp->boot_ram = cfg->ram;
	rp->boot_cpus = cfg->cpus;
	if (kmem_is_booted())
		kmem_halt();
	err = kmem_boot(cfg);
	if (err) {
		fail(rp, NULL, "cannot boot a machine of %llu MiB, %d CPUs: %s",
		     cfg->ram >> 20, cfg->cpus, strerror(-err));
		return -1;
	}
	kmem_machine_info(&mi);
	r->ram = mi.ram;
	r->cpus = (int)mi.cpus;
	r->layout = mi.layout_name;
	rp->mcpus = mi.cpus;
	r->vmap_supported = true;
	for (k = 0; k <= KMALLOC_SHIFT_HIGH; k++) {
		struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][k];
		struct kmem_cache_info info;

		rp->kmalloc_order[k] = -1;
		if (s) {
			kmem_cache_get_info(s, &info);
			rp->kmalloc_order[k] = (int8_t)info.order;
		}
	}
	/* The tables at the size the trace needs, as far as it is known
	 * (replay_prepare() makes them grow before the clock if it needs
	 * more). */
	if (pmap_init(&rp->objs,
		      replay_want(rp->need.max_objs, rp->whole.max_objs)) ||
	    pmap_init(&rp->pages,
		      replay_want(rp->need.max_pages, rp->whole.max_pages)) ||
	    pmap_init(&rp->vmaps, 64)) {
		fail(rp, NULL, "out of memory for the pairing tables");
		return -1;
	}
	progress_start(&rp->pr, "replay", rp->t->nr, rp->o->progress);
	return 0;
}

/*
 * Before the clock starts: the RAM the trace needs (with room for the slabs'
 * partial pages) backed by the host, and the pairing tables at the size the
 * estimate asks (a first touch or a table's growth while timed would be
 * counted as the replay's). A forced pass knows the whole trace's need at
 * once; a speculative one prefaults again each time the need so far grows
 * by a quarter.
 */
static void replay_prepare(struct replay *rp)
{
	size_t objs = replay_want(rp->need.max_objs, rp->whole.max_objs);
	size_t pages = replay_want(rp->need.max_pages, rp->whole.max_pages);
	struct kmem_replay_result *r = rp->r;
	uint64_t need = max(rp->need.peak, rp->whole.need_bytes);

	if (need > rp->prefaulted + rp->prefaulted / 4 || !rp->prefaulted) {
		unsigned long pf =
			(unsigned long)((need + need / 4) >> PAGE_SHIFT);

		kmem_prefault_free_pages(pf);
		if (pf > r->prefault_pages)
			r->prefault_pages = pf;
		rp->prefaulted = need ? need : 1;
	}
	while (objs * 2 > rp->objs.mask + 1 && !pmap_grow(&rp->objs))
		;
	while (pages * 2 > rp->pages.mask + 1 && !pmap_grow(&rp->pages))
		;
}

/* Classify, size and replay what the window allows. */
static int stream_advance(struct replay *rp)
{
	struct kmem_config cfg;
	size_t upto;

	while (rp->cls < rp->nbuf)
		classify_one(rp->t, rp->buf, rp->cls++);
	upto = rp->eof ? rp->cls : rp->cls > NEED_LAG ? rp->cls - NEED_LAG : 0;
	for (; rp->est < upto; rp->est++)
		need_event(&rp->need, &rp->buf[rp->est]);
	if (!rp->booted && !rp->scan_only) {
		if (!rp->eof && rp->seen + rp->est < rp->boot_after)
			return 0; /* not yet: keep the events */
		machine_config(rp, &cfg);
		if (rp->boot_ram) { /* forced */
			cfg.ram = rp->boot_ram;
			cfg.cpus = rp->boot_cpus;
		}
		if (replay_boot(rp, &cfg))
			return -1;
	}
	if (!rp->scan_only && !rp->forced) {
		/* Does the trace so far still ask for the machine booted? */
		machine_config(rp, &cfg);
		if (cfg.ram != rp->boot_ram || cfg.cpus != rp->boot_cpus)
			rp->scan_only = true; /* no: replay again later */
	}
	if (rp->scan_only) {
		rp->rep = rp->est;
	} else {
		struct timespec c0, c1;
		uint64_t t0;

		upto = rp->eof		    ? rp->cls :
		       rp->cls > REPLAY_LAG ? rp->cls - REPLAY_LAG :
					      0;
		if (upto > rp->rep) {
			rp->end = rp->buf + rp->nbuf;
			replay_prepare(rp);
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
			t0 = kmem_trace_now_ns();
			replay_events(rp, upto);
			rp->ns += kmem_trace_now_ns() - t0;
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
			rp->cpu_s += (double)(c1.tv_sec - c0.tv_sec) +
				     (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
		}
	}
	/* Drop what was replayed: the window starts at buf[rep]. */
	if (rp->rep && rp->rep * 2 >= rp->nbuf) {
		memmove(rp->buf, rp->buf + rp->rep,
			(rp->nbuf - rp->rep) * sizeof(*rp->buf));
		rp->seen += rp->rep;
		rp->nbuf -= rp->rep;
		rp->cls -= rp->rep;
		rp->est -= rp->rep;
		rp->rep = 0;
	}
	return 0;
}

struct replay_stream *
replay_stream_start(struct kmem_trace *t, const struct kmem_replay_opts *o,
		    struct kmem_replay_result *r,
		    const struct kmem_replay_machine *forced)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	memset(r, 0, sizeof(*r));
	if (!rp)
		return NULL;
	rp->t = t;
	rp->o = o;
	rp->r = r;
	rp->cur_cpu = -1;
	rp->cap = 8192;
	rp->buf = malloc(rp->cap * sizeof(*rp->buf));
	if (!rp->buf || need_init(&rp->need)) {
		free(rp->buf);
		free(rp);
		return NULL;
	}
	rp->boot_after = REPLAY_BOOT_AFTER;
	if (forced) { /* nothing to find out: boot at once */
		rp->forced = true;
		rp->boot_ram = forced->ram;
		rp->boot_cpus = forced->cpus;
		rp->whole = *forced;
		rp->boot_after = 0;
	} else if (o->ram && o->cpus) {
		rp->boot_after = 0; /* nothing to find out: boot at once */
	}
	return (struct replay_stream *)rp;
}

int replay_stream_push(struct replay_stream *rs,
		       const struct kmem_trace_event *e)
{
	struct replay *rp = (struct replay *)rs;

	/* Once booted, replay every REPLAY_STEP events rather than when the
	 * window is full: what is left to replay when the input ends (the
	 * replay's share of the time after the last line is read) stays a
	 * few thousand events. */
	if (rp->nbuf == rp->cap ||
	    (rp->booted && rp->nbuf - rp->rep >= REPLAY_STEP)) {
		if (stream_advance(rp))
			return -1;
		if (rp->nbuf * 4 > rp->cap * 3) {
			struct kmem_trace_event *b =
				realloc(rp->buf, rp->cap * 2 * sizeof(*b));

			if (!b) {
				fail(rp, NULL, "out of memory for the events");
				return -1;
			}
			rp->buf = b;
			rp->cap *= 2;
		}
	}
	if (e->cpu > rp->max_cpu)
		rp->max_cpu = e->cpu;
	rp->buf[rp->nbuf++] = *e;
	return 0;
}

void replay_stream_disorder(struct replay_stream *rs)
{
	struct replay *rp = (struct replay *)rs;

	rp->scan_only = true;
	rp->disorder = true;
}

int replay_stream_end(struct replay_stream *rs,
		      struct kmem_replay_machine *again)
{
	struct replay *rp = (struct replay *)rs;
	struct kmem_replay_result *r = rp->r;
	struct kmem_config cfg;

	rp->eof = true;
	if (stream_advance(rp))
		return -1;
	machine_config(rp, &cfg); /* the whole trace's: sets r->need_bytes */
	if (!rp->forced && (rp->scan_only || cfg.ram != rp->boot_ram ||
			    cfg.cpus != rp->boot_cpus)) {
		again->ram = cfg.ram;
		again->cpus = cfg.cpus;
		again->need_bytes = rp->need.peak;
		again->max_objs = rp->need.max_objs;
		again->max_pages = rp->need.max_pages;
		return 1;
	}
	if (rp->disorder) { /* forced, and still not in order: a bug */
		fail(rp, NULL, "the events did not come in timestamp order");
		return -1;
	}
	progress_end(&rp->pr);
	r->replay_seconds = (double)rp->ns / 1e9;
	r->replay_cpu_seconds = rp->cpu_s;
	r->replayed = r->events;
	final_state(rp);
	if (r->final_used_pages > r->peak_used_pages)
		r->peak_used_pages = r->final_used_pages;
	return 0;
}

void replay_stream_free(struct replay_stream *rs)
{
	struct replay *rp = (struct replay *)rs;

	if (!rp)
		return;
	progress_end(&rp->pr);
	free(rp->objs.e);
	free(rp->pages.e);
	free(rp->vmaps.e);
	free(rp->cache_of_name);
	free(rp->buf);
	need_free(&rp->need);
	free(rp);
}

/* The whole trace is at hand: a first pass only sizes the machine (nothing
 * replayed), the second replays on it; one boot. */
int kmem_trace_replay(struct kmem_trace *t, const struct kmem_replay_opts *o,
		      struct kmem_replay_result *r)
{
	struct kmem_replay_machine m, *forced = NULL;
	int pass, ret = -1;

	for (pass = 0; pass < 2; pass++) {
		struct replay_stream *rs = replay_stream_start(t, o, r, forced);
		size_t i;

		if (!rs) {
			snprintf(r->failure[0].why, sizeof(r->failure[0].why),
				 "out of memory for the replay");
			r->failures = 1;
			return -1;
		}
		if (!pass)
			replay_stream_disorder(rs); /* size, replay nothing */
		for (i = 0; i < t->nr; i++)
			if (replay_stream_push(rs, &t->ev[i]))
				break;
		ret = i < t->nr ? -1 : replay_stream_end(rs, &m);
		replay_stream_free(rs);
		if (ret != 1)
			break;
		if (pass) /* the second pass is forced: cannot ask again */
			ret = -1;
		kmem_replay_result_free(r);
		forced = &m;
	}
	return ret;
}

void kmem_replay_result_free(struct kmem_replay_result *r)
{
	free(r->caches);
	r->caches = NULL;
	r->nr_caches = 0;
}
