// SPDX-License-Identifier: MIT
/*
 * The host-mapping module (arch/x86/hostmap.c): the budget split and its
 * accounting, the on-demand ring's eviction and refill on a range of our own,
 * and its use by user address spaces: the count of a process's host
 * mappings against the host's own (/proc/self/maps), pages backed by
 * adjacent frames sharing one mapping, and a process past a tiny budget
 * running through the ring, with refills not counted as page faults.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/vmalloc.h>
#include <kmem/kmem.h>
#include <kmem/process.h>
#include "arch/x86/machine.h"
#include "mm/internal.h"
#include "mm/mm_user.h"
#include "mm/vmalloc.h"
#include "test.h"

static void boot(void)
{
	struct kmem_config cfg = { .ram = 256ULL << 20, .quiet = true };

	CHECK_EQ(test_boot(&cfg), 0);
}

TEST(budget_split_and_accounting)
{
	struct hostmap_stats st, st2;
	unsigned long old;

	boot();
	hostmap_get_stats(&st);
	CHECK(st.max_map_count >= 8192);
	CHECK_EQ(st.budget[HOSTMAP_VMALLOC], st.max_map_count / 2);
	/* The user budget is what is left after vmalloc's half and the reserve
	 * for the ring, pkmap and the C library. */
	CHECK(st.budget[HOSTMAP_USER] > st.max_map_count / 4);
	CHECK(st.budget[HOSTMAP_USER] + st.budget[HOSTMAP_VMALLOC] +
		      2 * HOSTMAP_RING_SLOTS <
	      st.max_map_count);
	CHECK_EQ(st.budget[HOSTMAP_KERNEL], 0);
	CHECK_EQ(st.budget[HOSTMAP_ONDEMAND], 0);
	CHECK(st.used[HOSTMAP_KERNEL] >= 2); /* the direct map */
	CHECK_EQ(st.used[HOSTMAP_USER], 0);
	CHECK_EQ(st.ring_live, 0);

	old = hostmap_set_budget(HOSTMAP_USER, 10);
	CHECK_EQ(old, st.budget[HOSTMAP_USER]);
	CHECK(hostmap_charge(HOSTMAP_USER, 6));
	CHECK(!hostmap_charge(HOSTMAP_USER, 5)); /* 11 > 10: nothing charged */
	CHECK_EQ(hostmap_used(HOSTMAP_USER), 6);
	CHECK(hostmap_charge(HOSTMAP_USER, 4)); /* exactly the budget */
	CHECK(!hostmap_charge(HOSTMAP_USER, 1));
	CHECK(hostmap_charge(HOSTMAP_USER, -3)); /* giving back always works */
	CHECK(hostmap_charge(HOSTMAP_USER, 0));
	CHECK_EQ(hostmap_used(HOSTMAP_USER), 7);
	hostmap_get_stats(&st2);
	CHECK_EQ(st2.over_budget, st.over_budget + 2);
	CHECK_EQ(st2.total, st.total + 7);
	hostmap_account(HOSTMAP_USER, -7);
	CHECK_EQ(hostmap_set_budget(HOSTMAP_USER, 0), 10);
	CHECK_EQ(hostmap_budget(HOSTMAP_USER), st.budget[HOSTMAP_USER]);
	/* Classes are independent: vmalloc's budget does not limit users. */
	old = hostmap_set_budget(HOSTMAP_VMALLOC, 1);
	CHECK(hostmap_charge(HOSTMAP_USER, 2));
	hostmap_account(HOSTMAP_USER, -2);
	hostmap_set_budget(HOSTMAP_VMALLOC, old);
	CHECK_EQ(hostmap_used(HOSTMAP_USER), 0);
}

/* A range of our own mapped only through the ring, with a fault handler
 * that refills it from a table of frames (our "page table"). */
