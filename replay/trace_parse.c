// SPDX-License-Identifier: MIT
/*
 * The trace parser: kernel tracepoint text -> struct kmem_trace_event[].
 *
 * Theory. A trace line is a prefix that says who and when, then the event's
 * name and its printed fields:
 *
 *   ftrace     "<comm>-<pid> [<cpu>] <flags> <secs>.<usecs>: <event>: <fields>"
 *              (flags absent on old kernels or without irq-info)
 *   trace-cmd  the same, after a "cpus=N" header; event names padded to a column
 *   perf       "<comm> <pid>[/<tid>] [<cpu>] <secs>.<frac>: <subsys>:<event>: <fields>"
 *
 * The parser anchors on the " [<cpu>]" field (a comm may contain spaces,
 * dashes and colons, the cpu field never appears before it), reads the pid
 * from the word before it, the optional flags and the timestamp after it,
 * and then the event name. Fields are "key=value" words, except
 * alloc_vmap_area's "va_start: <n>". Only the fields the replay needs are
 * kept; a known event without one of its required fields is malformed.
 *
 * Classification of lines: blank, header ("#...", "cpus=", "version =",
 * "CPU n is empty", perf call-chain lines), event (known type), unknown event
 * (a valid prefix, another event name: counted by name), malformed (reported
 * with its line number, skipped). A file is refused as "not a trace" when it
 * is binary, or when none of its first 200 content lines has a trace prefix.
 *
 * Input: the first bytes decide the decoder (xz magic FD 37 7A 58 5A 00, gzip
 * 1F 8B), so a compressed file piped to stdin works too. Lines are read in a
 * 1 MiB window: the fast path for well-formed kmem events reads a line where
 * it starts and finds its end (the newline) itself; any other line is cut at
 * its newline and read again. A line longer than 64 KiB is malformed.
 *
 * A compressed input is decoded by a thread of its own (src_reader: a ring of
 * buffers under one lock; it waits for a pipe in poll() beside a stop pipe,
 * so that a parse that gives up early never waits for a silent writer); the
 * parse itself is one thread, and a trace is
 * read-only once parsed. kmem_trace_replay_file() replays while it parses: the
 * events go through a sink (order_sink) into the replay, never all in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef KMEM_HAVE_LZMA
#include <lzma.h>
#endif
#ifdef KMEM_HAVE_ZLIB
#include <zlib.h>
#endif

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <kmem/kmem.h>
#include <kmem/introspect.h>
#include <kmem/replay.h>
#include "internal.h"

const char *const kmem_trace_type_names[KMEM_TRACE_NR_TYPES] = {
	"kmalloc",
	"kmem_cache_alloc",
	"kfree",
	"kmem_cache_free",
	"mm_page_alloc",
	"mm_page_free",
	"mm_page_free_batched",
	"alloc_vmap_area",
	"free_vmap_area_noflush",
	"purge_vmap_area_lazy",
};

const char *const kmem_trace_format_names[4] = { "unknown", "ftrace",
						 "trace-cmd", "perf script" };

uint64_t kmem_trace_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- progress bar --------------------------------------------------------- */

void progress_start(struct progress *p, const char *what, uint64_t total,
		    bool want)
{
	p->on = want && isatty(STDERR_FILENO);
	p->what = what;
	p->total = total;
	p->last_shown_ns = 0;
	progress_update(p, 0);
}

void progress_update(struct progress *p, uint64_t done)
{
	uint64_t now;
	int i, width = 40, fill;

	if (!p->on)
		return;
	now = kmem_trace_now_ns();
	if (done && now - p->last_shown_ns < 100000000ull)
		return;
	p->last_shown_ns = now;
	if (!p->total) {
		fprintf(stderr, "\r%-8s %llu", p->what,
			(unsigned long long)done);
		return;
	}
	if (done > p->total)
		done = p->total;
	fill = (int)(done * (uint64_t)width / p->total);
	fprintf(stderr, "\r%-8s [", p->what);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%%", (int)(done * 100 / p->total));
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	fprintf(stderr, "\r%*s\r", 60, "");
	p->on = false;
}

/* ---- names ----------------------------------------------------------------- */

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int names_grow(struct kmem_trace *t)
{
	uint32_t i, size = t->name_hash_size ? t->name_hash_size * 2 : 256;
	uint32_t *nh = calloc(size, sizeof(*nh));

	if (!nh)
		return -1;
	for (i = 1; i < t->nr_names; i++) {
		uint32_t h = name_hash(t->names[i], strlen(t->names[i])) &
			     (size - 1);

		while (nh[h])
			h = (h + 1) & (size - 1);
		nh[h] = i;
	}
	free(t->name_hash);
	t->name_hash = nh;
	t->name_hash_size = size;
	return 0;
}

uint32_t trace_intern(struct kmem_trace *t, const char *name, size_t len)
{
	uint32_t h;
	char *copy;

	if (!t->nr_names) {
		t->cap_names = 64;
		t->names = calloc(t->cap_names, sizeof(char *));
		if (!t->names || !(t->names[0] = strdup("")))
			return 0;
		t->nr_names = 1;
	}
	if ((t->nr_names + 1) * 2 > t->name_hash_size && names_grow(t))
		return 0;
	for (h = name_hash(name, len) & (t->name_hash_size - 1);
	     t->name_hash[h]; h = (h + 1) & (t->name_hash_size - 1)) {
		const char *n = t->names[t->name_hash[h]];

		if (!strncmp(n, name, len) && !n[len])
			return t->name_hash[h];
	}
	if (t->nr_names == t->cap_names) {
		char **nn =
			realloc(t->names, t->cap_names * 2 * sizeof(char *));

		if (!nn)
			return 0;
		t->names = nn;
		t->cap_names *= 2;
	}
	copy = strndup(name, len);
	if (!copy)
		return 0;
	t->names[t->nr_names] = copy;
	t->name_hash[h] = t->nr_names;
	return t->nr_names++;
}

/* ---- line parsing ----------------------------------------------------------- */

static bool is_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_hexword(const char *s, size_t n)
{
	size_t i;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static const char *skip_sp(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *word_end(const char *p)
{
	while (*p && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* The largest whole seconds whose nanoseconds fit in 64 bits. */
#define TS_MAX_SECS (UINT64_MAX / 1000000000ull - 1)

/* "<secs>.<frac>:" -> ns; false when malformed or beyond 64-bit ns. */
static bool parse_ts(const char *p, size_t n, uint64_t *ns)
{
	const char *dot = memchr(p, '.', n);
	uint64_t s = 0, f = 0;
	size_t i, fd;

	if (n < 4 || p[n - 1] != ':' || !dot)
		return false;
	if (!is_digits(p, (size_t)(dot - p)) ||
	    !is_digits(dot + 1, (size_t)(p + n - 1 - dot - 1)))
		return false;
	for (i = 0; p + i < dot; i++) {
		s = s * 10 + (uint64_t)(p[i] - '0');
		if (s > TS_MAX_SECS + 1)
			return false;
	}
	fd = (size_t)(p + n - 1 - dot - 1);
	for (i = 0; i < 9; i++)
		f = f * 10 + (i < fd ? (uint64_t)(dot[1 + i] - '0') : 0);
	if (s > TS_MAX_SECS && f > UINT64_MAX - s * 1000000000ull)
		return false;
	*ns = s * 1000000000ull + f;
	return true;
}

static int event_type(const char *name, size_t n)
{
	int i;

	for (i = 0; i < KMEM_TRACE_NR_TYPES; i++)
		if (strlen(kmem_trace_type_names[i]) == n &&
		    !memcmp(kmem_trace_type_names[i], name, n))
			return i;
	return -1;
}

static void count_unknown(struct kmem_trace *t, const char *name, size_t n)
{
	unsigned int i;

	t->info.unknown_total++;
	if (n >= sizeof(t->info.unknown[0].name))
		n = sizeof(t->info.unknown[0].name) - 1;
	for (i = 0; i < t->info.nr_unknown; i++)
		if (!strncmp(t->info.unknown[i].name, name, n) &&
		    !t->info.unknown[i].name[n]) {
			t->info.unknown[i].count++;
			return;
		}
	if (t->info.nr_unknown < KMEM_TRACE_MAX_UNKNOWN) {
		memcpy(t->info.unknown[t->info.nr_unknown].name, name, n);
		t->info.unknown[t->info.nr_unknown].name[n] = 0;
		t->info.unknown[t->info.nr_unknown++].count = 1;
	}
}

/* Fields the replay reads. */
enum {
	F_PTR = 1 << 0,
	F_REQ = 1 << 1,
	F_ALLOC = 1 << 2,
	F_GFP = 1 << 3,
	F_NAME = 1 << 4,
	F_PFN = 1 << 5,
	F_ORDER = 1 << 6,
	F_MT = 1 << 7,
	F_VA = 1 << 8,
	F_SIZE = 1 << 9,
	F_ALIGN = 1 << 10,
	F_FAILED = 1 << 11,
	F_PAGE = 1 << 12,
};

static const unsigned int required[KMEM_TRACE_NR_TYPES] = {
	[KMEM_TRACE_KMALLOC] = F_PTR | F_REQ | F_ALLOC | F_GFP,
	[KMEM_TRACE_KMEM_CACHE_ALLOC] = F_PTR | F_REQ | F_ALLOC | F_GFP,
	[KMEM_TRACE_KFREE] = F_PTR,
	[KMEM_TRACE_KMEM_CACHE_FREE] = F_PTR,
	[KMEM_TRACE_PAGE_ALLOC] = F_PFN | F_ORDER | F_GFP,
	[KMEM_TRACE_PAGE_FREE] = F_PFN | F_ORDER,
	[KMEM_TRACE_PAGE_FREE_BATCHED] = F_PFN,
	[KMEM_TRACE_VMAP_ALLOC] = F_VA | F_SIZE,
	[KMEM_TRACE_VMAP_FREE] = F_VA,
	[KMEM_TRACE_VMAP_PURGE] = 0,
};

static const struct {
	const char *key;
	unsigned int bit;
} field_keys[] = {
	{ "ptr", F_PTR },	    { "bytes_req", F_REQ },
	{ "bytes_alloc", F_ALLOC }, { "gfp_flags", F_GFP },
	{ "name", F_NAME },	    { "pfn", F_PFN },
	{ "order", F_ORDER },	    { "migratetype", F_MT },
	{ "va_start", F_VA },	    { "size", F_SIZE },
	{ "align", F_ALIGN },	    { "failed", F_FAILED },
	{ "page", F_PAGE },
};

static const char *field_name(unsigned int bit)
{
	size_t i;

	for (i = 0; i < sizeof(field_keys) / sizeof(field_keys[0]); i++)
		if (field_keys[i].bit == bit)
			return field_keys[i].key;
	return "?";
}

static bool parse_u64(const char *v, size_t n, int base, uint64_t *out)
{
	char buf[40], *end;

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = 0;
	if (buf[0] == '-')
		return false;
	errno = 0;
	*out = strtoull(buf, &end, base);
	return !errno && *end == 0;
}

static bool parse_s64(const char *v, size_t n, long long *out)
{
	char buf[32], *end;

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = 0;
	errno = 0;
	*out = strtoll(buf, &end, 0);
	return !errno && *end == 0;
}

static int grow_events(struct kmem_trace *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096;
	struct kmem_trace_event *ev = realloc(t->ev, cap * sizeof(*ev));

	if (!ev)
		return -1;
	t->ev = ev;
	t->cap = cap;
	return 0;
}

/* ---- the fast path ------------------------------------------------------------
 *
 * Nearly every line of a real trace is one of the seven kmem events in the
 * ftrace or trace-cmd shape, well formed. parse_line_fast() reads such a line
 * in one pass, with no copies and few library calls, and returns NULL ("not
 * mine") at the first thing it does not expect; the general parser below
 * then reads the line from the start and decides (its messages for malformed
 * lines are the ones users see). The fast path accepts only what the general
 * parser accepts, with the same result: a test compares the two on every line
 * of the test traces (tests/unit/trace_parse_input.c).
 *
 * It reads 8 or 16 bytes at a time (words, hex numbers: SWAR, SSE2), so the
 * line must be followed by LINE_PAD readable bytes: parse_stream's window has
 * them, and trace_parse_line() copies other lines into a padded buffer. The
 * line ends at its NUL or its newline, alike: parse_stream() hands it the
 * window as read, and the line's end is where the fast path stops (no search
 * for the newline first). A read past the line's end never changes a
 * result: every comparison spanning the end fails.
 *
 * Most lines repeat the previous line's prefix up to the timestamp's '.'
 * ("comm-pid [cpu] flags secs."): the same task on the same CPU in the same
 * second (91% of the build trace's lines). The prefix read last is kept
 * (struct line_cache) with its pid, cpu and seconds; a line that starts with
 * the same bytes takes them from there and reads only the fraction. The
 * prefix's bytes alone decide how it parses (every test in it stops within
 * it), so the result is the one the full reading gives.
 */
#define LINE_PAD 128
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline bool is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

static inline uint64_t load64(const char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

/* The end of the line: its NUL, or (reading straight from the input
 * window, parse_stream) its newline. The fast path treats both alike. */
static inline bool is_eol(char c)
{
	return c == 0 || c == '\n';
}

/* A word ends at a space, a tab or the end of the line; any other control
 * character sends the line to the general parser. */
static const bool
	word_stops[256] = { [0] = 1, ['\t'] = 1, ['\n'] = 1, [' '] = 1 };

static inline bool word_stop_ok(char c)
{
	return word_stops[(unsigned char)c];
}

/* The first byte <= ' ' (unsigned) from p on, 16 or 8 at a time. */
static inline const char *fast_word_end(const char *p)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(' ');

	for (;; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_min_epu8(x, sp), x));

		if (m)
			return p + __builtin_ctz(m);
	}
#else
	for (;; p += 8) {
		uint64_t x = load64(p), m = (x - 0x21 * ONES) & ~x & HIGHS;

		if (m)
			return p + (__builtin_ctzll(m) >> 3);
	}
#endif
}

static const signed char hexval[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

#ifndef __SSE2__
/* Eight hex digits at p (first most significant); false if one is not. */
static inline bool hex8(const char *p, uint32_t *out)
{
	uint64_t x = load64(p), y = x | 0x20 * ONES, d, a, v;

	if (x & HIGHS)
		return false;
	d = (x + 0x50 * ONES) & ~(x + 0x46 * ONES); /* '0'..'9' */
	a = (y + 0x1f * ONES) & ~(y + 0x19 * ONES); /* 'a'..'f', 'A'..'F' */
	if (((d | a) & HIGHS) != HIGHS)
		return false;
	v = (x & 0x0f * ONES) + 9 * ((x >> 6) & ONES);
	v = ((v << 4) | (v >> 8)) & 0x00ff00ff00ff00ffull;
	v = ((v << 8) | (v >> 16)) & 0x0000ffff0000ffffull;
	*out = (uint32_t)(((v << 16) | (v >> 32)) & 0xffffffffull);
	return true;
}
#endif

#ifdef __SSE2__
/* [0x]<1..16 hex digits> up to the end of the word; NULL otherwise. The 16
 * bytes at p checked and converted at once, the digits counted, the value
 * shifted down to them. */
static inline const char *fast_hex(const char *p, uint64_t *out)
{
	/* Signed byte compares: bytes >= 0x80 are below every range. */
	__m128i x, l, d, a, v;
	unsigned int m, n;
	uint64_t r;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	x = _mm_loadu_si128((const __m128i *)p);
	l = _mm_or_si128(x, _mm_set1_epi8(0x20));
	d = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
			  _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
	a = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
			  _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));
	m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(d, a));
	n = (unsigned int)__builtin_ctz(~m); /* leading hex digits, 0..16 */
	if (!n || !word_stop_ok(p[n]))
		return NULL;
	/* nibble values (other bytes masked to a nibble too, then shifted
	 * out); each pair of bytes into one, in 16-bit lanes */
	v = _mm_and_si128(_mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0f)),
				       _mm_andnot_si128(d, _mm_set1_epi8(9))),
			  _mm_set1_epi8(0x0f));
	v = _mm_and_si128(_mm_or_si128(_mm_slli_epi16(v, 4),
				       _mm_srli_epi16(v, 8)),
			  _mm_set1_epi16(0x00ff));
	v = _mm_packus_epi16(v, v);
	r = __builtin_bswap64((uint64_t)_mm_cvtsi128_si64(v));
	*out = n == 16 ? r : r >> (4 * (16 - n));
	return p + n;
}
#else
/* Sixteen hex digits at p (first most significant); false if one is not. */
static inline bool hex16(const char *p, uint64_t *out)
{
	uint32_t hi, lo;

	if (!hex8(p, &hi) || !hex8(p + 8, &lo))
		return false;
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

/* [0x]<1..16 hex digits> up to the end of the word; NULL otherwise. */
static inline const char *fast_hex(const char *p, uint64_t *out)
{
	const char *s;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (word_stop_ok(p[16]) && hex16(p, out))
		return p + 16;
	for (s = p; hexval[(unsigned char)*p]; p++)
		v = (v << 4) | (uint64_t)(hexval[(unsigned char)*p] - 1);
	if (p == s || p - s > 16 || !word_stop_ok(*p))
		return NULL;
	*out = v;
	return p;
}
#endif

static inline unsigned int lead_digits(uint64_t x);
static inline uint64_t swar_dec(uint64_t x, unsigned int n);

/* <1..10 decimal digits> <= 0xffffffff up to the end of the word. */
static inline const char *fast_u32(const char *p, uint32_t *out)
{
	const char *s = p;
	uint64_t v = 0, x = load64(p);
	unsigned int n = lead_digits(x);

	if (n && n < 8) { /* up to 7 digits at once */
		if (!word_stop_ok(p[n]))
			return NULL;
		*out = (uint32_t)swar_dec(x, n);
		return p + n;
	}

	while (is_digit(*p))
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == s || p - s > 10 || v > 0xffffffffull || !word_stop_ok(*p))
		return NULL;
	*out = (uint32_t)v;
	return p;
}

