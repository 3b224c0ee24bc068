// SPDX-License-Identifier: MIT
/*
 * The simulated CPUs across kmem_halt() and the next boot. The booting thread
 * is CPU 0 on every boot, as the kernel's boot CPU is, so a second machine
 * booted in the same process is the same as the first down to zoneinfo's
 * per-CPU page lists. A thread that outlives a machine keeps its CPU in its
 * own TLS, out of the halt's reach: on a machine with fewer CPUs it must get
 * one of the new machine's, never index the per-CPU arrays past their end.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/show.h>
#include <linux/gfp.h>
#include <linux/smp.h>
#include "test.h"

static char *view_text(const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	kmem_show(name, f);
	fclose(f);
	return buf;
}

/* Two boots of the same machine, one after the other: the same views. */
TEST(second_boot_is_the_first)
{
	static const char *const views[] = { "buddyinfo", "zoneinfo", "meminfo",
					     "pagetypeinfo" };
	struct kmem_config cfg = { .ram = 64ULL << 20,
				   .cpus = 4,
				   .quiet = true };
	char *first[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		first[i] = NULL;
	CHECK_EQ(test_boot(&cfg), 0);
	CHECK_EQ(smp_processor_id(), 0);
	for (i = 0; i < 4; i++)
		first[i] = view_text(views[i]);
	/* Run on another CPU, so only a reset puts the boot back on CPU 0. */
	kmem_set_cpu(3);
	free_page(__get_free_page(GFP_KERNEL));
	CHECK_EQ(test_boot(&cfg), 0);
	CHECK_EQ(smp_processor_id(), 0);
	for (i = 0; i < 4; i++) {
		char *again = view_text(views[i]);

		CHECK_STR(again, first[i]);
		free(again);
		free(first[i]);
	}
	test_boot_default();
}

static pthread_barrier_t bar;
static int seen_cpu = -1, bad;

static void *survivor(void *arg)
{
	unsigned long p;

	kmem_set_cpu(7); /* the last CPU of the 8-CPU machine */
	p = __get_free_page(GFP_KERNEL);
	if (!p)
		bad++;
	free_page(p);
	pthread_barrier_wait(&bar); /* the main thread boots 2 CPUs */
	pthread_barrier_wait(&bar);
	seen_cpu = smp_processor_id();
	p = __get_free_page(GFP_KERNEL); /* through this CPU's page lists */
	if (!p)
		bad++;
	free_page(p);
	pthread_barrier_wait(&bar);
	return arg;
}

/* A thread on CPU 7 of an 8-CPU machine lives through a reboot to 2 CPUs. */
TEST(thread_outlives_its_cpu)
{
	struct kmem_config big = { .ram = 64ULL << 20,
				   .cpus = 8,
				   .quiet = true };
	struct kmem_config small = { .ram = 64ULL << 20,
				     .cpus = 2,
				     .quiet = true };
	pthread_t t;

	CHECK_EQ(test_boot(&big), 0);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&t, NULL, survivor, NULL);
	pthread_barrier_wait(&bar);
	CHECK_EQ(test_boot(&small), 0);
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&bar);
	CHECK(seen_cpu >= 0 && seen_cpu < 2);
	CHECK_EQ(bad, 0);
	CHECK(kmem_check_invariants());
	test_boot_default();
}

int main(void)
{
	RUN(second_boot_is_the_first);
	RUN(thread_outlives_its_cpu);
	return test_summary();
}
