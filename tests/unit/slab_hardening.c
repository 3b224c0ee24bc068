// SPDX-License-Identifier: MIT
/*
 * The slab's hardening, as distribution kernels build it:
 * CONFIG_SLAB_FREELIST_HARDENED (a free word is keyed by its own address,
 * so one copied to another free object is no link there: reported as
 * "Freepointer corrupt", never followed), CONFIG_SLAB_FREELIST_RANDOM (a
 * new slab hands out its objects in a shuffled order) and init_on_alloc /
 * init_on_free for slab objects, with the kernel's exemptions.
 */
/* kmem-test: slub-only: SLUB's free words and sheaves */
#include <stdint.h>

#include <linux/slab.h>
#include <linux/mm.h>
#include <kmem/log.h>
#include "mm/slab.h"
#include "test.h"

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a,
		  y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* No pointer twice among p[0..n), none NULL. */
static bool all_distinct(void **p, unsigned int n)
{
	void **q = malloc(sizeof(*q) * n);
	bool ok = true;
	unsigned int i;

	memcpy(q, p, sizeof(*q) * n);
	qsort(q, n, sizeof(*q), cmp_ptr);
	for (i = 0; i < n; i++)
		if (!q[i] || (i && q[i] == q[i - 1]))
			ok = false;
	free(q);
	return ok;
}

static inline struct slab *slab_of(struct kmem_cache *s, void *p)
{
	return s->src->virt_to_slab(p);
}

/* ---- CONFIG_SLAB_FREELIST_HARDENED ------------------------------------------ */

#ifdef CONFIG_SLAB_FREELIST_HARDENED
/* Two objects in a sheaf hold different free words: each is keyed by its
 * slot's address, none is the bare per-cache secret. */
TEST(free_words_keyed_by_address)
{
	struct kmem_cache *s = kmem_cache_create("hard_words", 64, 0, 0, NULL);
	void *a = kmem_cache_alloc(s, GFP_KERNEL);
	void *b = kmem_cache_alloc(s, GFP_KERNEL);

	CHECK(a && b);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	CHECK(free_word_read(s, a) != free_word_read(s, b));
	CHECK(free_word_read(s, a) != s->free_mark);
	CHECK(free_word_says_free(s, a) && free_word_says_free(s, b));
	/* b's word copied into a is not a free word there. */
	CHECK(free_word_link(s, a, free_word_read(s, b)) > FREE_LINK_MAX);
	kmem_cache_destroy(s);
}

/*
 * A use after free that copies one free object's free word into another
 * free object of the same slab (what replaying a leaked free pointer does):
 * the allocator reports the corrupt free pointer, with the cache and the
 * slab, at the object it was copied to, hands out no object twice and goes
 * on. Without the address key the copied word is a valid link there: the
 * freelist gets a shared tail (objects handed out twice) or loses objects.
 */
