// SPDX-License-Identifier: MIT
/*
 * kvmalloc and friends: physically contiguous memory when it is cheap to get,
 * virtually contiguous memory otherwise.
 *
 * The rules are today's kernel's (mm/util.c, __kvmalloc_node):
 *   - kmalloc is tried first. For more than a page it is asked quietly
 *     (__GFP_NOWARN) and without heavy retrying (__GFP_NORETRY unless the
 *     caller said __GFP_RETRY_MAYFAIL; never __GFP_NOFAIL), because there is
 *     a fallback;
 *   - a request of a page or less gets no vmalloc fallback (kmalloc of that
 *     size practically never fails, and vmalloc would waste a whole page plus
 *     a guard page);
 *   - a request that may not sleep gets no fallback (vmalloc allocates page
 *     tables with GFP_KERNEL);
 *   - more than INT_MAX bytes is refused (WARN unless __GFP_NOWARN);
 *   - otherwise vmalloc, with VM_ALLOW_HUGE_VMAP, named after the caller.
 * kvfree() frees either kind, telling them apart with is_vmalloc_addr().
 * No locks of its own.
 */
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "mm/internal.h"

static gfp_t kmalloc_gfp_adjust(gfp_t flags, size_t size)
{
	if (size > PAGE_SIZE) {
		flags |= __GFP_NOWARN;
		if (!(flags & __GFP_RETRY_MAYFAIL))
			flags |= __GFP_NORETRY;
		flags &= ~__GFP_NOFAIL;
	}
	return flags;
}

static void *__kvmalloc_node(size_t size, gfp_t flags, int node,
			     const void *caller)
{
	void *p;

	p = kmalloc_node(size, kmalloc_gfp_adjust(flags, size), node);
	if (p || size <= PAGE_SIZE)
		return p;
	if (!gfpflags_allow_blocking(flags))
		return NULL;
	if (unlikely(size > INT_MAX)) {
		WARN_ON_ONCE(!(flags & __GFP_NOWARN));
		return NULL;
	}
	return __vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, flags,
				    PAGE_KERNEL, VM_ALLOW_HUGE_VMAP, node,
				    caller);
}

void *kvmalloc_node(size_t size, gfp_t flags, int node)
{
	return __kvmalloc_node(size, flags, node, __builtin_return_address(0));
}

void *kvmalloc(size_t size, gfp_t flags)
{
	return __kvmalloc_node(size, flags, NUMA_NO_NODE,
			       __builtin_return_address(0));
}

void *kvzalloc(size_t size, gfp_t flags)
{
	return __kvmalloc_node(size, flags | __GFP_ZERO, NUMA_NO_NODE,
			       __builtin_return_address(0));
}

void *kvzalloc_node(size_t size, gfp_t flags, int node)
{
	return __kvmalloc_node(size, flags | __GFP_ZERO, node,
			       __builtin_return_address(0));
}

void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return __kvmalloc_node(bytes, flags, NUMA_NO_NODE,
			       __builtin_return_address(0));
}

void *kvcalloc(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return __kvmalloc_node(bytes, flags | __GFP_ZERO, NUMA_NO_NODE,
			       __builtin_return_address(0));
}

void *kvrealloc(const void *p, size_t size, gfp_t flags)
{
	void *n;

	if (is_vmalloc_addr(p))
		return vrealloc(p, size, flags);
	n = krealloc(p, size, kmalloc_gfp_adjust(flags, size));
	if (!n && size) {
		/* krealloc failed: fall back to kvmalloc and copy. */
		n = __kvmalloc_node(size, flags, NUMA_NO_NODE,
				    __builtin_return_address(0));
		if (!n)
			return NULL;
		if (p) {
			memcpy(n, p, min(ksize(p), size));
			kfree(p);
		}
	}
	return n;
}

void kvfree(const void *addr)
{
	if (is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}

void kvfree_sensitive(const void *addr, size_t len)
{
	if (likely(addr)) {
		memset((void *)addr, 0, len);
		kvfree(addr);
	}
}
