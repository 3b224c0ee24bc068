// SPDX-License-Identifier: MIT
/*
 * Every public entry point as the FIRST kmem call of a fresh program.
 *
 * The machine boots lazily, on the first call; an entry point that reads
 * machine state (the vmalloc range, the zones, the kmalloc caches) before it
 * boots fails only when it happens to come first, which no test that boots
 * in main() sees. So this program re-executes itself (posix_spawn of
 * /proc/self/exe, not fork) once per entry point; the child's very first kmem
 * call is that entry point, and the child checks its result (vmalloc returns
 * writable memory, totalram_pages() is the RAM, ...).
 *
 * Then the same again with a bad environment (KMEM_RAM=abc and the other
 * values of issue 9): every entry point must fail as its API allows (NULL, 0,
 * -EINVAL, nothing done), the child must exit normally (no panic, no abort),
 * and its standard error must hold exactly one line naming the variable, the
 * value and the accepted range, however many calls failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include <kmem/kmem.h>
#include <kmem/process.h>

extern char **environ;

/* In the child: true if the machine is expected to boot (good environment). */
static bool good;

static int fail(const char *what)
{
	fprintf(stderr, "child: %s\n", what);
	return 1;
}

/* p must be non-NULL and writable for n bytes (good), or NULL (bad). */
static int check_mem(void *p, size_t n)
{
	if (!good)
		return p ? fail("got memory from a machine that cannot boot") :
			   0;
	if (!p)
		return fail("NULL from a machine that should boot");
	memset(p, 0x5a, n);
	return ((unsigned char *)p)[n - 1] == 0x5a ? 0 : fail("not writable");
}

static int check_zero(const void *p, size_t n)
{
	size_t i;

	for (i = 0; p && i < n; i++)
		if (((const unsigned char *)p)[i])
			return fail("not zeroed");
	return 0;
}

/* ---- the page allocator ---- */

static int e_alloc_pages(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 1);
	int r = check_mem(page ? page_address(page) : NULL, 2 * PAGE_SIZE);

	if (page)
		__free_pages(page, 1);
	return r;
}

static int e_alloc_page_highuser(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER);
	void *p = page ? kmap_local_page(page) : NULL;
	int r = check_mem(p, PAGE_SIZE);

	if (p)
		kunmap_local(p);
	if (page)
		__free_page(page);
	return r;
}

static int e_alloc_pages_node(void)
{
	struct page *page = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL, 0);
	int r = check_mem(page ? page_address(page) : NULL, PAGE_SIZE);

	if (page)
		__free_page(page);
	return r;
}

static int e_alloc_pages_bulk(void)
{
	struct page *pages[8] = { NULL };
	unsigned long n = alloc_pages_bulk(GFP_KERNEL, 8, pages), i;
	int r = 0;

	if (good && n != 8)
		r = fail("alloc_pages_bulk filled fewer than 8");
	if (!good && n)
		r = fail("alloc_pages_bulk filled slots without a machine");
	for (i = 0; i < 8; i++)
		if (pages[i]) {
			r |= check_mem(page_address(pages[i]), PAGE_SIZE);
			__free_page(pages[i]);
		}
	return r;
}

static int e_get_free_pages(void)
{
	unsigned long a = __get_free_pages(GFP_KERNEL, 2);
	int r = check_mem((void *)a, 4 * PAGE_SIZE);

	free_pages(a, 2);
	return r;
}

static int e_get_zeroed_page(void)
{
	unsigned long a = get_zeroed_page(GFP_KERNEL);
	int r = check_zero((void *)a, PAGE_SIZE) |
		check_mem((void *)a, PAGE_SIZE);

	free_page(a);
	return r;
}

static int e_get_dma_pages(void)
{
	unsigned long a = __get_dma_pages(GFP_KERNEL, 0);
	int r = check_mem((void *)a, PAGE_SIZE);

	free_page(a);
	return r;
}

