// SPDX-License-Identifier: MIT
/*
 * slab_debug: SLUB's debugging checks (the kernel's CONFIG_SLUB_DEBUG part of
 * mm/slub.c), for caches created with SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE,
 * SLAB_POISON, SLAB_STORE_USER or SLAB_TRACE, or turned on by the command
 * line (slab_debug=FZPUT, slub_debug=..., per-cache lists).
 *
 * 1. Routing. A debug cache never gets sheaves (slab_thread_prepare() is
 *    never reached for it), so its entry in every thread's table stays empty
 *    and both fast paths fall through to the slow paths, which send it here
 *    at their first test: the fast paths of other caches test nothing new.
 *    Every allocation and free of a debug cache then works on the slab
 *    freelists under the node's list_lock, as the kernel's debug caches do
 *    (alloc_single_from_partial / free_to_partial_list).
 *
 * 2. Object layout (calculate_sizes in mm/slub.c; the kernel's):
 *	[left red zone: red_left_pad]  object pointer -> [object: object_size]
 *	[right red zone to inuse] [free word if outside the object]
 *	[alloc track][free track] [orig_size for kmalloc] [padding to size]
 *    The slab's s_mem is moved past the first left red zone, so object i is
 *    s_mem + i * size and all index arithmetic is unchanged. Red zones hold
 *    0xbb while the object is free, 0xcc while it is allocated; a free
 *    object (without constructor or RCU) is poisoned 0x6b with a last byte
 *    0xa5; padding holds 0x5a. With SLAB_KMALLOC and SLAB_STORE_USER the
 *    size kmalloc was asked for is stored and the bytes between it and
 *    object_size are red zone too ("kmalloc Redzone").
 *
 * 3. Checks (F: on every allocation and free; all of them on validation):
 *    the slab's counts, the red zones and poison (check_object), the free
 *    word of free objects, a free of a pointer that is not an object start
 *    or of a free object, the freelist walk (on_freelist) that repairs a
 *    corrupt chain and the in-use count. Without F the free path still
 *    refuses invalid pointers and double frees (kmem never corrupts its
 *    lists), but the object's bytes are only checked by validation.
 *    Reports are SLUB's, word for word (slab_bug, object_err, slab_err,
 *    slab_fix, print_trailer with print_hex_dump's layout); each fixes what
 *    it reports, so the allocator goes on working.
 *
 * 4. Counting. Every report is counted where lib/slub_kunit.c's
 *    slab_add_kunit_errors() counts it: slab_err, object_err, slab_fix and
 *    check_bytes_and_report (so one overwritten red zone byte is 2 errors:
 *    the report and its fix). kmem_slab_errors() returns the total;
 *    kmem_cache_validate() runs the check of /sys/kernel/slab/<c>/validate
 *    and returns the errors it counted.
 *
 * 5. Tracks (U). At allocation and free: the stack (backtrace(), kept in a
 *    stack depot of lib/stackdepot.c, shared with page_owner: a track is 32
 *    bytes as in the kernel), the CPU, the
 *    pid and the time in jiffies (HZ = 1000 here: milliseconds since the
 *    boot). "Allocated in <caller>" names the first frame of the stack
 *    outside the allocator's entry points.
 *
 * Locking: the checks run under the cache's list_lock (mm/slub.c takes it);
 * the stack depot locks itself; the command line's
 * settings change only at boot and halt.
 */
#include <ctype.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kmem/cmdline.h>
#include <kmem/machine.h>
#include <kmem/slab_debug.h>
#include "kernel/internal.h"
#include "mm/slab.h"
#include "mm/slub_debug.h"
#include "lib/stackdepot.h"

#define SLUB_RED_INACTIVE 0xbb
#define SLUB_RED_ACTIVE 0xcc
#define POISON_INUSE 0x5a
#define POISON_FREE 0x6b
#define POISON_END 0xa5

#define DEBUG_DEFAULT_FLAGS                                      \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | \
	 SLAB_STORE_USER)

#define HZ 1000

/* ---- the command line ---------------------------------------------------- */

#define SLAB_DEBUG_STR_LEN 2048

/* What this boot's command line asked for (consumed by slab_debug_boot). */
static slab_flags_t want_flags;
static bool want_higher_order_disable;
static char want_string[SLAB_DEBUG_STR_LEN];
static bool want_string_set;

