// SPDX-License-Identifier: MIT
/*
 * SLUB geometry against the real kernel: with 2 CPUs, every cache of the
 * Linux 6.18 snapshot's /proc/slabinfo gets the same objects per slab and
 * pages per slab from its object size (235 of 235), and the kmalloc caches
 * booted here print the same columns as the snapshot's.
 */
/* kmem-test: slub-only: SLUB's geometry */
#include <stdio.h>
#include <string.h>

#include <linux/slab.h>
#include "mm/slab.h"
#include "test.h"

/* The data is checked in under tests/data (KMEM_DATA_DIR); a shared data
 * folder two levels above the source tree is a fallback. */
struct line {
	char name[64];
	unsigned long active, num;
	unsigned int objsize, objperslab, pagesperslab;
};

static int read_snapshot(struct line *lines, int max)
{
	FILE *f = test_open_data("linux-6.18-x86_64/slabinfo.txt");
	char buf[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f) && n < max) {
		struct line *l = &lines[n];

		if (buf[0] == '#' || !strncmp(buf, "slabinfo", 8))
			continue;
		if (sscanf(buf, "%63s %lu %lu %u %u %u", l->name, &l->active,
			   &l->num, &l->objsize, &l->objperslab,
			   &l->pagesperslab) == 6)
			n++;
	}
	fclose(f);
	return n;
}

static struct line lines[512];
static int nr_lines;

TEST(all_snapshot_caches)
{
	int i, match = 0;

	CHECK_EQ(nr_lines, 235);
	for (i = 0; i < nr_lines; i++) {
		unsigned int order = slab_calculate_order(lines[i].objsize, 2);
		unsigned int objs =
			(unsigned int)((PAGE_SIZE << order) / lines[i].objsize);

		if (objs == lines[i].objperslab &&
		    (1u << order) == lines[i].pagesperslab)
			match++;
		else
			fprintf(stderr,
				"  %s: size %u -> %u objs %u pages, kernel %u %u\n",
				lines[i].name, lines[i].objsize, objs,
				1u << order, lines[i].objperslab,
				lines[i].pagesperslab);
	}
	fprintf(stderr, "  geometry: %d of %d caches match the 6.18 slabinfo\n",
		match, nr_lines);
	CHECK_EQ(match, nr_lines);
}

/* Known kernel structures: object size, align, flags -> s->size, objs, pages. */
TEST(named_structures)
{
	static const struct {
		const char *name;
		unsigned int object_size, align;
		slab_flags_t flags;
		bool ctor;
		unsigned int size, objs, pages;
	} cases[] = {
		/* task_struct: 5840 bytes requested (trace), 64-aligned */
		{ "task_struct", 5840, 64, SLAB_PANIC | SLAB_ACCOUNT, false,
		  5888, 5, 8 },
		{ "kmalloc-96", 96, 32, SLAB_KMALLOC, false, 96, 42, 1 },
		{ "kmalloc-192", 192, 64, SLAB_KMALLOC, false, 192, 21, 1 },
		{ "kmalloc-8k", 8192, 8192, SLAB_KMALLOC, false, 8192, 4, 8 },
		{ "hwcache 20", 20, 0, SLAB_HWCACHE_ALIGN, false, 32, 128, 1 },
		{ "hwcache 40", 40, 0, SLAB_HWCACHE_ALIGN, false, 64, 64, 1 },
		{ "ctor 64", 64, 0, 0, true, 72, 56, 1 },
		{ "rcu 64", 64, 0, SLAB_TYPESAFE_BY_RCU, false, 72, 56, 1 },
		{ "poison 64", 64, 0, SLAB_POISON, false, 72, 56, 1 },
		/* 64 + word for the red zone + fp + right red zone + left pad */
		{ "redzone 64", 64, 0, SLAB_RED_ZONE, false, 88, 46, 1 },
		{ "store_user 64", 64, 0, SLAB_STORE_USER, false, 128, 32, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct slab_geometry g;

		CHECK_EQ(slab_calculate_geometry(cases[i].object_size,
						 cases[i].align, cases[i].flags,
						 cases[i].ctor, 2, &g),
			 0);
		if (g.size != cases[i].size || g.objects != cases[i].objs ||
		    (1u << g.order) != cases[i].pages)
			fprintf(stderr, "  %s: %u %u %u\n", cases[i].name,
				g.size, g.objects, 1u << g.order);
		CHECK_EQ(g.size, cases[i].size);
		CHECK_EQ(g.objects, cases[i].objs);
		CHECK_EQ(1u << g.order, cases[i].pages);
	}
	/* min_objects depends on the CPU count: 4 * (fls(cpus) + 1) */
	CHECK_EQ(slab_calculate_order(700, 1), 1); /* min_objects 8 */
	CHECK_EQ(slab_calculate_order(704, 2), 2);
	CHECK_EQ(slab_calculate_order(704, 64), 3);
}

/* The caches booted here (2 CPUs) print the snapshot's geometry columns. */
TEST(booted_kmalloc_caches)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i, checked = 0, match = 0;

	kmem_show("slabinfo", f);
	fclose(f);
	CHECK(!strncmp(
		buf, "slabinfo - version: 2.1\n# name            <active_objs>",
		54));
	for (i = 0; i < nr_lines; i++) {
		char *p;
		unsigned long a, n;
		unsigned int sz, opl, ppl;
		char name[64];

		if (strncmp(lines[i].name, "kmalloc-", 8) &&
		    strncmp(lines[i].name, "dma-kmalloc-", 12))
			continue;
		if (!strcmp(lines[i].name, "kmalloc_buckets"))
			continue;
		checked++;
		for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
			if (sscanf(p, "%63s %lu %lu %u %u %u", name, &a, &n,
				   &sz, &opl, &ppl) == 6 &&
			    !strcmp(name, lines[i].name)) {
				if (sz == lines[i].objsize &&
				    opl == lines[i].objperslab &&
				    ppl == lines[i].pagesperslab)
					match++;
				break;
			}
		}
	}
	CHECK_EQ(checked, 52);
	CHECK_EQ(match, checked);
	free(buf);
}

int main(void)
{
	struct kmem_config cfg = { .ram = 256ULL << 20,
				   .cpus = 2,
				   .quiet = true };

	nr_lines = read_snapshot(lines, 512);
	kmem_boot(&cfg);
	RUN(all_snapshot_caches);
	RUN(named_structures);
	RUN(booted_kmalloc_caches);
	return test_summary();
}