/* A small decimal as strtoll(, 0) reads it: no leading zero (octal), at
 * most two digits, an optional '-'. */
static inline const char *fast_small(const char *p, int *out)
{
	bool neg = *p == '-';
	int v;

	p += neg;
	if (*p < '0' || *p > '9')
		return NULL;
	v = *p++ - '0';
	if (is_digit(*p)) {
		if (v == 0)
			return NULL;
		v = v * 10 + (*p++ - '0');
	}
	if (!word_stop_ok(*p))
		return NULL;
	*out = neg ? -v : v;
	return p;
}

static const uint32_t pow10_9[10] = { 1000000000, 100000000, 10000000, 1000000,
				      100000,	  10000,     1000,     100,
				      10,	  1 };

/* How many of the 8 bytes of x (first in the lowest byte) are decimal digits
 * before the first other byte: 0..8. Exact for any byte: a byte >= 0xb0
 * carries into the next byte, but is itself counted as a non-digit. */
static inline unsigned int lead_digits(uint64_t x)
{
	uint64_t nd = ~((x + 0x50 * ONES) & ~(x + 0x46 * ONES)) & HIGHS;

	return nd ? (unsigned int)__builtin_ctzll(nd) >> 3 : 8;
}

/* The value of the n (1..8) leading decimal digits of x. */
static inline uint64_t swar_dec(uint64_t x, unsigned int n)
{
	x = ((x - 0x30 * ONES) << (8 * (8 - n))) & 0x0f0f0f0f0f0f0f0full;
	x = (x * 2561) >> 8 & 0x00ff00ff00ff00ffull;
	x = (x * 6553601) >> 16 & 0x0000ffff0000ffffull;
	return (x * 42949672960001ull) >> 32;
}

/* "<secs>.<frac>:" as parse_ts() reads it, ending the word; NULL otherwise,
 * with *bail set when parse_ts() might read it (more than 10 digits). On
 * success *secs_ns is the whole seconds in ns and *frac the fraction's first
 * digit. */
static inline const char *fast_ts(const char *p, uint64_t *ns, bool *bail,
				  uint64_t *secs_ns, const char **frac)
{
	const char *s = p, *fs;
	uint64_t secs = 0, f = 0;
	unsigned int n = lead_digits(load64(p));
	size_t fd;

	if (n && n < 8) { /* the seconds, up to 7 digits at once */
		secs = swar_dec(load64(p), n);
		p += n;
	} else {
		while (is_digit(*p))
			secs = secs * 10 + (uint64_t)(*p++ - '0');
	}
	if (p - s > 10)
		*bail = true;
	if (p == s || p - s > 10 || *p != '.')
		return NULL;
	fs = ++p;
	n = lead_digits(load64(p)); /* the fraction, 8 digits at a time */
	if (n && n < 8) {
		f = swar_dec(load64(p), n);
		p += n;
	}
	for (; is_digit(*p); p++)
		f = f * 10 + (uint64_t)(*p - '0');
	fd = (size_t)(p - fs);
	if (!fd || *p != ':' || !word_stop_ok(p[1]))
		return NULL;
	if (fd > 9) { /* digits beyond nanoseconds are dropped */
		*bail = true;
		return NULL;
	}
	*secs_ns = secs * 1000000000ull;
	*ns = *secs_ns + f * pow10_9[fd];
	*frac = fs;
	return p + 1;
}

/* Does p start with lit? Constant n: compiled to a few loads. */
#define STARTS(p, lit)                                                         \
	(sizeof(lit) - 1 < 8 ?                                                 \
		 (load64(p) &                                                  \
		  (~0ull >>                                                    \
		   (64 - 8 * (sizeof(lit) - 1 < 8 ? sizeof(lit) - 1 : 1)))) == \
			 LIT_WORD(lit) :                                       \
		 starts_with((p), lit, sizeof(lit) - 1))

/* The first bytes (up to 7) of a string literal as a constant word. */
#define LIT_BYTE(lit, k)                                                      \
	((k) < sizeof(lit) - 1 ?                                              \
		 (uint64_t)(unsigned char)(lit)[(k) < sizeof(lit) - 1 ? (k) : \
									0]    \
			 << (8 * (k)) :                                       \
		 0)
#define LIT_WORD(lit)                                             \
	(LIT_BYTE(lit, 0) | LIT_BYTE(lit, 1) | LIT_BYTE(lit, 2) | \
	 LIT_BYTE(lit, 3) | LIT_BYTE(lit, 4) | LIT_BYTE(lit, 5) | \
	 LIT_BYTE(lit, 6))

/* With a constant lit and n, two compares with constants for 8 <= n <= 16
 * (a library call otherwise); p may be read up to 16 bytes. */
static inline bool starts_with(const char *p, const char *lit, size_t n)
{
	if (n >= 8 && n <= 16)
		return load64(p) == load64(lit) &&
		       load64(p + n - 8) == load64(lit + n - 8);
	return !memcmp(p, lit, n);
}

/* The parsed gfp_flags strings of this trace (a trace has a few dozen). */
#define GFP_CACHE_SIZE 256
#define GFP_CACHE_LEN 95
struct gfp_cache_ent {
	uint32_t gfp;
	uint32_t len;
	char s[GFP_CACHE_LEN + 1]; /* and 8 bytes of slack: see same_bytes() */
	uint64_t slack;
};

/* Are the n bytes at a and b the same? 8 at a time: both may be read up to
 * 7 bytes beyond n. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		if (load64(a + i) != load64(b + i))
			return false;
	if (i == n)
		return true;
	return !((load64(a + i) ^ load64(b + i)) << (8 * (8 - (n - i))));
}

static const char *fast_gfp(struct kmem_trace *t, const char *p, uint32_t *out)
{
	struct gfp_cache_ent *c = t->gfp_cache, *e;
	const char *we = fast_word_end(p);
	size_t n = (size_t)(we - p);
	uint64_t h;
	char buf[GFP_CACHE_LEN + 1];
	unsigned int g;

	if (!n || n > GFP_CACHE_LEN || !word_stop_ok(*we))
		return NULL;
	if (!c) {
		c = t->gfp_cache = calloc(GFP_CACHE_SIZE, sizeof(*c));
		if (!c)
			return NULL;
	}
	h = (load64(p) ^ load64(we - 8) ^ n) * 0x9e3779b97f4a7c15ull;
	e = &c[h >> 56];
	if (e->len == n && same_bytes(e->s, p, n)) {
		*out = e->gfp;
		return we;
	}
	memcpy(buf, p, n);
	buf[n] = 0;
	if (kmem_parse_gfp(buf, &g))
		return NULL;
	e->len = (uint32_t)n;
	memcpy(e->s, p, n);
	e->gfp = g;
	*out = g;
	return we;
}

/*
 * Cache names of this trace, by their length and bytes: names of up to 16
 * bytes are compared as two words (the first 8 bytes and the last 8, masked
 * to the name), longer ones with memcmp.
 */
#define NAME_CACHE_SIZE 1024
struct name_cache_ent {
	uint64_t head, tail;
	uint32_t id, len;
};

static uint32_t fast_intern(struct kmem_trace *t, const char *p, size_t n)
{
	struct name_cache_ent *c = t->name_cache, *e;
	uint64_t head = load64(p), tail = 0, h;
	uint32_t id;

	if (n < 8)
		head &= (1ull << (8 * n)) - 1;
	else
		tail = load64(p + n - 8);
	if (!c) {
		c = t->name_cache = calloc(NAME_CACHE_SIZE, sizeof(*c));
		if (!c)
			return trace_intern(t, p, n);
	}
	h = (head ^ tail ^ n) * 0x9e3779b97f4a7c15ull;
	e = &c[h >> 54];
	if (e->id && e->len == n && e->head == head && e->tail == tail &&
	    (n <= 16 || !memcmp(t->names[e->id] + 8, p + 8, n - 16)))
		return e->id;
	id = trace_intern(t, p, n);
	if (id) {
		e->id = id;
		e->len = (uint32_t)n;
		e->head = head;
		e->tail = tail;
	}
	return id;
}