/* In force on the running machine. */
static slab_flags_t slub_debug;
static bool disable_higher_order_debug;
static char slub_debug_string[SLAB_DEBUG_STR_LEN];
static const char *slub_debug_blocks; /* NULL: no per-cache lists */

static unsigned long slab_errors;
static struct timespec boot_ts;

/*
 * One block of options ("FZ,kmalloc-*" up to a ';'): its flags, and in
 * *slabs the start of its cache list (NULL if it has none). Returns the
 * next block, or NULL.
 */
static const char *parse_block(const char *str, slab_flags_t *flags,
			       const char **slabs, bool init)
{
	bool higher_order_disable = false;

	while (*str == ';')
		str++;
	if (*str == ',') {
		/* No options, a list of caches: full debugging for them. */
		*flags = DEBUG_DEFAULT_FLAGS;
		goto check_slabs;
	}
	*flags = 0;
	for (; *str && *str != ',' && *str != ';'; str++) {
		switch (tolower((unsigned char)*str)) {
		case '-':
			*flags = 0;
			break;
		case 'f':
			*flags |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z':
			*flags |= SLAB_RED_ZONE;
			break;
		case 'p':
			*flags |= SLAB_POISON;
			break;
		case 'u':
			*flags |= SLAB_STORE_USER;
			break;
		case 't':
			*flags |= SLAB_TRACE;
			break;
		case 'a':
			*flags |= SLAB_FAILSLAB;
			break;
		case 'o':
			higher_order_disable = true;
			break;
		default:
			if (init)
				pr_err("slab_debug option '%c' unknown. skipped\n",
				       *str);
		}
	}
check_slabs:
	if (*str == ',')
		*slabs = ++str;
	else
		*slabs = NULL;
	while (*str && *str != ';')
		str++;
	while (*str == ';')
		str++;
	if (init && higher_order_disable)
		want_higher_order_disable = true;
	return *str ? str : NULL;
}

/* slab_debug[=options[,caches][;options,caches...]] (and slub_debug). */
static int setup_slab_debug(const char *val)
{
	slab_flags_t global = DEBUG_DEFAULT_FLAGS, flags;
	bool global_changed = false, list_given = false;
	const char *str, *slabs;

	want_string_set = false;
	want_higher_order_disable = false;
	if (!val || !*val)
		goto out; /* no options: full debugging of every cache */
	snprintf(want_string, sizeof(want_string), "%s", val);
	str = want_string;
	while (str) {
		str = parse_block(str, &flags, &slabs, true);
		if (!slabs) {
			global = flags;
			global_changed = true;
		} else {
			list_given = true;
		}
	}
	/* Lists only: the other caches keep the default (off). */
	if (list_given) {
		if (!global_changed)
			global = 0;
		want_string_set = true;
	}
out:
	want_flags = global;
	return 0;
}
KMEM_SETUP("slab_debug", setup_slab_debug)

static int setup_slub_debug(const char *val)
{
	return setup_slab_debug(val);
}
KMEM_SETUP("slub_debug", setup_slub_debug)

/* kmem never merges caches: slab_nomerge is what it does anyway. */
static int setup_slab_nomerge(const char *val)
{
	return val ? -EINVAL : 0;
}
KMEM_SETUP("slab_nomerge", setup_slab_nomerge)

static int setup_slub_nomerge(const char *val)
{
	return val ? -EINVAL : 0;
}
KMEM_SETUP("slub_nomerge", setup_slub_nomerge)

void slab_debug_boot(void)
{
	slub_debug = want_flags;
	disable_higher_order_debug = want_higher_order_disable;
	slub_debug_blocks = NULL;
	if (want_string_set) {
		memcpy(slub_debug_string, want_string,
		       sizeof(slub_debug_string));
		slub_debug_blocks = slub_debug_string;
	}
	/* The next boot reads its own command line. */
	want_flags = 0;
	want_higher_order_disable = false;
	want_string_set = false;
	__atomic_store_n(&slab_errors, 0, __ATOMIC_RELAXED);
	clock_gettime(CLOCK_MONOTONIC, &boot_ts);
}

void slab_debug_halt(void)
{
	slub_debug = 0;
	disable_higher_order_debug = false;
	slub_debug_blocks = NULL;
}

