// SPDX-License-Identifier: MIT
/*
 * User memory on a fully scattered machine. Every page of a 1 GiB x86-64
 * machine is taken, then every other one is given back: no two free frames
 * are adjacent, so every user page needs a host mapping of its own. A process
 * writes one byte per page of a 400 MiB anonymous mapping (102,400 pages,
 * more than the host's vm.max_map_count on top of what kmem already holds),
 * then every byte is checked. The user pages beyond the host-mapping budget
 * are served by the on-demand path (arch/x86/hostmap.c): the process is not
 * OOM-killed, every byte reads back, the refills are not counted as faults,
 * and the process's host mapping count stays under the limit.
 */
#include <stdio.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/gfp.h>
#include <kmem/kmem.h>
#include <kmem/process.h>
#include "arch/x86/machine.h"
#include "mm/internal.h"
#include "test.h"

#define MAP_BYTES (400UL << 20)
#define PAGES (MAP_BYTES >> PAGE_SHIFT)

struct job {
	unsigned char *mem;
	unsigned long bad, maps_peak;
};

static int write_pages(void *arg)
{
	struct job *j = arg;
	unsigned long i;

	j->mem = kmem_sys_mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (j->mem == MAP_FAILED)
		return -1;
	for (i = 0; i < PAGES; i++)
		j->mem[i * PAGE_SIZE + (i % 4093)] = (unsigned char)(i * 7 + 1);
	j->maps_peak = host_map_count();
	return 0;
}

static int check_pages(void *arg)
{
	struct job *j = arg;
	unsigned long i;

	j->bad = 0;
	for (i = 0; i < PAGES; i++)
		if (j->mem[i * PAGE_SIZE + (i % 4093)] !=
		    (unsigned char)(i * 7 + 1))
			j->bad++;
	return 0;
}

TEST(user_pages_fully_scattered)
{
	static struct page *hold[1UL << 18];
	unsigned long nr = 0, i, limit;
	struct kmem_process_info in;
	struct hostmap_stats st0, st1, st2;
	struct kmem_process *p;
	struct job j = { 0 };

	while (nr < ARRAY_SIZE(hold) &&
	       (hold[nr] = alloc_pages(
			GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0)))
		nr++;
	for (i = 0; i < nr; i += 2) {
		__free_page(hold[i]);
		hold[i] = NULL;
	}
	drain_all_pages(NULL);
	hostmap_get_stats(&st0);
	limit = st0.max_map_count;
	p = kmem_process_create("scatter");
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(kmem_process_run(p, write_pages, &j), 0);
	hostmap_get_stats(&st1);
	kmem_process_info(p, &in);
	printf("user_pages_fully_scattered: %lu pages written, RSS %lu kB, %lu minor faults; "
	       "user host mappings %lu (budget %lu), on-demand maps %lu, process maps %lu "
	       "(limit %lu)\n",
	       PAGES, in.rss_anon * 4, in.min_flt, st1.used[HOSTMAP_USER],
	       st1.budget[HOSTMAP_USER], st1.ondemand_maps - st0.ondemand_maps,
	       j.maps_peak, limit);
	CHECK_EQ(in.killed, 0);
	CHECK_EQ(in.rss_anon, PAGES);
	CHECK(st1.used[HOSTMAP_USER] <= st1.budget[HOSTMAP_USER]);
	CHECK(st1.ondemand_maps - st0.ondemand_maps >=
	      PAGES / 2); /* past the budget */
	CHECK(j.maps_peak < limit);
	CHECK_EQ(kmem_process_run(p, check_pages, &j), 0);
	hostmap_get_stats(&st2);
	kmem_process_info(p, &in);
	printf("user_pages_fully_scattered: %lu bad bytes, %lu software-TLB refills, "
	       "%lu minor faults after the check\n",
	       j.bad, st2.ondemand_maps - st1.ondemand_maps, in.min_flt);
	CHECK_EQ(j.bad, 0);
	CHECK_EQ(in.killed, 0);
	/* The check pass re-faults every page evicted from the ring: refills,
	 * not faults (the minor count is the one of the write pass). */
	CHECK(st2.ondemand_maps - st1.ondemand_maps >= PAGES / 2);
	CHECK(in.min_flt <= PAGES + 64);
	CHECK(kmem_check_invariants());
	CHECK_EQ(kmem_process_exit(p), 0);
	hostmap_get_stats(&st2);
	CHECK_EQ(st2.used[HOSTMAP_USER], 0);
	for (i = 0; i < nr; i++)
		if (hold[i])
			__free_page(hold[i]);
	CHECK(kmem_check_invariants());
}

int main(void)
{
	struct kmem_config cfg = { .ram = 1ULL << 30, .quiet = true };

	setvbuf(stdout, NULL, _IONBF, 0);
	if (kmem_boot(&cfg))
		return 1;
	RUN(user_pages_fully_scattered);
	return test_summary();
}
