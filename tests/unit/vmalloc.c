// SPDX-License-Identifier: MIT
/*
 * vmalloc: our versions of the kernel's vmalloc self-test scenarios
 * (lib/test_vmalloc.c: fixed sizes, full fit, long busy list, random sizes,
 * alignments, an alignment that must fail, vm_map_ram, vrealloc), each
 * checking contents and the address-space accounting afterwards; physical
 * scatter; faults on guard pages and freed areas; bad input; lazy purging;
 * the host-mapping budget (demand mode); vmallocinfo; kvmalloc's rules;
 * concurrency.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/highmem.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include "mm/internal.h"
#include "mm/pgtable.h"
#include "mm/vmalloc.h"
#include "test.h"

static unsigned long rnd_state = 88172645463325252UL;

static unsigned long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void fill(void *p, unsigned long size, unsigned char seed)
{
	unsigned char *c = p;
	unsigned long i;

	for (i = 0; i < size; i += 512)
		c[i] = (unsigned char)(seed + i / 512);
	c[size - 1] = seed ^ 0x5a;
}

static bool verify(const void *p, unsigned long size, unsigned char seed)
{
	const unsigned char *c = p;
	unsigned long i;

	for (i = 0; i < size; i += 512)
		if (c[i] != (unsigned char)(seed + i / 512))
			return false;
	return c[size - 1] == (unsigned char)(seed ^ 0x5a);
}

/* The vmalloc space is back to its idle state: nothing busy, nothing lazy,
 * one free range (everything merged), no vmalloc pages. */
static void check_idle(void)
{
	struct vmalloc_stats st;

	vm_unmap_aliases();
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_busy, 0);
	CHECK_EQ(st.nr_lazy, 0);
	CHECK_EQ(st.nr_free, 1);
	CHECK_EQ(st.free_bytes, (VMALLOC_END & PAGE_MASK) - VMALLOC_START);
	CHECK_EQ(vmalloc_nr_pages(), 0);
	CHECK_EQ(st.host_maps, 0);
	CHECK(vmalloc_check());
}

TEST(basic)
{
	unsigned long size = 1000000, i, nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned long tables = global_node_page_state(NR_PAGETABLE);
	struct vm_struct *vm;
	unsigned char *p;

	p = vmalloc(size);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(is_vmalloc_addr(p));
	CHECK(is_vmalloc_addr(p + size - 1));
	CHECK(!is_vmalloc_addr((void *)PAGE_OFFSET));
	CHECK(!is_vmalloc_addr((void *)VMALLOC_END));
	CHECK(PAGE_ALIGNED(p));
	vm = find_vm_area(p + 5000);
	CHECK(vm && vm->addr == p);
	CHECK(vm && vm->nr_pages == nr);
	CHECK(vm && vm->size == (nr + 1) * PAGE_SIZE);
	CHECK(vm && (vm->flags & VM_ALLOC));
	CHECK_EQ(vmalloc_nr_pages(), nr);
	memset(p, 0xab, size);
	for (i = 0; i < nr; i++) {
		struct page *page = vmalloc_to_page(p + i * PAGE_SIZE + 17);

		CHECK(page == vm->pages[i]);
		CHECK_EQ(vmalloc_to_pfn(p + i * PAGE_SIZE),
			 page_to_pfn(vm->pages[i]));
		CHECK_EQ(page_owner(page), KMEM_OWNER_VMALLOC);
	}
	/* The page tables for the range are real and counted. */
	CHECK(global_node_page_state(NR_PAGETABLE) > tables);
	/* Read through the direct map (or kmap): the same bytes. */
	{
		void *k = kmap_local_page(vm->pages[3]);

		CHECK(((unsigned char *)k)[100] == 0xab);
		((unsigned char *)k)[100] = 0x11;
		kunmap_local(k);
		CHECK(p[3 * PAGE_SIZE + 100] == 0x11);
	}
	CHECK(vmalloc_to_page(p + nr * PAGE_SIZE) == NULL); /* the guard page */
	CHECK(kmem_check_invariants());
	vfree(p);
	CHECK(vmalloc_to_page(p) == NULL);
	CHECK(find_vm_area(p) == NULL);
	vfree(NULL);
	check_idle();
	CHECK_EQ(global_node_page_state(NR_PAGETABLE), tables);
}