bool slab_debug_higher_order_disabled(void)
{
	return disable_higher_order_debug;
}

slab_flags_t kmem_cache_flags(slab_flags_t flags, const char *name)
{
	slab_flags_t local = slub_debug, block_flags;
	const char *next = slub_debug_blocks, *iter;
	size_t len;

	if (flags & SLAB_NO_USER_FLAGS)
		return flags;
	/* Caches of debugging tools do not track their users by default. */
	if (flags & SLAB_NOLEAKTRACE)
		local &= ~SLAB_STORE_USER;
	len = strlen(name);
	while (next) {
		next = parse_block(next, &block_flags, &iter, false);
		if (!iter)
			continue;
		while (*iter) {
			const char *end = strchrnul(iter, ',');
			const char *glob;
			size_t cmplen;

			if (next && next < end)
				end = next - 1;
			glob = memchr(iter, '*', (size_t)(end - iter));
			if (glob)
				cmplen = (size_t)(glob - iter);
			else
				cmplen = max(len, (size_t)(end - iter));
			if (!strncmp(name, iter, cmplen))
				return flags | block_flags;
			if (!*end || *end == ';')
				break;
			iter = end + 1;
		}
	}
	return flags | local;
}

/* ---- errors and the report's pieces -------------------------------------- */

void slab_debug_count_error(void)
{
	__atomic_add_fetch(&slab_errors, 1, __ATOMIC_RELAXED);
}

unsigned long kmem_slab_errors(void)
{
	return __atomic_load_n(&slab_errors, __ATOMIC_RELAXED);
}

static unsigned long jiffies_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)((ts.tv_sec - boot_ts.tv_sec) * HZ +
			       (ts.tv_nsec - boot_ts.tv_nsec) /
				       (1000000000L / HZ));
}

static inline char *slab_base(const struct kmem_cache *s,
			      const struct slab *slab)
{
	return (char *)slab->s_mem - s->red_left_pad;
}

static inline unsigned long slab_bytes(const struct slab *slab)
{
	return PAGE_SIZE << slab->order;
}

static inline bool freeptr_outside_object(const struct kmem_cache *s)
{
	return s->offset >= s->inuse;
}

/* The end of the object, its red zone and the free word if outside. */
static inline unsigned int get_info_end(const struct kmem_cache *s)
{
	return freeptr_outside_object(s) ?
		       s->inuse + (unsigned int)sizeof(void *) :
		       s->inuse;
}