static int e_alloc_pages_exact(void)
{
	void *p = alloc_pages_exact(3 * PAGE_SIZE, GFP_KERNEL);
	int r = check_mem(p, 3 * PAGE_SIZE);

	if (p)
		free_pages_exact(p, 3 * PAGE_SIZE);
	return r;
}

static int e_free_pages_zero(void)
{
	free_pages(0, 0); /* a no-op, as in the kernel */
	return 0;
}

static int e_totalram_pages(void)
{
	unsigned long n = totalram_pages();

	if (good ? n < 1000 : n != 0)
		return fail("totalram_pages");
	return 0;
}

static int e_nr_free_pages(void)
{
	unsigned long n = nr_free_pages();

	if (good ? n < 1000 : n != 0)
		return fail("nr_free_pages");
	return 0;
}

static int e_totalhigh_pages(void)
{
	return totalhigh_pages() > totalram_pages() ? fail("totalhigh_pages") :
						      0;
}

static int e_global_zone_page_state(void)
{
	unsigned long n = global_zone_page_state(NR_FREE_PAGES);

	if (good ? n < 1000 : n != 0)
		return fail("global_zone_page_state(NR_FREE_PAGES)");
	return 0;
}

static int e_refresh_vm_stats(void)
{
	refresh_vm_stats();
	return 0;
}

/* ---- slab ---- */

static int e_kmalloc_const(void)
{
	void *p = kmalloc(64, GFP_KERNEL);
	int r = check_mem(p, 64);

	kfree(p);
	return r;
}

static int e_kmalloc_var(void)
{
	volatile size_t n = 200;
	void *p = kmalloc(n, GFP_KERNEL);
	int r = check_mem(p, n);

	kfree(p);
	return r;
}

static int e_kmalloc_large(void)
{
	void *p = kmalloc(1 << 20, GFP_KERNEL);
	int r = check_mem(p, 1 << 20);

	kfree(p);
	return r;
}

static int e_kmalloc_atomic(void)
{
	void *p = kmalloc(32, GFP_ATOMIC);
	int r = check_mem(p, 32);

	kfree(p);
	return r;
}

static int e_kzalloc(void)
{
	void *p = kzalloc(512, GFP_KERNEL);
	int r = check_zero(p, 512) | check_mem(p, 512);

	kfree(p);
	return r;
}

static int e_kmalloc_node(void)
{
	void *p = kmalloc_node(100, GFP_KERNEL, NUMA_NO_NODE);
	int r = check_mem(p, 100);

	kfree(p);
	return r;
}

static int e_kcalloc(void)
{
	void *p = kcalloc(10, 30, GFP_KERNEL);
	int r = check_zero(p, 300) | check_mem(p, 300);

	kfree(p);
	return r;
}

static int e_krealloc(void)
{
	void *p = krealloc(NULL, 100, GFP_KERNEL);
	int r = check_mem(p, 100);

	kfree(p);
	return r;
}

static int e_kmemdup(void)
{
	static const char src[] = "first call";
	void *p = kmemdup(src, sizeof(src), GFP_KERNEL);
	int r = check_mem(p, sizeof(src));

	kfree(p);
	return r;
}

static int e_kstrdup(void)
{
	char *p = kstrdup("first call", GFP_KERNEL);
	int r = good && (!p || strcmp(p, "first call")) ? fail("kstrdup") :
							  check_mem(p, 5);

	kfree(p);
	return r;
}

static int e_kstrndup(void)
{
	char *p = kstrndup("first call", 5, GFP_KERNEL);
	int r = good && (!p || strcmp(p, "first")) ? fail("kstrndup") :
						     check_mem(p, 5);

	kfree(p);
	return r;
}

static int e_kstrdup_const(void)
{
	const char *p = kstrdup_const("first call", GFP_KERNEL);
	int r = good && (!p || strcmp(p, "first call")) ?
			fail("kstrdup_const") :
			0;

	if (!good && p)
		r = fail("kstrdup_const without a machine");
	kfree_const(p);
	return r;
}

