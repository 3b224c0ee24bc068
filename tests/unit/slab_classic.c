// SPDX-License-Identifier: MIT
/*
 * SLAB (mm/slab.c, KMEM_SLAB=slab), issue 15.
 *
 * Geometry against a real SLAB kernel: every figure in published[] is from
 * the /proc/slabinfo of a Linux 3.4.0-rc6 x86_64 machine with 12 GB of RAM
 * (so slab_max_order 1) posted to linux-mm: Michal Hocko, "Re: memory leak
 * in recent (3.x) kernels?", 28 Jun 2012, Message-ID
 * <20120628152208.GA16222@tiehlicka.suse.cz>, quoting Paul Slootman's
 * report of 22 Jun 2012. The objsize column there is SLAB's buffer_size
 * (the object aligned), which is what is fed in here.
 *
 * Then every object size of the Linux 6.18 snapshot's slabinfo against a
 * brute-force reading of the same rules (the test's own, a search over
 * every object count rather than the kernel's formula); every class of
 * kmalloc_sizes.h with ksize and its cache's name; the three lists, the
 * per-CPU arrays, cache_reap and the reports, on a booted SLAB machine.
 */
/* kmem-test: slab-only: SLAB's own numbers (it sets KMEM_SLAB itself) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/slab.h>
#include "mm/slab.h"
#include "test.h"

#define H SLAB_HWCACHE_ALIGN
#define R SLAB_RECLAIM_ACCOUNT

/* name, objsize, flags, objperslab, pagesperslab; the kmalloc caches
 * with their tunables <limit> <batchcount> <sharedfactor>. */