static inline unsigned int size_from_object(const struct kmem_cache *s)
{
	return (s->flags & SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}

/* The free pointer as the kernel's get_freepointer() would show it. */
static unsigned long freepointer(const struct kmem_cache *s,
				 const struct slab *slab, void *p)
{
	void *next;

	if (slab_next_free(s, slab, p, &next))
		return (unsigned long)next;
	return free_word_read(s, p);
}

static inline bool check_valid_pointer(const struct kmem_cache *s,
				       const struct slab *slab, const void *p)
{
	return !p || slab_is_obj_start(s, slab, p);
}

/* print_hex_dump(KERN_ERR, text, DUMP_PREFIX_ADDRESS, 16, 1, addr, len, 1) */
static void print_section(const char *text, const u8 *addr, unsigned int length)
{
	unsigned int off, i;

	for (off = 0; off < length; off += 16) {
		unsigned int n = min(16u, length - off);
		char line[80];
		int l = 0;

		for (i = 0; i < n; i++)
			l += snprintf(line + l, sizeof(line) - (size_t)l,
				      "%s%02x", i ? " " : "", addr[off + i]);
		while (l < 49)
			line[l++] = ' ';
		for (i = 0; i < n; i++) {
			u8 c = addr[off + i];

			line[l++] = c < 0x80 && isprint(c) ? (char)c : '.';
		}
		line[l] = '\0';
		pr_err("%s%016lx: %s\n", text, (unsigned long)(addr + off),
		       line);
	}
}

static void slab_bug(struct kmem_cache *s, const char *fmt, ...)
{
	char buf[160];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	pr_err("=============================================================================\n");
	pr_err("BUG %s (Not tainted): %s\n", s->name, buf);
	pr_err("-----------------------------------------------------------------------------\n");
	pr_err("\n");
}

static void slab_fix(struct kmem_cache *s, const char *fmt, ...)
{
	char buf[160];
	va_list args;

	slab_debug_count_error();
	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	pr_err("FIX %s: %s\n", s->name, buf);
}

static void print_slab_info(const struct slab *slab)
{
	pr_err("Slab 0x%lx objects=%u used=%u fp=0x%lx flags=%#lx\n",
	       (unsigned long)slab, slab->objects, slab->inuse,
	       (unsigned long)slab->freelist,
	       slab->__page_flags & ((1UL << 32) - 1));
}

/* ---- tracks and the stack depot ------------------------------------------- */

#define TRACK_FRAMES STACK_DEPOT_FRAMES

enum track_item { TRACK_ALLOC, TRACK_FREE };

/* 32 bytes, as the kernel's struct track with a stack depot handle. */
struct track {
	unsigned long addr;	     /* 0: never set */
	depot_stack_handle_t handle; /* 0: no stack */
	int cpu;
	int pid;
	unsigned int __pad;
	unsigned long when; /* jiffies */
};
_Static_assert(sizeof(struct track) == 32, "TRACK_SIZE in mm/slub.c");

static inline struct track *get_track(struct kmem_cache *s, void *object,
				      enum track_item alloc)
{
	return (struct track *)((char *)object + get_info_end(s)) + alloc;
}

static noinline void set_track(struct kmem_cache *s, void *object,
			       enum track_item alloc)
{
	struct track *t = get_track(s, object, alloc);
	void *frames[TRACK_FRAMES + 1];
	int n = backtrace(frames, TRACK_FRAMES + 1);
	struct track tr;

	memset(&tr, 0, sizeof(tr));
	if (n > 1) {
		tr.addr = (unsigned long)frames[1];
		tr.handle = stack_depot_save(frames + 1, (unsigned int)(n - 1));
	} else {
		tr.addr = (unsigned long)__builtin_return_address(0);
	}
	tr.cpu = raw_smp_processor_id();
	tr.pid = kmem_current_pid();
	tr.when = jiffies_now();
	memcpy(t, &tr, sizeof(tr));
}

static void init_tracking(struct kmem_cache *s, void *object)
{
	if (s->flags & SLAB_STORE_USER)
		memset(get_track(s, object, TRACK_ALLOC), 0,
		       2 * sizeof(struct track));
}

/* A frame inside the allocator's entry points (not the caller). */
static bool allocator_frame(const char *sym)
{
	static const char *const prefixes[] = {
		"slab_",      "__slab",	     "kmalloc",	     "__kmalloc",
		"___kmalloc", "kmem_cache_", "__kmem_cache", "kfree",
		"krealloc",   "kzalloc",     "kcalloc",	     "kmemdup",
		"kstrdup",    "kstrndup",    "kvmalloc",     "kvfree",
		"kvrealloc",  "kvzalloc",    "kvcalloc",     "should_failslab",
		"set_track",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(sym, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static void print_track(const char *what, const struct track *t,
			unsigned long now)
{
	void **frames = NULL;
	const void *caller = (const void *)t->addr;
	char sym[256];
	unsigned int i, nr = 0;

	if (!t->addr)
		return;
	nr = stack_depot_fetch(t->handle, &frames);
	if (nr) {
		/* The caller: the frame after the first run of allocator
		 * frames (before it: set_track and, under a sanitizer, its
		 * interceptor of backtrace(), which have no symbol). */
		bool in_run = false;

		for (i = 0; i < nr; i++) {
			bool alloc_frame;

			kmem_symbolize(frames[i], sym, sizeof(sym));
			alloc_frame = allocator_frame(sym);
			if (alloc_frame)
				in_run = true;
			else if (in_run)
				break;
		}
		if (in_run && i < nr)
			caller = frames[i];
	}
	pr_err("INFO: %s in %s age=%lu cpu=%d pid=%d\n", what,
	       kmem_symbolize(caller, sym, sizeof(sym)), now - t->when, t->cpu,
	       t->pid);
	if (!nr) {
		pr_err("object allocation/free stack trace missing\n");
		return;
	}
	for (i = 0; i < nr; i++)
		pr_err(" %s\n", kmem_symbolize(frames[i], sym, sizeof(sym)));
}

static void print_tracking(struct kmem_cache *s, void *object)
{
	unsigned long now = jiffies_now();

	if (!(s->flags & SLAB_STORE_USER))
		return;
	print_track("Allocated", get_track(s, object, TRACK_ALLOC), now);
	print_track("Freed", get_track(s, object, TRACK_FREE), now);
}

void slab_debug_print_tracking(struct kmem_cache *s, void *object)
{
	if (kmem_cache_debug(s))
		print_tracking(s, object);
}

static inline unsigned int *orig_size_word(struct kmem_cache *s, void *object)
{
	return (unsigned int *)((char *)object + get_info_end(s) +
				2 * sizeof(struct track));
}

static void set_orig_size(struct kmem_cache *s, void *object,
			  unsigned int orig_size)
{
	if (slub_debug_orig_size(s))
		memcpy(orig_size_word(s, object), &orig_size,
		       sizeof(orig_size));
}

static unsigned int get_orig_size(struct kmem_cache *s, void *object)
{
	unsigned int v;

	if (!slub_debug_orig_size(s))
		return s->object_size;
	memcpy(&v, orig_size_word(s, object), sizeof(v));
	return v && v <= s->object_size ? v : s->object_size;
}

/* ---- reports ----------------------------------------------------------------- */

static void print_trailer(struct kmem_cache *s, struct slab *slab, u8 *p)
{
	u8 *addr = (u8 *)slab_base(s, slab);
	unsigned int off;

	print_tracking(s, p);
	print_slab_info(slab);
	pr_err("Object 0x%lx @offset=%lu fp=0x%lx\n", (unsigned long)p,
	       (unsigned long)(p - addr), freepointer(s, slab, p));
	pr_err("\n");
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p - s->red_left_pad,
			      s->red_left_pad);
	else if (p > addr + 16)
		print_section("Bytes b4 ", p - 16, 16);
	print_section("Object   ", p,
		      min(s->object_size, (unsigned int)PAGE_SIZE));
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p + s->object_size,
			      s->inuse - s->object_size);
	off = get_info_end(s);
	if (s->flags & SLAB_STORE_USER)
		off += 2 * (unsigned int)sizeof(struct track);
	if (slub_debug_orig_size(s))
		off += (unsigned int)sizeof(unsigned int);
	if (off != size_from_object(s))
		/* Beginning of the filler is the free pointer */
		print_section("Padding  ", p + off, size_from_object(s) - off);
	dump_stack();
}

static void object_err(struct kmem_cache *s, struct slab *slab, void *object,
		       const char *reason)
{
	slab_debug_count_error();
	slab_bug(s, "%s", reason);
	print_trailer(s, slab, object);
}

static void slab_err(struct kmem_cache *s, struct slab *slab, const char *fmt,
		     ...)
{
	char buf[160];
	va_list args;

	slab_debug_count_error();
	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	slab_bug(s, "%s", buf);
	print_slab_info(slab);
	dump_stack();
}

static void init_object(struct kmem_cache *s, void *object, u8 val)
{
	u8 *p = object;
	unsigned int poison_size = s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		memset(p - s->red_left_pad, val, s->red_left_pad);
		/* kmalloc: what was not asked for is red zone too. */
		if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE)
			poison_size = get_orig_size(s, object);
	}
	if (s->flags & __OBJECT_POISON) {
		memset(p, POISON_FREE, poison_size - 1);
		p[poison_size - 1] = POISON_END;
	}
	if (s->flags & SLAB_RED_ZONE)
		memset(p + poison_size, val, s->inuse - poison_size);
}

