// SPDX-License-Identifier: MIT
/*
 * kmemleak (mm/kmemleak.c): leaks are reported in the kernel's format, after
 * the second scan that finds them (the checksum rule); what is reachable
 * from the data segments, a stack or another reachable object (through a
 * pointer into its middle too) is not; kmemleak_not_leak/ignore and
 * custom-allocator records work; vmalloc leaks are reported; freed objects
 * are forgotten; several threads allocate at once; a fresh program whose
 * first call is kmalloc() with KMEM_CMDLINE=kmemleak=on is tracked.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <kmem/kmem.h>
#include <kmem/log.h>
#include <kmem/machine.h>
#include <kmem/show.h>
#include "test.h"

/* A pointer XORed with this is no pointer (not canonical): how the tests
 * keep an address without referencing the object. */
#define HIDE 0xffff000000000000UL

#define BOOT_LINE "kmemleak=on kmemleak.min_age=0"

static char self_path[4096];

static void boot_with(const char *cmdline)
{
	struct kmem_config cfg = { 0 };

	cfg.ram = 64ULL << 20;
	cfg.cpus = 2;
	cfg.cmdline = cmdline;
	CHECK_EQ(test_boot(&cfg), 0);
}

static char *leak_report(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return strdup("");
	kmemleak_read(f);
	fclose(f);
	return buf;
}

static bool reported(const char *text, const void *p)
{
	char needle[64];

	snprintf(needle, sizeof(needle), "unreferenced object 0x%08lx ",
		 (unsigned long)p);
	return strstr(text, needle) != NULL;
}

/* Overwrite the dead part of the stack below the caller, so that a pointer
 * left there by a returned function does not count. */
static noinline void clobber_stack(void)
{
	volatile char buf[16384];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 0;
}

/* The kernel's crc32(0, p, len). */
static uint32_t test_crc32(const unsigned char *p, size_t len)
{
	uint32_t crc = 0;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return crc;
}

void *volatile kmemleak_test_global;

noinline void kmemleak_test_make_leak(void)
{
	unsigned char *p = kmalloc(64, GFP_KERNEL);
	int i;

	for (i = 0; i < 64; i++)
		p[i] = (unsigned char)(i < 16 ? "kmemleak test 64"[i] : i);
	kmemleak_test_global = p;
}

static noinline unsigned long global_h(void)
{
	return (unsigned long)kmemleak_test_global ^ HIDE;
}

TEST(leak_reported_in_kernel_format)
{
	unsigned char *p;
	char *text, expect[512], *rec;
	unsigned long h;
	size_t mark;

	boot_with(BOOT_LINE " kmemleak.verbose=1");
	kmemleak_test_make_leak();
	h = global_h();
	CHECK(h != HIDE);
	if (h == HIDE)
		return;
	/* Reachable from a global: no report, however many scans. */
	CHECK_EQ(kmemleak_scan(), 0);
	CHECK_EQ(kmemleak_scan(), 0);
	/* The only pointer overwritten. */
	kmemleak_test_global = NULL;
	clobber_stack();
	mark = kmem_log_mark();
	/* First scan: changed since it was recorded (crc 0 -> its bytes), so
	 * taken as in use; the second reports it. */
	CHECK_EQ(kmemleak_scan(), 0);
	CHECK_EQ(kmemleak_scan(), 1);
	CHECK_LOG(
		mark,
		"kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)");
	p = (unsigned char *)(h ^ HIDE);
	/* kmemleak.verbose=1: the report in the log too. */
	snprintf(expect, sizeof(expect),
		 "kmemleak: unreferenced object 0x%08lx (size 64):",
		 (unsigned long)p);
	CHECK_LOG(mark, expect);
	CHECK_LOG(
		mark,
		"kmemleak:     6b 6d 65 6d 6c 65 61 6b 20 74 65 73 74 20 36 34  kmemleak test 64");
	text = leak_report();
	snprintf(
		expect, sizeof(expect),
		"unreferenced object 0x%08lx (size 64):\n  comm \"%s\", pid %d, jiffies ",
		(unsigned long)p, kmem_current_comm(), kmem_current_pid());
	rec = strstr(text, expect);
	CHECK(rec != NULL);
	if (rec) {
		snprintf(
			expect, sizeof(expect),
			"\n  hex dump (first 32 bytes):\n"
			"    6b 6d 65 6d 6c 65 61 6b 20 74 65 73 74 20 36 34  kmemleak test 64\n"
			"    10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f  ................\n"
			"  backtrace (crc %x):\n    ",
			test_crc32(p, 64));
		CHECK(strstr(rec, expect) != NULL);
		CHECK(strstr(rec, "kmemleak_test_make_leak+0x") != NULL);
	}
	free(text);
	CHECK_EQ(kmemleak_scan(), 0); /* reported once */
	/* dump=<addr> prints what kmemleak knows, for any address inside. */
	mark = kmem_log_mark();
	snprintf(expect, sizeof(expect), "dump=0x%lx", (unsigned long)p + 8);
	CHECK_EQ(kmemleak_write(expect), 0);
	snprintf(expect, sizeof(expect),
		 "kmemleak: Object 0x%08lx (size 64):", (unsigned long)p);
	CHECK_LOG(mark, expect);
	CHECK_LOG(mark, "kmemleak:   min_count = 1");
	/* clear: the reported leaks are forgotten (painted gray). */
	CHECK_EQ(kmemleak_write("clear"), 0);
	text = leak_report();
	CHECK(!reported(text, p));
	free(text);
	CHECK_EQ(kmemleak_scan(), 0);
	CHECK_EQ(kmemleak_write("bogus"), -EINVAL);
	kfree(p);
	test_halt();
}

