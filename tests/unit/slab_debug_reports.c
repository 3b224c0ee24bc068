// SPDX-License-Identifier: MIT
/*
 * slab_debug's reports, one per kind, checked line by line against SLUB's
 * text: the banner, "BUG <cache> (Not tainted): <what>", the INFO lines
 * (byte range, Allocated in / Freed in with age, cpu and pid), the Slab and
 * Object lines, the hex dumps (print_hex_dump's layout: 16 bytes, ASCII
 * column), the FIX lines; and after each, that the cache still works and
 * validates clean.
 */
/* kmem-test: slub-only: slab_debug is SLUB's */
#include <linux/slab.h>
#include <linux/mm.h>
#include <kmem/log.h>
#include <kmem/slab_debug.h>
#include "mm/slab.h"
#include "test.h"

#define F SLAB_CONSISTENCY_CHECKS
#define Z SLAB_RED_ZONE
#define P SLAB_POISON
#define U SLAB_STORE_USER

/* Exported (not static), so that the tracks can name them. */
void *debug_test_alloc(struct kmem_cache *s);
void debug_test_free(struct kmem_cache *s, void *p);

noinline void *debug_test_alloc(struct kmem_cache *s)
{
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	__asm__("" : "+r"(p));
	return p;
}

noinline void debug_test_free(struct kmem_cache *s, void *p)
{
	kmem_cache_free(s, p);
	__asm__("");
}

static struct kmem_cache *create(const char *name, unsigned int size,
				 slab_flags_t flags)
{
	return kmem_cache_create(name, size, 0, flags | SLAB_NO_USER_FLAGS,
				 NULL);
}

/* The log since mark contains the formatted line. */
#define CHECK_LOGF(mark, ...)                                  \
	do {                                                   \
		char __l[256];                                 \
		snprintf(__l, sizeof(__l), __VA_ARGS__);       \
		if (!kmem_log_contains((mark), __l))           \
			fprintf(stderr, "missing: %s\n", __l); \
		CHECK_LOG((mark), __l);                        \
	} while (0)

/* A cache still hands out and takes back objects, and validates clean. */
static void still_works(struct kmem_cache *s)
{
	void *o[40];
	int i;

	for (i = 0; i < 40; i++) {
		o[i] = kmem_cache_alloc(s, GFP_KERNEL);
		CHECK(o[i] != NULL);
	}
	for (i = 0; i < 40; i++)
		kmem_cache_free(s, o[i]);
	CHECK_EQ(kmem_cache_validate(s), 0);
}

static unsigned long ul(const void *p)
{
	return (unsigned long)p;
}

TEST(right_redzone)
{
	struct kmem_cache *s = create("rz_right", 64, F | Z | U);
	unsigned char *p = debug_test_alloc(s);
	unsigned long errs = kmem_slab_errors();
	size_t mark = kmem_log_mark();
	struct slab *slab = s->src->virt_to_slab(p);

	__asm__("" : "+r"(p));
	p[64] = 'A';
	debug_test_free(s, p); /* F: checked, reported, not freed */
	CHECK_LOG(
		mark,
		"=============================================================================\n"
		"BUG rz_right (Not tainted): Right Redzone overwritten\n"
		"-----------------------------------------------------------------------------\n\n");
	CHECK_LOGF(
		mark,
		"INFO: 0x%lx-0x%lx @offset=%lu. First byte 0x41 instead of 0xcc\n",
		ul(p + 64), ul(p + 64),
		ul(p + 64) - ul(slab->s_mem) + s->red_left_pad);
	CHECK_LOG(mark, "INFO: Allocated in debug_test_alloc+0x");
	CHECK_LOG(mark, " age=");
	CHECK_LOGF(mark, "Slab 0x%lx objects=%u used=1 fp=0x", ul(slab),
		   slab->objects);
	CHECK_LOGF(mark, "Object 0x%lx @offset=%lu fp=0x", ul(p),
		   ul(p) - ul(slab->s_mem) + s->red_left_pad);
	CHECK_LOGF(
		mark,
		"Redzone  %016lx: cc cc cc cc cc cc cc cc                          ........\n",
		ul(p - 8));
	CHECK_LOGF(mark, "Object   %016lx: ", ul(p));
	CHECK_LOGF(
		mark,
		"Redzone  %016lx: 41 cc cc cc cc cc cc cc                          A.......\n",
		ul(p + 64));
	CHECK_LOGF(mark,
		   "FIX rz_right: Restoring Right Redzone 0x%lx-0x%lx=0xcc\n",
		   ul(p + 64), ul(p + 64));
	CHECK_LOGF(mark, "FIX rz_right: Object at 0x%lx not freed\n", ul(p));
	/* the report, its fix, "not freed" */
	CHECK_EQ(kmem_slab_errors() - errs, 3);
	/* Restored: now it frees. */
	mark = kmem_log_mark();
	debug_test_free(s, p);
	CHECK(!kmem_log_contains(mark, "BUG"));
	still_works(s);
	kmem_cache_destroy(s);
}