#define RANGE_PAGES (HOSTMAP_RING_SLOTS + 88)
static unsigned long range;
static struct page *frames[RANGE_PAGES];
static volatile unsigned long refills;

static enum kmem_fault_result range_fault(struct kmem_fault *f)
{
	unsigned long i;

	if (!range || f->address < range ||
	    f->address >= range + RANGE_PAGES * PAGE_SIZE)
		return KMEM_FAULT_NOT_MINE;
	i = (f->address - range) >> PAGE_SHIFT;
	if (hostmap_ondemand_map(f->address, page_to_phys(frames[i]),
				 PROT_READ | PROT_WRITE))
		return KMEM_FAULT_OOPS;
	refills++;
	return KMEM_FAULT_HANDLED;
}

KMEM_HOOK(range_fault_hook, range_fault, 0);

TEST(ring_eviction_and_refill)
{
	struct hostmap_stats st0, st;
	unsigned long i, maps0;
	volatile unsigned char *p;

	boot();
	range = (unsigned long)arch_reserve(0, RANGE_PAGES * PAGE_SIZE,
					    PAGE_SIZE);
	CHECK(range != 0);
	for (i = 0; i < RANGE_PAGES; i++) {
		frames[i] = alloc_page(GFP_KERNEL);
		memset(page_address(frames[i]), (int)(i & 0xff), PAGE_SIZE);
	}
	kmem_register_fault_handler(&range_fault_hook);
	hostmap_get_stats(&st0);
	maps0 = host_map_count();
	/* Fill every slot: every other page, so no two slots merge. */
	for (i = 0; i < 2 * HOSTMAP_RING_SLOTS && i < RANGE_PAGES; i += 2)
		CHECK_EQ(hostmap_ondemand_map(range + i * PAGE_SIZE,
					      page_to_phys(frames[i]),
					      PROT_READ),
			 0);
	hostmap_get_stats(&st);
	CHECK_EQ(st.ring_live, (RANGE_PAGES + 1) / 2);
	CHECK_EQ(st.used[HOSTMAP_ONDEMAND], 2 * st.ring_live);
	/* The ring's count of host mappings is an upper bound of the host's. */
	CHECK(host_map_count() - maps0 <= st.used[HOSTMAP_ONDEMAND]);
	CHECK(host_map_count() - maps0 >= st.ring_live);
	CHECK_EQ(st.ondemand_evictions, st0.ondemand_evictions);
	p = (volatile unsigned char *)range;
	CHECK_EQ(p[2 * PAGE_SIZE], 2); /* mapped: no fault */
	CHECK_EQ(refills, 0);
	hostmap_ondemand_drop(range, range + RANGE_PAGES * PAGE_SIZE, true);
	hostmap_get_stats(&st);
	CHECK_EQ(st.ring_live, 0);
	CHECK_EQ(st.used[HOSTMAP_ONDEMAND], 0);
	CHECK_EQ(host_map_count(), maps0);

	/* Touch every page in order: one refill each, the ring wraps around
	 * and the first pages are evicted (back to PROT_NONE). */
	for (i = 0; i < RANGE_PAGES; i++)
		CHECK_EQ(p[i * PAGE_SIZE + 7], (unsigned char)i);
	CHECK_EQ(refills, RANGE_PAGES);
	hostmap_get_stats(&st);
	CHECK_EQ(st.ring_live, HOSTMAP_RING_SLOTS);
	CHECK_EQ(st.ondemand_evictions - st0.ondemand_evictions,
		 RANGE_PAGES - HOSTMAP_RING_SLOTS);
	CHECK(!hostmap_ondemand_mapped(range)); /* evicted */
	CHECK(hostmap_ondemand_mapped(range + (RANGE_PAGES - 1) * PAGE_SIZE));
	CHECK(hostmap_ondemand_mapped(
		range + (RANGE_PAGES - HOSTMAP_RING_SLOTS) * PAGE_SIZE));
	CHECK(!hostmap_ondemand_mapped(
		range + (RANGE_PAGES - HOSTMAP_RING_SLOTS - 1) * PAGE_SIZE));
	/* The most recent pages are still mapped: no refill. */
	CHECK_EQ(p[(RANGE_PAGES - 1) * PAGE_SIZE],
		 (unsigned char)(RANGE_PAGES - 1));
	CHECK_EQ(refills, RANGE_PAGES);
	/* An evicted page refaults and is refilled with its contents, written
	 * through the ring before. */
	p[PAGE_SIZE + 5] = 0xab;
	CHECK_EQ(refills, RANGE_PAGES + 1);
	hostmap_ondemand_drop(range + PAGE_SIZE, range + 2 * PAGE_SIZE, true);
	CHECK_EQ(p[PAGE_SIZE + 5], 0xab);
	CHECK_EQ(refills, RANGE_PAGES + 2);
	CHECK_EQ(((unsigned char *)page_address(frames[1]))[5], 0xab);
	hostmap_ondemand_drop(range, range + RANGE_PAGES * PAGE_SIZE, true);
	hostmap_get_stats(&st);
	CHECK_EQ(st.ring_live, 0);
	CHECK_EQ(st.used[HOSTMAP_ONDEMAND], 0);
	range = 0;
	for (i = 0; i < RANGE_PAGES; i++)
		__free_page(frames[i]);
}