TEST(copied_free_word_reported)
{
	unsigned int i, round, reports = 0;

	for (round = 0; round < 8; round++) {
		/* A new cache each round: the last one keeps an abandoned slab. */
		struct kmem_cache *s =
			kmem_cache_create("hard_copy", 64, 0, 0, NULL);
		unsigned int per = s->objects, n = 3 * per;
		void **objs = calloc(n, sizeof(void *));
		void **again = calloc(n, sizeof(void *));
		struct slab *slab;
		void *pin, *a, *b;
		char where[64];
		size_t mark;

		for (i = 0; i < n; i++)
			objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		pin = objs[0];
		slab = slab_of(s, pin);
		for (i = 1; i < n; i++)
			kmem_cache_free(s, objs[i]);
		kmem_cache_shrink(
			s); /* the slab's other objects: on its freelist */
		CHECK_EQ(slab->inuse, 1);
		/* Two free objects of the pinned slab, further apart each round. */
		a = (char *)slab->s_mem + (size_t)((1 + round) % per) * s->size;
		b = (char *)slab->s_mem +
		    (size_t)((3 + 5 * round) % per) * s->size;
		if (a == pin)
			a = (char *)a + s->size;
		if (b == pin || b == a)
			b = (char *)slab->s_mem +
			    (size_t)((per - 1 - round) % per) * s->size;
		CHECK(a != b && a != pin && b != pin);
		free_word_write(s, b, free_word_read(s, a));

		mark = kmem_log_mark();
		for (i = 0; i < n; i++)
			again[i] = kmem_cache_alloc(s, GFP_KERNEL);
		CHECK(all_distinct(again, n));
		reports += kmem_log_count(mark, "Freepointer corrupt");
		CHECK_EQ(kmem_log_count(mark, "Freepointer corrupt"), 1);
		CHECK_LOG(mark,
			  "BUG hard_copy (Not tainted): Freepointer corrupt");
		CHECK_LOG(mark, "Slab 0x");
		/* At b itself, the first link followed that is not one (a
		 * copy that makes a cycle is otherwise met later, at the first
		 * object handed out twice; one that skips is not met at all). */
		snprintf(where, sizeof(where), "@offset=%lu fp=",
			 (unsigned long)((char *)b - (char *)slab->s_mem));
		CHECK_LOG(mark, where);
		CHECK_LOG(mark, "FIX hard_copy: Marking all objects used");
		CHECK(slab_check_cache(s));
		for (i = 0; i < n; i++)
			kmem_cache_free(s, again[i]);
		kmem_cache_free(s, pin);
		CHECK(slab_check_cache(s));
		free(objs);
		free(again);
	}
	CHECK_EQ(reports, 8);
	/* The abandoned objects stay allocated: destroy reports and keeps the
	 * cache, as the kernel does. */
}
#endif

/* ---- CONFIG_SLAB_FREELIST_RANDOM -------------------------------------------- */

#ifdef CONFIG_SLAB_FREELIST_RANDOM
/*
 * The order in which a fresh cache hands out the objects of its first
 * slab: their indices in that slab, order[0..objects). Returns how many
 * came from that slab among 2 * objects allocations (kept in live[]).
 */
static unsigned int first_slab_order(struct kmem_cache *s, unsigned int *order,
				     void **live)
{
	unsigned int i, n = 0;
	struct slab *first = NULL;

	for (i = 0; i < 2 * s->objects; i++) {
		live[i] = kmem_cache_alloc(s, GFP_KERNEL);
		if (!live[i])
			continue;
		if (!first)
			first = slab_of(s, live[i]);
		if (slab_of(s, live[i]) == first && n < s->objects)
			order[n++] =
				(unsigned int)slab_obj_index(s, first, live[i]);
	}
	return n;
}

/* Steps of +-1 between consecutive indices: objects - 1 for a sequential
 * freelist in either direction, about 2 for a shuffled one. */
static unsigned int sequential_steps(const unsigned int *order, unsigned int n)
{
	unsigned int i, steps = 0;

	for (i = 1; i < n; i++)
		if (order[i] == order[i - 1] + 1 ||
		    order[i] + 1 == order[i - 1])
			steps++;
	return steps;
}

/* New slabs hand out their objects in a shuffled order, a different one in
 * each cache, and every object exactly once. */
TEST(random_free_order)
{
	enum { CACHES = 4 };
	struct kmem_cache *c[CACHES];
	unsigned int *order[CACHES], n[CACHES], i, k;
	void **live;

	for (k = 0; k < CACHES; k++) {
		c[k] = kmem_cache_create("rand64", 64, 0, 0, NULL);
		CHECK(c[k] && c[k]->objects >= 32);
		CHECK(c[k]->random_seq != NULL);
		order[k] = calloc(c[k]->objects, sizeof(unsigned int));
		live = calloc(2 * c[k]->objects, sizeof(void *));
		n[k] = first_slab_order(c[k], order[k], live);
		/* Every object of the slab handed out, each once. */
		CHECK_EQ(n[k], c[k]->objects);
		CHECK(all_distinct(live, 2 * c[k]->objects));
		{
			unsigned char *seen = calloc(c[k]->objects, 1);

			for (i = 0; i < n[k]; i++) {
				CHECK(order[k][i] < c[k]->objects &&
				      !seen[order[k][i]]);
				if (order[k][i] < c[k]->objects)
					seen[order[k][i]] = 1;
			}
			free(seen);
		}
		CHECK(sequential_steps(order[k], n[k]) < n[k] / 4);
		for (i = 0; i < 2 * c[k]->objects; i++)
			kmem_cache_free(c[k], live[i]);
		free(live);
	}
	for (k = 1; k < CACHES; k++)
		CHECK(memcmp(order[0], order[k], n[0] * sizeof(unsigned int)) !=
		      0);
	for (k = 0; k < CACHES; k++) {
		free(order[k]);
		kmem_cache_destroy(c[k]);
	}
}

