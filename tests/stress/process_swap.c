// SPDX-License-Identifier: MIT
/*
 * Swap and the OOM killer on a small machine (64 MiB RAM): processes fill
 * more than RAM, pages leave for swap and come back with the same contents
 * (every page checksummed); kernel pages never move; mlocked pages stay
 * resident; with swap full the OOM killer kills the process with the most
 * memory and the machine carries on. Public API only, bounded to seconds.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kmem/kmem.h>
#include <kmem/process.h>
#include "test.h"

#define MIB (1UL << 20)
#define PG 4096UL

static void boot(unsigned long long swap)
{
	struct kmem_config cfg = {
		.ram = 64ULL << 20, .swap = swap, .cpus = 2, .quiet = true
	};

	CHECK_EQ(test_boot(&cfg), 0);
}

static uint64_t page_word(unsigned int seed, unsigned long page,
			  unsigned long word)
{
	uint64_t x = ((uint64_t)seed << 40) ^ (page << 12) ^ word;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 29;
	return x;
}

struct fill {
	unsigned int seed;
	unsigned long pages;
	uint64_t *mem;
	unsigned long bad;
	bool lock;
	bool noreserve;
};

static int fill_body(void *arg)
{
	struct fill *f = arg;
	unsigned long i, w;

	f->mem = kmem_sys_mmap(NULL, f->pages * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS |
				       (f->noreserve ? MAP_NORESERVE : 0),
			       -1, 0);
	if (f->mem == MAP_FAILED)
		return -1;
	if (f->lock && kmem_sys_mlock(f->mem, f->pages * PG))
		return -2;
	for (i = 0; i < f->pages; i++)
		for (w = 0; w < PG / 8; w++)
			f->mem[i * (PG / 8) + w] = page_word(f->seed, i, w);
	return 0;
}

static int verify_body(void *arg)
{
	struct fill *f = arg;
	unsigned long i, w;

	f->bad = 0;
	for (i = 0; i < f->pages; i++)
		for (w = 0; w < PG / 8; w++)
			if (f->mem[i * (PG / 8) + w] !=
			    page_word(f->seed, i, w)) {
				f->bad++;
				break;
			}
	return 0;
}

static struct kmem_process_info info_of(struct kmem_process *p)
{
	struct kmem_process_info in;

	kmem_process_info(p, &in);
	return in;
}

TEST(swap_out_and_back)
{
	struct kmem_process *p[3];
	struct fill f[3];
	struct page *kpages[64];
	void *kaddr[64], *kobj[256];
	unsigned long kobj_phys[256];
	unsigned long free_before, swapped = 0;
	long swap_total;
	int i, j;

	boot(64ULL << 20);
	swap_total = meminfo_kb("SwapTotal:");
	CHECK_EQ(swap_total, 64 * 1024 - 4); /* slot 0 is the header */
	CHECK_EQ(meminfo_kb("SwapFree:"), swap_total);
	free_before = kmem_free_pages_drained();
	/* Kernel pages with known contents: never swapped, never moved. */
	for (i = 0; i < 64; i++) {
		kpages[i] = alloc_pages(GFP_KERNEL, 0);
		kaddr[i] = page_address(kpages[i]);
		memset(kaddr[i], i + 1, PG);
	}
	for (i = 0; i < 256; i++) {
		kobj[i] = kmalloc(128, GFP_KERNEL);
		kobj_phys[i] = (unsigned long)virt_to_phys(kobj[i]);
		memset(kobj[i], 0x80 | i, 128);
	}
	/* 3 x 32 MiB of user memory on a 64 MiB machine. */
	for (i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "filler%d", i);
		p[i] = kmem_process_create(name);
		f[i] = (struct fill){ .seed = (unsigned int)i + 1,
				      .pages = 32 * MIB / PG };
		CHECK_EQ(kmem_process_run(p[i], fill_body, &f[i]), 0);
	}
	for (i = 0; i < 3; i++)
		swapped += info_of(p[i]).swap;
	CHECK(swapped > 8000);
	CHECK(meminfo_kb("SwapFree:") < swap_total - 30000);
	CHECK(info_of(p[0]).swap > 0);
	CHECK(kmem_check_invariants());
	/* Every page comes back with its contents; reading swapped pages are
	 * major faults. */
	for (i = 0; i < 3; i++) {
		unsigned long before = info_of(p[i]).maj_flt,
			      sw = info_of(p[i]).swap;

		CHECK_EQ(kmem_process_run(p[i], verify_body, &f[i]), 0);
		CHECK_EQ(f[i].bad, 0);
		CHECK(info_of(p[i]).maj_flt - before >= sw);
	}
	for (i = 0; i < 64; i++) {
		unsigned char *c = kaddr[i];

		CHECK(page_address(kpages[i]) == kaddr[i]);
		for (j = 0; j < (int)PG; j++)
			if (c[j] != (unsigned char)(i + 1)) {
				CHECK(0);
				break;
			}
		__free_pages(kpages[i], 0);
	}
	for (i = 0; i < 256; i++) {
		unsigned char *c = kobj[i];

		CHECK_EQ((unsigned long)virt_to_phys(kobj[i]), kobj_phys[i]);
		CHECK(c[0] == (unsigned char)(0x80 | i) &&
		      c[127] == (unsigned char)(0x80 | i));
		kfree(kobj[i]);
	}
	for (i = 0; i < 3; i++)
		CHECK_EQ(kmem_process_exit(p[i]), 0);
	CHECK_EQ(meminfo_kb("SwapFree:"), swap_total);
	CHECK(kmem_free_pages_drained() + 8 >=
	      free_before); /* slabs kept by caches */
	CHECK(kmem_check_invariants());
}

