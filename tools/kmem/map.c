// SPDX-License-Identifier: MIT
/*
 * kmem map: a picture of memory.
 *
 * What it writes: one HTML page (tools/kmem/map.html, compiled in by
 * scripts/embed.cmake) with the snapshot of the machine inlined as JSON, so the
 * file opens anywhere with no network and no other file. The page's script
 * draws every page frame as a cell of a canvas, grouped by zone and coloured by
 * owner, and the kernel's virtual layout beside it.
 *
 * The snapshot (map_snapshot):
 *   - frames: one class byte per page frame (pfn 0 .. max_pfn). A class is an
 *     owner, refined where the picture needs more: free blocks by buddy order,
 *     slab pages by cache. Classes are numbered at snapshot time (the fixed
 *     ones first, then one per slab cache seen, at most 255 in all; caches
 *     beyond that share "slab (other caches)"). Encoded as runs — (class,
 *     length as a LEB128 varint) pairs — then base64: a fresh 256 MiB machine
 *     (65,536 frames) is a few hundred bytes, a fragmented one a few tens of
 *     KiB, never more than about 2.7 bytes per frame.
 *   - the layout (kmem_machine_info), the zones, the blocks a selection can
 *     highlight (large kmalloc blocks, slabs, vmalloc areas with their frames,
 *     user VMAs with theirs), and /proc/meminfo and /proc/buddyinfo as the
 *     kernel would print them, for the summary.
 *
 * Everything is read through the public introspection API
 * (<kmem/introspect.h>), which takes the locks: kmem_walk_frames() walks
 * each zone under its zone->lock, so buddy orders are read from block heads
 * that are really free; a snapshot taken while other threads allocate is a
 * consistent picture of each frame, not of the whole machine at one
 * instant. The command itself is single-threaded.
 *
 * Addresses are the host's (the simulated kernel's, relocated where the host
 * needs it, as everywhere in kmem); the page prints them as 64-bit hex.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kmem/kmem.h>
#include <kmem/introspect.h>
#include <kmem/process.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <asm/page.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "tools/kmem/kmem.h"
#include "tools/kmem/map.h"

#include "map_template.inc"

/* ---- Data --------------------------------------------------------------- */

/* Fixed frame classes; slab caches get the numbers from MAP_CLASS_CACHE0 on. */
enum map_class_id {
	MAP_CLASS_HOLE,	    /* not RAM (e820 holes) */
	MAP_CLASS_RESERVED, /* boot reservations: first MiB, mem_map */
	MAP_CLASS_ZERO,	    /* the zero page */
	MAP_CLASS_PAGES,    /* alloc_pages() for a direct caller */
	MAP_CLASS_PCP,	    /* on a per-CPU free list */
	MAP_CLASS_FREE0,    /* free, buddy order 0 .. MAX_PAGE_ORDER */
	MAP_CLASS_LARGE_KMALLOC = MAP_CLASS_FREE0 + NR_PAGE_ORDERS,
	MAP_CLASS_VMALLOC,
	MAP_CLASS_PGTABLE,
	MAP_CLASS_ANON,
	MAP_CLASS_SWAPCACHE,
	MAP_CLASS_KERNEL_STACK,
	MAP_CLASS_SLAB, /* a slab page whose cache is not known */
	MAP_CLASS_CACHE0,
	MAP_NR_CLASSES = 255, /* 255: "not visited yet" during the walk */
};
#define MAP_UNSEEN 255

struct map_class {
	const char *kind; /* the owner, as the page's legend groups them */
	char label[80];
	int order; /* free blocks: the buddy order; else -1 */
	const struct kmem_cache *cache; /* slab classes of one cache */
	char cache_name[48];		/* SLAB_NAME_LEN */
	int slab_state; /* SLAB: MAP_SLAB_FULL/PARTIAL/FREE; else -1 */
	unsigned long frames;
};

/* A run of frames a selection highlights (a large kmalloc block, a slab). */
struct map_block {
	unsigned long pfn;
	unsigned int order;
	int cls;
	int inuse, objects; /* slabs: objects in use and in all; else -1 */
};

/* A vmalloc area and the frames behind it (one per page, in address order). */
struct map_area {
	struct kmem_vmalloc_area info; /* info.pages: NULL (the walk's only) */
	char caller[96];
	unsigned long *pfns;
	unsigned int nr_pfns;
};

/* A user mapping of a frame: (pid, user address) -> pfn. */
struct map_user {
	int pid;
	unsigned long uaddr, pfn;
};

struct map_process {
	int pid;
	char comm[16];
	struct kmem_vma_info *vmas;
	int nr_vmas;
};