static int e_kmemdup_nul(void)
{
	char *p = kmemdup_nul("abcdef", 3, GFP_KERNEL);
	int r = good && (!p || strcmp(p, "abc")) ? fail("kmemdup_nul") : 0;

	if (!good && p)
		r = fail("kmemdup_nul without a machine");
	kfree(p);
	return r;
}

static int e_kfree_null(void)
{
	kfree(NULL);
	kfree_sensitive(NULL);
	kfree_const(NULL);
	return ksize(NULL) ? fail("ksize(NULL)") : 0;
}

static int e_kmalloc_size_roundup(void)
{
	size_t n = kmalloc_size_roundup(100);

	return n < 100 ? fail("kmalloc_size_roundup(100) < 100") : 0;
}

static void ctor(void *p)
{
	memset(p, 0x11, 40);
}

static int e_kmem_cache_create(void)
{
	struct kmem_cache *s = kmem_cache_create("first_call", 40, 8, 0, ctor);
	void *p = s ? kmem_cache_alloc(s, GFP_KERNEL) : NULL;
	int r = 0;

	if (good && !s)
		r = fail("kmem_cache_create");
	if (!good && s)
		r = fail("kmem_cache_create without a machine");
	if (p && *(unsigned char *)p != 0x11)
		r = fail("constructor not run");
	r |= check_mem(p, 40);
	if (p)
		kmem_cache_free(s, p);
	kmem_cache_destroy(s);
	return r;
}

static int e_kmem_cache_destroy_null(void)
{
	kmem_cache_destroy(NULL);
	return 0;
}

/* ---- percpu ---- */

/* Every CPU's copy zeroed and writable, each its own. */
static int check_percpu(long *p)
{
	int cpu, r = 0;

	/* A percpu pointer is an offset: only per_cpu_ptr()'s results are
	 * memory. */
	if (!good)
		return p ? fail("got memory from a machine that cannot boot") :
			   0;
	if (!p)
		return fail("NULL from a machine that should boot");
	for_each_possible_cpu(cpu) {
		long *c = per_cpu_ptr(p, cpu);

		r |= check_zero(c, sizeof(*c));
		*c = cpu + 1;
	}
	for_each_possible_cpu(cpu)
		if (*per_cpu_ptr(p, cpu) != cpu + 1)
			r |= fail("percpu copies overlap");
	if (*this_cpu_ptr(p) != smp_processor_id() + 1)
		r |= fail("this_cpu_ptr is not this CPU's copy");
	return r;
}

static int e_alloc_percpu(void)
{
	long *p = alloc_percpu(long);
	int r = check_percpu(p);

	free_percpu(p);
	return r;
}

static int e_alloc_percpu_atomic(void)
{
	long *p = alloc_percpu_gfp(long, GFP_ATOMIC);
	int r = check_percpu(p);

	free_percpu(p);
	return r;
}

static int e_pcpu_nr_pages(void)
{
	unsigned long n = pcpu_nr_pages();

	if (good ? n == 0 : n != 0)
		return fail("pcpu_nr_pages");
	free_percpu(NULL);
	return 0;
}

/* ---- vmalloc ---- */