/* Many slabs of a shuffled cache: 20,000 objects, all distinct, all
 * given back, the cache consistent. */
TEST(random_free_order_many_slabs)
{
	enum { N = 20000 };
	struct kmem_cache *s = kmem_cache_create("rand200", 200, 0, 0, NULL);
	void **p = calloc(N, sizeof(void *));
	unsigned int i;

	for (i = 0; i < N; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(all_distinct(p, N));
	CHECK(slab_check_cache(s));
	for (i = 0; i < N; i += 2)
		kmem_cache_free(s, p[i]);
	kmem_cache_shrink(s);
	for (i = 0; i < N; i += 2)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(all_distinct(p, N));
	for (i = 0; i < N; i++)
		kmem_cache_free(s, p[i]);
	CHECK(slab_check_cache(s));
	free(p);
	kmem_cache_destroy(s);
}
#endif

/* ---- init_on_alloc / init_on_free ------------------------------------------- */

static void boot_with(const char *cmdline)
{
	struct kmem_config cfg = { 0 };

	cfg.ram = 64ULL << 20;
	cfg.cpus = 2;
	cfg.quiet = true;
	cfg.cmdline = cmdline;
	CHECK_EQ(test_boot(&cfg), 0);
}

static bool all_bytes(const void *p, size_t len, int c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return false;
	return true;
}

/* Bytes of object p other than its free word (which a free object needs). */
static bool all_bytes_but_word(struct kmem_cache *s, const void *p, int c)
{
	const unsigned char *b = p;
	unsigned int i;

	for (i = 0; i < s->object_size; i++)
		if ((i < s->offset || i >= s->offset + 8) && b[i] != c)
			return false;
	return true;
}

static void ctor_5c(void *p)
{
	memset(p, 0x5c, 96);
}

struct init_caches {
	struct kmem_cache *plain, *ctor, *rcu;
};

static void init_caches_create(struct init_caches *c)
{
	c->plain = kmem_cache_create("init_plain", 96, 0, 0, NULL);
	c->ctor = kmem_cache_create("init_ctor", 96, 0, 0, ctor_5c);
	c->rcu = kmem_cache_create("init_rcu", 96, 0, SLAB_TYPESAFE_BY_RCU,
				   NULL);
	CHECK(c->plain && c->ctor && c->rcu);
}

static void init_caches_destroy(struct init_caches *c)
{
	kmem_cache_destroy(c->plain);
	kmem_cache_destroy(c->ctor);
	kmem_cache_destroy(c->rcu);
}

/* Allocate, fill with 0xaa, free, allocate again (the sheaf is LIFO: the
 * same object). */
static void *dirty_and_realloc(struct kmem_cache *s, gfp_t gfp)
{
	void *p = kmem_cache_alloc(s, GFP_KERNEL), *again;

	memset(p, 0xaa, s->object_size);
	kmem_cache_free(s, p);
	again = kmem_cache_alloc(s, gfp);
	CHECK(again == p);
	return again;
}

static void *dirty_kmalloc_realloc(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL), *again;

	memset(p, 0xaa, size);
	kfree(p);
	again = kmalloc(size, GFP_KERNEL);
	CHECK(again == p);
	return again;
}