TEST(left_redzone)
{
	struct kmem_cache *s = create("rz_left", 64, F | Z);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	size_t mark = kmem_log_mark();

	__asm__("" : "+r"(p));
	p[-1] = 0x55;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_LOG(mark,
		  "BUG rz_left (Not tainted): Left Redzone overwritten\n");
	CHECK_LOGF(mark, "INFO: 0x%lx-0x%lx @offset=", ul(p - 1), ul(p - 1));
	CHECK_LOG(mark, "First byte 0x55 instead of 0xcc\n");
	CHECK_LOGF(
		mark,
		"Redzone  %016lx: cc cc cc cc cc cc cc 55                          .......U\n",
		ul(p - 8));
	CHECK_LOGF(mark,
		   "FIX rz_left: Restoring Left Redzone 0x%lx-0x%lx=0xcc\n",
		   ul(p - 1), ul(p - 1));
	kmem_cache_free(s, p);
	still_works(s);
	kmem_cache_destroy(s);
}

/* A write after free, caught when the object is allocated again (F). */
TEST(poison_overwritten)
{
	struct kmem_cache *s = create("poisoned", 64, F | P | U);
	unsigned char *p = debug_test_alloc(s), *q;
	size_t mark;

	debug_test_free(s, p);
	mark = kmem_log_mark();
	((volatile unsigned char *)p)[10] = 0;
	q = kmem_cache_alloc(s, GFP_KERNEL); /* takes p first: checked */
	CHECK(q != NULL && q != p);
	CHECK_LOG(mark, "BUG poisoned (Not tainted): Poison overwritten\n");
	CHECK_LOGF(mark, "INFO: 0x%lx-0x%lx @offset=", ul(p + 10), ul(p + 10));
	CHECK_LOG(mark, "First byte 0x0 instead of 0x6b\n");
	CHECK_LOG(mark, "INFO: Allocated in debug_test_alloc+0x");
	CHECK_LOG(mark, "INFO: Freed in debug_test_free+0x");
	CHECK_LOGF(
		mark,
		"Object   %016lx: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 00 6b 6b 6b 6b 6b  kkkkkkkkkk.kkkkk\n",
		ul(p));
	CHECK_LOGF(
		mark,
		"Object   %016lx: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5  kkkkkkkkkkkkkkk.\n",
		ul(p + 48));
	CHECK_LOGF(mark, "FIX poisoned: Restoring Poison 0x%lx-0x%lx=0x6b\n",
		   ul(p + 10), ul(p + 10));
	CHECK_LOG(mark, "FIX poisoned: Marking all objects used\n");
	kmem_cache_free(s, q);
	still_works(s);
	/* The slab marked used keeps its objects: no destroy (RUN_KEEP). */
}

TEST(object_already_free)
{
	struct kmem_cache *s = create("twice", 64, Z | U); /* even without F */
	void *other = kmem_cache_alloc(s, GFP_KERNEL);
	void *p = debug_test_alloc(s);
	unsigned long errs;
	size_t mark;

	debug_test_free(s, p);
	errs = kmem_slab_errors();
	mark = kmem_log_mark();
	debug_test_free(s, p);
	CHECK_LOG(mark, "BUG twice (Not tainted): Object already free\n");
	CHECK_LOG(mark, "INFO: Freed in debug_test_free+0x");
	CHECK_LOGF(mark, "FIX twice: Object at 0x%lx not freed\n", ul(p));
	CHECK_EQ(kmem_slab_errors() - errs, 2);
	CHECK_EQ(kmem_cache_validate(s), 0);
	/* With no object of the slab in use, the kernel's first check
	 * speaks (free_debug_processing). */
	kmem_cache_free(s, other);
	mark = kmem_log_mark();
	debug_test_free(s, p);
	CHECK_LOG(
		mark,
		"BUG twice (Not tainted): Slab has 0 allocated objects but 1 are to be freed\n");
	CHECK_LOGF(mark, "FIX twice: Object at 0x%lx not freed\n", ul(p));
	still_works(s);
	kmem_cache_destroy(s);
}

TEST(freepointer_corrupt)
{
	struct kmem_cache *s = create("fpc", 64, F | P);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL), *q;
	size_t mark;

	kmem_cache_free(s, p);
	mark = kmem_log_mark();
	memset(p + s->offset, 0x42, sizeof(void *));
	q = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK(q != NULL && q != p);
	CHECK_LOG(mark, "BUG fpc (Not tainted): Freepointer corrupt\n");
	CHECK_LOGF(mark, "fp=0x4242424242424242\n");
	CHECK_LOG(mark, "FIX fpc: Marking all objects used\n");
	kmem_cache_free(s, q);
	still_works(s);
}

