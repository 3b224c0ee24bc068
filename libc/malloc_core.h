/* SPDX-License-Identifier: MIT */
/*
 * The malloc core: glibc 2.36's algorithm (ptmalloc2), compiled twice with
 * the layout of the process's C library. libc/malloc.c includes it with
 * SIZE_SZ 8 (x86-64: 8-byte header words, host pointers in the links: the
 * fast path is a plain load), libc/malloc32.c with SIZE_SZ 4 (glibc i386 on
 * an x86-32 machine: 4-byte header words and links holding the process's
 * 32-bit user addresses, converted to host pointers through the base of the
 * process's one host window). Every number that follows from SIZE_SZ is
 * glibc's formula with it (see the table in docs/ARCHITECTURE.md).
 *
 * A chunk is named by an mchunkptr (x86-64: a host pointer; i386: a user
 * address); CH(p) is the struct to access, C2H(p) its host address, H2C(h)
 * the chunk at a host address. The rest is the algorithm of libc/malloc.c's
 * theory comment, unchanged between the two builds.
 */
#ifndef SIZE_SZ
#error "define SIZE_SZ (8: x86-64, 4: i386) before including malloc_core.h"
#endif

/*
 * glibc updates some malloc_par fields without a lock (the dynamic mmap
 * threshold in free, the mmap counters and their maxima): benign races by
 * design. Relaxed atomics declare them, for ThreadSanitizer and for C11.
 */
#define mp_get(f) __atomic_load_n(&L->mp.f, __ATOMIC_RELAXED)
#define mp_set(f, v) __atomic_store_n(&L->mp.f, (v), __ATOMIC_RELAXED)

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGESIZE 4096UL
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((a)-1))

#if SIZE_SZ == 8
typedef size_t uword; /* INTERNAL_SIZE_T */
typedef struct chunk *mchunkptr;
#define CH(p) (p)
#define C2H(p) ((char *)(p))
#define H2C(h) ((mchunkptr)(h))
#define UADDR(h) ((size_t)(h))
#define TCACHE_T tcache64
#define TCF tcache
#define MC_PTRDIFF_MAX PTRDIFF_MAX
#define MC_SIZE_MAX SIZE_MAX
/* 4 MiB x sizeof(long) on 64-bit */
#define DEFAULT_MMAP_THRESHOLD_MAX (4 * 1024 * 1024 * 8UL)
#define MALLOC_ALIGNMENT 16UL /* 2 x SIZE_SZ */
#else
typedef uint32_t uword;
typedef uint32_t mchunkptr; /* the chunk's user address */
#define UBASE kmem_libc_ubase
#define CH(p) ((struct chunk *)(UBASE + (p)))
#define C2H(p) (UBASE + (p))
#define H2C(h) ((mchunkptr)((char *)(h)-UBASE))
#define UADDR(h) ((uint32_t)((char *)(h)-UBASE))
#define TCACHE_T tcache32
#define TCF tcache32
#define MC_PTRDIFF_MAX INT32_MAX
#define MC_SIZE_MAX UINT32_MAX
#define DEFAULT_MMAP_THRESHOLD_MAX (512 * 1024UL) /* __WORDSIZE == 32 */
#define MALLOC_ALIGNMENT 16UL /* sysdeps/i386/malloc-alignment.h */
#endif

#define MALLOC_ALIGN_MASK (MALLOC_ALIGNMENT - 1)
#define CHUNK_HDR_SZ (2 * SIZE_SZ)
#define MIN_CHUNK_SIZE (4 * SIZE_SZ) /* offsetof(struct chunk, fd_nextsize) */
#define MINSIZE ((MIN_CHUNK_SIZE + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK)

#define PREV_INUSE 0x1UL
#define IS_MMAPPED 0x2UL
#define NON_MAIN_ARENA 0x4UL
#define SIZE_BITS (PREV_INUSE | IS_MMAPPED | NON_MAIN_ARENA)

#define DEFAULT_TOP_PAD (128 * 1024UL)
#define DEFAULT_MMAP_THRESHOLD (128 * 1024UL)
#define DEFAULT_TRIM_THRESHOLD (128 * 1024UL)
#define DEFAULT_MMAP_MAX 65536
#define HEAP_MIN_SIZE (32 * 1024UL)
#define HEAP_MAX_SIZE (2 * DEFAULT_MMAP_THRESHOLD_MAX)
#define MMAP_AS_MORECORE_SIZE (1024 * 1024UL)
#define FASTBIN_CONSOLIDATION_THRESHOLD 65536UL
#define NARENAS_FROM_NCORES(n) ((n) * (SIZE_SZ == 4 ? 2 : 8))

#define NBINS 128
#define NSMALLBINS 64
#define SMALLBIN_WIDTH MALLOC_ALIGNMENT
#define SMALLBIN_CORRECTION (MALLOC_ALIGNMENT > CHUNK_HDR_SZ)
#define MIN_LARGE_SIZE ((NSMALLBINS - SMALLBIN_CORRECTION) * SMALLBIN_WIDTH)
#define BINMAPSHIFT 5
#define BITSPERMAP (1U << BINMAPSHIFT)
#define BINMAPSIZE (NBINS / BITSPERMAP)
#define MAX_FAST_SIZE (80 * SIZE_SZ / 4)
#define DEFAULT_MXFAST (64 * SIZE_SZ / 4)

#define TCACHE_MAX_BINS 64
#define TCACHE_FILL_COUNT 7
#define MAX_TCACHE_COUNT UINT16_MAX
#define tidx2usize(idx) (((size_t)(idx)) * MALLOC_ALIGNMENT + MINSIZE - SIZE_SZ)
#define MAX_TCACHE_SIZE tidx2usize(TCACHE_MAX_BINS - 1)
#define csize2tidx(x) (((x)-MINSIZE + MALLOC_ALIGNMENT - 1) / MALLOC_ALIGNMENT)

struct chunk {
	uword prev_size;
	uword size;
	mchunkptr fd, bk;
	mchunkptr fd_nextsize, bk_nextsize; /* large free chunks only */
};

#define request2size(req)                                  \
	(((req) + SIZE_SZ + MALLOC_ALIGN_MASK < MINSIZE) ? \
		 MINSIZE :                                 \
		 ((req) + SIZE_SZ + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK)
#define fastbin_index(sz) ((((unsigned int)(sz)) >> (SIZE_SZ == 8 ? 4 : 3)) - 2)
#define NFASTBINS (fastbin_index(request2size(MAX_FAST_SIZE)) + 1)

struct mstate {
	pthread_mutex_t mutex;
	int flags;
	int have_fastchunks; /* set without the lock by free: relaxed atomics */
	mchunkptr fastbinsY[NFASTBINS];
	mchunkptr top;
	mchunkptr last_remainder;
	mchunkptr bins[NBINS * 2 - 2];
	unsigned int binmap[BINMAPSIZE];
	struct mstate *next;
	struct mstate *next_free;
	size_t attached_threads;
	size_t system_mem;
	size_t max_system_mem;
};
typedef struct mstate *mstate;

#define NONCONTIGUOUS_BIT 2
#define contiguous(M) (((M)->flags & NONCONTIGUOUS_BIT) == 0)
#define set_noncontiguous(M) ((M)->flags |= NONCONTIGUOUS_BIT)

/* A non-main arena's heap: at the start of its HEAP_MAX_SIZE region; the
 * pad makes sizeof(heap_info) + 2 * SIZE_SZ a multiple of MALLOC_ALIGNMENT. */
struct heap_info {
	mstate ar_ptr;
	struct heap_info *prev;
	uword size;	     /* current size in bytes */
	uword mprotect_size; /* size made read-write */
	uword pagesize;
	char pad[(-(2 * sizeof(void *) + 5 * SIZE_SZ)) & MALLOC_ALIGN_MASK];
};

#if SIZE_SZ == 8
typedef struct tcache_entry *tlink;
#define TE(u) (u)
#define TU(e) (e)
#else
typedef uint32_t tlink;	    /* user address of the entry, 0 for none */
#define TE(u) ((u) ? (struct tcache_entry *)(UBASE + (u)) : NULL)
#define TU(e) UADDR(e)
#endif

struct tcache_entry {
	tlink next;
	uword key; /* tcache_key while the chunk is in a tcache */
};

struct TCACHE_T {
	uint16_t counts[TCACHE_MAX_BINS];
	tlink entries[TCACHE_MAX_BINS];
};

struct malloc_par {
	unsigned long trim_threshold;
	size_t top_pad;
	size_t mmap_threshold;
	size_t arena_test;
	size_t arena_max;
	int n_mmaps;
	int n_mmaps_max;
	int max_n_mmaps;
	int no_dyn_threshold;
	size_t mmapped_mem;
	size_t max_mmapped_mem;
	char *sbrk_base;
	size_t tcache_bins;
	size_t tcache_max_bytes;
	size_t tcache_count;
	size_t tcache_unsorted_limit;
};

/* The process's libc data (see the top of libc/malloc.c). */
struct libc {
	struct libc_hdr h;
	int perturb_byte;
	size_t global_max_fast;
	uword tcache_key;
	struct malloc_par mp;
	pthread_mutex_t list_lock;
	pthread_mutex_t free_list_lock;
	mstate free_list;
	size_t narenas;
	size_t narenas_limit;
	mstate next_to_use;
	char *aligned_heap_area;
	struct mstate main_arena;
};

_Static_assert(sizeof(struct libc) <= LIBC_DATA_SIZE, "libc data page");
#if SIZE_SZ == 4
_Static_assert(sizeof(struct chunk) == 24 && MINSIZE == 16 &&
		       sizeof(struct TCACHE_T) == 384 &&
		       sizeof(struct heap_info) + 2 * SIZE_SZ == 48,
	       "glibc i386 layout");
#endif

#define LIBC(c) ((struct libc *)(c)->L)

/* ---- chunk arithmetic ------------------------------------------------------------ */

#define chunk2mem(p) ((void *)(C2H(p) + CHUNK_HDR_SZ))
#define mem2chunk(mem) H2C((char *)(mem)-CHUNK_HDR_SZ)
#define misaligned_chunk(p) ((uintptr_t)chunk2mem(p) & MALLOC_ALIGN_MASK)
#define aligned_OK(m) (((unsigned long)(m)&MALLOC_ALIGN_MASK) == 0)

static inline bool checked_request2size(size_t req, size_t *sz)
{
	if (unlikely(req > MC_PTRDIFF_MAX))
		return false;
	*sz = request2size(req);
	return true;
}

/*
 * The size word of a chunk is read without the arena lock by the thread that
 * frees it (glibc's free looks at IS_MMAPPED and the size before locking)
 * while another thread, holding the lock, may flip its PREV_INUSE bit when it
 * frees or allocates the chunk below. A benign race by glibc's design: the
 * word is read and written with relaxed atomics (plain moves on x86), so it
 * is a declared one.
 */
/* An arena's system_mem changes under its lock but is read without it by
 * free's fastbin checks, as in glibc: relaxed atomics on both sides. */
#define sysmem_set(a, v) \
	__atomic_store_n(&(a)->system_mem, (v), __ATOMIC_RELAXED)
#define sysmem_peek(a) __atomic_load_n(&(a)->system_mem, __ATOMIC_RELAXED)
#define size_get(p) ((size_t)__atomic_load_n(&CH(p)->size, __ATOMIC_RELAXED))
#define size_put(p, v) \
	__atomic_store_n(&CH(p)->size, (uword)(v), __ATOMIC_RELAXED)
#define prev_inuse(p) (size_get(p) & PREV_INUSE)
#define chunk_is_mmapped(p) (size_get(p) & IS_MMAPPED)
#define chunk_main_arena(p) ((size_get(p) & NON_MAIN_ARENA) == 0)
#define set_non_main_arena(p) size_put(p, size_get(p) | NON_MAIN_ARENA)
#define chunksize_nomask(p) size_get(p)
#define chunksize(p) (chunksize_nomask(p) & ~SIZE_BITS)
#if SIZE_SZ == 8
#define chunk_at_offset(p, s) ((mchunkptr)(((char *)(p)) + (s)))
#else
#define chunk_at_offset(p, s) ((mchunkptr)((p) + (s)))
#endif
/* A chunk at a host address plus an offset. */
#define chunk_at_offset_h(h, s) H2C((char *)(h) + (s))
#define next_chunk(p) chunk_at_offset(p, chunksize(p))
#define prev_chunk(p) chunk_at_offset(p, -(long)CH(p)->prev_size)
#define inuse(p) (size_get(chunk_at_offset(p, chunksize(p))) & PREV_INUSE)
#define set_inuse(p) set_inuse_bit_at_offset(p, chunksize(p))
#define inuse_bit_at_offset(p, s) (size_get(chunk_at_offset(p, s)) & PREV_INUSE)
#define set_inuse_bit_at_offset(p, s)   \
	size_put(chunk_at_offset(p, s), \
		 size_get(chunk_at_offset(p, s)) | PREV_INUSE)
#define clear_inuse_bit_at_offset(p, s) \
	size_put(chunk_at_offset(p, s), \
		 size_get(chunk_at_offset(p, s)) & ~PREV_INUSE)
#define set_head_size(p, s) size_put(p, (size_get(p) & SIZE_BITS) | (s))
#define set_head(p, s) size_put(p, (s))
#define set_foot(p, s) (CH(chunk_at_offset(p, s))->prev_size = (uword)(s))

/* Safe-linking of the singly-linked lists (tcache, fastbins): the link is
 * xored with the (user) address of where it is stored, shifted by 12. */
#define PROTECT_PTR(pos, ptr) \
	((__typeof(ptr))((UADDR(pos) >> 12) ^ ((uword)(uintptr_t)(ptr))))
#define REVEAL_PTR(ptr) PROTECT_PTR(&ptr, ptr)

#define bin_at(m, i) \
	H2C((char *)&((m)->bins[((i)-1) * 2]) - offsetof(struct chunk, fd))
#define next_bin(b) chunk_at_offset(b, sizeof(mchunkptr) << 1)
#define first(b) (CH((b))->fd)
#define last(b) (CH((b))->bk)
#define unsorted_chunks(M) (bin_at(M, 1))
#define initial_top(M) (unsorted_chunks(M))

#define in_smallbin_range(sz) \
	((unsigned long)(sz) < (unsigned long)MIN_LARGE_SIZE)
#define smallbin_index(sz) ((((unsigned)(sz)) >> 4) + SMALLBIN_CORRECTION)
#if SIZE_SZ == 8
#define largebin_index(sz)                             \
	(((((unsigned long)(sz)) >> 6) <= 48) ?        \
		 48 + (((unsigned long)(sz)) >> 6) :   \
	 ((((unsigned long)(sz)) >> 9) <= 20) ?        \
		 91 + (((unsigned long)(sz)) >> 9) :   \
	 ((((unsigned long)(sz)) >> 12) <= 10) ?       \
		 110 + (((unsigned long)(sz)) >> 12) : \
	 ((((unsigned long)(sz)) >> 15) <= 4) ?        \
		 119 + (((unsigned long)(sz)) >> 15) : \
	 ((((unsigned long)(sz)) >> 18) <= 2) ?        \
		 124 + (((unsigned long)(sz)) >> 18) : \
		 126)
#else
			    /* glibc's largebin_index_32_big: 32-bit with MALLOC_ALIGNMENT 16. */
#define largebin_index(sz)                             \
	(((((unsigned long)(sz)) >> 6) <= 45) ?        \
		 49 + (((unsigned long)(sz)) >> 6) :   \
	 ((((unsigned long)(sz)) >> 9) <= 20) ?        \
		 91 + (((unsigned long)(sz)) >> 9) :   \
	 ((((unsigned long)(sz)) >> 12) <= 10) ?       \
		 110 + (((unsigned long)(sz)) >> 12) : \
	 ((((unsigned long)(sz)) >> 15) <= 4) ?        \
		 119 + (((unsigned long)(sz)) >> 15) : \
	 ((((unsigned long)(sz)) >> 18) <= 2) ?        \
		 124 + (((unsigned long)(sz)) >> 18) : \
		 126)
#endif
#define bin_index(sz) \
	(in_smallbin_range(sz) ? smallbin_index(sz) : largebin_index(sz))

#define idx2block(i) ((i) >> BINMAPSHIFT)
#define idx2bit(i) ((1U << ((i) & ((1U << BINMAPSHIFT) - 1))))
#define mark_bin(m, i) ((m)->binmap[idx2block(i)] |= idx2bit(i))

#define fastbin(ar_ptr, idx) ((ar_ptr)->fastbinsY[idx])
/*
 * A fastbin's head is pushed by free() without the arena lock (a CAS) while
 * malloc, holding the lock, peeks at it before its own CAS, and the
 * single-threaded paths and the statistics read and write it plainly in
 * glibc: all of these are declared atomics here (plain moves on x86). A peek
 * is an acquire, pairing with the push's release, so that the chunk's fd
 * (written by the freeing thread before its push) is seen.
 */
#define fb_peek(fb) __atomic_load_n((fb), __ATOMIC_ACQUIRE)
#define fb_set(fb, v) __atomic_store_n((fb), (v), __ATOMIC_RELEASE)

#define SINGLE_THREAD_P(c) \
	(!__atomic_load_n(&LIBC(c)->h.multi, __ATOMIC_RELAXED))

static inline void lock(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
}

static inline void unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}