/* The free word's place (mm/slub.c section 2): 0 in kmalloc-8, 8 in every
 * other plain cache, away from a caller's narrow store at 0 (the store
 * forwarding stall of the kmalloc pair). The variable-size kmalloc's fast
 * path clears it there: were it the wrong word, every kfree below would be
 * reported as a double free. */
TEST(free_word_offsets)
{
	struct kmem_cache *s = kmem_cache_create("word_64", 64, 0, 0, NULL);
	volatile size_t n;
	unsigned int i;

	CHECK(s->offset == 8);
	kmem_cache_destroy(s);
	for (i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
		struct kmem_cache *k = kmalloc_caches[KMALLOC_NORMAL][i];

		CHECK(k && k->offset == (i == KMALLOC_SHIFT_LOW ? 0 : 8));
	}
	for (n = 1; n <= KMALLOC_MAX_CACHE_SIZE; n += 7) {
		char *p = kmalloc(n, GFP_KERNEL);

		CHECK(p);
		p[0] = 1; /* the pair's touch */
		CHECK(!free_word_says_free(
			kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(n)], p));
		kfree(p);
	}
	test_halt();
}

/* Without the options nothing is zeroed but what __GFP_ZERO asks for: the
 * old contents come back (the free word's 8 bytes excepted). */
TEST(init_off_keeps_contents)
{
	struct init_caches c;
	void *p;

	boot_with("");
	init_caches_create(&c);
	CHECK(!c.plain->init_on_alloc && !c.plain->init_on_free);
	p = dirty_and_realloc(c.plain, GFP_KERNEL);
	CHECK(all_bytes_but_word(c.plain, p, 0xaa));
	CHECK(all_bytes((char *)p + c.plain->offset, 8, 0));
	kmem_cache_free(c.plain, p);
	p = dirty_and_realloc(c.plain, GFP_KERNEL | __GFP_ZERO);
	CHECK(all_bytes(p, 96, 0));
	kmem_cache_free(c.plain, p);
	p = dirty_kmalloc_realloc(100);
	/* The word is at 8 (mm/slub.c section 2), the rest kept. */
	CHECK(all_bytes(p, 8, 0xaa) && all_bytes((char *)p + 16, 84, 0xaa));
	kfree(p);
	init_caches_destroy(&c);
	test_halt();
}

/* init_on_alloc=1: every allocation is zero without __GFP_ZERO, kmalloc
 * included; caches with a constructor or SLAB_TYPESAFE_BY_RCU keep their
 * contents (only __GFP_ZERO zeroes them). */