/* ---- user address spaces ---- */

struct touch {
	unsigned char *mem;
	unsigned long pages, stride; /* touch pages 0, stride, 2*stride, ... */
	int mode;		     /* 0 read, 1 write, 2 check, 6 mmap only */
	unsigned long bad, sum;
	int prot; /* mode 3: mprotect the mapping to prot */
};

static int touch_body(void *arg)
{
	struct touch *t = arg;
	unsigned long i;

	if (!t->mem) {
		t->mem = kmem_sys_mmap(NULL, t->pages * PAGE_SIZE,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->mem == MAP_FAILED)
			return -1;
	}
	if (t->mode == 6)
		return 0;
	if (t->mode == 3)
		return kmem_sys_mprotect(t->mem, t->pages * PAGE_SIZE, t->prot);
	if (t->mode == 4)
		return kmem_sys_madvise(t->mem, t->pages * PAGE_SIZE / 2,
					MADV_FREE);
	if (t->mode == 5)
		return kmem_sys_munmap(t->mem + t->pages * PAGE_SIZE / 2,
				       t->pages * PAGE_SIZE / 4);
	for (i = 0; i < t->pages; i += t->stride) {
		unsigned char *b = t->mem + i * PAGE_SIZE + (i % 4000);

		if (t->mode == 0)
			t->sum += *(volatile unsigned char *)b;
		else if (t->mode == 1)
			*b = (unsigned char)(i + 3);
		else if (*(volatile unsigned char *)b != (unsigned char)(i + 3))
			t->bad++;
	}
	return 0;
}

static struct kmem_process_info info_of(struct kmem_process *p)
{
	struct kmem_process_info in;

	kmem_process_info(p, &in);
	return in;
}

/* The count follows the host: a process's host mappings, counted from its
 * ptes, equal what the host's /proc/self/maps gains; pages backed by
 * adjacent frames share one host mapping. */
