// SPDX-License-Identifier: MIT
/*
 * Tour chapters: the slab allocator and kmalloc.
 *   30 slab     a task_struct cache and its geometry next to the real
 *               kernel's slabinfo line; the full/partial/empty lists growing
 *               and shrinking; the same program on SLUB, SLAB and SLOB side
 *               by side (figures from three runs)
 *   31 kmalloc  kmalloc(100) and where it lands (cache, slab page, physical
 *               address); a constant size vs a variable size; kmalloc(8 MiB)
 *               failing, and why the limit is not the seed's 128 KiB - 16
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kmem/introspect.h>
#include <kmem/machine.h>
#include "tools/kmem/kmem.h"

/* The task_struct line of the real 6.18 slabinfo (tests/data), quoted here so
 * that kmem without its example data can still show it. */
static const char real_task_struct_line[] =
	"task_struct          112    130   5888    5    8 : tunables    0    0    0 : slabdata     26     26      0";

/* The line of `name` in the real 6.18 slabinfo (the example data,
 * kmem_data_dir()), or NULL. */
static char *real_slabinfo_line(const char *name, char *buf, size_t len)
{
	const char *dir = kmem_data_dir();

	if (dir) {
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path),
			 "%s/linux-6.18-x86_64/slabinfo.txt", dir);
		f = fopen(path, "r");
		while (f && fgets(buf, (int)len, f)) {
			size_t n = strlen(name);

			if (!strncmp(buf, name, n) && buf[n] == ' ') {
				fclose(f);
				buf[strcspn(buf, "\n")] = 0;
				return buf;
			}
		}
		if (f)
			fclose(f);
	}
	if (!strcmp(name, "task_struct")) {
		snprintf(buf, len, "%s", real_task_struct_line);
		return buf;
	}
	return NULL;
}

/* Our slabinfo line for a cache. */
static void our_slabinfo_line(struct kmem_cache *s, char *buf, size_t len)
{
	struct kmem_cache_info c;

	kmem_cache_get_info(s, &c);
	snprintf(
		buf, len,
		"%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
		c.name, c.active_objects, c.total_objects, c.size, c.objects,
		1 << c.order, 0, 0, 0, c.nr_slabs, c.nr_slabs, 0UL);
}

static void show_lists(struct tour *t, struct kmem_cache *s, const char *when)
{
	struct kmem_cache_info c;

	kmem_cache_get_info(s, &c);
	tour_step(
		t,
		"%-34s full %3lu  partial %3lu  empty %2lu  | objects %5lu/%5lu  | cached: this thread %3lu, barn %lu sheaves",
		when, c.nr_full, c.nr_partial, c.nr_empty, c.active_objects,
		c.total_objects, c.thread_cached, c.barn_full);
}

static int compare_allocators(struct tour *t);

static int chapter_slab(struct tour *t)
{
	struct kmem_cache *ts, *c;
	struct kmem_cache_info g;
	char line[512], real[512];
	void *tasks[12], *objs[400];
	unsigned int i;

	if (tour_boot(t, 256ULL << 20, KMEM_LAYOUT_X86_64, 2))
		return 1;
	tour_say(
		t,
		"Every kind of kernel object gets its own cache. fork() allocates a "
		"task_struct from the cache \"task_struct\", created at boot with "
		"kmem_cache_create(\"task_struct\", 5840, 64, SLAB_PANIC | SLAB_ACCOUNT, "
		"NULL) (5840 bytes is what the real kernel's trace asks for). SLUB "
		"rounds the object to its alignment and picks the slab order that "
		"holds at least 4 * (fls(nr_cpus) + 1) = 12 objects (2 CPUs) with "
		"little waste: here 8 pages hold 5 objects.");
	ts = kmem_cache_create("task_struct", 5840, 64,
			       SLAB_PANIC | SLAB_ACCOUNT, NULL);
	kmem_slub_geometry(5840, 64, SLAB_PANIC | SLAB_ACCOUNT, false, 2, &g);
	tour_step(
		t,
		"object_size 5840, align %u, s->size %u, free pointer at offset %u, "
		"order %u (%u pages), %u objects per slab, %u bytes left over",
		g.align, g.size, g.offset, g.order, 1u << g.order, g.objects,
		(unsigned int)((PAGE_SIZE << g.order) -
			       (unsigned long)g.objects * g.size));
	for (i = 0; i < ARRAY_SIZE(tasks); i++)
		tasks[i] = kmem_cache_alloc(ts, GFP_KERNEL);
	our_slabinfo_line(ts, line, sizeof(line));
	tour_say(
		t,
		"After 12 forks, this machine's /proc/slabinfo line, and the real "
		"6.18 kernel's (same objsize, objperslab and pagesperslab; the counts "
		"are those of a machine that had been running for a while):");
	tour_step(t, "kmem: %s", line);
	if (real_slabinfo_line("task_struct", real, sizeof(real)))
		tour_step(t, "6.18: %s", real);
	for (i = 0; i < ARRAY_SIZE(tasks); i++)
		kmem_cache_free(ts, tasks[i]);

	tour_say(
		t,
		"A slab is full, partial or empty, and sits on the matching list of "
		"its node. Watch a cache of 512-byte objects (16 per 2-page slab; "
		"min_partial = clamp(ilog2(512) / 2, 5, 10) = 5 empty slabs are kept). "
		"Freed objects first go to this thread's sheaves (arrays of free "
		"pointers, 26 per sheaf for this size) and the node's barn; "
		"flushed back, they make slabs empty: 5 stay on the empty list, the others "
		"go straight back to the buddy allocator, and kmem_cache_shrink() frees "
		"the rest.");
	c = kmem_cache_create("demo-512", 512, 0, 0, NULL);
	show_lists(t, c, "new cache:");
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	show_lists(t, c, "after 400 allocations:");
	tour_scene(t); /* kmem map --scene slab */
	for (i = 0; i < ARRAY_SIZE(objs); i += 2)
		kmem_cache_free(c, objs[i]);
	kmem_cache_shrink(c);
	show_lists(t, c, "freed every other one, shrink:");
	for (i = 1; i < ARRAY_SIZE(objs); i += 2)
		kmem_cache_free(c, objs[i]);
	show_lists(t, c, "freed the rest:");
	kmem_cache_flush_sheaves(c);
	show_lists(t, c, "sheaves flushed to the slabs:");
	kmem_cache_shrink(c);
	show_lists(t, c, "kmem_cache_shrink():");
	kmem_cache_destroy(c);
	kmem_cache_destroy(ts);
	if (!kmem_check_invariants())
		return 1;
	return compare_allocators(t);
}