/* The event name, n bytes at w: its type or -1. */
static inline int fast_event_type(const char *w, size_t n)
{
	switch (n) {
	case 7:
		return STARTS(w, "kmalloc") ? KMEM_TRACE_KMALLOC : -1;
	case 5:
		return STARTS(w, "kfree") ? KMEM_TRACE_KFREE : -1;
	case 16:
		return STARTS(w, "kmem_cache_alloc") ?
			       KMEM_TRACE_KMEM_CACHE_ALLOC :
			       -1;
	case 15:
		return STARTS(w, "kmem_cache_free") ?
			       KMEM_TRACE_KMEM_CACHE_FREE :
			       -1;
	case 13:
		return STARTS(w, "mm_page_alloc") ? KMEM_TRACE_PAGE_ALLOC : -1;
	case 12:
		return STARTS(w, "mm_page_free") ? KMEM_TRACE_PAGE_FREE : -1;
	case 20:
		return STARTS(w, "mm_page_free_batched") ?
			       KMEM_TRACE_PAGE_FREE_BATCHED :
			       -1;
	}
	return -1;
}

/* Is the key of the word [w, we) (up to '=' or a trailing ':') one the
 * general parser reads? Then the fast path must not skip it. */
static bool key_is_read(const char *w, const char *we)
{
	const char *eq = memchr(w, '=', (size_t)(we - w));
	size_t klen, i;

	if (!eq) /* "key: value" is the general parser's */
		return we > w && we[-1] == ':';
	klen = (size_t)(eq - w);
	for (i = 0; i < sizeof(field_keys) / sizeof(field_keys[0]); i++)
		if (strlen(field_keys[i].key) == klen &&
		    !memcmp(field_keys[i].key, w, klen))
			return true;
	return false;
}

/*
 * The values of the fields the replay reads, at the value's first byte.
 * Each returns the end of the value (a byte <= ' '), or NULL: the general
 * parser decides.
 */
static inline const char *val_ptr(const char *w, struct kmem_trace_event *e)
{
	uint64_t v;

	if (STARTS(w, "(null)") && word_stop_ok(w[6])) {
		v = 0;
		w += 6;
	} else if (!(w = fast_hex(w, &v))) {
		return NULL;
	}
	e->key = v;
	return w;
}

static inline const char *val_pfn(const char *w, struct kmem_trace_event *e)
{
	uint64_t v;

	if (!(w = fast_hex(w, &v)) || v == ~0ull)
		return NULL;
	e->key = v;
	return w;
}

static inline const char *val_page(const char *w, struct kmem_trace_event *e)
{
	uint64_t v;

	if (STARTS(w, "(null)") && word_stop_ok(w[6])) {
		e->flags |= KMEM_TEV_FAILED;
		return w + 6;
	}
	if (!(w = fast_hex(w, &v)))
		return NULL;
	if (!v)
		e->flags |= KMEM_TEV_FAILED;
	return w;
}

static inline const char *val_name(struct kmem_trace *t, const char *val,
				   struct kmem_trace_event *e)
{
	const char *w = fast_word_end(val);

	if (w == val || !word_stop_ok(*w))
		return NULL;
	e->name = fast_intern(t, val, (size_t)(w - val));
	return e->name ? w : NULL;
}

static inline const char *val_order(const char *w, struct kmem_trace_event *e)
{
	int sv;

	if (!(w = fast_small(w, &sv)) || sv < 0 || sv > 30)
		return NULL;
	e->order = (uint8_t)sv;
	return w;
}

static inline const char *val_mt(const char *w, struct kmem_trace_event *e)
{
	int sv;

	if (!(w = fast_small(w, &sv)) || sv < -1 || sv > 16)
		return NULL;
	e->migratetype = (int8_t)sv;
	return w;
}

/* The fields of a kmem event from w on, in any order; the end of the line,
 * or NULL: the general parser decides. */
static const char *fast_fields(struct kmem_trace *t, const char *w,
			       struct kmem_trace_event *e, unsigned int *have)
{
	const char *we;

	for (;;) {
		while (*w == ' ')
			w++;
		switch (w[0]) {
		case 0:
		case '\n':
			return w;
		case '\t':
			return NULL;
		case 'c':
			if (!STARTS(w, "call_site="))
				goto other;
			w = fast_word_end(w + 10);
			break;
		case 'a':
			if (!STARTS(w, "accounted="))
				goto other;
			w = fast_word_end(w + 10);
			break;
		case 'p':
			if (STARTS(w, "ptr=")) {
				if (!(w = val_ptr(w + 4, e)))
					return NULL;
				*have |= F_PTR;
			} else if (STARTS(w, "pfn=")) {
				if (!(w = val_pfn(w + 4, e)))
					return NULL;
				*have |= F_PFN;
			} else if (STARTS(w, "page=")) {
				if (!(w = val_page(w + 5, e)))
					return NULL;
				*have |= F_PAGE;
			} else {
				goto other;
			}
			break;
		case 'b':
			if (STARTS(w, "bytes_req=")) {
				if (!(w = fast_u32(w + 10, &e->req)))
					return NULL;
				*have |= F_REQ;
			} else if (STARTS(w, "bytes_alloc=")) {
				if (!(w = fast_u32(w + 12, &e->alloc)))
					return NULL;
				*have |= F_ALLOC;
			} else {
				goto other;
			}
			break;
		case 'g':
			if (!STARTS(w, "gfp_flags="))
				goto other;
			if (!(w = fast_gfp(t, w + 10, &e->gfp)))
				return NULL;
			*have |= F_GFP;
			break;
		case 'n':
			if (STARTS(w, "name=")) {
				if (!(w = val_name(t, w + 5, e)))
					return NULL;
				*have |= F_NAME;
			} else if (STARTS(w, "node=")) {
				w = fast_word_end(w + 5);
			} else {
				goto other;
			}
			break;
		case 'o':
			if (!STARTS(w, "order="))
				goto other;
			if (!(w = val_order(w + 6, e)))
				return NULL;
			*have |= F_ORDER;
			break;
		case 'm':
			if (!STARTS(w, "migratetype="))
				goto other;
			if (!(w = val_mt(w + 12, e)))
				return NULL;
			*have |= F_MT;
			break;
		default:
other:
			we = fast_word_end(w);
			if (key_is_read(w, we))
				return NULL;
			w = we;
		}
		if ((unsigned char)*w > ' ')
			return NULL; /* values end at a word's end */
		if (!is_eol(*w) && *w != ' ')
			return NULL; /* a tab or a control character */
	}
}

/*
 * The fields as the kernel prints them: each event's keys in their order,
 * one space apart, nothing else. Any other shape (older kernels, missing,
 * extra or reordered fields, more spaces) returns NULL before appending
 * anything, and fast_fields() reads the line instead; the values are read
 * by the same val_*() as there, so the result is the same.
 */
#define KEY(lit)                      \
	do {                          \
		if (!STARTS(w, lit))  \
			return NULL;  \
		w += sizeof(lit) - 1; \
	} while (0)
#define NEXT(val)                              \
	do {                                   \
		if (!(w = (val)) || *w != ' ') \
			return NULL;           \
		w++;                           \
	} while (0)
#define LAST(val)                                \
	do {                                     \
		if (!(w = (val)) || !is_eol(*w)) \
			return NULL;             \
		return w;                        \
	} while (0)

static inline const char *fast_fields_inorder(struct kmem_trace *t,
					      const char *w, int type,
					      struct kmem_trace_event *e,
					      unsigned int *have)
{
	switch (type) {
	case KMEM_TRACE_KMALLOC:
	case KMEM_TRACE_KMEM_CACHE_ALLOC:
		KEY("call_site=");
		NEXT(fast_word_end(w));
		KEY("ptr=");
		NEXT(val_ptr(w, e));
		if (type == KMEM_TRACE_KMEM_CACHE_ALLOC) {
			KEY("name=");
			NEXT(val_name(t, w, e));
			*have = F_NAME;
		}
		KEY("bytes_req=");
		NEXT(fast_u32(w, &e->req));
		KEY("bytes_alloc=");
		NEXT(fast_u32(w, &e->alloc));
		KEY("gfp_flags=");
		NEXT(fast_gfp(t, w, &e->gfp));
		KEY("node=");
		NEXT(fast_word_end(w));
		KEY("accounted=");
		*have |= F_PTR | F_REQ | F_ALLOC | F_GFP;
		LAST(fast_word_end(w));
	case KMEM_TRACE_KFREE:
	case KMEM_TRACE_KMEM_CACHE_FREE:
		KEY("call_site=");
		NEXT(fast_word_end(w));
		KEY("ptr=");
		*have = F_PTR;
		if (type == KMEM_TRACE_KFREE)
			LAST(val_ptr(w, e));
		NEXT(val_ptr(w, e));
		KEY("name=");
		*have |= F_NAME;
		LAST(val_name(t, w, e));
	case KMEM_TRACE_PAGE_ALLOC:
		KEY("page=");
		NEXT(val_page(w, e));
		KEY("pfn=");
		NEXT(val_pfn(w, e));
		KEY("order=");
		NEXT(val_order(w, e));
		KEY("migratetype=");
		NEXT(val_mt(w, e));
		KEY("gfp_flags=");
		*have = F_PAGE | F_PFN | F_ORDER | F_MT | F_GFP;
		LAST(fast_gfp(t, w, &e->gfp));
	case KMEM_TRACE_PAGE_FREE:
	case KMEM_TRACE_PAGE_FREE_BATCHED:
		KEY("page=");
		NEXT(val_page(w, e));
		KEY("pfn=");
		NEXT(val_pfn(w, e));
		KEY("order=");
		*have = F_PAGE | F_PFN | F_ORDER;
		LAST(val_order(w, e));
	}
	return NULL;
}
#undef KEY
#undef NEXT
#undef LAST

/* Bytes of x (first in the lowest byte) that are not 0: their high bits. */
static inline uint64_t nonzero_bytes(uint64_t x)
{
	return (((x & ~HIGHS) + ~HIGHS) | x) & HIGHS;
}

/* Decimal digits among the bytes of x: their high bits (exact per byte). */
static inline uint64_t digit_bytes(uint64_t x)
{
	uint64_t l = x & ~HIGHS;

	return (l + 0x50 * ONES) & ~(l + 0x46 * ONES) & ~x & HIGHS;
}

/* The byte index (0..7) of the highest set high bit of m (m != 0). */
static inline unsigned int top_byte(uint64_t m)
{
	return (63u - (unsigned int)__builtin_clzll(m)) >> 3;
}

/*
 * "comm-<pid> +[": the pid of the word before the '[' at q (q[-1] is a
 * space), that is the digits after the word's last '-', at most 9. The 8
 * bytes before q[-1] at once when they hold the spaces, the digits and the
 * '-' (ftrace pads the pid to 7 columns); one at a time otherwise. Never
 * reads before p.
 */
static inline bool fast_pid(const char *p, const char *q, unsigned int *pid)
{
	const char *w, *end, *d;
	unsigned int v = 0;

	if (q - p >= 9) { /* q[-1] is the space before '[' */
		uint64_t x = load64(q - 9),
			 ns = nonzero_bytes(x ^ (0x20 * ONES)), nd;
		unsigned int i, j;

		if (!ns)
			goto slow;
		i = top_byte(ns); /* the last byte before the spaces */
		nd = ~digit_bytes(x) & HIGHS & (~0ull >> (56 - 8 * i));
		if (!nd)
			goto slow;
		j = top_byte(nd); /* the byte before the digits */
		if (j == i || ((x >> (8 * j)) & 0xff) != '-')
			return false;
		*pid = (unsigned int)swar_dec(x >> (8 * (j + 1)), i - j);
		return true;
	}
slow:
	for (w = q - 1; w > p && *w == ' '; w--)
		;
	for (end = w; w > p && is_digit(*w); w--)
		;
	if (*w != '-' || w == end || end - w > 9)
		return false;
	for (d = w + 1; d <= end; d++)
		v = v * 10 + (unsigned int)(*d - '0');
	*pid = v;
	return true;
}

/* The prefix of the line read last, up to its timestamp's '.' (above). */
#define PREFIX_MAX 64
struct line_cache {
	uint32_t len; /* 0: none yet */
	uint32_t pid;
	uint16_t cpu;
	uint64_t secs_ns;
	char b[PREFIX_MAX];
};

/* Are the n (1..PREFIX_MAX) bytes at a those at b? a may be read up to 15
 * bytes beyond n; b holds PREFIX_MAX bytes. */
