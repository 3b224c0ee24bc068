// SPDX-License-Identifier: MIT
/*
 * The hook lists (kernel/hooks.c), the one registration mechanism of the
 * layers: no slot limit (the old fault table had 8 slots, the checkers 16,
 * the drains 4), one duplicate rule, priority order, unregister, and a halt
 * and reboot that leaves each layer's hooks registered exactly once.
 */
#include <stdio.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/show.h>
#include "kernel/internal.h"
#include "test.h"

#define NR_MANY 40

static int calls[NR_MANY];
static int order[NR_MANY], nr_order;

#define CHECKER(i)                     \
	static bool checker_##i(void)  \
	{                              \
		calls[i]++;            \
		order[nr_order++] = i; \
		return true;           \
	}
/* clang-format off: the invocations define functions (no semicolons) */
CHECKER(0)
CHECKER(1)
CHECKER(2)

static bool many_checker(void)
{
	/* clang-format on */
	return true;
}

/* Forty hooks on one list, each called once per walk, in priority order. */
TEST(no_slot_limit_and_priority)
{
	static struct kmem_hook many[NR_MANY];
	static KMEM_HOOK_LIST(list, "test");
	struct kmem_hook *h;
	int i, n = 0, last = 1 << 30;

	for (i = 0; i < NR_MANY; i++) {
		many[i].name = "many";
		many[i].fn = &many[i]; /* distinct */
		many[i].priority = (i * 7) % 5;
		CHECK_EQ(kmem_hook_register(&list, &many[i]), 0);
	}
	kmem_hook_for_each(h, &list) {
		CHECK(h->priority <= last);
		last = h->priority;
		n++;
	}
	CHECK_EQ(n, NR_MANY);
	/* Equal priorities keep their registration order. */
	h = kmem_hook_find(&list, &many[0]);
	CHECK(h == &many[0]);
	for (i = 0; i < NR_MANY; i++)
		kmem_hook_unregister(&list, &many[i]);
	CHECK(list.head == NULL);
	(void)many_checker;
}

/* The same function twice is registered once; unregister removes it. */
TEST(duplicates_and_unregister)
{
	static KMEM_HOOK_LIST(list, "test");
	static struct kmem_hook a = { "a", (const void *)checker_0, 0, NULL };
	static struct kmem_hook a2 = { "a2", (const void *)checker_0, 5, NULL };
	static struct kmem_hook b = { "b", (const void *)checker_1, 1, NULL };
	static struct kmem_hook c = { "c", (const void *)checker_2, 1, NULL };
	struct kmem_hook *h;

	CHECK_EQ(kmem_hook_register(&list, &a), 0);
	CHECK_EQ(kmem_hook_register(&list, &a), -EEXIST);
	CHECK_EQ(kmem_hook_register(&list, &a2), -EEXIST);
	CHECK_EQ(kmem_hook_register(&list, &b), 0);
	CHECK_EQ(kmem_hook_register(&list, &c), 0);
	nr_order = 0;
	kmem_hook_for_each(h, &list)
		((bool (*)(void))h->fn)();
	CHECK_EQ(nr_order, 3);
	CHECK_EQ(order[0], 1); /* priority 1, first registered */
	CHECK_EQ(order[1], 2);
	CHECK_EQ(order[2], 0);
	kmem_hook_unregister(&list, &b);
	kmem_hook_unregister(&list, &b); /* not on it: nothing */
	nr_order = 0;
	kmem_hook_for_each(h, &list)
		((bool (*)(void))h->fn)();
	CHECK_EQ(nr_order, 2);
	CHECK_EQ(order[0], 2);
	CHECK_EQ(order[1], 0);
	kmem_hook_unregister(&list, &a);
	kmem_hook_unregister(&list, &c);
	CHECK(list.head == NULL);
}

static int count_hooks(struct kmem_hook_list *l, const char *name)
{
	struct kmem_hook *h;
	int n = 0;

	kmem_hook_for_each(h, l)
		n += !strcmp(h->name, name);
	return n;
}

/* More checkers through the public call than the old table's 16 all run. */
static int public_calls;
#define PUBLIC(i)                    \
	static bool public_##i(void) \
	{                            \
		public_calls++;      \
		return true;         \
	}
/* clang-format off */
PUBLIC(0) PUBLIC(1) PUBLIC(2) PUBLIC(3) PUBLIC(4)
PUBLIC(5) PUBLIC(6) PUBLIC(7) PUBLIC(8) PUBLIC(9)
PUBLIC(10) PUBLIC(11) PUBLIC(12) PUBLIC(13) PUBLIC(14)
PUBLIC(15) PUBLIC(16) PUBLIC(17) PUBLIC(18) PUBLIC(19)

TEST(public_checkers)
{
	/* clang-format on */
	bool (*const fns[])(void) = {
		public_0,  public_1,  public_2,	 public_3,  public_4,
		public_5,  public_6,  public_7,	 public_8,  public_9,
		public_10, public_11, public_12, public_13, public_14,
		public_15, public_16, public_17, public_18, public_19,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		kmem_register_checker("public", fns[i]);
		kmem_register_checker("public", fns[i]); /* once */
	}
	public_calls = 0;
	CHECK(kmem_check_invariants());
	CHECK_EQ(public_calls, (int)ARRAY_SIZE(fns));
	CHECK_EQ(count_hooks(&kmem_checkers, "public"), (int)ARRAY_SIZE(fns));
}

/* A halt unregisters the layers' hooks, the next boot registers them again:
 * each once, whatever the number of boots. */
TEST(halt_and_reboot)
{
	struct kmem_config cfg = { .ram = 64ULL << 20,
				   .cpus = 2,
				   .quiet = true };
	int boot;

	for (boot = 0; boot < 3; boot++) {
		CHECK_EQ(count_hooks(&kmem_checkers, "slab"), 1);
		CHECK_EQ(count_hooks(&kmem_checkers, "page_alloc"), 1);
		CHECK_EQ(count_hooks(&kmem_checkers, "vmalloc"), 1);
		CHECK_EQ(count_hooks(&kmem_checkers, "user host mappings"), 1);
		test_halt();
		CHECK_EQ(count_hooks(&kmem_checkers, "slab"), 0);
		CHECK_EQ(count_hooks(&kmem_checkers, "page_alloc"), 0);
		CHECK_EQ(test_boot(&cfg), 0);
	}
	/* The views are listed once each, before and after boots. */
	CHECK_EQ(count_hooks(&kmem_views, "status"), 1);
	CHECK_EQ(count_hooks(&kmem_views, "meminfo"), 1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	RUN(no_slot_limit_and_priority);
	RUN(duplicates_and_unregister);
	RUN(public_checkers);
	RUN(halt_and_reboot);
	test_halt();
	return test_summary();
}
