// SPDX-License-Identifier: MIT
/*
 * kmemleak: the kernel's memory leak detector (mm/kmemleak.c), a tracing
 * garbage collector that reports what it would collect instead of freeing it.
 *
 * 1. Tracking. With `kmemleak=on` on the command line (off by default here,
 *    unlike a kernel built with CONFIG_DEBUG_KMEMLEAK: a library should cost
 *    nothing unless asked), every object the allocators hand out gets a
 *    record: address, size, min_count (pointers needed to be referenced),
 *    the allocating task (comm, pid), jiffies and the call stack. The hooks
 *    are where the kernel has them: the slab allocation and free paths
 *    (kmemleak_slab_alloc() and kmemleak_free() in mm/slub.c's slow paths:
 *    while kmemleak is on no thread gets sheaves, so every kmalloc and
 *    kmem_cache_alloc goes there and the fast paths test nothing), large
 *    kmalloc, vmalloc (an area with min_count 2 whose vm_struct passes
 *    surplus references on, as kmemleak_vmalloc(); vmap_area objects are
 *    not tracked: their bounds are no references) and alloc_pages_exact
 *    (a kmem addition). Records
 *    live in host memory (mmap'd pools, never in the simulated RAM) and in
 *    a treap ordered by address, so any address inside an object finds it
 *    in O(log n); kmemleak_lock protects both.
 *
 * 2. Scanning (kmemleak_scan(), "scan" written to the file, or every
 *    kmemleak.scan_interval seconds from a "kmemleak" thread). All objects
 *    turn white (count = 0) except those with min_count 0, which are gray
 *    from the start. The roots are scanned: the writable PT_LOAD segments of
 *    the program and every loaded library (dl_iterate_phdr; kmemleak's own
 *    state is left out), the stacks of the threads that called into kmem
 *    (recorded on their first allocation; the main thread's is the [stack]
 *    mapping) and the objects registered with min_count 0. Every aligned
 *    word that points anywhere inside an object counts as a reference; an
 *    object reaching min_count turns gray and its own contents are scanned
 *    in turn (the gray list). Then, as the kernel does, a white object whose
 *    contents changed since the previous scan (crc32 of its bytes) is taken
 *    as still in use and scanned: a leak is reported at the earliest by the
 *    second scan that finds it white, and only once it is older than
 *    MSECS_MIN_AGE (5 s; kmemleak.min_age=<ms> changes it, 0 for tests).
 *
 * 3. Reports: the file's format, "unreferenced object 0x... (size N):",
 *    comm/pid/jiffies, a hex dump of the first 32 bytes and the stack with
 *    the object's crc, and one dmesg line per scan "kmemleak: N new
 *    suspected memory leaks (see /sys/kernel/debug/kmemleak)". With
 *    kmemleak.verbose=1 each report goes to the log as well.
 *
 * What kmem cannot see (so may report falsely): pointers kept only in host
 *    malloc() memory, in __thread variables, or in pages that are no
 *    kmemleak object (alloc_pages()); register such memory as a root with
 *    kmemleak_alloc(p, size, 0, 0), or mark the object kmemleak_not_leak().
 *
 * Locking: scan_mutex serialises scans and the file's commands;
 *    kmemleak_lock (a leaf: the hooks run under allocator locks) protects
 *    the records, the tree, the lists and the stack registry. A scan holds
 *    kmemleak_lock for at most MAX_SCAN_SIZE bytes at a time; a free takes it
 *    before the memory goes back, so no scanned object is freed under the
 *    scan's feet. Records freed during a scan are kept until it ends.
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/kmemleak.h>
#include <kmem/cmdline.h>
#include <kmem/show.h>
#include "kernel/internal.h"
#include "mm/internal.h"
#include "mm/slab.h"

#undef pr_fmt
#define pr_fmt(fmt) "kmemleak: " fmt

#define MAX_TRACE 16
#define MSECS_MIN_AGE 5000
#define MAX_SCAN_SIZE 4096
#define HZ 250
/* The kernel starts jiffies 5 minutes before they wrap (32 bits). */
#define INITIAL_JIFFIES ((unsigned long)(unsigned int)(-300 * HZ))

#define KMEMLEAK_GREY 0
#define KMEMLEAK_BLACK -1

#define OBJECT_ALLOCATED (1 << 0)
#define OBJECT_REPORTED (1 << 1)
#define OBJECT_NO_SCAN (1 << 2)

#define HEX_ROW_SIZE 16
#define HEX_MAX_LINES 2

struct kmemleak_object {
	struct kmemleak_object *left, *right; /* treap, by address */
	unsigned int prio;
	unsigned int flags;
	struct list_head object_list; /* object_list, free_pool or deferred */
	struct list_head gray_list;
	bool on_gray;
	unsigned long pointer;
	size_t size;
	unsigned long excess_ref; /* surplus references go there */
	int min_count;
	int count;
	u32 checksum;
	unsigned long jiffies;
	int pid;
	char comm[16];
	unsigned int nr_trace;
	void *trace[MAX_TRACE];
};

/* A thread that called into kmem: its stack is a root. */
struct kmemleak_stack {
	unsigned long start, end;
	bool used;
};

#define MAX_STACKS 1024
#define MAX_ROOTS 512
#define POOL_CHUNK (1UL << 20)

/*
 * Everything of kmemleak's that holds addresses, in one place so that the
 * scan of the data segments leaves it out (it would otherwise find the
 * bounds of the object range and the stack ranges).
 */