/* ---- the same program on SLUB, SLAB and SLOB ------------------------------ */

/* What one run of compare_program() measured (public API only:
 * <kmem/introspect.h>). Pages are slab pages (owner "slab") above the
 * machine's own at the start. */
struct slab_run {
	struct kmem_cache_info ts; /* task_struct with 12 objects */
	unsigned long ts_pages;
	unsigned long peak, half, all_freed, shrunk; /* demo-512 pages */
	unsigned long cached; /* demo-512 objects cached after all frees */
	size_t ksize100;
	struct kmem_slob_heap_stats heap; /* SLOB: the heap at the peak */
	bool ok;
};

/* Pages of one slab of the cache; 0 on SLOB (no slabs). */
static unsigned int pages_per_slab(const struct kmem_cache_info *ci)
{
	return ci->objects ? 1u << ci->order : 0;
}

static unsigned long slab_pages(void)
{
	unsigned long counts[KMEM_NR_OWNERS];

	kmem_owner_counts(counts);
	return counts[KMEM_OWNER_SLAB];
}

static void compare_program(struct tour *t, enum kmem_slab which,
			    struct slab_run *r)
{
	struct kmem_config cfg = { .ram = 256ULL << 20,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = 2,
				   .slab = which };
	struct kmem_cache_info st;
	struct kmem_cache *ts, *c;
	void *tasks[12], *objs[400], *p;
	unsigned long base;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (tour_boot_config(t, &cfg))
		return;
	base = slab_pages();
	ts = kmem_cache_create("task_struct", 5840, 64,
			       SLAB_PANIC | SLAB_ACCOUNT, NULL);
	for (i = 0; i < ARRAY_SIZE(tasks); i++)
		tasks[i] = kmem_cache_alloc(ts, GFP_KERNEL);
	kmem_cache_get_info(ts, &r->ts);
	r->ts_pages = slab_pages() - base;
	for (i = 0; i < ARRAY_SIZE(tasks); i++)
		kmem_cache_free(ts, tasks[i]);
	kmem_cache_destroy(ts);

	base = slab_pages();
	c = kmem_cache_create("demo-512", 512, 0, 0, NULL);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	r->peak = slab_pages() - base;
	kmem_slob_heap_stats(&r->heap);
	for (i = 0; i < ARRAY_SIZE(objs); i += 2)
		kmem_cache_free(c, objs[i]);
	r->half = slab_pages() - base;
	for (i = 1; i < ARRAY_SIZE(objs); i += 2)
		kmem_cache_free(c, objs[i]);
	r->all_freed = slab_pages() - base;
	kmem_cache_get_info(c, &st);
	r->cached = st.thread_cached + st.barn_full * st.sheaf_capacity;
	kmem_cache_shrink(c);
	r->shrunk = slab_pages() - base;
	kmem_cache_destroy(c);

	p = kmalloc(100, GFP_KERNEL);
	r->ksize100 = ksize(p);
	kfree(p);
	r->ok = kmem_check_invariants();
}

