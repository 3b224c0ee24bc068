// SPDX-License-Identifier: MIT
/*
 * User address spaces through the public API: demand paging with real faults
 * (the zero page behind reads, one frame per written page), brk and mmap
 * semantics and errno values, mprotect/madvise/mlock, the segfault path,
 * /proc views, several processes in several threads, and every frame back
 * at munmap and exit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <kmem/kmem.h>
#include <kmem/process.h>
#include "test.h"

#define MIB (1UL << 20)
#define PG 4096UL

static struct kmem_process_info info_of(struct kmem_process *p)
{
	struct kmem_process_info in;

	kmem_process_info(p, &in);
	return in;
}

/* Read a "Key:   N kB" figure from a view. */
static long view_kb(const char *view, const char *key)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	long v = -1;

	kmem_show(view, f);
	fclose(f);
	line = strstr(buf, key);
	if (line)
		v = strtol(line + strlen(key), NULL, 10);
	free(buf);
	return v;
}

/* The view's text contains needle. */
static bool view_has(const char *view, const char *needle)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool found;

	kmem_show(view, f);
	fclose(f);
	found = buf && strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

TEST(mmap_demand_paging)
{
	unsigned long before = kmem_free_pages_drained(), i,
		      n = (64 * MIB) / PG;
	struct kmem_process *p = kmem_process_create("pager");
	struct kmem_process_info in;
	volatile unsigned long sum = 0;
	char *m;

	CHECK(p != NULL);
	CHECK_EQ(kmem_process_enter(p), 0);
	m = kmem_sys_mmap(NULL, 64 * MIB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	in = info_of(p);
	CHECK_EQ(in.rss_anon, 0);
	CHECK_EQ(in.vm_size, n + 33); /* + the 132 KiB stack */
	CHECK_EQ(in.vm_data, n);
	CHECK_EQ(in.vm_stk, 33);
	/* Nothing allocated but page tables. */
	CHECK(before - kmem_free_pages_drained() <=
	      16); /* the pgd, slabs for the process and its VMAs */

	for (i = 0; i < n; i++)
		sum += (unsigned char)m[i * PG];
	CHECK_EQ(sum, 0);
	in = info_of(p);
	CHECK_EQ(in.rss_anon, 0);
	CHECK_EQ(in.zero_mapped, n);
	CHECK_EQ(in.min_flt, n);
	CHECK_EQ(in.maj_flt, 0);
	/* Reading 64 MiB cost only the page tables (32 pte pages + upper). */
	CHECK(before - kmem_free_pages_drained() <= 16 + 36);

	/* One byte per page in the first 1000 pages: exactly 1000 frames. */
	for (i = 0; i < 1000; i++)
		m[i * PG] = (char)i;
	in = info_of(p);
	CHECK_EQ(in.rss_anon, 1000);
	CHECK_EQ(in.zero_mapped, n - 1000);
	CHECK_EQ(in.min_flt, n + 1000);
	CHECK_EQ(view_kb("self/status", "VmRSS:"), 4000);
	CHECK_EQ(view_kb("self/status", "RssAnon:"), 4000);
	CHECK_EQ(view_kb("self/smaps_rollup", "Anonymous:"), 4000);
	for (i = 0; i < 1000; i++)
		CHECK_EQ(m[i * PG], (char)i);
	/* Writing again does not fault. */
	m[5] = 7;
	CHECK_EQ(info_of(p).min_flt, n + 1000);

	CHECK_EQ(kmem_sys_munmap(m, 64 * MIB), 0);
	in = info_of(p);
	CHECK_EQ(in.rss_anon, 0);
	CHECK_EQ(in.zero_mapped, 0);
	CHECK_EQ(in.vm_size, 33);
	kmem_process_leave();
	CHECK_EQ(kmem_process_exit(p), 0);
	CHECK_EQ(kmem_free_pages_drained(), before);
}

TEST(brk_heap)
{
	struct kmem_process *p = kmem_process_create("heap");
	struct kmem_process_info in;
	char *base, *top, *cur;
	unsigned long i;

	CHECK_EQ(kmem_process_enter(p), 0);
	base = kmem_sys_sbrk(0);
	CHECK(base == kmem_sys_brk(NULL));
	CHECK_EQ(kmem_user_addr(base), info_of(p).start_brk);
	top = kmem_sys_brk(base + 64 * MIB);
	CHECK(top == base + 64 * MIB);
	in = info_of(p);
	CHECK_EQ(in.rss_anon, 0);
	CHECK_EQ(in.vm_data, (64 * MIB) / PG);
	for (i = 0; i < 64 * MIB; i += PG)
		CHECK(base[i] == 0);
	CHECK_EQ(info_of(p).rss_anon, 0);
	for (i = 0; i < 64 * MIB; i += 16 * PG)
		base[i] = 1;
	CHECK_EQ(info_of(p).rss_anon, 1024);
	CHECK(view_has("self/maps", "[heap]"));
	/* sbrk returns the old break; shrinking frees the frames. */
	cur = kmem_sys_sbrk(-(intptr_t)(32 * MIB));
	CHECK(cur == top);
	CHECK(kmem_sys_sbrk(0) == base + 32 * MIB);
	CHECK_EQ(info_of(p).rss_anon, 512);
	/* Below start_brk: refused, the break stays. */
	CHECK(kmem_sys_brk(base - PG) == base + 32 * MIB);
	errno = 0;
	CHECK(kmem_sys_sbrk(-(intptr_t)(64 * MIB)) == (void *)-1);
	CHECK_EQ(errno, ENOMEM);
	/* An unaligned break keeps its exact value. */
	CHECK(kmem_sys_brk(base + 100) == base + 100);
	CHECK_EQ(info_of(p).rss_anon, 1);
	kmem_process_leave();
	CHECK_EQ(kmem_process_exit(p), 0);
}

static int count_errno(void *addr, size_t len, int prot, int flags, int want)
{
	errno = 0;
	if (kmem_sys_mmap(addr, len, prot, flags, -1, 0) != MAP_FAILED)
		return 0;
	return errno == want;
}

TEST(bad_arguments)
{
	struct kmem_process *p = kmem_process_create("badargs");
	struct kmem_process_info a, b;
	char *m;

	/* Outside any process: ESRCH. */
	errno = 0;
	CHECK(kmem_sys_mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, ESRCH);

	CHECK_EQ(kmem_process_enter(p), 0);
	CHECK_EQ(kmem_process_enter(p), -EBUSY);
	m = kmem_sys_mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	m[0] = 1;
	a = info_of(p);
	CHECK(count_errno(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  EINVAL));
	CHECK(count_errno(NULL, PG, PROT_READ, MAP_ANONYMOUS, EINVAL));
	CHECK(count_errno(NULL, PG, PROT_READ, MAP_PRIVATE, EBADF));
	CHECK(count_errno(m + 1, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, EINVAL));
	CHECK(count_errno(NULL, (size_t)-PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, ENOMEM));
	CHECK(count_errno(m, PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  EEXIST));
	CHECK(count_errno(kmem_user_ptr(0x1000), PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, EPERM) ||
	      kmem_user_ptr(0x1000) == NULL);
	/* Heuristic overcommit: larger than RAM + swap, unless MAP_NORESERVE. */
	CHECK(count_errno(NULL, 1UL << 30, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, ENOMEM));
	m = kmem_sys_mmap(NULL, 1UL << 30, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED)
		CHECK_EQ(kmem_sys_munmap(m, 1UL << 30), 0);
	m = (char *)kmem_user_ptr(a.mmap_base) - 16 * PG;

	errno = 0;
	CHECK_EQ(kmem_sys_munmap(m + 1, PG), -1);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(kmem_sys_munmap(m, 0), -1);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(kmem_sys_mprotect(m + 1, PG, PROT_READ), -1);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(kmem_sys_mprotect(m, PG, 0x100), -1);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(kmem_sys_mprotect(m - 64 * PG, PG, PROT_READ), -1);
	CHECK_EQ(errno, ENOMEM);
	errno = 0;
	CHECK_EQ(kmem_sys_madvise(m, PG, 12345), -1);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(kmem_sys_madvise(m + 1, PG, MADV_DONTNEED), -1);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK_EQ(kmem_sys_madvise(m - 64 * PG, PG, MADV_DONTNEED), -1);
	CHECK_EQ(errno, ENOMEM);
	errno = 0;
	CHECK_EQ(kmem_sys_mlock(m - 64 * PG, PG), -1);
	CHECK_EQ(errno, ENOMEM);
	/* RLIMIT_MEMLOCK (8 MiB) for an unprivileged process. */
	{
		char *big = kmem_sys_mmap(NULL, 16 * MIB,
					  PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		errno = 0;
		CHECK_EQ(kmem_sys_mlock(big, 16 * MIB), -1);
		CHECK_EQ(errno, ENOMEM);
		CHECK_EQ(info_of(p).rss_anon, a.rss_anon);
		CHECK_EQ(kmem_sys_munmap(big, 16 * MIB), 0);
	}
	b = info_of(p);
	/* No side effects. */
	CHECK_EQ(b.vm_size, a.vm_size);
	CHECK_EQ(b.rss_anon, a.rss_anon);
	CHECK_EQ(b.vm_lck, 0);
	CHECK_EQ(m[0], 1);
	kmem_process_leave();
	CHECK_EQ(kmem_process_exit(p), 0);
}

static char *volatile ro_page;

static int write_readonly(void *arg)
{
	(void)arg;
	ro_page = kmem_sys_mmap(NULL, PG, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED)
		return -1;
	if (ro_page[0] != 0) /* a read is fine: the zero page */
		return -2;
	ro_page[0] = 1; /* SIGSEGV: the process dies here */
	return 0;
}

static int wild_read(void *arg)
{
	char *heap = kmem_sys_sbrk(0);

	(void)arg;
	return *(volatile char *)(heap - PG -
				  1); /* below the heap, outside any VMA */
}

TEST(segfault_kills_only_the_process)
{
	struct kmem_process *victim = kmem_process_create("crasher");
	struct kmem_process *other = kmem_process_create("bystander");
	size_t mark = kmem_log_mark();
	char *m, line[160];
	volatile int entered;
	int status;

	/* A bystander with memory of its own. */
	CHECK_EQ(kmem_process_enter(other), 0);
	m = kmem_sys_mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 0x5a, 64 * PG);
	kmem_process_leave();

	CHECK_EQ(kmem_process_run(victim, write_readonly, NULL), -SIGSEGV);
	CHECK(kmem_process_current() == NULL);
	/* The kernel's line: comm[pid], the user address written, error 7
	 * (user write to a present read-only page). */
	snprintf(line, sizeof(line), "crasher[%d]: segfault at %lx ip ",
		 kmem_process_pid(victim), kmem_user_addr(ro_page));
	CHECK_LOG(mark, line);
	CHECK_LOG(mark, " error 7 in ");
	CHECK_LOG(mark, "Code: ");
	CHECK_EQ(info_of(victim).killed, SIGSEGV);
	CHECK_EQ(info_of(victim).rss_anon, 0);
	/* A dead process cannot be entered; its status says so. */
	CHECK_EQ(kmem_process_enter(victim), -ESRCH);
	snprintf(line, sizeof(line), "%d/status", kmem_process_pid(victim));
	CHECK(view_has(line, "Z (zombie)"));
	status = kmem_process_exit(victim);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);

	/* The same through kmem_process_enter(): it returns a second time. */
	victim = kmem_process_create("crasher2");
	entered = 0;
	status = kmem_process_enter(victim);
	if (status == 0) {
		entered = 1;
		wild_read(NULL);
		CHECK(0); /* not reached */
		kmem_process_leave();
	}
	CHECK_EQ(entered, 1);
	CHECK_EQ(status, SIGSEGV);
	CHECK_LOG(mark, " error 4 in "); /* user read, not present */
	CHECK_EQ(kmem_process_exit(victim), SIGSEGV);

	/* The bystander is intact. */
	CHECK_EQ(kmem_process_enter(other), 0);
	CHECK_EQ(m[0], 0x5a);
	CHECK_EQ(m[64 * PG - 1], 0x5a);
	CHECK_EQ(info_of(other).rss_anon, 64);
	kmem_process_leave();
	CHECK_EQ(kmem_process_exit(other), 0);
}