struct map_snapshot {
	struct kmem_machine_info info;
	unsigned char *frames; /* class of each pfn, max_pfn entries */
	struct map_class classes[MAP_NR_CLASSES];
	int nr_classes;
	struct map_block *blocks;
	size_t nr_blocks, cap_blocks;
	struct map_area *areas;
	size_t nr_areas, cap_areas;
	bool areas_oom;
	struct map_user *users;
	size_t nr_users, cap_users;
	bool users_oom;
	struct map_process *procs;
	size_t nr_procs;
	char *meminfo, *buddyinfo;
	unsigned long owner_frames[KMEM_NR_OWNERS];
};

/* ---- Output helpers ----------------------------------------------------- */

/* A growable byte buffer (the run-length encoding before base64). */
struct map_buf {
	unsigned char *p;
	size_t len, cap;
};

static int buf_put(struct map_buf *b, unsigned char c)
{
	if (b->len == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		unsigned char *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	return 0;
}

/* LEB128: seven bits per byte, high bit set on all but the last. */
static int buf_varint(struct map_buf *b, unsigned long v)
{
	while (v >= 0x80) {
		if (buf_put(b, (unsigned char)(v | 0x80)))
			return -ENOMEM;
		v >>= 7;
	}
	return buf_put(b, (unsigned char)v);
}

static void put_base64(FILE *f, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 |
				  (unsigned long)p[i + 1] << 8 | p[i + 2];

		fputc(tab[v >> 18], f);
		fputc(tab[(v >> 12) & 63], f);
		fputc(tab[(v >> 6) & 63], f);
		fputc(tab[v & 63], f);
	}
	if (n - i == 1) {
		unsigned long v = (unsigned long)p[i] << 16;

		fprintf(f, "%c%c==", tab[v >> 18], tab[(v >> 12) & 63]);
	} else if (n - i == 2) {
		unsigned long v = (unsigned long)p[i] << 16 |
				  (unsigned long)p[i + 1] << 8;

		fprintf(f, "%c%c%c=", tab[v >> 18], tab[(v >> 12) & 63],
			tab[(v >> 6) & 63]);
	}
}

/* Finish an encoding: on success (ret 0) write the buffer as a quoted base64
 * JSON string; free it either way. Returns ret. */
static int buf_emit(FILE *f, struct map_buf *b, int ret)
{
	if (!ret) {
		fputc('"', f);
		put_base64(f, b->p, b->len);
		fputc('"', f);
	}
	free(b->p);
	return ret;
}

/* A JSON string. '<', '>' and '&' are escaped too, so that the data can sit
 * inside a <script> element whatever it contains. */