TEST(vzalloc_and_friends)
{
	unsigned char *p = vzalloc(3 * PAGE_SIZE + 5), *u, *h, *v32;
	unsigned long i;
	bool zero = true;

	CHECK(p != NULL);
	for (i = 0; p && i < 3 * PAGE_SIZE + 5; i++)
		zero &= p[i] == 0;
	CHECK(zero);
	vfree(p);
	u = vmalloc_user(10000);
	CHECK(u && u[9999] == 0);
	CHECK(u && (find_vm_area(u)->flags & VM_USERMAP));
	vfree(u);
	v32 = vmalloc_32(64 * 1024);
	CHECK(v32 != NULL);
	for (i = 0; v32 && i < 16; i++)
		CHECK(page_to_pfn(vmalloc_to_page(v32 + i * PAGE_SIZE)) <
		      (1UL << (32 - PAGE_SHIFT)));
	vfree(v32);
	/* vmalloc_huge: a 2 MiB-aligned area, 2 MiB blocks when available. */
	h = vmalloc_huge(4 << 20, GFP_KERNEL);
	CHECK(h != NULL);
	if (h) {
		struct vm_struct *vm = find_vm_area(h);

		CHECK(IS_ALIGNED((unsigned long)h, 2 << 20));
		CHECK_EQ(vm->nr_pages, 1024);
		memset(h, 7, 4 << 20);
		CHECK(h[(4 << 20) - 1] == 7);
		if (vm->page_order)
			CHECK_EQ(vmalloc_to_pfn(h + (1 << 20)),
				 vmalloc_to_pfn(h) + 256);
	}
	vfree(h);
	p = vmalloc_node(PAGE_SIZE, NUMA_NO_NODE);
	CHECK(p != NULL);
	vfree(p);
	p = vcalloc(100, 100);
	CHECK(p && p[9999] == 0);
	vfree(p);
	CHECK(vmalloc_array(SIZE_MAX / 2, 4) == NULL);
	check_idle();
}

/* fix_size_alloc_test: the same size again and again. */
TEST(fixed_size_loop)
{
	unsigned long first = 0;
	int i;

	for (i = 0; i < 2000; i++) {
		unsigned char *p = vmalloc(3 * PAGE_SIZE);

		CHECK(p != NULL);
		if (!p)
			break;
		if (!i)
			first = (unsigned long)p;
		fill(p, 3 * PAGE_SIZE, (unsigned char)i);
		CHECK(verify(p, 3 * PAGE_SIZE, (unsigned char)i));
		vfree(p);
	}
	/* Lazily freed areas are not reused before a purge: the loop walked up
	 * the space, and purges brought it back. */
	CHECK(first == VMALLOC_START);
	check_idle();
}

/* full_fit_alloc_test: fragment the space with one-page holes, then
 * allocations that exactly fill a hole take the lowest one. */
TEST(full_fit)
{
	enum { N = 4096 };
	static void *ptr[N], *junk[N];
	unsigned long lowest_hole = ULONG_MAX;
	struct vmalloc_stats st;
	int i;

	for (i = 0; i < N; i++) {
		ptr[i] = vmalloc(PAGE_SIZE);
		junk[i] = vmalloc(PAGE_SIZE);
		CHECK(ptr[i] && junk[i]);
	}
	for (i = 0; i < N; i++) {
		lowest_hole = min(lowest_hole, (unsigned long)junk[i]);
		vfree(junk[i]);
	}
	vm_unmap_aliases();
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_busy, N);
	CHECK_EQ(st.nr_free, N); /* N holes, the last merged with the rest */
	CHECK(vmalloc_check());
	for (i = 0; i < 100; i++) {
		unsigned char *tmp = vmalloc(PAGE_SIZE);

		CHECK((unsigned long)tmp == lowest_hole);
		*tmp = 1;
		CHECK(*tmp == 1);
		vfree(tmp);
		vm_unmap_aliases();
	}
	/* Now fill every hole: each takes exactly one (full fit). */
	for (i = 0; i < N; i++) {
		junk[i] = vmalloc(PAGE_SIZE);
		CHECK(junk[i] != NULL);
	}
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_free, 1);
	CHECK(vmalloc_check());
	for (i = 0; i < N; i++) {
		vfree(ptr[i]);
		vfree(junk[i]);
	}
	check_idle();
}

/* long_busy_list_alloc_test: 15,000 live one-page areas, and allocation
 * keeps working (and stays O(log n)) around them. */
TEST(long_busy_list)
{
	enum { N = 15000 };
	void **ptr = vmalloc(N * sizeof(void *));
	struct vmalloc_stats st;
	int i;

	CHECK(ptr != NULL);
	if (!ptr)
		return;
	for (i = 0; i < N; i++) {
		ptr[i] = vmalloc(PAGE_SIZE);
		CHECK(ptr[i] != NULL);
		if (ptr[i])
			*(int *)ptr[i] = i;
	}
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_busy, N + 1);
	for (i = 0; i < 2000; i++) {
		unsigned char *p = vmalloc(PAGE_SIZE);

		CHECK(p != NULL);
		if (p)
			*p = 1;
		vfree(p);
	}
	for (i = 0; i < N; i++) {
		CHECK(ptr[i] && *(int *)ptr[i] == i);
		vfree(ptr[i]);
	}
	vfree(ptr);
	check_idle();
}