TEST(user_count_matches_host)
{
	struct touch t = { NULL, 2048, 1, 6, 0, 0, 0 };
	struct kmem_process *p;
	unsigned long maps0, i, runs = 1, prev;
	long used0;

	boot();
	p = kmem_process_create("count");
	CHECK(p != NULL);
	if (!p)
		return;
	used0 = (long)hostmap_used(HOSTMAP_USER);
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0); /* mmap only */
	maps0 = host_map_count();
	t.mode = 1;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	/* The frames behind the pages: count their physical runs. */
	prev = 0;
	for (i = 0; i < t.pages; i++) {
		unsigned long u = kmem_user_addr(t.mem + i * PAGE_SIZE),
			      pfn = 0;
		pteval_t *pte = pgtable_pte(&p->mm.pgt, u, false);

		if (pte)
			pfn = pte_pfn(*pte);
		if (i && pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	printf("user_count_matches_host: %lu pages in %lu physical runs: %ld host mappings "
	       "counted, the host gained %lu\n",
	       t.pages, runs, p->mm.host_maps, host_map_count() - maps0);
	/* One mapping per run, plus the split of the reservation. */
	CHECK_EQ(p->mm.host_maps, (long)runs + 1);
	CHECK_EQ((long)(host_map_count() - maps0), p->mm.host_maps);
	CHECK_EQ((long)hostmap_used(HOSTMAP_USER) - used0, p->mm.host_maps);
	CHECK(runs <
	      t.pages / 8); /* a fresh machine hands out adjacent frames */
	/* Read-only protection of the whole mapping: still one per run. */
	t.mode = 3;
	t.prot = PROT_READ;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	CHECK_EQ((long)(host_map_count() - maps0), p->mm.host_maps);
	t.prot = PROT_READ | PROT_WRITE;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	/* MADV_FREE of the first half makes it read-only in the host. */
	t.mode = 4;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	CHECK_EQ((long)(host_map_count() - maps0), p->mm.host_maps);
	t.mode = 5;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	CHECK_EQ((long)(host_map_count() - maps0), p->mm.host_maps);
	CHECK(user_hostmap_check());
	CHECK(kmem_check_invariants());
	CHECK_EQ(kmem_process_exit(p), 0);
	CHECK_EQ((long)hostmap_used(HOSTMAP_USER), used0);
}

/* Past a budget of 64, a process runs through the ring: reads of the zero
 * page, copy on write, checks, mprotect, munmap; refills are not faults. */
TEST(user_past_the_budget)
{
	struct touch t = { NULL, 4096, 2, 0, 0, 0, 0 };
	unsigned long touched = 2048, old, refills0;
	struct kmem_process_info in, in2;
	struct hostmap_stats st0, st;
	struct kmem_process *p;

	boot();
	old = hostmap_set_budget(HOSTMAP_USER, 64);
	p = kmem_process_create("budget");
	CHECK(p != NULL);
	if (!p)
		return;
	hostmap_get_stats(&st0);
	/* Every other page: each page is alone, two host mappings each. */
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0); /* read: zero page */
	in = info_of(p);
	CHECK_EQ(in.zero_mapped, touched);
	CHECK(p->mm.host_maps <= 64);
	t.mode = 1;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0); /* write: COW */
	in = info_of(p);
	CHECK_EQ(in.rss_anon, touched);
	CHECK_EQ(in.zero_mapped, 0);
	CHECK(p->mm.host_maps <= 64);
	hostmap_get_stats(&st);
	CHECK(st.ondemand_maps - st0.ondemand_maps >= 2 * touched - 64);
	CHECK_EQ(st.ring_live, HOSTMAP_RING_SLOTS);
	refills0 = st.ondemand_maps;
	t.mode = 2;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0); /* check: refills */
	CHECK_EQ(t.bad, 0);
	in2 = info_of(p);
	hostmap_get_stats(&st);
	printf("user_past_the_budget: %lu pages, %ld host mappings (budget 64), "
	       "%lu minor faults, check pass: %lu refills, %lu more faults\n",
	       touched, p->mm.host_maps, in.min_flt,
	       st.ondemand_maps - refills0, in2.min_flt - in.min_flt);
	CHECK(st.ondemand_maps - refills0 >= touched - 64 - HOSTMAP_RING_SLOTS);
	CHECK_EQ(in2.min_flt, in.min_flt); /* refills are not page faults */
	CHECK_EQ(in2.maj_flt, in.maj_flt);
	/* Read-only: the ring's writable pages leave it; reads refill them
	 * read-only; back to writable and everything still there. */
	t.mode = 3;
	t.prot = PROT_READ;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	t.mode = 2;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	CHECK_EQ(t.bad, 0);
	t.mode = 3;
	t.prot = PROT_READ | PROT_WRITE;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	t.mode = 1;
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	CHECK(user_hostmap_check());
	t.mode = 4; /* MADV_FREE half */
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	t.mode = 5; /* munmap a quarter */
	CHECK_EQ(kmem_process_run(p, touch_body, &t), 0);
	CHECK(user_hostmap_check());
	CHECK(kmem_check_invariants());
	CHECK_EQ(info_of(p).killed, 0);
	CHECK_EQ(kmem_process_exit(p), 0);
	hostmap_get_stats(&st);
	CHECK_EQ(st.used[HOSTMAP_USER], 0);
	CHECK_EQ(st.ring_live, 0); /* the exit dropped the process's slots */
	hostmap_set_budget(HOSTMAP_USER, old);
}