TEST(mprotect_madvise_mlock)
{
	struct kmem_process *p = kmem_process_create("advice");
	char *m, *s;
	unsigned long i;

	CHECK_EQ(kmem_process_enter(p), 0);
	m = kmem_sys_mmap(NULL, 32 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < 32; i++)
		m[i * PG] = (char)(i + 1);
	/* mprotect splits the VMA; data stays. */
	CHECK_EQ(kmem_sys_mprotect(m + 8 * PG, 8 * PG, PROT_READ), 0);
	CHECK_EQ(m[8 * PG], 9);
	CHECK(view_has("self/maps", " r--p "));
	CHECK_EQ(kmem_sys_mprotect(m + 8 * PG, 8 * PG, PROT_READ | PROT_WRITE),
		 0);
	m[8 * PG] = 42;
	CHECK_EQ(m[8 * PG], 42);
	/* MADV_DONTNEED: private pages go, reads see zeroes. */
	CHECK_EQ(kmem_sys_madvise(m, 4 * PG, MADV_DONTNEED), 0);
	CHECK_EQ(info_of(p).rss_anon, 28);
	CHECK_EQ(m[0], 0);
	CHECK_EQ(m[4 * PG], 5);
	/* MADV_FREE: lazily freed; a write before reclaim keeps the page. */
	CHECK_EQ(kmem_sys_madvise(m + 16 * PG, 8 * PG, MADV_FREE), 0);
	CHECK_EQ(view_kb("self/smaps_rollup", "LazyFree:"), 32);
	m[16 * PG] = 99;
	CHECK_EQ(view_kb("self/smaps_rollup", "LazyFree:"), 28);
	CHECK_EQ(m[16 * PG], 99);
	CHECK_EQ(m[17 * PG], 18);
	/* mlock: locked and resident. */
	CHECK_EQ(kmem_sys_mlock(m + 24 * PG + 100, 4 * PG),
		 0); /* rounds to 5 pages */
	CHECK_EQ(info_of(p).vm_lck, 5);
	CHECK_EQ(view_kb("self/smaps_rollup", "Locked:"), 20);
	errno = 0;
	CHECK_EQ(kmem_sys_madvise(m + 24 * PG, PG, MADV_DONTNEED), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(kmem_sys_munlock(m, 32 * PG), 0);
	CHECK_EQ(info_of(p).vm_lck, 0);
	/* MAP_SHARED anonymous: never the zero page; DONTNEED keeps the data
	 * (shmem keeps its pages). */
	s = kmem_sys_mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s[0] == 0);
	CHECK_EQ(info_of(p).rss_shmem, 1);
	s[PG] = 3;
	CHECK_EQ(kmem_sys_madvise(s, 4 * PG, MADV_DONTNEED), 0);
	CHECK_EQ(info_of(p).rss_shmem, 0);
	CHECK_EQ(s[PG], 3);
	CHECK(view_has("self/maps", "/dev/zero (deleted)"));
	errno = 0;
	CHECK_EQ(kmem_sys_madvise(s, PG, MADV_FREE), -1);
	CHECK_EQ(errno, EINVAL);
	/* MAP_POPULATE: resident at once, no faults counted. */
	{
		unsigned long flt = info_of(p).min_flt;
		char *q = kmem_sys_mmap(
			NULL, 16 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		CHECK_EQ(info_of(p).rss_anon, 28 + 16);
		q[0] = 1;
		CHECK_EQ(info_of(p).min_flt, flt);
	}
	kmem_process_leave();
	CHECK_EQ(kmem_process_exit(p), 0);
}

struct worker {
	int id;
	int ok;
};

static int worker_body(void *arg)
{
	struct worker *w = arg;
	unsigned long i, n = 512;
	unsigned char *m = kmem_sys_mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *h = kmem_sys_sbrk((intptr_t)(n * PG));
	int round;

	if (m == MAP_FAILED || h == (void *)-1)
		return -1;
	for (round = 0; round < 3; round++) {
		for (i = 0; i < n; i++) {
			m[i * PG + (unsigned long)round] =
				(unsigned char)(w->id + i);
			h[i * PG] = (unsigned char)(w->id * 3 + i);
		}
		for (i = 0; i < n; i++)
			if (m[i * PG + (unsigned long)round] !=
				    (unsigned char)(w->id + i) ||
			    h[i * PG] != (unsigned char)(w->id * 3 + i))
				return -2;
		if (kmem_sys_madvise(m, n * PG, MADV_DONTNEED))
			return -3;
	}
	if (w->id == 2) /* one of them crashes: the others must not notice */
		*(volatile char *)(h - 4 * PG) = 1;
	w->ok = 1;
	return 0;
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	struct kmem_process *p;
	int ret;

	snprintf(name, sizeof(name), "worker%d", w->id);
	p = kmem_process_create(name);
	ret = kmem_process_run(p, worker_body, w);
	if (w->id == 2)
		w->ok = ret == -SIGSEGV && kmem_process_exit(p) == SIGSEGV;
	else
		w->ok = ret == 0 && kmem_process_exit(p) == 0;
	return NULL;
}

TEST(processes_in_threads)
{
	pthread_t t[4];
	struct worker w[4];
	int i;

	for (i = 0; i < 4; i++) {
		w[i].id = i;
		w[i].ok = 0;
		pthread_create(&t[i], NULL, thread_main, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(w[i].ok);
	}
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN(mmap_demand_paging);
	RUN(brk_heap);
	RUN(bad_arguments);
	RUN(segfault_kills_only_the_process);
	RUN(mprotect_madvise_mlock);
	RUN(processes_in_threads);
	return test_summary();
}