static int compare_allocators(struct tour *t)
{
	static const enum kmem_slab which[] = { KMEM_SLAB_SLUB, KMEM_SLAB_SLAB,
						KMEM_SLAB_SLOB };
	struct slab_run r[3];
	char cell[3][40];
	unsigned int i;

	tour_say(
		t,
		"The same program on the three slab allocators Linux has had "
		"(KMEM_SLAB=slub|slab|slob picks one at boot; SLAB is 3.4's, the "
		"seed documents' kernel; SLOB is 6.3's, the last before its "
		"removal): 12 task_structs, then 400 objects of 512 bytes, "
		"every other one freed, the rest freed, kmem_cache_shrink(); "
		"pages are slab pages above the machine's own.");
	for (i = 0; i < 3; i++)
		compare_program(t, which[i], &r[i]);
	for (i = 0; i < 3; i++)
		if (!r[i].ok)
			return 1;
	tour_step(t, "%-36s %10s %10s %10s", "", "SLUB", "SLAB", "SLOB");
	tour_step(t, "%-36s %10u %10u %10u", "task_struct: bytes per object",
		  r[0].ts.size, r[1].ts.size, r[2].ts.size);
	for (i = 0; i < 3; i++) {
		if (r[i].ts.objects)
			snprintf(cell[i], sizeof(cell[i]), "%u/%u",
				 r[i].ts.objects, pages_per_slab(&r[i].ts));
		else
			snprintf(cell[i], sizeof(cell[i]), "no slabs");
	}
	tour_step(t, "%-36s %10s %10s %10s", "  objects/pages per slab",
		  cell[0], cell[1], cell[2]);
	tour_step(t, "%-36s %10lu %10lu %10lu", "  pages for 12 of them",
		  r[0].ts_pages, r[1].ts_pages, r[2].ts_pages);
	tour_step(t, "%-36s %10lu %10lu %10lu",
		  "demo-512: pages, 400 allocated", r[0].peak, r[1].peak,
		  r[2].peak);
	tour_step(t, "%-36s %10lu %10lu %10lu", "  every other one freed",
		  r[0].half, r[1].half, r[2].half);
	tour_step(t, "%-36s %10lu %10lu %10lu", "  all freed", r[0].all_freed,
		  r[1].all_freed, r[2].all_freed);
	tour_step(t, "%-36s %10lu %10lu %10lu", "  objects still cached above",
		  r[0].cached, r[1].cached, r[2].cached);
	tour_step(t, "%-36s %10lu %10lu %10lu", "  after kmem_cache_shrink()",
		  r[0].shrunk, r[1].shrunk, r[2].shrunk);
	tour_step(t, "%-36s %10zu %10zu %10zu", "kmalloc(100): ksize",
		  r[0].ksize100, r[1].ksize100, r[2].ksize100);
	tour_say(
		t,
		"What differs. SLUB keeps no metadata in the slab and rounds "
		"task_struct to its 64-byte alignment (%u bytes, %u per %u-page "
		"slab). SLAB (%u bytes) puts a struct slab and a kmem_bufctl_t "
		"per object in the slab or, from 512 bytes, in a kmalloc object "
		"off the slab, and its order rule (the smallest order with at "
		"most 1/8 waste, but at most order 1 here) gives %u per %u "
		"pages. SLOB has no slabs at all: an object of a page or more "
		"is its own block of pages, smaller ones share its first-fit "
		"heap with every cache and kmalloc size (at the peak %lu heap "
		"pages held %lu blocks, %lu bytes free in %lu fragments).",
		r[0].ts.size, r[0].ts.objects, pages_per_slab(&r[0].ts),
		r[1].ts.size, r[1].ts.objects, pages_per_slab(&r[1].ts),
		r[2].heap.pages, r[2].heap.blocks,
		r[2].heap.free_bytes[0] + r[2].heap.free_bytes[1] +
			r[2].heap.free_bytes[2],
		r[2].heap.free_blocks);
	tour_say(t,
		 "Freeing: SLUB's sheaves and SLAB's per-CPU and shared arrays "
		 "keep freed objects for the next allocation, and both keep "
		 "some empty slabs (SLUB min_partial, SLAB free_limit) until "
		 "kmem_cache_shrink() or the shrinker; SLOB gives a page back "
		 "the moment its last block is freed, and caches nothing. "
		 "kmalloc(100) is an object of the 128-byte class on SLUB "
		 "(kmalloc-128) and SLAB (size-128); on SLOB it is a block of "
		 "exactly 100 bytes behind an 8-byte size header. "
		 "KMEM_SLAB=slab kmem replay TRACE --map FILE.html colours "
		 "SLAB's full, partial and free slabs (kmem map --scene slab "
		 "pictures this chapter's SLUB machine).");
	return 0;
}

