// SPDX-License-Identifier: MIT
/*
 * kmem's own caches in /proc/slabinfo carry the kernel's object sizes: for
 * vm_area_struct, vmap_area, kmalloc_buckets, kmem_cache_node and kmem_cache
 * the <objsize> <objperslab> <pagesperslab> columns equal those of the Linux
 * 6.18 x86-64 snapshot (tests/data), line for line. The first call is
 * kmem_show(), as a user's program would make it.
 *
 * With lock debugging (Debug and sanitizer builds: CONFIG_LOCKDEP) every
 * spinlock grows, in kmem as in the kernel, so the two caches whose objects
 * hold locks (kmem_cache_node, kmem_cache) are only compared without it.
 */
/* kmem-test: slub-only: the geometry of SLUB's own caches */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/show.h>
#include "test.h"

#define SNAP KMEM_TEST_DATA "/linux-6.18-x86_64/slabinfo.txt"

struct geometry {
	unsigned long objsize, perslab, pages;
};

/* The geometry columns of cache `name` in a slabinfo text; false if absent. */
static bool find_cache(const char *text, const char *name, struct geometry *g)
{
	size_t len = strlen(name);
	const char *l = text;

	while (l && *l) {
		unsigned long active, num;

		if (!strncmp(l, name, len) && l[len] == ' ')
			return sscanf(l + len, "%lu %lu %lu %lu %lu", &active,
				      &num, &g->objsize, &g->perslab,
				      &g->pages) == 5;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return false;
}

static char *slurp(FILE *f)
{
	char *buf = calloc(1, 1 << 20);
	size_t n;

	if (!buf)
		return NULL;
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	return buf;
}

TEST(own_caches_have_kernel_sizes)
{
	static const struct {
		const char *name;
		bool holds_locks;
	} caches[] = {
		{ "vm_area_struct", false },  { "vmap_area", false },
		{ "kmalloc_buckets", false }, { "kmem_cache_node", true },
		{ "kmem_cache", true },
	};
	char *ours = NULL, *snap;
	size_t len = 0;
	FILE *f = open_memstream(&ours, &len);
	unsigned int i;

	CHECK_EQ(kmem_show("slabinfo", f), 0);
	fclose(f);
	f = fopen(SNAP, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	snap = slurp(f);
	fclose(f);
	for (i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		struct geometry k, m;

		CHECK(find_cache(snap, caches[i].name, &k));
		if (!find_cache(ours, caches[i].name, &m)) {
			fprintf(stderr, "%s: not in kmem's slabinfo\n",
				caches[i].name);
			CHECK(0);
			continue;
		}
#ifdef CONFIG_LOCKDEP
		if (caches[i].holds_locks)
			continue;
#endif
		if (m.objsize != k.objsize || m.perslab != k.perslab ||
		    m.pages != k.pages)
			fprintf(stderr,
				"%s: kmem %lu %lu %lu, Linux 6.18 %lu %lu %lu\n",
				caches[i].name, m.objsize, m.perslab, m.pages,
				k.objsize, k.perslab, k.pages);
		CHECK_EQ(m.objsize, k.objsize);
		CHECK_EQ(m.perslab, k.perslab);
		CHECK_EQ(m.pages, k.pages);
	}
	free(ours);
	free(snap);
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN(own_caches_have_kernel_sizes);
	test_halt();
	return test_summary();
}