static void restore_bytes(struct kmem_cache *s, const char *message, u8 data,
			  u8 *from, u8 *to)
{
	slab_fix(s, "Restoring %s 0x%lx-0x%lx=0x%x", message,
		 (unsigned long)from, (unsigned long)(to - 1), data);
	memset(from, data, (size_t)(to - from));
}

static const u8 *memchr_inv(const u8 *p, u8 c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return p + i;
	return NULL;
}

static int check_bytes_and_report(struct kmem_cache *s, struct slab *slab,
				  u8 *object, const char *what, u8 *start,
				  u8 value, unsigned int bytes)
{
	u8 *addr = (u8 *)slab_base(s, slab);
	u8 *fault, *end;

	fault = (u8 *)memchr_inv(start, value, bytes);
	if (!fault)
		return 1;
	end = start + bytes;
	while (end > fault && end[-1] == value)
		end--;
	slab_debug_count_error();
	slab_bug(s, "%s overwritten", what);
	pr_err("INFO: 0x%lx-0x%lx @offset=%lu. First byte 0x%x instead of 0x%x\n",
	       (unsigned long)fault, (unsigned long)(end - 1),
	       (unsigned long)(fault - addr), fault[0], value);
	print_trailer(s, slab, object);
	restore_bytes(s, what, value, fault, end);
	return 0;
}

