// SPDX-License-Identifier: MIT
/*
 * The percpu allocator (<linux/percpu.h>) as kernel code uses it: the first
 * call of a fresh program, distinct zeroed copies per CPU, free and reuse,
 * threads, bad sizes and alignments, /proc/meminfo's Percpu line and
 * MemTotal (the first chunk comes from memblock), the leak check of RUN.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asm/page.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <kmem/kmem.h>
#include "test.h"

struct triple {
	long a, b, c;
};

static int nr_cpus(void)
{
	return (int)num_possible_cpus();
}

/* All copies of n bytes at p zero, and pairwise apart. */
static void check_copies(void *p, size_t n)
{
	int cpu, other;

	for_each_possible_cpu(cpu) {
		unsigned char *c = per_cpu_ptr((unsigned char *)p, cpu);
		size_t i;

		for (i = 0; i < n; i++)
			if (c[i]) {
				CHECK(!"percpu copy not zeroed");
				break;
			}
		for (other = 0; other < cpu; other++) {
			unsigned char *o =
				per_cpu_ptr((unsigned char *)p, other);

			CHECK(o + n <= c || c + n <= o);
		}
	}
}

/* Run first, before RUN boots anything: alloc_percpu boots the machine. */
static void first_call(void)
{
	struct triple *t;
	int cpu;

	CHECK(!kmem_is_booted());
	t = alloc_percpu(struct triple);
	CHECK(t != NULL);
	CHECK(kmem_is_booted());
	if (!t)
		return;
	check_copies(t, sizeof(*t));
	for_each_possible_cpu(cpu)
		per_cpu_ptr(t, cpu)->b = cpu * 10 + 1;
	for_each_possible_cpu(cpu)
		CHECK_EQ(per_cpu_ptr(t, cpu)->b, cpu * 10 + 1);
	free_percpu(t);
	CHECK_EQ(kmem_percpu_allocated(), 0);
	CHECK(kmem_check_invariants());
}

TEST(distinct_and_zeroed)
{
	size_t sizes[] = { 1, 4, 12, 100, 4096, 5000, 32 << 10 };
	void *p[7];
	unsigned int i;
	int cpu;

	for (i = 0; i < 7; i++) {
		p[i] = __alloc_percpu(sizes[i], 8);
		CHECK(p[i] != NULL);
		if (!p[i])
			continue;
		check_copies(p[i], sizes[i]);
		CHECK_EQ((uintptr_t)per_cpu_ptr(p[i], 0) % 8, 0);
		/* dirty every copy: the next allocation must be zeroed anew */
		for_each_possible_cpu(cpu)
			memset(per_cpu_ptr(p[i], cpu), 0xa5, sizes[i]);
	}
	/* this CPU's copy, and its physical address */
	cpu = smp_processor_id();
	CHECK(this_cpu_ptr(p[0]) == per_cpu_ptr(p[0], cpu));
	CHECK(per_cpu_ptr_to_phys(per_cpu_ptr(p[3], 0)) !=
		      per_cpu_ptr_to_phys(per_cpu_ptr(p[3], nr_cpus() - 1)) ||
	      nr_cpus() == 1);
	for (i = 0; i < 7; i++)
		free_percpu(p[i]);
	for (i = 0; i < 7; i++) {
		p[i] = __alloc_percpu(sizes[i], 8);
		CHECK(p[i] != NULL);
		if (p[i])
			check_copies(p[i], sizes[i]);
	}
	for (i = 0; i < 7; i++)
		free_percpu(p[i]);
	CHECK(kmem_check_invariants());
}

TEST(free_and_reuse)
{
	unsigned long before = kmem_percpu_allocated();
	long *a = alloc_percpu(long), *b = alloc_percpu(long), *c;

	CHECK(a && b && a != b);
	CHECK_EQ(kmem_percpu_allocated() - before, 2 * sizeof(long));
	free_percpu(a);
	/* the lowest fit: a's place */
	c = alloc_percpu(long);
	CHECK(c == a);
	/* alignment is honoured */
	a = __alloc_percpu(64, 64);
	CHECK(a != NULL);
	CHECK_EQ((uintptr_t)per_cpu_ptr(a, 0) % 64, 0);
	free_percpu(a);
	free_percpu(b);
	free_percpu(c);
	free_percpu(NULL);
	CHECK_EQ(kmem_percpu_allocated(), before);
}

