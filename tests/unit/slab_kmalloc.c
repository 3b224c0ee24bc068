// SPDX-License-Identifier: MIT
/* The kmalloc family and slab caches: API, flags, limits, bad input. */
/* kmem-test: slub-only: SLUB's kmalloc-N classes, sheaves and large kmalloc */
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include "mm/internal.h"
#include "mm/slab.h"
#include "test.h"

static const char *cache_of(const void *p)
{
	struct slab *slab;

	if (!virt_addr_valid(p))
		return "(none)";
	slab = (struct slab *)virt_to_head_page(p);
	if (!PageSlab((struct page *)slab))
		return "(not slab)";
	return kmem_cache_name(slab->slab_cache);
}

TEST(size_classes)
{
	static const struct {
		size_t req;
		size_t alloc;
		const char *cache;
	} cases[] = {
		{ 1, 8, "kmalloc-8" },	      { 8, 8, "kmalloc-8" },
		{ 9, 16, "kmalloc-16" },      { 17, 32, "kmalloc-32" },
		{ 33, 64, "kmalloc-64" },     { 65, 96, "kmalloc-96" },
		{ 96, 96, "kmalloc-96" },     { 97, 128, "kmalloc-128" },
		{ 100, 128, "kmalloc-128" },  { 129, 192, "kmalloc-192" },
		{ 193, 256, "kmalloc-256" },  { 257, 512, "kmalloc-512" },
		{ 513, 1024, "kmalloc-1k" },  { 1025, 2048, "kmalloc-2k" },
		{ 2049, 4096, "kmalloc-4k" }, { 4097, 8192, "kmalloc-8k" },
		{ 8192, 8192, "kmalloc-8k" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		volatile size_t n = cases[i].req; /* a variable size */
		void *p = kmalloc(n, GFP_KERNEL);

		CHECK(p != NULL);
		CHECK_EQ(ksize(p), cases[i].alloc);
		CHECK_STR(cache_of(p), cases[i].cache);
		CHECK_EQ(kmalloc_size_roundup(cases[i].req), cases[i].alloc);
		CHECK(IS_ALIGNED((unsigned long)p,
				 cases[i].alloc & -cases[i].alloc));
		kfree(p);
	}
	CHECK(kmem_check_invariants());
}

TEST(constant_sizes)
{
	void *a = kmalloc(100, GFP_KERNEL);
	void *b = kmalloc(8192, GFP_KERNEL);
	void *c = kmalloc(24, GFP_KERNEL | __GFP_RECLAIMABLE);
	void *d = kmalloc(24, GFP_KERNEL_ACCOUNT);
	void *e = kmalloc(24, GFP_KERNEL | GFP_DMA);

	CHECK_STR(cache_of(a), "kmalloc-128");
	CHECK_STR(cache_of(b), "kmalloc-8k");
	CHECK_STR(cache_of(c), "kmalloc-rcl-32");
	CHECK_STR(cache_of(d), "kmalloc-cg-32");
	CHECK_STR(cache_of(e), "dma-kmalloc-32");
	CHECK(e && virt_to_phys(e) < (16UL << 20));
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	kfree(e);
}

TEST(zero_and_null)
{
	void *p = kmalloc(0, GFP_KERNEL);

	CHECK(p == ZERO_SIZE_PTR);
	CHECK_EQ(ksize(p), 0);
	CHECK_EQ(ksize(NULL), 0);
	kfree(p);
	kfree(NULL);
	kfree_sensitive(NULL);
	{
		volatile size_t huge =
			SIZE_MAX / 2; /* overflow found at run time */

		CHECK(kmalloc_array(huge, 4, GFP_KERNEL) == NULL);
		CHECK(kcalloc(huge / 4, 16, GFP_KERNEL) == NULL);
		CHECK(krealloc_array(NULL, huge, 3, GFP_KERNEL) == NULL);
	}
	CHECK_EQ(kmalloc_size_roundup(0), 0);
	CHECK_EQ(kmalloc_size_roundup(SIZE_MAX), SIZE_MAX);
	CHECK_EQ(kmalloc_size_roundup(8193), 16384);
	CHECK_EQ(kmalloc_size_roundup(4UL << 20), 4UL << 20);
}

TEST(large_kmalloc)
{
	size_t sizes[] = { 8193, 12288, 16385, 100000, 1UL << 20, 4UL << 20 };
	unsigned int i;
	size_t mark;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		char *p = kmalloc(sizes[i], GFP_KERNEL);
		struct page *page;

		CHECK(p != NULL);
		if (!p)
			continue;
		page = virt_to_page(p);
		CHECK(PageLargeKmalloc(page));
		CHECK_EQ(page_owner(page), KMEM_OWNER_LARGE_KMALLOC);
		CHECK_EQ(ksize(p), PAGE_SIZE << get_order(sizes[i]));
		memset(p, 0xa5, sizes[i]);
		CHECK(kmem_check_invariants());
		kfree(p);
	}
	mark = kmem_log_mark();
	CHECK(kmalloc((4UL << 20) + 1, GFP_KERNEL) == NULL);
	CHECK(kmalloc(8UL << 20, GFP_KERNEL) == NULL);
	CHECK(kmalloc(8UL << 20, GFP_KERNEL | __GFP_NOWARN) == NULL);
	CHECK(kmem_log_count(mark, "WARNING") <= 1);
}