/* random_size_alloc_test: 1-100 pages. */
TEST(random_sizes)
{
	enum { N = 300 };
	static unsigned char *p[N];
	static unsigned long sz[N];
	int i, round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++) {
			sz[i] = (rnd() % 100 + 1) * PAGE_SIZE - rnd() % 100;
			p[i] = vmalloc(sz[i]);
			CHECK(p[i] != NULL);
			if (p[i])
				fill(p[i], sz[i], (unsigned char)(i + round));
		}
		CHECK(vmalloc_check());
		for (i = 0; i < N; i++) {
			int j = (int)(rnd() % N);

			if (p[j]) {
				CHECK(verify(p[j], sz[j],
					     (unsigned char)(j + round)));
				vfree(p[j]);
				p[j] = NULL;
			}
		}
		for (i = 0; i < N; i++) {
			if (p[i]) {
				CHECK(verify(p[i], sz[i],
					     (unsigned char)(i + round)));
				vfree(p[i]);
				p[i] = NULL;
			}
		}
		CHECK(vmalloc_check());
	}
	check_idle();
}

/* fix_align_alloc_test and random_size_align_alloc_test: alignments up to
 * 4 MiB are honoured. */
TEST(alignments)
{
	int shift, i;

	for (shift = PAGE_SHIFT; shift <= 22; shift++) {
		unsigned long align = 1UL << shift;

		for (i = 0; i < 20; i++) {
			unsigned long size = (rnd() % 16 + 1) * PAGE_SIZE;
			unsigned char *p = __vmalloc_node(
				size, align, GFP_KERNEL, NUMA_NO_NODE, NULL);

			CHECK(p != NULL);
			CHECK(IS_ALIGNED((unsigned long)p, align));
			if (p) {
				fill(p, size, (unsigned char)shift);
				CHECK(verify(p, size, (unsigned char)shift));
			}
			vfree(p);
		}
	}
	for (i = 0; i < 300; i++) {
		unsigned long align = 1UL << (rnd() % 11 + PAGE_SHIFT + 1);
		unsigned long size = (rnd() % 64 + 1) * PAGE_SIZE;
		unsigned char *p = __vmalloc_node(size, align, GFP_KERNEL,
						  NUMA_NO_NODE, NULL);

		CHECK(p && IS_ALIGNED((unsigned long)p, align));
		if (p) {
			p[0] = 1;
			p[size - 1] = 2;
		}
		vfree(p);
	}
	CHECK(vmalloc_check());
	check_idle();
}

/* align_shift_alloc_test: doubling the alignment must fail once it passes
 * the size of the vmalloc space, with the kernel's message. */
TEST(alignment_must_fail)
{
	size_t mark = kmem_log_mark();
	int i, failed_at = -1;

	for (i = 0; i < 64; i++) {
		void *p = __vmalloc_node(PAGE_SIZE, 1UL << i,
					 GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE,
					 NULL);

		if (!p) {
			failed_at = i;
			break;
		}
		vfree(p);
	}
	/* 32 TiB (2^45) of space: 2^47 can never be honoured. */
	printf("alignment_must_fail: 2^%d failed\n", failed_at);
	CHECK(failed_at > 30 && failed_at <= 47);
	CHECK_LOG(
		mark,
		"vmap allocation for size 8192 failed: use vmalloc=<size> to increase size");
	CHECK_LOG(mark,
		  "vmalloc error: size 4096, vm_struct allocation failed");
	check_idle();
}