static struct {
	struct kmemleak_object *root;
	struct list_head object_list;
	struct list_head gray_list;
	struct list_head free_pool;
	struct list_head deferred; /* freed during a scan */
	void *chunks;		   /* pool chunks, linked through their head */
	unsigned long nr_objects, nr_free;
	unsigned long min_addr_m1, max_addr; /* min_addr - 1: not an object */
	struct kmemleak_stack stacks[MAX_STACKS];
	unsigned long roots[MAX_ROOTS][2];
	unsigned int nr_roots;
	unsigned long maps[4096][2]; /* readable host mappings */
	unsigned int nr_maps;
	unsigned long main_stack[2];
	char mapsbuf[1 << 16];
} kml = { .root = NULL };

int kmemleak_enabled __attribute__((visibility("hidden")));
static bool kmemleak_want;
static unsigned long min_age_ms = MSECS_MIN_AGE;
static unsigned long scan_interval; /* seconds; 0: no thread */
static bool kmemleak_verbose;
static bool kmemleak_stack_scan = true;
static bool kmemleak_found_leaks;
static bool scanning;
static unsigned long epoch; /* changes at every boot */
static unsigned long jiffies_last_scan;
static struct timespec boot_ts;

static DEFINE_MUTEX_RANK(kmemleak_lock, LOCK_RANK_KMEMLEAK);
static DEFINE_MUTEX_RANK(scan_mutex, LOCK_RANK_KMEMLEAK_SCAN);
static pthread_key_t stack_key;
static pthread_once_t stack_key_once = PTHREAD_ONCE_INIT;
static __thread unsigned long thread_epoch;

static pthread_t scan_thread;
static bool scan_thread_running, scan_thread_stop;
static pthread_cond_t scan_cond = PTHREAD_COND_INITIALIZER;

/* ---- the command line ------------------------------------------------- */

static int kmemleak_boot_config(const char *str)
{
	if (!str)
		return -EINVAL;
	if (!strcmp(str, "on"))
		kmemleak_want = true;
	else if (!strcmp(str, "off"))
		kmemleak_want = false;
	else
		return -EINVAL;
	return 0;
}
KMEM_EARLY_PARAM("kmemleak", kmemleak_boot_config)

/* kmemleak.verbose=, and kmem's kmemleak.min_age=<ms>,
 * kmemleak.scan_interval=<s>. */
static int kmemleak_param(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *end;
	unsigned long v;
	bool b;

	if (!eq)
		return -EINVAL;
	if (!strncmp(arg, "verbose=", 8)) {
		if (kstrtobool(eq + 1, &b))
			return -EINVAL;
		kmemleak_verbose = b;
		return 0;
	}
	errno = 0;
	v = strtoul(eq + 1, &end, 0);
	if (errno || end == eq + 1 || *end || eq[1] == '-')
		return -EINVAL;
	if (!strncmp(arg, "min_age=", 8))
		min_age_ms = v;
	else if (!strncmp(arg, "scan_interval=", 14))
		scan_interval = v;
	else
		return -EINVAL;
	return 0;
}
KMEM_SETUP("kmemleak.", kmemleak_param)

/* ---- time ----------------------------------------------------------------- */

static unsigned long jiffies_now(void)
{
	struct timespec ts;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = (long long)(ts.tv_sec - boot_ts.tv_sec) * 1000 +
	     (ts.tv_nsec - boot_ts.tv_nsec) / 1000000;
	return INITIAL_JIFFIES + (unsigned long)(ms * HZ / 1000);
}

static unsigned long msecs_to_jiffies(unsigned long ms)
{
	return (ms * HZ + 999) / 1000;
}

/* ---- crc32 (the kernel's crc32_le, seed 0, no final inversion) --------- */

static u32 crc_table[256];

static void crc_init(void)
{
	u32 i, j, c;

	for (i = 0; i < 256; i++) {
		for (c = i, j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
		crc_table[i] = c;
	}
}

__attribute__((no_sanitize("address", "thread"))) static u32
crc32_le(u32 crc, const unsigned char *p, size_t len)
{
	while (len--)
		crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xff];
	return crc;
}

/* ---- records: pool and tree ------------------------------------------- */

static struct kmemleak_object *pool_alloc(void)
{
	struct kmemleak_object *o;

	if (list_empty(&kml.free_pool)) {
		char *chunk = mmap(NULL, POOL_CHUNK, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t off;

		if (chunk == MAP_FAILED)
			return NULL;
		*(void **)chunk = kml.chunks;
		kml.chunks = chunk;
		for (off = 64; off + sizeof(*o) <= POOL_CHUNK;
		     off += sizeof(*o)) {
			o = (struct kmemleak_object *)(chunk + off);
			list_add_tail(&o->object_list, &kml.free_pool);
			kml.nr_free++;
		}
	}
	o = list_entry(kml.free_pool.next, struct kmemleak_object, object_list);
	list_del(&o->object_list);
	kml.nr_free--;
	return o;
}

static void pool_free(struct kmemleak_object *o)
{
	list_add(&o->object_list, &kml.free_pool);
	kml.nr_free++;
}

static inline size_t span(const struct kmemleak_object *o)
{
	return o->size ? o->size : 1;
}

static struct kmemleak_object *rotate_right(struct kmemleak_object *t)
{
	struct kmemleak_object *l = t->left;

	t->left = l->right;
	l->right = t;
	return l;
}

static struct kmemleak_object *rotate_left(struct kmemleak_object *t)
{
	struct kmemleak_object *r = t->right;