TEST(zeroing)
{
	unsigned int i, round;

	for (round = 0; round < 3; round++) {
		char *p[64];

		for (i = 0; i < 64; i++) {
			p[i] = kmalloc(200, GFP_KERNEL);
			memset(p[i], 0xff, 200);
		}
		for (i = 0; i < 64; i++)
			kfree(p[i]);
		for (i = 0; i < 64; i++) {
			unsigned int j;

			p[i] = kzalloc(200, GFP_KERNEL);
			for (j = 0; j < 200; j++)
				if (p[i][j])
					break;
			CHECK_EQ(j, 200);
		}
		for (i = 0; i < 64; i++)
			kfree(p[i]);
	}
	{
		char *big = kmalloc(20000, GFP_KERNEL), *z;

		memset(big, 0xee, 20000);
		kfree(big);
		z = kzalloc(20000, GFP_KERNEL);
		for (i = 0; i < 20000 && !z[i]; i++)
			;
		CHECK_EQ(i, 20000);
		kfree(z);
	}
	{
		int *a = kcalloc(10, sizeof(int), GFP_KERNEL);

		for (i = 0; i < 10; i++)
			CHECK_EQ(a[i], 0);
		kfree(a);
	}
}

TEST(krealloc_semantics)
{
	char *p = kmalloc(50, GFP_KERNEL), *q;

	memset(p, 'x', 50);
	q = krealloc(p, 60, GFP_KERNEL); /* still fits kmalloc-64 */
	CHECK(q == p);
	q = krealloc(p, 100, GFP_KERNEL);
	CHECK(q != NULL && q != p);
	CHECK(q[0] == 'x' && q[49] == 'x');
	CHECK_EQ(ksize(q), 128);
	__asm__("" : "+r"(q)); /* the whole ksize() is usable */
	memset(q, 'y', 128);
	p = krealloc(q, 20,
		     GFP_KERNEL |
			     __GFP_ZERO); /* shrink in place, tail zeroed */
	__asm__("" : "+r"(p));
	CHECK(p == q);
	CHECK(p[19] == 'y' && p[20] == 0 && p[127] == 0);
	q = krealloc(p, 0, GFP_KERNEL);
	CHECK(q == ZERO_SIZE_PTR);
	p = krealloc(NULL, 30, GFP_KERNEL);
	CHECK_EQ(ksize(p), 32);
	p = krealloc(p, 20000, GFP_KERNEL);
	CHECK_EQ(ksize(p), 32768); /* PAGE_SIZE << get_order(20000) */
	p = krealloc_array(p, 10, 10, GFP_KERNEL);
	CHECK(p != NULL);
	kfree(p);
}