static void put_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_html(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

/* A 64-bit address as a JSON string ("0x..."): JS numbers hold 53 bits. */
static void put_addr(FILE *f, unsigned long a)
{
	fprintf(f, "\"0x%016lx\"", a);
}

/* Print a /proc view into a string; NULL if the view does not exist. */
static char *show_to_string(const char *view)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int ret;

	if (!mem)
		return NULL;
	ret = kmem_show(view, mem);
	fclose(mem);
	if (ret) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- The snapshot ------------------------------------------------------- */

static void class_init(struct map_snapshot *s, int id, const char *kind,
		       int order, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void class_init(struct map_snapshot *s, int id, const char *kind,
		       int order, const char *fmt, ...)
{
	va_list ap;

	s->classes[id].kind = kind;
	s->classes[id].order = order;
	s->classes[id].slab_state = -1;
	va_start(ap, fmt);
	vsnprintf(s->classes[id].label, sizeof(s->classes[id].label), fmt, ap);
	va_end(ap);
	if (id >= s->nr_classes)
		s->nr_classes = id + 1;
}

static void classes_init(struct map_snapshot *s)
{
	unsigned int o;

	class_init(s, MAP_CLASS_HOLE, "hole", -1, "not RAM (e820 hole)");
	class_init(s, MAP_CLASS_RESERVED, "reserved", -1,
		   "reserved at boot (first MiB, mem_map)");
	class_init(s, MAP_CLASS_ZERO, "zero", -1, "the zero page");
	class_init(s, MAP_CLASS_PAGES, "pages", -1,
		   "alloc_pages() (direct caller)");
	class_init(s, MAP_CLASS_PCP, "pcp", -1, "free, on a per-CPU list");
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		class_init(s, MAP_CLASS_FREE0 + (int)o, "free", (int)o,
			   "free, buddy order %u (%lu KiB blocks)", o,
			   (PAGE_SIZE << o) >> 10);
	class_init(s, MAP_CLASS_LARGE_KMALLOC, "large_kmalloc", -1,
		   "large kmalloc (> 8 KiB)");
	class_init(s, MAP_CLASS_VMALLOC, "vmalloc", -1, "vmalloc");
	class_init(s, MAP_CLASS_PGTABLE, "pgtable", -1, "page tables");
	class_init(s, MAP_CLASS_ANON, "anon", -1, "user anonymous memory");
	class_init(s, MAP_CLASS_SWAPCACHE, "swapcache", -1, "swap cache");
	class_init(s, MAP_CLASS_KERNEL_STACK, "kernel_stack", -1,
		   "kernel stacks");
	class_init(s, MAP_CLASS_SLAB, "slab", -1, "slab");
}

static int snapshot_add_block(struct map_snapshot *s, unsigned long pfn,
			      unsigned int order, int cls, int inuse,
			      int objects)
{
	if (s->nr_blocks == s->cap_blocks) {
		size_t cap = s->cap_blocks ? s->cap_blocks * 2 : 256;
		struct map_block *b = realloc(s->blocks, cap * sizeof(*b));

		if (!b)
			return -ENOMEM;
		s->blocks = b;
		s->cap_blocks = cap;
	}
	s->blocks[s->nr_blocks++] =
		(struct map_block){ pfn, order, cls, inuse, objects };
	return 0;
}

/* SLAB's three lists: a slab is full, partial or free (slabs_full,
 * slabs_partial, slabs_free), which the map colours on a SLAB machine. */
enum { MAP_SLAB_FULL, MAP_SLAB_PARTIAL, MAP_SLAB_FREE };
static const char *const slab_state_name[] = { "full", "partial", "free" };

static int slab_state(const struct map_snapshot *s, int inuse, int objects)
{
	if (s->info.slab != KMEM_SLAB_SLAB || objects <= 0 || inuse < 0)
		return -1;
	return inuse == objects ? MAP_SLAB_FULL :
	       inuse		? MAP_SLAB_PARTIAL :
				  MAP_SLAB_FREE;
}

/* The class of a slab cache: one per cache while they last (on SLAB one per
 * cache and list), then the shared "slab" class. */
static int cache_class(struct map_snapshot *s, const struct kmem_cache *cache,
		       int state)
{
	int i;

	if (!cache)
		return MAP_CLASS_SLAB;
	for (i = MAP_CLASS_CACHE0; i < s->nr_classes; i++)
		if (s->classes[i].cache == cache &&
		    s->classes[i].slab_state == state)
			return i;
	if (s->nr_classes >= MAP_NR_CLASSES)
		return MAP_CLASS_SLAB;
	i = s->nr_classes;
	if (state >= 0)
		class_init(s, i, "slab", -1, "slab: %s (%s slab)",
			   kmem_cache_name(cache), slab_state_name[state]);
	else
		class_init(s, i, "slab", -1, "slab: %s",
			   kmem_cache_name(cache));
	s->classes[i].cache = cache;
	s->classes[i].slab_state = state;
	snprintf(s->classes[i].cache_name, sizeof(s->classes[i].cache_name),
		 "%s", kmem_cache_name(cache));
	return i;
}

/* The class of one entry of the frame walk (a free block, a compound page's
 * head with its extent, or one frame); slab and large kmalloc heads are also
 * recorded as blocks a selection can highlight. */
static int frame_class(struct map_snapshot *s, const struct kmem_frame_info *fi)
{
	switch (fi->owner) {
	case KMEM_OWNER_NONE:
		return MAP_CLASS_PAGES;
	case KMEM_OWNER_FREE:
		/* A free frame that is not a block's head is reached only while
		 * another thread splits its block: order 0. */
		if (fi->flags & KMEM_KPF(BUDDY))
			return MAP_CLASS_FREE0 + (int)fi->order;
		return MAP_CLASS_FREE0;
	case KMEM_OWNER_PCP:
		return MAP_CLASS_PCP;
	case KMEM_OWNER_RESERVED:
		if (fi->flags & KMEM_KPF(NOPAGE))
			return MAP_CLASS_HOLE;
		return MAP_CLASS_RESERVED;
	case KMEM_OWNER_SLAB:
		if (!(fi->flags & KMEM_KPF(COMPOUND_TAIL))) {
			int cls = cache_class(s, fi->cache,
					      slab_state(s, fi->inuse,
							 fi->objects));

			if (snapshot_add_block(s, fi->pfn, fi->order, cls,
					       fi->inuse, fi->objects))
				return -ENOMEM;
			return cls;
		}
		/* A tail whose head was not seen (a slab being set up). */
		return MAP_CLASS_SLAB;
	case KMEM_OWNER_LARGE_KMALLOC:
		if (!(fi->flags & KMEM_KPF(COMPOUND_TAIL)) &&
		    snapshot_add_block(s, fi->pfn, fi->order,
				       MAP_CLASS_LARGE_KMALLOC, -1, -1))
			return -ENOMEM;
		return MAP_CLASS_LARGE_KMALLOC;
	case KMEM_OWNER_VMALLOC:
		return MAP_CLASS_VMALLOC;
	case KMEM_OWNER_PGTABLE:
		return MAP_CLASS_PGTABLE;
	case KMEM_OWNER_ANON:
		return MAP_CLASS_ANON;
	case KMEM_OWNER_ZERO:
		return MAP_CLASS_ZERO;
	case KMEM_OWNER_SWAPCACHE:
		return MAP_CLASS_SWAPCACHE;
	case KMEM_OWNER_KERNEL_STACK:
		return MAP_CLASS_KERNEL_STACK;
	default:
		return MAP_CLASS_PAGES;
	}
}

static void fill(struct map_snapshot *s, unsigned long pfn, unsigned long nr,
		 int cls)
{
	unsigned long end = pfn + nr;

	if (end > s->info.max_pfn)
		end = s->info.max_pfn;
	for (; pfn < end; pfn++)
		if (s->frames[pfn] == MAP_UNSEEN)
			s->frames[pfn] = (unsigned char)cls;
}

/* Runs under the zone's lock (kmem_walk_frames): the host's malloc only. */
static int frame_cb(const struct kmem_frame_info *fi, void *arg)
{
	struct map_snapshot *s = arg;
	int cls = frame_class(s, fi);

	if (cls < 0)
		return cls;
	fill(s, fi->pfn, fi->nr, cls);
	return 0;
}

static int snapshot_frames(struct map_snapshot *s)
{
	unsigned long pfn, max_pfn_ = s->info.max_pfn;
	int ret;

	s->frames = malloc(max_pfn_ ? max_pfn_ : 1);
	if (!s->frames)
		return -ENOMEM;
	memset(s->frames, MAP_UNSEEN, max_pfn_);
	ret = kmem_walk_frames(frame_cb, s);
	if (ret)
		return ret;
	for (pfn = 0; pfn < max_pfn_; pfn++)
		s->classes[s->frames[pfn]].frames++;
	kmem_owner_counts(s->owner_frames);
	return 0;
}

/* vmalloc: the busy areas with their page arrays. Runs under vmap_area_lock
 * (kmem_for_each_vmalloc_area), so it only reads the area and uses the
 * host's malloc, never kmem's allocators. */
static void area_cb(const struct kmem_vmalloc_area *ai, void *arg)
{
	struct map_snapshot *s = arg;
	struct map_area *a;
	unsigned int i;

	if (ai->lazy || s->areas_oom)
		return;
	if (s->nr_areas == s->cap_areas) {
		size_t cap = s->cap_areas ? s->cap_areas * 2 : 64;
		struct map_area *p = realloc(s->areas, cap * sizeof(*p));

		if (!p) {
			s->areas_oom = true;
			return;
		}
		s->areas = p;
		s->cap_areas = cap;
	}
	a = &s->areas[s->nr_areas];
	memset(a, 0, sizeof(*a));
	a->info = *ai;
	a->info.pages = NULL;
	if (ai->caller)
		kmem_symbolize(ai->caller, a->caller, sizeof(a->caller));
	if (ai->pages && ai->nr_pages) {
		a->pfns = malloc(ai->nr_pages * sizeof(*a->pfns));
		if (!a->pfns) {
			s->areas_oom = true;
			return;
		}
		for (i = 0; i < ai->nr_pages; i++)
			if (ai->pages[i])
				a->pfns[a->nr_pfns++] =
					page_to_pfn(ai->pages[i]);
	}
	s->nr_areas++;
}

static void user_cb(struct kmem_process *p, unsigned long uaddr, void *arg)
{
	struct map_snapshot *s = arg;
	struct map_user *u;

	if (s->users_oom)
		return;
	if (s->nr_users == s->cap_users) {
		size_t cap = s->cap_users ? s->cap_users * 2 : 1024;

		u = realloc(s->users, cap * sizeof(*u));
		if (!u) {
			s->users_oom = true;
			return;
		}
		s->users = u;
		s->cap_users = cap;
	}
	s->users[s->nr_users++] =
		(struct map_user){ kmem_process_pid(p), uaddr, 0 };
}

static int process_cb(struct kmem_process *p, void *arg)
{
	struct map_snapshot *s = arg;
	struct map_process *mp, *procs;
	int n;

	procs = realloc(s->procs, (s->nr_procs + 1) * sizeof(*procs));
	if (!procs)
		return -ENOMEM;
	s->procs = procs;
	mp = &procs[s->nr_procs];
	memset(mp, 0, sizeof(*mp));
	mp->pid = kmem_process_pid(p);
	snprintf(mp->comm, sizeof(mp->comm), "%s", kmem_process_comm(p));
	n = kmem_process_vmas(p, NULL, 0);
	if (n > 0) {
		mp->vmas = calloc((size_t)n, sizeof(*mp->vmas));
		if (!mp->vmas)
			return -ENOMEM;
		/* The process is held by process_lock; its VMAs may change
		 * between the two calls only if another thread maps: take what
		 * fits. */
		n = kmem_process_vmas(p, mp->vmas, n);
		mp->nr_vmas = n;
	}
	s->nr_procs++;
	return 0;
}

static int cmp_user(const void *a, const void *b)
{
	const struct map_user *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->uaddr < y->uaddr ? -1 : x->uaddr > y->uaddr;
}

/* User processes, their VMAs, and which frames their page tables map. */
static int snapshot_users(struct map_snapshot *s)
{
	unsigned long pfn;
	int ret;

	ret = kmem_for_each_process(process_cb, s);
	if (ret)
		return ret;
	if (!s->nr_procs)
		return 0;
	for (pfn = 0; pfn < s->info.max_pfn; pfn++) {
		enum kmem_page_owner o = page_owner(pfn_to_page(pfn));
		size_t first = s->nr_users, i;

		if (o != KMEM_OWNER_ANON && o != KMEM_OWNER_ZERO &&
		    o != KMEM_OWNER_SWAPCACHE)
			continue;
		kmem_frame_users(pfn, user_cb, s);
		for (i = first; i < s->nr_users; i++)
			s->users[i].pfn = pfn;
	}
	if (s->users_oom)
		return -ENOMEM;
	qsort(s->users, s->nr_users, sizeof(*s->users), cmp_user);
	return 0;
}

static void snapshot_free(struct map_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nr_areas; i++)
		free(s->areas[i].pfns);
	free(s->areas);
	for (i = 0; i < s->nr_procs; i++)
		free(s->procs[i].vmas);
	free(s->procs);
	free(s->users);
	free(s->frames);
	free(s->blocks);
	free(s->meminfo);
	free(s->buddyinfo);
}

static int snapshot_take(struct map_snapshot *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = kmem_boot_default();
	if (ret)
		return ret;
	kmem_machine_info(&s->info);
	classes_init(s);
	ret = snapshot_frames(s);
	if (ret)
		return ret;
	kmem_for_each_vmalloc_area(area_cb, s);
	if (s->areas_oom)
		return -ENOMEM;
	ret = snapshot_users(s);
	if (ret)
		return ret;
	s->meminfo = show_to_string("meminfo");
	s->buddyinfo = show_to_string("buddyinfo");
	return 0;
}

/* ---- Writing the data --------------------------------------------------- */

static int put_frames(FILE *f, const struct map_snapshot *s)
{
	struct map_buf b = { 0 };
	unsigned long pfn = 0, run;
	int ret = 0;

	while (pfn < s->info.max_pfn && !ret) {
		unsigned char c = s->frames[pfn];

		for (run = 1;
		     pfn + run < s->info.max_pfn && s->frames[pfn + run] == c;
		     run++)
			;
		ret = buf_put(&b, c) ?: buf_varint(&b, run);
		pfn += run;
	}
	return buf_emit(f, &b, ret);
}

static void put_machine(FILE *f, const struct map_snapshot *s)
{
	const struct kmem_machine_info *i = &s->info;

	fprintf(f, "\"machine\":{\"layout\":");
	put_json_str(f, i->layout_name);
	fprintf(f,
		",\"ram\":%llu,\"cpus\":%u,\"page_size\":%lu,\"relocated\":%s,"
		"\"max_low_pfn\":%lu,\"max_pfn\":%lu,\"swap\":%llu,\"page_offset\":",
		i->ram, i->cpus, PAGE_SIZE, i->relocated ? "true" : "false",
		i->max_low_pfn, i->max_pfn, i->swap);
	put_addr(f, i->page_offset);
	fputs(",\"high_memory\":", f);
	put_addr(f, i->high_memory);
	fputs(",\"vmalloc_start\":", f);
	put_addr(f, i->vmalloc_start);
	fputs(",\"vmalloc_end\":", f);
	put_addr(f, i->vmalloc_end);
	fputs(",\"pkmap_base\":", f);
	put_addr(f, i->pkmap_base);
	fputs("}", f);
}

static void put_zones(FILE *f)
{
	struct zone *zone;
	bool first = true;

	fputs("\"zones\":[", f);
	for_each_populated_zone(zone) {
		fprintf(f, "%s{\"name\":", first ? "" : ",");
		put_json_str(f, zone->name);
		fprintf(f,
			",\"start\":%lu,\"end\":%lu,\"present\":%lu,\"managed\":%lu,"
			"\"free\":%lu,\"min\":%lu,\"low\":%lu,\"high\":%lu}",
			zone->zone_start_pfn,
			zone->zone_start_pfn + zone->spanned_pages,
			zone->present_pages, zone_managed_pages(zone),
			zone_page_state(zone, NR_FREE_PAGES),
			min_wmark_pages(zone), low_wmark_pages(zone),
			high_wmark_pages(zone));
		first = false;
	}
	fputs("]", f);
}

static void put_classes(FILE *f, const struct map_snapshot *s)
{
	int i;

	fputs("\"classes\":[", f);
	for (i = 0; i < s->nr_classes; i++) {
		const struct map_class *c = &s->classes[i];

		fprintf(f, "%s{\"kind\":", i ? "," : "");
		put_json_str(f, c->kind ? c->kind : "");
		fputs(",\"label\":", f);
		put_json_str(f, c->label);
		fprintf(f, ",\"order\":%d,\"frames\":%lu", c->order, c->frames);
		if (c->cache) {
			fputs(",\"cache\":", f);
			put_json_str(f, c->cache_name);
		}
		if (c->slab_state >= 0)
			fprintf(f, ",\"slab_state\":\"%s\"",
				slab_state_name[c->slab_state]);
		fputc('}', f);
	}
	fputs("]", f);
}

static void put_blocks(FILE *f, const struct map_snapshot *s)
{
	size_t i;

	/* [pfn, order, class, inuse, objects] quintuples, in pfn order. */
	fputs("\"blocks\":[", f);
	for (i = 0; i < s->nr_blocks; i++)
		fprintf(f, "%s%lu,%u,%d,%d,%d", i ? "," : "", s->blocks[i].pfn,
			s->blocks[i].order, s->blocks[i].cls,
			s->blocks[i].inuse, s->blocks[i].objects);
	fputs("]", f);
}

/* A list of integers as zig-zag LEB128 deltas, base64 (decodePfns in the
 * page). Scattered vmalloc frames cost 1-3 bytes each, runs 1 byte. */
static int put_deltas(FILE *f, const unsigned long *v, size_t n)
{
	struct map_buf b = { 0 };
	long prev = 0;
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		long d = (long)v[i] - prev;

		prev = (long)v[i];
		ret = buf_varint(&b, d >= 0 ? (unsigned long)d * 2 :
					      (unsigned long)(-d) * 2 - 1);
	}
	return buf_emit(f, &b, ret);
}

