// SPDX-License-Identifier: MIT
/*
 * slab_debug from the kernel command line, as a user meets it: a program
 * whose first call boots a machine with `slab_debug=...` (public headers
 * only). The flags reach the caches the lists name and no others; a write
 * past kmalloc(100) inside its 128-byte object is reported when it is
 * freed ("kmalloc Redzone overwritten", the kernel's orig_size red zone),
 * and the allocator goes on working.
 */
/* kmem-test: slub-only: slab_debug is SLUB's */
#include <linux/slab.h>
#include <kmem/kmem.h>
#include "test.h"

static void boot_with(const char *cmdline)
{
	struct kmem_config cfg = { 0 };

	cfg.ram = 64ULL << 20;
	cfg.quiet = true;
	cfg.cmdline = cmdline;
	CHECK_EQ(test_boot(&cfg), 0);
}

/* Is the cache of kmalloc(size) red-zoned? Its red zone (0xcc while the
 * object is allocated) follows the object_size bytes ksize() gives. */
static bool kmalloc_debugged(size_t size)
{
	unsigned char *p = kmalloc(size, GFP_KERNEL);
	bool ret;

	__asm__("" : "+r"(p));
	ret = p[ksize(p)] == 0xcc;
	kfree(p);
	return ret;
}

/* The tests end on their own machine: check it, then halt it. */
static void done(void)
{
	CHECK(kmem_check_invariants());
	test_halt();
}

/* Exported, so that the alloc track can name it. */
void *redzone_user_alloc(size_t size);

noinline void *redzone_user_alloc(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL);

	__asm__("" : "+r"(p));
	return p;
}

TEST(kmalloc_redzone)
{
	unsigned long errs;
	unsigned char *p;
	size_t mark;
	int i;

	boot_with("slab_debug=FZPU");
	errs = kmem_slab_errors();
	mark = kmem_log_mark();
	p = redzone_user_alloc(100);
	CHECK(p != NULL);
	__asm__("" : "+r"(p));
	p[100] = 'X'; /* inside kmalloc-128, past what was asked for */
	kfree(p);
	CHECK_LOG(
		mark,
		"BUG kmalloc-128 (Not tainted): kmalloc Redzone overwritten\n");
	CHECK_LOG(mark, "First byte 0x58 instead of 0xcc\n");
	CHECK_LOG(mark, "INFO: Allocated in redzone_user_alloc+0x");
	CHECK_LOG(mark, "FIX kmalloc-128: Restoring kmalloc Redzone ");
	CHECK_LOG(mark, "not freed\n");
	CHECK_EQ(kmem_slab_errors() - errs, 3);
	kfree(p); /* restored: freed now */
	for (i = 0; i < 1000; i++) {
		void *q = kmalloc((size_t)(i % 300) + 1, GFP_KERNEL);

		CHECK(q != NULL);
		kfree(q);
	}
	CHECK_EQ(kmem_slab_errors() - errs, 3);
	done();
}

/* Per-cache blocks: kmalloc-* get F Z, one named cache P, others none. */
TEST(per_cache_lists)
{
	struct kmem_cache *a, *b;

	boot_with("slab_debug=FZ,kmalloc-*;P,dentry");
	CHECK(kmalloc_debugged(64));
	a = kmem_cache_create("dentry", 192, 0, 0, NULL);
	b = kmem_cache_create("inode_cache", 192, 0, 0, NULL);
	CHECK_EQ(kmem_cache_validate(a), 0);   /* P: a debug cache */
	CHECK_EQ(kmem_cache_validate(b), -22); /* not named: plain */
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	done();
}

TEST(off_and_old_spelling)
{
	struct kmem_cache *c;

	boot_with("slab_debug=-");
	c = kmem_cache_create("after_minus", 64, 0, 0, NULL);
	CHECK_EQ(kmem_cache_validate(c), -22);
	CHECK(!kmalloc_debugged(64));
	kmem_cache_destroy(c);

	boot_with("slub_debug=P slab_nomerge");
	c = kmem_cache_create("old_spelling", 64, 0, 0, NULL);
	CHECK_EQ(kmem_cache_validate(c), 0);
	kmem_cache_destroy(c);

	/* A reboot without the parameter: off again. */
	boot_with("");
	c = kmem_cache_create("next_boot", 64, 0, 0, NULL);
	CHECK_EQ(kmem_cache_validate(c), -22);
	kmem_cache_destroy(c);
	done();
}

TEST(unknown_option)
{
	size_t mark = kmem_log_mark();

	boot_with("slab_debug=FX");
	CHECK_LOG(mark, "slab_debug option 'X' unknown. skipped\n");
	CHECK(kmalloc_debugged(64) == false); /* F only: no red zone */
	CHECK(!kmem_log_contains(mark,
				 "Unknown kernel command line parameters"));
	done();
}

/* O: debugging off where it would raise a cache's minimum order. */
TEST(higher_order)
{
	struct kmem_cache *big, *small;

	boot_with("slab_debug=FZPUO");
	big = kmem_cache_create("page_sized", 4096, 0, 0, NULL);
	small = kmem_cache_create("small_one", 64, 0, 0, NULL);
	CHECK(big != NULL && small != NULL);
	CHECK_EQ(kmem_cache_validate(small), 0);
	/* F survives (no metadata), Z P U are dropped. */
	CHECK_EQ(kmem_cache_validate(big), 0);
	CHECK_EQ(kmem_cache_size(big), 4096);
	kmem_cache_destroy(big);
	kmem_cache_destroy(small);
	done();
}

int main(void)
{
	if (!getenv("VERBOSE"))
		kmem_log_set_console(NULL);
	RUN(kmalloc_redzone);
	RUN(per_cache_lists);
	RUN(off_and_old_spelling);
	RUN(unknown_option);
	RUN(higher_order);
	return test_summary();
}