struct node {
	unsigned long pad[3];
	char *next; /* points into the middle of the next node */
	char payload[32];
};

void *volatile kmemleak_test_root;

/* Objects allocated here and reachable only as described. */
static void *chain[4];

noinline void kmemleak_test_make_chain(void)
{
	struct node *a = kzalloc(sizeof(*a), GFP_KERNEL);
	struct node *b = kzalloc(sizeof(*b), GFP_KERNEL);
	struct node *c = kzalloc(sizeof(*c), GFP_KERNEL);

	a->next = (char *)b + 40;	      /* inside b */
	b->next = (char *)c + sizeof(*c) - 1; /* c's last byte */
	memset(c->payload, 'c', sizeof(c->payload));
	kmemleak_test_root = a;
	chain[0] = a;
	chain[1] = b;
	chain[2] = c;
}

/* Helpers take hidden addresses (^ HIDE): the test's own frame never
 * holds a plain pointer to an object it wants reported. */
static noinline bool reported_h(unsigned long h)
{
	char *text = leak_report();
	bool r = reported(text, (void *)(h ^ HIDE));

	free(text);
	return r;
}

static noinline void kfree_h(unsigned long h)
{
	kfree((void *)(h ^ HIDE));
}

static noinline void cut_chain(unsigned long h)
{
	((struct node *)(h ^ HIDE))->next = NULL;
}

/* A zeroed kmalloc object, hidden: the pointer is left in no register
 * and in no live frame of the caller. */
static noinline unsigned long kmalloc_h(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL);

	if (p)
		memset(p, 0, size);
	return (unsigned long)p ^ HIDE;
}

/* *(void **)a = b, for hidden a and b. */
static noinline void store_h(unsigned long a, unsigned long b)
{
	*(void **)(a ^ HIDE) = (void *)(b ^ HIDE);
}

static noinline unsigned long load_h(unsigned long a)
{
	return (unsigned long)*(void **)(a ^ HIDE) ^ HIDE;
}

static noinline void not_leak_h(unsigned long h)
{
	kmemleak_not_leak((void *)(h ^ HIDE));
}

static noinline void ignore_h(unsigned long h)
{
	kmemleak_ignore((void *)(h ^ HIDE));
}

/* kmemleak_alloc()/kmemleak_free() of a block of a hidden pool. */
static noinline void record_h(unsigned long pool, size_t off, size_t size,
			      int min_count)
{
	kmemleak_alloc((char *)(pool ^ HIDE) + off, size, min_count,
		       GFP_KERNEL);
}