static inline bool same_prefix(const char *a, const char *b, size_t n)
{
#ifdef __SSE2__
	size_t i;
	unsigned int m;

	for (i = 0; i + 16 < n; i += 16)
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(
			    _mm_loadu_si128((const __m128i *)(a + i)),
			    _mm_loadu_si128((const __m128i *)(b + i)))) !=
		    0xffff)
			return false;
	/* the last 1..16 bytes: a's are loaded from i, b's copy is padded */
	m = (unsigned int)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(a + i)),
			       _mm_loadu_si128((const __m128i *)(b + i))));
	return !(~m & ((1u << (n - i)) - 1) & 0xffff);
#else
	return !memcmp(a, b, n);
#endif
}

/* The first '[' from p on; NULL if the line ends first. */
static inline const char *fast_bracket(const char *p)
{
#ifdef __SSE2__
	const __m128i br = _mm_set1_epi8('['), nl = _mm_set1_epi8('\n'),
		      zero = _mm_setzero_si128();

	for (;; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(x, br),
				     _mm_or_si128(_mm_cmpeq_epi8(x, nl),
						  _mm_cmpeq_epi8(x, zero))));

		if (m) {
			p += __builtin_ctz(m);
			return *p == '[' ? p : NULL;
		}
	}
#else
	for (; !is_eol(*p); p++)
		if (*p == '[')
			return p;
	return NULL;
#endif
}

/*
 * A well-formed kmem event line: append its event and return the end of the
 * line (its NUL or newline, which the caller checks is the line's end). NULL:
 * the general parser must read the line.
 */
static const char *parse_line_fast(struct kmem_trace *t, const char *line,
				   unsigned long lineno)
{
	struct line_cache *lc = t->line_cache;
	const char *p = line, *q, *d, *w, *end, *frac;
	struct kmem_trace_event *e;
	unsigned int have = 0, cpu, pid, n;
	bool bail = false;
	uint64_t x, secs_ns;
	int type;

	if (t->info.format != KMEM_TRACE_FMT_FTRACE &&
	    t->info.format != KMEM_TRACE_FMT_TRACE_CMD)
		return NULL;
	/* the event is read into its place, counted only when complete */
	if (t->nr == t->cap && grow_events(t))
		return NULL;
	e = &t->ev[t->nr];
	memset(e, 0, sizeof(*e));
	if (lc && lc->len && same_prefix(line, lc->b, lc->len)) {
		/* the fraction, 1..7 digits, as fast_ts() reads it */
		frac = line + lc->len;
		x = load64(frac);
		n = lead_digits(x);
		if (n && n < 8 && frac[n] == ':' && word_stop_ok(frac[n + 1])) {
			e->ts_ns = lc->secs_ns + swar_dec(x, n) * pow10_9[n];
			pid = lc->pid;
			cpu = lc->cpu;
			q = frac + n + 1;
			goto event;
		}
	}
	/* Blank, header and perf call-chain lines are the general parser's. */
	for (;; p += 8) { /* the comm's padding, 8 spaces at a time */
		uint64_t m = load64(p) ^ (0x20 * ONES);

		if (m) {
			p += __builtin_ctzll(m) >> 3;
			break;
		}
	}
	if (*p == '#' || *p <= ' ' || STARTS(p, "cpus=") ||
	    STARTS(p, "version =") || STARTS(p, "CPU"))
		return NULL;
	if (p != line) {
		q = p + (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 2 : 0);
		for (d = q; hexval[(unsigned char)*d]; d++)
			;
		if (d - p >= 8 && d > q && word_stop_ok(*d))
			return NULL;
	}
	/* "comm-pid [cpu]": the first '[' after a space, digits, ']'. */
	q = fast_bracket(p);
	if (!q || q == p || q[-1] != ' ')
		return NULL;
	/* the pid: the digits after the word's last '-' */
	if (!fast_pid(p, q, &pid))
		return NULL;
	/* the cpu: up to 3 digits (ftrace prints 3) */
	if (is_digit(q[1]) && is_digit(q[2]) && is_digit(q[3]) && q[4] == ']') {
		cpu = (unsigned int)(q[1] - '0') * 100 +
		      (unsigned int)(q[2] - '0') * 10 +
		      (unsigned int)(q[3] - '0');
		n = 3;
	} else {
		x = load64(q + 1);
		n = lead_digits(x);
		if (!n || n > 3 || q[1 + n] != ']')
			return NULL;
		cpu = (unsigned int)swar_dec(x, n);
	}
	if (cpu >= KMEM_MAX_CPUS)
		return NULL;
	d = q + 1 + n;
	/* optional flags, then the timestamp */
	for (w = d + 1; *w == ' '; w++)
		;
	if (!is_digit(*w) ||
	    !(q = fast_ts(w, &e->ts_ns, &bail, &secs_ns, &frac))) {
		w = fast_word_end(w);
		if (bail || *w != ' ')
			return NULL;
		while (*w == ' ')
			w++;
		if (!(q = fast_ts(w, &e->ts_ns, &bail, &secs_ns, &frac)))
			return NULL;
	}
	/* keep the prefix for the next line */
	if ((size_t)(frac - line) <= PREFIX_MAX) {
		if (!lc) {
			lc = t->line_cache = calloc(1, sizeof(*lc));
			if (!lc)
				return NULL;
		}
		lc->len = (uint32_t)(frac - line);
		lc->pid = pid;
		lc->cpu = (uint16_t)cpu;
		lc->secs_ns = secs_ns;
		memcpy(lc->b, line, lc->len);
	}
event:
	/* the event name */
	for (w = q; *w == ' '; w++)
		;
	q = fast_word_end(w);
	if (q - w < 2 || q[-1] != ':' || *q != ' ')
		return NULL;
	type = fast_event_type(w, (size_t)(q - w - 1));
	if (type < 0)
		return NULL;
	e->pid = pid;
	e->cpu = (uint16_t)cpu;
	e->type = (uint8_t)type;
	e->line = (uint32_t)lineno;
	e->migratetype = -1;
	for (w = q; *w == ' '; w++)
		;
	end = fast_fields_inorder(t, w, type, e, &have);
	if (!end) { /* from the fields' start again */
		e->key = 0;
		e->req = e->alloc = e->gfp = e->name = 0;
		e->order = 0;
		e->migratetype = -1;
		e->flags = 0;
		have = 0;
		end = fast_fields(t, w, e, &have);
	}
	if (!end || (have & required[type]) != required[type])
		return NULL;
	switch (type) {
	case KMEM_TRACE_KMALLOC:
	case KMEM_TRACE_KMEM_CACHE_ALLOC:
		if (e->alloc < e->req && e->key)
			return NULL;
		break;
	case KMEM_TRACE_PAGE_ALLOC:
	case KMEM_TRACE_PAGE_FREE:
		if (e->order > 10)
			return NULL;
		break;
	}
	if ((type == KMEM_TRACE_KMEM_CACHE_ALLOC ||
	     type == KMEM_TRACE_KMEM_CACHE_FREE) &&
	    !(have & F_NAME))
		e->flags |= KMEM_TEV_NO_NAME;
	t->nr++;
	t->info.count[type]++;
	return end;
}

#define BAD(...)                                    \
	do {                                        \
		snprintf(why, whylen, __VA_ARGS__); \
		return -1;                          \
	} while (0)

/* ---- the general parser -------------------------------------------------------
 *
 * Any line: headers, the three shapes, unknown events, and every way a line
 * can be malformed (with the message the user sees). In pieces: the line's
 * kind, the prefix (cpu, pid, timestamp), the event name, the fields, the
 * checks of the event as a whole.
 */

/* Blank and header lines: counted, true. */
static bool skip_non_event(struct kmem_trace *t, const char *line,
			   const char *p)
{
	const char *we;

	if (!*p) {
		t->info.blank_lines++;
		return true;
	}
	if (*p == '#' || !strncmp(p, "cpus=", 5) ||
	    !strncmp(p, "version =", 9) ||
	    (!strncmp(p, "CPU", 3) && strstr(p, " is empty"))) {
		if (!strncmp(p, "cpus=", 5) &&
		    t->info.format == KMEM_TRACE_FMT_UNKNOWN)
			t->info.format = KMEM_TRACE_FMT_TRACE_CMD;
		t->info.header_lines++;
		return true;
	}
	/* perf script call-chain line: "\t ffffffff81234567 func+0x1 ([kernel.kallsyms])" */
	if (p != line) {
		we = word_end(p);
		if (we - p >= 8 && is_hexword(p, (size_t)(we - p)) && *we) {
			t->info.header_lines++;
			return true;
		}
	}
	return false;
}

/* The " [cpu]" field that anchors the line: its '[', or NULL. */
static const char *find_cpu_field(const char *p)
{
	const char *q;

	for (q = p; (q = strchr(q, '[')) != NULL; q++) {
		const char *d = q + 1;

		while (*d >= '0' && *d <= '9')
			d++;
		if (d > q + 1 && *d == ']' && q > p &&
		    (q[-1] == ' ' || q[-1] == '\t'))
			return q;
	}
	return NULL;
}

/* The word before the cpu field: "comm-pid" (ftrace) or "pid"/"pid/tid"
 * (perf, *perf_style set). 0, or -1 when it is neither. */
static int parse_pid(const char *p, const char *cpu_open, uint32_t *pid,
		     bool *perf_style)
{
	const char *pidend = cpu_open, *pidw, *slash, *dash = NULL, *s;

	while (pidend > p && (pidend[-1] == ' ' || pidend[-1] == '\t'))
		pidend--;
	pidw = pidend;
	while (pidw > p && pidw[-1] != ' ' && pidw[-1] != '\t')
		pidw--;
	slash = memchr(pidw, '/', (size_t)(pidend - pidw));
	if (pidw > p &&
	    is_digits(pidw, (size_t)((slash ? slash : pidend) - pidw)) &&
	    (!slash || is_digits(slash + 1, (size_t)(pidend - slash - 1)))) {
		*perf_style = true;
		*pid = (uint32_t)strtoul(pidw, NULL, 10);
		return 0;
	}
	for (s = pidw; s < pidend; s++)
		if (*s == '-')
			dash = s;
	if (!dash || !is_digits(dash + 1, (size_t)(pidend - dash - 1)))
		return -1;
	*pid = (uint32_t)strtoul(dash + 1, NULL, 10);
	return 0;
}

/* After "]": optional flags, then the timestamp. The end of the timestamp's
 * word, or NULL. */
static const char *parse_prefix_time(const char *cpu_close, uint64_t *ts)
{
	const char *w = skip_sp(cpu_close + 1), *we = word_end(w);

	if (parse_ts(w, (size_t)(we - w), ts))
		return we;
	w = skip_sp(we);
	we = word_end(w);
	return parse_ts(w, (size_t)(we - w), ts) ? we : NULL;
}

/* The event name at w: "name:" or "subsys:name:". Sets *ename, *elen and the
 * end of its word; false when there is none. */
static bool parse_event_name(const char *w, const char **ename, size_t *elen,
			     const char **wend, bool *perf_style)
{
	const char *we = word_end(w), *c;

	if (we - w < 2 || we[-1] != ':')
		return false;
	*ename = w;
	*elen = (size_t)(we - w - 1);
	c = memchr(w, ':', *elen);
	if (c) { /* perf: subsys:event: */
		const char *last = c;

		while ((c = memchr(last + 1, ':',
				   (size_t)(w + *elen - last - 1))))
			last = c;
		*elen -= (size_t)(last + 1 - w);
		*ename = last + 1;
		*perf_style = true;
	}
	*wend = we;
	return true;
}