TEST(vm_map_ram_test)
{
	enum { N = 64 };
	struct page *pages[N];
	unsigned char *v;
	int i;
	char buf[256];
	FILE *f;
	size_t n;

	for (i = 0; i < N; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	v = vm_map_ram(pages, N, NUMA_NO_NODE);
	CHECK(v != NULL);
	if (!v)
		return;
	for (i = 0; i < N; i++) {
		v[i * PAGE_SIZE + 7] = (unsigned char)i;
		CHECK(vmalloc_to_page(v + i * PAGE_SIZE) == pages[i]);
		CHECK(((unsigned char *)page_address(pages[i]))[7] ==
		      (unsigned char)i);
	}
	CHECK(find_vm_area(v) == NULL); /* no vm_struct */
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	kmem_show("vmallocinfo", f);
	n = ftell(f);
	fclose(f);
	buf[n] = 0;
	CHECK(strstr(buf, " 262144 vm_map_ram") != NULL);
	vm_unmap_ram(v, N);
	for (i = 0; i < N; i++)
		__free_page(pages[i]);
	/* vmap of the same pages, with a guard page. */
	for (i = 0; i < N; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	v = vmap(pages, N, VM_MAP, PAGE_KERNEL);
	CHECK(v != NULL);
	if (v) {
		CHECK(find_vm_area(v) && (find_vm_area(v)->flags & VM_MAP));
		v[N * PAGE_SIZE - 1] = 9;
		CHECK(((unsigned char *)page_address(
			      pages[N - 1]))[PAGE_SIZE - 1] == 9);
		vunmap(v);
	}
	for (i = 0; i < N; i++)
		__free_page(pages[i]);
	check_idle();
}

TEST(vrealloc_test)
{
	unsigned char *p = vrealloc(NULL, 3000, GFP_KERNEL), *q;
	unsigned long i;
	bool ok = true;

	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 0x42, 3000);
	q = vrealloc(p, 4000,
		     GFP_KERNEL | __GFP_ZERO); /* same page: in place */
	CHECK(q == p);
	q = vrealloc(p, 100 * PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
	CHECK(q != NULL && q != p);
	for (i = 0; q && i < 3000; i++)
		ok &= q[i] == 0x42;
	CHECK(ok);
	memset(q, 0x24, 100 * PAGE_SIZE);
	p = vrealloc(q, 10, GFP_KERNEL | __GFP_ZERO); /* shrink: in place */
	CHECK(p == q);
	p = vrealloc(p, 100 * PAGE_SIZE,
		     GFP_KERNEL | __GFP_ZERO); /* grow back */
	CHECK(p == q);
	CHECK(p[9] == 0x24 && p[10] == 0 && p[100 * PAGE_SIZE - 1] == 0);
	CHECK(vrealloc(p, 0, GFP_KERNEL) == NULL); /* frees */
	check_idle();
}

/*
 * Fragment all of physical memory: take every free page (the reserves too),
 * then give back those at even pfns. No two free frames are neighbours, so
 * no block of order 1 or more is free anywhere, and vmalloc, which takes
 * whole blocks first, must build its areas from scattered single pages.
 */
struct comb {
	struct page **pages;
	unsigned long nr;
};

static void comb_make(struct comb *c)
{
	unsigned long cap = totalram_pages(), i;
	struct page *page;

	c->pages = calloc(cap, sizeof(*c->pages));
	c->nr = 0;
	while (c->pages && c->nr < cap &&
	       (page = alloc_page(__GFP_HIGHMEM | __GFP_NOWARN |
				  __GFP_MEMALLOC)))
		c->pages[c->nr++] = page;
	for (i = 0; i < c->nr; i++)
		if (!(page_to_pfn(c->pages[i]) & 1)) {
			__free_page(c->pages[i]);
			c->pages[i] = NULL;
		}
}

static void comb_release(struct comb *c)
{
	unsigned long i;

	for (i = 0; i < c->nr; i++)
		if (c->pages[i])
			__free_page(c->pages[i]);
	free(c->pages);
}

static unsigned long area_breaks(const void *p)
{
	struct vm_struct *vm = find_vm_area(p);
	unsigned long i, breaks = 0;

	for (i = 1; vm && i < vm->nr_pages; i++)
		if (page_to_pfn(vm->pages[i]) !=
		    page_to_pfn(vm->pages[i - 1]) + 1)
			breaks++;
	return breaks;
}

/* Physical scatter: with physical memory fragmented, the pages behind one
 * vmalloc area are not consecutive, yet every byte works; kmalloc of the
 * same size is physically contiguous or fails. */
TEST(physical_scatter)
{
	unsigned long size = 1UL << 20, i, breaks;
	unsigned char *p, *k;
	struct comb c;

	comb_make(&c);
	CHECK(c.nr > 1000);
	p = vmalloc(size);
	CHECK(p != NULL);
	if (p) {
		breaks = area_breaks(p);
		printf("physical_scatter: %lu of %lu pages start a new physical run\n",
		       breaks, size / PAGE_SIZE);
		CHECK(breaks > size / PAGE_SIZE / 2);
		for (i = 0; i < size; i++)
			p[i] = (unsigned char)(i * 7);
		for (i = 0; i < size; i++)
			if (p[i] != (unsigned char)(i * 7))
				break;
		CHECK_EQ(i, size);
		vfree(p);
	}
	comb_release(&c);
	k = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (k && virt_addr_valid(k)) {
		for (i = 1; i < size / PAGE_SIZE; i++)
			if (virt_to_pfn(k + i * PAGE_SIZE) !=
			    virt_to_pfn(k) + i)
				break;
		CHECK_EQ(i, size / PAGE_SIZE);
	}
	kfree(k);
	check_idle();
}

/*
 * Where whole blocks are free, an area is built from them, not from the
 * single pages the per-CPU lists hold: scattered per-CPU pages (a comb of
 * 1024 pages freed in a mixed order) once made a 1 MiB area 100+ runs, i.e.
 * 100+ host mappings to make and host VMAs to zap at vfree, and its cost
 * swung with what ran before. Now it takes at most a few.
 */
TEST(contiguous_when_possible)
{
	enum { N = 1024 };
	static struct page *hold[N];
	unsigned long size = 1UL << 20, breaks, i;
	struct vmalloc_stats st0, st;
	unsigned char *p;

	for (i = 0; i < N; i++)
		hold[i] = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);
	for (i = 0; i < N; i += 2) {
		__free_page(hold[(i * 7) % N]);
		hold[(i * 7) % N] = NULL;
	}
	vmalloc_get_stats(&st0);
	p = vmalloc(size);
	CHECK(p != NULL);
	if (p) {
		vmalloc_get_stats(&st);
		breaks = area_breaks(p);
		printf("contiguous_when_possible: %lu breaks in %lu pages, %lu host mappings\n",
		       breaks, size / PAGE_SIZE, st.host_maps - st0.host_maps);
		CHECK(breaks <= 2);
		CHECK(st.host_maps - st0.host_maps <= 4);
		memset(p, 0x3c, size);
		CHECK(p[0] == 0x3c && p[size - 1] == 0x3c);
		CHECK_EQ(vmalloc_to_page(p + 5 * PAGE_SIZE),
			 find_vm_area(p)->pages[5]);
		vfree(p);
	}
	/* A 7-page area: blocks of 4, 2 and 1 pages at most. */
	p = vmalloc(7 * PAGE_SIZE);
	CHECK(p != NULL);
	if (p) {
		CHECK(area_breaks(p) <= 2);
		memset(p, 1, 7 * PAGE_SIZE);
		vfree(p);
	}
	for (i = 0; i < N; i++)
		if (hold[i])
			__free_page(hold[i]);
	check_idle();
}

/* The host-mapping budget: past it, areas are mapped on demand through the
 * fault handler, and everything still works. */
TEST(demand_mode)
{
	unsigned long old = vmalloc_set_host_map_budget(8), size = 4UL << 20, i;
	struct vmalloc_stats st0, st;
	unsigned char *a, *b;
	struct comb c;

	comb_make(&c);
	vmalloc_get_stats(&st0);
	a = vmalloc(size); /* scattered: ~1000 runs, far over 8 */
	b = vmalloc(size);
	CHECK(a && b);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.demand_areas, st0.demand_areas + 2);
	if (a && b) {
		for (i = 0; i < size; i += 64) {
			a[i] = (unsigned char)i;
			b[i] = (unsigned char)(i >> 6);
		}
		for (i = 0; i < size; i += 64)
			if (a[i] != (unsigned char)i ||
			    b[i] != (unsigned char)(i >> 6))
				break;
		CHECK_EQ(i, size);
		vmalloc_get_stats(&st);
		/* 2048 pages through a 512-slot ring: at least one refill each,
		 * twice for those evicted between the passes. */
		CHECK(st.demand_faults - st0.demand_faults >=
		      2 * size / PAGE_SIZE);
		CHECK_EQ(vmalloc_to_page(a + 12345), find_vm_area(a)->pages[3]);
	}
	vfree(a);
	vfree(b);
	vmalloc_set_host_map_budget(old);
	comb_release(&c);
	check_idle();
}