#define VM_ENTRY(fn, call, n)                                    \
	static int e_##fn(void)                                  \
	{                                                        \
		void *p = call;                                  \
		int r = check_mem(p, n);                         \
                                                                 \
		if (good && p && !is_vmalloc_addr(p))            \
			r = fail(#fn ": not a vmalloc address"); \
		vfree(p);                                        \
		return r;                                        \
	}

VM_ENTRY(vmalloc, vmalloc(8192), 8192)
VM_ENTRY(vzalloc, vzalloc(8192), 8192)
VM_ENTRY(__vmalloc, __vmalloc(8192, GFP_KERNEL), 8192)
VM_ENTRY(vmalloc_node, vmalloc_node(8192, NUMA_NO_NODE), 8192)
VM_ENTRY(vzalloc_node, vzalloc_node(8192, NUMA_NO_NODE), 8192)
VM_ENTRY(vmalloc_user, vmalloc_user(8192), 8192)
VM_ENTRY(vmalloc_32, vmalloc_32(8192), 8192)
VM_ENTRY(vmalloc_32_user, vmalloc_32_user(8192), 8192)
VM_ENTRY(vmalloc_huge, vmalloc_huge(4 << 20, GFP_KERNEL), 4 << 20)
VM_ENTRY(vmalloc_huge_node, vmalloc_huge_node(8192, GFP_KERNEL, NUMA_NO_NODE),
	 8192)
VM_ENTRY(__vmalloc_node,
	 __vmalloc_node(8192, 1, GFP_KERNEL, NUMA_NO_NODE,
			__builtin_return_address(0)),
	 8192)
VM_ENTRY(vmalloc_array, vmalloc_array(10, 1000), 10000)
VM_ENTRY(vcalloc, vcalloc(10, 1000), 10000)
VM_ENTRY(vrealloc, vrealloc(NULL, 8192, GFP_KERNEL), 8192)

static int e_vfree_null(void)
{
	vfree(NULL);
	vfree_atomic(NULL);
	vunmap(NULL);
	return 0;
}

static int e_vm_unmap_aliases(void)
{
	vm_unmap_aliases();
	return 0;
}

static int e_get_vm_area(void)
{
	struct vm_struct *a = get_vm_area(4 * PAGE_SIZE, VM_IOREMAP);
	int r = 0;

	if (good ? !a || !is_vmalloc_addr(a->addr) : a != NULL)
		r = fail("get_vm_area");
	if (a)
		free_vm_area(a);
	return r;
}

static int e_get_vm_area_caller(void)
{
	struct vm_struct *a = get_vm_area_caller(4 * PAGE_SIZE, VM_IOREMAP,
						 __builtin_return_address(0));
	int r = 0;

	if (good ? !a || !is_vmalloc_addr(a->addr) : a != NULL)
		r = fail("get_vm_area_caller");
	if (a)
		free_vm_area(a);
	return r;
}

static int e_vmalloc_queries(void)
{
	int x = 0;

	if (is_vmalloc_addr(&x) || vmalloc_to_page(&x) || vmalloc_to_pfn(&x) ||
	    find_vm_area(&x) || vmalloc_nr_pages())
		return fail("vmalloc queries about a stack address");
	return 0;
}

#define KV_ENTRY(fn, call, n)            \
	static int e_##fn(void)          \
	{                                \
		void *p = call;          \
		int r = check_mem(p, n); \
                                         \
		kvfree(p);               \
		return r;                \
	}

KV_ENTRY(kvmalloc_small, kvmalloc(100, GFP_KERNEL), 100)
KV_ENTRY(kvmalloc_big, kvmalloc(8 << 20, GFP_KERNEL), 8 << 20)
KV_ENTRY(kvzalloc, kvzalloc(100000, GFP_KERNEL), 100000)
KV_ENTRY(kvmalloc_node, kvmalloc_node(100000, GFP_KERNEL, NUMA_NO_NODE), 100000)
KV_ENTRY(kvzalloc_node, kvzalloc_node(100, GFP_KERNEL, NUMA_NO_NODE), 100)
KV_ENTRY(kvmalloc_array, kvmalloc_array(100, 1000, GFP_KERNEL), 100000)
KV_ENTRY(kvcalloc, kvcalloc(100, 1000, GFP_KERNEL), 100000)
KV_ENTRY(kvrealloc, kvrealloc(NULL, 100000, GFP_KERNEL), 100000)

static int e_kvfree_null(void)
{
	kvfree(NULL);
	kvfree_sensitive(NULL, 0);
	return 0;
}

/* ---- context, printk, shrinkers ---- */

static int e_irq_enter(void)
{
	void *p;
	int r;

	irq_enter();
	p = kmalloc(64, GFP_ATOMIC);
	r = check_mem(p, 64);
	kfree(p);
	irq_exit();
	return r;
}

static int e_local_bh_disable(void)
{
	local_bh_disable();
	local_bh_enable();
	return 0;
}

static int e_printk(void)
{
	return printk(KERN_INFO "first call\n") < 0 ? fail("printk") : 0;
}

static unsigned long count_none(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	return 0;
}

static int e_shrinker_alloc(void)
{
	struct shrinker *s = shrinker_alloc(0, "first_call");

	if (!s)
		return good ? fail("shrinker_alloc") : 0;
	s->count_objects = count_none;
	s->scan_objects = count_none;
	shrinker_register(s);
	shrinker_free(s);
	return 0;
}

/* ---- kmem's own API ---- */

static int e_kmem_machine_info(void)
{
	struct kmem_machine_info mi;

	memset(&mi, 0xff, sizeof(mi));
	kmem_machine_info(&mi);
	if (!mi.layout_name)
		return fail("kmem_machine_info: layout_name NULL");
	if (good && (!mi.ram || !mi.cpus || !mi.vmalloc_start ||
		     mi.vmalloc_end <= mi.vmalloc_start || !mi.max_pfn))
		return fail("kmem_machine_info: the machine is empty");
	if (!good && (mi.ram || mi.cpus || mi.vmalloc_start || mi.max_pfn))
		return fail("kmem_machine_info: a machine that did not boot");
	return 0;
}

static int e_kmem_check_invariants(void)
{
	return kmem_check_invariants() ? 0 : fail("kmem_check_invariants");
}

static int e_kmem_free_pages_drained(void)
{
	unsigned long n = kmem_free_pages_drained();

	if (good ? n < 1000 : n != 0)
		return fail("kmem_free_pages_drained");
	return 0;
}

static int e_kmem_show(void)
{
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	int ret;

	if (!f)
		return fail("fmemopen");
	ret = kmem_show("meminfo", f);
	fclose(f);
	if (good && (ret || !strstr(buf, "MemTotal:")))
		return fail("kmem_show(meminfo)");
	if (!good && (ret >= 0 || strstr(buf, "MemTotal:")))
		return fail("kmem_show(meminfo) without a machine");
	return 0;
}

static int e_kmem_list_views(void)
{
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	if (!f)
		return fail("fmemopen");
	kmem_list_views(f);
	fclose(f);
	return strstr(buf, "meminfo") ? 0 : fail("kmem_list_views");
}

static int e_kmem_set_cpu(void)
{
	void *p;
	int r;

	kmem_set_cpu(3); /* the machine has 4 */
	if (good && smp_processor_id() != 3)
		return fail("kmem_set_cpu(3) did not pin CPU 3");
	p = kmalloc(64, GFP_KERNEL);
	r = check_mem(p, 64);
	kfree(p);
	return r;
}

static int e_num_online_cpus(void)
{
	unsigned int n = num_online_cpus();

	return good && n != 4 ?
		       fail("num_online_cpus() is not the machine's 4") :
		       0;
}

static int e_kmem_current(void)
{
	kmem_set_current("first", 4242);
	if (strcmp(kmem_current_comm(), "first") || kmem_current_pid() != 4242)
		return fail("kmem_set_current");
	return 0;
}

static int e_kmem_log(void)
{
	size_t m = kmem_log_mark();

	printk(KERN_INFO "first log line\n");
	return kmem_log_contains(m, "first log line") ? 0 : fail("kmem_log");
}

/* ---- processes ---- */

static int e_kmem_process_create(void)
{
	struct kmem_process *p = kmem_process_create("first");
	char *m;
	int r = 0;

	if (!good)
		return p ? fail("a process without a machine") : 0;
	if (!p)
		return fail("kmem_process_create");
	if (kmem_process_enter(p) == 0) {
		m = kmem_sys_mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			r = fail("kmem_sys_mmap");
		else
			m[4096] = 1;
		kmem_process_leave();
	} else {
		r = fail("the process died");
	}
	if (kmem_process_exit(p))
		r = fail("kmem_process_exit");
	return r;
}

static int e_kmem_sys_outside(void)
{
	/* Outside any process the calls fail with ESRCH, machine or not. */
	errno = 0;
	if (kmem_sys_mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0) != MAP_FAILED)
		return fail("kmem_sys_mmap outside a process");
	if (kmem_sys_munmap((void *)0x10000, 4096) != -1 ||
	    kmem_process_current())
		return fail("kmem_sys_munmap outside a process");
	return 0;
}

