// SPDX-License-Identifier: MIT
/*
 * A fully scattered machine: every other physical page is taken, so every
 * page of a vmalloc area is its own physical run and needs its own host
 * mapping. 7 areas of 64 MiB need about 115,000 mappings, nearly twice what the
 * host allows a process (vm.max_map_count, 65530). vmalloc maps within its
 * budget and serves the rest on demand: every byte still reads and writes,
 * and the process's mapping count stays under the host limit.
 */
#include <stdio.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/vmalloc.h>
#include "mm/internal.h"
#include "mm/vmalloc.h"
#include "test.h"

#define AREAS 7
#define AREA_SIZE (64UL << 20)

static unsigned long max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long n = 65530;

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 65530;
		fclose(f);
	}
	return n;
}

TEST(fully_scattered)
{
	static struct page *hold[1UL << 19];
	unsigned long nr = 0, i, j, runs = 0, limit = max_map_count();
	struct vmalloc_stats st;
	unsigned char *a[AREAS];

	/* Take every free page, give back every other one. */
	while (nr < ARRAY_SIZE(hold) &&
	       (hold[nr] =
			alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)))
		nr++;
	for (i = 0; i < nr; i += 2) {
		__free_page(hold[i]);
		hold[i] = NULL;
	}
	drain_all_pages(NULL);
	for (i = 0; i < AREAS; i++) {
		struct vm_struct *vm;

		a[i] = vmalloc(AREA_SIZE);
		CHECK(a[i] != NULL);
		if (!a[i])
			continue;
		vm = find_vm_area(a[i]);
		for (j = 1; j < vm->nr_pages; j++)
			runs += page_to_pfn(vm->pages[j]) !=
				page_to_pfn(vm->pages[j - 1]) + 1;
	}
	vmalloc_get_stats(&st);
	printf("fully_scattered: %lu physical runs in %d areas; %lu host mappings held "
	       "(budget %lu), %lu demand-mode areas; process maps %lu (limit %lu)\n",
	       runs + AREAS, AREAS, st.host_maps, st.host_map_budget,
	       st.demand_areas, host_map_count(), limit);
	CHECK(runs + AREAS > limit); /* naive mapping could not work */
	CHECK(st.host_maps <= st.host_map_budget);
	CHECK(st.demand_areas >= 1);
	CHECK(host_map_count() < limit);
	for (i = 0; i < AREAS; i++)
		for (j = 0; a[i] && j < AREA_SIZE; j += 1024)
			a[i][j] = (unsigned char)(i * 31 + j / 1024);
	for (i = 0; i < AREAS; i++) {
		for (j = 0; a[i] && j < AREA_SIZE; j += 1024)
			if (a[i][j] != (unsigned char)(i * 31 + j / 1024))
				break;
		CHECK(!a[i] || j == AREA_SIZE);
	}
	vmalloc_get_stats(&st);
	printf("fully_scattered: %lu demand refills\n", st.demand_faults);
	CHECK(host_map_count() < limit);
	CHECK(kmem_check_invariants());
	for (i = 0; i < AREAS; i++)
		vfree(a[i]);
	vm_unmap_aliases();
	for (i = 0; i < nr; i++)
		if (hold[i])
			__free_page(hold[i]);
}

int main(void)
{
	struct kmem_config cfg = { .ram = 1ULL << 30, .quiet = true };

	setvbuf(stdout, NULL, _IONBF, 0);
	if (kmem_boot(&cfg))
		return 1;
	RUN(fully_scattered);
	return test_summary();
}