/* Lazy freeing: areas wait on the purge list until lazy_max_pages, then one
 * purge takes them all. */
TEST(lazy_purge)
{
	struct vmalloc_stats st0, st;
	unsigned long lazy = lazy_max_pages(), pages = 0, purges;
	char *buf = malloc(1 << 20);
	size_t mark;
	FILE *f;

	CHECK_EQ(lazy, (unsigned long)fls(nr_cpu_ids) * 8192);
	vm_unmap_aliases();
	vmalloc_get_stats(&st0);
	purges = st0.nr_purges;
	/* 64 KiB areas + guard = 17 pages each. */
	while (pages + 17 <= lazy) {
		void *p = vmalloc(64 << 10);

		CHECK(p != NULL);
		vfree(p);
		pages += 17;
	}
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_purges, purges);
	CHECK_EQ(st.lazy_pages, pages);
	CHECK_EQ(st.nr_lazy, pages / 17);
	f = fmemopen(buf, 1 << 20, "w");
	kmem_show("vmallocinfo", f);
	fputc(0, f);
	fclose(f);
	CHECK(strstr(buf, "   69632 unpurged vm_area\n") != NULL);
	/* One more crosses the threshold: exactly one purge. */
	vfree(vmalloc(64 << 10));
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_purges, purges + 1);
	CHECK_EQ(st.nr_lazy, 0);
	/* Reclaim purges too. */
	vfree(vmalloc(PAGE_SIZE));
	mark = kmem_log_mark();
	try_to_free_pages(GFP_KERNEL, 0);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_lazy, 0);
	CHECK_EQ(st.nr_purges, purges + 2);
	(void)mark;
	free(buf);
	check_idle();
}