static int put_vmalloc(FILE *f, const struct map_snapshot *s)
{
	size_t i;
	int ret = 0;

	fputs("\"vmalloc\":[", f);
	for (i = 0; i < s->nr_areas && !ret; i++) {
		const struct map_area *a = &s->areas[i];

		fprintf(f, "%s{\"addr\":", i ? "," : "");
		put_addr(f, a->info.start);
		fprintf(f,
			",\"size\":%lu,\"guard\":%s,\"nr_pages\":%u,\"ram\":%s,\"caller\":",
			a->info.end - a->info.start,
			a->info.vm_map_ram || (a->info.flags & VM_NO_GUARD) ?
				"false" :
				"true",
			a->info.nr_pages,
			a->info.vm_map_ram ? "true" : "false");
		put_json_str(f, a->info.vm_map_ram ? "vm_map_ram" : a->caller);
		fputs(",\"pfns\":", f);
		ret = put_deltas(f, a->pfns, a->nr_pfns);
		fputc('}', f);
	}
	fputs("]", f);
	return ret;
}

static void vma_perms(unsigned long flags, char out[5])
{
	out[0] = flags & KMEM_VM_READ ? 'r' : '-';
	out[1] = flags & KMEM_VM_WRITE ? 'w' : '-';
	out[2] = flags & KMEM_VM_EXEC ? 'x' : '-';
	out[3] = flags & KMEM_VM_SHARED ? 's' : 'p';
	out[4] = 0;
}