/* The fields from w on into e; *have gets the F_* bits seen. 0 or -1 (why). */
static int parse_fields(struct kmem_trace *t, const char *w, int type,
			struct kmem_trace_event *e, unsigned int *have,
			char *why, size_t whylen)
{
	const char *we;
	uint64_t v;
	long long sv;

	for (w = skip_sp(w); *w; w = skip_sp(we)) {
		const char *eq, *val;
		size_t klen, vlen, i;
		unsigned int bit = 0;

		we = word_end(w);
		eq = memchr(w, '=', (size_t)(we - w));
		if (eq) {
			klen = (size_t)(eq - w);
			val = eq + 1;
			vlen = (size_t)(we - val);
		} else if (we[-1] == ':' && *we) { /* "va_start: 1844..." */
			klen = (size_t)(we - w - 1);
			val = skip_sp(we);
			we = word_end(val);
			vlen = (size_t)(we - val);
		} else {
			continue; /* a word we do not read */
		}
		for (i = 0; i < sizeof(field_keys) / sizeof(field_keys[0]); i++)
			if (strlen(field_keys[i].key) == klen &&
			    !memcmp(field_keys[i].key, w, klen)) {
				bit = field_keys[i].bit;
				break;
			}
		switch (bit) {
		case F_PTR:
			if (vlen == 6 && !memcmp(val, "(null)", 6))
				v = 0;
			else if (!parse_u64(val, vlen, 16, &v))
				BAD("%s: bad ptr=%.*s",
				    kmem_trace_type_names[type], (int)vlen,
				    val);
			e->key = v;
			break;
		case F_REQ:
		case F_ALLOC:
		case F_SIZE:
		case F_ALIGN:
			if (!parse_u64(val, vlen, 10, &v) || v > 0xffffffffull)
				BAD("%s: bad %.*s", kmem_trace_type_names[type],
				    (int)(we - w), w);
			if (bit == F_REQ || bit == F_SIZE)
				e->req = (uint32_t)v;
			else
				e->alloc = (uint32_t)v;
			break;
		case F_GFP: {
			char buf[256];
			unsigned int g;

			if (vlen >= sizeof(buf))
				BAD("%s: gfp_flags too long",
				    kmem_trace_type_names[type]);
			memcpy(buf, val, vlen);
			buf[vlen] = 0;
			if (kmem_parse_gfp(buf, &g))
				BAD("%s: unknown gfp_flags=%s",
				    kmem_trace_type_names[type], buf);
			e->gfp = g;
			break;
		}
		case F_NAME:
			if (!vlen)
				BAD("%s: empty name=",
				    kmem_trace_type_names[type]);
			e->name = trace_intern(t, val, vlen);
			if (!e->name)
				BAD("out of memory");
			break;
		case F_PFN:
			if (!parse_u64(val, vlen, 16, &v)) {
				if (parse_s64(val, vlen, &sv) && sv == -1)
					v = ~0ull;
				else
					BAD("%s: bad pfn=%.*s",
					    kmem_trace_type_names[type],
					    (int)vlen, val);
			}
			if (v == ~0ull)
				e->flags |= KMEM_TEV_FAILED;
			e->key = v;
			break;
		case F_ORDER:
			if (!parse_s64(val, vlen, &sv) || sv < 0 || sv > 30)
				BAD("%s: bad order=%.*s",
				    kmem_trace_type_names[type], (int)vlen,
				    val);
			e->order = (uint8_t)sv;
			break;
		case F_MT:
			if (!parse_s64(val, vlen, &sv) || sv < -1 || sv > 16)
				BAD("%s: bad migratetype=%.*s",
				    kmem_trace_type_names[type], (int)vlen,
				    val);
			e->migratetype = (int8_t)sv;
			break;
		case F_VA:
			if (!parse_u64(val, vlen, 0, &v))
				BAD("%s: bad va_start %.*s",
				    kmem_trace_type_names[type], (int)vlen,
				    val);
			e->key = v;
			break;
		case F_PAGE: /* a failed mm_page_alloc prints page=NULL pfn=0x0 */
			if ((vlen == 6 && !memcmp(val, "(null)", 6)) ||
			    (parse_u64(val, vlen, 16, &v) && !v))
				e->flags |= KMEM_TEV_FAILED;
			break;
		case F_FAILED:
			if (!parse_s64(val, vlen, &sv))
				BAD("%s: bad failed=%.*s",
				    kmem_trace_type_names[type], (int)vlen,
				    val);
			if (sv)
				e->flags |= KMEM_TEV_FAILED;
			break;
		default:
			continue;
		}
		*have |= bit;
	}
	return 0;
}

/* The event as a whole: required fields, and what no kernel prints. */
static int check_event(struct kmem_trace_event *e, int type, unsigned int have,
		       char *why, size_t whylen)
{
	if ((have & required[type]) != required[type]) {
		unsigned int missing = required[type] & ~have;

		BAD("%s without %s=", kmem_trace_type_names[type],
		    field_name(missing & -missing));
	}
	if ((type == KMEM_TRACE_KMALLOC ||
	     type == KMEM_TRACE_KMEM_CACHE_ALLOC) &&
	    e->alloc < e->req && e->key)
		BAD("%s: bytes_alloc=%u < bytes_req=%u",
		    kmem_trace_type_names[type], e->alloc, e->req);
	if ((type == KMEM_TRACE_KMEM_CACHE_ALLOC ||
	     type == KMEM_TRACE_KMEM_CACHE_FREE) &&
	    !(have & F_NAME))
		e->flags |= KMEM_TEV_NO_NAME;
	if (type == KMEM_TRACE_PAGE_ALLOC &&
	    (e->order > 10 && !(e->flags & KMEM_TEV_FAILED)))
		BAD("mm_page_alloc: order=%u above MAX_PAGE_ORDER", e->order);
	if (type == KMEM_TRACE_PAGE_FREE && e->order > 10)
		BAD("mm_page_free: order=%u above MAX_PAGE_ORDER", e->order);
	/* alloc_vmap_area() BUG()s on these: no kernel traced them. */
	if (type == KMEM_TRACE_VMAP_ALLOC && (have & F_ALIGN) &&
	    (!e->alloc || (e->alloc & (e->alloc - 1))))
		BAD("alloc_vmap_area: align=%u is not a power of two",
		    e->alloc);
	if (type == KMEM_TRACE_VMAP_ALLOC && (!e->req || (e->req & 4095)))
		BAD("alloc_vmap_area: size=%u is not a positive multiple of PAGE_SIZE",
		    e->req);
	return 0;
}

static int parse_line_general(struct kmem_trace *t, char *line,
			      unsigned long lineno, char *why, size_t whylen)
{
	const char *p = skip_sp(line), *cpu_open, *we, *ename;
	size_t elen;
	uint64_t ts;
	unsigned int have = 0;
	unsigned long cpu;
	bool perf_style = false;
	struct kmem_trace_event e;
	uint32_t pid = 0;
	int type;

	if (skip_non_event(t, line, p))
		return 0;
	cpu_open = find_cpu_field(p);
	if (!cpu_open)
		BAD("no [cpu] field");
	/* The CPUs a machine can have (the boot's range): a trace cannot come
	 * from CPU 999, and it would size the machine. */
	cpu = strtoul(cpu_open + 1, NULL, 10);
	if (cpu >= KMEM_MAX_CPUS)
		BAD("CPU [%.*s] out of range (kmem simulates CPUs 0-%d)",
		    (int)(strchr(cpu_open, ']') - cpu_open - 1), cpu_open + 1,
		    KMEM_MAX_CPUS - 1);
	if (parse_pid(p, cpu_open, &pid, &perf_style))
		BAD("no comm-pid before the cpu field");
	we = parse_prefix_time(strchr(cpu_open, ']'), &ts);
	if (!we)
		BAD("no timestamp after the cpu field");
	if (!parse_event_name(skip_sp(we), &ename, &elen, &we, &perf_style))
		BAD("no event name after the timestamp");
	if (t->info.format == KMEM_TRACE_FMT_UNKNOWN) {
		if (perf_style)
			t->info.format = KMEM_TRACE_FMT_PERF;
		else if (we[0] == ' ' && we[1] == ' ')
			t->info.format =
				KMEM_TRACE_FMT_TRACE_CMD; /* padded event column */
		else
			t->info.format = KMEM_TRACE_FMT_FTRACE;
	}
	type = event_type(ename, elen);
	if (type < 0) {
		count_unknown(t, ename, elen);
		return 0;
	}

	memset(&e, 0, sizeof(e));
	e.pid = pid;
	e.ts_ns = ts;
	e.cpu = (uint16_t)cpu;
	e.type = (uint8_t)type;
	e.line = (uint32_t)lineno;
	e.migratetype = -1;
	if (parse_fields(t, we, type, &e, &have, why, whylen) ||
	    check_event(&e, type, have, why, whylen))
		return -1;
	if (t->nr == t->cap && grow_events(t))
		BAD("out of memory");
	t->ev[t->nr++] = e;
	t->info.count[type]++;
	return 1;
}

int trace_parse_line(struct kmem_trace *t, char *line, unsigned long lineno,
		     char *why, size_t whylen)
{
	size_t len = strlen(line);
	char *padded = calloc(1, len + 1 + LINE_PAD);
	const char *end;

	if (padded) { /* the fast path reads ahead */
		memcpy(padded, line, len);
		end = parse_line_fast(t, padded, lineno);
		if (end && *end) { /* it stopped at a newline inside: undo */
			t->nr--;
			t->info.count[t->ev[t->nr].type]--;
			end = NULL;
		}
		free(padded);
		if (end) /* it ends at the first NUL: the line's end */
			return 1;
	}
	return parse_line_general(t, line, lineno, why, whylen);
}

/* The general parser alone (tests compare the two). */
int trace_parse_line_general(struct kmem_trace *t, char *line,
			     unsigned long lineno, char *why, size_t whylen)
{
	return parse_line_general(t, line, lineno, why, whylen);
}

/* ---- input: plain, xz, gzip --------------------------------------------------- */

struct src_reader;
enum { SRC_PLAIN, SRC_XZ, SRC_GZ, SRC_MEM };

struct src {
	int kind;
	int fd;
	bool in_eof, out_eof, truncated;
	unsigned char *in;
	size_t in_len, in_pos;
	const char *mem;
	size_t mem_len, mem_pos;
	uint64_t *bytes_in;
	uint64_t *reader_bytes_owner; /* the caller's count (t->info.bytes_in) */
	char err[160];
	struct src_reader *reader; /* the decoder's own thread, or NULL */
	int stop_fd; /* readable once the caller stops the reader (-1: none) */
	bool dec_ended; /* the decoder is freed (src_decoder_end) */
	int spool_fd;	/* a copy of the input goes there (0: none) */
	bool spool_failed;
	bool own_fd; /* src_close() closes fd (else it is the caller's) */
#ifdef KMEM_HAVE_LZMA
	lzma_stream xz;
#endif
#ifdef KMEM_HAVE_ZLIB
	z_stream gz;
	bool gz_end;
#endif
};

#define SRC_INBUF (256 * 1024)

/*
 * The decoder's thread waits for input of a pipe (or terminal, or socket)
 * in poll() with the stop pipe beside it, never in read(): a caller that
 * gives up while the writer is alive and silent does not wait for it.
 * Returns false when the caller stopped the thread.
 */
static bool src_wait_input(struct src *s)
{
	struct pollfd p[2] = { { .fd = s->fd, .events = POLLIN },
			       { .fd = s->stop_fd, .events = POLLIN } };

	if (s->stop_fd < 0)
		return true;
	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			return true; /* read() says what is wrong */
	return !p[1].revents;
}

/* The bytes just read from the input, copied to the spool (a second pass
 * of standard input reads them there). */
static void src_spool(struct src *s, const void *p, size_t n)
{
	const char *c = p;

	while (s->spool_fd > 0 && n) {
		ssize_t w = write(s->spool_fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) { /* a second pass would fail: says so then */
			s->spool_fd = 0;
			s->spool_failed = true;
			return;
		}
		c += w;
		n -= (size_t)w;
	}
}

static ssize_t src_fill_in(struct src *s)
{
	ssize_t n;

	if (s->in_pos < s->in_len || s->in_eof)
		return (ssize_t)(s->in_len - s->in_pos);
	if (!src_wait_input(s)) {
		snprintf(s->err, sizeof(s->err), "stopped");
		s->in_eof = true;
		s->truncated = true;
		return -1;
	}
	do {
		n = read(s->fd, s->in, SRC_INBUF);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(s->err, sizeof(s->err), "read error: %s",
			 strerror(errno));
		s->in_eof = true;
		s->truncated = true;
		return -1;
	}
	if (n == 0)
		s->in_eof = true;
	s->in_len = (size_t)n;
	s->in_pos = 0;
	*s->bytes_in += (uint64_t)n;
	src_spool(s, s->in, (size_t)n);
	return n;
}

static size_t src_reader_read(struct src *s, char *out, size_t cap);
static size_t src_decode(struct src *s, char *out, size_t cap);

/* Read up to cap decompressed bytes; 0 at the end. */
static size_t src_read(struct src *s, char *out, size_t cap)
{
	if (s->reader)
		return src_reader_read(s, out, cap);
	return src_decode(s, out, cap);
}

