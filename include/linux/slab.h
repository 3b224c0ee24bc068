/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator and kmalloc: the kernel's <linux/slab.h>.
 *
 * kmem_cache_create() makes a cache of equal-sized objects (one per object
 * type: task_struct, dentry ...); kmalloc() serves arbitrary sizes from a set
 * of caches of fixed sizes (kmalloc-8 ... kmalloc-8k, with 96 and 192), and
 * anything larger than KMALLOC_MAX_CACHE_SIZE straight from the page allocator.
 *
 * As in the kernel, the inline kmalloc() picks the cache at compile time when
 * the size is a constant: kmalloc(100, GFP_KERNEL) compiles to a call of
 * __kmalloc_cache_noprof(kmalloc_caches[KMALLOC_NORMAL][7], ...), with the
 * index computed by the compiler. A variable size goes through __kmalloc(),
 * which finds the class by size_index[] for sizes up to 192, then fls(); its
 * fast path reads one table made of them at boot (mm/slab_common.c,
 * kmalloc_tc[]).
 */
#ifndef _KMEM_LINUX_SLAB_H
#define _KMEM_LINUX_SLAB_H

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <asm/page.h>

/* ---- cache flags (the kernel's bit values) ------------------------------ */
#define SLAB_CONSISTENCY_CHECKS ((slab_flags_t)0x00000100U)
#define SLAB_RED_ZONE ((slab_flags_t)0x00000400U)
#define SLAB_POISON ((slab_flags_t)0x00000800U)
#define SLAB_KMALLOC ((slab_flags_t)0x00001000U)
#define SLAB_HWCACHE_ALIGN ((slab_flags_t)0x00002000U)
#define SLAB_CACHE_DMA ((slab_flags_t)0x00004000U)
#define SLAB_CACHE_DMA32 ((slab_flags_t)0x00008000U)
#define SLAB_STORE_USER ((slab_flags_t)0x00010000U)
#define SLAB_PANIC ((slab_flags_t)0x00040000U)
#define SLAB_TYPESAFE_BY_RCU ((slab_flags_t)0x00080000U)
#define SLAB_TRACE ((slab_flags_t)0x00200000U)
#define SLAB_NOLEAKTRACE ((slab_flags_t)0x00800000U)
#define SLAB_NO_MERGE ((slab_flags_t)0x01000000U)
#define SLAB_FAILSLAB ((slab_flags_t)0x02000000U) /* failslab's cache-filter */
#define SLAB_ACCOUNT ((slab_flags_t)0x04000000U)
#define SLAB_NO_USER_FLAGS ((slab_flags_t)0x10000000U)
#define SLAB_RECLAIM_ACCOUNT ((slab_flags_t)0x00020000U)
#define SLAB_TEMPORARY SLAB_RECLAIM_ACCOUNT

/* ---- kmalloc limits ------------------------------------------------------ */
#define ARCH_KMALLOC_MINALIGN 8
#define ARCH_SLAB_MINALIGN 8
#define KMALLOC_MIN_SIZE 8
#define KMALLOC_SHIFT_LOW 3
#define KMALLOC_SHIFT_HIGH (PAGE_SHIFT + 1)
#define KMALLOC_SHIFT_MAX (10 + PAGE_SHIFT) /* MAX_PAGE_ORDER + PAGE_SHIFT */
#define KMALLOC_MAX_SIZE (1UL << KMALLOC_SHIFT_MAX)
#define KMALLOC_MAX_CACHE_SIZE (1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_ORDER (KMALLOC_SHIFT_MAX - PAGE_SHIFT)

/* kmalloc(0) returns ZERO_SIZE_PTR: not NULL, but any access faults. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

struct kmem_cache;

enum kmalloc_cache_type {
	KMALLOC_NORMAL = 0,
	KMALLOC_RECLAIM, /* kmalloc-rcl-*: __GFP_RECLAIMABLE */
	KMALLOC_DMA,	 /* dma-kmalloc-*: __GFP_DMA */
	KMALLOC_CGROUP,	 /* kmalloc-cg-*: __GFP_ACCOUNT */
	NR_KMALLOC_TYPES
};

typedef struct kmem_cache *kmem_buckets[KMALLOC_SHIFT_HIGH + 1];
extern KMEM_API kmem_buckets kmalloc_caches[NR_KMALLOC_TYPES];

#define KMALLOC_NOT_NORMAL_BITS (__GFP_RECLAIMABLE | __GFP_DMA | __GFP_ACCOUNT)