TEST(slab_padding)
{
	/* 64 + 8 bytes a slot: 56 in a page, 64 bytes left at the end. */
	struct kmem_cache *s = create("slabpad", 64, P);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	struct slab *slab = s->src->virt_to_slab(p);
	unsigned char *end =
		(unsigned char *)slab->s_mem + (PAGE_SIZE << slab->order);
	size_t mark = kmem_log_mark();

	CHECK_EQ(s->size, 72);
	end[-10] = 1;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_LOGF(
		mark,
		"BUG slabpad (Not tainted): Padding overwritten. 0x%lx-0x%lx @offset=%lu\n",
		ul(end - 10), ul(end - 10),
		(unsigned long)(PAGE_SIZE << slab->order) - 10);
	CHECK_LOGF(
		mark,
		"Padding %016lx: 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ\n",
		ul(end - 64));
	CHECK_LOGF(
		mark,
		"Padding %016lx: 5a 5a 5a 5a 5a 5a 01 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZ.ZZZZZZZZZ\n",
		ul(end - 16));
	CHECK_LOGF(mark,
		   "FIX slabpad: Restoring slab padding 0x%lx-0x%lx=0x5a\n",
		   ul(end - 10), ul(end - 10));
	kmem_cache_free(s, p);
	still_works(s);
	kmem_cache_destroy(s);
}

TEST(object_padding)
{
	/* P Z: object 64, red zone 8, free word 8, padding 8, left zone 8. */
	struct kmem_cache *s = create("objpad", 64, P | Z);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	size_t mark = kmem_log_mark();

	CHECK_EQ(s->size, 96);
	__asm__("" : "+r"(p));
	p[82] = 7;
	CHECK_EQ(kmem_cache_validate(s), 2);
	CHECK_LOG(mark,
		  "BUG objpad (Not tainted): Object padding overwritten\n");
	CHECK_LOGF(mark, "INFO: 0x%lx-0x%lx @offset=", ul(p + 82), ul(p + 82));
	CHECK_LOGF(
		mark,
		"Padding  %016lx: 5a 5a 07 5a 5a 5a 5a 5a                          ZZ.ZZZZZ\n",
		ul(p + 80));
	CHECK_LOGF(mark,
		   "FIX objpad: Restoring Object padding 0x%lx-0x%lx=0x5a\n",
		   ul(p + 82), ul(p + 82));
	kmem_cache_free(s, p);
	still_works(s);
	kmem_cache_destroy(s);
}

TEST(invalid_pointer)
{
	struct kmem_cache *s = create("badptr", 64, F | Z);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);
	size_t mark = kmem_log_mark();

	kmem_cache_free(s, p + 8);
	CHECK_LOGF(mark,
		   "BUG badptr (Not tainted): Invalid object pointer 0x%lx\n",
		   ul(p + 8));
	CHECK_LOGF(mark, "FIX badptr: Object at 0x%lx not freed\n", ul(p + 8));
	kmem_cache_free(s, p);
	still_works(s);
	kmem_cache_destroy(s);
}

TEST(trace)
{
	struct kmem_cache *s = create("traced", 32, SLAB_TRACE);
	void *p;
	size_t mark = kmem_log_mark();

	p = kmem_cache_alloc(s, GFP_KERNEL);
	CHECK_LOGF(mark, "TRACE traced alloc 0x%lx inuse=0 fp=0x", ul(p));
	kmem_cache_free(s, p);
	CHECK_LOGF(mark, "TRACE traced free 0x%lx inuse=1 fp=0x", ul(p));
	CHECK_LOGF(mark, "Object %016lx: ", ul(p));
	kmem_cache_destroy(s);
}

/* A debug cache takes no sheaf: its objects are on the slabs at once. */
TEST(no_sheaves)
{
	struct kmem_cache *s = create("nosheaf", 64, Z);
	struct slab_counts c;
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	slab_get_counts(s, &c);
	CHECK_EQ(c.active_objects, 1);
	CHECK_EQ(c.thread_cached, 0);
	kmem_cache_free(s, p);
	slab_get_counts(s, &c);
	CHECK_EQ(c.active_objects, 0);
	kmem_cache_destroy(s);
}

/* A plain cache is no debug cache: validate refuses it (as sysfs). */
TEST(validate_plain_cache)
{
	struct kmem_cache *s = kmem_cache_create("plain", 64, 0, 0, NULL);

	CHECK_EQ(kmem_cache_validate(s), -22);
	kmem_cache_destroy(s);
}

int main(void)
{
	RUN(right_redzone);
	RUN(left_redzone);
	RUN_KEEP(poison_overwritten);
	RUN(object_already_free);
	RUN_KEEP(freepointer_corrupt);
	RUN(slab_padding);
	RUN(object_padding);
	RUN(invalid_pointer);
	RUN(trace);
	RUN(no_sheaves);
	RUN(validate_plain_cache);
	return test_summary();
}