static int check_pad_bytes(struct kmem_cache *s, struct slab *slab, u8 *p)
{
	unsigned int off = get_info_end(s);

	if (s->flags & SLAB_STORE_USER) {
		off += 2 * (unsigned int)sizeof(struct track);
		if (s->flags & SLAB_KMALLOC)
			off += (unsigned int)sizeof(unsigned int);
	}
	if (size_from_object(s) == off)
		return 1;
	return check_bytes_and_report(s, slab, p, "Object padding", p + off,
				      POISON_INUSE, size_from_object(s) - off);
}

/* The bytes after the last object of a slab (SLAB_POISON). */
static void slab_pad_check(struct kmem_cache *s, struct slab *slab)
{
	u8 *start, *end, *pad, *fault;
	unsigned int length, remainder;

	if (!(s->flags & SLAB_POISON))
		return;
	start = (u8 *)slab_base(s, slab);
	length = (unsigned int)slab_bytes(slab);
	end = start + length;
	remainder = length % s->size;
	if (!remainder)
		return;
	pad = end - remainder;
	fault = (u8 *)memchr_inv(pad, POISON_INUSE, remainder);
	if (!fault)
		return;
	while (end > fault && end[-1] == POISON_INUSE)
		end--;
	slab_err(s, slab, "Padding overwritten. 0x%lx-0x%lx @offset=%lu",
		 (unsigned long)fault, (unsigned long)(end - 1),
		 (unsigned long)(fault - start));
	print_section("Padding ", pad, remainder);
	restore_bytes(s, "slab padding", POISON_INUSE, fault, end);
}

/* Is the free word of p what it should be? A free object's must be a link
 * of this slab; an allocated object's (when it lies outside the object)
 * 0, as allocation writes it, or a link (orphaned by a cut freelist). */
static bool free_word_valid(struct kmem_cache *s, struct slab *slab, void *p,
			    u8 val)
{
	void *next;

	if (val == SLUB_RED_ACTIVE && free_word_read(s, p) == 0)
		return true;
	return slab_next_free(s, slab, p, &next);
}

static int check_object(struct kmem_cache *s, struct slab *slab, void *object,
			u8 val)
{
	u8 *p = object, *endobject = p + s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		if (!check_bytes_and_report(s, slab, object, "Left Redzone",
					    p - s->red_left_pad, val,
					    s->red_left_pad))
			return 0;
		if (!check_bytes_and_report(s, slab, object, "Right Redzone",
					    endobject, val,
					    s->inuse - s->object_size))
			return 0;
		if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE) {
			unsigned int orig_size = get_orig_size(s, object);

			if (s->object_size > orig_size &&
			    !check_bytes_and_report(s, slab, object,
						    "kmalloc Redzone",
						    p + orig_size, val,
						    s->object_size - orig_size))
				return 0;
		}
	} else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
		check_bytes_and_report(s, slab, p, "Alignment padding",
				       endobject, POISON_INUSE,
				       s->inuse - s->object_size);
	}
	if (s->flags & SLAB_POISON) {
		if (val != SLUB_RED_ACTIVE && (s->flags & __OBJECT_POISON)) {
			if (!check_bytes_and_report(s, slab, p, "Poison", p,
						    POISON_FREE,
						    s->object_size - 1))
				return 0;
			if (!check_bytes_and_report(s, slab, p, "End Poison",
						    p + s->object_size - 1,
						    POISON_END, 1))
				return 0;
		}
		/* check_pad_bytes cleans up on its own. */
		check_pad_bytes(s, slab, p);
	}
	if (!freeptr_outside_object(s) && val == SLUB_RED_ACTIVE)
		/* The free word is the user's while the object is in use. */
		return 1;
	if (!free_word_valid(s, slab, p, val)) {
		object_err(s, slab, p, "Freepointer corrupt");
		/* No choice but to cut the freelist here: the free objects
		 * after it are lost (and counted wrong, reported next). */
		if (val == SLUB_RED_ACTIVE)
			free_word_write(s, p, 0);
		else
			slab_set_next_free(s, slab, p, NULL);
		return 0;
	}
	return 1;
}