static __always_inline enum kmalloc_cache_type kmalloc_type(gfp_t flags)
{
	if (likely((flags & KMALLOC_NOT_NORMAL_BITS) == 0))
		return KMALLOC_NORMAL;
	if (flags & __GFP_DMA)
		return KMALLOC_DMA;
	if (flags & __GFP_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	return KMALLOC_CGROUP;
}

/*
 * The kmalloc index of a size: 1 is kmalloc-96, 2 kmalloc-192, n >= 3 is
 * kmalloc-(1 << n). Written as a chain of comparisons so that, for a constant
 * size, the compiler folds it to a constant (the kernel's kmalloc_index()).
 */
static __always_inline unsigned int __kmalloc_index(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_SHIFT_LOW;
	if (size > 64 && size <= 96)
		return 1;
	if (size > 128 && size <= 192)
		return 2;
	if (size <= 8)
		return 3;
	if (size <= 16)
		return 4;
	if (size <= 32)
		return 5;
	if (size <= 64)
		return 6;
	if (size <= 128)
		return 7;
	if (size <= 256)
		return 8;
	if (size <= 512)
		return 9;
	if (size <= 1024)
		return 10;
	if (size <= 2048)
		return 11;
	if (size <= 4096)
		return 12;
	if (size <= 8192)
		return 13;
	return (unsigned int)-1;
}
#define kmalloc_index(s) __kmalloc_index(s)

/* ---- slab caches ----------------------------------------------------------- */
KMEM_API struct kmem_cache *
kmem_cache_create(const char *name, unsigned int size, unsigned int align,
		  slab_flags_t flags, void (*ctor)(void *));
/* Create a cache for `struct __struct`, aligned as the struct. */
#define KMEM_CACHE(__struct, __flags)                         \
	kmem_cache_create(#__struct, sizeof(struct __struct), \
			  __alignof__(struct __struct), (__flags), NULL)
KMEM_API void kmem_cache_destroy(struct kmem_cache *s);
KMEM_API int kmem_cache_shrink(struct kmem_cache *s);
KMEM_API unsigned int kmem_cache_size(struct kmem_cache *s);
KMEM_API const char *kmem_cache_name(const struct kmem_cache *s);

KMEM_API void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags) __malloc;
KMEM_API void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags,
				     int node) __malloc;
KMEM_API void kmem_cache_free(struct kmem_cache *s, void *objp);
static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags)
{
	return kmem_cache_alloc(s, flags | __GFP_ZERO);
}
/* Allocate `size` objects into p[]; returns size, or 0 (nothing allocated). */
KMEM_API int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t flags,
				   size_t size, void **p);
KMEM_API void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p);
#define kmem_cache_alloc_noprof kmem_cache_alloc

/* ---- kmalloc ---------------------------------------------------------------- */
KMEM_API void *__kmalloc_noprof(size_t size, gfp_t flags) __malloc
	__alloc_size(1);
KMEM_API void *__kmalloc_cache_noprof(struct kmem_cache *s, gfp_t flags,
				      size_t size) __malloc __alloc_size(3);
KMEM_API void *__kmalloc_large_noprof(size_t size, gfp_t flags) __malloc
	__alloc_size(1);
KMEM_API void *__kmalloc_node_noprof(size_t size, gfp_t flags,
				     int node) __malloc __alloc_size(1);
#define __kmalloc(size, flags) __kmalloc_noprof(size, flags)

/*
 * kmalloc - allocate `size` bytes of physically contiguous kernel memory.
 * Constant sizes select their cache here, at compile time; variable sizes
 * take the table lookup in __kmalloc().
 */
static __always_inline __alloc_size(1) void *kmalloc(size_t size, gfp_t flags)
{
	if (__builtin_constant_p(size) && size) {
		unsigned int index;

		if (size > KMALLOC_MAX_CACHE_SIZE)
			return __kmalloc_large_noprof(size, flags);
		index = kmalloc_index(size);
		return __kmalloc_cache_noprof(
			kmalloc_caches[kmalloc_type(flags)][index], flags,
			size);
	}
	return __kmalloc_noprof(size, flags);
}

static __always_inline __alloc_size(1) void *kmalloc_node(size_t size,
							  gfp_t flags, int node)
{
	return __kmalloc_node_noprof(size, flags, node);
}

static __always_inline __alloc_size(1) void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static __always_inline __alloc_size(1) void *kzalloc_node(size_t size,
							  gfp_t flags, int node)
{
	return kmalloc_node(size, flags | __GFP_ZERO, node);
}

/* n * size bytes; NULL if the product overflows. */
static inline __alloc_size(1, 2) void *kmalloc_array(size_t n, size_t size,
						     gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return kmalloc(bytes, flags);
}

static inline __alloc_size(1, 2) void *kcalloc(size_t n, size_t size,
					       gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline __alloc_size(1, 2) void *kmalloc_array_node(size_t n, size_t size,
							  gfp_t flags, int node)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return kmalloc_node(bytes, flags, node);
}
#define kcalloc_node(n, size, flags, node) \
	kmalloc_array_node(n, size, (flags) | __GFP_ZERO, node)

KMEM_API void kfree(const void *objp);
KMEM_API void kfree_sensitive(const void *objp);
KMEM_API size_t ksize(const void *objp);
KMEM_API void *krealloc(const void *p, size_t new_size, gfp_t flags)
	__alloc_size(2);
#define krealloc_noprof krealloc
static inline __alloc_size(2, 3) void *krealloc_array(void *p, size_t new_n,
						      size_t new_size,
						      gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(new_n, new_size, &bytes)))
		return NULL;
	return krealloc(p, bytes, flags);
}
KMEM_API size_t kmalloc_size_roundup(size_t size);

KMEM_API void *kmemdup(const void *src, size_t len, gfp_t gfp) __alloc_size(2);
KMEM_API char *kstrdup(const char *s, gfp_t gfp) __malloc;
KMEM_API const char *kstrdup_const(const char *s, gfp_t gfp);
KMEM_API void kfree_const(const void *x);
KMEM_API char *kstrndup(const char *s, size_t max, gfp_t gfp) __malloc;
KMEM_API void *kmemdup_nul(const char *s, size_t len, gfp_t gfp) __malloc;

/* kvfree_rcu / kfree_rcu: there are no RCU readers in kmem's world, so the
 * grace period is empty and the object is freed at once. */
#define kfree_rcu(ptr, rhf) kfree(ptr)
#define kfree_rcu_mightsleep(ptr) kfree(ptr)

#endif