static noinline void forget_h(unsigned long pool, size_t off)
{
	kmemleak_free((char *)(pool ^ HIDE) + off);
}

TEST(reachable_objects_not_reported)
{
	void *volatile on_stack;
	unsigned long ptrs[3], stack_h;
	int i;

	boot_with(BOOT_LINE);
	kmemleak_test_make_chain();
	on_stack = kmalloc(200, GFP_KERNEL);
	memset(on_stack, 0x5a, 200);
	stack_h = (unsigned long)on_stack ^ HIDE;
	for (i = 0; i < 3; i++)
		ptrs[i] = (unsigned long)chain[i] ^ HIDE;
	memset(chain, 0, sizeof(chain)); /* only the root global is left */
	clobber_stack();
	for (i = 0; i < 3; i++)
		CHECK_EQ(kmemleak_scan(), 0);
	for (i = 0; i < 3; i++)
		CHECK(!reported_h(ptrs[i]));
	CHECK(!reported_h(stack_h));
	/* Cut the chain after a: b and c go, at the second scan (the first
	 * computes their checksums, never taken while they were referenced,
	 * and takes them as changed, so in use). */
	cut_chain(ptrs[0]);
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 0);
	CHECK_EQ(kmemleak_scan(), 2);
	CHECK_EQ(kmemleak_scan(), 0);
	CHECK(!reported_h(ptrs[0]));
	CHECK(reported_h(ptrs[1]));
	CHECK(reported_h(ptrs[2]));
	CHECK(!reported_h(stack_h));
	kfree((void *)on_stack);
	for (i = 0; i < 3; i++)
		kfree_h(ptrs[i]);
	kmemleak_test_root = NULL;
	test_halt();
}

/* Three leaks: one marked not_leak, one ignored, one left alone. */
TEST(not_leak_and_ignore)
{
	unsigned long h[3], h2;
	int i;

	boot_with(BOOT_LINE);
	for (i = 0; i < 3; i++)
		h[i] = kmalloc_h(32); /* zeroed, crc 0: reported at once */
	not_leak_h(h[0]);
	ignore_h(h[1]);
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 1);
	CHECK(!reported_h(h[0]));
	CHECK(!reported_h(h[1]));
	CHECK(reported_h(h[2]));
	/* A not_leak object is still scanned: what it points to is found. */
	h2 = kmalloc_h(16);
	store_h(h[0], h2);
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 0);
	CHECK(!reported_h(h2));
	/* An ignored one is not scanned: what only it points to leaks. */
	h2 = kmalloc_h(16);
	store_h(h[1], h2);
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 1);
	CHECK(reported_h(h2));
	kfree_h(load_h(h[0]));
	kfree_h(load_h(h[1]));
	for (i = 0; i < 3; i++)
		kfree_h(h[i]);
	test_halt();
}

void *volatile kmemleak_test_vmalloc;

static noinline unsigned long vzalloc_h(unsigned long size)
{
	return (unsigned long)vzalloc(size) ^ HIDE;
}

static noinline void vfree_h(unsigned long h)
{
	vfree((void *)(h ^ HIDE));
}

TEST(vmalloc_leak_reported)
{
	char expect[128], *text;
	unsigned long lost;

	boot_with(BOOT_LINE);
	kmemleak_test_vmalloc = vmalloc(5 * PAGE_SIZE);
	lost = vzalloc_h(3 * PAGE_SIZE + 100);
	CHECK(kmemleak_test_vmalloc && lost != HIDE);
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 1);
	snprintf(expect, sizeof(expect),
		 "unreferenced object 0x%08lx (size %lu):", lost ^ HIDE,
		 4 * PAGE_SIZE);
	text = leak_report();
	CHECK(strstr(text, expect) != NULL);
	/* Kept: referenced by the global and by its vm_struct. */
	CHECK(!reported(text, kmemleak_test_vmalloc));
	free(text);
	vfree_h(lost);
	vfree(kmemleak_test_vmalloc);
	kmemleak_test_vmalloc = NULL;
	test_halt();
}

