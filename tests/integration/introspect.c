// SPDX-License-Identifier: MIT
/*
 * <kmem/introspect.h> as a tool meets it, through the public headers only:
 * the zones' settings, the per-CPU list switch, the slab caches' geometry
 * and counts, where an object lives, the slab allocators' names. Each
 * reading function is also the first kmem call of a fresh child process,
 * which must boot the machine rather than read an empty one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <kmem/kmem.h>
#include <kmem/introspect.h>
#include "test.h"

static int count_cache(struct kmem_cache *s, void *arg)
{
	(void)s;
	++*(int *)arg;
	return 0;
}

/* Run fn as the first kmem call of a child; its exit status is the result. */
static int first_call(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int first_min_free_kbytes(void)
{
	return kmem_min_free_kbytes() >= 128 ? 0 : 1;
}

static int first_zone_in_layout(void)
{
	return kmem_zone_in_layout(ZONE_NORMAL) ? 0 : 1;
}

static int first_for_each_cache(void)
{
	struct kmem_machine_info mi;
	int n = 0;

	kmem_for_each_cache(count_cache, &n);
	kmem_machine_info(&mi);
	/* The kmalloc caches at least; SLOB's kmalloc has none, but the
	 * kernel's own caches (vmap_area ...) exist on every allocator. */
	return n > (strcmp(mi.slab_name, "SLOB") ? 10 : 2) ? 0 : 1;
}

TEST(zones)
{
	struct kmem_machine_info info;
	unsigned long counts_bad[NR_PAGE_ORDERS];
	int z;

	kmem_machine_info(&info);
	CHECK(kmem_zone_in_layout(ZONE_DMA));
	CHECK(kmem_zone_in_layout(ZONE_NORMAL));
	CHECK(kmem_zone_in_layout(ZONE_MOVABLE));
	if (info.layout == KMEM_LAYOUT_X86_32) {
		CHECK(!kmem_zone_in_layout(ZONE_DMA32));
		CHECK(kmem_zone_in_layout(ZONE_HIGHMEM));
	} else {
		CHECK(kmem_zone_in_layout(ZONE_DMA32));
		CHECK(!kmem_zone_in_layout(ZONE_HIGHMEM));
	}
	CHECK(!kmem_zone_in_layout(-1));
	CHECK(!kmem_zone_in_layout(MAX_NR_ZONES));
	/* The free blocks of a zone by its index: with the per-CPU lists off
	 * they are all the zone's free pages; a zone not there has none. */
	kmem_pcp_enable(false);
	for (z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long counts[NR_PAGE_ORDERS], pages = 0;
		struct zone *zone = &NODE_DATA(0)->node_zones[z];
		int o;

		CHECK_EQ(kmem_zone_free_counts(z, counts),
			 kmem_zone_in_layout(z));
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			pages += counts[o] << o;
		CHECK_EQ(pages, kmem_zone_in_layout(z) ?
					zone_page_state(zone, NR_FREE_PAGES) :
					0);
	}
	kmem_pcp_enable(true);
	counts_bad[0] = 1;
	CHECK(!kmem_zone_free_counts(-1, counts_bad));
	CHECK_EQ(counts_bad[0], 0);
	CHECK(!kmem_zone_free_counts(MAX_NR_ZONES, counts_bad));
	/* min_free_kbytes = sqrt(lowmem_kB * 16), clamped: within 128 .. 256 MiB */
	CHECK(kmem_min_free_kbytes() >= 128);
	CHECK(kmem_min_free_kbytes() <= 262144);
}

/* With the per-CPU lists off, a freed page is back in its zone's free count
 * at once. */
TEST(pcp_off)
{
	struct page *p;
	struct zone *zone;
	unsigned long before;

	kmem_pcp_enable(false);
	p = alloc_pages(GFP_KERNEL, 0);
	CHECK(p != NULL);
	if (p) {
		zone = page_zone(p);
		before = zone_page_state_snapshot(zone, NR_FREE_PAGES);
		__free_pages(p, 0);
		CHECK_EQ(zone_page_state_snapshot(zone, NR_FREE_PAGES),
			 before + 1);
	}
	kmem_pcp_enable(true);
}

struct find_cache {
	struct kmem_cache *want;
	int seen;
};

static int find_one(struct kmem_cache *s, void *arg)
{
	struct find_cache *f = arg;

	f->seen++;
	return s == f->want ? 7 : 0;
}

TEST(caches)
{
	struct kmem_cache_info ci, g;
	struct find_cache f = { 0 };
	struct kmem_cache *s;
	struct kmem_machine_info mi;
	void *obj[64];
	unsigned int i;
	bool slob;

	kmem_machine_info(&mi);
	slob = !strcmp(mi.slab_name, "SLOB");
	s = kmem_cache_create("introspect-512", 512, 0, 0, NULL);
	CHECK(s != NULL);
	if (!s)
		return;
	kmem_cache_get_info(s, &ci);
	CHECK_STR(ci.name, "introspect-512");
	CHECK_EQ(ci.object_size, 512);
	CHECK(ci.size >= 512);
	if (slob) /* no slabs: blocks from the shared heap pages */
		CHECK_EQ(ci.objects, 0);
	else
		CHECK(ci.objects >= 1);
	CHECK(ci.objects * ci.size <= PAGE_SIZE << ci.order);
	CHECK_EQ(ci.total_objects, 0);
	CHECK_EQ(ci.nr_slabs, 0);
	/* The newest cache comes first, and fn's value stops the walk. */
	f.want = s;
	CHECK_EQ(kmem_for_each_cache(find_one, &f), 7);
	CHECK_EQ(f.seen, 1);

	for (i = 0; i < ARRAY_SIZE(obj); i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_get_info(s, &ci);
	CHECK(ci.active_objects >= ARRAY_SIZE(obj));
	CHECK(ci.total_objects >= ci.active_objects);
	CHECK_EQ(ci.nr_slabs, ci.nr_full + ci.nr_partial + ci.nr_empty);
	if (slob)
		CHECK_EQ(ci.total_objects, ci.active_objects);
	else
		CHECK_EQ(ci.total_objects, ci.nr_slabs * ci.objects);

	if (!strcmp(mi.slab_name, "SLUB")) {
		CHECK_EQ(kmem_slub_geometry(512, 0, 0, false, mi.cpus, &g), 0);
		CHECK(g.name == NULL);
		CHECK_EQ(g.size, ci.size);
		CHECK_EQ(g.order, ci.order);
		CHECK_EQ(g.objects, ci.objects);
		CHECK_EQ(g.min_partial, ci.min_partial);
		CHECK_EQ(g.sheaf_capacity, ci.sheaf_capacity);
		CHECK(ci.sheaf_capacity > 0);
		/* Freed objects wait in this thread's sheaves; a flush gives
		 * them back to the slabs. */
		for (i = 0; i < ARRAY_SIZE(obj); i++)
			kmem_cache_free(s, obj[i]);
		kmem_cache_get_info(s, &ci);
		CHECK(ci.thread_cached > 0);
		kmem_cache_flush_sheaves(s);
		kmem_cache_get_info(s, &ci);
		CHECK_EQ(ci.thread_cached, 0);
		CHECK_EQ(ci.barn_full, 0);
		CHECK_EQ(ci.active_objects, 0);
	} else {
		for (i = 0; i < ARRAY_SIZE(obj); i++)
			kmem_cache_free(s, obj[i]);
		/* SLAB keeps freed objects in the CPUs' array_caches and the
		 * shared array (all of them in thread_cached); SLOB caches
		 * nothing. Neither has sheaves. */
		kmem_cache_get_info(s, &ci);
		if (slob)
			CHECK_EQ(ci.thread_cached, 0);
		else
			CHECK(ci.thread_cached > 0);
		CHECK(ci.thread_cached <= ci.active_objects);
		CHECK_EQ(ci.sheaf_capacity, 0);
		CHECK_EQ(ci.barn_full, 0);
	}
	CHECK_EQ(kmem_slub_geometry(64U << 20, 0, 0, false, 2, &g), -EINVAL);
	kmem_cache_destroy(s);
}

TEST(objects)
{
	struct kmem_object_info oi;
	struct kmem_machine_info mi;
	char *p, *big;
	int local;

	kmem_machine_info(&mi);
	p = kmalloc(100, GFP_KERNEL);
	CHECK(p != NULL);
	CHECK_EQ(kmem_object_info(p, &oi), 0);
	CHECK_EQ(oi.size, ksize(p));
	CHECK(oi.footprint >= oi.size);
	if (!strcmp(mi.slab_name, "SLUB")) {
		struct kmem_cache_info ci;

		CHECK(oi.cache != NULL);
		if (oi.cache) {
			kmem_cache_get_info(oi.cache, &ci);
			CHECK_STR(ci.name, "kmalloc-128");
			CHECK_EQ(oi.footprint, ci.size);
			CHECK_EQ(oi.index * ci.size, oi.offset);
			CHECK(oi.index < oi.objects);
		}
		CHECK(oi.inuse >= 1 && oi.inuse <= oi.objects);
		CHECK_EQ(oi.pfn, page_to_pfn(virt_to_head_page(p)));
		/* Not the start of an object: no answer, no report. */
		{
			size_t mark = kmem_log_mark();

			CHECK_EQ(kmem_object_info(p + 1, &oi), -EINVAL);
			CHECK(!kmem_log_contains(mark, "Invalid"));
		}
	}
	kfree(p);

	big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	CHECK(big != NULL);
	CHECK_EQ(kmem_object_info(big, &oi), 0);
	CHECK_EQ(oi.size, ksize(big));
	if (!strcmp(mi.slab_name, "SLUB")) {
		/* Above kmalloc-8k: a large kmalloc block of order 2. */
		CHECK(oi.cache == NULL);
		CHECK_EQ(oi.order, 2);
		CHECK_EQ(oi.size, 4 * PAGE_SIZE);
		CHECK_EQ(oi.footprint, 4 * PAGE_SIZE);
		CHECK_EQ(oi.pfn, page_to_pfn(virt_to_page(big)));
		CHECK_EQ(kmem_object_info(big + PAGE_SIZE, &oi), -EINVAL);
	}
	kfree(big);

	CHECK_EQ(kmem_object_info(NULL, &oi), -EINVAL);
	CHECK_EQ(kmem_object_info(&local, &oi),
		 -EINVAL); /* not kmem's memory */
}

TEST(allocator_names)
{
	CHECK_STR(kmem_slab_allocator_name(KMEM_SLAB_SLUB), "SLUB");
	CHECK_STR(kmem_slab_allocator_name(KMEM_SLAB_SLAB), "SLAB");
	CHECK_STR(kmem_slab_allocator_name(KMEM_SLAB_SLOB), "SLOB");
	CHECK_STR(kmem_slab_allocator_name(99), "?");
	CHECK(kmem_slab_allocator_built(KMEM_SLAB_SLUB));
	CHECK(!kmem_slab_allocator_built(99));
	CHECK(!kmem_slab_allocator_built(-1));
}

int main(void)
{
	CHECK_EQ(first_call(first_min_free_kbytes), 0);
	CHECK_EQ(first_call(first_zone_in_layout), 0);
	CHECK_EQ(first_call(first_for_each_cache), 0);
	RUN(zones);
	RUN(pcp_off);
	RUN(caches);
	RUN(objects);
	RUN(allocator_names);
	return test_summary();
}