/* vfree from interrupt context and vfree_atomic are deferred. */
TEST(vfree_deferred)
{
	void *p = vmalloc(8 * PAGE_SIZE), *q = vmalloc(PAGE_SIZE);
	struct vmalloc_stats st;

	irq_enter();
	vfree(p);
	irq_exit();
	spin_lock(&vmap_area_lock); /* any atomic context */
	spin_unlock(&vmap_area_lock);
	vfree_atomic(q);
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_busy, 2); /* still there: deferred */
	CHECK_EQ(vmalloc_nr_pages(), 9);
	p = vmalloc(
		PAGE_SIZE); /* the next sleeping call runs the deferred work */
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_busy, 1);
	vfree(p);
	check_idle();
}

TEST(bad_input)
{
	struct vmalloc_stats st0, st;
	unsigned long nr0;
	size_t mark;
	void *p, *keep = vmalloc(PAGE_SIZE);
	int x;

	mark = kmem_log_mark();
	CHECK(vmalloc(0) == NULL);
	CHECK_LOG(mark, "WARNING: CPU:");
	mark = kmem_log_mark();
	CHECK(vmalloc((totalram_pages() + 1) * PAGE_SIZE) == NULL);
	CHECK_LOG(mark, "vmalloc error: size ");
	CHECK_LOG(mark, ", exceeds total pages, mode:0xcc0(GFP_KERNEL)");
	/* vfree of things that are not vmalloc areas: a message, no change. */
	vm_unmap_aliases();
	vmalloc_get_stats(&st0);
	nr0 = vmalloc_nr_pages();
	mark = kmem_log_mark();
	vfree(&x);
	CHECK_LOG(mark, "Trying to vfree() nonexistent vm area (");
	mark = kmem_log_mark();
	vfree((char *)keep + 8);
	CHECK_LOG(mark, "Trying to vfree() nonexistent vm area (");
	mark = kmem_log_mark();
	vfree((char *)keep + PAGE_SIZE); /* its guard page */
	CHECK_LOG(mark, "Trying to vfree() nonexistent vm area (");
	vmalloc_get_stats(&st);
	CHECK_EQ(st.nr_busy, st0.nr_busy);
	CHECK_EQ(st.nr_lazy, st0.nr_lazy);
	CHECK_EQ(st.free_bytes, st0.free_bytes);
	CHECK_EQ(vmalloc_nr_pages(), nr0);
	CHECK(vmalloc_check());
	*(int *)keep = 5; /* still mapped */
	vfree(keep);
	/* Double free: the second is a nonexistent area. */
	p = vmalloc(PAGE_SIZE);
	vfree(p);
	mark = kmem_log_mark();
	vfree(p);
	CHECK_LOG(mark, "Trying to vfree() nonexistent vm area (");
	/* vmalloc from atomic context: the might_sleep report. */
	mark = kmem_log_mark();
	preempt_disable();
	p = vmalloc(PAGE_SIZE);
	preempt_enable();
	CHECK_LOG(
		mark,
		"BUG: sleeping function called from invalid context at mm/vmalloc.c");
	vfree(p);
	/* vunmap of nothing. */
	mark = kmem_log_mark();
	vunmap(&x);
	CHECK_LOG(mark, "Trying to vunmap() nonexistent vm area");
	check_idle();
}