TEST(dup_helpers)
{
	char *s = kstrdup("hello", GFP_KERNEL);
	char *n = kstrndup("hello world", 5, GFP_KERNEL);
	int src[4] = { 1, 2, 3, 4 };
	int *m = kmemdup(src, sizeof(src), GFP_KERNEL);
	char *z = kmemdup_nul("abc", 2, GFP_KERNEL);

	CHECK_STR(s, "hello");
	CHECK_STR(n, "hello");
	CHECK(m && m[3] == 4);
	CHECK_STR(z, "ab");
	CHECK(kstrdup(NULL, GFP_KERNEL) == NULL);
	kfree(s);
	kfree(n);
	kfree(m);
	kfree(z);
	s = kmalloc(64, GFP_KERNEL);
	memset(s, 0x77, 64);
	kfree_sensitive(s);
}

struct thing {
	long a, b;
	char name[40];
};

static int ctor_calls;
static void thing_ctor(void *p)
{
	struct thing *t = p;

	__atomic_fetch_add(&ctor_calls, 1, __ATOMIC_RELAXED);
	t->a = 42;
	t->b = 0;
}

TEST(caches_and_ctor)
{
	struct kmem_cache *c = kmem_cache_create("thing", sizeof(struct thing),
						 0, SLAB_HWCACHE_ALIGN,
						 thing_ctor);
	struct thing *t[100];
	unsigned int i, objs;

	CHECK(c != NULL);
	CHECK_EQ(kmem_cache_size(c), sizeof(struct thing));
	CHECK_EQ(c->size,
		 64); /* 56 + free pointer after the object, 64-aligned */
	objs = c->objects;
	ctor_calls = 0;
	for (i = 0; i < 100; i++) {
		t[i] = kmem_cache_alloc(c, GFP_KERNEL);
		CHECK(t[i] && t[i]->a == 42);
		t[i]->b = i;
	}
	/* one constructor call per object of each new slab */
	CHECK_EQ(ctor_calls % objs, 0);
	CHECK(ctor_calls >= 100);
	for (i = 0; i < 100; i++) {
		t[i]->a = 42; /* freed objects must be in constructed state */
		kmem_cache_free(c, t[i]);
	}
	i = (unsigned int)ctor_calls;
	for (int k = 0; k < 100; k++)
		t[k] = kmem_cache_alloc(c, GFP_KERNEL);
	CHECK_EQ(ctor_calls, i); /* no new slab, no new constructor call */
	for (int k = 0; k < 100; k++)
		kmem_cache_free(c, t[k]);
	CHECK(kmem_check_invariants());
	kmem_cache_destroy(c);
	CHECK(kmem_check_invariants());
}

TEST(bulk_and_shrink)
{
	struct kmem_cache *c = KMEM_CACHE(thing, 0);
	void *objs[500];
	struct slab_counts cnt;

	CHECK_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 500, objs), 500);
	slab_get_counts(c, &cnt);
	CHECK(cnt.active_objects >= 500);
	CHECK(cnt.nr_full > 0);
	kmem_cache_free_bulk(c, 500, objs);
	kmem_cache_shrink(c);
	slab_get_counts(c, &cnt);
	CHECK_EQ(cnt.nr_slabs, 0);
	CHECK_EQ(cnt.active_objects, 0);
	kmem_cache_destroy(c);
}

TEST(destroy_with_live_objects)
{
	struct kmem_cache *c = kmem_cache_create("leaky", 100, 0, 0, NULL);
	void *p = kmem_cache_alloc(c, GFP_KERNEL);
	size_t mark = kmem_log_mark();

	kmem_cache_destroy(c);
	CHECK_LOG(mark,
		  "Objects remaining in leaky on __kmem_cache_shutdown()");
	CHECK_LOG(mark, "Slab cache still has objects");
	CHECK_LOG(mark, "Object 0x");
	CHECK(kmem_check_invariants());
	/* the cache is still usable and destroyable once empty */
	kmem_cache_free(c, p);
	mark = kmem_log_mark();
	kmem_cache_destroy(c);
	CHECK(!kmem_log_contains(mark, "Objects remaining"));
}

static int global_var;