TEST(bad_requests)
{
	size_t mark = kmem_log_mark();
	unsigned long before = kmem_percpu_allocated();
	long *p;

	CHECK(__alloc_percpu(0, 4) == NULL);
	CHECK_LOG(mark, "illegal size (0) or align (4) for percpu allocation");
	CHECK(__alloc_percpu((32 << 10) + 1, 4) == NULL);
	CHECK_LOG(mark,
		  "illegal size (32772) or align (4) for percpu allocation");
	CHECK(__alloc_percpu(16, 24) == NULL);
	CHECK_LOG(mark,
		  "illegal size (16) or align (24) for percpu allocation");
	CHECK(__alloc_percpu(16, 8192) == NULL);
	CHECK_LOG(mark,
		  "illegal size (16) or align (8192) for percpu allocation");
	CHECK(kmem_log_contains(mark, "WARNING: CPU:"));
	/* __GFP_NOWARN: refused quietly */
	mark = kmem_log_mark();
	CHECK(__alloc_percpu_gfp(0, 4, GFP_KERNEL | __GFP_NOWARN) == NULL);
	CHECK(!kmem_log_contains(mark, "illegal size"));
	/* a bad free is reported and changes nothing */
	p = alloc_percpu(long);
	CHECK(p != NULL);
	mark = kmem_log_mark();
	free_percpu((char *)p + 4);
	CHECK_LOG(mark, "not the start of a percpu allocation");
	free_percpu(p);
	mark = kmem_log_mark();
	free_percpu(p);
	CHECK_LOG(mark, "not the start of a percpu allocation");
	CHECK_EQ(kmem_percpu_allocated(), before);
	CHECK(kmem_check_invariants());
	/* and the allocator still works */
	p = alloc_percpu(long);
	CHECK(p != NULL);
	free_percpu(p);
}

TEST(atomic)
{
	long *p = alloc_percpu_gfp(long, GFP_ATOMIC);
	long *q = alloc_percpu_gfp(long, GFP_NOWAIT);

	CHECK(p && q);
	if (p)
		check_copies(p, sizeof(*p));
	free_percpu(p);
	free_percpu(q);
}

/* ---- threads ---- */

#define THREADS 4
#define ROUNDS 3000
#define LIVE 24

static void *worker(void *arg)
{
	unsigned long seed = (unsigned long)(uintptr_t)arg * 2654435761UL + 1;
	unsigned char *live[LIVE] = { 0 };
	size_t size[LIVE] = { 0 };
	unsigned char tag = (unsigned char)(uintptr_t)arg;
	long bad = 0;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		int slot, cpu;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		slot = (int)((seed >> 33) % LIVE);
		if (live[slot]) {
			/* the copies kept what this thread wrote */
			for_each_possible_cpu(cpu) {
				unsigned char *c = per_cpu_ptr(live[slot], cpu);

				if (c[0] != tag ||
				    c[size[slot] - 1] != (unsigned char)cpu)
					bad++;
			}
			free_percpu(live[slot]);
			live[slot] = NULL;
			continue;
		}
		size[slot] = 2 + (seed >> 40) % ((seed >> 20) & 1 ? 64 : 6000);
		live[slot] =
			__alloc_percpu(size[slot], 1UL << ((seed >> 50) % 7));
		if (!live[slot]) {
			bad++;
			continue;
		}
		for_each_possible_cpu(cpu) {
			unsigned char *c = per_cpu_ptr(live[slot], cpu);

			if (c[0] || c[size[slot] - 1])
				bad++;
			c[0] = tag;
			c[size[slot] - 1] = (unsigned char)cpu;
		}
	}
	for (r = 0; r < LIVE; r++)
		free_percpu(live[r]);
	return (void *)bad;
}

TEST(threads)
{
	pthread_t t[THREADS];
	unsigned long before = kmem_percpu_allocated();
	int i;

	for (i = 0; i < THREADS; i++)
		CHECK(!pthread_create(&t[i], NULL, worker,
				      (void *)(uintptr_t)(i + 1)));
	for (i = 0; i < THREADS; i++) {
		void *bad;

		pthread_join(t[i], &bad);
		CHECK_EQ((long)bad, 0);
	}
	CHECK_EQ(kmem_percpu_allocated(), before);
	CHECK(kmem_check_invariants());
}

/* ---- meminfo ---- */

static long vmallocinfo_has(const char *needle)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	long found;

	if (!f)
		return -1;
	kmem_show("vmallocinfo", f);
	fclose(f);
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

/*
 * A 2-CPU x86-64 machine: the first chunk is 10 pages a CPU (16 static
 * bytes + 36 KiB dynamic, page aligned) in 1 MiB units, two to a 2 MiB
 * atom. Percpu counts populated pages times units: 80 kB at boot. MemTotal
 * is the managed pages: the kernel takes the first chunk from memblock, so
 * it is 80 kB below what the same machine had before kmem had a percpu
 * allocator (257020 kB for 256 MiB and 2 CPUs, in the version before this
 * test: the figure tests/unit/proc_views.c checks against the zones).
 */