	t->right = r->left;
	r->left = t;
	return r;
}

static struct kmemleak_object *tree_insert(struct kmemleak_object *t,
					   struct kmemleak_object *o,
					   struct kmemleak_object **clash)
{
	if (!t)
		return o;
	if (o->pointer + span(o) <= t->pointer) {
		t->left = tree_insert(t->left, o, clash);
		if (t->left->prio > t->prio)
			t = rotate_right(t);
	} else if (t->pointer + span(t) <= o->pointer) {
		t->right = tree_insert(t->right, o, clash);
		if (t->right->prio > t->prio)
			t = rotate_left(t);
	} else {
		*clash = t;
	}
	return t;
}

static struct kmemleak_object *tree_remove(struct kmemleak_object *t,
					   struct kmemleak_object *o)
{
	if (!t)
		return NULL;
	if (t == o) {
		if (!t->left)
			return t->right;
		if (!t->right)
			return t->left;
		if (t->left->prio > t->right->prio) {
			t = rotate_right(t);
			t->right = tree_remove(t->right, o);
		} else {
			t = rotate_left(t);
			t->left = tree_remove(t->left, o);
		}
		return t;
	}
	if (o->pointer < t->pointer)
		t->left = tree_remove(t->left, o);
	else
		t->right = tree_remove(t->right, o);
	return t;
}

/* The object ptr points into (alias) or starts (!alias). kmemleak_lock. */
static struct kmemleak_object *lookup_object(unsigned long ptr, bool alias)
{
	struct kmemleak_object *t = kml.root;

