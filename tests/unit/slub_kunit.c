// SPDX-License-Identifier: MIT
/*
 * The kernel's SLUB KUnit suite (lib/slub_kunit.c), case by case, with the
 * same error counts: the kernel counts every report and every fix in
 * slab_errors (slab_err, object_err, slab_fix, check_bytes_and_report), so
 * one overwritten red zone byte is 2 errors on validation (the report and
 * "FIX ...: Restoring"), and the next validation finds nothing.
 * kmem_cache_validate() is the kernel's validate_slab_cache() and returns
 * the errors it counted; kmem_slab_errors() is the running total.
 */
/* kmem-test: slub-only: SLUB's KUnit tests */
#include <linux/slab.h>
#include <linux/mm.h>
#include <kmem/log.h>
#include <kmem/slab_debug.h>
#include "mm/slab.h"
#include "test.h"

/* Hide p from the compiler's bounds checks (the writes are the test). */
#define HIDE(p) __asm__("" : "+r"(p))

/* As the kernel's wrapper: no command-line debug flags on top. */
static struct kmem_cache *
test_kmem_cache_create(const char *name, unsigned int size, slab_flags_t flags)
{
	return kmem_cache_create(name, size, 0, flags | SLAB_NO_USER_FLAGS,
				 NULL);
}

TEST(test_clobber_zone)
{
	struct kmem_cache *s =
		test_kmem_cache_create("TestSlub_RZ_alloc", 64, SLAB_RED_ZONE);
	volatile u8 *p = kmem_cache_alloc(s, GFP_KERNEL);

	p[64] = 0x12;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_EQ(p[64], 0xcc); /* restored */
	CHECK_EQ(kmem_cache_validate(s), 0);
	kmem_cache_free(s, (void *)p);
	kmem_cache_destroy(s);
}

TEST(test_next_pointer)
{
	struct kmem_cache *s = test_kmem_cache_create("TestSlub_next_ptr_free",
						      64, SLAB_POISON);
	u8 *p = kmem_cache_alloc(s, GFP_KERNEL);
	unsigned long tmp, *ptr_addr;

	kmem_cache_free(s, p);
	ptr_addr = (unsigned long *)(p + s->offset);
	tmp = *ptr_addr;
	p[s->offset] = (u8)~p[s->offset];
	/* The corrupt free chain, the wrong in-use count and its fix. */
	CHECK_EQ(kmem_cache_validate(s), 3);
	/* Repaired pointer: the count (fixed for the cut chain) is wrong
	 * again, and fixed again. */
	*ptr_addr = tmp;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_EQ(kmem_cache_validate(s), 0);
	kmem_cache_destroy(s);
}

TEST(test_first_word)
{
	struct kmem_cache *s = test_kmem_cache_create("TestSlub_1th_word_free",
						      64, SLAB_POISON);
	u8 *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	*(volatile u8 *)p = 0x78;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_EQ(kmem_cache_validate(s), 0);
	kmem_cache_destroy(s);
}

TEST(test_clobber_50th_byte)
{
	struct kmem_cache *s = test_kmem_cache_create("TestSlub_50th_word_free",
						      64, SLAB_POISON);
	u8 *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	((volatile u8 *)p)[50] = 0x9a;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_EQ(kmem_cache_validate(s), 0);
	kmem_cache_destroy(s);
}

TEST(test_clobber_redzone_free)
{
	struct kmem_cache *s =
		test_kmem_cache_create("TestSlub_RZ_free", 64, SLAB_RED_ZONE);
	u8 *p = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	((volatile u8 *)p)[64] = 0xab;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_EQ(kmem_cache_validate(s), 0);
	kmem_cache_destroy(s);
}

TEST(test_kmalloc_redzone_access)
{
	struct kmem_cache *s = test_kmem_cache_create(
		"TestSlub_RZ_kmalloc", 32,
		SLAB_KMALLOC | SLAB_STORE_USER | SLAB_RED_ZONE);
	volatile u8 *p = __kmalloc_cache_noprof(s, GFP_KERNEL, 18);

	HIDE(p);
	p[18] = 0xab;
	p[19] = 0xab;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_EQ(kmem_cache_validate(s), 0);
	kmem_cache_free(s, (void *)p);
	kmem_cache_destroy(s);
}