static int put_processes(FILE *f, const struct map_snapshot *s)
{
	unsigned long *pfns = NULL, *offs = NULL;
	size_t i, u = 0, n;
	int k, ret = 0;
	char perms[5];

	if (s->nr_users) {
		pfns = malloc(s->nr_users * sizeof(*pfns));
		offs = malloc(s->nr_users * sizeof(*offs));
		if (!pfns || !offs) {
			free(pfns);
			free(offs);
			return -ENOMEM;
		}
	}
	fputs("\"processes\":[", f);
	for (i = 0; i < s->nr_procs && !ret; i++) {
		const struct map_process *p = &s->procs[i];

		fprintf(f, "%s{\"pid\":%d,\"comm\":", i ? "," : "", p->pid);
		put_json_str(f, p->comm);
		fputs(",\"vmas\":[", f);
		/* users[] is sorted by (pid, uaddr) and so are the VMAs. */
		while (u < s->nr_users && s->users[u].pid < p->pid)
			u++;
		for (k = 0; k < p->nr_vmas && !ret; k++) {
			const struct kmem_vma_info *v = &p->vmas[k];

			n = 0;
			while (u < s->nr_users && s->users[u].pid == p->pid &&
			       s->users[u].uaddr < v->start)
				u++;
			while (u < s->nr_users && s->users[u].pid == p->pid &&
			       s->users[u].uaddr < v->end) {
				pfns[n] = s->users[u].pfn;
				offs[n++] = (s->users[u].uaddr - v->start) >>
					    PAGE_SHIFT;
				u++;
			}
			vma_perms(v->flags, perms);
			fprintf(f, "%s{\"start\":", k ? "," : "");
			put_addr(f, v->start);
			fputs(",\"end\":", f);
			put_addr(f, v->end);
			fprintf(f, ",\"perms\":\"%s\",\"name\":", perms);
			put_json_str(f, v->name ? v->name : "");
			fputs(",\"pfns\":", f);
			ret = put_deltas(f, pfns, n);
			fputs(",\"offsets\":", f);
			ret = ret ?: put_deltas(f, offs, n);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]", f);
	free(pfns);
	free(offs);
	return ret;
}

static void put_owners(FILE *f, const struct map_snapshot *s)
{
	int i;

	fputs("\"owners\":{", f);
	for (i = 0; i < KMEM_NR_OWNERS; i++)
		fprintf(f, "%s\"%s\":%lu", i ? "," : "",
			kmem_owner_name((enum kmem_page_owner)i),
			s->owner_frames[i]);
	fprintf(f, "},\"totalram\":%lu,\"free_pages\":%lu", totalram_pages(),
		global_zone_page_state(NR_FREE_PAGES));
}

/* HighMem frames mapped in the kmap window now: [pfn, address] pairs (the
 * only kernel address such a frame has; it is not in the direct map). */
static void put_kmap(FILE *f, const struct map_snapshot *s)
{
	unsigned long pfn;
	bool first = true;

	fputs("\"kmap\":[", f);
	for (pfn = s->info.max_low_pfn; pfn < s->info.max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);
		void *addr;

		if (!PageHighMemMapped(page) || !(addr = page_address(page)))
			continue;
		fprintf(f, "%s[%lu,", first ? "" : ",", pfn);
		put_addr(f, (unsigned long)addr);
		fputc(']', f);
		first = false;
	}
	fputc(']', f);
}