TEST(freed_objects_forgotten)
{
	char cmd[64], *text;
	size_t mark;
	void *p, *big;

	boot_with(BOOT_LINE);
	p = kmalloc(128, GFP_KERNEL);
	big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL); /* large kmalloc */
	memset(p, 0, 128);
	memset(big, 0, 3 * PAGE_SIZE);
	snprintf(cmd, sizeof(cmd), "dump=0x%lx", (unsigned long)p);
	CHECK_EQ(kmemleak_write(cmd), 0);
	snprintf(cmd, sizeof(cmd), "dump=0x%lx", (unsigned long)big + 5000);
	CHECK_EQ(kmemleak_write(cmd), 0);
	kfree(p);
	kfree(big);
	mark = kmem_log_mark();
	snprintf(cmd, sizeof(cmd), "dump=0x%lx", (unsigned long)p);
	CHECK_EQ(kmemleak_write(cmd), -EINVAL);
	snprintf(cmd, sizeof(cmd), "kmemleak: Unknown object at 0x%08lx",
		 (unsigned long)p);
	CHECK_LOG(mark, cmd);
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 0);
	text = leak_report();
	CHECK(!reported(text, p));
	CHECK(!reported(text, big));
	free(text);
	test_halt();
}

/* The scanning thread waits for its interval with scan_mutex let go, while
 * other threads take it ("clear" here): lockdep must still know the thread
 * as the owner when the wait takes the mutex back and the scan asserts it
 * held (a debug build's RUN fails on any "is not held" report). */
TEST(scan_thread_waits_while_others_lock)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int i;

	boot_with(BOOT_LINE);
	CHECK_EQ(kmemleak_write("scan=1"), 0);
	for (i = 0; i < 50; i++) { /* 2.5 s: two scans by the thread */
		CHECK_EQ(kmemleak_write("clear"), 0);
		nanosleep(&pause, NULL);
	}
	CHECK_EQ(kmemleak_write("scan=off"), 0);
	test_halt();
}

/* A custom allocator reports its blocks (here in host memory). */
TEST(custom_allocator_records)
{
	void *pool = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long h = (unsigned long)pool ^ HIDE;

	boot_with(BOOT_LINE);
	CHECK(pool != MAP_FAILED);
	pool = NULL;
	record_h(h, 256, 128, 1);
	record_h(h, 1024, 64, 1);
	/* A host block registered as a root (min_count 0) keeps what it
	 * points to (here, the middle of the block at 1024). */
	record_h(h, 2048, 64, 0);
	store_h(h + 2048, h + 1024 + 10);
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 1);
	CHECK(reported_h(h + 256));
	CHECK(!reported_h(h + 1024));
	forget_h(h, 256);
	forget_h(h, 1024);
	forget_h(h, 2048);
	CHECK(!reported_h(h + 256));
	munmap((void *)(h ^ HIDE), 4096);
	test_halt();
}

/* Without kmemleak.min_age=0 a leak younger than 5 s is not reported. */
TEST(min_age_default)
{
	void *volatile p;
	void *q;

	boot_with("kmemleak=on");
	p = kmalloc(32, GFP_KERNEL);
	memset(p, 0, 32);
	q = p;
	p = NULL;
	clobber_stack();
	CHECK_EQ(kmemleak_scan(), 0);
	CHECK_EQ(kmemleak_scan(), 0);
	kfree(q);
	test_halt();
}

#define NR_THREADS 4
#define KEPT 200
#define LEAKED 10

static pthread_barrier_t barrier;
static void *leaked_by[NR_THREADS][LEAKED];

static noinline void thread_leak(int t)
{
	int i;

	for (i = 0; i < LEAKED; i++)
		leaked_by[t][i] = (void *)kmalloc_h(48);
}

static void *thread_fn(void *arg)
{
	int t = (int)(long)arg, i;
	void *kept[KEPT]; /* on this thread's stack only */

	for (i = 0; i < KEPT; i++) {
		kept[i] = kmalloc(16 + (i % 5) * 24, GFP_KERNEL);
		memset(kept[i], 0, 16);
	}
	thread_leak(t);
	clobber_stack();
	pthread_barrier_wait(&barrier); /* main scans */
	pthread_barrier_wait(&barrier);
	for (i = 0; i < KEPT; i++)
		kfree(kept[i]);
	return NULL;
}