static int check_slab(struct kmem_cache *s, struct slab *slab)
{
	unsigned int maxobj = (unsigned int)(slab_bytes(slab) / s->size);

	if (slab->objects > maxobj) {
		slab_err(s, slab, "objects %u > max %u", slab->objects, maxobj);
		return 0;
	}
	if (slab->inuse > slab->objects) {
		slab_err(s, slab, "inuse %u > max %u", slab->inuse,
			 slab->objects);
		return 0;
	}
	/* slab_pad_check fixes things up after itself */
	slab_pad_check(s, slab);
	return 1;
}

/*
 * Is `search` on the freelist of `slab` (NULL: just walk it)? A link that
 * is not one of this slab ends the walk: the list is cut there ("Freechain
 * corrupt"); then the in-use count is checked against the walk and fixed.
 */
static int on_freelist(struct kmem_cache *s, struct slab *slab, void *search)
{
	unsigned int nr = 0, max_objects;
	void *fp = slab->freelist, *next;

	while (fp && nr <= slab->objects) {
		if (fp == search)
			return 1;
		nr++;
		if (!slab_next_free(s, slab, fp, &next)) {
			object_err(s, slab, fp, "Freechain corrupt");
			slab_set_next_free(s, slab, fp, NULL);
			break;
		}
		if (nr >= slab->objects && next) {
			/* A cycle: longer than the slab. */
			object_err(s, slab, fp, "Freechain corrupt");
			slab_set_next_free(s, slab, fp, NULL);
			break;
		}
		fp = next;
	}
	max_objects = (unsigned int)(slab_bytes(slab) / s->size);
	if (slab->objects != max_objects) {
		slab_err(s, slab,
			 "Wrong number of objects. Found %d but should be %d",
			 slab->objects, max_objects);
		slab->objects = (unsigned short)max_objects;
		slab_fix(s, "Number of objects adjusted");
	}
	if (slab->inuse != slab->objects - nr) {
		slab_err(
			s, slab,
			"Wrong object count. Counter is %d but counted were %d",
			slab->inuse, slab->objects - nr);
		slab->inuse = (unsigned short)(slab->objects - nr);
		slab_fix(s, "Object count adjusted");
	}
	return search == NULL;
}

static void trace(struct kmem_cache *s, struct slab *slab, void *object,
		  int alloc)
{
	if (!(s->flags & SLAB_TRACE))
		return;
	pr_info("TRACE %s %s 0x%lx inuse=%d fp=0x%lx\n", s->name,
		alloc ? "alloc" : "free", (unsigned long)object, slab->inuse,
		(unsigned long)slab->freelist);
	if (!alloc)
		print_section("Object ", object, s->object_size);
	dump_stack();
}

/* ---- the core's hooks -------------------------------------------------------- */

void slab_debug_init_slab(struct kmem_cache *s, struct slab *slab)
{
	unsigned int i;

	if (s->flags & SLAB_POISON)
		memset(slab_base(s, slab), POISON_INUSE, slab_bytes(slab));
	if (!(s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE | __OBJECT_POISON)))
		return;
	for (i = 0; i < slab->objects; i++) {
		void *p = (char *)slab->s_mem + (size_t)i * s->size;

		init_object(s, p, SLUB_RED_INACTIVE);
		init_tracking(s, p);
	}
}

void slab_debug_free_slab(struct kmem_cache *s, struct slab *slab)
{
	unsigned int i;

	if (!(s->flags & SLAB_CONSISTENCY_CHECKS))
		return;
	slab_pad_check(s, slab);
	for (i = 0; i < slab->objects; i++)
		check_object(s, slab, (char *)slab->s_mem + (size_t)i * s->size,
			     SLUB_RED_INACTIVE);
}