/* Two processes in two threads and a demand-mode vmalloc area in a third,
 * all past their budgets: they evict each other's ring slots all the time and
 * every byte stays right. */
struct racer {
	struct kmem_process *p;
	struct touch t;
	int ret[3];
};

static void *racer_thread(void *arg)
{
	struct racer *r = arg;
	int i;

	for (i = 0; i < 3; i++) {
		r->t.mode = i == 0 ? 1 : 2;
		r->ret[i] = kmem_process_run(r->p, touch_body, &r->t);
	}
	return NULL;
}

TEST(ring_shared_across_layers_and_threads)
{
	unsigned long old_user, old_vm, i, size = 2UL << 20, bad = 0;
	struct racer r[2];
	pthread_t th[2];
	unsigned char *v;
	int k;

	boot();
	old_user = hostmap_set_budget(HOSTMAP_USER, 32);
	old_vm = vmalloc_set_host_map_budget(1);
	v = vmalloc(size); /* demand mode: budget 1 */
	CHECK(v != NULL);
	if (!v)
		return;
	for (k = 0; k < 2; k++) {
		memset(&r[k], 0, sizeof(r[k]));
		r[k].p = kmem_process_create("racer");
		r[k].t.pages = 2048;
		r[k].t.stride = 2;
		CHECK(r[k].p != NULL);
		pthread_create(&th[k], NULL, racer_thread, &r[k]);
	}
	for (k = 0; k < 3; k++) {
		for (i = 0; i < size; i += 512)
			v[i] = (unsigned char)(i >> 9);
		for (i = 0; i < size; i += 512)
			bad += v[i] != (unsigned char)(i >> 9);
	}
	for (k = 0; k < 2; k++) {
		pthread_join(th[k], NULL);
		CHECK_EQ(r[k].ret[0], 0);
		CHECK_EQ(r[k].ret[1], 0);
		CHECK_EQ(r[k].ret[2], 0);
		CHECK_EQ(r[k].t.bad, 0);
	}
	CHECK_EQ(bad, 0);
	CHECK(user_hostmap_check());
	CHECK(kmem_check_invariants());
	for (k = 0; k < 2; k++)
		CHECK_EQ(kmem_process_exit(r[k].p), 0);
	vfree(v);
	vm_unmap_aliases();
	CHECK_EQ(hostmap_used(HOSTMAP_USER), 0);
	CHECK_EQ(hostmap_used(HOSTMAP_ONDEMAND), 0);
	hostmap_set_budget(HOSTMAP_USER, old_user);
	vmalloc_set_host_map_budget(old_vm);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	RUN(budget_split_and_accounting);
	RUN(ring_eviction_and_refill);
	RUN(user_count_matches_host);
	RUN(user_past_the_budget);
	RUN(ring_shared_across_layers_and_threads);
	test_halt();
	return test_summary();
}
