// SPDX-License-Identifier: MIT
/*
 * What fork() costs with a machine up (init/fork.c): the parent's
 * prepare (copy of the populated RAM), the child's handler (every host
 * mapping of the RAM mapped again from the copy), and fork() as the parent
 * sees it, on a 256 MiB machine:
 *   idle      just booted
 *   full      ~90% of RAM allocated in 2 MiB blocks and written
 *   scattered a process touching every other page of 64 MiB (16,384 host
 *             mappings of the RAM)
 * Each figure is the median of 9 forks (the child exits at once).
 *
 *   ./build/bench/bench_fork
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <kmem/kmem.h>
#include <kmem/process.h>
#include "init/init.h"
#include "bench.h"

static const char usage[] =
	"usage: bench_fork [--quick]\n"
	"fork() of a process by its size and mappings: the median of 9 forks\n"
	"each. --quick: a smoke run (one fork each on a 128 MiB machine, 16 MiB\n"
	"scattered; the figures mean nothing).\n";

#define MAX_RUNS 9
static int runs = MAX_RUNS;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a,
			   y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void measure(const char *name)
{
	unsigned long long prep[MAX_RUNS], child[MAX_RUNS], total[MAX_RUNS], t0;
	struct kmem_fork_stats st;
	unsigned long remapped = 0;
	int i, fds[2];

	for (i = 0; i < runs; i++) {
		pid_t pid;

		if (pipe(fds))
			exit(1);
		t0 = now_ns();
		pid = fork();
		if (pid == 0) {
			kmem_fork_get_stats(&st);
			if (write(fds[1], &st, sizeof(st)) != sizeof(st))
				_exit(1);
			_exit(0);
		}
		total[i] = now_ns() - t0;
		if (read(fds[0], &st, sizeof(st)) != sizeof(st))
			exit(1);
		waitpid(pid, NULL, 0);
		close(fds[0]);
		close(fds[1]);
		prep[i] = st.prepare_ns;
		child[i] = st.child_ns;
		remapped = st.remapped;
	}
	qsort(prep, runs, sizeof(prep[0]), cmp);
	qsort(child, runs, sizeof(child[0]), cmp);
	qsort(total, runs, sizeof(total[0]), cmp);
	printf("%-10s %9lu MiB used %7lu mappings  prepare %7.2f ms  child %7.2f ms  fork() in parent %7.2f ms\n",
	       name, (totalram_pages() - kmem_free_pages_drained()) >> 8,
	       remapped, prep[runs / 2] / 1e6, child[runs / 2] / 1e6,
	       total[runs / 2] / 1e6);
}

static unsigned long scatter_len = 64UL << 20;

static int scatter(void *arg)
{
	unsigned long i, len = scatter_len;
	char *m = kmem_sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (m == MAP_FAILED)
		return -1;
	for (i = 0; i < len; i += 2 * 4096)
		m[i] = 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct kmem_config cfg = { .ram = 256ULL << 20, .quiet = true };
	struct page *blocks[128];
	struct kmem_process *p;
	unsigned long target;
	int i, n = 0;

	bench_help(argc, argv, usage);
	if (bench_quick(&argc, argv)) {
		runs = 1;
		cfg.ram = 128ULL << 20;
		scatter_len = 16UL << 20;
	}
	if (argc > 1)
		bench_bad("bench_fork", "unexpected argument", argv[1], usage);

	if (kmem_boot(&cfg))
		return 1;
	measure("idle");

	target = totalram_pages() / 10;
	while (n < 128 && kmem_free_pages_drained() > target + 512) {
		blocks[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 9);
		if (!blocks[n])
			break;
		memset(page_address(blocks[n]), 0x5a, 512 * 4096);
		n++;
	}
	measure("full");
	for (i = 0; i < n; i++)
		__free_pages(blocks[i], 9);

	p = kmem_process_create("scatter");
	if (!p || kmem_process_run(p, scatter, NULL))
		return 1;
	measure("scattered");
	kmem_process_exit(p);
	kmem_halt();
	return 0;
}