bool slab_debug_alloc_checks(struct kmem_cache *s, struct slab *slab,
			     void *object, unsigned int orig_size)
{
	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		if (!check_slab(s, slab))
			goto bad;
		if (!check_valid_pointer(s, slab, object)) {
			object_err(s, slab, object,
				   "Freelist Pointer check fails");
			goto bad;
		}
		if (!check_object(s, slab, object, SLUB_RED_INACTIVE))
			goto bad;
	}
	trace(s, slab, object, 1);
	set_orig_size(s, object, orig_size);
	init_object(s, object, SLUB_RED_ACTIVE);
	return true;
bad:
	/* Mark every object used: nothing more is taken from this slab. */
	slab_fix(s, "Marking all objects used");
	slab->inuse = slab->objects;
	slab->freelist = NULL;
	return false;
}

void slab_debug_alloc_done(struct kmem_cache *s, void *object)
{
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, TRACK_ALLOC);
}

bool slab_debug_free_checks(struct kmem_cache *s, struct slab *slab,
			    void *object)
{
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !check_slab(s, slab))
		goto fail;
	if (!slab->inuse) {
		slab_err(s, slab,
			 "Slab has %d allocated objects but %d are to be freed",
			 slab->inuse, 1);
		goto fail;
	}
	/* Always, F or not: kmem never puts a bad pointer on a freelist. */
	if (!check_valid_pointer(s, slab, object)) {
		slab_err(s, slab, "Invalid object pointer 0x%lx",
			 (unsigned long)object);
		goto fail;
	}
	if (on_freelist(s, slab, object)) {
		object_err(s, slab, object, "Object already free");
		goto fail;
	}
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) &&
	    !check_object(s, slab, object, SLUB_RED_ACTIVE))
		goto fail;
	if (s->init_on_free) /* after the checks: they read the bytes */
		memset(object, 0, s->object_size);
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, TRACK_FREE);
	trace(s, slab, object, 0);
	init_object(s, object, SLUB_RED_INACTIVE);
	return true;
fail:
	slab_fix(s, "Object at 0x%lx not freed", (unsigned long)object);
	return false;
}

void slab_debug_validate_slab(struct kmem_cache *s, struct slab *slab)
{
	unsigned char *is_free;
	unsigned int i;
	void *p, *next;

	if (!check_slab(s, slab) || !on_freelist(s, slab, NULL))
		return;
	/* Now we know that a valid freelist exists */
	is_free = calloc(slab->objects, 1);
	if (!is_free)
		return;
	for (p = slab->freelist; p; p = next) {
		is_free[slab_obj_index(s, slab, p)] = 1;
		if (!slab_next_free(s, slab, p, &next))
			break;
	}
	for (i = 0; i < slab->objects; i++) {
		p = (char *)slab->s_mem + (size_t)i * s->size;
		if (!check_object(s, slab, p,
				  is_free[i] ? SLUB_RED_INACTIVE :
					       SLUB_RED_ACTIVE))
			break;
	}
	free(is_free);
}

void slab_debug_krealloc(struct kmem_cache *s, void *object, size_t new_size,
			 gfp_t flags)
{
	unsigned int ks = s->object_size, orig = get_orig_size(s, object);
	u8 *p = object;

	if (flags & __GFP_ZERO) {
		if (orig < new_size)
			memset(p + orig, 0, new_size - orig);
		else
			memset(p + new_size, 0, ks - new_size);
	}
	set_orig_size(s, object, (unsigned int)new_size);
	if ((s->flags & SLAB_RED_ZONE) && new_size < ks)
		memset(p + new_size, SLUB_RED_ACTIVE, ks - new_size);
}

unsigned int slab_debug_orig_size_of(struct kmem_cache *s, const void *object)
{
	return get_orig_size(s, (void *)object);
}

void slab_debug_ksize(struct kmem_cache *s, void *object)
{
	set_orig_size(s, object, s->object_size);
}

/* ---- the API ------------------------------------------------------------------ */

int kmem_cache_validate(struct kmem_cache *s)
{
	unsigned long before;

	if (!s || slab_cache_dead(s) || !kmem_cache_debug(s))
		return -EINVAL;
	before = kmem_slab_errors();
	slab_debug_validate_cache(s);
	return (int)(kmem_slab_errors() - before);
}