TEST(bad_frees)
{
	struct kmem_cache *a = kmem_cache_create("bad_a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("bad_b", 64, 0, 0, NULL);
	int stack_var;
	char *p = kmalloc(64, GFP_KERNEL), *q = kmalloc(64, GFP_KERNEL);
	void *oa = kmem_cache_alloc(a, GFP_KERNEL);
	struct page *pg = alloc_page(GFP_KERNEL);
	size_t mark;

	mark = kmem_log_mark();
	kfree(&stack_var);
	CHECK_LOG(mark, "virt_to_phys used for non-linear address");
	mark = kmem_log_mark();
	kfree(&global_var);
	CHECK_LOG(mark, "not a kernel direct-map address");
	mark = kmem_log_mark();
	kfree((void *)(VMALLOC_START + 5 * PAGE_SIZE));
	CHECK_LOG(mark, "a vmalloc address");
	mark = kmem_log_mark();
	kfree(p + 8);
	CHECK_LOG(mark, "Invalid object pointer");
	mark = kmem_log_mark();
	kfree(page_address(pg));
	CHECK_LOG(mark, "Not a kmalloc allocation");
	mark = kmem_log_mark();
	kmem_cache_free(b, oa);
	CHECK_LOG(mark, "Wrong slab cache. bad_b but object is from bad_a");
	CHECK(kmem_check_invariants());

	kfree(q);
	mark = kmem_log_mark();
	kfree(q); /* immediate double free */
	CHECK_LOG(mark, "Object already free");
	CHECK(kmem_check_invariants());
	/* the freelists are intact: two allocations give two objects */
	{
		char *x = kmalloc(64, GFP_KERNEL), *y = kmalloc(64, GFP_KERNEL);

		CHECK(x != y);
		kfree(x);
		kfree(y);
	}
	kfree(p);
	kmem_cache_free(a, oa);
	__free_page(pg);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	CHECK(kmem_check_invariants());
}

TEST(might_sleep_atomic)
{
	DEFINE_SPINLOCK(lock);
	size_t mark = kmem_log_mark();
	void *p, *q;

	spin_lock(&lock);
	p = kmalloc(32, GFP_ATOMIC);
	CHECK(!kmem_log_contains(mark, "sleeping function called"));
	q = kmalloc(32, GFP_KERNEL);
	spin_unlock(&lock);
	CHECK_LOG(mark, "BUG: sleeping function called from invalid context");
	kfree(p);
	kfree(q);
}

TEST(physically_contiguous)
{
	size_t sizes[] = { 8, 100, 4096, 8192, 30000, 1UL << 20 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		char *p = kmalloc(sizes[i], GFP_KERNEL);
		phys_addr_t base = virt_to_phys(p);
		size_t off, bad = 0;

		for (off = 0; off < sizes[i]; off++)
			if (virt_to_phys(p + off) != base + off)
				bad++;
		CHECK_EQ(bad, 0);
		/* and the bytes really are at those physical addresses */
		memset(p, 0x3c, sizes[i]);
		CHECK(*(char *)phys_to_virt(base + sizes[i] - 1) == 0x3c);
		kfree(p);
	}
}

TEST(flags_geometry)
{
	struct kmem_cache *d =
		kmem_cache_create("dma_cache", 200, 0, SLAB_CACHE_DMA, NULL);
	struct kmem_cache *r = kmem_cache_create(
		"rcl_cache", 200, 0, SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT, NULL);
	struct kmem_cache *dbg = kmem_cache_create(
		"dbg_cache", 200, 0,
		SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER, NULL);
	struct kmem_cache *rcu = kmem_cache_create("rcu_cache", 200, 0,
						   SLAB_TYPESAFE_BY_RCU, NULL);
	unsigned long before = global_node_page_state(NR_SLAB_RECLAIMABLE);
	void *p = kmem_cache_alloc(d, GFP_KERNEL),
	     *q = kmem_cache_alloc(r, GFP_KERNEL);
	void *x = kmem_cache_alloc(dbg, GFP_KERNEL),
	     *y = kmem_cache_alloc(rcu, GFP_KERNEL);

	CHECK(virt_to_phys(p) < (16UL << 20));
	CHECK(global_node_page_state(NR_SLAB_RECLAIMABLE) > before);
	CHECK_EQ(get_pageblock_migratetype(virt_to_page(q)),
		 MIGRATE_RECLAIMABLE);
	/* red zone 8 + object 200 + pad word + free pointer + 2 tracks + red zone */
	CHECK_EQ(dbg->offset, 208);
	CHECK_EQ(dbg->size, 8 + 208 + 8 + 64 + 8);
	CHECK_EQ(rcu->offset, 200);
	CHECK_EQ(rcu->size, 208);
	CHECK_EQ(ksize(x), 200);
	CHECK_EQ(ksize(y), 200);
	kmem_cache_free(d, p);
	kmem_cache_free(r, q);
	kmem_cache_free(dbg, x);
	kmem_cache_free(rcu, y);
	kmem_cache_destroy(d);
	kmem_cache_destroy(r);
	kmem_cache_destroy(dbg);
	kmem_cache_destroy(rcu);
	CHECK(kmem_cache_create(NULL, 10, 0, 0, NULL) == NULL);
	CHECK(kmem_cache_create("huge", (4U << 20) + 1, 0, 0, NULL) == NULL);
	CHECK(kmem_cache_create("badalign", 10, 3, 0, NULL) == NULL);
}

/* Objects allocated by one thread, freed by another, with content checks. */
#define XT_OBJS 2000
struct xt_ring {
	void *slots[XT_OBJS];
	int head;
};

static struct kmem_cache *xt_cache;
static void *xt_producer(void *arg)
{
	void **slots = arg;
	int i;

	for (i = 0; i < XT_OBJS; i++) {
		unsigned long *o =
			(i & 1) ? kmalloc(48, GFP_KERNEL) :
				  kmem_cache_alloc(xt_cache, GFP_KERNEL);

		o[0] = (unsigned long)o ^ 0x5a5a;
		o[1] = (unsigned long)i;
		__atomic_store_n(&slots[i], o, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int xt_bad;
static void *xt_consumer(void *arg)
{
	void **slots = arg;
	int i;

	for (i = 0; i < XT_OBJS; i++) {
		unsigned long *o;

		while (!(o = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE)))
			sched_yield();
		if (o[0] != ((unsigned long)o ^ 0x5a5a) ||
		    o[1] != (unsigned long)i)
			__atomic_fetch_add(&xt_bad, 1, __ATOMIC_RELAXED);
		if (i & 1)
			kfree(o);
		else
			kmem_cache_free(xt_cache, o);
	}
	return NULL;
}

TEST(cross_thread_free)
{
	int round;

	xt_cache = kmem_cache_create("xt", 48, 0, 0, NULL);
	for (round = 0; round < 10; round++) {
		void **slots = calloc(XT_OBJS, sizeof(void *));
		pthread_t a, b;

		pthread_create(&a, NULL, xt_producer, slots);
		pthread_create(&b, NULL, xt_consumer, slots);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		free(slots);
		CHECK(kmem_check_invariants());
	}
	CHECK_EQ(xt_bad, 0);
	kmem_cache_destroy(xt_cache);
}

TEST(reboot_discards_thread_caches)
{
	struct kmem_config cfg = { .ram = 64ULL << 20,
				   .cpus = 2,
				   .quiet = true };
	void *p;

	p = kmalloc(64, GFP_KERNEL);
	kfree(p); /* now cached in this thread's sheaf */
	CHECK_EQ(test_boot(&cfg), 0);
	p = kmalloc(64, GFP_KERNEL);
	CHECK(p != NULL && virt_addr_valid(p));
	CHECK(kmem_check_invariants());
	kfree(p);
	test_halt();
	test_boot_default();
}

/* Another thread with cached objects lives through a halt and a boot: its
 * table is dropped at the halt, and its next kmalloc/kfree use the new
 * machine's slabs (the fast paths have no epoch test of their own). */
static pthread_barrier_t reboot_bar;
static int reboot_bad;

static void *reboot_thread(void *arg)
{
	void *p[8];
	int i, round;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < 8; i++)
			p[i] = kmalloc(64, GFP_KERNEL);
		for (i = 0; i < 8; i++) {
			if (!p[i] || !virt_addr_valid(p[i]))
				reboot_bad++;
			kfree(p[i]);
		}
		/* now cached in this thread's sheaf; round 0: halt and boot */
		pthread_barrier_wait(&reboot_bar);
		pthread_barrier_wait(&reboot_bar);
	}
	return arg;
}

TEST(reboot_with_live_thread)
{
	struct kmem_config cfg = { .ram = 64ULL << 20,
				   .cpus = 2,
				   .quiet = true };
	struct slab_counts c;
	pthread_t t;

	pthread_barrier_init(&reboot_bar, NULL, 2);
	pthread_create(&t, NULL, reboot_thread, NULL);
	pthread_barrier_wait(&reboot_bar);
	CHECK_EQ(test_boot(&cfg), 0);
	pthread_barrier_wait(&reboot_bar);
	pthread_barrier_wait(&reboot_bar); /* round 1 done on the new machine */
	CHECK(kmem_check_invariants());
	slab_get_counts(kmalloc_caches[KMALLOC_NORMAL][6], &c);
	/* the thread's 8 objects are cached in its sheaf, counted in use */
	CHECK(c.active_objects >= 8);
	pthread_barrier_wait(&reboot_bar);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&reboot_bar);
	CHECK_EQ(reboot_bad, 0);
	CHECK(kmem_check_invariants());
	test_halt();
	test_boot_default();
}