static int put_data(FILE *f, const struct map_snapshot *s, const char *title)
{
	char when[64];
	time_t now = time(NULL);
	int ret;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fputs("{\"version\":1,\"title\":", f);
	put_json_str(f, title);
	fputs(",\"generated\":", f);
	put_json_str(f, when);
	fputc(',', f);
	put_machine(f, s);
	fputc(',', f);
	put_zones(f);
	fputc(',', f);
	put_classes(f, s);
	fputs(",\"frames\":", f);
	ret = put_frames(f, s);
	if (ret)
		return ret;
	fputc(',', f);
	put_blocks(f, s);
	fputc(',', f);
	ret = put_vmalloc(f, s);
	if (ret)
		return ret;
	fputc(',', f);
	ret = put_processes(f, s);
	if (ret)
		return ret;
	fputc(',', f);
	put_owners(f, s);
	fputc(',', f);
	put_kmap(f, s);
	fputs(",\"meminfo\":", f);
	put_json_str(f, s->meminfo ? s->meminfo : "");
	fputs(",\"buddyinfo\":", f);
	put_json_str(f, s->buddyinfo ? s->buddyinfo : "");
	fputs("}", f);
	return 0;
}

/* ---- Public interface --------------------------------------------------- */

/* Copy the template, replacing @@TITLE@@ (HTML text) and @@DATA@@ (the JSON). */
int kmem_map_fwrite(FILE *f, const char *title)
{
	struct map_snapshot s;
	const char *p = map_template, *at;
	int ret;

	if (!title)
		title = "kmem map";
	ret = snapshot_take(&s);
	while (!ret && (at = strstr(p, "@@"))) {
		fwrite(p, 1, (size_t)(at - p), f);
		if (!strncmp(at, "@@TITLE@@", 9)) {
			put_html(f, title);
			p = at + 9;
		} else if (!strncmp(at, "@@DATA@@", 8)) {
			ret = put_data(f, &s, title);
			p = at + 8;
		} else {
			fputs("@@", f);
			p = at + 2;
		}
	}
	if (!ret)
		fputs(p, f);
	snapshot_free(&s);
	if (ret)
		return ret;
	return ferror(f) ? -EIO : 0;
}