TEST(threads_allocating)
{
	pthread_t th[NR_THREADS];
	char *text;
	int t, i, n, missing = 0;

	boot_with(BOOT_LINE);
	pthread_barrier_init(&barrier, NULL, NR_THREADS + 1);
	for (t = 0; t < NR_THREADS; t++)
		pthread_create(&th[t], NULL, thread_fn, (void *)(long)t);
	pthread_barrier_wait(&barrier);
	clobber_stack();
	/* The leaked ones, and none of the 4 x 200 that each thread keeps
	 * on its stack. A thread's stack is scanned whole, dead frames and
	 * saved registers included, so a stale copy of a leaked address may
	 * hide that one (at most one per thread here; gcc leaves none, clang
	 * one). */
	n = kmemleak_scan();
	CHECK(n <= NR_THREADS * LEAKED && n >= NR_THREADS * (LEAKED - 1));
	text = leak_report();
	for (t = 0; t < NR_THREADS; t++)
		for (i = 0; i < LEAKED; i++)
			missing += !reported(
				text, (void *)((unsigned long)leaked_by[t][i] ^
					       HIDE));
	CHECK_EQ(missing, NR_THREADS * LEAKED - n);
	free(text);
	pthread_barrier_wait(&barrier);
	for (t = 0; t < NR_THREADS; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < NR_THREADS; t++)
		for (i = 0; i < LEAKED; i++)
			kfree((void *)((unsigned long)leaked_by[t][i] ^ HIDE));
	CHECK_EQ(kmemleak_scan(), 0);
	pthread_barrier_destroy(&barrier);
	test_halt();
}

/* Off by default: nothing recorded, the commands say so. */
TEST(off_by_default)
{
	char *text;

	boot_with(NULL);
	CHECK_EQ(kmemleak_scan(), -EPERM);
	CHECK_EQ(kmemleak_write("scan"), -EPERM);
	text = leak_report();
	CHECK_STR(text, "");
	free(text);
	test_halt();
}

/* A fresh program whose first call is kmalloc(), KMEM_CMDLINE=kmemleak=on. */
static int first_call_child(void)
{
	unsigned long h = kmalloc_h(100); /* the first call into kmem */
	struct kmem_machine_info info;
	char *text, size[32];
	int n;

	if (h == HIDE)
		return 2;
	/* The size kmemleak records: the object's (kmalloc-128 on SLUB,
	 * size-128 on SLAB), the request on SLOB (kmalloc blocks have no
	 * class there). Not ksize(): the pointer must not reach the stack. */
	kmem_machine_info(&info);
	snprintf(size, sizeof(size), "(size %d):\n",
		 info.slab == KMEM_SLAB_SLOB ? 100 : 128);
	clobber_stack();
	n = kmemleak_scan();
	text = leak_report();
	n = (n == 1 && reported(text, (void *)(h ^ HIDE)) &&
	     strstr(text, size)) ?
		    0 :
		    3;
	if (n)
		fprintf(stderr, "first call: %s\n", text);
	free(text);
	return n;
}

TEST(first_call_is_kmalloc)
{
	pid_t pid;
	int status = -1;

	pid = fork();
	if (pid == 0) {
		setenv("KMEM_CMDLINE", "kmemleak=on kmemleak.min_age=0", 1);
		setenv("KMEM_QUIET", "1", 1);
		execl(self_path, self_path, "first", (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "first"))
		return first_call_child();
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0)
		return 1;
	self_path[n] = 0;
	RUN(leak_reported_in_kernel_format);
	RUN(reachable_objects_not_reported);
	RUN(not_leak_and_ignore);
	RUN(vmalloc_leak_reported);
	RUN(freed_objects_forgotten);
	RUN(custom_allocator_records);
	RUN(min_age_default);
	RUN(threads_allocating);
	RUN(off_by_default);
	RUN(scan_thread_waits_while_others_lock);
	RUN(first_call_is_kmalloc);
	return test_summary();
}