/* Exhausting the vmalloc space of the x86-32 layout: purge, retry, fail. */
TEST(exhaustion_x86_32)
{
	struct kmem_config cfg = { .ram = 1ULL << 30,
				   .layout = KMEM_LAYOUT_X86_32,
				   .quiet = true };
	unsigned long space, i;
	struct vmalloc_stats st;
	void *p[64];
	size_t mark;
	int n = 0;

	CHECK_EQ(test_boot(&cfg), 0);
	space = (VMALLOC_END & PAGE_MASK) - VMALLOC_START;
	/* 1 GiB of RAM but about 120 MiB of vmalloc space. */
	CHECK(space < (128UL << 20));
	mark = kmem_log_mark();
	CHECK(vmalloc(space + PAGE_SIZE) == NULL);
	CHECK_LOG(mark, "vmap allocation for size");
	CHECK_LOG(mark, "vmalloc error: size ");
	/* Fill it with 16 MiB areas; free them lazily; allocation still works
	 * because exhaustion purges before it gives up. */
	while (n < 64 && (p[n] = vmalloc(16 << 20)))
		n++;
	CHECK(n >= 6);
	for (i = 0; i < (unsigned long)n; i++)
		vfree(p[i]);
	vmalloc_get_stats(&st);
	CHECK(st.nr_lazy > 0 || st.nr_purges > 0);
	p[0] = vmalloc(16 << 20);
	CHECK(p[0] != NULL);
	vfree(p[0]);
	/* Pages from HighMem: the x86-32 layout adds __GFP_HIGHMEM. */
	p[0] = vmalloc(8 << 20);
	{
		struct vm_struct *vm = find_vm_area(p[0]);
		unsigned int high = 0;

		for (i = 0; vm && i < vm->nr_pages; i++)
			high += PageHighMem(vm->pages[i]);
		CHECK(high > 0);
		memset(p[0], 1, 8 << 20);
	}
	vfree(p[0]);
	check_idle();
	test_halt();
	test_boot_default();
}

/* Faults: a child process touches a guard page or a freed area; it must die
 * of SIGABRT after the oops report. */
static int run_child(void (*fn)(void *), void *arg, char *out, size_t len)
{
	int pipefd[2], status = 0;
	ssize_t n, total = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		dup2(pipefd[1], 2);
		kmem_log_set_console(stderr);
		fn(arg);
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + total, len - 1 - (size_t)total)) > 0)
		total += n;
	out[total] = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void touch_guard(void *arg)
{
	volatile char *p = arg;

	p[4 * PAGE_SIZE] = 1; /* one past the 4 pages */
}

static void touch_read(void *arg)
{
	volatile char *p = arg;

	(void)p[10];
}

static void touch_ok(void *arg)
{
	volatile char *p = arg;

	p[0] = 1;
}

TEST(faults)
{
	static char out[8192];
	char *p = vmalloc(4 * PAGE_SIZE);
	int status;

	status = run_child(touch_guard, p, out, sizeof(out));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(out, "BUG: unable to handle page fault for address: ") !=
	      NULL);
	CHECK(strstr(out, "#PF: supervisor write access in kernel mode") !=
	      NULL);
	CHECK(strstr(out, "is in the guard page of vmalloc area") != NULL);
	CHECK(strstr(out, "test_vmalloc_faults") != NULL ||
	      strstr(out, "pages=4") != NULL);
	CHECK(strstr(out, "Oops: 0002 [#1] SMP") != NULL);

	/* The child shares the simulated RAM (and so mem_map) with us: it must
	 * not change allocator state, so the parent frees, the child touches. */
	vfree(p);
	status = run_child(touch_read, p, out, sizeof(out));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(out, "BUG: unable to handle page fault for address: ") !=
	      NULL);
	CHECK(strstr(out, "#PF: supervisor read access in kernel mode") !=
	      NULL);
	CHECK(strstr(out, "(unpurged vm_area)") != NULL);
	CHECK(strstr(out, "use after vfree") != NULL);

	vm_unmap_aliases();
	status = run_child(touch_read, p, out, sizeof(out));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(out, "is in free vmalloc space") != NULL);

	p = vmalloc(PAGE_SIZE);
	status = run_child(touch_ok, p, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	vfree(p);
	check_idle();
}

/* The caller symbol, pages=, flags: the kernel's vmallocinfo line. */
noinline void *test_vmalloc_caller(unsigned long size);
noinline void *test_vmalloc_caller(unsigned long size)
{
	void *p = vmalloc(size);

	__asm__ volatile("" : : "r"(p) : "memory"); /* no tail call */
	return p;
}