static int e_kmem_sys_brk_outside(void)
{
	kmem_sys_brk(NULL);
	return kmem_sys_sbrk(4096) == (void *)-1 ?
		       0 :
		       fail("kmem_sys_sbrk outside");
}

struct entry {
	const char *name;
	int (*fn)(void);
};

#define E(fn)               \
	{                   \
#fn, e_##fn \
	}
static const struct entry entries[] = {
	E(alloc_pages),
	E(alloc_page_highuser),
	E(alloc_pages_node),
	E(alloc_pages_bulk),
	E(get_free_pages),
	E(get_zeroed_page),
	E(get_dma_pages),
	E(alloc_pages_exact),
	E(free_pages_zero),
	E(totalram_pages),
	E(nr_free_pages),
	E(totalhigh_pages),
	E(global_zone_page_state),
	E(refresh_vm_stats),
	E(kmalloc_const),
	E(kmalloc_var),
	E(kmalloc_large),
	E(kmalloc_atomic),
	E(kzalloc),
	E(kmalloc_node),
	E(kcalloc),
	E(krealloc),
	E(kmemdup),
	E(kstrdup),
	E(kstrndup),
	E(kstrdup_const),
	E(kmemdup_nul),
	E(kfree_null),
	E(kmalloc_size_roundup),
	E(kmem_cache_create),
	E(kmem_cache_destroy_null),
	E(alloc_percpu),
	E(alloc_percpu_atomic),
	E(pcpu_nr_pages),
	E(vmalloc),
	E(vzalloc),
	E(__vmalloc),
	E(vmalloc_node),
	E(vzalloc_node),
	E(vmalloc_user),
	E(vmalloc_32),
	E(vmalloc_32_user),
	E(vmalloc_huge),
	E(vmalloc_huge_node),
	E(__vmalloc_node),
	E(vmalloc_array),
	E(vcalloc),
	E(vrealloc),
	E(vfree_null),
	E(vm_unmap_aliases),
	E(get_vm_area),
	E(get_vm_area_caller),
	E(vmalloc_queries),
	E(kvmalloc_small),
	E(kvmalloc_big),
	E(kvzalloc),
	E(kvmalloc_node),
	E(kvzalloc_node),
	E(kvmalloc_array),
	E(kvcalloc),
	E(kvrealloc),
	E(kvfree_null),
	E(irq_enter),
	E(local_bh_disable),
	E(printk),
	E(shrinker_alloc),
	E(kmem_machine_info),
	E(kmem_check_invariants),
	E(kmem_free_pages_drained),
	E(kmem_show),
	E(kmem_list_views),
	E(kmem_set_cpu),
	E(num_online_cpus),
	E(kmem_current),
	E(kmem_log),
	E(kmem_process_create),
	E(kmem_sys_outside),
	E(kmem_sys_brk_outside),
};
#define NR_ENTRIES (sizeof(entries) / sizeof(entries[0]))

