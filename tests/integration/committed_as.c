// SPDX-License-Identifier: MIT
/*
 * meminfo's Committed_AS is the kernel's vm_committed_as: what user address
 * spaces have committed. A fresh process commits its 132 KiB stack; a private
 * writable mapping commits its size, MAP_NORESERVE and read-only private
 * mappings commit nothing, a shared anonymous mapping commits its size
 * (shmem), mprotect to writable commits, brk commits what it grows, and
 * munmap and exit give everything back. The first call is kmem_show().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <kmem/kmem.h>
#include <kmem/process.h>
#include "test.h"

#define MIB (1UL << 20)

static int run(void *arg)
{
	long base = *(long *)arg;
	char *priv, *ro, *nores, *shared, *brk0;

	/* the process's stack: 132 KiB */
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132);
	priv = kmem_sys_mmap(NULL, 60 * MIB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(priv != MAP_FAILED);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132 + 61440);
	ro = kmem_sys_mmap(NULL, 8 * MIB, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	nores = kmem_sys_mmap(NULL, 8 * MIB, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			      0);
	CHECK(ro != MAP_FAILED && nores != MAP_FAILED);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132 + 61440);
	shared = kmem_sys_mmap(NULL, 4 * MIB, PROT_READ,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132 + 61440 + 4096);
	/* 1 MiB of the read-only mapping becomes writable: charged now */
	CHECK_EQ(kmem_sys_mprotect(ro, MIB, PROT_READ | PROT_WRITE), 0);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132 + 61440 + 4096 + 1024);
	/* and stays charged when it turns read-only again, as in the kernel */
	CHECK_EQ(kmem_sys_mprotect(ro, MIB, PROT_READ), 0);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132 + 61440 + 4096 + 1024);
	brk0 = kmem_sys_sbrk(0);
	CHECK(kmem_sys_sbrk(256 << 10) == brk0);
	CHECK_EQ(meminfo_kb("Committed_AS:"),
		 base + 132 + 61440 + 4096 + 1024 + 256);
	CHECK(kmem_sys_sbrk(-(256 << 10)) != (void *)-1);
	CHECK_EQ(kmem_sys_munmap(priv + 20 * MIB, 20 * MIB), 0);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132 + 40960 + 4096 + 1024);
	CHECK_EQ(kmem_sys_munmap(priv, 60 * MIB), 0);
	CHECK_EQ(kmem_sys_munmap(ro, 8 * MIB), 0);
	CHECK_EQ(kmem_sys_munmap(nores, 8 * MIB), 0);
	CHECK_EQ(kmem_sys_munmap(shared, 4 * MIB), 0);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132);
	return 0;
}

TEST(committed_as_follows_mappings)
{
	long base = meminfo_kb("Committed_AS:");
	struct kmem_process *p;

	CHECK_EQ(base, 0);
	p = kmem_process_create("commit");
	CHECK(p != NULL);
	CHECK_EQ(kmem_process_run(p, run, &base), 0);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base + 132);
	CHECK_EQ(kmem_process_exit(p), 0);
	CHECK_EQ(meminfo_kb("Committed_AS:"), base);
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN(committed_as_follows_mappings);
	test_halt();
	return test_summary();
}