static const struct {
	const char *name;
	unsigned int size;
	slab_flags_t flags;
	unsigned int num, pages, limit, batch, shared;
} published[] = {
	{ "size-32", 32, H, 112, 1, 120, 60, 8 },
	{ "size-64", 64, H, 59, 1, 120, 60, 8 },
	{ "size-128", 128, H, 30, 1, 120, 60, 8 },
	{ "size-192", 192, H, 20, 1, 120, 60, 8 },
	{ "size-256", 256, H, 15, 1, 120, 60, 8 },
	{ "size-512", 512, H, 8, 1, 54, 27, 8 },
	{ "size-1024", 1024, H, 4, 1, 54, 27, 8 },
	{ "size-2048", 2048, H, 2, 1, 24, 12, 8 },
	{ "size-4096", 4096, H, 1, 1, 24, 12, 8 },
	{ "size-8192", 8192, H, 1, 2, 8, 4, 0 },
	{ "size-16384", 16384, H, 1, 4, 8, 4, 0 },
	{ "size-32768", 32768, H, 1, 8, 8, 4, 0 },
	{ "size-65536", 65536, H, 1, 16, 8, 4, 0 },
	{ "size-131072", 131072, H, 1, 32, 8, 4, 0 },
	{ "size-262144", 262144, H, 1, 64, 1, 1, 0 },
	{ "size-524288", 524288, H, 1, 128, 1, 1, 0 },
	{ "size-1048576", 1048576, H, 1, 256, 1, 1, 0 },
	{ "size-2097152", 2097152, H, 1, 512, 1, 1, 0 },
	{ "size-4194304", 4194304, H, 1, 1024, 1, 1, 0 },
	{ "dm_rq_clone_bio_info", 16, 0, 202, 1, 120, 60, 8 },
	{ "dm_target_io", 24, 0, 144, 1, 120, 60, 8 },
	{ "dm_io", 40, 0, 92, 1, 120, 60, 8 },
	{ "anon_vma_chain", 48, 0, 77, 1, 120, 60, 8 },
	{ "uhci_urb_priv", 56, 0, 67, 1, 120, 60, 8 },
	{ "fscache_cookie_jar", 72, 0, 53, 1, 120, 60, 8 },
	{ "Acpi-State", 80, 0, 48, 1, 120, 60, 8 },
	{ "ext2_xattr", 88, 0, 44, 1, 120, 60, 8 },
	{ "extent_map", 96, 0, 40, 1, 120, 60, 8 },
	{ "flow_cache", 104, 0, 37, 1, 120, 60, 8 },
	{ "jbd2_journal_head", 112, 0, 34, 1, 120, 60, 8 },
	{ "nfsd4_stateids", 120, 0, 32, 1, 120, 60, 8 },
	{ "dnotify_mark", 136, 0, 28, 1, 120, 60, 8 },
	{ "btrfs_path_cache", 144, 0, 27, 1, 120, 60, 8 },
	{ "sigqueue", 160, 0, 24, 1, 120, 60, 8 },
	{ "vm_area_struct", 168, 0, 23, 1, 120, 60, 8 },
	{ "cfq_queue", 232, 0, 17, 1, 120, 60, 8 },
	{ "delayed_node", 288, 0, 13, 1, 54, 27, 8 },
	{ "btrfs_transaction_cache", 296, 0, 13, 1, 54, 27, 8 },
	{ "bsg_cmd", 312, 0, 12, 1, 54, 27, 8 },
	{ "ip6_dst_cache", 320, 0, 12, 1, 54, 27, 8 },
	{ "taskstats", 328, 0, 12, 1, 54, 27, 8 },
	{ "extent_buffers", 344, 0, 11, 1, 54, 27, 8 },
	{ "blkdev_requests", 360, 0, 11, 1, 54, 27, 8 },
	{ "nfsd4_delegations", 368, 0, 10, 1, 54, 27, 8 },
	{ "kioctx", 384, 0, 10, 1, 54, 27, 8 },
	{ "nfsd4_lockowners", 392, 0, 10, 1, 54, 27, 8 },
	{ "dm_rq_target_io", 400, 0, 10, 1, 54, 27, 8 },
	{ "xfrm_dst_cache", 448, H, 8, 1, 54, 27, 8 },
	{ "idr_layer_cache", 544, 0, 7, 1, 54, 27, 8 },
	{ "inode_cache", 552, R, 7, 1, 54, 27, 8 },
	{ "radix_tree_node", 560, R, 7, 1, 54, 27, 8 },
	{ "task_xstate", 576, H, 7, 1, 54, 27, 8 },
	{ "fuse_request", 608, 0, 6, 1, 54, 27, 8 },
	{ "shmem_inode_cache", 616, 0, 6, 1, 54, 27, 8 },
	{ "dio", 640, 0, 6, 1, 54, 27, 8 },
	{ "fat_inode_cache", 664, 0, 6, 1, 54, 27, 8 },
	{ "files_cache", 704, H, 11, 2, 54, 27, 8 },
	{ "ext2_inode_cache", 744, 0, 5, 1, 54, 27, 8 },
	{ "nfs_read_data", 768, 0, 5, 1, 54, 27, 8 },
	{ "UNIX", 832, H, 9, 2, 54, 27, 8 },
	/* SLAB_RECLAIM_ACCOUNT stops at the first order that fits */
	{ "bdev_cache", 832, H | R, 4, 1, 54, 27, 8 },
	{ "ext4_inode_cache", 872, R, 4, 1, 54, 27, 8 },
	{ "mm_struct", 896, H, 4, 1, 54, 27, 8 },
	{ "btrfs_inode_cache", 984, R, 4, 1, 54, 27, 8 },
	{ "nfs_inode_cache", 1000, 0, 4, 1, 54, 27, 8 },
	{ "user_namespace", 1072, 0, 7, 2, 24, 12, 8 },
	{ "RAWv6", 1088, H, 7, 2, 24, 12, 8 },
	{ "ext4_io_end", 1128, R, 3, 1, 24, 12, 8 },
	{ "task_struct", 1584, 0, 5, 2, 24, 12, 8 },
	{ "TCP", 1664, H, 4, 2, 24, 12, 8 },
	{ "blkdev_queue", 1784, 0, 4, 2, 24, 12, 8 },
	{ "TCPv6", 1856, H, 2, 1, 24, 12, 8 },
	{ "sighand_cache", 2112, H, 3, 2, 24, 12, 8 },
	{ "pid_namespace", 2128, 0, 3, 2, 24, 12, 8 },
	{ "dm_uevent", 2608, 0, 3, 2, 24, 12, 8 },
	{ "net_namespace", 2624, 0, 3, 2, 24, 12, 8 },
	{ "kcopyd_job", 3240, 0, 2, 2, 24, 12, 8 },
};