TEST(meminfo_percpu)
{
	struct kmem_config cfg = { .ram = 256ULL << 20,
				   .cpus = 2,
				   .quiet = true };
	void *first, *dyn[4];
	int i;

	size_t mark = kmem_log_mark();

	CHECK_EQ(test_boot(&cfg), 0);
	CHECK_EQ(meminfo_kb("Percpu:"), 80);
	CHECK_EQ(meminfo_kb("MemTotal:"), 257020 - 80);
	CHECK_EQ(pcpu_nr_pages(), 20);
	CHECK_LOG(mark, "percpu: Embedded 10 pages/cpu s16 r0 d40944 u1048576");

	/* 32 KiB page aligned: the first fits in the first chunk (at 4 KiB),
	 * the next four fill pages 0-31 of a dynamic chunk. */
	first = __alloc_percpu(32 << 10, PAGE_SIZE);
	CHECK(first != NULL);
	for (i = 0; i < 4; i++) {
		dyn[i] = __alloc_percpu(32 << 10, PAGE_SIZE);
		CHECK(dyn[i] != NULL);
	}
	CHECK_EQ(vmallocinfo_has(" 2097152 pcpu_get_vm_areas+0x0/"), 1);
	/* The balance work keeps 4 free populated pages for atomic requests:
	 * the first chunk has one (page 9), the dynamic chunk three more. */
	CHECK_EQ(meminfo_kb("Percpu:"), (10 + 32 + 3) * 2 * 4);
	/* A drain gives the empty pages back. */
	kmem_free_pages_drained();
	CHECK_EQ(meminfo_kb("Percpu:"), (10 + 32) * 2 * 4);
	for (i = 0; i < 4; i++)
		free_percpu(dyn[i]);
	kmem_free_pages_drained();
	CHECK_EQ(meminfo_kb("Percpu:"), 80);
	CHECK_EQ(vmallocinfo_has("pcpu_get_vm_areas"), 0);
	free_percpu(first);
	CHECK_EQ(meminfo_kb("Percpu:"), 80);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* x86-32: page-sized atoms, 20 KiB dynamic reserve: 8 pages a CPU in
 * 32 KiB units; 3 CPUs, so no empty unit. */
TEST(meminfo_x86_32)
{
	struct kmem_config cfg = { .ram = 128ULL << 20,
				   .cpus = 3,
				   .quiet = true,
				   .layout = KMEM_LAYOUT_X86_32 };
	size_t mark = kmem_log_mark();
	long *p;

	CHECK_EQ(test_boot(&cfg), 0);
	CHECK_LOG(mark, "percpu: Embedded 8 pages/cpu s16 r0 d32752 u32768");
	CHECK_EQ(meminfo_kb("Percpu:"), 8 * 3 * 4);
	p = alloc_percpu(long);
	CHECK(p != NULL);
	if (p)
		check_copies(p, sizeof(*p));
	free_percpu(p);
	test_halt();
}

/* 3 CPUs on x86-64: four 512 KiB units to an atom, one of them empty; the
 * empty unit is counted in Percpu (pcpu_nr_units) but costs no memory. */
TEST(meminfo_empty_unit)
{
	struct kmem_config cfg = { .ram = 256ULL << 20,
				   .cpus = 3,
				   .quiet = true };
	size_t mark = kmem_log_mark();

	CHECK_EQ(test_boot(&cfg), 0);
	CHECK_LOG(mark, "percpu: Embedded 10 pages/cpu s16 r0 d40944 u524288");
	CHECK_EQ(meminfo_kb("Percpu:"), 10 * 4 * 4);
	CHECK_EQ(meminfo_kb("MemTotal:"), 257020 - 3 * 40);
	test_halt();
}

/* ---- the leak check of RUN ---- */

TEST(leaky)
{
	(void)alloc_percpu(int);
}

/* A child runs RUN(leaky): it must fail with the percpu leak named. */
TEST(run_counts_percpu)
{
	int fds[2], status = 0;
	char out[4096] = "";
	ssize_t n, got = 0;
	pid_t pid;

	CHECK(!pipe(fds));
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		RUN(leaky);
		_exit(test_summary());
	}
	close(fds[1]);
	while ((n = read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CHECK(strstr(out, "FAIL leaky: leaked 4 bytes of percpu memory") !=
	      NULL);
}

int main(void)
{
	kmem_log_set_console(NULL);
	first_call();
	RUN(distinct_and_zeroed);
	RUN(free_and_reuse);
	RUN(bad_requests);
	RUN(atomic);
	RUN(threads);
	RUN(meminfo_percpu);
	RUN(meminfo_x86_32);
	RUN(meminfo_empty_unit);
	RUN(run_counts_percpu);
	test_halt();
	return test_summary();
}
