// SPDX-License-Identifier: MIT
/*
 * Bad input to the slab allocator and kmalloc that must be reported and must
 * not corrupt any freelist or neighbouring memory: double frees that are not
 * the immediately previous free, interior pointers given to ksize,
 * kfree_sensitive and krealloc (slab objects and large kmalloc blocks).
 * Also the boot race: a thread that sees the machine up finds it complete.
 */
/* kmem-test: slub-only: SLUB's reports and slab_check_cache() */
#include <pthread.h>
#include <stdint.h>

#include <linux/slab.h>
#include <linux/mm.h>
#include <kmem/log.h>
#include "mm/slab.h"
#include "test.h"

/* Allocate from s until two objects are neighbours (b == a + size). */
static bool find_neighbours(struct kmem_cache *s, void **objs, int n, char **a,
			    char **b)
{
	unsigned int size = s->size;
	int i, j;

	for (i = 0; i < n; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (objs[i] && objs[j] &&
			    (char *)objs[j] == (char *)objs[i] + size) {
				*a = objs[i];
				*b = objs[j];
				return true;
			}
	return false;
}

/* Hide an allocation's size from the compiler (accesses up to ksize). */
static char *launder(void *p)
{
	__asm__("" : "+r"(p));
	return p;
}

static void free_all(struct kmem_cache *s, void **objs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (objs[i])
			kmem_cache_free(s, objs[i]);
}

/* kfree(a); kfree(b); kfree(a): the second free of a is not at the top of
 * the sheaf. When the sheaf goes back to the slab the second a must be
 * refused, not linked into the freelist a second time (a cycle). */
TEST(double_free_not_immediate)
{
	struct kmem_cache *s = kmem_cache_create("review_df", 64, 0, 0, NULL);
	void *keep, *a, *b, *objs[64];
	size_t mark;
	int i, j;
	bool distinct = true;

	CHECK(s != NULL);
	if (!s)
		return;
	keep = kmem_cache_alloc(s, GFP_KERNEL); /* the slab never empties */
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	mark = kmem_log_mark();
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	kmem_cache_free(s, a);
	kmem_cache_shrink(s); /* the sheaf goes back to the slabs */
	CHECK_LOG(mark, "Object already free");
	CHECK(slab_check_cache(s));
	/* The freelist hands every object out once. */
	for (i = 0; i < 64; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			if (objs[i] == objs[j])
				distinct = false;
	CHECK(distinct);
	CHECK(slab_check_cache(s));
	free_all(s, objs, 64);
	kmem_cache_free(s, keep);
	kmem_cache_destroy(s);
}

/* The same through another thread's sheaf: a freed here, flushed, then freed
 * again in another thread whose sheaf is flushed at its exit. */
static void *free_in_thread(void *arg)
{
	void **pa = arg;

	kfree(*pa);
	return NULL;
}

TEST(double_free_cross_thread)
{
	void *keep = kmalloc(64, GFP_KERNEL), *a = kmalloc(64, GFP_KERNEL);
	pthread_t th;
	size_t mark = kmem_log_mark();

	kfree(a);
	kmem_cache_shrink(kmalloc_caches[KMALLOC_NORMAL][6]);
	pthread_create(&th, NULL, free_in_thread, &a);
	pthread_join(th, NULL);
	CHECK_LOG(mark, "Object already free");
	CHECK(slab_check_cache(kmalloc_caches[KMALLOC_NORMAL][6]));
	kfree(keep);
}

TEST(interior_pointers_slab)
{
	struct kmem_cache *s = kmem_cache_create("review_int", 64, 0, 0, NULL);
	void *objs[64], *r;
	char *a = NULL, *b = NULL;
	size_t mark;
	int i;

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(find_neighbours(s, objs, 64, &a, &b));
	if (!a)
		goto out;
	memset(b, 0x5a, 64);
	mark = kmem_log_mark();
	CHECK_EQ(ksize(a + 8), 0);
	CHECK_LOG(mark, "Invalid object pointer");
	CHECK_EQ(ksize(a), 64);

	kfree_sensitive(a + 8); /* must not zero the first bytes of b */
	for (i = 0; i < 64; i++)
		if (b[i] != 0x5a)
			break;
	CHECK_EQ(i, 64);

	r = krealloc(a + 8, 16, GFP_KERNEL | __GFP_ZERO);
	CHECK(r == NULL);
	for (i = 0; i < 64; i++)
		if (b[i] != 0x5a)
			break;
	CHECK_EQ(i, 64);
out:
	free_all(s, objs, 64);
	CHECK(slab_check_cache(s));
	kmem_cache_destroy(s);
}

TEST(interior_pointers_large)
{
	char *p = launder(kmalloc(3 * PAGE_SIZE, GFP_KERNEL)), *r;
	size_t mark;

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(ksize(p), 4 * PAGE_SIZE);
	mark = kmem_log_mark();
	CHECK_EQ(ksize(p + PAGE_SIZE), 0);
	CHECK_LOG(mark, "pointer inside a large kmalloc block");
	/* Would zero a whole block's size from the interior pointer: past the
	 * block's end. */
	memset(p, 0x77, 4 * PAGE_SIZE);
	kfree_sensitive(p + PAGE_SIZE);
	CHECK(p[PAGE_SIZE] == 0x77 && p[4 * PAGE_SIZE - 1] == 0x77);
	r = krealloc(p + PAGE_SIZE, 5 * PAGE_SIZE, GFP_KERNEL);
	CHECK(r == NULL);
	kfree(p);
}

/* krealloc as the kernel: shrinking keeps the block; __GFP_ZERO zeroes the
 * tail up to the object size; growing copies; a slab object of a cache with
 * padding grows past its object size. */
TEST(krealloc_semantics)
{
	struct kmem_cache *s = kmem_cache_create("review_pad", 40, 0,
						 SLAB_HWCACHE_ALIGN, NULL);
	char *p = launder(kmalloc(100, GFP_KERNEL)), *q, *o;

	memset(p, 0xab, 128);
	q = launder(krealloc(p, 50, GFP_KERNEL | __GFP_ZERO));
	CHECK(q == p);
	CHECK((unsigned char)q[49] == 0xab && q[50] == 0 && q[127] == 0);
	q = krealloc(q, 1000, GFP_KERNEL);
	CHECK(q != NULL && (unsigned char)q[0] == 0xab && q[50] == 0);
	kfree(q);

	o = kmem_cache_alloc(s, GFP_KERNEL);
	memset(o, 0x11, 40);
	/* 48 > object_size 40: a new kmalloc-64 block, as the kernel. */
	q = krealloc(o, 48, GFP_KERNEL);
	CHECK(q != NULL && q != o);
	if (q && q != o) {
		CHECK(q[0] == 0x11 && q[39] == 0x11);
		CHECK_EQ(ksize(q), 64);
		kfree(q);
	} else if (q) {
		kmem_cache_free(s, q);
	}
	kmem_cache_destroy(s);
}

static volatile int race_go;

static void *use_as_soon_as_up(void *arg)
{
	void **out = arg;

	while (!__atomic_load_n(&race_go, __ATOMIC_ACQUIRE))
		;
	while (!kmem_is_booted())
		;
	out[0] = kmalloc(64, GFP_KERNEL);
	out[1] = kmem_cache_create("review_race", 72, 0, 0, NULL);
	return NULL;
}

/* A thread that sees kmem_is_booted() must find every layer initialised:
 * kmalloc and kmem_cache_create work. */
TEST(boot_publishes_complete_machine)
{
	int round, bad = 0;

	for (round = 0; round < 20; round++) {
		void *out[2] = { NULL, NULL };
		pthread_t th;

		test_halt();
		race_go = 0;
		pthread_create(&th, NULL, use_as_soon_as_up, out);
		__atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
		kmem_boot(NULL);
		pthread_join(th, NULL);
		if (!out[0] || !out[1])
			bad++;
		kfree(out[0]);
		kmem_cache_destroy(out[1]);
	}
	CHECK_EQ(bad, 0);
}

/* Sizes whose multiplier overflows 64 bits are not sizes (KMEM_RAM etc.). */
TEST(parse_size_overflow)
{
	CHECK(kmem_parse_size("160M") == 160ULL << 20);
	CHECK(kmem_parse_size("16777215T") == 16777215ULL << 40);
	CHECK_EQ(kmem_parse_size("16777217T"), 0);
	CHECK_EQ(kmem_parse_size("99999999999999999999"), 0);
	CHECK_EQ(kmem_parse_size("17179869184G"), 0);
}

int main(void)
{
	RUN(parse_size_overflow);
	RUN(double_free_not_immediate);
	RUN(double_free_cross_thread);
	RUN(interior_pointers_slab);
	RUN(interior_pointers_large);
	RUN(krealloc_semantics);
	RUN(boot_publishes_complete_machine);
	return test_summary();
}