FILE *kmem_map_open(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

	int err = errno;

	if (!f) {
		err = errno;
		fprintf(stderr, "kmem map: %s: %s\n", path, strerror(err));
	}
	errno = err;
	return f;
}

int kmem_map_finish(FILE *f, const char *path, const char *title)
{
	int ret = kmem_map_fwrite(f, title);

	if (f != stdout) {
		if (fclose(f) && !ret)
			ret = -EIO;
	} else if (fflush(f) && !ret) {
		ret = -EIO;
	}
	if (ret)
		fprintf(stderr, "kmem map: %s: %s\n", path, strerror(-ret));
	return ret;
}

int kmem_map_write(const char *path, const char *title)
{
	FILE *f = kmem_map_open(path);

	return f ? kmem_map_finish(f, path, title) : -errno;
}

/* ---- The command -------------------------------------------------------- */

static void map_usage(FILE *f)
{
	struct tour_chapter *c;

	fprintf(f,
		"usage: kmem map -o FILE.html [--scene NAME] [--title TEXT] [-v]\n\n"
		"Write one self-contained HTML page (no network, no other file) picturing\n"
		"the machine: every page frame coloured by its owner, grouped by zone, the\n"
		"kernel's virtual layout, and the meminfo summary. The machine is the one\n"
		"`kmem tour` leaves, or with --scene NAME the one it has after chapter NAME.\n"
		"-v prints the tour's narration to standard error.\n\nScenes:\n");
	for (c = tour_chapters(); c; c = c->next)
		fprintf(f, "  %-16s %s\n", c->name, c->title);
	if (!tour_chapters())
		fprintf(f, "  (no tour chapters in this build)\n");
}