TEST(mlock_stays_resident)
{
	struct kmem_process *locked, *hog;
	struct fill fl = { .seed = 7, .pages = 4 * MIB / PG, .lock = true };
	struct fill fh = { .seed = 8, .pages = 80 * MIB / PG };

	boot(64ULL << 20);
	locked = kmem_process_create("locked");
	hog = kmem_process_create("hog");
	CHECK_EQ(kmem_process_run(locked, fill_body, &fl), 0);
	CHECK_EQ(meminfo_kb("Mlocked:"), 4096);
	CHECK_EQ(kmem_process_run(hog, fill_body, &fh), 0);
	CHECK(info_of(hog).swap > 0);
	CHECK_EQ(info_of(locked).swap, 0);
	CHECK_EQ(info_of(locked).rss_anon, 1024);
	CHECK_EQ(kmem_process_run(locked, verify_body, &fl), 0);
	CHECK_EQ(fl.bad, 0);
	CHECK_EQ(info_of(locked).maj_flt, 0);
	CHECK_EQ(kmem_process_run(hog, verify_body, &fh), 0);
	CHECK_EQ(fh.bad, 0);
	CHECK_EQ(kmem_process_exit(locked), 0);
	CHECK_EQ(kmem_process_exit(hog), 0);
	CHECK_EQ(meminfo_kb("Mlocked:"), 0);
}

TEST(oom_killer)
{
	struct kmem_process *big, *small;
	struct fill fb = { .seed = 3, .pages = 48 * MIB / PG };
	struct fill fs = { .seed = 4, .pages = 40 * MIB / PG };
	unsigned long free_before;
	size_t mark;
	char want[128];
	int status;

	boot(16ULL << 20);
	free_before = kmem_free_pages_drained();
	big = kmem_process_create("big");
	small = kmem_process_create("small");
	CHECK_EQ(kmem_process_run(big, fill_body, &fb), 0);
	mark = kmem_log_mark();
	/* 48 + 40 MiB > 64 MiB RAM + 16 MiB swap: someone must go, and it is
	 * the largest, not the one asking. */
	CHECK_EQ(kmem_process_run(small, fill_body, &fs), 0);
	snprintf(want, sizeof(want),
		 "Out of memory: Killed process %d (big) total-vm:",
		 kmem_process_pid(big));
	CHECK_LOG(mark, want);
	CHECK_LOG(mark, "small invoked oom-killer: gfp_mask=0x");
	CHECK_LOG(mark, "oom_reaper: reaped process");
	CHECK_EQ(info_of(big).killed, SIGKILL);
	CHECK_EQ(info_of(big).rss_anon + info_of(big).swap, 0);
	CHECK_EQ(kmem_process_run(small, verify_body, &fs), 0);
	CHECK_EQ(fs.bad, 0);
	/* The victim cannot be entered; exit reports SIGKILL. */
	CHECK_EQ(kmem_process_enter(big), -ESRCH);
	status = kmem_process_exit(big);
	CHECK_EQ(status, SIGKILL);
	CHECK_EQ(kmem_process_exit(small), 0);
	CHECK(kmem_check_invariants());
	CHECK_EQ(kmem_free_pages_drained(), free_before);
	/* When the one asking is the largest, it dies itself. */
	big = kmem_process_create("grower");
	fb.pages = 100 * MIB / PG; /* more than RAM + swap: MAP_NORESERVE */
	fb.noreserve = true;
	mark = kmem_log_mark();
	CHECK_EQ(kmem_process_run(big, fill_body, &fb), -SIGKILL);
	CHECK_LOG(mark, "(grower) total-vm:");
	CHECK_EQ(kmem_process_exit(big), SIGKILL);
	CHECK(kmem_check_invariants());
	CHECK_EQ(kmem_free_pages_drained(), free_before);
	test_halt();
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN_KEEP(swap_out_and_back);
	RUN_KEEP(mlock_stays_resident);
	RUN_KEEP(oom_killer);
	return test_summary();
}
