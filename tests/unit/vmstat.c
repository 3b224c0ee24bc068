// SPDX-License-Identifier: MIT
/*
 * The per-CPU deltas of the zone counters (mm/vmstat.c): the threshold the
 * CPUs use is the one zoneinfo prints, a delta is folded exactly when it
 * passes it, and after refresh_vm_stats() the counters are exact even when
 * several threads share each simulated CPU.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <kmem/show.h>
#include "mm/internal.h"
#include "test.h"

/* The zone GFP_KERNEL is served from on a 256 MiB x86-64 machine. */
static struct zone *main_zone(void)
{
	return &contig_page_data.node_zones[ZONE_DMA32];
}

static void reboot(unsigned int cpus)
{
	struct kmem_config cfg = { .ram = 256ULL << 20,
				   .layout = KMEM_LAYOUT_X86_64,
				   .cpus = cpus,
				   .quiet = true };

	CHECK_EQ(test_boot(&cfg), 0);
}

static void show_to_null(const char *view)
{
	FILE *f = fopen("/dev/null", "w");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(kmem_show(view, f), 0);
	fclose(f);
}

/* The threshold held by every CPU is calculate_normal_threshold() of the
 * zone, and zoneinfo prints it. */
TEST(threshold_is_the_one_printed)
{
	struct zone *zone = main_zone();
	char *buf = NULL, line[64];
	size_t len = 0;
	FILE *f;
	int cpu, t;

	reboot(4);
	t = zone_stat_threshold(zone);
	/* 4 CPUs: 2 * fls(4) = 6; 256 MiB = 2 units of 128 MiB: 1 + fls(1) = 2
	 * (managed is a little under 256 MiB). */
	CHECK_EQ(t, 12);
	for_each_online_cpu(cpu)
		CHECK_EQ(zone->per_cpu_pageset[cpu].zstats.stat_threshold, t);
	f = open_memstream(&buf, &len);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(kmem_show("zoneinfo", f), 0);
	fclose(f);
	snprintf(line, sizeof(line), "vm stats threshold: %d", t);
	CHECK(strstr(buf, line) != NULL);
	free(buf);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* A delta stays on its CPU until it would pass the threshold, then the whole
 * of it moves to the zone. NR_ZONE_WRITE_PENDING: nobody else counts it. */
TEST(fold_at_threshold)
{
	struct zone *zone = main_zone();
	enum zone_stat_item item = NR_ZONE_WRITE_PENDING;
	struct per_cpu_pages *pcp;
	long base;
	int i, t;

	reboot(2);
	kmem_set_cpu(1);
	pcp = &zone->per_cpu_pageset[1];
	t = pcp->zstats.stat_threshold;
	refresh_vm_stats();
	base = (long)zone_page_state(zone, item);
	for (i = 0; i < t; i++)
		mod_zone_page_state(zone, item, 1);
	CHECK_EQ((long)zone_page_state(zone, item), base);
	CHECK_EQ(pcp->zstats.vm_stat_diff[item], t);
	CHECK_EQ((long)zone_page_state_snapshot(zone, item), base + t);
	mod_zone_page_state(zone, item, 1);
	CHECK_EQ((long)zone_page_state(zone, item), base + t + 1);
	CHECK_EQ(pcp->zstats.vm_stat_diff[item], 0);
	/* Negative deltas, and a delta larger than the threshold at once. */
	mod_zone_page_state(zone, item, -3);
	CHECK_EQ(pcp->zstats.vm_stat_diff[item], -3);
	mod_zone_page_state(zone, item, -(long)(t + 1) + 3);
	CHECK_EQ((long)zone_page_state(zone, item), base);
	CHECK_EQ(pcp->zstats.vm_stat_diff[item], 0);
	mod_zone_page_state(zone, item, 1000);
	CHECK_EQ((long)zone_page_state(zone, item), base + 1000);
	mod_zone_page_state(zone, item, -1000);
	CHECK_EQ((long)zone_page_state(zone, item), base);
	/* The view folds before printing. */
	mod_zone_page_state(zone, item, 2);
	CHECK_EQ((long)zone_page_state(zone, item), base);
	show_to_null("zoneinfo");
	CHECK_EQ((long)zone_page_state(zone, item), base + 2);
	CHECK_EQ(pcp->zstats.vm_stat_diff[item], 0);
	mod_zone_page_state(zone, item, -2);
	refresh_vm_stats();
	CHECK_EQ((long)zone_page_state(zone, item), base);
	CHECK(kmem_check_invariants());
	test_halt();
}

#define NR_THREADS 6
#define PAIRS 20000

struct worker {
	pthread_t th;
	int id;
	long mlock_net;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct zone *zone = main_zone();
	struct page *held[8] = { 0 };
	unsigned int held_order[8] = { 0 };
	long i;

	/* No kmem_set_cpu(): threads get CPUs round robin, so 6 threads share
	 * 2 CPUs and race on each CPU's deltas. */
	for (i = 0; i < PAIRS; i++) {
		unsigned int order = (unsigned int)(i % 5 == 4 ? 4 : i % 2);
		struct page *p = alloc_pages(GFP_KERNEL, order);
		int slot = (int)(i % 8);

		if (!p) {
			CHECK(p != NULL);
			break;
		}
		/* Keep a few pages a while so that lists refill and drain,
		 * and free some from another thread's CPU's list. */
		if (held[slot])
			__free_pages(held[slot], held_order[slot]);
		held[slot] = p;
		held_order[slot] = order;
		/* A generic counter from outside the allocator, both ways. */
		mod_zone_page_state(zone, NR_MLOCK, (i & 3) ? 1 : -2);
		w->mlock_net += (i & 3) ? 1 : -2;
	}
	for (i = 0; i < 8; i++)
		if (held[i])
			__free_pages(held[i], held_order[i]);
	return NULL;
}

TEST(exact_after_fold_under_threads)
{
	struct worker w[NR_THREADS];
	unsigned long hit0[MAX_NR_ZONES], local0[MAX_NR_ZONES], hits = 0;
	struct page_alloc_stats st0, st1;
	struct zone *zone;
	long mlock0, net = 0;
	int i;

	reboot(2);
	refresh_vm_stats();
	for_each_zone(zone) {
		hit0[zone->idx] = zone_page_state(zone, NUMA_HIT);
		local0[zone->idx] = zone_page_state(zone, NUMA_LOCAL);
	}
	mlock0 = (long)zone_page_state(main_zone(), NR_MLOCK);
	page_alloc_get_stats(&st0);
	for (i = 0; i < NR_THREADS; i++) {
		w[i].id = i;
		w[i].mlock_net = 0;
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(w[i].th, NULL);
		net += w[i].mlock_net;
	}
	page_alloc_get_stats(&st1);
	/* Before folding: the snapshot is exact, the folded value lags by at
	 * most threshold per CPU. */
	zone = main_zone();
	CHECK_EQ((long)zone_page_state_snapshot(zone, NR_MLOCK), mlock0 + net);
	CHECK(labs((long)zone_page_state(zone, NR_MLOCK) - (mlock0 + net)) <=
	      (long)nr_cpu_ids * zone_stat_threshold(zone));
	CHECK(kmem_check_invariants());
	refresh_vm_stats();
	CHECK_EQ((long)zone_page_state(zone, NR_MLOCK), mlock0 + net);
	for_each_zone(zone) {
		unsigned long h =
			zone_page_state(zone, NUMA_HIT) - hit0[zone->idx];
		int cpu, k;

		CHECK_EQ(zone_page_state(zone, NUMA_LOCAL) - local0[zone->idx],
			 h);
		hits += h;
		if (!zone->per_cpu_pageset)
			continue;
		for_each_online_cpu(cpu)
			for (k = 0; k < NR_VM_ZONE_STAT_ITEMS; k++)
				CHECK_EQ(zone->per_cpu_pageset[cpu]
						 .zstats.vm_stat_diff[k],
					 0);
	}
	/* Every allocation counted once: NUMA_HIT == allocations made. */
	CHECK_EQ(hits, (unsigned long)NR_THREADS * PAIRS);
	CHECK_EQ(st1.alloc_fast - st0.alloc_fast,
		 (unsigned long)NR_THREADS * PAIRS);
	CHECK(st1.pcp_hits > st0.pcp_hits);
	mod_zone_page_state(main_zone(), NR_MLOCK, -net);
	refresh_vm_stats();
	CHECK_EQ((long)zone_page_state(main_zone(), NR_MLOCK), mlock0);
	CHECK(kmem_check_invariants());
	test_halt();
}

int main(void)
{
	RUN(threshold_is_the_one_printed);
	RUN(fold_at_threshold);
	RUN(exact_after_fold_under_threads);
	return test_summary();
}