/* slab_is_obj_start() (one multiply and a rotate) agrees with division for
 * every offset around the slabs of caches of many sizes and layouts. */
TEST(obj_start_exact)
{
	static const slab_flags_t flags[] = { 0, SLAB_HWCACHE_ALIGN,
					      SLAB_RED_ZONE,
					      SLAB_STORE_USER | SLAB_POISON };
	unsigned int size, f, bad = 0, caches = 0;

	for (size = 8; size <= 8192; size += size < 512 ? 8 : 360) {
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			struct kmem_cache *s = kmem_cache_create(
				"objstart", size, 0, flags[f], NULL);
			struct slab *slab;
			void *obj;
			long off, span;

			if (!s || !(obj = kmem_cache_alloc(s, GFP_KERNEL))) {
				bad++;
				continue;
			}
			slab = (struct slab *)virt_to_head_page(obj);
			span = (long)slab->objects * s->size;
			for (off = -(long)s->size - 3;
			     off < span + (long)s->size + 3; off++) {
				bool want = off >= 0 && off % s->size == 0 &&
					    off < span;
				bool got = slab_is_obj_start(
					s, slab, (char *)slab->s_mem + off);

				if (got != want && bad++ < 5)
					pr_err("obj_start %s size %u off %ld: %d\n",
					       s->name, s->size, off, got);
			}
			kmem_cache_free(s, obj);
			kmem_cache_destroy(s);
			caches++;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(caches > 300);
}

TEST(lists_and_min_partial)
{
	struct kmem_cache *c = kmem_cache_create("lists256", 256, 0, 0, NULL);
	static void *objs[2000];
	struct slab_counts a, b, d;

	CHECK_EQ(c->min_partial, 5);
	CHECK_EQ(c->objects, 16);
	CHECK_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 2000, objs), 2000);
	slab_get_counts(c, &a);
	CHECK(a.nr_slabs >= 125);
	CHECK(a.nr_full >= 124);
	CHECK_EQ(a.nr_empty, 0);
	/* free every other object: slabs go from full to partial */
	for (int i = 0; i < 2000; i += 2)
		kmem_cache_free(c, objs[i]);
	kmem_cache_shrink(c); /* flush the sheaves so the slabs see the frees */
	slab_get_counts(c, &b);
	CHECK(b.nr_partial >= 120);
	CHECK(kmem_check_invariants());
	for (int i = 1; i < 2000; i += 2)
		kmem_cache_free(c, objs[i]);
	slab_flush_sheaves(c); /* the barn may hold all of them */
	slab_get_counts(c, &d);
	/* empty slabs beyond min_partial went back to the page allocator at once */
	CHECK(d.nr_empty <= 5);
	CHECK(d.nr_slabs < a.nr_slabs);
	CHECK(kmem_check_invariants());
	kmem_cache_shrink(c);
	slab_get_counts(c, &d);
	CHECK_EQ(d.nr_slabs, 0);
	kmem_cache_destroy(c);
}