TEST(published_geometry)
{
	unsigned int i,
		match = 0,
		max_order = slab_classic_max_order((12UL << 30) >> PAGE_SHIFT);

	CHECK_EQ(max_order, 1);
	for (i = 0; i < ARRAY_SIZE(published); i++) {
		struct slab_classic_geometry g;
		bool ok;

		CHECK_EQ(slab_classic_calculate(published[i].size, 8,
						published[i].flags, max_order,
						4, &g),
			 0);
		ok = g.size == published[i].size && g.num == published[i].num &&
		     (1u << g.gfporder) == published[i].pages &&
		     g.limit == published[i].limit &&
		     g.batchcount == published[i].batch &&
		     g.shared == published[i].shared;
		if (!ok)
			fprintf(stderr,
				"  %s: %u %u %u : %u %u %u, 3.4 says %u %u %u : %u %u %u\n",
				published[i].name, g.size, g.num,
				1u << g.gfporder, g.limit, g.batchcount,
				g.shared, published[i].size, published[i].num,
				published[i].pages, published[i].limit,
				published[i].batch, published[i].shared);
		match += ok;
	}
	fprintf(stderr,
		"  SLAB geometry: %u of %zu published 3.4 caches match\n",
		match, ARRAY_SIZE(published));
	CHECK_EQ(match, ARRAY_SIZE(published));
	/* Below 32 MiB of RAM SLAB keeps order 0 where it can. */
	CHECK_EQ(slab_classic_max_order((32UL << 20) >> PAGE_SHIFT), 0);
}

/* The same rules, read plainly: the largest object count whose management
 * (48 + 4 per object, aligned; none off-slab) fits with the objects. */
static void brute_force(unsigned int size, unsigned int *num,
			unsigned int *order)
{
	bool off = size >= PAGE_SIZE / 8;
	unsigned int o;

	*num = 0;
	*order = 0;
	for (o = 0; o <= 10; o++) {
		unsigned long slab = PAGE_SIZE << o, n, best = 0, left;

		for (n = 1; n * size <= slab; n++) {
			unsigned long mgmt = off ? 0 : ALIGN(48 + 4 * n, 8);

			if (mgmt + n * size <= slab)
				best = n;
		}
		if (!best)
			continue;
		if (off && best > (size - 48) / 4)
			break;
		left = slab - best * size - (off ? 0 : ALIGN(48 + 4 * best, 8));
		*num = (unsigned int)best;
		*order = o;
		if (o >= 1 || left * 8 <= slab)
			break;
	}
}

TEST(snapshot_sizes)
{
	FILE *f = test_open_data("linux-6.18-x86_64/slabinfo.txt");
	char buf[512], name[64];
	unsigned int lines = 0, match = 0, size;

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		struct slab_classic_geometry g;
		unsigned int num, order;

		if (buf[0] == '#' || !strncmp(buf, "slabinfo", 8) ||
		    sscanf(buf, "%63s %*u %*u %u", name, &size) != 2)
			continue;
		lines++;
		brute_force(size, &num, &order);
		if (slab_classic_calculate(size, 8, 0, 1, 2, &g) == 0 &&
		    g.num == num && g.gfporder == order && num)
			match++;
		else
			fprintf(stderr,
				"  %s (%u): SLAB %u/%u, the rules %u/%u\n",
				name, size, g.num, 1u << g.gfporder, num,
				1u << order);
	}
	fclose(f);
	fprintf(stderr,
		"  SLAB geometry: %u of %u sizes of the 6.18 snapshot\n", match,
		lines);
	CHECK_EQ(lines, 235);
	CHECK_EQ(match, lines);
}

/* ---- a booted SLAB machine ---------------------------------------------------- */

static const char *cache_of(const void *p)
{
	struct page *page = virt_to_head_page(p);

	return PageSlab(page) ?
		       kmem_cache_name(((struct slab *)page)->slab_cache) :
		       "?";
}

TEST(kmalloc_sizes)
{
	static const unsigned long classes[] = {
		32,	64,	128,	 192,	  256,	   512,	  1024,
		2048,	4096,	8192,	 16384,	  32768,   65536, 131072,
		262144, 524288, 1048576, 2097152, 4194304,
	};
	unsigned long prev = 0;
	unsigned int i;
	char want[40];

	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		unsigned long c = classes[i];
		void *lo = kmalloc(prev + 1, GFP_KERNEL),
		     *hi = kmalloc(c, GFP_KERNEL);
		void *dma = c <= 65536 ? kmalloc(c, GFP_KERNEL | GFP_DMA) :
					 NULL;

		CHECK(lo && hi);
		snprintf(want, sizeof(want), "size-%lu", c);
		if (lo && hi) {
			CHECK_EQ(ksize(lo), c);
			CHECK_EQ(ksize(hi), c);
			CHECK_STR(cache_of(lo), want);
			CHECK_STR(cache_of(hi), want);
		}
		if (c <= 65536) {
			snprintf(want, sizeof(want), "size-%lu(DMA)", c);
			CHECK(dma != NULL);
			if (dma)
				CHECK_STR(cache_of(dma), want);
		}
		CHECK_EQ(kmalloc_size_roundup(prev + 1), c);
		CHECK_EQ(kmalloc_size_roundup(c), c);
		kfree(lo);
		kfree(hi);
		kfree(dma);
		prev = c;
	}
	/* No size-96 with 64-byte lines; 8 and 16 go to size-32. */
	{
		void *a = kmalloc(96, GFP_KERNEL), *b = kmalloc(8, GFP_KERNEL);

		CHECK_EQ(ksize(a), 128);
		CHECK_EQ(ksize(b), 32);
		kfree(a);
		kfree(b);
	}
	CHECK(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	CHECK(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL); /* constant */
	prev = KMALLOC_MAX_SIZE + 1;
	CHECK(kmalloc(prev, GFP_KERNEL | __GFP_NOWARN) == NULL);
	CHECK(krealloc(NULL, prev, GFP_KERNEL) == NULL);
}