static int chapter_kmalloc(struct tour *t)
{
	char *p, *q;
	struct kmem_object_info oi;
	struct kmem_cache_info ci;
	volatile size_t var = 72;
	size_t mark;

	if (tour_boot(t, 256ULL << 20, KMEM_LAYOUT_X86_64, 2))
		return 1;
	tour_say(
		t,
		"kmalloc() serves any size from a ladder of caches: kmalloc-8, 16, "
		"32, 64, 96, 128, 192, 256 ... 8k. kmalloc(100) rounds up to 128:");
	p = kmalloc(100, GFP_KERNEL);
	if (kmem_object_info(p, &oi) || !oi.cache)
		return 1;
	kmem_cache_get_info(oi.cache, &ci);
	tour_step(t, "kmalloc(100) = %p in cache %s (ksize %zu)", (void *)p,
		  ci.name, ksize(p));
	tour_step(
		t,
		"its slab: pfn %#lx, %u objects of %u bytes, %u taken from the "
		"freelist (%lu of them wait in this thread's sheaf for the next "
		"kmalloc)",
		oi.pfn, oi.objects, ci.size, oi.inuse, ci.thread_cached);
	tour_step(t, "p is object #%lu of the slab, at offset %lu", oi.index,
		  oi.offset);
	tour_step(
		t,
		"physical address %#llx (direct map: virt_to_phys(p) = p - PAGE_OFFSET); "
		"every byte of the block is physically contiguous",
		(unsigned long long)virt_to_phys(p));

	tour_say(
		t,
		"How the cache is picked. kmalloc() is an inline function: when the "
		"size is a compile-time constant, __builtin_constant_p(size) is true "
		"and kmalloc_index(100) folds to 7, so the call compiles to "
		"__kmalloc_cache_noprof(kmalloc_caches[KMALLOC_NORMAL][7], flags, 100) "
		"with no size arithmetic at run time. A variable size goes through "
		"__kmalloc(), which looks it up: size_index[(size - 1) / 8] up to 192 "
		"bytes, fls(size - 1) above.");
	q = kmalloc(var, GFP_KERNEL);
	tour_step(
		t,
		"constant kmalloc(100): kmalloc_index(100) = %u, a constant the compiler "
		"folds into the call -> %s",
		kmalloc_index(100), ci.name);
	tour_step(
		t,
		"variable kmalloc(%zu): size_index[%zu] = 1 at run time -> %s",
		(size_t)var, ((size_t)var - 1) / 8,
		kmem_cache_name(kmem_object_info(q, &oi) ? NULL : oi.cache));
	kfree(q);
	q = kmalloc(var, GFP_KERNEL | __GFP_RECLAIMABLE);
	tour_step(
		t,
		"the GFP flags pick the family: kmalloc(%zu, GFP_KERNEL | __GFP_RECLAIMABLE) -> %s",
		(size_t)var,
		kmem_cache_name(kmem_object_info(q, &oi) ? NULL : oi.cache));
	kfree(q);
	kfree(p);

	tour_say(
		t,
		"Above 8 KiB kmalloc takes pages straight from the buddy allocator "
		"(order = get_order(size)); the largest order is MAX_PAGE_ORDER = 10, so "
		"KMALLOC_MAX_SIZE is 4 MiB. kmalloc(8 MiB) fails, and the page allocator "
		"warns once:");
	p = kmalloc(1UL << 20, GFP_KERNEL);
	tour_step(t,
		  "kmalloc(1 MiB) = %p, ksize %zu (an order-8 compound page)",
		  (void *)p, ksize(p));
	kfree(p);
	mark = kmem_log_mark();
	{
		FILE *old = kmem_log_set_console(NULL);

		p = kmalloc(8UL << 20, GFP_KERNEL);
		kmem_log_set_console(old);
	}
	tour_step(t, "kmalloc(8 MiB) = %p%s", (void *)p,
		  kmem_log_contains(mark, "WARNING") ?
			  "  (log: WARNING ... order > MAX_PAGE_ORDER)" :
			  "");
	tour_say(
		t,
		"The seed documents give the limit as 128 KiB - 16 bytes: that was "
		"the 2.4-2.6 era's SLAB allocator, whose largest general cache was "
		"size-131072, with kmalloc's bookkeeping eating the last bytes. SLUB "
		"(2.6.22+) sends large requests to the page allocator instead, so "
		"today the limit is the largest buddy block: 4 MiB. For more, use "
		"vmalloc() (virtually contiguous only) or kvmalloc().");
	return p == NULL && kmem_check_invariants() ? 0 : 1;
}

TOUR_CHAPTER(30, slab, "Slab caches: geometry and the full/partial/empty lists",
	     chapter_slab)
TOUR_CHAPTER(31, kmalloc,
	     "kmalloc: size classes, the compile-time choice, the limits",
	     chapter_kmalloc)
