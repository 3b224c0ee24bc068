// SPDX-License-Identifier: MIT
/*
 * Boot configuration errors through the public API (issue 9): a bad value in
 * struct kmem_config or in the environment is -EINVAL and one line naming the
 * value and the accepted range, never a panic; a failed implicit boot is
 * remembered (later calls fail at once, silently) until an explicit
 * kmem_boot(), which works.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "test.h"

static void check_resolve(const struct kmem_config *in, const char *want)
{
	struct kmem_config out;
	char msg[160];
	int ret = kmem_config_resolve(in, &out, msg, sizeof(msg));

	test_checks++;
	if (want ? ret != -EINVAL || strcmp(msg, want) : ret != 0) {
		test_failures++;
		fprintf(stderr, "FAIL: resolve gave %d '%s', wanted '%s'\n",
			ret, msg, want ? want : "(success)");
	}
}

TEST(struct_values)
{
	struct kmem_config c;

	memset(&c, 0, sizeof(c));
	c.cpus = -3;
	check_resolve(&c,
		      "kmem: kmem_config.cpus=-3: too few CPUs; use 1 to 256");
	c.cpus = 257;
	check_resolve(
		&c, "kmem: kmem_config.cpus=257: too many CPUs; use 1 to 256");
	c.cpus = 256;
	check_resolve(&c, NULL);
	c.ram = 16ULL << 20;
	check_resolve(
		&c,
		"kmem: kmem_config.ram=16777216: too little RAM; use 32M to 64G");
	c.ram = 8ULL << 30;
	c.layout = KMEM_LAYOUT_X86_32;
	check_resolve(&c, "kmem: kmem_config.ram=8589934592: too much RAM; "
			  "use 32M to 4G with the x86-32 layout");
	c.ram = 64ULL << 20;
	c.layout = (enum kmem_layout)7;
	check_resolve(&c, "kmem: kmem_config.layout=7: unknown layout; use "
			  "KMEM_LAYOUT_X86_64 or KMEM_LAYOUT_X86_32");
	c.layout = KMEM_LAYOUT_X86_64;
	c.swap = 65ULL << 30;
	check_resolve(&c, "kmem: kmem_config.swap=69793218560: too much swap; "
			  "use 0 (none) to 64G");
}

TEST(explicit_boot_bad_struct)
{
	struct kmem_config c = { .ram = 16ULL << 20, .cpus = 2, .quiet = true };
	size_t mark = kmem_log_mark();

	CHECK_EQ(kmem_boot(&c), -EINVAL);
	CHECK(!kmem_is_booted());
	CHECK_LOG(
		mark,
		"kmem: kmem_config.ram=16777216: too little RAM; use 32M to 64G\n");
	c.ram = 64ULL << 20;
	c.cpus = -1;
	CHECK_EQ(kmem_boot(&c), -EINVAL);
	CHECK(!kmem_is_booted());
}

TEST(env_remembered_then_explicit)
{
	struct kmem_config c = { .ram = 64ULL << 20, .cpus = 2, .quiet = true };
	const char *line =
		"kmem: KMEM_CPUS=0x2: not a CPU count; use 1 to 256\n";
	size_t mark = kmem_log_mark();
	struct page *page;
	void *p;

	setenv("KMEM_CPUS", "0x2", 1);
	CHECK(kmalloc(64, GFP_KERNEL) == NULL);
	CHECK(vmalloc(8192) == NULL);
	CHECK(alloc_pages(GFP_KERNEL, 0) == NULL);
	CHECK(kmem_cache_create("never", 32, 0, 0, NULL) == NULL);
	CHECK_EQ(kmem_boot_default(), -EINVAL);
	CHECK_EQ(kmem_log_count(mark, line), 1);
	CHECK(!kmem_is_booted());

	/* An explicit boot with every field given works (the environment's
	 * KMEM_CPUS is not consulted), and so does everything after it. */
	CHECK_EQ(test_boot(&c), 0);
	CHECK(kmem_is_booted());
	p = vmalloc(8192);
	page = alloc_pages(GFP_KERNEL, 0);
	CHECK(p != NULL);
	CHECK(page != NULL);
	vfree(p);
	if (page)
		__free_pages(page, 0);
	CHECK(kmem_check_invariants());
	test_halt();
	unsetenv("KMEM_CPUS");
	CHECK_EQ(test_boot_default(), 0);
	CHECK(kmem_is_booted());
	test_halt();
}

int main(void)
{
	kmem_log_set_console(NULL);
	unsetenv("KMEM_RAM");
	unsetenv("KMEM_CPUS");
	unsetenv("KMEM_LAYOUT");
	unsetenv("KMEM_SWAP");
	test_current = "struct_values";
	struct_values();
	test_current = "explicit_boot_bad_struct";
	explicit_boot_bad_struct();
	test_current = "env_remembered_then_explicit";
	env_remembered_then_explicit();
	return test_summary();
}