/* ---- errors ------------------------------------------------------------------------ */

/* glibc's malloc_printerr: the message on the process's standard error (the
 * console, kmem's log) and abort(): SIGABRT kills the process. */
static _Noreturn __attribute__((__noinline__, __cold__)) void
malloc_printerr(const char *str)
{
	printk(KERN_ERR "%s\n", str);
	kmem_sys_kill(0, SIGABRT);
	abort(); /* not reached: the process is dead and we are out of it */
}

/* ---- non-main arenas: heaps (glibc's arena.c) ------------------------------------- */

static void malloc_init_state(struct libc *L, mstate av);
static inline void core_free(void *mem);

static inline struct heap_info *heap_for_ptr(struct libc *L, void *ptr)
{
	uintptr_t u = (uintptr_t)ptr - (uintptr_t)L->h.delta;

	return (struct heap_info *)(ALIGN_DOWN(u, HEAP_MAX_SIZE) +
				    (uintptr_t)L->h.delta);
}

static inline mstate arena_for_chunk(struct libc *L, mchunkptr p)
{
	return chunk_main_arena(p) ? &L->main_arena :
				     heap_for_ptr(L, C2H(p))->ar_ptr;
}

static inline uintptr_t user_of(struct libc *L, void *host)
{
	return (uintptr_t)host - (uintptr_t)L->h.delta;
}

static inline char *host_of(struct libc *L, uintptr_t user)
{
	return (char *)(user + (uintptr_t)L->h.delta);
}

static struct heap_info *new_heap(struct libc *L, size_t size, size_t top_pad)
{
	char *p1, *p2, *hint;
	unsigned long ul;
	struct heap_info *h;

	if (size + top_pad < HEAP_MIN_SIZE)
		size = HEAP_MIN_SIZE;
	else if (size + top_pad <= HEAP_MAX_SIZE)
		size += top_pad;
	else if (size > HEAP_MAX_SIZE)
		return NULL;
	else
		size = HEAP_MAX_SIZE;
	size = ALIGN_UP(size, PAGESIZE);