/* The child: run one entry point first, then check the machine. */
static int child(const char *name, bool expect_good)
{
	size_t i;
	int r;

	good = expect_good;
	for (i = 0; i < NR_ENTRIES; i++)
		if (!strcmp(entries[i].name, name))
			break;
	if (i == NR_ENTRIES)
		return fail("no such entry point");
	alarm(120); /* a deadlock in the first call is a failure, not a hang */
	r = entries[i].fn();
	if (good) {
		/* After the first call the rest of kmem works too. */
		void *v = vmalloc(3 * PAGE_SIZE);

		r |= check_mem(v, 3 * PAGE_SIZE);
		vfree(v);
		if (!kmem_check_invariants())
			r |= fail("invariants");
	} else {
		/* Later calls fail the same way, silently. */
		r |= check_mem(kmalloc(64, GFP_KERNEL), 64);
		r |= check_mem(vmalloc(8192), 8192);
		r |= check_mem(alloc_pages(GFP_KERNEL, 0), 1);
		if (kmem_is_booted())
			r |= fail("booted from a bad environment");
	}
	return r ? 1 : 0;
}

static char self[4096];
static int failures;
static bool spawn_quiet; /* add KMEM_QUIET=1 to the child's environment */

/* Run `name` in a fresh process with `extra` added to the environment (and
 * every other KMEM_* variable removed); its stderr goes to `errbuf`. Returns
 * the wait status. */
