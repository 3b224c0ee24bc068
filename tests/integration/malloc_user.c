// SPDX-License-Identifier: MIT
/*
 * A plain C program compiled into a process body with <kmem/user.h>: its
 * malloc, calloc, realloc, strdup and free are the process's (kmem's malloc
 * on the simulated brk heap), none touch the host's heap.
 */
#include <kmem/user.h>
#define main wordcount_main
#include "../data/user_wordcount.c"
#undef main
/* The test's own code is not the program's: the process API's names back. */
#undef brk
#undef sbrk
#undef mmap
#undef munmap
#undef free
#undef malloc

#include <kmem/kmem.h>
#include "test.h"

static struct kmem_mallinfo2 after;

static int run_wordcount(void *arg)
{
	int r = wordcount_main();

	after = kmem_mallinfo2();
	return r;
}

TEST(plain_program_in_a_process)
{
	struct kmem_process *p = kmem_process_create("wordcount");
	struct kmem_process_info in;

	CHECK_EQ(kmem_process_run(p, run_wordcount, NULL), 0);
	kmem_process_info(p, &in);
	/* The heap grew by glibc's first 132 KiB and was written to. */
	CHECK_EQ(in.brk - in.start_brk, 132UL << 10);
	CHECK(in.rss_anon >= 1);
	/* Everything was freed: what stays "in use" is the tcache struct and
	 * the chunks cached in it (at most 7 a size). */
	CHECK_EQ(after.arena, 132UL << 10);
	CHECK(after.uordblks >= 0x290 && after.uordblks < 0x290 + 4096);
	CHECK_EQ(after.hblks, (size_t)0);
	CHECK_EQ(kmem_process_exit(p), 0);
}

int main(void)
{
	RUN(plain_program_in_a_process);
	return test_summary();
}
