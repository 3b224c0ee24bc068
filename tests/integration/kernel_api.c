// SPDX-License-Identifier: MIT
/*
 * Integration test: kernel code as a kernel developer writes it, through the
 * public headers only (<linux/...>, <kmem/...>), across the layers at once:
 * a "driver" that keeps a cache of request objects, DMA buffers, a large
 * vmalloc'd table and a kvmalloc'd index, from several threads, with the
 * machine booting itself on first use.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/spinlock.h>
#include <linux/highmem.h>
#include <kmem/kmem.h>
#include <kmem/machine.h>
#include "test.h"

struct request {
	unsigned long id;
	struct list_head node;
	char payload[200];
};

static struct kmem_cache *req_cache;
static DEFINE_SPINLOCK(queue_lock);
static LIST_HEAD(queue);
static int producers_running;

/* Producers allocate requests; consumers (other threads) free them. This
 * found a slab bug: a refill whose new slab was emptied by another thread
 * before it got back to it returned NULL for a GFP_KERNEL allocation. */
static void *producer(void *arg)
{
	unsigned long base = (unsigned long)arg, i;

	for (i = 0; i < 20000; i++) {
		struct request *r = kmem_cache_alloc(req_cache, GFP_KERNEL);

		if (!r) {
			__atomic_sub_fetch(&producers_running, 1,
					   __ATOMIC_RELEASE);
			return (void *)1;
		}
		r->id = base + i;
		memset(r->payload, (int)(r->id & 0xff), sizeof(r->payload));
		spin_lock(&queue_lock);
		list_add_tail(&r->node, &queue);
		spin_unlock(&queue_lock);
	}
	__atomic_sub_fetch(&producers_running, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *consumer(void *arg)
{
	unsigned long done = 0, want = (unsigned long)arg, bad = 0;

	while (done < want) {
		struct request *r = NULL;

		spin_lock(&queue_lock);
		if (!list_empty(&queue)) {
			r = list_first_entry(&queue, struct request, node);
			list_del(&r->node);
		}
		spin_unlock(&queue_lock);
		if (!r) {
			/* A producer that failed leaves fewer requests: stop
			 * once every producer is done and the queue is empty. */
			if (!__atomic_load_n(&producers_running,
					     __ATOMIC_ACQUIRE) &&
			    list_empty(&queue))
				break;
			continue;
		}
		if (r->payload[0] != (char)(r->id & 0xff) ||
		    r->payload[199] != (char)(r->id & 0xff))
			bad++;
		kmem_cache_free(req_cache, r);
		done++;
	}
	return (void *)bad;
}

TEST(cross_thread_cache)
{
	pthread_t p[2], c[2];
	void *ret;
	int i;

	req_cache = KMEM_CACHE(request, SLAB_HWCACHE_ALIGN);
	CHECK(req_cache != NULL);
	CHECK_EQ(kmem_cache_size(req_cache), sizeof(struct request));
	producers_running = 2;
	for (i = 0; i < 2; i++) {
		pthread_create(&p[i], NULL, producer,
			       (void *)(unsigned long)(i * 100000));
		pthread_create(&c[i], NULL, consumer, (void *)20000UL);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(p[i], &ret);
		CHECK(ret == NULL);
		pthread_join(c[i], &ret);
		CHECK_EQ((unsigned long)ret, 0);
	}
	CHECK(list_empty(&queue));
	while (!list_empty(&queue)) { /* after a failure: free the leftovers */
		struct request *r =
			list_first_entry(&queue, struct request, node);

		list_del(&r->node);
		kmem_cache_free(req_cache, r);
	}
	kmem_cache_destroy(req_cache);
	CHECK(kmem_check_invariants());
}

TEST(dma_and_contiguity)
{
	char *buf = kmalloc(3000, GFP_KERNEL | GFP_DMA);
	char *big = kmalloc(100000, GFP_KERNEL);
	struct kmem_machine_info info;
	size_t i;

	CHECK(buf && big);
	if (!buf || !big)
		return;
	kmem_machine_info(&info);
	CHECK(virt_to_phys(buf) + 3000 <= (16UL << 20)); /* ZONE_DMA */
	/* dma-kmalloc-4k (SLUB), size-4096(DMA) (SLAB); SLOB has no classes:
	 * the request in 2-byte units, from a DMA page of its heap. */
	CHECK_EQ(ksize(buf), info.slab == KMEM_SLAB_SLOB ? 3000 : 4096);
	CHECK_EQ(ksize(big), 131072); /* order-5 block */
	for (i = 0; i < 100000; i += 997)
		CHECK_EQ(virt_to_phys(big + i), virt_to_phys(big) + i);
	kfree(buf);
	kfree(big);
}

TEST(vmalloc_and_kvmalloc)
{
	size_t n = 8UL << 20, i;
	unsigned char *v = vzalloc(n);
	unsigned long *idx;

	CHECK(v != NULL);
	if (!v)
		return;
	CHECK(is_vmalloc_addr(v));
	for (i = 0; i < n; i += PAGE_SIZE) {
		CHECK(v[i] == 0);
		v[i] = (unsigned char)(i >> 12);
		CHECK_EQ(page_to_pfn(vmalloc_to_page(v + i)),
			 vmalloc_to_pfn(v + i));
	}
	for (i = 0; i < n; i += PAGE_SIZE) {
		struct page *pg = vmalloc_to_page(v + i);
		unsigned char *k = kmap_local_page(pg);

		/* the same frame, seen through its kernel mapping */
		CHECK(k[0] == (unsigned char)(i >> 12));
		kunmap_local(k);
	}
	vfree(v);

	idx = kvmalloc_array(1 << 20, sizeof(*idx),
			     GFP_KERNEL); /* 8 MiB: vmalloc */
	CHECK(idx && is_vmalloc_addr(idx));
	kvfree(idx);
	idx = kvmalloc(512, GFP_KERNEL); /* small: kmalloc */
	CHECK(idx && !is_vmalloc_addr(idx));
	kvfree(idx);
}

TEST(atomic_context_rules)
{
	unsigned long flags;
	size_t mark = kmem_log_mark();
	void *a, *k;

	spin_lock_irqsave(&queue_lock, flags);
	CHECK(in_atomic() && irqs_disabled());
	a = kmalloc(64, GFP_ATOMIC); /* fine under a spinlock */
	CHECK(!kmem_log_contains(
		mark, "sleeping function called from invalid context"));
	k = kmalloc(64, GFP_KERNEL); /* may sleep: the kernel's report */
	spin_unlock_irqrestore(&queue_lock, flags);
	CHECK_LOG(mark,
		  "BUG: sleeping function called from invalid context at");
	CHECK(a && k);
	kfree(a);
	kfree(k);

	mark = kmem_log_mark();
	irq_enter();
	CHECK(in_interrupt());
	a = vmalloc(PAGE_SIZE); /* vmalloc may sleep */
	irq_exit();
	CHECK_LOG(mark, "BUG: sleeping function called from invalid context");
	vfree(a);
}

TEST(bad_frees_are_reported_not_fatal)
{
	char stack[64];
	static char global[64];
	unsigned long before = kmem_free_pages_drained();
	size_t mark = kmem_log_mark();
	char *p = kmalloc(128, GFP_KERNEL);

	kfree(stack);
	kfree(global);
	kfree(p + 8);
	vfree(p);
	CHECK_LOG(mark, "Trying to vfree() nonexistent vm area");
	CHECK(kmem_log_count(mark, "kfree") >= 1);
	kfree(p);
	free_pages((unsigned long)global, 0);
	CHECK_LOG(mark, "BUG: Bad page state");
	CHECK(kmem_check_invariants());
	CHECK_EQ(kmem_free_pages_drained(), before);
}

TEST(proc_views_agree)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned long memfree = 0, slab = 0;

	CHECK_EQ(kmem_show("meminfo", f), 0);
	fclose(f);
	line = strstr(buf, "MemFree:");
	CHECK(line && sscanf(line, "MemFree: %lu kB", &memfree) == 1);
	line = strstr(buf, "\nSlab:");
	CHECK(line && sscanf(line + 1, "Slab: %lu kB", &slab) == 1);
	CHECK_EQ(memfree, kmem_free_pages_drained() * 4);
	CHECK(slab > 0);
	free(buf);
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN(cross_thread_cache);
	RUN(dma_and_contiguity);
	RUN(vmalloc_and_kvmalloc);
	RUN(atomic_context_rules);
	RUN(bad_frees_are_reported_not_fatal);
	RUN(proc_views_agree);
	return test_summary();
}