TEST(lists_arrays_and_slabinfo)
{
	struct kmem_cache *s = kmem_cache_create("slab_test", 100, 0, 0, NULL);
	struct slab_counts c;
	void *objs[200];
	char *info = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_EQ(s->size, 104);
	CHECK_EQ(s->objects, 37); /* 4048 / 108 */
	/* The first refill of an untouched array takes BATCHREFILL_LIMIT. */
	objs[0] = kmem_cache_alloc(s, GFP_KERNEL);
	slab_get_counts(s, &c);
	CHECK_EQ(c.active_objects, 16);
	CHECK_EQ(c.thread_cached, 15);
	CHECK_EQ(c.nr_partial, 1);
	for (i = 1; i < 200; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	slab_get_counts(s, &c);
	CHECK(c.nr_full >= 5);
	CHECK_EQ(c.total_objects, c.nr_slabs * 37);
	f = open_memstream(&info, &len);
	kmem_show("slabinfo", f);
	fclose(f);
	CHECK(info && strstr(info, "slab_test") &&
	      strstr(strstr(info, "slab_test"),
		     "  104   37    1 : tunables  120   60    8 : slabdata"));
	free(info);
	for (i = 0; i < 200; i++)
		kmem_cache_free(s, objs[i]);
	slab_get_counts(s, &c);
	CHECK(c.thread_cached > 0); /* the arrays keep some */
	CHECK(kmem_check_invariants());
	kmem_cache_shrink(s);
	slab_get_counts(s, &c);
	CHECK_EQ(c.nr_slabs, 0);
	CHECK_EQ(c.thread_cached, 0);
	kmem_cache_destroy(s);
}

/* Colouring: 200-byte objects, 19 per page after 128 bytes of management,
 * leave 168 bytes: colour_off 64 (the line), colour 2, so the slabs' first
 * objects start 128 and 192 bytes into their pages, alternately (3.4's
 * colour_next, advancing per slab, modulo colour). */
TEST(colouring)
{
	struct slab_classic_geometry g;
	struct kmem_cache *s;
	unsigned long first[8];
	void *objs[19 * 8];
	unsigned int i, n = 0;

	CHECK_EQ(slab_classic_calculate(200, 0, 0, 1, 2, &g), 0);
	CHECK_EQ(g.num, 19);
	CHECK_EQ(g.slab_size, 128);
	CHECK_EQ(g.left_over, 168);
	CHECK_EQ(g.colour_off, 64);
	CHECK_EQ(g.colour, 2);
	/* A cache aligned above the line colours in its alignment. */
	{
		struct slab_classic_geometry a;

		CHECK_EQ(slab_classic_calculate(1000, 128, 0, 1, 2, &a), 0);
		CHECK_EQ(a.colour_off, 128);
		CHECK_EQ(a.colour, a.left_over / 128);
	}
	s = kmem_cache_create("slab_colour", 200, 0, 0, NULL);
	CHECK(s != NULL);
	if (!s)
		return;
	/* Each slab's first object, read from its struct slab, in the order
	 * the slabs were made (the allocations take them one after another). */
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		struct slab *slab;
		unsigned int k;

		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		if (!objs[i])
			break;
		slab = (struct slab *)virt_to_head_page(objs[i]);
		for (k = 0; k < n; k++)
			if (first[k] == (unsigned long)slab->s_mem)
				break;
		if (k == n && n < ARRAY_SIZE(first))
			first[n++] = (unsigned long)slab->s_mem;
	}
	CHECK(n >= 4);
	for (i = 0; i < n; i++)
		CHECK_EQ(first[i] & (PAGE_SIZE - 1), i % 2 ? 192 : 128);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
}

