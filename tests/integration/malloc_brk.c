// SPDX-License-Identifier: MIT
/*
 * When the break runs into a mapping, glibc's malloc goes on in mmapped
 * pieces of at least 1 MiB (a non-contiguous main arena), as sysmalloc does
 * when MORECORE fails; the first call of a fresh process is a malloc; and
 * <pid>/maps names the heap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include "test.h"

struct res {
	char *heap_end;
	int outside, bad;
	size_t arena;
};

static int blocked_brk(void *arg)
{
	struct res *r = arg;
	char *brk0 = kmem_sys_sbrk(0);
	char *wall;
	char *v[64];
	int i;

	/* A mapping 64 KiB above the break: brk can grow 64 KiB, no more. */
	wall = kmem_sys_mmap(brk0 + (64 << 10), 4096, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (wall == MAP_FAILED)
		return -1;
	r->heap_end = brk0 + (64 << 10);
	for (i = 0; i < 64; i++) {
		v[i] = kmem_malloc(60000); /* below the mmap threshold */
		if (!v[i])
			return -2;
		memset(v[i], i, 60000);
		if (v[i] < brk0 || v[i] >= r->heap_end)
			r->outside++;
	}
	for (i = 0; i < 64; i++) {
		if (v[i][0] != i || v[i][59999] != i)
			r->bad++;
		kmem_free(v[i]);
	}
	r->arena = kmem_mallinfo2().arena;
	return 0;
}

TEST(brk_blocked_falls_back_to_mmap)
{
	struct kmem_process *p = kmem_process_create("wall");
	struct res r = { 0 };

	CHECK_EQ(kmem_process_run(p, blocked_brk, &r), 0);
	CHECK(r.outside > 0);
	CHECK_EQ(r.bad, 0);
	/* 64 KiB of brk could not hold 64 x 60000 bytes: the rest came from
	 * mmapped pieces, counted in the arena's system memory. */
	CHECK(r.arena >= 64 * 60000UL);
	CHECK_EQ(kmem_process_exit(p), 0);
}

static int first_call(void *arg)
{
	char *s = kmem_malloc(1);

	if (!s)
		return -1;
	*s = 'x';
	return kmem_malloc_usable_size(s) == 24 ? 0 : -2;
}

TEST(first_call_in_a_fresh_process_and_maps)
{
	struct kmem_process *p = kmem_process_create("first");
	struct kmem_process_info in;
	char view[32], *buf = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_EQ(kmem_process_run(p, first_call, NULL), 0);
	kmem_process_info(p, &in);
	CHECK_EQ(in.brk - in.start_brk, 132UL << 10);
	snprintf(view, sizeof(view), "%d/maps", kmem_process_pid(p));
	f = open_memstream(&buf, &len);
	kmem_show(view, f);
	fclose(f);
	CHECK(strstr(buf, "[heap]") != NULL);
	free(buf);
	CHECK_EQ(kmem_process_exit(p), 0);
}

int main(void)
{
	RUN(brk_blocked_falls_back_to_mmap);
	RUN(first_call_in_a_fresh_process_and_maps);
	return test_summary();
}