struct test_kfree_rcu_struct {
	struct rcu_head rcu;
};

TEST(test_kfree_rcu)
{
	struct kmem_cache *s = test_kmem_cache_create(
		"TestSlub_kfree_rcu", sizeof(struct test_kfree_rcu_struct),
		SLAB_NO_MERGE);
	struct test_kfree_rcu_struct *p = kmem_cache_alloc(s, GFP_KERNEL);
	unsigned long before = kmem_slab_errors();

	kfree_rcu(p, rcu);
	kmem_cache_destroy(s);
	CHECK_EQ(kmem_slab_errors() - before, 0);
}

/* Kept on purpose: the destroy fails, the cache and its object stay. */
TEST(test_leak_destroy)
{
	struct kmem_cache *s = test_kmem_cache_create("TestSlub_leak_destroy",
						      64, SLAB_NO_MERGE);
	unsigned long before = kmem_slab_errors();

	CHECK(kmem_cache_alloc(s, GFP_KERNEL) != NULL);
	kmem_cache_destroy(s);
	/* "Objects remaining" for the slab, and the one object. */
	CHECK_EQ(kmem_slab_errors() - before, 2);
}

TEST(test_krealloc_redzone_zeroing)
{
	struct kmem_cache *s = test_kmem_cache_create(
		"TestSlub_krealloc", 64,
		SLAB_KMALLOC | SLAB_STORE_USER | SLAB_RED_ZONE);
	u8 *p = __kmalloc_cache_noprof(s, GFP_KERNEL, 48);
	int i, bad = 0;

	memset(p, 0xff, 48);
	/* Shrink: the tail becomes red zone. */
	p = krealloc(p, 40, GFP_KERNEL | __GFP_ZERO);
	HIDE(p);
	for (i = 40; i < 64; i++)
		bad += p[i] != 0xcc;
	CHECK_EQ(bad, 0);
	/* Grow within the same 64-byte object: zeroed, red zone after. */
	p = krealloc(p, 56, GFP_KERNEL | __GFP_ZERO);
	HIDE(p);
	for (i = 40, bad = 0; i < 56; i++)
		bad += p[i] != 0;
	CHECK_EQ(bad, 0);
	for (i = 56, bad = 0; i < 64; i++)
		bad += p[i] != 0xcc;
	CHECK_EQ(bad, 0);
	CHECK_EQ(kmem_cache_validate(s), 0);
	memset(p, 0xff, 56);
	/* Grow into a bigger (kmalloc-128) object: the 56 bytes move, the
	 * rest is zero. */
	p = krealloc(p, 112, GFP_KERNEL | __GFP_ZERO);
	for (i = 0, bad = 0; i < 56; i++)
		bad += p[i] != 0xff;
	CHECK_EQ(bad, 0);
	for (i = 56, bad = 0; i < 112; i++)
		bad += p[i] != 0;
	CHECK_EQ(bad, 0);
	kfree(p);
	CHECK_EQ(kmem_cache_validate(s), 0);
	kmem_cache_destroy(s);
}

int main(void)
{
	/* The counts are what this suite checks; the reports themselves are
	 * checked in slab_debug_reports.c. */
	if (!getenv("SLUB_KUNIT_VERBOSE"))
		kmem_log_set_console(NULL);
	RUN(test_clobber_zone);
	RUN(test_next_pointer);
	RUN(test_first_word);
	RUN(test_clobber_50th_byte);
	RUN(test_clobber_redzone_free);
	RUN(test_kmalloc_redzone_access);
	RUN(test_kfree_rcu);
	RUN_KEEP(test_leak_destroy);
	RUN(test_krealloc_redzone_zeroing);
	return test_summary();
}