/* free_limit: free_block keeps an emptied slab on slabs_free while the
 * node holds at most free_limit free objects ((1 + CPUs) * batchcount +
 * num), else gives it back at once. 2048-byte objects, 2 a page: limit 24,
 * batchcount 12, shared 8 * 12 = 96 entries; 400 freed, the arrays keep
 * at most 2 * 24 + 96, the rest goes back to the slabs. */
TEST(free_limit_keeps_some_free_slabs)
{
	struct kmem_cache *s =
		kmem_cache_create("slab_flimit", 2048, 0, 0, NULL);
	struct slab_classic_geometry g;
	struct slab_counts c;
	void *objs[400];
	unsigned int i;

	CHECK_EQ(slab_classic_calculate(2048, 0, 0, 1, nr_cpu_ids, &g), 0);
	CHECK_EQ(g.num, 2);
	CHECK_EQ(g.free_limit, (1 + nr_cpu_ids) * 12 + 2);
	CHECK(s != NULL);
	if (!s)
		return;
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	slab_get_counts(s, &c);
	CHECK_EQ(c.nr_slabs, 200);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		kmem_cache_free(s, objs[i]);
	slab_get_counts(s, &c);
	CHECK(c.thread_cached <= nr_cpu_ids * 24 + 96);
	CHECK(c.nr_empty > 0);
	/* free objects on the slabs: the free slabs' and the partial ones' */
	CHECK(c.nr_empty * 2 + c.nr_partial <= g.free_limit);
	CHECK(c.nr_slabs < 200); /* the rest went back to the buddy allocator */
	CHECK_EQ(c.total_objects - c.active_objects,
		 c.nr_empty * 2 + c.nr_partial);
	CHECK(kmem_check_invariants());
	kmem_cache_destroy(s);
}

TEST(cache_reap_gives_back)
{
	struct kmem_cache *s = kmem_cache_create("slab_reap", 256, 0, 0, NULL);
	struct slab_counts c;
	void *objs[600];
	int i;

	CHECK(s != NULL);
	if (!s)
		return;
	for (i = 0; i < 600; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < 600; i++)
		kmem_cache_free(s, objs[i]);
	slab_get_counts(s, &c);
	CHECK(c.thread_cached > 0 &&
	      c.nr_slabs > 0); /* arrays, shared: all 600 */
	/* Touched arrays and a touched free list are spared once, then each
	 * reap gives back a fifth: everything is gone after enough reaps. */
	for (i = 0; i < 60; i++)
		slab_classic_reap();
	slab_get_counts(s, &c);
	CHECK_EQ(c.thread_cached, 0);
	CHECK_EQ(c.nr_slabs, 0);
	kmem_cache_destroy(s);
}

TEST(bad_frees_reported)
{
	size_t mark = kmem_log_mark();
	char *p = kmalloc(64, GFP_KERNEL);
	struct kmem_cache *s;

	CHECK(p != NULL);
	if (!p)
		return;
	kfree(p + 8);
	CHECK_LOG(
		mark,
		"slab error in kfree(): cache `size-64': Invalid object pointer");
	kfree(p);
	kfree(p);
	CHECK_LOG(mark, "slab: double free detected in cache 'size-64', objp");
	{
		/* p went back once: it is not handed out twice */
		char *a = kmalloc(64, GFP_KERNEL), *b = kmalloc(64, GFP_KERNEL);

		CHECK(a && b && a != b);
		kfree(a);
		kfree(b);
	}
	s = kmem_cache_create("busy", 64, 0, 0, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_destroy(s);
	CHECK_LOG(
		mark,
		"slab error in kmem_cache_destroy(): cache `busy': Can't free all objects");
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
	CHECK(kmem_check_invariants());
}

int main(void)
{
	struct kmem_machine_info info;

	setenv("KMEM_SLAB", "slab", 1);
	kmem_machine_info(&info);
	CHECK_STR(info.slab_name, "SLAB");
	RUN(published_geometry);
	RUN(snapshot_sizes);
	RUN(kmalloc_sizes);
	RUN(lists_arrays_and_slabinfo);
	RUN(colouring);
	RUN(free_limit_keeps_some_free_slabs);
	RUN(cache_reap_gives_back);
	RUN(bad_frees_reported);
	return test_summary();
}
