/* SPDX-License-Identifier: MIT */
/*
 * Deterministic malloc workloads, run the same way on two allocators: the
 * host's glibc (tests/helpers/malloc_glibc.c, a fresh process) and kmem's
 * malloc inside a simulated process (tests/integration/malloc_ref.c). The
 * runner writes one line per operation with what can be compared between
 * the two: where the result lies relative to the start of the heap (or, for
 * an mmapped chunk, the size of its mapping), the break after the operation
 * and the usable size. Identical text means identical behaviour.
 *
 * Nothing here uses the allocator under test for its own memory: the log and
 * the table of live pointers are mmapped.
 */
#ifndef MALLOC_SEQ_H
#define MALLOC_SEQ_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct seq_alloc {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*memalign)(size_t, size_t);
	size_t (*usable)(void *);
	int (*mallopt)(int, int);
	int (*trim)(size_t);
	void *(*sbrk0)(void);
	void (*info)(void); /* malloc_info(0, the output) */
};

#define SEQ_OPS 10000
#define SEQ_COUNT 24
#define SEQ_LIVE 2048

/* The log: a growing mmapped buffer. */
struct seq_log {
	char *buf;
	size_t len, cap;
};

static inline void seq_logf(struct seq_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void seq_logf(struct seq_log *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->cap - l->len < 256) {
		size_t ncap = l->cap ? l->cap * 2 : (1UL << 20);
		char *nb = mmap(NULL, ncap, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (nb == MAP_FAILED)
			return;
		if (l->buf) {
			memcpy(nb, l->buf, l->len);
			munmap(l->buf, l->cap);
		}
		l->buf = nb;
		l->cap = ncap;
	}
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
}

static inline void seq_log_free(struct seq_log *l)
{
	if (l->buf)
		munmap(l->buf, l->cap);
	l->buf = NULL;
	l->len = l->cap = 0;
}

static inline uint64_t seq_rand(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* A request size: mostly small, some medium and large, a few mmapped. */
static inline size_t seq_size(uint64_t *s)
{
	unsigned int r = seq_rand(s) % 1000;

	if (r < 550)
		return seq_rand(s) % 129;
	if (r < 800)
		return 129 + seq_rand(s) % 900;
	if (r < 950)
		return 1024 + seq_rand(s) % (64 << 10);
	if (r < 990)
		return (64 << 10) + seq_rand(s) % (512 << 10);
	return (512 << 10) + seq_rand(s) % (4 << 20);
}

/* Where a result lies: "h<offset from the heap start>" for a heap chunk,
 * "m<mapping size>" for an mmapped one. */
static inline void seq_where(struct seq_log *l, const struct seq_alloc *a,
			     char *heap, void *p)
{
	size_t size, prev;
	const size_t *hdr;

	if (!p) {
		seq_logf(l, " null");
		return;
	}
	/* The chunk header: prev_size and size words before the pointer. */
	hdr = (const size_t *)((uintptr_t)p - 2 * sizeof(size_t));
	__asm__("" : "+r"(hdr));
	size = hdr[1];
	prev = hdr[0];
	if (size & 2)
		seq_logf(l, " m%zu", (size & ~(size_t)7) + prev);
	else
		seq_logf(l, " h%ld", (long)((char *)p - heap));
	seq_logf(l, " u%zu", a->usable(p));
}

/* Mark the first and last usable byte with a tag to check at free. */
static inline void seq_mark(const struct seq_alloc *a, void *p, size_t n,
			    unsigned char tag)
{
	if (p && n) {
		((unsigned char *)p)[0] = tag;
		((unsigned char *)p)[n - 1] = tag;
	}
	(void)a;
}

/*
 * Run sequence `seq`: its mallopt settings, then SEQ_OPS operations. Returns
 * the number of content errors seen (a tag overwritten).
 */
static inline int seq_run(const struct seq_alloc *a, int seq, struct seq_log *l)
{
	static void *live[SEQ_LIVE];
	static size_t len[SEQ_LIVE];
	static unsigned char tag[SEQ_LIVE];
	uint64_t s = 0x9E3779B97F4A7C15ULL * (uint64_t)(seq + 1);
	char *heap = a->sbrk0();
	int nlive = 0, i, errors = 0;

	/* Some sequences change the parameters first. */
	switch (seq % 6) {
	case 1:
		a->mallopt(-3 /* M_MMAP_THRESHOLD */, 64 << 10);
		break;
	case 2:
		a->mallopt(-1 /* M_TRIM_THRESHOLD */, 32 << 10);
		a->mallopt(-2 /* M_TOP_PAD */, 16 << 10);
		break;
	case 3:
		a->mallopt(1 /* M_MXFAST */, 0);
		break;
	case 4:
		a->mallopt(-4 /* M_MMAP_MAX */, 0);
		break;
	case 5:
		a->mallopt(-6 /* M_PERTURB */, 0xa5);
		a->mallopt(1 /* M_MXFAST */, 160);
		break;
	}
	for (i = 0; i < SEQ_OPS; i++) {
		unsigned int op = seq_rand(&s) % 100;
		int k;
		void *p;
		size_t n;

		if (nlive > 0 && (op < 40 || nlive == SEQ_LIVE)) {
			/* free */
			k = seq_rand(&s) % nlive;
			if (len[k] &&
			    (((unsigned char *)live[k])[0] != tag[k] ||
			     ((unsigned char *)live[k])[len[k] - 1] != tag[k]))
				errors++;
			a->free(live[k]);
			seq_logf(l, "%d free %d", i, k);
			live[k] = live[--nlive];
			len[k] = len[nlive];
			tag[k] = tag[nlive];
		} else if (nlive > 0 && op < 50) {
			/* realloc */
			k = seq_rand(&s) % nlive;
			n = seq_size(&s) + 1;
			p = a->realloc(live[k], n);
			seq_logf(l, "%d realloc %d %zu", i, k, n);
			seq_where(l, a, heap, p);
			if (p) {
				size_t keep = len[k] < n ? len[k] : n;

				if (keep && ((unsigned char *)p)[0] != tag[k])
					errors++;
				live[k] = p;
				len[k] = n;
				seq_mark(a, p, n, tag[k]);
			}
		} else if (op < 58) {
			/* calloc */
			size_t nm = 1 + seq_rand(&s) % 16;

			n = seq_size(&s) / nm + 1;
			p = a->calloc(nm, n);
			seq_logf(l, "%d calloc %zu %zu", i, nm, n);
			seq_where(l, a, heap, p);
			if (p && (((unsigned char *)p)[0] ||
				  ((unsigned char *)p)[nm * n - 1]))
				errors++;
			n *= nm;
			goto keep;
		} else if (op < 63) {
			/* memalign */
			size_t al = (size_t)32 << (seq_rand(&s) % 8);

			n = seq_size(&s);
			p = a->memalign(al, n);
			seq_logf(l, "%d memalign %zu %zu", i, al, n);
			seq_where(l, a, heap, p);
			if (p && ((uintptr_t)p & (al - 1)))
				errors++;
			goto keep;
		} else if (op == 63 && seq_rand(&s) % 20 == 0) {
			int r = a->trim(seq_rand(&s) % 2 ? 0 : 4096);

			seq_logf(l, "%d trim %d", i, r);
			p = NULL;
		} else {
			n = seq_size(&s);
			p = a->malloc(n);
			seq_logf(l, "%d malloc %zu", i, n);
			seq_where(l, a, heap, p);
keep:
			if (p && nlive < SEQ_LIVE) {
				live[nlive] = p;
				len[nlive] = n;
				tag[nlive] = (unsigned char)(i | 1);
				seq_mark(a, p, n, tag[nlive]);
				nlive++;
			}
		}
		seq_logf(l, " brk%ld\n", (long)((char *)a->sbrk0() - heap));
	}
	if (a->info)
		a->info();
	/* Free everything: the last frees trim the heap. */
	while (nlive > 0)
		a->free(live[--nlive]);
	seq_logf(l, "end brk%ld\n", (long)((char *)a->sbrk0() - heap));
	return errors;
}

/* Usable sizes of malloc(n) for n = 0 .. 256 KiB, then sampled sizes up to
 * 64 MiB: one number a line. */
static inline void usable_run(const struct seq_alloc *a, struct seq_log *l)
{
	uint64_t s = 12345;
	size_t n;
	int i;

	for (n = 0; n <= (256 << 10); n++) {
		void *p = a->malloc(n);

		seq_logf(l, "%zu %zu\n", n, a->usable(p));
		a->free(p);
	}
	for (i = 0; i < 2000; i++) {
		void *p;

		n = (256 << 10) + seq_rand(&s) % (64UL << 20);
		p = a->malloc(n);
		seq_logf(l, "%zu %zu\n", n, a->usable(p));
		a->free(p);
	}
}

#endif