TEST(shrinker_under_reclaim)
{
	struct kmem_cache *c = kmem_cache_create("shrink64", 64, 0, 0, NULL);
	static void *objs[3000];
	struct slab_counts a, b;

	CHECK_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 3000, objs), 3000);
	kmem_cache_free_bulk(c, 3000, objs);
	slab_get_counts(c, &a);
	CHECK(a.barn_full > 0 || a.nr_empty > 0);
	try_to_free_pages(GFP_KERNEL,
			  0); /* direct reclaim runs the slab shrinker */
	slab_get_counts(c, &b);
	CHECK_EQ(b.barn_full, 0);
	CHECK_EQ(b.nr_empty, 0);
	CHECK(kmem_check_invariants());
	kmem_cache_destroy(c);
}

static struct kmem_cache *exit_cache;
static void *exit_thread(void *arg)
{
	void *p[100];
	int i;

	for (i = 0; i < 100; i++)
		p[i] = kmem_cache_alloc(exit_cache, GFP_KERNEL);
	for (i = 0; i < 100; i++)
		kmem_cache_free(exit_cache, p[i]);
	return arg;
}

TEST(thread_exit_drains)
{
	struct slab_counts c;
	pthread_t t;

	exit_cache = kmem_cache_create("exit64", 64, 0, 0, NULL);
	pthread_create(&t, NULL, exit_thread, NULL);
	pthread_join(t, NULL);
	slab_get_counts(exit_cache, &c);
	CHECK_EQ(c.active_objects,
		 0); /* the thread's sheaves went back at exit */
	kmem_cache_destroy(exit_cache);
}