TEST(init_on_alloc_slab)
{
	struct init_caches c;
	void *p;

	boot_with("init_on_alloc=1");
	init_caches_create(&c);
	CHECK(c.plain->init_on_alloc && !c.plain->init_on_free);
	CHECK(!c.ctor->init_on_alloc && !c.rcu->init_on_alloc);
	p = dirty_and_realloc(c.plain, GFP_KERNEL);
	CHECK(all_bytes(p, 96, 0));
	kmem_cache_free(c.plain, p);
	p = dirty_kmalloc_realloc(100);
	CHECK(all_bytes(p, 100, 0));
	kfree(p);
	p = dirty_kmalloc_realloc(64);
	CHECK(all_bytes(p, 64, 0));
	kfree(p);
	/* A constructor's object: constructed once, then what the user left. */
	p = kmem_cache_alloc(c.ctor, GFP_KERNEL);
	CHECK(all_bytes(p, 96, 0x5c));
	kmem_cache_free(c.ctor, p);
	p = dirty_and_realloc(c.ctor, GFP_KERNEL);
	CHECK(all_bytes(p, 96, 0xaa));
	kmem_cache_free(c.ctor, p);
	/* SLAB_TYPESAFE_BY_RCU: readers may still look at a freed object. */
	p = dirty_and_realloc(c.rcu, GFP_KERNEL);
	CHECK(all_bytes(p, 96, 0xaa));
	kmem_cache_free(c.rcu, p);
	p = dirty_and_realloc(c.rcu, GFP_KERNEL | __GFP_ZERO);
	CHECK(all_bytes(p, 96, 0));
	kmem_cache_free(c.rcu, p);
	/* Many objects through the slow path's refills, distinct, all zero. */
	{
		enum { N = 3000 };
		void **v = calloc(N, sizeof(void *));
		unsigned int i;
		bool zero = true;

		for (i = 0; i < N; i++) {
			v[i] = kmem_cache_alloc(c.plain, GFP_KERNEL);
			zero &= all_bytes(v[i], 96, 0);
			memset(v[i], 0x33, 96);
		}
		CHECK(zero);
		CHECK(all_distinct(v, N));
		for (i = 0; i < N; i++)
			kmem_cache_free(c.plain, v[i]);
		free(v);
	}
	CHECK(slab_check_cache(c.plain));
	init_caches_destroy(&c);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* init_on_free=1: a freed object is zero at once (but for its free word,
 * which the allocation clears), so nothing of it survives in a sheaf or on
 * a slab; not for constructor or SLAB_TYPESAFE_BY_RCU caches. */
TEST(init_on_free_slab)
{
	struct init_caches c;
	void *p;

	boot_with("init_on_free=1");
	init_caches_create(&c);
	CHECK(!c.plain->init_on_alloc && c.plain->init_on_free);
	CHECK(!c.ctor->init_on_free && !c.rcu->init_on_free);
	p = kmem_cache_alloc(c.plain, GFP_KERNEL);
	memset(p, 0xaa, 96);
	kmem_cache_free(c.plain, p);
	CHECK(all_bytes_but_word(c.plain, p, 0)); /* while free */
	CHECK(free_word_says_free(c.plain, p));
	CHECK(kmem_cache_alloc(c.plain, GFP_KERNEL) == p);
	CHECK(all_bytes(p, 96, 0)); /* the free word too */
	kmem_cache_free(c.plain, p);
	p = kmalloc(200, GFP_KERNEL);
	memset(p, 0xaa, 200);
	kfree(p);
	/* The word is at 8, the rest zero. */
	CHECK(all_bytes(p, 8, 0) && all_bytes((char *)p + 16, 184, 0));
	/* Exempt caches keep the contents while free. */
	p = kmem_cache_alloc(c.ctor, GFP_KERNEL);
	memset(p, 0x77, 96);
	kmem_cache_free(c.ctor, p);
	CHECK(all_bytes(p, 96, 0x77));
	p = kmem_cache_alloc(c.rcu, GFP_KERNEL);
	memset(p, 0x77, 96);
	kmem_cache_free(c.rcu, p);
	CHECK(all_bytes(p, 96, 0x77));
	/* A double free is still caught, through the slow path. */
	{
		size_t mark = kmem_log_mark();

		p = kmem_cache_alloc(c.plain, GFP_KERNEL);
		kmem_cache_free(c.plain, p);
		kmem_cache_free(c.plain, p);
		CHECK_EQ(kmem_log_count(mark, "Object already free"), 1);
	}
	CHECK(slab_check_cache(c.plain));
	init_caches_destroy(&c);
	CHECK(kmem_check_invariants());
	test_halt();
}

int main(void)
{
	FILE *console = kmem_log_set_console(NULL);

#ifdef CONFIG_SLAB_FREELIST_HARDENED
	RUN(free_words_keyed_by_address);
	RUN_KEEP(copied_free_word_reported);
#else
	fprintf(stderr, "CONFIG_SLAB_FREELIST_HARDENED is off in this build\n");
#endif
	RUN(free_word_offsets);
	RUN(init_off_keeps_contents);
	RUN(init_on_alloc_slab);
	RUN(init_on_free_slab);
#ifdef CONFIG_SLAB_FREELIST_RANDOM
	RUN(random_free_order);
	RUN(random_free_order_many_slabs);
#else
	fprintf(stderr, "CONFIG_SLAB_FREELIST_RANDOM is off in this build\n");
#endif
	kmem_log_set_console(console);
	return test_summary();
}