	/* A region of HEAP_MAX_SIZE aligned to its size: map twice that and
	 * cut, remembering the aligned half above for the next heap. */
	p2 = MAP_FAILED;
	/* The hint is shared by the threads making arenas, unlocked as in
	 * glibc (mmap itself is atomic): each taker swaps it out whole. */
	hint = __atomic_exchange_n(&L->aligned_heap_area, NULL,
				   __ATOMIC_RELAXED);
	if (hint) {
		p2 = kmem_sys_mmap(hint, HEAP_MAX_SIZE, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
		if (p2 != MAP_FAILED &&
		    (user_of(L, p2) & (HEAP_MAX_SIZE - 1))) {
			kmem_sys_munmap(p2, HEAP_MAX_SIZE);
			p2 = MAP_FAILED;
		}
	}
	if (p2 == MAP_FAILED) {
		p1 = kmem_sys_mmap(NULL, HEAP_MAX_SIZE << 1, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
		if (p1 != MAP_FAILED) {
			p2 = host_of(L,
				     ALIGN_UP(user_of(L, p1), HEAP_MAX_SIZE));
			ul = p2 - p1;
			if (ul)
				kmem_sys_munmap(p1, ul);
			else
				__atomic_store_n(&L->aligned_heap_area,
						 p2 + HEAP_MAX_SIZE,
						 __ATOMIC_RELAXED);
			kmem_sys_munmap(p2 + HEAP_MAX_SIZE, HEAP_MAX_SIZE - ul);
		} else {
			p2 = kmem_sys_mmap(NULL, HEAP_MAX_SIZE, PROT_NONE,
					   MAP_PRIVATE | MAP_ANONYMOUS |
						   MAP_NORESERVE,
					   -1, 0);
			if (p2 == MAP_FAILED)
				return NULL;
			if (user_of(L, p2) & (HEAP_MAX_SIZE - 1)) {
				kmem_sys_munmap(p2, HEAP_MAX_SIZE);
				return NULL;
			}
		}
	}
	if (kmem_sys_mprotect(p2, size, PROT_READ | PROT_WRITE) != 0) {
		kmem_sys_munmap(p2, HEAP_MAX_SIZE);
		return NULL;
	}
	h = (struct heap_info *)p2;
	h->size = size;
	h->mprotect_size = size;
	h->pagesize = PAGESIZE;
	return h;
}

static int grow_heap(struct heap_info *h, long diff)
{
	long new_size;

	diff = ALIGN_UP(diff, (long)PAGESIZE);
	new_size = (long)h->size + diff;
	if ((unsigned long)new_size > HEAP_MAX_SIZE)
		return -1;
	if ((unsigned long)new_size > h->mprotect_size) {
		if (kmem_sys_mprotect((char *)h + h->mprotect_size,
				      (unsigned long)new_size -
					      h->mprotect_size,
				      PROT_READ | PROT_WRITE) != 0)
			return -2;
		h->mprotect_size = new_size;
	}
	h->size = new_size;
	return 0;
}

static int shrink_heap(struct heap_info *h, long diff)
{
	long new_size = (long)h->size - diff;

	if (new_size < (long)sizeof(*h))
		return -1;
	kmem_sys_madvise((char *)h + new_size, diff, MADV_DONTNEED);
	h->size = new_size;
	return 0;
}

static void delete_heap(struct libc *L, struct heap_info *h)
{
	char *above = (char *)h + HEAP_MAX_SIZE;

	__atomic_compare_exchange_n(&L->aligned_heap_area, &above, NULL, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	kmem_sys_munmap(h, HEAP_MAX_SIZE);
}

static void unlink_chunk(mstate av, mchunkptr p);

static int heap_trim(struct libc *L, struct heap_info *heap, size_t pad)
{
	mstate ar_ptr = heap->ar_ptr;
	mchunkptr top_chunk = ar_ptr->top, p;
	struct heap_info *prev_heap;
	long new_size, top_size, top_area, extra, prev_size, misalign;

	/* Can this heap go away completely? */
	while (top_chunk == chunk_at_offset_h(heap, sizeof(*heap))) {
		prev_heap = heap->prev;
		prev_size = prev_heap->size - (MINSIZE - 2 * SIZE_SZ);
		p = chunk_at_offset_h(prev_heap, prev_size);
		misalign = ((long)p) & MALLOC_ALIGN_MASK;
		p = chunk_at_offset_h(prev_heap, prev_size - misalign);
		p = prev_chunk(p); /* the old top, before the fencepost */
		new_size = chunksize(p) + (MINSIZE - 2 * SIZE_SZ) + misalign;
		if (!prev_inuse(p))
			new_size += CH(p)->prev_size;
		if ((unsigned long)new_size +
			    (HEAP_MAX_SIZE - prev_heap->size) <
		    pad + MINSIZE + PAGESIZE)
			break;
		sysmem_set(ar_ptr, ar_ptr->system_mem - (heap->size));
		delete_heap(L, heap);
		heap = prev_heap;
		if (!prev_inuse(p)) {
			p = prev_chunk(p);
			unlink_chunk(ar_ptr, p);
		}
		ar_ptr->top = top_chunk = p;
		set_head(top_chunk, new_size | PREV_INUSE);
	}

	top_size = chunksize(top_chunk);
	if ((unsigned long)top_size < mp_get(trim_threshold))
		return 0;
	top_area = top_size - MINSIZE - 1;
	if (top_area < 0 || (size_t)top_area <= pad)
		return 0;
	extra = ALIGN_DOWN(top_area - (long)pad, (long)PAGESIZE);
	if (extra == 0)
		return 0;
	if (shrink_heap(heap, extra) != 0)
		return 0;
	sysmem_set(ar_ptr, ar_ptr->system_mem - (extra));
	set_head(top_chunk, (top_size - extra) | PREV_INUSE);
	return 1;
}

static void detach_arena(mstate replaced)
{
	if (replaced)
		replaced->attached_threads--;
}

static mstate int_new_arena(struct tctx *c, size_t size)
{
	struct libc *L = c->L;
	struct heap_info *h;
	mstate a;
	char *ptr;
	unsigned long misalign;
	pthread_mutexattr_t at;

	h = new_heap(L, size + sizeof(*h) + sizeof(*a) + MALLOC_ALIGNMENT,
		     L->mp.top_pad);
	if (!h) {
		/* Maybe size is too large to fit in a single heap: try a
		 * minimal one, the request may still be mmapped. */
		h = new_heap(L, sizeof(*h) + sizeof(*a) + MALLOC_ALIGNMENT,
			     L->mp.top_pad);
		if (!h)
			return NULL;
	}
	a = h->ar_ptr = (mstate)(h + 1);
	malloc_init_state(L, a);
	a->attached_threads = 1;
	a->system_mem = a->max_system_mem = h->size;

	ptr = (char *)(a + 1);
	misalign = (uintptr_t)(ptr + CHUNK_HDR_SZ) & MALLOC_ALIGN_MASK;
	if (misalign > 0)
		ptr += MALLOC_ALIGNMENT - misalign;
	a->top = H2C(ptr);
	set_head(a->top, (((char *)h + h->size) - ptr) | PREV_INUSE);

	pthread_mutexattr_init(&at);
	pthread_mutex_init(&a->mutex, &at);
	pthread_mutexattr_destroy(&at);
	lock(&a->mutex);

	lock(&L->list_lock);
	a->next = L->main_arena.next;
	/* Published with a release store (glibc: a write barrier, then the
	 * store): lockless walkers of the ring see an initialised arena. */
	__atomic_store_n(&L->main_arena.next, a, __ATOMIC_RELEASE);
	unlock(&L->list_lock);

	lock(&L->free_list_lock);
	detach_arena(c->arena);
	unlock(&L->free_list_lock);
	c->arena = a;
	return a;
}

static mstate get_free_list(struct tctx *c)
{
	struct libc *L = c->L;
	mstate replaced = c->arena, result = L->free_list;

	if (result) {
		lock(&L->free_list_lock);
		result = L->free_list;
		if (result) {
			L->free_list = result->next_free;
			result->attached_threads = 1;
			detach_arena(replaced);
		}
		unlock(&L->free_list_lock);
		if (result) {
			lock(&result->mutex);
			c->arena = result;
		}
	}
	return result;
}

static void remove_from_free_list(struct libc *L, mstate arena)
{
	mstate *previous = &L->free_list;
	mstate p;

	for (p = L->free_list; p; p = p->next_free) {
		if (p == arena) {
			*previous = p->next_free;
			break;
		}
		previous = &p->next_free;
	}
}

static mstate reused_arena(struct tctx *c, mstate avoid_arena)
{
	struct libc *L = c->L;
	mstate result, begin;

	/* next_to_use and the ring are read without a lock, as glibc reads
	 * them (a racy hint): atomics, so the race is a declared one. */
	begin = __atomic_load_n(&L->next_to_use, __ATOMIC_RELAXED);
	if (!begin)
		begin = &L->main_arena;
	/* Iterate over all arenas (including those linked from free_list). */
	result = begin;
	do {
		if (!pthread_mutex_trylock(&result->mutex))
			goto out;
		result = __atomic_load_n(&result->next, __ATOMIC_ACQUIRE);
	} while (result != begin);

	/* Avoid the arena that failed to allocate memory. */
	if (result == avoid_arena)
		result = __atomic_load_n(&result->next, __ATOMIC_ACQUIRE);
	/* No arena available without contention: wait for the next one. */
	lock(&result->mutex);
out:
	lock(&L->free_list_lock);
	detach_arena(c->arena);
	remove_from_free_list(L, result);
	++result->attached_threads;
	unlock(&L->free_list_lock);
	c->arena = result;
	__atomic_store_n(&L->next_to_use,
			 __atomic_load_n(&result->next, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELAXED);
	return result;
}

static mstate arena_get2(struct tctx *c, size_t size, mstate avoid_arena)
{
	struct libc *L = c->L;
	mstate a = get_free_list(c);
	size_t n, limit;

	if (a)
		return a;
	/* Threads racing here may each compute the limit (glibc does the
	 * same, racily): the value is the same, stored and read atomically. */
	limit = __atomic_load_n(&L->narenas_limit, __ATOMIC_RELAXED);
	if (limit == 0) {
		if (L->mp.arena_max != 0) {
			limit = L->mp.arena_max;
		} else if (__atomic_load_n(&L->narenas, __ATOMIC_RELAXED) >
			   L->mp.arena_test) {
			struct kmem_machine_info mi;

			kmem_machine_info(&mi);
			limit = NARENAS_FROM_NCORES(mi.cpus >= 1 ? mi.cpus : 2);
		}
		if (limit)
			__atomic_store_n(&L->narenas_limit, limit,
					 __ATOMIC_RELAXED);
	}
repeat:
	n = __atomic_load_n(&L->narenas, __ATOMIC_ACQUIRE);
	if (unlikely(n <= limit - 1)) {
		if (!__atomic_compare_exchange_n(&L->narenas, &n, n + 1, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			goto repeat;
		a = int_new_arena(c, size);
		if (unlikely(!a))
			__atomic_fetch_sub(&L->narenas, 1, __ATOMIC_ACQ_REL);
	} else {
		a = reused_arena(c, avoid_arena);
	}
	return a;
}

/* arena_get(): the thread's arena, locked. */
static inline mstate arena_get(struct tctx *c, size_t size)
{
	mstate a = c->arena;

	if (a) {
		lock(&a->mutex);
		return a;
	}
	return arena_get2(c, size, NULL);
}

static mstate arena_get_retry(struct tctx *c, mstate ar_ptr, size_t bytes)
{
	unlock(&ar_ptr->mutex);
	if (ar_ptr != &LIBC(c)->main_arena) {
		ar_ptr = &LIBC(c)->main_arena;
		lock(&ar_ptr->mutex);
	} else {
		ar_ptr = arena_get2(c, bytes, ar_ptr);
	}
	return ar_ptr;
}

/* ---- bins ------------------------------------------------------------------------- */

static void malloc_init_state(struct libc *L, mstate av)
{
	int i;
	mchunkptr bin;

	for (i = 1; i < NBINS; ++i) {
		bin = bin_at(av, i);
		CH(bin)->fd = CH(bin)->bk = bin;
	}
	if (av != &L->main_arena)
		set_noncontiguous(av);
	if (av == &L->main_arena)
		L->global_max_fast = (DEFAULT_MXFAST + SIZE_SZ) &
				     ~MALLOC_ALIGN_MASK;
	__atomic_store_n(&av->have_fastchunks, 0, __ATOMIC_RELAXED);
	av->top = initial_top(av);
}

static void unlink_chunk(mstate av, mchunkptr p)
{
	mchunkptr fd, bk;

	if (chunksize(p) != CH(next_chunk(p))->prev_size)
		malloc_printerr("corrupted size vs. prev_size");
	fd = CH(p)->fd;
	bk = CH(p)->bk;
	if (unlikely(CH(fd)->bk != p || CH(bk)->fd != p))
		malloc_printerr("corrupted double-linked list");
	CH(fd)->bk = bk;
	CH(bk)->fd = fd;
	if (!in_smallbin_range(chunksize_nomask(p)) &&
	    CH(p)->fd_nextsize != 0) {
		if (CH(CH(p)->fd_nextsize)->bk_nextsize != p ||
		    CH(CH(p)->bk_nextsize)->fd_nextsize != p)
			malloc_printerr(
				"corrupted double-linked list (not small)");
		if (CH(fd)->fd_nextsize == 0) {
			if (CH(p)->fd_nextsize == p) {
				CH(fd)->fd_nextsize = CH(fd)->bk_nextsize = fd;
			} else {
				CH(fd)->fd_nextsize = CH(p)->fd_nextsize;
				CH(fd)->bk_nextsize = CH(p)->bk_nextsize;
				CH(CH(p)->fd_nextsize)->bk_nextsize = fd;
				CH(CH(p)->bk_nextsize)->fd_nextsize = fd;
			}
		} else {
			CH(CH(p)->fd_nextsize)->bk_nextsize =
				CH(p)->bk_nextsize;
			CH(CH(p)->bk_nextsize)->fd_nextsize =
				CH(p)->fd_nextsize;
		}
	}
}

static inline void alloc_perturb(struct libc *L, char *p, size_t n)
{
	if (unlikely(L->perturb_byte))
		memset(p, L->perturb_byte ^ 0xff, n);
}

static inline void free_perturb(struct libc *L, char *p, size_t n)
{
	if (unlikely(L->perturb_byte))
		memset(p, L->perturb_byte, n);
}

/* ---- tcache ----------------------------------------------------------------------- */

static inline void tcache_put(struct tctx *c, mchunkptr chunk, size_t tc_idx)
{
	struct tcache_entry *e = chunk2mem(chunk);
	struct TCACHE_T *t = c->TCF;

	e->key = LIBC(c)->tcache_key;
	e->next = PROTECT_PTR(&e->next, t->entries[tc_idx]);
	t->entries[tc_idx] = TU(e);
	++(t->counts[tc_idx]);
}

static inline void *tcache_get(struct tctx *c, size_t tc_idx)
{
	struct TCACHE_T *t = c->TCF;
	struct tcache_entry *e = TE(t->entries[tc_idx]);

	if (unlikely(!aligned_OK(e)))
		malloc_printerr("malloc(): unaligned tcache chunk detected");
	t->entries[tc_idx] = REVEAL_PTR(e->next);
	--(t->counts[tc_idx]);
	e->key = 0;
	return e;
}

static void *int_malloc(struct tctx *c, mstate av, size_t bytes);

static __attribute__((__noinline__)) void tcache_init(struct tctx *c)
{
	mstate ar_ptr;
	void *victim;
	const size_t bytes = sizeof(struct TCACHE_T);

	if (c->shutting_down)
		return;
	ar_ptr = arena_get(c, bytes);
	victim = int_malloc(c, ar_ptr, bytes);
	if (!victim && ar_ptr) {
		ar_ptr = arena_get_retry(c, ar_ptr, bytes);
		victim = int_malloc(c, ar_ptr, bytes);
	}
	if (ar_ptr)
		unlock(&ar_ptr->mutex);
	if (victim) {
		c->TCF = victim;
		memset(victim, 0, sizeof(struct TCACHE_T));
	}
}

#define MAYBE_INIT_TCACHE(c)             \
	do {                             \
		if (unlikely(!(c)->TCF)) \
			tcache_init(c);  \
	} while (0)

/* ---- system memory: brk, mmap ----------------------------------------------------- */

/* MORECORE: sbrk, NULL on failure (glibc's __glibc_morecore). */
static inline char *morecore(long increment)
{
	void *r = kmem_sys_sbrk(increment);

	return r == (void *)-1 ? NULL : r;
}

static void *sysmalloc_mmap(struct tctx *c, size_t nb, mstate av)
{
	struct libc *L = c->L;
	/* An mmapped chunk has no next chunk to lend it its prev_size word;
	 * with MALLOC_ALIGNMENT above CHUNK_HDR_SZ (i386) it may need up to
	 * MALLOC_ALIGN_MASK more to align its user pointer. */
	long size =
		MALLOC_ALIGNMENT == CHUNK_HDR_SZ ?
			ALIGN_UP(nb + SIZE_SZ, PAGESIZE) :
			ALIGN_UP(nb + SIZE_SZ + MALLOC_ALIGN_MASK, PAGESIZE);
	size_t front_misalign, correction = 0;
	char *mm;
	mchunkptr p;
	int n;
	unsigned long sum;

	if ((unsigned long)size <= nb) /* wraps around 0 */
		return MAP_FAILED;
	mm = kmem_sys_mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mm == MAP_FAILED)
		return mm;
	/* The offset of the chunk in its mapping is its prev_size. */
	front_misalign = MALLOC_ALIGNMENT == CHUNK_HDR_SZ ?
				 0 :
				 (uintptr_t)(mm + CHUNK_HDR_SZ) &
					 MALLOC_ALIGN_MASK;
	if (front_misalign > 0)
		correction = MALLOC_ALIGNMENT - front_misalign;
	p = H2C(mm + correction);
	CH(p)->prev_size = correction;
	set_head(p, (size - correction) | IS_MMAPPED);
	n = __atomic_add_fetch(&L->mp.n_mmaps, 1, __ATOMIC_RELAXED);
	if (n > mp_get(max_n_mmaps))
		mp_set(max_n_mmaps, n);
	sum = __atomic_add_fetch(&L->mp.mmapped_mem, size, __ATOMIC_RELAXED);
	if (sum > mp_get(max_mmapped_mem))
		mp_set(max_mmapped_mem, sum);
	(void)av;
	return chunk2mem(p);
}

static void int_free(struct tctx *c, mstate av, mchunkptr p, int have_lock);

static void *sysmalloc(struct tctx *c, size_t nb, mstate av)
{
	struct libc *L = c->L;
	mchunkptr old_top, p, remainder;
	size_t old_size, size_u;
	char *old_end, *brk, *snd_brk, *aligned_brk;
	long size, correction;
	size_t front_misalign, end_misalign;
	bool tried_mmap = false;

	if (av == NULL || (nb >= mp_get(mmap_threshold) &&
			   mp_get(n_mmaps) < L->mp.n_mmaps_max)) {
		char *mm;
try_mmap:
		mm = sysmalloc_mmap(c, nb, av);
		if (mm != MAP_FAILED)
			return mm;
		tried_mmap = true;
	}
	if (av == NULL)
		return NULL;

	old_top = av->top;
	old_size = chunksize(old_top);
	old_end = C2H(old_top) + old_size;
	brk = snd_brk = NULL;

	if (av != &L->main_arena) {
		struct heap_info *old_heap, *heap;
		size_t old_heap_size;

		/* First try to extend the current heap. */
		old_heap = heap_for_ptr(L, C2H(old_top));
		old_heap_size = old_heap->size;
		if ((long)(MINSIZE + nb - old_size) > 0 &&
		    grow_heap(old_heap, MINSIZE + nb - old_size) == 0) {
			sysmem_set(av, av->system_mem + (old_heap->size -
							 old_heap_size));
			set_head(old_top, (((char *)old_heap + old_heap->size) -
					   C2H(old_top)) |
						  PREV_INUSE);
		} else if ((heap = new_heap(L, nb + (MINSIZE + sizeof(*heap)),
					    L->mp.top_pad))) {
			/* Use a newly allocated heap. */
			heap->ar_ptr = av;
			heap->prev = old_heap;
			sysmem_set(av, av->system_mem + (heap->size));
			av->top = chunk_at_offset_h(heap, sizeof(*heap));
			set_head(av->top,
				 (heap->size - sizeof(*heap)) | PREV_INUSE);
			/* Fenceposts at the end of the old heap; free the old
			 * top as a multiple of MALLOC_ALIGNMENT. */
			old_size = (old_size - MINSIZE) & ~MALLOC_ALIGN_MASK;
			set_head(chunk_at_offset(old_top,
						 old_size + CHUNK_HDR_SZ),
				 0 | PREV_INUSE);
			if (old_size >= MINSIZE) {
				set_head(chunk_at_offset(old_top, old_size),
					 CHUNK_HDR_SZ | PREV_INUSE);
				set_foot(chunk_at_offset(old_top, old_size),
					 CHUNK_HDR_SZ);
				set_head(old_top, old_size | PREV_INUSE |
							  NON_MAIN_ARENA);
				int_free(c, av, old_top, 1);
			} else {
				set_head(old_top, (old_size + CHUNK_HDR_SZ) |
							  PREV_INUSE);
				set_foot(old_top, (old_size + CHUNK_HDR_SZ));
			}
		} else if (!tried_mmap) {
			goto try_mmap;
		}
	} else {
		/* Request enough space for nb + pad + overhead. */
		size = nb + L->mp.top_pad + MINSIZE;
		if (contiguous(av))
			size -= old_size;
		size = ALIGN_UP(size, (long)PAGESIZE);
		if (size > 0)
			brk = morecore(size);
		if (brk == NULL) {
			/* brk failed (the break ran into a mapping): use mmap
			 * as a non-contiguous heap, in 1 MiB units at least. */
			if (contiguous(av))
				size = ALIGN_UP(size + old_size,
						(long)PAGESIZE);
			if ((unsigned long)size < MMAP_AS_MORECORE_SIZE)
				size = MMAP_AS_MORECORE_SIZE;
			if ((unsigned long)size > nb) {
				char *mbrk = kmem_sys_mmap(
					NULL, size, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (mbrk != MAP_FAILED) {
					brk = mbrk;
					snd_brk = brk + size;
					set_noncontiguous(av);
				}
			}
		}
		if (brk != NULL) {
			if (L->mp.sbrk_base == NULL)
				L->mp.sbrk_base = brk;
			sysmem_set(av, av->system_mem + (size));
			if (brk == old_end && snd_brk == NULL) {
				/* Extends the old top. */
				set_head(old_top,
					 (size + old_size) | PREV_INUSE);
			} else if (contiguous(av) && old_size &&
				   brk < old_end) {
				malloc_printerr(
					"break adjusted to free malloc space");
			} else {
				front_misalign = 0;
				end_misalign = 0;
				correction = 0;
				aligned_brk = brk;
				if (contiguous(av)) {
					/* Count foreign sbrk as system_mem. */
					if (old_size)
						sysmem_set(av,
							   av->system_mem +
								   (brk -
								    old_end));
					front_misalign =
						(uintptr_t)(brk +
							    CHUNK_HDR_SZ) &
						MALLOC_ALIGN_MASK;
					if (front_misalign > 0) {
						correction = MALLOC_ALIGNMENT -
							     front_misalign;
						aligned_brk += correction;
					}
					correction += old_size;
					end_misalign = (uintptr_t)(brk + size +
								   correction);
					correction += ALIGN_UP(end_misalign,
							       PAGESIZE) -
						      end_misalign;
					snd_brk = morecore(correction);
					if (snd_brk == NULL) {
						correction = 0;
						snd_brk = morecore(0);
					}
				} else {
					/* mmap returns page-aligned memory. */
					if (snd_brk == NULL)
						snd_brk = morecore(0);
				}
				if (snd_brk != NULL) {
					av->top = H2C(aligned_brk);
					set_head(av->top,
						 (snd_brk - aligned_brk +
						  correction) |
							 PREV_INUSE);
					sysmem_set(av, av->system_mem +
							       (correction));
					if (old_size != 0) {
						/* Double fencepost at the old top. */
						old_size = (old_size -
							    2 * CHUNK_HDR_SZ) &
							   ~MALLOC_ALIGN_MASK;
						set_head(old_top,
							 old_size | PREV_INUSE);
						set_head(chunk_at_offset(
								 old_top,
								 old_size),
							 CHUNK_HDR_SZ |
								 PREV_INUSE);
						set_head(
							chunk_at_offset(
								old_top,
								old_size +
									CHUNK_HDR_SZ),
							CHUNK_HDR_SZ |
								PREV_INUSE);
						if (old_size >= MINSIZE)
							int_free(c, av, old_top,
								 1);
					}
				}
			}
		}
	}

	if (av->system_mem > av->max_system_mem)
		av->max_system_mem = av->system_mem;

	/* Finally, do the allocation. */
	p = av->top;
	size_u = chunksize(p);
	if (size_u >= nb + MINSIZE) {
		remainder = chunk_at_offset(p, nb);
		av->top = remainder;
		set_head(p,
			 nb | PREV_INUSE |
				 (av != &L->main_arena ? NON_MAIN_ARENA : 0));
		set_head(remainder, (size_u - nb) | PREV_INUSE);
		return chunk2mem(p);
	}
	errno = ENOMEM;
	return NULL;
}

/* Give memory at the top of the brk heap back (negative sbrk). */
static int systrim(struct tctx *c, size_t pad, mstate av)
{
	struct libc *L = c->L;
	long top_size, extra, released, top_area;
	char *current_brk, *new_brk;

	top_size = chunksize(av->top);
	top_area = top_size - MINSIZE - 1;
	if (top_area <= (long)pad)
		return 0;
	extra = ALIGN_DOWN(top_area - (long)pad, (long)PAGESIZE);
	if (extra == 0)
		return 0;
	/* Only if the end of memory is where we last set it. */
	current_brk = morecore(0);
	if (current_brk == C2H(av->top) + top_size) {
		morecore(-extra);
		new_brk = morecore(0);
		if (new_brk != NULL) {
			released = (long)(current_brk - new_brk);
			if (released != 0) {
				sysmem_set(av, av->system_mem - (released));
				set_head(av->top,
					 (top_size - released) | PREV_INUSE);
				(void)L;
				return 1;
			}
		}
	}
	return 0;
}

static void munmap_chunk(struct libc *L, mchunkptr p)
{
	size_t size = chunksize(p);
	uintptr_t mem = (uintptr_t)chunk2mem(p);
	uintptr_t block = (uintptr_t)C2H(p) - CH(p)->prev_size;
	size_t total_size = CH(p)->prev_size + size;
	uintptr_t off = mem & (PAGESIZE - 1);

	if (unlikely(((block | total_size) & (PAGESIZE - 1)) != 0) ||
	    unlikely((off & (off - 1)) != 0))
		malloc_printerr("munmap_chunk(): invalid pointer");
	__atomic_sub_fetch(&L->mp.n_mmaps, 1, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&L->mp.mmapped_mem, total_size, __ATOMIC_RELAXED);
	kmem_sys_munmap((void *)block, total_size);
}

/*
 * mremap(MREMAP_MAYMOVE) of an anonymous private mapping, which the process
 * API does not have: shrink by unmapping the tail, grow in place when the
 * range above is free (MAP_FIXED_NOREPLACE), else move (map, copy, unmap).
 */
static char *mremap_anon(char *block, size_t old, size_t new)
{
	char *m;

	if (new < old) {
		if (kmem_sys_munmap(block + new, old - new))
			return MAP_FAILED;
		return block;
	}
	m = kmem_sys_mmap(block + old, new - old, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			  0);
	if (m == block + old)
		return block;
	if (m != MAP_FAILED)
		kmem_sys_munmap(m, new - old);
	m = kmem_sys_mmap(NULL, new, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return m;
	memcpy(m, block, old);
	kmem_sys_munmap(block, old);
	return m;
}

static mchunkptr mremap_chunk(struct libc *L, mchunkptr p, size_t new_size)
{
	size_t offset = CH(p)->prev_size;
	size_t size = chunksize(p);
	uintptr_t block = (uintptr_t)C2H(p) - offset;
	uintptr_t mem = (uintptr_t)chunk2mem(p);
	size_t total_size = offset + size;
	uintptr_t off = mem & (PAGESIZE - 1);
	char *cp;
	unsigned long sum;

	if (unlikely(((block | total_size) & (PAGESIZE - 1)) != 0) ||
	    unlikely((off & (off - 1)) != 0))
		malloc_printerr("mremap_chunk(): invalid pointer");
	new_size = ALIGN_UP(new_size + offset + SIZE_SZ, PAGESIZE);
	if (total_size == new_size)
		return p;
	cp = mremap_anon((char *)block, total_size, new_size);
	if (cp == MAP_FAILED)
		return 0;
	p = H2C(cp + offset);
	set_head(p, (new_size - offset) | IS_MMAPPED);
	sum = __atomic_add_fetch(&L->mp.mmapped_mem, new_size - size - offset,
				 __ATOMIC_RELAXED);
	if (sum > mp_get(max_mmapped_mem))
		mp_set(max_mmapped_mem, sum);
	return p;
}

/* ---- malloc_consolidate ----------------------------------------------------------- */

static void malloc_consolidate(struct libc *L, mstate av)
{
	mchunkptr *fb, *maxfb, p, nextp, unsorted_bin, first_unsorted,
		nextchunk;
	size_t size, nextsize, prevsize;
	int nextinuse;

	__atomic_store_n(&av->have_fastchunks, 0, __ATOMIC_RELAXED);
	unsorted_bin = unsorted_chunks(av);
	maxfb = &fastbin(av, NFASTBINS - 1);
	fb = &fastbin(av, 0);
	do {
		p = __atomic_exchange_n(fb, 0, __ATOMIC_ACQUIRE);
		while (p) {
			if (unlikely(misaligned_chunk(p)))
				malloc_printerr(
					"malloc_consolidate(): unaligned fastbin chunk detected");
			if (&fastbin(av, fastbin_index(chunksize(p))) != fb)
				malloc_printerr(
					"malloc_consolidate(): invalid chunk size");
			nextp = REVEAL_PTR(CH(p)->fd);
			size = chunksize(p);
			nextchunk = chunk_at_offset(p, size);
			nextsize = chunksize(nextchunk);
			if (!prev_inuse(p)) {
				prevsize = CH(p)->prev_size;
				size += prevsize;
				p = chunk_at_offset(p, -((long)prevsize));
				if (unlikely(chunksize(p) != prevsize))
					malloc_printerr(
						"corrupted size vs. prev_size in fastbins");
				unlink_chunk(av, p);
			}
			if (nextchunk != av->top) {
				nextinuse = inuse_bit_at_offset(nextchunk,
								nextsize);
				if (!nextinuse) {
					size += nextsize;
					unlink_chunk(av, nextchunk);
				} else {
					clear_inuse_bit_at_offset(nextchunk, 0);
				}
				first_unsorted = CH(unsorted_bin)->fd;
				CH(unsorted_bin)->fd = p;
				CH(first_unsorted)->bk = p;
				if (!in_smallbin_range(size)) {
					CH(p)->fd_nextsize = 0;
					CH(p)->bk_nextsize = 0;
				}
				set_head(p, size | PREV_INUSE);
				CH(p)->bk = unsorted_bin;
				CH(p)->fd = first_unsorted;
				set_foot(p, size);
			} else {
				size += nextsize;
				set_head(p, size | PREV_INUSE);
				av->top = p;
			}
			p = nextp;
		}
	} while (fb++ != maxfb);
	(void)L;
}

/* ---- _int_malloc ------------------------------------------------------------------ */

/* Take the first chunk off a fastbin that free() may push to concurrently
 * without the arena lock (glibc's REMOVE_FB). */
static mchunkptr fastbin_pop(mchunkptr *fb, mchunkptr victim)
{
	mchunkptr next;

	for (;;) {
		if (!victim)
			return 0;
		next = REVEAL_PTR(CH(victim)->fd);
		if (unlikely(next != 0 && misaligned_chunk(next)))
			malloc_printerr(
				"malloc(): unaligned fastbin chunk detected");
		if (__atomic_compare_exchange_n(fb, &victim, next, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_ACQUIRE))
			return victim;
	}
}

static void *int_malloc(struct tctx *c, mstate av, size_t bytes)
{
	struct libc *L = c->L;
	size_t nb, size, remainder_size, tcache_nb = 0, tc_idx;
	unsigned int idx, block, bit, map;
	mchunkptr bin, victim, remainder, fwd, bck;
	int victim_index, return_cached = 0;
	size_t tcache_unsorted_count;
	bool main = av == &L->main_arena;

	if (!checked_request2size(bytes, &nb)) {
		errno = ENOMEM;
		return NULL;
	}
	if (unlikely(av == NULL)) {
		void *p = sysmalloc(c, nb, av);

		if (p)
			alloc_perturb(L, p, bytes);
		return p;
	}

	if (nb <= L->global_max_fast) {
		mchunkptr *fb;

		idx = fastbin_index(nb);
		fb = &fastbin(av, idx);
		victim = fb_peek(fb);
		if (victim != 0) {
			if (unlikely(misaligned_chunk(victim)))
				malloc_printerr(
					"malloc(): unaligned fastbin chunk detected 2");
			if (SINGLE_THREAD_P(c))
				fb_set(fb, REVEAL_PTR(CH(victim)->fd));
			else
				victim = fastbin_pop(fb, victim);
			if (unlikely(!victim))
				goto not_fast;
			if (unlikely(fastbin_index(chunksize(victim)) != idx))
				malloc_printerr(
					"malloc(): memory corruption (fast)");
			/* Stash other chunks of this size in the tcache. */
			tc_idx = csize2tidx(nb);
			if (c->TCF && tc_idx < L->mp.tcache_bins) {
				mchunkptr tc_victim;

				while (c->TCF->counts[tc_idx] <
					       L->mp.tcache_count &&
				       (tc_victim = fb_peek(fb)) != 0) {
					if (unlikely(misaligned_chunk(
						    tc_victim)))
						malloc_printerr(
							"malloc(): unaligned fastbin chunk detected 3");
					if (SINGLE_THREAD_P(c)) {
						fb_set(fb,
						       REVEAL_PTR(
							       CH(tc_victim)
								       ->fd));
					} else {
						tc_victim = fastbin_pop(
							fb, tc_victim);
						if (unlikely(!tc_victim))
							break;
					}
					tcache_put(c, tc_victim, tc_idx);
				}
			}
			alloc_perturb(L, chunk2mem(victim), bytes);
			return chunk2mem(victim);
		}
	}

not_fast:
	if (in_smallbin_range(nb)) {
		idx = smallbin_index(nb);
		bin = bin_at(av, idx);
		if ((victim = last(bin)) != bin) {
			bck = CH(victim)->bk;
			if (unlikely(CH(bck)->fd != victim))
				malloc_printerr(
					"malloc(): smallbin double linked list corrupted");
			set_inuse_bit_at_offset(victim, nb);
			CH(bin)->bk = bck;
			CH(bck)->fd = bin;
			if (!main)
				set_non_main_arena(victim);
			tc_idx = csize2tidx(nb);
			if (c->TCF && tc_idx < L->mp.tcache_bins) {
				mchunkptr tc_victim;

				while (c->TCF->counts[tc_idx] <
					       L->mp.tcache_count &&
				       (tc_victim = last(bin)) != bin) {
					bck = CH(tc_victim)->bk;
					set_inuse_bit_at_offset(tc_victim, nb);
					if (!main)
						set_non_main_arena(tc_victim);
					CH(bin)->bk = bck;
					CH(bck)->fd = bin;
					tcache_put(c, tc_victim, tc_idx);
				}
			}
			alloc_perturb(L, chunk2mem(victim), bytes);
			return chunk2mem(victim);
		}
	} else {
		idx = largebin_index(nb);
		if (__atomic_load_n(&av->have_fastchunks, __ATOMIC_RELAXED))
			malloc_consolidate(L, av);
	}

	tc_idx = csize2tidx(nb);
	if (c->TCF && tc_idx < L->mp.tcache_bins)
		tcache_nb = nb;
	tcache_unsorted_count = 0;

	for (;;) {
		int iters = 0;

		while ((victim = CH(unsorted_chunks(av))->bk) !=
		       unsorted_chunks(av)) {
			mchunkptr next;

			bck = CH(victim)->bk;
			size = chunksize(victim);
			next = chunk_at_offset(victim, size);
			if (unlikely(size <= CHUNK_HDR_SZ) ||
			    unlikely(size > av->system_mem))
				malloc_printerr(
					"malloc(): invalid size (unsorted)");
			if (unlikely(chunksize_nomask(next) < CHUNK_HDR_SZ) ||
			    unlikely(chunksize_nomask(next) > av->system_mem))
				malloc_printerr(
					"malloc(): invalid next size (unsorted)");
			if (unlikely((CH(next)->prev_size & ~(SIZE_BITS)) !=
				     size))
				malloc_printerr(
					"malloc(): mismatching CH(next)->prev_size (unsorted)");
			if (unlikely(CH(bck)->fd != victim) ||
			    unlikely(CH(victim)->fd != unsorted_chunks(av)))
				malloc_printerr(
					"malloc(): unsorted double linked list corrupted");
			if (unlikely(prev_inuse(next)))
				malloc_printerr(
					"malloc(): invalid next->prev_inuse (unsorted)");

			/* A small request takes from the last remainder if it is
			 * the only unsorted chunk (locality of runs). */
			if (in_smallbin_range(nb) &&
			    bck == unsorted_chunks(av) &&
			    victim == av->last_remainder &&
			    size > nb + MINSIZE) {
				remainder_size = size - nb;
				remainder = chunk_at_offset(victim, nb);
				CH(unsorted_chunks(av))->bk =
					CH(unsorted_chunks(av))->fd = remainder;
				av->last_remainder = remainder;
				CH(remainder)->bk = CH(remainder)->fd =
					unsorted_chunks(av);
				if (!in_smallbin_range(remainder_size)) {
					CH(remainder)->fd_nextsize = 0;
					CH(remainder)->bk_nextsize = 0;
				}
				set_head(victim,
					 nb | PREV_INUSE |
						 (main ? 0 : NON_MAIN_ARENA));
				set_head(remainder,
					 remainder_size | PREV_INUSE);
				set_foot(remainder, remainder_size);
				alloc_perturb(L, chunk2mem(victim), bytes);
				return chunk2mem(victim);
			}

			/* Remove from the unsorted list. */
			if (unlikely(CH(bck)->fd != victim))
				malloc_printerr(
					"malloc(): corrupted unsorted chunks 3");
			CH(unsorted_chunks(av))->bk = bck;
			CH(bck)->fd = unsorted_chunks(av);

			if (size == nb) {
				set_inuse_bit_at_offset(victim, size);
				if (!main)
					set_non_main_arena(victim);
				/* Fill the tcache first; return from it later. */
				if (tcache_nb && c->TCF->counts[tc_idx] <
							 L->mp.tcache_count) {
					tcache_put(c, victim, tc_idx);
					return_cached = 1;
					continue;
				}
				alloc_perturb(L, chunk2mem(victim), bytes);
				return chunk2mem(victim);
			}

			/* Place the chunk in its bin. */
			if (in_smallbin_range(size)) {
				victim_index = smallbin_index(size);
				bck = bin_at(av, victim_index);
				fwd = CH(bck)->fd;
			} else {
				victim_index = largebin_index(size);
				bck = bin_at(av, victim_index);
				fwd = CH(bck)->fd;
				/* Large bins are sorted, largest first. */
				if (fwd != bck) {
					size |= PREV_INUSE;
					if (size <
					    chunksize_nomask(CH(bck)->bk)) {
						fwd = bck;
						bck = CH(bck)->bk;
						CH(victim)->fd_nextsize =
							CH(fwd)->fd;
						CH(victim)->bk_nextsize =
							CH(CH(fwd)->fd)
								->bk_nextsize;
						CH(CH(fwd)->fd)->bk_nextsize =
							CH(CH(victim)
								   ->bk_nextsize)
								->fd_nextsize =
								victim;
					} else {
						while (size <
						       chunksize_nomask(fwd))
							fwd = CH(fwd)->fd_nextsize;
						if (size ==
						    chunksize_nomask(fwd)) {
							/* Always insert in the second position. */
							fwd = CH(fwd)->fd;
						} else {
							CH(victim)->fd_nextsize =
								fwd;
							CH(victim)->bk_nextsize =
								CH(fwd)->bk_nextsize;
							if (unlikely(
								    CH(CH(fwd)->bk_nextsize)
									    ->fd_nextsize !=
								    fwd))
								malloc_printerr(
									"malloc(): largebin double linked list corrupted (nextsize)");
							CH(fwd)->bk_nextsize =
								victim;
							CH(CH(victim)
								   ->bk_nextsize)
								->fd_nextsize =
								victim;
						}
						bck = CH(fwd)->bk;
						if (CH(bck)->fd != fwd)
							malloc_printerr(
								"malloc(): largebin double linked list corrupted (bk)");
					}
				} else {
					CH(victim)->fd_nextsize =
						CH(victim)->bk_nextsize =
							victim;
				}
			}
			mark_bin(av, victim_index);
			CH(victim)->bk = bck;
			CH(victim)->fd = fwd;
			CH(fwd)->bk = victim;
			CH(bck)->fd = victim;

			++tcache_unsorted_count;
			if (return_cached && L->mp.tcache_unsorted_limit > 0 &&
			    tcache_unsorted_count > L->mp.tcache_unsorted_limit)
				return tcache_get(c, tc_idx);

			if (++iters >= 10000)
				break;
		}

		/* All the exact fits went to the tcache: return one. */
		if (return_cached)
			return tcache_get(c, tc_idx);

		/* A large request: the smallest chunk of its bin that fits. */
		if (!in_smallbin_range(nb)) {
			bin = bin_at(av, idx);
			if ((victim = first(bin)) != bin &&
			    chunksize_nomask(victim) >= nb) {
				victim = CH(victim)->bk_nextsize;
				while ((size = chunksize(victim)) < nb)
					victim = CH(victim)->bk_nextsize;
				/* Keep the first of a size: no skip-list rerouting. */
				if (victim != last(bin) &&
				    chunksize_nomask(victim) ==
					    chunksize_nomask(CH(victim)->fd))
					victim = CH(victim)->fd;
				remainder_size = size - nb;
				unlink_chunk(av, victim);
				if (remainder_size < MINSIZE) {
					set_inuse_bit_at_offset(victim, size);
					if (!main)
						set_non_main_arena(victim);
				} else {
					remainder = chunk_at_offset(victim, nb);
					bck = unsorted_chunks(av);
					fwd = CH(bck)->fd;
					if (unlikely(CH(fwd)->bk != bck))
						malloc_printerr(
							"malloc(): corrupted unsorted chunks");
					CH(remainder)->bk = bck;
					CH(remainder)->fd = fwd;
					CH(bck)->fd = remainder;
					CH(fwd)->bk = remainder;
					if (!in_smallbin_range(
						    remainder_size)) {
						CH(remainder)->fd_nextsize = 0;
						CH(remainder)->bk_nextsize = 0;
					}
					set_head(
						victim,
						nb | PREV_INUSE |
							(main ? 0 :
								NON_MAIN_ARENA));
					set_head(remainder,
						 remainder_size | PREV_INUSE);
					set_foot(remainder, remainder_size);
				}
				alloc_perturb(L, chunk2mem(victim), bytes);
				return chunk2mem(victim);
			}
		}

		/* Best fit from the next non-empty bin, found with the binmap. */
		++idx;
		bin = bin_at(av, idx);
		block = idx2block(idx);
		map = av->binmap[block];
		bit = idx2bit(idx);
		for (;;) {
			if (bit > map || bit == 0) {
				do {
					if (++block >= BINMAPSIZE)
						goto use_top;
				} while ((map = av->binmap[block]) == 0);
				bin = bin_at(av, (block << BINMAPSHIFT));
				bit = 1;
			}
			while ((bit & map) == 0) {
				bin = next_bin(bin);
				bit <<= 1;
			}
			victim = last(bin);
			if (victim == bin) {
				/* A false alarm: clear the bit. */
				av->binmap[block] = map &= ~bit;
				bin = next_bin(bin);
				bit <<= 1;
				continue;
			}
			size = chunksize(victim);
			remainder_size = size - nb;
			unlink_chunk(av, victim);
			if (remainder_size < MINSIZE) {
				set_inuse_bit_at_offset(victim, size);
				if (!main)
					set_non_main_arena(victim);
			} else {
				remainder = chunk_at_offset(victim, nb);
				bck = unsorted_chunks(av);
				fwd = CH(bck)->fd;
				if (unlikely(CH(fwd)->bk != bck))
					malloc_printerr(
						"malloc(): corrupted unsorted chunks 2");
				CH(remainder)->bk = bck;
				CH(remainder)->fd = fwd;
				CH(bck)->fd = remainder;
				CH(fwd)->bk = remainder;
				if (in_smallbin_range(nb))
					av->last_remainder = remainder;
				if (!in_smallbin_range(remainder_size)) {
					CH(remainder)->fd_nextsize = 0;
					CH(remainder)->bk_nextsize = 0;
				}
				set_head(victim,
					 nb | PREV_INUSE |
						 (main ? 0 : NON_MAIN_ARENA));
				set_head(remainder,
					 remainder_size | PREV_INUSE);
				set_foot(remainder, remainder_size);
			}
			alloc_perturb(L, chunk2mem(victim), bytes);
			return chunk2mem(victim);
		}

use_top:
		victim = av->top;
		size = chunksize(victim);
		if (unlikely(size > av->system_mem))
			malloc_printerr("malloc(): corrupted top size");
		if (size >= nb + MINSIZE) {
			remainder_size = size - nb;
			remainder = chunk_at_offset(victim, nb);
			av->top = remainder;
			set_head(victim,
				 nb | PREV_INUSE | (main ? 0 : NON_MAIN_ARENA));
			set_head(remainder, remainder_size | PREV_INUSE);
			alloc_perturb(L, chunk2mem(victim), bytes);
			return chunk2mem(victim);
		} else if (__atomic_load_n(&av->have_fastchunks,
					   __ATOMIC_RELAXED)) {
			malloc_consolidate(L, av);
			idx = in_smallbin_range(nb) ? smallbin_index(nb) :
						      largebin_index(nb);
		} else {
			void *p = sysmalloc(c, nb, av);

			if (p)
				alloc_perturb(L, p, bytes);
			return p;
		}
	}
}

/* ---- _int_free -------------------------------------------------------------------- */

static __attribute__((__noinline__)) void
tcache_double_free_check(struct tctx *c, struct tcache_entry *e, size_t tc_idx)
{
	struct tcache_entry *tmp;
	size_t cnt = 0;

	for (tmp = TE(c->TCF->entries[tc_idx]); tmp;
	     tmp = TE(REVEAL_PTR(tmp->next)), ++cnt) {
		if (cnt >= LIBC(c)->mp.tcache_count)
			malloc_printerr(
				"free(): too many chunks detected in tcache");
		if (unlikely(!aligned_OK(tmp)))
			malloc_printerr(
				"free(): unaligned chunk detected in tcache 2");
		if (tmp == e)
			malloc_printerr(
				"free(): double free detected in tcache 2");
	}
}

static void int_free(struct tctx *c, mstate av, mchunkptr p, int have_lock)
{
	struct libc *L = c->L;
	size_t size, nextsize, prevsize;
	mchunkptr nextchunk, bck, fwd;
	int nextinuse;

	size = chunksize(p);
	if (unlikely((uword)(uintptr_t)p > (uword)-size) ||
	    unlikely(misaligned_chunk(p)))
		malloc_printerr("free(): invalid pointer");
	if (unlikely(size < MINSIZE || !aligned_OK(size)))
		malloc_printerr("free(): invalid size");

	{
		size_t tc_idx = csize2tidx(size);

		if (c->TCF && tc_idx < L->mp.tcache_bins) {
			struct tcache_entry *e = chunk2mem(p);

			if (unlikely(e->key == L->tcache_key))
				tcache_double_free_check(c, e, tc_idx);
			if (c->TCF->counts[tc_idx] < L->mp.tcache_count) {
				tcache_put(c, p, tc_idx);
				return;
			}
		}
	}

	if (size <= L->global_max_fast) {
		mchunkptr *fb, old, old2;
		unsigned int idx;

		if (unlikely(chunksize_nomask(chunk_at_offset(p, size)) <=
			     CHUNK_HDR_SZ) ||
		    unlikely(chunksize(chunk_at_offset(p, size)) >=
			     sysmem_peek(av))) {
			bool fail = true;

			if (!have_lock) {
				lock(&av->mutex);
				fail = chunksize_nomask(chunk_at_offset(
					       p, size)) <= CHUNK_HDR_SZ ||
				       chunksize(chunk_at_offset(p, size)) >=
					       av->system_mem;
				unlock(&av->mutex);
			}
			if (fail)
				malloc_printerr(
					"free(): invalid next size (fast)");
		}
		free_perturb(L, chunk2mem(p), size - CHUNK_HDR_SZ);
		__atomic_store_n(&av->have_fastchunks, 1, __ATOMIC_RELAXED);
		idx = fastbin_index(size);
		fb = &fastbin(av, idx);
		old = fb_peek(fb);
		if (SINGLE_THREAD_P(c)) {
			if (unlikely(old == p))
				malloc_printerr(
					"double free or corruption (fasttop)");
			CH(p)->fd = PROTECT_PTR(&CH(p)->fd, old);
			fb_set(fb, p);
		} else {
			do {
				if (unlikely(old == p))
					malloc_printerr(
						"double free or corruption (fasttop)");
				old2 = old;
				CH(p)->fd = PROTECT_PTR(&CH(p)->fd, old);
			} while (!__atomic_compare_exchange_n(
				fb, &old, p, false, __ATOMIC_RELEASE,
				__ATOMIC_RELAXED));
			(void)old2;
		}
		if (have_lock && old != 0 &&
		    unlikely(fastbin_index(chunksize(old)) != idx))
			malloc_printerr("invalid fastbin entry (free)");
	} else if (!chunk_is_mmapped(p)) {
		if (SINGLE_THREAD_P(c))
			have_lock = true;
		if (!have_lock)
			lock(&av->mutex);
		nextchunk = chunk_at_offset(p, size);
		if (unlikely(p == av->top))
			malloc_printerr("double free or corruption (top)");
		if (unlikely(contiguous(av) &&
			     C2H(nextchunk) >=
				     (C2H(av->top) + chunksize(av->top))))
			malloc_printerr("double free or corruption (out)");
		if (unlikely(!prev_inuse(nextchunk)))
			malloc_printerr("double free or corruption (!prev)");
		nextsize = chunksize(nextchunk);
		if (unlikely(chunksize_nomask(nextchunk) <= CHUNK_HDR_SZ) ||
		    unlikely(nextsize >= av->system_mem))
			malloc_printerr("free(): invalid next size (normal)");
		free_perturb(L, chunk2mem(p), size - CHUNK_HDR_SZ);

		/* Consolidate backward. */
		if (!prev_inuse(p)) {
			prevsize = CH(p)->prev_size;
			size += prevsize;
			p = chunk_at_offset(p, -((long)prevsize));
			if (unlikely(chunksize(p) != prevsize))
				malloc_printerr(
					"corrupted size vs. prev_size while consolidating");
			unlink_chunk(av, p);
		}
		if (nextchunk != av->top) {
			nextinuse = inuse_bit_at_offset(nextchunk, nextsize);
			/* Consolidate forward. */
			if (!nextinuse) {
				unlink_chunk(av, nextchunk);
				size += nextsize;
			} else {
				clear_inuse_bit_at_offset(nextchunk, 0);
			}
			/* To the unsorted list: one chance to be used as is. */
			bck = unsorted_chunks(av);
			fwd = CH(bck)->fd;
			if (unlikely(CH(fwd)->bk != bck))
				malloc_printerr(
					"free(): corrupted unsorted chunks");
			CH(p)->fd = fwd;
			CH(p)->bk = bck;
			if (!in_smallbin_range(size)) {
				CH(p)->fd_nextsize = 0;
				CH(p)->bk_nextsize = 0;
			}
			CH(bck)->fd = p;
			CH(fwd)->bk = p;
			set_head(p, size | PREV_INUSE);
			set_foot(p, size);
		} else {
			/* Borders the top: merge into it. */
			size += nextsize;
			set_head(p, size | PREV_INUSE);
			av->top = p;
		}

		if (size >= FASTBIN_CONSOLIDATION_THRESHOLD) {
			if (__atomic_load_n(&av->have_fastchunks,
					    __ATOMIC_RELAXED))
				malloc_consolidate(L, av);
			if (av == &L->main_arena) {
				if (chunksize(av->top) >=
				    mp_get(trim_threshold))
					systrim(c, L->mp.top_pad, av);
			} else {
				/* Always try heap_trim(): the heap might go away. */
				heap_trim(L, heap_for_ptr(L, C2H(av->top)),
					  L->mp.top_pad);
			}
		}
		if (!have_lock)
			unlock(&av->mutex);
	} else {
		munmap_chunk(L, p);
	}
}

/* ---- _int_realloc, _int_memalign -------------------------------------------------- */

static void *int_realloc(struct tctx *c, mstate av, mchunkptr oldp,
			 size_t oldsize, size_t nb)
{
	struct libc *L = c->L;
	mchunkptr newp, next, remainder;
	size_t newsize, nextsize, remainder_size;
	void *newmem;
	unsigned long nma = av != &L->main_arena ? NON_MAIN_ARENA : 0;

	if (unlikely(chunksize_nomask(oldp) <= CHUNK_HDR_SZ) ||
	    unlikely(oldsize >= av->system_mem))
		malloc_printerr("realloc(): invalid old size");
	next = chunk_at_offset(oldp, oldsize);
	nextsize = chunksize(next);
	if (unlikely(chunksize_nomask(next) <= CHUNK_HDR_SZ) ||
	    unlikely(nextsize >= av->system_mem))
		malloc_printerr("realloc(): invalid next size");

	if (oldsize >= nb) {
		newp = oldp;
		newsize = oldsize;
	} else {
		if (next == av->top &&
		    (newsize = oldsize + nextsize) >= nb + MINSIZE) {
			/* Expand forward into top. */
			set_head_size(oldp, nb | nma);
			av->top = chunk_at_offset(oldp, nb);
			set_head(av->top, (newsize - nb) | PREV_INUSE);
			return chunk2mem(oldp);
		} else if (next != av->top && !inuse(next) &&
			   (newsize = oldsize + nextsize) >= nb) {
			/* Expand forward into the next free chunk. */
			newp = oldp;
			unlink_chunk(av, next);
		} else {
			/* Allocate, copy, free. */
			newmem = int_malloc(c, av, nb - MALLOC_ALIGN_MASK);
			if (newmem == NULL)
				return NULL;
			newp = mem2chunk(newmem);
			newsize = chunksize(newp);
			if (newp == next) {
				/* The next chunk: no copy. */
				newsize += oldsize;
				newp = oldp;
			} else {
				memcpy(newmem, chunk2mem(oldp),
				       oldsize - SIZE_SZ);
				int_free(c, av, oldp, 1);
				return newmem;
			}
		}
	}

	/* Free the extra space at the end, if enough for a chunk. */
	remainder_size = newsize - nb;
	if (remainder_size < MINSIZE) {
		set_head_size(newp, newsize | nma);
		set_inuse_bit_at_offset(newp, newsize);
	} else {
		remainder = chunk_at_offset(newp, nb);
		set_head_size(newp, nb | nma);
		set_head(remainder, remainder_size | PREV_INUSE | nma);
		/* Mark it in use so that free() does not complain. */
		set_inuse_bit_at_offset(remainder, remainder_size);
		int_free(c, av, remainder, 1);
	}
	return chunk2mem(newp);
}

static void *int_memalign(struct tctx *c, mstate av, size_t alignment,
			  size_t bytes)
{
	struct libc *L = c->L;
	size_t nb, newsize, leadsize, size, remainder_size;
	char *m, *brk;
	mchunkptr p, newp, remainder;
	unsigned long nma = av != &L->main_arena ? NON_MAIN_ARENA : 0;

	if (!checked_request2size(bytes, &nb) || alignment > PTRDIFF_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	/* Worst-case padding to hit the alignment. */
	m = int_malloc(c, av, nb + alignment + MINSIZE);
	if (m == NULL)
		return NULL;
	p = mem2chunk(m);
	/* The alignment is of the process's (user) address. */
	if (UADDR(m) % alignment != 0) {
		/* An aligned spot inside, with room for a leading chunk. */
		brk = m +
		      (((UADDR(m) + alignment - 1) &
			-((signed long)alignment)) -
		       UADDR(m)) -
		      CHUNK_HDR_SZ;
		if ((unsigned long)(brk - C2H(p)) < MINSIZE)
			brk += alignment;
		newp = H2C(brk);
		leadsize = brk - C2H(p);
		newsize = chunksize(p) - leadsize;
		if (chunk_is_mmapped(p)) {
			CH(newp)->prev_size = CH(p)->prev_size + leadsize;
			set_head(newp, newsize | IS_MMAPPED);
			return chunk2mem(newp);
		}
		/* Give back the leader, use the rest. */
		set_head(newp, newsize | PREV_INUSE | nma);
		set_inuse_bit_at_offset(newp, newsize);
		set_head_size(p, leadsize | nma);
		int_free(c, av, p, 1);
		p = newp;
	}
	/* Also give back spare room at the end. */
	if (!chunk_is_mmapped(p)) {
		size = chunksize(p);
		if (size > nb + MINSIZE) {
			remainder_size = size - nb;
			remainder = chunk_at_offset(p, nb);
			set_head(remainder, remainder_size | PREV_INUSE | nma);
			set_head_size(p, nb);
			int_free(c, av, remainder, 1);
		}
	}
	return chunk2mem(p);
}

/* ---- thread exit (glibc's tcache_thread_shutdown, arena_thread_freeres) ---------------- */

/* The thread's cached chunks and its tcache itself go back to their arenas,
 * where they coalesce; the tcache cannot come back (shutting_down). */
static void tcache_thread_shutdown(struct tctx *c)
{
	struct TCACHE_T *t = c->TCF;
	int i;

	c->shutting_down = true;
	if (!t)
		return;
	c->TCF = NULL;
	for (i = 0; i < TCACHE_MAX_BINS; ++i) {
		while (t->entries[i]) {
			struct tcache_entry *e = TE(t->entries[i]);

			if (unlikely(!aligned_OK(e)))
				malloc_printerr(
					"tcache_thread_shutdown(): "
					"unaligned tcache chunk detected");
			t->entries[i] = REVEAL_PTR(e->next);
			e->key = 0;
			core_free(e);
		}
	}
	core_free(t);
}

/* __malloc_arena_thread_freeres(), run inside the process of slot want. */
static int arena_thread_freeres(void *arg)
{
	struct tctx *want = arg, *c = ctx();
	struct libc *L;
	mstate a;

	if (c != want)
		return -1;
	L = c->L;
	tcache_thread_shutdown(c);
	a = c->arena;
	c->arena = NULL;
	if (a) {
		/* The last thread of an arena puts it on the free list, where
		 * the next thread that needs an arena finds it. */
		lock(&L->free_list_lock);
		if (--a->attached_threads == 0) {
			a->next_free = L->free_list;
			L->free_list = a;
		}
		unlock(&L->free_list_lock);
	}
	return 0;
}

/* ---- ptmalloc_init ---------------------------------------------------------------- */

/* The first malloc of a process finishes the libc data its thread mapped
 * (libc/malloc.c) and returns the main arena. */
static void *ptmalloc_init(struct libc_hdr *h)
{
	struct libc *L = (struct libc *)h;
	struct timespec ts;
	pthread_mutexattr_t a;

	/* tcache_key_initialize(): random, never 0. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	L->tcache_key = ((uintptr_t)ts.tv_nsec * 0x9e3779b97f4a7c15UL) ^
			((uintptr_t)L >> 12) ^ ((uintptr_t)ts.tv_sec << 32);
	if (!L->tcache_key)
		L->tcache_key = 1;
	pthread_mutexattr_init(&a);
	pthread_mutex_init(&L->list_lock, &a);
	pthread_mutex_init(&L->free_list_lock, &a);
	pthread_mutex_init(&L->main_arena.mutex, &a);
	pthread_mutexattr_destroy(&a);
	L->mp.top_pad = DEFAULT_TOP_PAD;
	L->mp.n_mmaps_max = DEFAULT_MMAP_MAX;
	mp_set(mmap_threshold, DEFAULT_MMAP_THRESHOLD);
	mp_set(trim_threshold, DEFAULT_TRIM_THRESHOLD);
	L->mp.arena_test = NARENAS_FROM_NCORES(1);
	L->mp.tcache_count = TCACHE_FILL_COUNT;
	L->mp.tcache_bins = TCACHE_MAX_BINS;
	L->mp.tcache_max_bytes = MAX_TCACHE_SIZE;
	L->narenas = 1;
	L->main_arena.next = &L->main_arena;
	L->main_arena.attached_threads = 1;
	malloc_init_state(L, &L->main_arena);
	L->h.main_arena = &L->main_arena;
	return &L->main_arena;
}

/* ---- the public functions ----------------------------------------------------------- */

/*
 * The fast paths of malloc and free are the tcache hit: everything else
 * (checks that fail, an empty or full tcache bin, a first call) goes to the
 * slow path, which does the whole of glibc's __libc_malloc/__libc_free again
 * from the start, so that the order of glibc's checks and what they print
 * stay exactly glibc's.
 */
static __attribute__((__noinline__)) void *malloc_slow(size_t bytes)
{
	struct tctx *c = ctx();
	mstate ar_ptr;
	void *victim;
	size_t tbytes, tc_idx;

	if (unlikely(!c))
		return NULL;
#if SIZE_SZ == 8
	if (c->abi32)
		return kmem_libc32_malloc(bytes);
#endif
	if (!checked_request2size(bytes, &tbytes)) {
		errno = ENOMEM;
		return NULL;
	}
	tc_idx = csize2tidx(tbytes);
	MAYBE_INIT_TCACHE(c);
	if (tc_idx < LIBC(c)->mp.tcache_bins && c->TCF &&
	    c->TCF->counts[tc_idx] > 0)
		return tcache_get(c, tc_idx);

	if (SINGLE_THREAD_P(c))
		return int_malloc(c, &LIBC(c)->main_arena, bytes);

	ar_ptr = arena_get(c, bytes);
	victim = int_malloc(c, ar_ptr, bytes);
	/* Retry with another arena only if we found a usable one before. */
	if (!victim && ar_ptr) {
		ar_ptr = arena_get_retry(c, ar_ptr, bytes);
		victim = int_malloc(c, ar_ptr, bytes);
	}
	if (ar_ptr)
		unlock(&ar_ptr->mutex);
	return victim;
}

/* c: ctx_fast() (the thread's valid view of its process, or NULL). */
static inline void *core_malloc_c(struct tctx *c, size_t bytes)
{
	if (likely(c && c->TCF && bytes <= MC_PTRDIFF_MAX)) {
		size_t tc_idx = csize2tidx(request2size(bytes));

		if (tc_idx < LIBC(c)->mp.tcache_bins &&
		    c->TCF->counts[tc_idx] > 0)
			return tcache_get(c, tc_idx);
	}
#if SIZE_SZ == 8
	/* A process of an x86-32 machine: the i386 build (after the fast
	 * path, which it leaves since its tcache field is NULL). */
	if (c && c->tcache32)
		return kmem_libc32_malloc_c(c, bytes);
#endif
	return malloc_slow(bytes);
}

static inline void *core_malloc(size_t bytes)
{
	return core_malloc_c(ctx_fast(), bytes);
}

static void free_chunk(struct tctx *c, mchunkptr p)
{
	struct libc *L = c->L;

	if (chunk_is_mmapped(p)) {
		/* The dynamic mmap threshold. */
		if (!L->mp.no_dyn_threshold &&
		    chunksize_nomask(p) > mp_get(mmap_threshold) &&
		    chunksize_nomask(p) <= DEFAULT_MMAP_THRESHOLD_MAX) {
			mp_set(mmap_threshold, chunksize(p));
			mp_set(trim_threshold, 2 * mp_get(mmap_threshold));
		}
		munmap_chunk(L, p);
	} else {
		MAYBE_INIT_TCACHE(c);
		int_free(c, arena_for_chunk(L, p), p, 0);
	}
}

static __attribute__((__noinline__)) void free_slow(void *mem)
{
	struct tctx *c = ctx();
	int err;

	if (unlikely(!c))
		return;
#if SIZE_SZ == 8
	if (c->abi32)
		return kmem_libc32_free(mem);
#endif
	err = errno;
	free_chunk(c, mem2chunk(mem));
	errno = err;
}

static inline void core_free_c(struct tctx *c, void *mem)
{
	mchunkptr p;
	size_t size, tc_idx;

	p = mem2chunk(mem);
	/* int_free's checks, then its tcache_put, for a chunk not mmapped. */
	if (likely(c && c->TCF && !((size = size_get(p)) & IS_MMAPPED))) {
		struct libc *L = c->L;
		struct tcache_entry *e = mem;

		size &= ~SIZE_BITS;
		tc_idx = csize2tidx(size);
		if (likely((uword)(uintptr_t)p <= (uword)-size &&
			   !misaligned_chunk(p) && size >= MINSIZE &&
			   aligned_OK(size) && tc_idx < L->mp.tcache_bins &&
			   e->key != L->tcache_key &&
			   c->TCF->counts[tc_idx] < L->mp.tcache_count)) {
			tcache_put(c, p, tc_idx);
			return;
		}
	}
#if SIZE_SZ == 8
	if (c && c->tcache32)
		return kmem_libc32_free_c(c, mem);
#endif
	free_slow(mem);
}

static inline void core_free(void *mem)
{
	if (mem == NULL)
		return;
	core_free_c(ctx_fast(), mem);
}

static void *core_realloc(void *oldmem, size_t bytes)
{
	struct tctx *c;
	mstate ar_ptr;
	mchunkptr oldp;
	size_t oldsize, nb;
	void *newp;

	if (bytes == 0 && oldmem != NULL) {
		core_free(oldmem);
		return NULL;
	}
	if (oldmem == NULL)
		return core_malloc(bytes);
	c = ctx();
	if (unlikely(!c))
		return NULL;
	oldp = mem2chunk(oldmem);
	oldsize = chunksize(oldp);
	if (chunk_is_mmapped(oldp)) {
		ar_ptr = NULL;
	} else {
		MAYBE_INIT_TCACHE(c);
		ar_ptr = arena_for_chunk(c->L, oldp);
	}
	if (unlikely((uword)(uintptr_t)oldp > (uword)-oldsize) ||
	    unlikely(misaligned_chunk(oldp)))
		malloc_printerr("realloc(): invalid pointer");
	if (!checked_request2size(bytes, &nb)) {
		errno = ENOMEM;
		return NULL;
	}
	if (chunk_is_mmapped(oldp)) {
		void *newmem;
		mchunkptr np = mremap_chunk(c->L, oldp, nb);

		if (np)
			return chunk2mem(np);
		/* Note the extra SIZE_SZ overhead. */
		if (oldsize - SIZE_SZ >= nb)
			return oldmem;
		newmem = core_malloc(bytes);
		if (newmem == NULL)
			return NULL;
		memcpy(newmem, oldmem, oldsize - CHUNK_HDR_SZ);
		munmap_chunk(c->L, oldp);
		return newmem;
	}
	if (SINGLE_THREAD_P(c))
		return int_realloc(c, ar_ptr, oldp, oldsize, nb);

	lock(&ar_ptr->mutex);
	newp = int_realloc(c, ar_ptr, oldp, oldsize, nb);
	unlock(&ar_ptr->mutex);
	if (newp == NULL) {
		/* Try harder in other arenas. */
		newp = core_malloc(bytes);
		if (newp) {
			memcpy(newp, oldmem, oldsize - SIZE_SZ);
			int_free(c, ar_ptr, oldp, 0);
		}
	}
	return newp;
}

static void *mid_memalign(size_t alignment, size_t bytes)
{
	struct tctx *c;
	mstate ar_ptr;
	void *p;

	if (alignment <= MALLOC_ALIGNMENT)
		return core_malloc(bytes);
	c = ctx();
	if (unlikely(!c))
		return NULL;
	if (alignment < MINSIZE)
		alignment = MINSIZE;
	if (alignment > MC_SIZE_MAX / 2 + 1) {
		errno = EINVAL;
		return NULL;
	}
	if (alignment & (alignment - 1)) {
		size_t a = MALLOC_ALIGNMENT * 2;

		while (a < alignment)
			a <<= 1;
		alignment = a;
	}
	if (SINGLE_THREAD_P(c))
		return int_memalign(c, &LIBC(c)->main_arena, alignment, bytes);
	ar_ptr = arena_get(c, bytes + alignment + MINSIZE);
	p = int_memalign(c, ar_ptr, alignment, bytes);
	if (!p && ar_ptr) {
		ar_ptr = arena_get_retry(c, ar_ptr, bytes);
		p = int_memalign(c, ar_ptr, alignment, bytes);
	}
	if (ar_ptr)
		unlock(&ar_ptr->mutex);
	return p;
}

static int core_posix_memalign(void **memptr, size_t alignment, size_t size)
{
	void *mem;

	/* sizeof(void *) of the process: SIZE_SZ */
	if (alignment % SIZE_SZ != 0 ||
	    ((alignment / SIZE_SZ) & (alignment / SIZE_SZ - 1)) != 0 ||
	    alignment == 0)
		return EINVAL;
	mem = mid_memalign(alignment, size);
	if (mem) {
		*memptr = mem;
		return 0;
	}
	return errno == ESRCH ? ESRCH : ENOMEM;
}

static void *core_pvalloc(size_t bytes)
{
	size_t rounded;

	if (__builtin_add_overflow(bytes, PAGESIZE - 1, &rounded) ||
	    rounded > MC_SIZE_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	rounded &= -(PAGESIZE - 1);
	return mid_memalign(PAGESIZE, rounded);
}

static void *core_calloc(size_t n, size_t elem_size)
{
	struct tctx *c;
	struct libc *L;
	mstate av;
	mchunkptr oldtop, p;
	size_t sz, oldtopsize, csz, clearsize, nclears;
	uword *d;
	void *mem;

	if (__builtin_mul_overflow(n, elem_size, &sz) || sz > MC_PTRDIFF_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	c = ctx();
	if (unlikely(!c))
		return NULL;
	L = c->L;
	MAYBE_INIT_TCACHE(c);
	if (SINGLE_THREAD_P(c))
		av = &L->main_arena;
	else
		av = arena_get(c, sz);

	if (av) {
		/* Memory fresh from the system is already zero. */
		oldtop = av->top;
		oldtopsize = chunksize(av->top);
		if (av == &L->main_arena &&
		    oldtopsize < (size_t)(L->mp.sbrk_base + av->max_system_mem -
					  C2H(oldtop)))
			oldtopsize = L->mp.sbrk_base + av->max_system_mem -
				     C2H(oldtop);
		if (av != &L->main_arena) {
			struct heap_info *heap = heap_for_ptr(L, C2H(oldtop));

			if (oldtopsize <
			    (size_t)((char *)heap + heap->mprotect_size -
				     C2H(oldtop)))
				oldtopsize = (char *)heap +
					     heap->mprotect_size - C2H(oldtop);
		}
	} else {
		oldtop = 0;
		oldtopsize = 0;
	}
	mem = int_malloc(c, av, sz);
	if (!SINGLE_THREAD_P(c)) {
		if (mem == NULL && av != NULL) {
			av = arena_get_retry(c, av, sz);
			mem = int_malloc(c, av, sz);
		}
		if (av)
			unlock(&av->mutex);
	}
	if (mem == NULL)
		return NULL;

	p = mem2chunk(mem);
	csz = chunksize(p);
	if (chunk_is_mmapped(p)) {
		if (unlikely(L->perturb_byte))
			return memset(mem, 0, sz);
		return mem;
	}
	if (L->perturb_byte == 0 && (p == oldtop && csz > oldtopsize))
		csz = oldtopsize; /* clear only what was not fresh */
	d = mem;
	clearsize = csz - SIZE_SZ;
	nclears = clearsize / sizeof(uword);
	if (nclears > 9)
		return memset(d, 0, clearsize);
	d[0] = d[1] = d[2] = 0;
	if (nclears > 4) {
		d[3] = d[4] = 0;
		if (nclears > 6) {
			d[5] = d[6] = 0;
			if (nclears > 8)
				d[7] = d[8] = 0;
		}
	}
	return mem;
}

static size_t core_malloc_usable_size(void *mem)
{
	mchunkptr p;

	if (mem == NULL)
		return 0;
	p = mem2chunk(mem);
	if (chunk_is_mmapped(p))
		return chunksize(p) - CHUNK_HDR_SZ;
	if (inuse(p))
		return chunksize(p) - SIZE_SZ;
	return 0;
}

/* ---- malloc_trim, mallinfo, malloc_stats, malloc_info, mallopt --------------------- */

static int mtrim(struct tctx *c, mstate av, size_t pad)
{
	struct libc *L = c->L;
	const size_t ps = PAGESIZE, psm1 = ps - 1;
	int psindex = bin_index(ps), result = 0, i;

	malloc_consolidate(L, av);
	for (i = 1; i < NBINS; ++i) {
		mchunkptr bin, p;

		if (i != 1 && i < psindex)
			continue;
		bin = bin_at(av, i);
		for (p = last(bin); p != bin; p = CH(p)->bk) {
			size_t size = chunksize(p);

			if (size > psm1 + sizeof(struct chunk)) {
				/* Does the chunk contain at least one unused page? */
				char *paligned_mem =
					(char *)(((uintptr_t)C2H(p) +
						  sizeof(struct chunk) + psm1) &
						 ~psm1);

				size -= paligned_mem - C2H(p);
				if (size > psm1) {
					kmem_sys_madvise(paligned_mem,
							 size & ~psm1,
							 MADV_DONTNEED);
					result = 1;
				}
			}
		}
	}
	return result | (av == &L->main_arena ? systrim(c, pad, av) : 0);
}

static int core_malloc_trim(size_t s)
{
	struct tctx *c = ctx();
	mstate ar_ptr;
	int result = 0;

	if (!c)
		return 0;
	ar_ptr = &LIBC(c)->main_arena;
	do {
		lock(&ar_ptr->mutex);
		result |= mtrim(c, ar_ptr, s);
		unlock(&ar_ptr->mutex);
		ar_ptr = __atomic_load_n(&ar_ptr->next, __ATOMIC_ACQUIRE);
	} while (ar_ptr != &LIBC(c)->main_arena);
	return result;
}

static void int_mallinfo(struct libc *L, mstate av, struct kmem_mallinfo2 *m)
{
	size_t i, avail, fastavail;
	int nblocks, nfastblocks;
	mchunkptr b, p;

	avail = chunksize(av->top);
	nblocks = 1; /* top always exists */
	nfastblocks = 0;
	fastavail = 0;
	for (i = 0; i < NFASTBINS; ++i) {
		for (p = fb_peek(&fastbin(av, i)); p != 0;
		     p = REVEAL_PTR(CH(p)->fd)) {
			if (unlikely(misaligned_chunk(p)))
				malloc_printerr(
					"int_mallinfo(): unaligned fastbin chunk detected");
			++nfastblocks;
			fastavail += chunksize(p);
		}
	}
	avail += fastavail;
	for (i = 1; i < NBINS; ++i) {
		b = bin_at(av, i);
		for (p = last(b); p != b; p = CH(p)->bk) {
			++nblocks;
			avail += chunksize(p);
		}
	}
	m->smblks += nfastblocks;
	m->ordblks += nblocks;
	m->fordblks += avail;
	m->uordblks += av->system_mem - avail;
	m->arena += av->system_mem;
	m->fsmblks += fastavail;
	if (av == &L->main_arena) {
		m->hblks = mp_get(n_mmaps);
		m->hblkhd = mp_get(mmapped_mem);
		m->usmblks = 0;
		m->keepcost = chunksize(av->top);
	}
}

static struct kmem_mallinfo2 core_mallinfo2(void)
{
	struct kmem_mallinfo2 m;
	struct tctx *c = ctx();
	mstate ar_ptr;

	memset(&m, 0, sizeof(m));
	if (!c)
		return m;
	ar_ptr = &LIBC(c)->main_arena;
	do {
		lock(&ar_ptr->mutex);
		int_mallinfo(c->L, ar_ptr, &m);
		unlock(&ar_ptr->mutex);
		ar_ptr = __atomic_load_n(&ar_ptr->next, __ATOMIC_ACQUIRE);
	} while (ar_ptr != &LIBC(c)->main_arena);
	return m;
}

static void core_malloc_stats_to(FILE *f)
{
	struct tctx *c = ctx();
	struct libc *L;
	mstate ar_ptr;
	unsigned int in_use_b, system_b;
	int i;

	if (!c)
		return;
	L = c->L;
	in_use_b = system_b = mp_get(mmapped_mem);
	for (i = 0, ar_ptr = &L->main_arena;; i++) {
		struct kmem_mallinfo2 mi;

		memset(&mi, 0, sizeof(mi));
		lock(&ar_ptr->mutex);
		int_mallinfo(L, ar_ptr, &mi);
		fprintf(f, "Arena %d:\n", i);
		fprintf(f, "system bytes     = %10u\n", (unsigned int)mi.arena);
		fprintf(f, "in use bytes     = %10u\n",
			(unsigned int)mi.uordblks);
		system_b += mi.arena;
		in_use_b += mi.uordblks;
		unlock(&ar_ptr->mutex);
		ar_ptr = __atomic_load_n(&ar_ptr->next, __ATOMIC_ACQUIRE);
		if (ar_ptr == &L->main_arena)
			break;
	}
	fprintf(f, "Total (incl. mmap):\n");
	fprintf(f, "system bytes     = %10u\n", system_b);
	fprintf(f, "in use bytes     = %10u\n", in_use_b);
	fprintf(f, "max mmap regions = %10u\n",
		(unsigned int)mp_get(max_n_mmaps));
	fprintf(f, "max mmap bytes   = %10lu\n",
		(unsigned long)mp_get(max_mmapped_mem));
}

static int core_malloc_info(int options, FILE *fp)
{
	struct tctx *c;
	struct libc *L;
	mstate ar_ptr;
	size_t total_nblocks = 0, total_nfastblocks = 0, total_avail = 0,
	       total_fastavail = 0;
	size_t total_system = 0, total_max_system = 0, total_aspace = 0,
	       total_aspace_mprotect = 0;
	int n = 0;

	if (options != 0)
		return EINVAL;
	c = ctx();
	if (!c)
		return ESRCH;
	L = c->L;
	fputs("<malloc version=\"1\">\n", fp);
	ar_ptr = &L->main_arena;
	do {
		struct {
			size_t from, to, total, count;
		} sizes[NFASTBINS + NBINS - 1];
		size_t nblocks, nfastblocks = 0, avail, fastavail = 0, i;
		size_t heap_size = 0, heap_mprotect_size = 0, heap_count = 0;
		const size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);

		fprintf(fp, "<heap nr=\"%d\">\n<sizes>\n", n++);
		lock(&ar_ptr->mutex);
		avail = chunksize(ar_ptr->top);
		nblocks = 1;
		for (i = 0; i < NFASTBINS; ++i) {
			mchunkptr p = fb_peek(&fastbin(ar_ptr, i));

			if (p) {
				size_t nthissize = 0, thissize = chunksize(p);

				while (p) {
					if (unlikely(misaligned_chunk(p)))
						malloc_printerr(
							"__malloc_info(): unaligned fastbin chunk detected");
					++nthissize;
					p = REVEAL_PTR(CH(p)->fd);
				}
				fastavail += nthissize * thissize;
				nfastblocks += nthissize;
				sizes[i].from =
					thissize - (MALLOC_ALIGNMENT - 1);
				sizes[i].to = thissize;
				sizes[i].count = nthissize;
			} else {
				sizes[i].from = sizes[i].to = sizes[i].count =
					0;
			}
			sizes[i].total = sizes[i].count * sizes[i].to;
		}
		for (i = 1; i < NBINS; ++i) {
			mchunkptr bin = bin_at(ar_ptr, i), r = CH(bin)->fd;
			size_t k = NFASTBINS - 1 + i;

			sizes[k].from = ~(size_t)0;
			sizes[k].to = sizes[k].total = sizes[k].count = 0;
			if (r)
				while (r != bin) {
					size_t r_size = chunksize_nomask(r);

					++sizes[k].count;
					sizes[k].total += r_size;
					if (r_size < sizes[k].from)
						sizes[k].from = r_size;
					if (r_size > sizes[k].to)
						sizes[k].to = r_size;
					r = CH(r)->fd;
				}
			if (sizes[k].count == 0)
				sizes[k].from = 0;
			nblocks += sizes[k].count;
			avail += sizes[k].total;
		}
		if (ar_ptr != &L->main_arena) {
			/* The arena's heaps, from back to front. */
			struct heap_info *heap =
				heap_for_ptr(L, C2H(ar_ptr->top));

			do {
				heap_size += heap->size;
				heap_mprotect_size += heap->mprotect_size;
				heap = heap->prev;
				++heap_count;
			} while (heap != NULL);
		}
		unlock(&ar_ptr->mutex);

		total_nfastblocks += nfastblocks;
		total_fastavail += fastavail;
		total_nblocks += nblocks;
		total_avail += avail;
		for (i = 0; i < nsizes; ++i)
			if (sizes[i].count != 0 && i != NFASTBINS)
				fprintf(fp,
					"  <size from=\"%zu\" to=\"%zu\" total=\"%zu\" count=\"%zu\"/>\n",
					sizes[i].from, sizes[i].to,
					sizes[i].total, sizes[i].count);
		if (sizes[NFASTBINS].count != 0)
			fprintf(fp,
				"  <unsorted from=\"%zu\" to=\"%zu\" total=\"%zu\" count=\"%zu\"/>\n",
				sizes[NFASTBINS].from, sizes[NFASTBINS].to,
				sizes[NFASTBINS].total, sizes[NFASTBINS].count);
		total_system += ar_ptr->system_mem;
		total_max_system += ar_ptr->max_system_mem;
		fprintf(fp,
			"</sizes>\n<total type=\"fast\" count=\"%zu\" size=\"%zu\"/>\n"
			"<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n"
			"<system type=\"current\" size=\"%zu\"/>\n"
			"<system type=\"max\" size=\"%zu\"/>\n",
			nfastblocks, fastavail, nblocks, avail,
			ar_ptr->system_mem, ar_ptr->max_system_mem);
		if (ar_ptr != &L->main_arena) {
			fprintf(fp,
				"<aspace type=\"total\" size=\"%zu\"/>\n"
				"<aspace type=\"mprotect\" size=\"%zu\"/>\n"
				"<aspace type=\"subheaps\" size=\"%zu\"/>\n",
				heap_size, heap_mprotect_size, heap_count);
			total_aspace += heap_size;
			total_aspace_mprotect += heap_mprotect_size;
		} else {
			fprintf(fp,
				"<aspace type=\"total\" size=\"%zu\"/>\n"
				"<aspace type=\"mprotect\" size=\"%zu\"/>\n",
				ar_ptr->system_mem, ar_ptr->system_mem);
			total_aspace += ar_ptr->system_mem;
			total_aspace_mprotect += ar_ptr->system_mem;
		}
		fputs("</heap>\n", fp);
		ar_ptr = __atomic_load_n(&ar_ptr->next, __ATOMIC_ACQUIRE);
	} while (ar_ptr != &L->main_arena);

	fprintf(fp,
		"<total type=\"fast\" count=\"%zu\" size=\"%zu\"/>\n"
		"<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n"
		"<total type=\"mmap\" count=\"%d\" size=\"%zu\"/>\n"
		"<system type=\"current\" size=\"%zu\"/>\n"
		"<system type=\"max\" size=\"%zu\"/>\n"
		"<aspace type=\"total\" size=\"%zu\"/>\n"
		"<aspace type=\"mprotect\" size=\"%zu\"/>\n"
		"</malloc>\n",
		total_nfastblocks, total_fastavail, total_nblocks, total_avail,
		mp_get(n_mmaps), mp_get(mmapped_mem), total_system,
		total_max_system, total_aspace, total_aspace_mprotect);
	return 0;
}

static int core_mallopt(int param_number, int value)
{
	struct tctx *c = ctx();
	struct libc *L;
	mstate av;
	int res = 1;

	if (!c)
		return 0;
	L = c->L;
	av = &L->main_arena;
	lock(&av->mutex);
	/* Consolidate before changing max_fast. */
	malloc_consolidate(L, av);
	switch (param_number) {
	case M_MXFAST:
		if ((size_t)value <= MAX_FAST_SIZE)
			L->global_max_fast =
				value == 0 ? MIN_CHUNK_SIZE / 2 :
					     (((size_t)value + SIZE_SZ) &
					      ~MALLOC_ALIGN_MASK);
		else
			res = 0;
		break;
	case M_TRIM_THRESHOLD:
		mp_set(trim_threshold, (size_t)value);
		L->mp.no_dyn_threshold = 1;
		break;
	case M_TOP_PAD:
		L->mp.top_pad = (size_t)value;
		L->mp.no_dyn_threshold = 1;
		break;
	case M_MMAP_THRESHOLD:
		/* Forbid setting the threshold too high. */
		if ((size_t)value <= HEAP_MAX_SIZE / 2) {
			mp_set(mmap_threshold, (size_t)value);
			L->mp.no_dyn_threshold = 1;
		} else {
			res = 0;
		}
		break;
	case M_MMAP_MAX:
		L->mp.n_mmaps_max = value;
		L->mp.no_dyn_threshold = 1;
		break;
	case M_CHECK_ACTION:
		break;
	case M_PERTURB:
		L->perturb_byte = value;
		break;
	case M_ARENA_TEST:
		if (value > 0)
			L->mp.arena_test = (size_t)value;
		break;
	case M_ARENA_MAX:
		if (value > 0)
			L->mp.arena_max = (size_t)value;
		break;
	}
	unlock(&av->mutex);
	return res;
}