TEST(node_variants_and_irq)
{
	char *a = kmalloc_node(40, GFP_KERNEL, 0);
	char *b = kzalloc_node(40, GFP_KERNEL, NUMA_NO_NODE);
	char *c = kcalloc_node(4, 10, GFP_KERNEL, 0);
	void *d;
	size_t mark;

	CHECK_STR(cache_of(a), "kmalloc-64");
	CHECK(b && b[0] == 0 && b[39] == 0);
	CHECK(c && c[39] == 0);
	kfree(a);
	kfree(b);
	kfree(c);
	/* an interrupt handler may kmalloc with GFP_ATOMIC, not GFP_KERNEL */
	mark = kmem_log_mark();
	irq_enter();
	a = kmalloc(16, GFP_ATOMIC);
	CHECK(!kmem_log_contains(mark, "sleeping function"));
	d = kmem_cache_alloc(kmalloc_caches[KMALLOC_NORMAL][4], GFP_KERNEL);
	irq_exit();
	CHECK_LOG(mark, "BUG: sleeping function called from invalid context");
	kfree(a);
	kfree(d);
}

TEST(slab_panic)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		kmem_log_set_console(NULL);
		kmem_cache_create("will_panic", 0, 0, SLAB_PANIC, NULL);
		_exit(0); /* not reached: SLAB_PANIC panics */
	}
	CHECK(pid > 0);
	waitpid(pid, &status, 0);
	CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
	/* without SLAB_PANIC: a warning and NULL */
	{
		size_t mark = kmem_log_mark();

		CHECK(kmem_cache_create("no_panic", 0, 0, 0, NULL) == NULL);
		CHECK_LOG(mark,
			  "kmem_cache_create(no_panic) failed with error -22");
	}
}

int main(void)
{
	RUN(size_classes);
	RUN(constant_sizes);
	RUN(zero_and_null);
	RUN(large_kmalloc);
	RUN(zeroing);
	RUN(krealloc_semantics);
	RUN(dup_helpers);
	RUN(caches_and_ctor);
	RUN(bulk_and_shrink);
	RUN_KEEP(destroy_with_live_objects);
	RUN(bad_frees);
	RUN(might_sleep_atomic);
	RUN(physically_contiguous);
	RUN(flags_geometry);
	RUN(cross_thread_free);
	RUN(lists_and_min_partial);
	RUN(shrinker_under_reclaim);
	RUN(thread_exit_drains);
	RUN(node_variants_and_irq);
	RUN(slab_panic);
	RUN(reboot_discards_thread_caches);
	RUN_KEEP(
		reboot_with_live_thread); /* the thread's sheaf keeps a slab page */
	RUN(obj_start_exact);
	return test_summary();
}