	while (t) {
		if (ptr < t->pointer)
			t = t->left;
		else if (ptr >= t->pointer + span(t))
			t = t->right;
		else
			return (alias || ptr == t->pointer) ? t : NULL;
	}
	return NULL;
}

/* ---- thread stacks ------------------------------------------------------ */

static void stack_release(void *slot)
{
	unsigned long i = (unsigned long)slot - 1;

	mutex_lock_atomic(&kmemleak_lock);
	if (i < MAX_STACKS)
		kml.stacks[i].used = false;
	mutex_unlock(&kmemleak_lock);
}

static void stack_key_init(void)
{
	pthread_key_create(&stack_key, stack_release);
}

/* A thread's first call into kmem while kmemleak runs: its stack becomes a
 * root. The main thread's is found in the maps at scan time (asking glibc
 * for it would read /proc with malloc). kmemleak_lock not held. */
static noinline void register_thread(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;
	unsigned long i;

	thread_epoch = epoch;
	if (gettid() == getpid())
		return;
	if (pthread_getattr_np(pthread_self(), &attr))
		return;
	if (pthread_attr_getstack(&attr, &addr, &size)) {
		pthread_attr_destroy(&attr);
		return;
	}
	pthread_attr_destroy(&attr);
	pthread_once(&stack_key_once, stack_key_init);
	mutex_lock_atomic(&kmemleak_lock);
	for (i = 0; i < MAX_STACKS; i++) {
		if (!kml.stacks[i].used) {
			kml.stacks[i].start = (unsigned long)addr;
			kml.stacks[i].end = (unsigned long)addr + size;
			kml.stacks[i].used = true;
			break;
		}
	}
	mutex_unlock(&kmemleak_lock);
	if (i < MAX_STACKS)
		pthread_setspecific(stack_key, (void *)(i + 1));
	else
		pr_warn_once(
			"too many threads: the stacks of the others are not scanned\n");
}

/* ---- creating and deleting records ------------------------------------ */

struct trace {
	unsigned int nr;
	void *frames[MAX_TRACE];
};

static void save_trace(struct trace *t, const void *from)
{
	void *frames[MAX_TRACE + 8];
	int n = backtrace(frames, MAX_TRACE + 8), i, first = 0;

	/* Start at the frame that called kmemleak's hook. */
	for (i = 0; i < n; i++) {
		if (frames[i] == from) {
			first = i;
			break;
		}
	}
	n -= first;
	if (n > MAX_TRACE)
		n = MAX_TRACE;
	if (n < 0)
		n = 0;
	memcpy(t->frames, frames + first, (size_t)n * sizeof(void *));
	t->nr = (unsigned int)n;
}

static void kmemleak_disable(void);

static void dump_object_info(struct kmemleak_object *o);

static void create_object(unsigned long ptr, size_t size, int min_count,
			  const void *from)
{
	struct kmemleak_object *o, *clash = NULL;
	struct trace t;
	unsigned int h;

	if (thread_epoch != epoch)
		register_thread();
	save_trace(&t, from);
	mutex_lock_atomic(&kmemleak_lock);
	if (!kmemleak_enabled) {
		mutex_unlock(&kmemleak_lock);
		return;
	}
	o = pool_alloc();
	if (!o) {
		mutex_unlock(&kmemleak_lock);
		pr_warn("Cannot allocate a kmemleak_object structure\n");
		kmemleak_disable();
		return;
	}
	memset(o, 0, sizeof(*o));
	INIT_LIST_HEAD(&o->gray_list);
	o->flags = OBJECT_ALLOCATED;
	o->pointer = ptr;
	o->size = size;
	o->min_count = min_count;
	o->jiffies = jiffies_now();
	o->pid = kmem_current_pid();
	o->nr_trace = t.nr;
	memcpy(o->trace, t.frames, t.nr * sizeof(void *));
	snprintf(o->comm, sizeof(o->comm), "%s", kmem_current_comm());
	h = (unsigned int)(ptr >> 4) * 2654435761u;
	o->prio = h ^ (h >> 15);
	kml.root = tree_insert(kml.root, o, &clash);
	if (clash) {
		pool_free(o);
		pr_warn("Cannot insert 0x%lx into the object search tree (overlaps existing)\n",
			ptr);
		dump_object_info(clash);
		mutex_unlock(&kmemleak_lock);
		kmemleak_disable();
		return;
	}
	list_add_tail(&o->object_list, &kml.object_list);
	kml.nr_objects++;
	if (ptr - 1 < kml.min_addr_m1)
		kml.min_addr_m1 = ptr - 1;
	if (ptr + size > kml.max_addr)
		kml.max_addr = ptr + size;
	mutex_unlock(&kmemleak_lock);
}

/* Unlink o (kmemleak_lock held); its record is kept while a scan runs. */
static void remove_object(struct kmemleak_object *o)
{
	lockdep_assert_held(&kmemleak_lock);
	kml.root = tree_remove(kml.root, o);
	list_del(&o->object_list);
	kml.nr_objects--;
	o->flags &= ~OBJECT_ALLOCATED;
	if (scanning)
		list_add(&o->object_list, &kml.deferred);
	else
		pool_free(o);
}

static void delete_object(unsigned long ptr)
{
	struct kmemleak_object *o;

	mutex_lock_atomic(&kmemleak_lock);
	o = lookup_object(ptr, false);
	if (o)
		remove_object(o);
	mutex_unlock(&kmemleak_lock);
}

/* Forget [ptr, ptr + size) of the object ptr points into: what is left on
 * either side becomes an object of its own (delete_object_part()). */
static void delete_object_part(unsigned long ptr, size_t size, const void *from)
{
	struct kmemleak_object *o;
	unsigned long start, end;
	int min_count;

	mutex_lock_atomic(&kmemleak_lock);
	o = lookup_object(ptr, true);
	if (!o) {
		mutex_unlock(&kmemleak_lock);
		return;
	}
	start = o->pointer;
	end = o->pointer + o->size;
	min_count = o->min_count;
	remove_object(o);
	mutex_unlock(&kmemleak_lock);
	if (ptr > start)
		create_object(start, ptr - start, min_count, from);
	if (ptr + size < end)
		create_object(ptr + size, end - ptr - size, min_count, from);
}

/* ---- the hooks -------------------------------------------------------------- */

/* slab_post_alloc_hook()'s part: from slab_alloc_slow(). */
void kmemleak_slab_alloc(struct kmem_cache *s, void *obj)
{
	if (!(s->flags & SLAB_NOLEAKTRACE) &&
	    __atomic_load_n(&kmemleak_enabled, __ATOMIC_RELAXED))
		create_object((unsigned long)obj, s->object_size, 1,
			      __builtin_return_address(0));
}

void kmemleak_alloc(const void *ptr, size_t size, int min_count, gfp_t gfp)
{
	(void)gfp;
	if (__atomic_load_n(&kmemleak_enabled, __ATOMIC_RELAXED) && ptr &&
	    !IS_ERR(ptr))
		create_object((unsigned long)ptr, size, min_count,
			      __builtin_return_address(0));
}

void kmemleak_vmalloc(const struct vm_struct *area, size_t size, gfp_t gfp)
{
	struct kmemleak_object *o;

	(void)gfp;
	if (!__atomic_load_n(&kmemleak_enabled, __ATOMIC_RELAXED))
		return;
	/* min_count 2: the vm_struct holds the address too. */
	create_object((unsigned long)area->addr, size, 2,
		      __builtin_return_address(0));
	mutex_lock_atomic(&kmemleak_lock);
	o = lookup_object((unsigned long)area, false);
	if (o)
		o->excess_ref = (unsigned long)area->addr;
	mutex_unlock(&kmemleak_lock);
}

void kmemleak_free(const void *ptr)
{
	if (__atomic_load_n(&kmemleak_enabled, __ATOMIC_RELAXED) && ptr &&
	    !IS_ERR(ptr))
		delete_object((unsigned long)ptr);
}

void kmemleak_free_part(const void *ptr, size_t size)
{
	if (__atomic_load_n(&kmemleak_enabled, __ATOMIC_RELAXED) && ptr &&
	    !IS_ERR(ptr))
		delete_object_part((unsigned long)ptr, size,
				   __builtin_return_address(0));
}

/* Apply fn to the object ptr points into (alias) or starts. */
#define WITH_OBJECT(ptr, alias, stmt)                                        \
	do {                                                                 \
		struct kmemleak_object *o;                                   \
		if (!__atomic_load_n(&kmemleak_enabled, __ATOMIC_RELAXED) || \
		    !(ptr) || IS_ERR(ptr))                                   \
			break;                                               \
		mutex_lock_atomic(&kmemleak_lock);                           \
		o = lookup_object((unsigned long)(ptr), (alias));            \
		if (o) {                                                     \
			stmt;                                                \
		}                                                            \
		mutex_unlock(&kmemleak_lock);                                \
	} while (0)

void kmemleak_not_leak(const void *ptr)
{
	WITH_OBJECT(ptr, false, o->min_count = KMEMLEAK_GREY);
}

void kmemleak_ignore(const void *ptr)
{
	WITH_OBJECT(ptr, false, {
		o->min_count = KMEMLEAK_BLACK;
		o->flags |= OBJECT_NO_SCAN;
	});
}

void kmemleak_no_scan(const void *ptr)
{
	WITH_OBJECT(ptr, false, o->flags |= OBJECT_NO_SCAN);
}

void kmemleak_transient_leak(const void *ptr)
{
	WITH_OBJECT(ptr, false, o->checksum = 0);
}

void kmemleak_update_trace(const void *ptr)
{
	struct trace t;

	save_trace(&t, __builtin_return_address(0));
	WITH_OBJECT(ptr, true, {
		o->nr_trace = t.nr;
		memcpy(o->trace, t.frames, t.nr * sizeof(void *));
	});
}

/* ---- scanning ------------------------------------------------------------ */

static bool color_white(const struct kmemleak_object *o)
{
	return o->count != KMEMLEAK_BLACK && o->count < o->min_count;
}

static bool color_gray(const struct kmemleak_object *o)
{
	return o->min_count != KMEMLEAK_BLACK && o->count >= o->min_count;
}

static bool unreferenced_object(const struct kmemleak_object *o)
{
	return color_white(o) && (o->flags & OBJECT_ALLOCATED) &&
	       (long)(jiffies_last_scan -
		      (o->jiffies + msecs_to_jiffies(min_age_ms))) >= 0;
}

static void make_gray(struct kmemleak_object *o)
{
	if (!o->on_gray) {
		o->on_gray = true;
		list_add_tail(&o->gray_list, &kml.gray_list);
	}
}

static void update_refs(struct kmemleak_object *o)
{
	if (!color_white(o))
		return;
	o->count++;
	if (color_gray(o))
		make_gray(o);
}

static void pointer_update_refs(struct kmemleak_object *scanned,
				unsigned long ptr)
{
	struct kmemleak_object *o;
	unsigned long excess;

	if (ptr <= kml.min_addr_m1 || ptr >= kml.max_addr)
		return;
	o = lookup_object(ptr, true);
	if (!o || o == scanned)
		return;
	if (color_gray(o)) {
		excess = o->excess_ref; /* surplus references pass on */
	} else {
		excess = 0;
		update_refs(o);
	}
	if (excess) {
		o = lookup_object(excess, false);
		if (o && o != scanned)
			update_refs(o);
	}
}

/* Scan [start, end) for pointers; kmemleak_lock held. The memory may be
 * another thread's stack or an object being written: racy by nature. */
__attribute__((no_sanitize("address", "thread"))) static void
scan_block(unsigned long start, unsigned long end,
	   struct kmemleak_object *scanned)
{
	const unsigned long *p =
		(const unsigned long *)ALIGN(start, sizeof(unsigned long));