struct map_scene {
	const char *scene, *out, *title;
	FILE *f; /* out, opened before the tour */
	FILE *console;
	bool taken;
	int ret;
};

/* tour_scene() of the chapter asked for: the picture, while its objects live. */
static void map_scene_cb(struct tour *t, void *arg)
{
	struct map_scene *ms = arg;

	if (ms->taken || !ms->scene || !t->chapter ||
	    strcmp(t->chapter, ms->scene))
		return;
	ms->taken = true;
	ms->ret = kmem_map_finish(ms->f, ms->out, ms->title);
}

static int cmd_map(int argc, char **argv)
{
	const char *out = NULL, *scene = NULL, *title = NULL;
	struct tour t = { 0 };
	struct tour_chapter *c;
	struct map_scene ms = { 0 };
	char deftitle[160];
	FILE *old, *devnull = NULL;
	bool verbose = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			map_usage(stdout);
			return 0;
		} else if ((!strcmp(argv[i], "-o") ||
			    !strcmp(argv[i], "--output")) &&
			   i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--scene") && i + 1 < argc) {
			scene = argv[++i];
		} else if (!strcmp(argv[i], "--title") && i + 1 < argc) {
			title = argv[++i];
		} else if (!strcmp(argv[i], "-v") ||
			   !strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else {
			fprintf(stderr, "kmem map: bad argument '%s'\n\n",
				argv[i]);
			map_usage(stderr);
			return 2;
		}
	}
	if (!out) {
		fprintf(stderr, "kmem map: -o FILE.html is required\n\n");
		map_usage(stderr);
		return 2;
	}
	if (scene) {
		for (c = tour_chapters(); c && strcmp(c->name, scene);
		     c = c->next)
			;
		if (!c) {
			fprintf(stderr,
				"kmem map: no scene '%s' (kmem map --help lists them)\n",
				scene);
			return 2;
		}
		snprintf(deftitle, sizeof(deftitle), "kmem map: %s", c->title);
	} else {
		snprintf(deftitle, sizeof(deftitle),
			 "kmem map: the machine after the tour");
	}
	/* The output first: a path that cannot be written fails now, not after
	 * the tour. */
	ms.f = kmem_map_open(out);
	if (!ms.f)
		return 1;

	if (!verbose)
		devnull = fopen("/dev/null", "w");
	t.out = devnull ? devnull : stderr;
	ms.scene = scene;
	ms.out = out;
	ms.title = title ? title : deftitle;
	t.scene = map_scene_cb;
	t.scene_arg = &ms;
	if (!verbose)
		t.progress = "kmem map";
	old = kmem_log_set_console(verbose ? stderr : NULL);
	ret = tour_run(&t, scene);
	kmem_log_set_console(old);
	if (devnull)
		fclose(devnull);
	if (ret)
		fprintf(stderr,
			"kmem map: a tour chapter failed (kmem tour shows which)\n");
	/* No scene, or a chapter without one: the machine as the tour left it. */
	if (!ms.taken)
		ms.ret = kmem_map_finish(ms.f, out, ms.title);
	return ms.ret || ret ? 1 : 0;
}
KMEM_COMMAND(map, "map -o FILE.html [--scene NAME]",
	     "a picture of memory: every page frame, the virtual layout",
	     cmd_map)