TEST(vmallocinfo_format)
{
	char *buf = malloc(1 << 16), line[256], *big;
	void *p = test_vmalloc_caller(4 * PAGE_SIZE);
	void *q = vmap((struct page *[]){ alloc_page(GFP_KERNEL) }, 1, VM_MAP,
		       PAGE_KERNEL);
	struct page *qp = vmalloc_to_page(q);
	FILE *f = fmemopen(buf, 1 << 16, "w");

	big = vmalloc(1200 * PAGE_SIZE); /* page array > a page: vpages */
	kmem_show("vmallocinfo", f);
	fputc(0, f);
	fclose(f);
	snprintf(line, sizeof(line),
		 "0x%016lx-0x%016lx   20480 test_vmalloc_caller+0x",
		 (unsigned long)p, (unsigned long)p + 5 * PAGE_SIZE);
	CHECK(strstr(buf, line) != NULL);
	CHECK(strstr(buf, " pages=4 vmalloc N0=4\n") != NULL);
	CHECK(strstr(buf, "    8192 ") != NULL &&
	      strstr(buf, " vmap\n") != NULL);
	CHECK(strstr(buf, " pages=1200 vmalloc vpages N0=1200\n") != NULL);
	if (!strstr(buf, line))
		fprintf(stderr, "%s", buf);
	vfree(p);
	vunmap(q);
	__free_page(qp);
	vfree(big);
	free(buf);
	check_idle();
}

TEST(kvmalloc_rules)
{
	void *a = kvmalloc(100, GFP_KERNEL);
	void *b = kvmalloc(64UL << 20, GFP_KERNEL);
	void *c = kvzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	void *d = kvcalloc(1000, 1000, GFP_KERNEL);
	size_t mark = kmem_log_mark();
	unsigned char *r;

	CHECK(a && !is_vmalloc_addr(a));
	CHECK(b && is_vmalloc_addr(b)); /* 64 MiB: kmalloc cannot */
	CHECK(c && ((unsigned char *)c)[3 * PAGE_SIZE - 1] == 0);
	CHECK(d && ((unsigned char *)d)[999999] == 0);
	CHECK(kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL) == NULL);
	CHECK(kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN) == NULL);
	CHECK(kvmalloc_array(SIZE_MAX / 8, 16, GFP_KERNEL) == NULL);
	/* No fallback for a request that may not sleep. */
	CHECK(kvmalloc(64UL << 20, GFP_ATOMIC) == NULL);
	(void)mark;
	r = kvrealloc(a, 50, GFP_KERNEL);
	CHECK(r != NULL);
	r = kvrealloc(r, 32UL << 20, GFP_KERNEL); /* to vmalloc */
	CHECK(r && is_vmalloc_addr(r));
	kvfree(r);
	kvfree(b);
	kvfree(c);
	kvfree(d);
	kvfree(NULL);
	check_idle();
}

struct thread_arg {
	int id;
	int failures;
};

static void *worker(void *arg)
{
	struct thread_arg *t = arg;
	unsigned char *p[32] = { 0 };
	unsigned long sz[32], s = (unsigned long)t->id * 7919 + 1;
	int i, j;

	for (i = 0; i < 3000; i++) {
		s = s * 6364136223846793005UL + 1442695040888963407UL;
		j = (int)((s >> 33) % 32);
		if (p[j]) {
			if (p[j][0] != (unsigned char)(t->id + j) ||
			    p[j][sz[j] - 1] != (unsigned char)j)
				t->failures++;
			if ((s >> 20) & 1)
				vfree(p[j]);
			else
				vfree_atomic(p[j]);
			p[j] = NULL;
		} else {
			sz[j] = ((s >> 40) % 16 + 1) * PAGE_SIZE -
				(s >> 50) % 64;
			p[j] = vmalloc(sz[j]);
			if (!p[j]) {
				t->failures++;
				continue;
			}
			p[j][0] = (unsigned char)(t->id + j);
			p[j][sz[j] - 1] = (unsigned char)j;
		}
	}
	for (j = 0; j < 32; j++)
		vfree(p[j]);
	return NULL;
}

TEST(concurrent)
{
	pthread_t th[4];
	struct thread_arg args[4];
	int i;

	for (i = 0; i < 4; i++) {
		args[i].id = i;
		args[i].failures = 0;
		pthread_create(&th[i], NULL, worker, &args[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(args[i].failures, 0);
	}
	vmalloc_run_deferred();
	CHECK(vmalloc_check());
	check_idle();
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_boot_default();
	RUN(basic);
	RUN(vzalloc_and_friends);
	RUN(fixed_size_loop);
	RUN(full_fit);
	RUN(long_busy_list);
	RUN(random_sizes);
	RUN(alignments);
	RUN(alignment_must_fail);
	RUN(vm_map_ram_test);
	RUN(vrealloc_test);
	RUN(physical_scatter);
	RUN(contiguous_when_possible);
	RUN(demand_mode);
	RUN(lazy_purge);
	RUN(vfree_deferred);
	RUN(bad_input);
	RUN(faults);
	RUN(vmallocinfo_format);
	RUN(kvmalloc_rules);
	RUN(concurrent);
	RUN(exhaustion_x86_32);
	return test_summary();
}