static int spawn(const char *name, const char *extra, bool expect_good,
		 char *errbuf, size_t len)
{
	char *argv[] = { self, "--child", (char *)name,
			 expect_good ? "good" : "bad", NULL };
	char *envp[256];
	char path[] = "/tmp/kmem-first-call-XXXXXX";
	posix_spawn_file_actions_t fa;
	int fd, n = 0, status = -1, i;
	pid_t pid;
	ssize_t got;

	for (i = 0; environ[i] && n < 250; i++)
		if (strncmp(environ[i], "KMEM_", 5))
			envp[n++] = environ[i];
	if (extra)
		envp[n++] = (char *)extra;
	if (expect_good)
		envp[n++] = "KMEM_CPUS=4";
	if (spawn_quiet)
		envp[n++] = "KMEM_QUIET=1";
	envp[n] = NULL;
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	unlink(path);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
	if (posix_spawn(&pid, self, &fa, NULL, argv, envp)) {
		perror("posix_spawn");
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	got = pread(fd, errbuf, len - 1, 0);
	errbuf[got > 0 ? got : 0] = '\0';
	close(fd);
	return status;
}

static void report(const char *name, const char *env, const char *why,
		   const char *out)
{
	failures++;
	fprintf(stderr, "FAIL %s%s%s: %s\n--- its output:\n%s---\n", name,
		env ? " with " : "", env ? env : "", why, out);
}

static unsigned int count_str(const char *s, const char *needle)
{
	unsigned int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* What the bad values of issue 9 must print (one line, the whole output). */
static const struct {
	const char *env, *line;
} bad_envs[] = {
	{ "KMEM_RAM=abc",
	  "kmem: KMEM_RAM=abc: not a size; use 32M to 64G (e.g. 160M, 2G)\n" },
	{ "KMEM_RAM=1K",
	  "kmem: KMEM_RAM=1K: too little RAM; use 32M to 64G\n" },
	{ "KMEM_RAM=0", "kmem: KMEM_RAM=0: too little RAM; use 32M to 64G\n" },
	{ "KMEM_RAM=-5M",
	  "kmem: KMEM_RAM=-5M: not a size; use 32M to 64G (e.g. 160M, 2G)\n" },
	{ "KMEM_RAM=16M",
	  "kmem: KMEM_RAM=16M: too little RAM; use 32M to 64G\n" },
	{ "KMEM_RAM=100G",
	  "kmem: KMEM_RAM=100G: too much RAM; use 32M to 64G\n" },
	{ "KMEM_LAYOUT=arm64",
	  "kmem: KMEM_LAYOUT=arm64: unknown layout; use x86-64 or x86-32\n" },
	{ "KMEM_CPUS=0", "kmem: KMEM_CPUS=0: too few CPUs; use 1 to 256\n" },
	{ "KMEM_CPUS=100000",
	  "kmem: KMEM_CPUS=100000: too many CPUs; use 1 to 256\n" },
	{ "KMEM_CPUS=abc",
	  "kmem: KMEM_CPUS=abc: not a CPU count; use 1 to 256\n" },
	{ "KMEM_SWAP=xyz",
	  "kmem: KMEM_SWAP=xyz: not a size; use 0 (none) to 64G (e.g. 160M, 2G)\n" },
};

int main(int argc, char **argv)
{
	char out[16384];
	size_t i, j;
	ssize_t n;
	int st;

	if (argc == 4 && !strcmp(argv[1], "--child"))
		return child(argv[2], !strcmp(argv[3], "good"));
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		perror("readlink /proc/self/exe");
		return 1;
	}
	self[n] = '\0';

	/* A good environment: every entry point works as the first call. */
	for (i = 0; i < NR_ENTRIES; i++) {
		st = spawn(entries[i].name, "KMEM_RAM=128M", true, out,
			   sizeof(out));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			report(entries[i].name, NULL,
			       WIFSIGNALED(st) ? "killed by a signal" :
						 "exit status not 0",
			       out);
		else if (strstr(out, "WARNING") || strstr(out, "BUG"))
			report(entries[i].name, NULL, "a warning", out);
	}
	fprintf(stderr, "%zu entry points as the first call: %d failures\n",
		NR_ENTRIES, failures);

	/* A bad environment: every entry point fails cleanly, one line. */
	for (i = 0; i < NR_ENTRIES; i++) {
		st = spawn(entries[i].name, "KMEM_RAM=abc", false, out,
			   sizeof(out));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			report(entries[i].name, "KMEM_RAM=abc",
			       WIFSIGNALED(st) ? "killed by a signal" :
						 "exit status not 0",
			       out);
		else if (strstr(out, "panic") || strstr(out, "WARNING") ||
			 strstr(out, "BUG"))
			report(entries[i].name, "KMEM_RAM=abc",
			       "a panic or warning", out);
		else if (count_str(out, bad_envs[0].line) != 1 ||
			 count_str(out, "kmem") != 1)
			report(entries[i].name, "KMEM_RAM=abc",
			       "not the one line, once", out);
	}
	/* Each bad value: the allocators' first calls fail with its line. */
	for (j = 0; j < sizeof(bad_envs) / sizeof(bad_envs[0]); j++) {
		static const char *const firsts[] = { "kmalloc_const",
						      "vmalloc",
						      "alloc_pages" };

		for (i = 0; i < 3; i++) {
			st = spawn(firsts[i], bad_envs[j].env, false, out,
				   sizeof(out));
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				report(firsts[i], bad_envs[j].env,
				       WIFSIGNALED(st) ? "killed by a signal" :
							 "exit status not 0",
				       out);
			else if (strcmp(out, bad_envs[j].line))
				report(firsts[i], bad_envs[j].env,
				       "not exactly the expected line", out);
		}
	}
	/* KMEM_QUIET=1 silences the console but not a configuration error, as
	 * the kernel's `quiet` still prints KERN_ERR. */
	spawn_quiet = true;
	st = spawn("vmalloc", bad_envs[0].env, false, out, sizeof(out));
	spawn_quiet = false;
	if (!WIFEXITED(st) || WEXITSTATUS(st) || strcmp(out, bad_envs[0].line))
		report("vmalloc", "KMEM_QUIET=1 and a bad value",
		       "not exactly the expected line", out);
	fprintf(stderr, "%d failures\n", failures);
	return failures ? 1 : 0;
}