/* The decoding itself (the decoder's thread, or the caller). */
static size_t src_decode(struct src *s, char *out, size_t cap)
{
	size_t n;

	if (s->out_eof)
		return 0;
	switch (s->kind) {
	case SRC_MEM:
		n = s->mem_len - s->mem_pos;
		if (n > cap)
			n = cap;
		memcpy(out, s->mem + s->mem_pos, n);
		s->mem_pos += n;
		if (!n)
			s->out_eof = true;
		return n;
	case SRC_PLAIN:
		if (s->in_pos == s->in_len && !s->in_eof) {
			ssize_t r; /* straight into the caller's buffer */

			do {
				r = read(s->fd, out, cap);
			} while (r < 0 && errno == EINTR);
			if (r > 0) {
				*s->bytes_in += (uint64_t)r;
				src_spool(s, out, (size_t)r);
				return (size_t)r;
			}
			if (r < 0) {
				snprintf(s->err, sizeof(s->err),
					 "read error: %s", strerror(errno));
				s->truncated = true;
			}
			s->in_eof = true;
			s->out_eof = true;
			return 0;
		}
		if (src_fill_in(s) <= 0) {
			s->out_eof = true;
			return 0;
		}
		n = s->in_len - s->in_pos;
		if (n > cap)
			n = cap;
		memcpy(out, s->in + s->in_pos, n);
		s->in_pos += n;
		return n;
#ifdef KMEM_HAVE_LZMA
	case SRC_XZ:
		s->xz.next_out = (uint8_t *)out;
		s->xz.avail_out = cap;
		while (s->xz.avail_out) {
			lzma_ret r;

			if (!s->xz.avail_in) {
				s->in_pos = s->in_len;
				src_fill_in(s);
				s->xz.next_in = s->in + s->in_pos;
				s->xz.avail_in = s->in_len - s->in_pos;
				s->in_pos = s->in_len;
			}
			r = lzma_code(&s->xz,
				      s->in_eof ? LZMA_FINISH : LZMA_RUN);
			if (r == LZMA_STREAM_END) {
				s->out_eof = true;
				break;
			}
			if (r != LZMA_OK) {
				if (!s->err[0])
					snprintf(s->err, sizeof(s->err), "%s",
						 r == LZMA_BUF_ERROR ?
							 "xz data truncated" :
							 "xz data corrupt");
				s->truncated = true;
				s->out_eof = true;
				break;
			}
		}
		return cap - s->xz.avail_out;
#endif
#ifdef KMEM_HAVE_ZLIB
	case SRC_GZ:
		s->gz.next_out = (Bytef *)out;
		s->gz.avail_out = (uInt)cap;
		while (s->gz.avail_out) {
			int r;

			if (!s->gz.avail_in) {
				s->in_pos = s->in_len;
				src_fill_in(s);
				s->gz.next_in = s->in + s->in_pos;
				s->gz.avail_in = (uInt)(s->in_len - s->in_pos);
				s->in_pos = s->in_len;
				if (!s->gz.avail_in && s->in_eof) {
					if (!s->gz_end) {
						snprintf(s->err, sizeof(s->err),
							 "gzip data truncated");
						s->truncated = true;
					}
					s->out_eof = true;
					break;
				}
			}
			if (s->gz_end) { /* another gzip member follows */
				inflateReset(&s->gz);
				s->gz_end = false;
			}
			r = inflate(&s->gz, Z_NO_FLUSH);
			if (r == Z_STREAM_END) {
				s->gz_end = true;
				continue;
			}
			if (r != Z_OK && r != Z_BUF_ERROR) {
				snprintf(s->err, sizeof(s->err),
					 "gzip data corrupt");
				s->truncated = true;
				s->out_eof = true;
				break;
			}
		}
		return cap - s->gz.avail_out;
#endif
	}
	return 0;
}

/*
 * The decoder's thread. A compressed input is decoded by a thread of its own
 * into a queue of buffers of SRC_BUFSZ bytes, while the caller parses (and
 * replays) what was decoded before: decoding and parsing overlap. The queue
 * holds at most SRC_BUFS buffers, allocated only as it fills: a caller that
 * keeps up holds two or three, and one that stops for a while (the replay
 * boots its machine and prefaults its RAM after its first 65,536 events)
 * does not stop the decoder, which is the critical path of an xz trace, for
 * up to SRC_BUFS MiB. The thread owns the decoder, the input buffer, s->err
 * and s->truncated until it has queued its last buffer (length 0); the
 * caller reads them only after taking it. Once the input is decoded, the
 * thread also frees the decoder (xz's dictionary: up to 64 MiB to unmap)
 * while the caller parses the last buffers.
 */
#define SRC_BUFS 32
#define SRC_BUFSZ (1024 * 1024)

struct src_reader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	char *buf[SRC_BUFS];
	size_t len[SRC_BUFS];
	uint64_t in_total[SRC_BUFS]; /* compressed bytes read up to this one */
	unsigned int head, count;    /* the oldest filled buffer, how many */
	size_t pos;		     /* read so far of buf[head] */
	char *spare[SRC_BUFS];	     /* buffers taken and not refilled */
	unsigned int nspare;
	bool stop;	   /* the caller gives up: finish */
	int stop_pipe[2];  /* written by src_reader_stop (input not a file) */
	uint64_t bytes_in; /* the thread's count of compressed bytes */
};

static size_t src_decode(struct src *s, char *out, size_t cap);
static void src_decoder_end(struct src *s);

/* A buffer to decode into (under the lock): NULL when the caller stopped,
 * or (*oom) when there is no memory for one and none to wait for. */
static char *src_reader_buffer(struct src_reader *rd, bool *oom)
{
	char *b;

	for (;;) {
		while (rd->count == SRC_BUFS && !rd->stop)
			pthread_cond_wait(&rd->emptied, &rd->lock);
		if (rd->stop)
			return NULL;
		if (rd->nspare)
			return rd->spare[--rd->nspare];
		pthread_mutex_unlock(&rd->lock);
		b = malloc(SRC_BUFSZ);
		pthread_mutex_lock(&rd->lock);
		if (b)
			return b;
		if (!rd->count) {
			*oom = true;
			return NULL;
		}
		pthread_cond_wait(&rd->emptied, &rd->lock); /* for a spare */
	}
}

static void *src_reader_main(void *arg)
{
	struct src *s = arg;
	struct src_reader *rd = s->reader;
	unsigned int slot = 0;

	for (;;) {
		bool oom = false;
		size_t n = 0;
		char *b;

		pthread_mutex_lock(&rd->lock);
		b = src_reader_buffer(rd, &oom);
		pthread_mutex_unlock(&rd->lock);
		if (!b && !oom) /* stopped: the queue may be full */
			return NULL;
		if (b) {
			n = src_decode(s, b, SRC_BUFSZ);
		} else { /* the end, as a read error */
			snprintf(s->err, sizeof(s->err), "out of memory");
			s->truncated = true;
			s->out_eof = true;
		}
		pthread_mutex_lock(&rd->lock);
		rd->buf[slot] = b;
		rd->len[slot] = n;
		rd->in_total[slot] = rd->bytes_in;
		rd->count++;
		pthread_cond_signal(&rd->filled);
		pthread_mutex_unlock(&rd->lock);
		if (!n)
			return NULL;
		if (s->out_eof)
			src_decoder_end(s); /* while the caller parses */
		slot = (slot + 1) % SRC_BUFS;
	}
}

static void src_reader_free(struct src_reader *rd)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (rd->stop_pipe[i] >= 0)
			close(rd->stop_pipe[i]);
	for (i = 0; i < SRC_BUFS; i++)
		free(rd->buf[i]);
	for (i = 0; i < rd->nspare; i++)
		free(rd->spare[i]);
	free(rd);
}

/* Start the thread; if it cannot start, the caller decodes itself. */
static void src_reader_start(struct src *s)
{
	struct src_reader *rd = calloc(1, sizeof(*rd));
	struct stat st;
	unsigned int i;

	if (!rd)
		return;
	rd->stop_pipe[0] = rd->stop_pipe[1] = -1;
	for (i = 0; i < 2; i++) /* the queue's first buffers */
		if (!(rd->spare[rd->nspare++] = malloc(SRC_BUFSZ)))
			goto fail;
	/* A file is never waited for; anything else may be. */
	if ((fstat(s->fd, &st) || !S_ISREG(st.st_mode)) &&
	    pipe2(rd->stop_pipe, O_CLOEXEC))
		goto fail;
	s->stop_fd = rd->stop_pipe[0];
	pthread_mutex_init(&rd->lock, NULL);
	pthread_cond_init(&rd->filled, NULL);
	pthread_cond_init(&rd->emptied, NULL);
	/* From now on the thread counts the compressed bytes it reads. */
	rd->bytes_in = *s->bytes_in;
	s->reader = rd;
	s->bytes_in = &rd->bytes_in;
	if (!pthread_create(&rd->thread, NULL, src_reader_main, s))
		return;
	s->bytes_in = s->reader_bytes_owner;
	*s->bytes_in = rd->bytes_in;
	s->reader = NULL;
	pthread_mutex_destroy(&rd->lock);
	pthread_cond_destroy(&rd->filled);
	pthread_cond_destroy(&rd->emptied);
fail:
	s->stop_fd = -1;
	src_reader_free(rd);
}

/* Copy decoded bytes out of the ring; 0 at the end. */
static size_t src_reader_read(struct src *s, char *out, size_t cap)
{
	struct src_reader *rd = s->reader;
	size_t n, len;
	unsigned int h;

	pthread_mutex_lock(&rd->lock);
	while (!rd->count)
		pthread_cond_wait(&rd->filled, &rd->lock);
	h = rd->head;
	len = rd->len[h];
	*s->reader_bytes_owner = rd->in_total[h];
	pthread_mutex_unlock(&rd->lock);
	if (!len) /* the last buffer stays: every later call ends here */
		return 0;
	n = len - rd->pos;
	if (n > cap)
		n = cap;
	memcpy(out, rd->buf[h] + rd->pos, n);
	rd->pos += n;
	if (rd->pos == len) {
		rd->pos = 0;
		pthread_mutex_lock(&rd->lock);
		rd->spare[rd->nspare++] = rd->buf[h];
		rd->buf[h] = NULL;
		rd->head = (h + 1) % SRC_BUFS;
		rd->count--;
		pthread_cond_signal(&rd->emptied);
		pthread_mutex_unlock(&rd->lock);
	}
	return n;
}

static void src_reader_stop(struct src *s)
{
	struct src_reader *rd = s->reader;

	if (!rd)
		return;
	pthread_mutex_lock(&rd->lock);
	rd->stop = true;
	pthread_cond_signal(&rd->emptied);
	pthread_mutex_unlock(&rd->lock);
	/* A thread waiting for input wakes up (src_wait_input). */
	if (rd->stop_pipe[1] >= 0 && write(rd->stop_pipe[1], "", 1) < 0)
		(void)0; /* a pipe of our own, empty: cannot fail */
	pthread_join(rd->thread, NULL);
	*s->reader_bytes_owner = rd->bytes_in;
	s->bytes_in = s->reader_bytes_owner;
	s->reader = NULL;
	s->stop_fd = -1;
	pthread_mutex_destroy(&rd->lock);
	pthread_cond_destroy(&rd->filled);
	pthread_cond_destroy(&rd->emptied);
	src_reader_free(rd);
}

/* Free the decoder (its thread's, once the input is decoded, or the
 * caller's at the end). */
static void src_decoder_end(struct src *s)
{
	if (s->dec_ended)
		return;
	s->dec_ended = true;
#ifdef KMEM_HAVE_LZMA
	if (s->kind == SRC_XZ)
		lzma_end(&s->xz);
#endif
#ifdef KMEM_HAVE_ZLIB
	if (s->kind == SRC_GZ)
		inflateEnd(&s->gz);
#endif
}

static void src_close(struct src *s)
{
	src_reader_stop(s);
	src_decoder_end(s);
	if (s->own_fd)
		close(s->fd);
	free(s->in);
}

static void set_error(struct kmem_trace *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->info.error, sizeof(t->info.error), fmt, ap);
	va_end(ap);
}

#ifdef KMEM_HAVE_LZMA
/*
 * A stream of several blocks (xz -T) is decoded by two threads of liblzma
 * (5.4 and later) while the decoder's own thread waits for them; a stream
 * of one block is decoded as by lzma_stream_decoder(). Threads are used
 * only while their buffers stay under 128 MiB, else one decodes.
 */
static lzma_ret xz_decoder_start(lzma_stream *xz)
{
#if LZMA_VERSION >= 50040002
	lzma_mt mt = { .flags = LZMA_CONCATENATED,
		       .threads = 2,
		       .memlimit_threading = 128u << 20,
		       .memlimit_stop = UINT64_MAX };

	if (lzma_stream_decoder_mt(xz, &mt) == LZMA_OK)
		return LZMA_OK;
#endif
	return lzma_stream_decoder(xz, UINT64_MAX, LZMA_CONCATENATED);
}
#endif

/* Pick the decoder from the first bytes. The input is in_fd when it is not
 * -1 (the caller's: read from where it stands, not closed), else standard
 * input for "-", else the file at path. */