	for (; (unsigned long)(p + 1) <= end; p++)
		pointer_update_refs(scanned,
				    *(const volatile unsigned long *)p);
}

/* A root range, in chunks, dropping the lock in between. */
static void scan_root(unsigned long start, unsigned long end)
{
	unsigned int i;

	/* Only what is mapped readable (a stack's guard, the unused part of
	 * the main stack's reservation are not). */
	for (i = 0; i < kml.nr_maps; i++) {
		unsigned long s = max(start, kml.maps[i][0]);
		unsigned long e = min(end, kml.maps[i][1]);

		while (s < e) {
			unsigned long next = min(s + MAX_SCAN_SIZE, e);

			mutex_lock_atomic(&kmemleak_lock);
			scan_block(s, next, NULL);
			mutex_unlock(&kmemleak_lock);
			s = next;
		}
	}
}

/* Scan an object's contents in chunks; kmemleak_lock held (dropped between
 * chunks; a free in between ends the scan of o). */
static void scan_object(struct kmemleak_object *o)
{
	unsigned long s = o->pointer, end = o->pointer + o->size;

	lockdep_assert_held(&kmemleak_lock);
	while (s < end && (o->flags & OBJECT_ALLOCATED) &&
	       !(o->flags & OBJECT_NO_SCAN)) {
		unsigned long next = min(s + MAX_SCAN_SIZE, end);

		scan_block(s, next, o);
		s = next;
		if (s < end) {
			mutex_unlock(&kmemleak_lock);
			mutex_lock_atomic(&kmemleak_lock);
		}
	}
}

static void scan_gray_list(void)
{
	mutex_lock_atomic(&kmemleak_lock);
	while (!list_empty(&kml.gray_list)) {
		struct kmemleak_object *o = list_entry(
			kml.gray_list.next, struct kmemleak_object, gray_list);

		list_del_init(&o->gray_list);
		scan_object(o);
		o->on_gray = false;
	}
	mutex_unlock(&kmemleak_lock);
}

/* The readable mappings of the process, from /proc/self/maps (read with
 * read(2) into kml.mapsbuf: no malloc). The main thread's stack too. */
static void read_maps(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;
	char *line;

	kml.nr_maps = 0;
	kml.main_stack[0] = kml.main_stack[1] = 0;
	if (fd < 0)
		return;
	while (len < sizeof(kml.mapsbuf) - 1 &&
	       (n = read(fd, kml.mapsbuf + len,
			 sizeof(kml.mapsbuf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	kml.mapsbuf[len] = '\0';
	for (line = kml.mapsbuf; *line && kml.nr_maps < ARRAY_SIZE(kml.maps);) {
		char *nl = strchr(line, '\n'), *p;
		unsigned long s, e;

		if (nl)
			*nl = '\0';
		s = strtoul(line, &p, 16);
		if (*p == '-') {
			e = strtoul(p + 1, &p, 16);
			if (p[0] == ' ' && p[1] == 'r') {
				kml.maps[kml.nr_maps][0] = s;
				kml.maps[kml.nr_maps][1] = e;
				kml.nr_maps++;
			}
			if (strstr(p, "[stack]")) {
				kml.main_stack[0] = s;
				kml.main_stack[1] = e;
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
}

static int add_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	unsigned long self = (unsigned long)&kml, self_end = self + sizeof(kml);
	int i;

	(void)size;
	(void)data;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		unsigned long s, e;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		s = info->dlpi_addr + ph->p_vaddr;
		e = s + ph->p_memsz;
		/* Leave kmemleak's own state out. */
		if (self >= s && self_end <= e) {
			if (self > s && kml.nr_roots < MAX_ROOTS) {
				kml.roots[kml.nr_roots][0] = s;
				kml.roots[kml.nr_roots++][1] = self;
			}
			s = self_end;
		}
		if (s < e && kml.nr_roots < MAX_ROOTS) {
			kml.roots[kml.nr_roots][0] = s;
			kml.roots[kml.nr_roots++][1] = e;
		}
	}
	return 0;
}

static bool update_checksum(struct kmemleak_object *o)
{
	u32 old = o->checksum;

	o->checksum = crc32_le(0, (const unsigned char *)o->pointer, o->size);
	return o->checksum != old;
}

static void print_unreferenced(FILE *f, struct kmemleak_object *o);

/* One scan; scan_mutex held. `sp`: the caller's stack pointer (the part of
 * its stack below it is kmemleak's own frames). The number of new leaks. */
static int __kmemleak_scan(unsigned long sp)
{
	struct kmemleak_object *o;
	unsigned long stacks[MAX_STACKS][2];
	unsigned int i, nr_stacks = 0;
	int new_leaks = 0;

	lockdep_assert_held(&scan_mutex);
	mutex_lock_atomic(&kmemleak_lock);
	if (!kmemleak_enabled) {
		mutex_unlock(&kmemleak_lock);
		return -EPERM;
	}
	scanning = true;
	jiffies_last_scan = jiffies_now();
	list_for_each_entry(o, &kml.object_list, object_list) {
		o->count = 0;
		if (color_gray(o))
			make_gray(o);
	}
	for (i = 0; i < MAX_STACKS; i++) {
		if (kml.stacks[i].used) {
			stacks[nr_stacks][0] = kml.stacks[i].start;
			stacks[nr_stacks++][1] = kml.stacks[i].end;
		}
	}
	mutex_unlock(&kmemleak_lock);

	/* The data and bss of the program and its libraries. */
	read_maps();
	kml.nr_roots = 0;
	dl_iterate_phdr(add_segments, NULL);
	for (i = 0; i < kml.nr_roots; i++)
		scan_root(kml.roots[i][0], kml.roots[i][1]);

	/* The stacks; the caller's from its frame up. A thread may exit in
	 * between: its stack stays mapped (glibc keeps it cached) or is no
	 * longer in the maps read above... */
	if (kmemleak_stack_scan) {
		for (i = 0; i < nr_stacks; i++) {
			unsigned long s = stacks[i][0], e = stacks[i][1];

			if (sp >= s && sp < e)
				s = sp;
			scan_root(s, e);
		}
		if (kml.main_stack[1]) {
			unsigned long s = kml.main_stack[0];

			if (sp >= s && sp < kml.main_stack[1])
				s = sp;
			scan_root(s, kml.main_stack[1]);
		}
	}
	scan_gray_list();

	/* White objects modified since the last scan: gray until the next. */
	mutex_lock_atomic(&kmemleak_lock);
	list_for_each_entry(o, &kml.object_list, object_list) {
		if (color_white(o) && (o->flags & OBJECT_ALLOCATED) &&
		    !(o->flags & OBJECT_NO_SCAN) && update_checksum(o)) {
			o->count = o->min_count;
			make_gray(o);
		}
	}
	mutex_unlock(&kmemleak_lock);
	scan_gray_list();

	mutex_lock_atomic(&kmemleak_lock);
	list_for_each_entry(o, &kml.object_list, object_list) {
		if (unreferenced_object(o) && !(o->flags & OBJECT_REPORTED)) {
			o->flags |= OBJECT_REPORTED;
			if (kmemleak_verbose)
				print_unreferenced(NULL, o);
			new_leaks++;
		}
	}
	scanning = false;
	while (!list_empty(&kml.deferred)) {
		o = list_entry(kml.deferred.next, struct kmemleak_object,
			       object_list);
		list_del(&o->object_list);
		pool_free(o);
	}
	mutex_unlock(&kmemleak_lock);
	if (new_leaks) {
		kmemleak_found_leaks = true;
		pr_info("%d new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n",
			new_leaks);
	}
	return new_leaks;
}

/*
 * The caller's stack is scanned from here up: its frames, and the registers
 * it kept (callee-saved ones, which __builtin_unwind_init() spills into this
 * frame, below `here`'s address or at it). Below is kmemleak's own.
 */
#define CALLER_SP(here)                  \
	({                               \
		__builtin_unwind_init(); \
		(here) = 0;              \
		(unsigned long)&(here);  \
	})

int kmemleak_scan(void)
{
	volatile unsigned long here;
	unsigned long sp = CALLER_SP(here);
	int ret;

	if (!kmem_ensure_booted())
		return -EPERM;
	mutex_lock_atomic(&scan_mutex);
	ret = __kmemleak_scan(sp);
	mutex_unlock(&scan_mutex);
	return ret;
}

/* ---- the automatic scanning thread ---------------------------------------- */

static void *kmemleak_scan_thread(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_setname_np(pthread_self(), "kmemleak");
	pr_info("Automatic memory scanning thread started\n");
	mutex_lock_atomic(&scan_mutex);
	while (!scan_thread_stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)scan_interval;
		while (!scan_thread_stop &&
		       mutex_cond_timedwait(&scan_cond, &scan_mutex, &until) !=
			       ETIMEDOUT)
			;
		if (!scan_thread_stop)
			__kmemleak_scan(0);
	}
	mutex_unlock(&scan_mutex);
	pr_info("Automatic memory scanning thread ended\n");
	return NULL;
}

/* scan_mutex held. */
static void start_scan_thread(void)
{
	lockdep_assert_held(&scan_mutex);
	if (scan_thread_running || !scan_interval)
		return;
	scan_thread_stop = false;
	if (pthread_create(&scan_thread, NULL, kmemleak_scan_thread, NULL)) {
		pr_warn("Failed to create the scan thread\n");
		return;
	}
	scan_thread_running = true;
}

/* Called with scan_mutex held; drops it while joining. */
static void stop_scan_thread(void)
{
	lockdep_assert_held(&scan_mutex);
	if (!scan_thread_running)
		return;
	scan_thread_stop = true;
	pthread_cond_broadcast(&scan_cond);
	mutex_unlock(&scan_mutex);
	pthread_join(scan_thread, NULL);
	mutex_lock_atomic(&scan_mutex);
	scan_thread_running = false;
}

/* ---- reports --------------------------------------------------------------- */

/* A line to the file, or to the log as a warning. */
static __printf(2, 3) void warn_or_seq_printf(FILE *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (f)
		fputs(buf, f);
	else
		pr_warn("%s", buf);
}

/* print_hex_dump()'s line: 16 bytes in groups of 1, the ASCII at column 49. */
__attribute__((no_sanitize("address", "thread"))) static void
hex_dump_object(FILE *f, const struct kmemleak_object *o)
{
	const unsigned char *p = (const unsigned char *)o->pointer;
	size_t len = min_t(size_t, o->size, HEX_MAX_LINES * HEX_ROW_SIZE);
	size_t i, j;

	warn_or_seq_printf(f, "  hex dump (first %zu bytes):\n", len);
	for (i = 0; i < len; i += HEX_ROW_SIZE) {
		size_t n = min_t(size_t, HEX_ROW_SIZE, len - i);
		char line[80];
		int lx = 0;

		for (j = 0; j < n; j++)
			lx += snprintf(line + lx, sizeof(line) - (size_t)lx,
				       j ? " %02x" : "%02x", p[i + j]);
		while (lx < HEX_ROW_SIZE * 3 + 1)
			line[lx++] = ' ';
		for (j = 0; j < n; j++) {
			unsigned char c = p[i + j];

			line[lx++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
		}
		line[lx] = '\0';
		warn_or_seq_printf(f, "    %s\n", line);
	}
}

static void print_unreferenced(FILE *f, struct kmemleak_object *o)
{
	char sym[256];
	unsigned int i;

	warn_or_seq_printf(f, "unreferenced object 0x%08lx (size %zu):\n",
			   o->pointer, o->size);
	warn_or_seq_printf(f, "  comm \"%s\", pid %d, jiffies %lu\n", o->comm,
			   o->pid, o->jiffies);
	hex_dump_object(f, o);
	warn_or_seq_printf(f, "  backtrace (crc %x):\n", o->checksum);
	for (i = 0; i < o->nr_trace; i++)
		warn_or_seq_printf(f, "    %s\n",
				   kmem_symbolize(o->trace[i], sym,
						  sizeof(sym)));
}

static void dump_object_info(struct kmemleak_object *o)
{
	char sym[256];
	unsigned int i;

	pr_notice("Object 0x%08lx (size %zu):\n", o->pointer, o->size);
	pr_notice("  comm \"%s\", pid %d, jiffies %lu\n", o->comm, o->pid,
		  o->jiffies);
	pr_notice("  min_count = %d\n", o->min_count);
	pr_notice("  count = %d\n", o->count);
	pr_notice("  flags = 0x%x\n", o->flags);
	pr_notice("  checksum = %u\n", o->checksum);
	pr_notice("  backtrace:\n");
	for (i = 0; i < o->nr_trace; i++)
		printk(KERN_NOTICE " %s\n",
		       kmem_symbolize(o->trace[i], sym, sizeof(sym)));
}

int kmemleak_read(FILE *f)
{
	struct kmemleak_object *o;

	if (!kmem_ensure_booted())
		return -EPERM;
	mutex_lock_atomic(&scan_mutex);
	mutex_lock_atomic(&kmemleak_lock);
	list_for_each_entry(o, &kml.object_list, object_list) {
		if ((o->flags & OBJECT_REPORTED) && unreferenced_object(o))
			print_unreferenced(f, o);
	}
	mutex_unlock(&kmemleak_lock);
	mutex_unlock(&scan_mutex);
	return 0;
}

static int show_kmemleak(const char *name, FILE *f)
{
	(void)name;
	if (!__atomic_load_n(&kmemleak_enabled, __ATOMIC_RELAXED)) {
		fprintf(f, "kmemleak is disabled: boot with kmemleak=on\n");
		return 0;
	}
	return kmemleak_read(f);
}

static const struct kmem_view kmemleak_view = { "kmemleak", show_kmemleak, 0 };

static void free_all_records(void);

__attribute__((constructor)) static void kmemleak_register_view(void)
{
	free_all_records(); /* empty lists, so reads work while off */
	kmem_register_view(&kmemleak_view);
}

/* ---- the file's commands ------------------------------------------------- */

static void kmemleak_clear(void)
{
	struct kmemleak_object *o;

	mutex_lock_atomic(&kmemleak_lock);
	list_for_each_entry(o, &kml.object_list, object_list) {
		if ((o->flags & OBJECT_REPORTED) && unreferenced_object(o))
			o->min_count = KMEMLEAK_GREY;
	}
	mutex_unlock(&kmemleak_lock);
	kmemleak_found_leaks = false;
}

static void free_all_records(void)
{
	while (kml.chunks) {
		void *next = *(void **)kml.chunks;

		munmap(kml.chunks, POOL_CHUNK);
		kml.chunks = next;
	}
	kml.root = NULL;
	INIT_LIST_HEAD(&kml.object_list);
	INIT_LIST_HEAD(&kml.gray_list);
	INIT_LIST_HEAD(&kml.free_pool);
	INIT_LIST_HEAD(&kml.deferred);
	kml.nr_objects = kml.nr_free = 0;
	kml.min_addr_m1 = ULONG_MAX;
	kml.max_addr = 0;
	memset(kml.stacks, 0, sizeof(kml.stacks));
}

/* Irreversible until the next boot, as in the kernel. */
static void kmemleak_disable(void)
{
	if (!__atomic_exchange_n(&kmemleak_enabled, 0, __ATOMIC_SEQ_CST))
		return;
	pr_info("Kernel memory leak detector disabled\n");
}

static int dump_str_object_info(const char *str)
{
	struct kmemleak_object *o;
	unsigned long addr;
	char *end;

	errno = 0;
	addr = strtoul(str, &end, 0);
	if (errno || end == str || (*end && *end != '\n'))
		return -EINVAL;
	mutex_lock_atomic(&kmemleak_lock);
	o = lookup_object(addr, true);
	if (o)
		dump_object_info(o);
	mutex_unlock(&kmemleak_lock);
	if (!o) {
		pr_info("Unknown object at 0x%08lx\n", addr);
		return -EINVAL;
	}
	return 0;
}

int kmemleak_write(const char *buf)
{
	volatile unsigned long here;
	unsigned long sp = CALLER_SP(here);
	int ret = 0;

	if (!buf)
		return -EINVAL;
	if (!kmem_ensure_booted())
		return -EPERM;
	mutex_lock_atomic(&scan_mutex);
	if (!strncmp(buf, "clear", 5)) {
		if (kmemleak_enabled) {
			kmemleak_clear();
		} else {
			mutex_lock_atomic(&kmemleak_lock);
			free_all_records();
			mutex_unlock(&kmemleak_lock);
		}
		goto out;
	}
	if (!kmemleak_enabled) {
		ret = -EPERM;
		goto out;
	}
	if (!strncmp(buf, "off", 3)) {
		stop_scan_thread();
		kmemleak_disable();
	} else if (!strncmp(buf, "stack=on", 8)) {
		kmemleak_stack_scan = true;
	} else if (!strncmp(buf, "stack=off", 9)) {
		kmemleak_stack_scan = false;
	} else if (!strncmp(buf, "scan=on", 7)) {
		if (!scan_interval)
			scan_interval = 600; /* SECS_SCAN_WAIT */
		start_scan_thread();
	} else if (!strncmp(buf, "scan=off", 8)) {
		stop_scan_thread();
	} else if (!strncmp(buf, "scan=", 5)) {
		char *end;
		unsigned long secs;

		errno = 0;
		secs = strtoul(buf + 5, &end, 0);
		if (errno || end == buf + 5 || buf[5] == '-' ||
		    (*end && *end != '\n')) {
			ret = -EINVAL;
			goto out;
		}
		stop_scan_thread();
		scan_interval = secs;
		start_scan_thread();
	} else if (!strncmp(buf, "scan", 4)) {
		ret = __kmemleak_scan(sp);
		if (ret > 0)
			ret = 0;
	} else if (!strncmp(buf, "dump=", 5)) {
		ret = dump_str_object_info(buf + 5);
	} else {
		ret = -EINVAL;
	}
out:
	mutex_unlock(&scan_mutex);
	return ret;
}

/* ---- boot, halt, fork -------------------------------------------------------- */

static int kmemleak_init(void)
{
	bool want = kmemleak_want;

	kmemleak_want = false; /* the next boot reads its own command line */
	free_all_records();
	kmemleak_found_leaks = false;
	kmemleak_stack_scan = true;
	epoch++;
	if (!want)
		return 0;
	if (!crc_table[1])
		crc_init();
	clock_gettime(CLOCK_MONOTONIC, &boot_ts);
	__atomic_store_n(&kmemleak_enabled, 1, __ATOMIC_RELEASE);
	return 0;
}

static void kmemleak_exit(void)
{
	__atomic_store_n(&kmemleak_enabled, 0, __ATOMIC_RELEASE);
	mutex_lock_atomic(&kmemleak_lock);
	free_all_records();
	mutex_unlock(&kmemleak_lock);
	min_age_ms = MSECS_MIN_AGE;
	scan_interval = 0;
	kmemleak_verbose = false;
}
/* Before the slab layer, so that its first objects are tracked. */
KMEM_INITCALL(KMEM_INIT_EARLY, kmemleak_init, kmemleak_exit)

static int kmemleak_late_init(void)
{
	if (!kmemleak_enabled)
		return 0;
	mutex_lock_atomic(&scan_mutex);
	start_scan_thread();
	mutex_unlock(&scan_mutex);
	if (!kmem_cfg.quiet)
		pr_info("Kernel memory leak detector initialized (mem pool available: %lu)\n",
			kml.nr_free);
	return 0;
}

/* The thread stops before any layer goes down. */
static void kmemleak_late_exit(void)
{
	mutex_lock_atomic(&scan_mutex);
	stop_scan_thread();
	mutex_unlock(&scan_mutex);
}
KMEM_INITCALL(KMEM_INIT_LATE, kmemleak_late_init, kmemleak_late_exit)

/* fork(): no scan and no record change while the RAM is copied. The child
 * has one thread: the others' stacks are no roots there, and it has no
 * scanning thread. */
static void kmemleak_fork_prepare(void)
{
	mutex_lock_atomic(&scan_mutex);
	mutex_lock_atomic(&kmemleak_lock);
}

static void kmemleak_fork_parent(void)
{
	mutex_unlock(&kmemleak_lock);
	mutex_unlock(&scan_mutex);
}

static void kmemleak_fork_child(void)
{
	memset(kml.stacks, 0, sizeof(kml.stacks));
	scan_thread_running = false;
	epoch++; /* this thread registers its stack again */
	mutex_unlock(&kmemleak_lock);
	mutex_unlock(&scan_mutex);
}
/* kmemleak_lock is a leaf: taken after every other layer's locks. */
KMEM_FORK_HOOKS(1000, kmemleak_fork_prepare, kmemleak_fork_parent,
		kmemleak_fork_child)