static int src_open(struct kmem_trace *t, struct src *s, const char *path,
		    int in_fd, int spool_fd)
{
	static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

	memset(s, 0, sizeof(*s));
	s->stop_fd = -1;
	s->spool_fd = spool_fd;
	s->bytes_in = &t->info.bytes_in;
	s->reader_bytes_owner = &t->info.bytes_in;
	if (in_fd >= 0) {
		s->fd = in_fd;
	} else if (!strcmp(path, "-")) {
		s->fd = STDIN_FILENO;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			set_error(t, "%s: %s", path, strerror(errno));
			return -1;
		}
		s->own_fd = true;
	}
	s->in = malloc(SRC_INBUF);
	if (!s->in) {
		set_error(t, "out of memory");
		return -1;
	}
	/* Read at least 6 bytes (or to the end) to see the magic. */
	while (s->in_len < 6 && !s->in_eof) {
		ssize_t n =
			read(s->fd, s->in + s->in_len, SRC_INBUF - s->in_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_error(t, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (n == 0)
			s->in_eof = true;
		src_spool(s, s->in + s->in_len, (size_t)n);
		s->in_len += (size_t)n;
		t->info.bytes_in += (uint64_t)n;
	}
	s->kind = SRC_PLAIN;
	t->info.compression = "none";
	if (s->in_len >= 6 && !memcmp(s->in, xz_magic, 6)) {
#ifdef KMEM_HAVE_LZMA
		s->kind = SRC_XZ;
		t->info.compression = "xz";
		if (xz_decoder_start(&s->xz) != LZMA_OK) {
			set_error(t, "%s: cannot start the xz decoder", path);
			return -1;
		}
		s->xz.next_in = s->in;
		s->xz.avail_in = s->in_len;
		s->in_pos = s->in_len;
#else
		set_error(
			t,
			"%s: xz-compressed, but kmem was built without liblzma "
			"(install liblzma-dev and rebuild, or decompress it first)",
			path);
		return -1;
#endif
	} else if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
#ifdef KMEM_HAVE_ZLIB
		s->kind = SRC_GZ;
		t->info.compression = "gzip";
		if (inflateInit2(&s->gz, 15 + 32) != Z_OK) {
			set_error(t, "%s: cannot start the gzip decoder", path);
			return -1;
		}
		s->gz.next_in = s->in;
		s->gz.avail_in = (uInt)s->in_len;
		s->in_pos = s->in_len;
#else
		set_error(
			t,
			"%s: gzip-compressed, but kmem was built without zlib "
			"(install zlib1g-dev and rebuild, or decompress it first)",
			path);
		return -1;
#endif
	}
	if (s->kind != SRC_PLAIN)
		src_reader_start(s);
	return 0;
}

/* ---- the whole file ------------------------------------------------------------ */

#define LINE_MAX_LEN (64 * 1024)
#define WINDOW (1024 * 1024)
#define SNIFF_LINES 200

static int cmp_event(const void *a, const void *b)
{
	const struct kmem_trace_event *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void keep_malformed(struct kmem_trace *t, unsigned long lineno,
			   const char *why)
{
	if (t->info.malformed < KMEM_TRACE_MAX_MALFORMED_KEPT) {
		t->info.malformed_kept[t->info.malformed].line = lineno;
		snprintf(t->info.malformed_kept[t->info.malformed].why,
			 sizeof(t->info.malformed_kept[0].why), "%s", why);
	}
	t->info.malformed++;
}

static const char *binary_kind(const char *buf, size_t n)
{
	if (n >= 10 && !memcmp(buf, "\027\010\104tracing", 10))
		return "a trace-cmd binary file (trace.dat): convert it with "
		       "`trace-cmd report -i FILE > trace.txt`";
	if (n >= 8 && !memcmp(buf, "PERFILE2", 8))
		return "a perf.data file: convert it with `perf script -i FILE > trace.txt`";
	if (memchr(buf, 0, n < 4096 ? n : 4096))
		return "binary data, not a text trace";
	return NULL;
}

/* An event at ts was read: how far back in time from the latest before it? */
static inline void note_order(struct kmem_trace *t, uint64_t ts)
{
	if (ts >= t->info.max_ts)
		t->info.max_ts = ts;
	else if (t->info.max_ts - ts > t->info.max_disorder_ns)
		t->info.max_disorder_ns = t->info.max_ts - ts;
}

/* Where parse_stream() hands its events when streaming: every SINK_BATCH
 * events (t->ev[0, t->nr), in input order), then t->nr is 0 again. */
struct sink {
	int (*fn)(struct sink *k, struct kmem_trace *t);
};
#define SINK_BATCH 4096

static int sink_flush(struct kmem_trace *t, struct sink *k)
{
	int err;

	if (!t->nr)
		return 0;
	err = k->fn(k, t);
	t->info.events += t->nr;
	t->nr = 0;
	return err;
}

static int parse_stream(struct kmem_trace *t, struct src *s, const char *path,
			const struct kmem_trace_parse_opts *opts,
			uint64_t total_in, struct sink *sink)
{
	char *win = calloc(1, WINDOW + 1 + LINE_PAD), why[160];
	size_t have = 0, start;
	unsigned long lineno = 0, content = 0, prefixed = 0;
	bool skipping_long = false, first = true, decided = false,
	     header_ftrace = false;
	bool fast = !(opts && opts->no_fast_path);
	struct progress pr;
	uint64_t t0 = kmem_trace_now_ns();
	int ret = 0;

	if (!win) {
		set_error(t, "out of memory");
		return -1;
	}
	progress_start(&pr, "parse", total_in, opts && opts->progress);
	for (;;) {
		size_t n = src_read(s, win + have, WINDOW - have);
		bool eof = n == 0;
		char *nl;

		if (first && n) {
			const char *bk = binary_kind(win, n);

			first = false;
			if (bk) {
				set_error(t, "%s: not a kernel trace: %s", path,
					  bk);
				ret = -1;
				break;
			}
		}
		have += n;
		win[have] = 0; /* where the fast path stops at the latest */
		start = 0;
		progress_update(&pr, t->info.bytes_in);
		while (start < have) {
			size_t len;
			char *line = win + start;
			const char *fast_end = NULL;
			bool fast_failed = false;
			int r;

			if (sink && t->nr >= SINK_BATCH &&
			    sink_flush(t, sink)) {
				set_error(t, "%s: the replay failed", path);
				ret = -1;
				goto out;
			}

			if (fast && !skipping_long) {
				/* The fast path finds the line's end itself. */
				fast_end = parse_line_fast(t, line, lineno + 1);
				if (fast_end && *fast_end == '\n' &&
				    fast_end < win + have &&
				    (size_t)(fast_end - line) <= LINE_MAX_LEN) {
					note_order(t, t->ev[t->nr - 1].ts_ns);
					lineno++;
					decided = true;
					start = (size_t)(fast_end + 1 - win);
					continue;
				}
				if (fast_end) { /* a NUL inside, or the end of the data */
					t->nr--;
					t->info.count[t->ev[t->nr].type]--;
				} else {
					fast_failed = true;
				}
			}
			nl = memchr(line, '\n', have - start);
			if (!nl) {
				/* A partial line: move it down and read more
				 * (a pipe may deliver it in pieces) ... */
				if (!eof && have - start < WINDOW)
					break;
				if (!eof) {
					/* ... unless it fills the window: too
					 * long; drop it up to its newline. */
					if (!skipping_long) {
						skipping_long = true;
						lineno++;
						keep_malformed(
							t, lineno,
							"line longer than 64 KiB");
					}
					start = have;
					break;
				}
				nl = win +
				     have; /* last line without a newline */
			}
			len = (size_t)(nl - line);
			start += len + (nl < win + have);
			if (skipping_long) { /* the rest of an over-long line */
				skipping_long = false;
				continue;
			}
			lineno++;
			if (len && line[len - 1] == '\r') {
				len--;
				fast_failed =
					false; /* the line it read was longer */
			}
			if (len > LINE_MAX_LEN) {
				keep_malformed(t, lineno,
					       "line longer than 64 KiB");
				continue;
			}
			line[len] = 0;
			fast_end = fast && !fast_failed ?
					   parse_line_fast(t, line, lineno) :
					   NULL;
			if (fast_end != line + len) {
				if (fast_end) { /* it stopped at a NUL inside: undo */
					t->nr--;
					t->info.count[t->ev[t->nr].type]--;
				}
				if (memchr(line, 0, len)) {
					keep_malformed(t, lineno,
						       "NUL byte in the line");
					continue;
				}
				if (line[0] == '#' && strstr(line, "tracer:"))
					header_ftrace = true;
				r = parse_line_general(t, line, lineno, why,
						       sizeof(why));
				if (r < 0)
					keep_malformed(t, lineno, why);
				if (r > 0)
					note_order(t, t->ev[t->nr - 1].ts_ns);
			} else {
				note_order(t, t->ev[t->nr - 1].ts_ns);
			}
			/* Lines with a trace prefix: events and unknown events. */
			prefixed =
				t->info.events + t->nr + t->info.unknown_total;
			content = lineno - t->info.blank_lines -
				  t->info.header_lines;
			if (!decided && prefixed)
				decided = true;
			if (!decided && content >= SNIFF_LINES) {
				set_error(
					t,
					"%s: not a kernel trace: none of its first %d "
					"lines is an ftrace, trace-cmd or perf script event "
					"line (\"comm-pid [cpu] ... secs.usecs: event: fields\")",
					path, SNIFF_LINES);
				ret = -1;
				goto out;
			}
		}
		if (eof)
			break;
		if (start < have)
			memmove(win, win + start, have - start);
		have -= start;
		if (skipping_long)
			have = 0;
	}
	prefixed = t->info.events + t->nr + t->info.unknown_total;
	if (!ret && !prefixed && !header_ftrace) {
		if (!lineno && s->truncated) /* nothing could be decompressed */
			set_error(t, "%s: %s", path, s->err);
		else
			set_error(
				t, "%s: not a kernel trace: %s", path,
				lineno ?
					"no line is an ftrace, trace-cmd or perf script "
					"event line" :
					"the file is empty");
		ret = -1;
	}
out:
	src_reader_stop(s); /* s->err and s->truncated are ours again */
	progress_end(&pr);
	t->info.lines = lineno;
	if (s->truncated) {
		t->info.truncated = true;
		if (opts && opts->diag && !ret)
			fprintf(opts->diag,
				"kmem replay: %s: %s after line %lu; "
				"replaying what was read\n",
				path, s->err, lineno);
	}
	if (!ret && opts && opts->diag) {
		unsigned long i, shown = t->info.malformed < opts->max_diag ?
						 t->info.malformed :
						 opts->max_diag;

		if (shown > KMEM_TRACE_MAX_MALFORMED_KEPT)
			shown = KMEM_TRACE_MAX_MALFORMED_KEPT;
		for (i = 0; i < shown; i++)
			fprintf(opts->diag,
				"kmem replay: %s:%lu: malformed line skipped: %s\n",
				path, t->info.malformed_kept[i].line,
				t->info.malformed_kept[i].why);
		if (t->info.malformed > shown)
			fprintf(opts->diag,
				"kmem replay: %s: %lu more malformed lines skipped\n",
				path, t->info.malformed - shown);
	}
	free(win);
	if (!ret && sink && sink_flush(t, sink)) {
		set_error(t, "%s: the replay failed", path);
		ret = -1;
	}
	t->info.events += t->nr; /* (all of them, unless a sink took them) */
	if (!ret) {
		t->info.sorted_input = !t->info.max_disorder_ns;
		if (!t->info.sorted_input)
			qsort(t->ev, t->nr, sizeof(*t->ev), cmp_event);
	}
	t->info.parse_seconds = (double)(kmem_trace_now_ns() - t0) / 1e9;
	return ret;
}

/*
 * The one way a trace is opened, sized and parsed: the file at path ("-":
 * standard input), or in_fd from where it stands when it is not -1 (the
 * copy of standard input; the messages still name path), into sink (NULL: t
 * keeps the events), with a file's size as the progress bar's total. What
 * is read also goes to spool_fd when it is > 0; *spool_failed (may be NULL)
 * says whether that copy broke.
 */
static int parse_path(struct kmem_trace *t, const char *path, int in_fd,
		      int spool_fd, const struct kmem_trace_parse_opts *opts,
		      struct sink *sink, bool *spool_failed)
{
	struct src s;
	struct stat st;
	uint64_t total = 0;
	int ret;

	t->info.path = path;
	if (src_open(t, &s, path, in_fd, spool_fd)) {
		src_close(&s);
		return -1;
	}
	if (s.fd >= 0 && !fstat(s.fd, &st) && S_ISREG(st.st_mode))
		total = (uint64_t)st.st_size;
	ret = parse_stream(t, &s, path, opts, total, sink);
	if (spool_failed)
		*spool_failed = s.spool_failed;
	src_close(&s);
	return ret;
}

int kmem_trace_load(struct kmem_trace *t, const char *path,
		    const struct kmem_trace_parse_opts *opts)
{
	return parse_path(t, path, -1, 0, opts, NULL, NULL);
}

int kmem_trace_load_buffer(struct kmem_trace *t, const char *name,
			   const char *buf, size_t len,
			   const struct kmem_trace_parse_opts *opts)
{
	struct src s;

	memset(&s, 0, sizeof(s));
	s.kind = SRC_MEM;
	s.fd = -1;
	s.stop_fd = -1;
	s.mem = buf;
	s.mem_len = len;
	s.bytes_in = &t->info.bytes_in;
	t->info.path = name;
	t->info.compression = "none";
	return parse_stream(t, &s, name, opts, 0, NULL);
}

void trace_release(struct kmem_trace *t)
{
	uint32_t i;

	free(t->ev);
	for (i = 0; i < t->nr_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t->name_hash);
	free(t->gfp_cache);
	free(t->name_cache);
	free(t->line_cache);
	memset(t, 0, sizeof(*t));
}

struct kmem_trace *kmem_trace_new(void)
{
	return calloc(1, sizeof(struct kmem_trace));
}

void kmem_trace_free(struct kmem_trace *t)
{
	if (!t)
		return;
	trace_release(t);
	free(t);
}

const struct kmem_trace_info *kmem_trace_info(const struct kmem_trace *t)
{
	return &t->info;
}

const struct kmem_trace_event *kmem_trace_events(const struct kmem_trace *t,
						 size_t *nr)
{
	*nr = t->nr;
	return t->ev;
}

const char *kmem_trace_name(const struct kmem_trace *t, uint32_t id)
{
	return trace_name(t, id);
}

/* ---- parse and replay at once ------------------------------------------------
 *
 * kmem_trace_replay_file() parses with a sink that puts the events in timestamp
 * order and pushes them into a replay stream (replay_stream_push()): the
 * events of the trace are never all in memory. Order: an event is let go
 * once the latest timestamp read is at least `horizon` past its own; an event
 * read after one with a later timestamp was let go is out of order. The first
 * pass takes a horizon of 0 (in order, as the kernel's trace and trace_pipe
 * files and perf script print); it then knows how far the input goes back in
 * time at most (t->info.max_disorder_ns), which is the horizon of a second pass
 * that puts every event in its place. Another pass (also when the machine
 * the trace asks for is only known at its end) reads the file again.
 *
 * The passes: FIRST (horizon 0, the machine booted speculatively); after it
 * FORCED on the machine the whole trace asked for, if it was in order. A
 * broken FIRST pass stopped replaying -- and sizing -- at the first event out
 * of order, so its machine is not the trace's: SORTED (the new horizon, the
 * machine booted speculatively again) follows, then FORCED if the whole
 * trace asks for another machine; or, when FIRST had booted a machine and
 * the caller can run a pass in a new process (again), SIZE (the new horizon,
 * nothing booted or replayed) finds the machine for that process's FORCED
 * pass. One boot per process, a machine from the whole trace in order.
 */
enum replay_pass { PASS_FIRST, PASS_SORTED, PASS_SIZE, PASS_FORCED };

struct order_sink {
	struct sink k;
	struct replay_stream *rs;
	struct kmem_trace_event *q; /* q[head, head + n): sorted, not let go */
	size_t cap, head, n;
	uint64_t horizon, max_ts, last_ts;
	uint64_t ns; /* spent in the sink (the replay), not parsing */
	bool have_last, broken;
};

static int order_let_go(struct order_sink *o, bool all)
{
	while (o->n && (all || o->q[o->head].ts_ns + o->horizon <= o->max_ts)) {
		o->last_ts = o->q[o->head].ts_ns;
		o->have_last = true;
		if (replay_stream_push(o->rs, &o->q[o->head]))
			return -1;
		o->head++;
		o->n--;
	}
	if (!o->n)
		o->head = 0;
	return 0;
}

static int order_add(struct order_sink *o, const struct kmem_trace_event *e)
{
	size_t p;

	if (o->have_last && e->ts_ns < o->last_ts) {
		o->broken = true; /* a second pass puts it in its place */
		replay_stream_disorder(o->rs);
		return 0;
	}
	if (o->head + o->n == o->cap) {
		if (o->head) {
			memmove(o->q, o->q + o->head, o->n * sizeof(*o->q));
			o->head = 0;
		} else {
			size_t cap = o->cap ? o->cap * 2 : 1024;
			struct kmem_trace_event *q =
				realloc(o->q, cap * sizeof(*q));

			if (!q)
				return -1;
			o->q = q;
			o->cap = cap;
		}
	}
	/* After every queued event with a timestamp not later than its own. */
	for (p = o->n; p && o->q[o->head + p - 1].ts_ns > e->ts_ns; p--)
		;
	memmove(o->q + o->head + p + 1, o->q + o->head + p,
		(o->n - p) * sizeof(*o->q));
	o->q[o->head + p] = *e;
	o->n++;
	if (e->ts_ns > o->max_ts)
		o->max_ts = e->ts_ns;
	return order_let_go(o, false);
}

static int order_sink_fn(struct sink *k, struct kmem_trace *t)
{
	struct order_sink *o = (struct order_sink *)k;
	uint64_t t0 = kmem_trace_now_ns();
	size_t i;
	int err = 0;

	if (o->broken)
		return 0; /* only the parse goes on (counts, max_disorder_ns) */
	for (i = 0; i < t->nr && !err; i++)
		err = order_add(o, &t->ev[i]);
	o->ns += kmem_trace_now_ns() - t0;
	return err ? -1 : 0;
}

int kmem_trace_replay_file(struct kmem_trace *t, const char *path,
			   const struct kmem_trace_parse_opts *po,
			   const struct kmem_replay_opts *o,
			   struct kmem_replay_result *r,
			   struct kmem_replay_again *again)
{
	struct kmem_trace_parse_opts quiet = { 0 };
	struct kmem_replay_opts ro = *o;
	struct kmem_replay_machine m;
	enum replay_pass pass = PASS_FIRST;
	uint64_t horizon = 0;
	struct stat st;
	bool is_stdin = !strcmp(path, "-");
	int in_fd = -1;	 /* what a pass reads (-1: path, or standard input) */
	off_t off0 = -1; /* where in_fd starts (-1: path's own start) */
	int spool = 0;	 /* standard input copied there as it is read */
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (is_stdin && !fstat(STDIN_FILENO, &st) && S_ISREG(st.st_mode)) {
		in_fd = STDIN_FILENO;
		off0 = again && again->forced ?
			       (off_t)again->stdin_offset :
			       lseek(STDIN_FILENO, 0, SEEK_CUR);
	} else if (is_stdin && po && po->spool_fd > 0) {
		spool = po->spool_fd;
	}
	if (is_stdin ? off0 >= 0 || spool :
		       !stat(path, &st) && S_ISREG(st.st_mode))
		;
	else { /* a pipe cannot be read twice: the whole trace, then replay */
		if (kmem_trace_load(t, path, po))
			return -1;
		return kmem_trace_replay(t, o, r);
	}
	if (po)
		quiet = *po;
	quiet.diag = NULL;
	quiet.progress = false;
	ro.progress = false;	      /* the parse draws its bar meanwhile */
	if (again && again->forced) { /* the last pass, in a new process */
		m = again->m;
		horizon = again->horizon;
		pass = PASS_FORCED;
		if (spool) { /* the copy the first process made */
			in_fd = spool;
			off0 = (off_t)again->stdin_offset;
			spool = 0;
		}
	}
	for (;;) {
		struct order_sink os = { .k.fn = order_sink_fn,
					 .horizon = horizon };
		bool spool_failed = false;
		int err;

		if (pass != PASS_FIRST) {
			trace_release(t);
			kmem_replay_result_free(r);
		}
		t->info.path = path;
		if (off0 >= 0 && lseek(in_fd, off0, SEEK_SET) != off0) {
			set_error(t, "%s: cannot read it again: %s", path,
				  strerror(errno));
			return -1;
		}
		os.rs = replay_stream_start(t, &ro, r,
					    pass == PASS_FORCED ? &m : NULL);
		if (!os.rs) {
			set_error(t, "%s: out of memory", path);
			return -1;
		}
		/* A sizing pass replays nothing. */
		if (pass == PASS_SIZE)
			replay_stream_disorder(os.rs);
		/* The diagnostics once: the first pass reads every line. */
		err = parse_path(t, path, in_fd, pass == PASS_FIRST ? spool : 0,
				 pass != PASS_FIRST ? &quiet : po, &os.k,
				 &spool_failed);
		if (!err)
			err = order_let_go(&os, true);
		free(os.q);
		if (err) {
			replay_stream_free(os.rs);
			if (r->failures)
				return -1; /* the machine: r says why */
			if (!t->info.error[0])
				set_error(t, "%s: out of memory", path);
			return -1;
		}
		ret = replay_stream_end(os.rs, &m);
		replay_stream_free(os.rs);
		/* The parse went on while replaying: its own share. */
		t->info.parse_seconds -= (double)os.ns / 1e9;
		if (t->info.parse_seconds < 0)
			t->info.parse_seconds = 0;
		if (ret != 1)
			return ret;
		if (pass == PASS_FORCED || (os.broken && pass != PASS_FIRST)) {
			snprintf(
				r->failure[0].why, sizeof(r->failure[0].why),
				pass == PASS_FORCED ?
					"%s: the last pass asked for another machine" :
					"%s: the events are out of order in a sorting pass",
				path);
			r->failures = 1;
			return -1;
		}
		if (spool) { /* the next pass reads the copy */
			if (spool_failed) {
				set_error(t,
					  "%s: cannot read it again: its copy "
					  "in a temporary file failed",
					  path);
				return -1;
			}
			in_fd = spool;
			off0 = 0;
			spool = 0;
		}
		if (os.broken) { /* m is not the trace's: find it out */
			horizon = t->info.max_disorder_ns;
			pass = again && kmem_is_booted() ? PASS_SIZE :
							   PASS_SORTED;
			continue;
		}
		/* m is the machine the whole trace (in order) asks for. */
		pass = PASS_FORCED;
		if (again && kmem_is_booted()) {
			/* A machine booted again in the same process does not
			 * start from quite the same state as in a new one:
			 * the caller runs the last pass in a new process. */
			again->forced = true;
			again->m = m;
			again->horizon = horizon;
			again->stdin_offset = off0;
			return 2;
		}
	}
}

/* ---- the events again, in order (kmem replay --compare and --slab) ----------
 *
 * A binary heap ordered by timestamp, then line: an event is handed on once
 * the latest timestamp read is at least `horizon` past its own (the largest
 * step back in time the first parse saw), so the order is that of a stable
 * sort of the whole trace, with a heap of the events of one horizon.
 */
struct heap_sink {
	struct sink k;
	struct kmem_trace_event *h;
	size_t n, cap;
	uint64_t horizon, max_ts;
	int (*fn)(void *arg, const struct kmem_trace *t,
		  const struct kmem_trace_event *e);
	void *arg;
};

static inline bool ev_before(const struct kmem_trace_event *a,
			     const struct kmem_trace_event *b)
{
	return a->ts_ns != b->ts_ns ? a->ts_ns < b->ts_ns : a->line < b->line;
}

static int heap_pop(struct heap_sink *hs, struct kmem_trace *t)
{
	struct kmem_trace_event top = hs->h[0], last = hs->h[--hs->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= hs->n)
			break;
		if (c + 1 < hs->n && ev_before(&hs->h[c + 1], &hs->h[c]))
			c++;
		if (!ev_before(&hs->h[c], &last))
			break;
		hs->h[i] = hs->h[c];
		i = c;
	}
	if (hs->n)
		hs->h[i] = last;
	return hs->fn(hs->arg, t, &top);
}

static int heap_sink_fn(struct sink *k, struct kmem_trace *t)
{
	struct heap_sink *hs = (struct heap_sink *)k;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		size_t j = hs->n;

		if (hs->n == hs->cap) {
			size_t cap = hs->cap ? hs->cap * 2 : 1024;
			struct kmem_trace_event *h =
				realloc(hs->h, cap * sizeof(*h));

			if (!h)
				return -1;
			hs->h = h;
			hs->cap = cap;
		}
		while (j && ev_before(&t->ev[i], &hs->h[(j - 1) / 2])) {
			hs->h[j] = hs->h[(j - 1) / 2];
			j = (j - 1) / 2;
		}
		hs->h[j] = t->ev[i];
		hs->n++;
		if (t->ev[i].ts_ns > hs->max_ts)
			hs->max_ts = t->ev[i].ts_ns;
		while (hs->n && hs->h[0].ts_ns + hs->horizon <= hs->max_ts)
			if (heap_pop(hs, t))
				return -1;
	}
	return 0;
}

int kmem_trace_parse_ordered(struct kmem_trace *t, const char *path,
			     const struct kmem_trace_parse_opts *po,
			     uint64_t horizon,
			     int (*fn)(void *arg, const struct kmem_trace *t,
				       const struct kmem_trace_event *e),
			     void *arg)
{
	struct heap_sink hs = {
		.k.fn = heap_sink_fn, .horizon = horizon, .fn = fn, .arg = arg
	};
	int in_fd = -1, ret;

	if (!strcmp(path, "-") && po && po->spool_fd > 0) { /* its copy */
		if (lseek(po->spool_fd, 0, SEEK_SET)) {
			set_error(t, "%s: cannot read it again: %s", path,
				  strerror(errno));
			return -1;
		}
		in_fd = po->spool_fd;
	}
	ret = parse_path(t, path, in_fd, 0, po, &hs.k, NULL);
	while (!ret && hs.n)
		if (heap_pop(&hs, t))
			ret = -1;
	free(hs.h);
	return ret;
}
