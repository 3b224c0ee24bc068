// SPDX-License-Identifier: MIT
/*
 * The trace parser's input edge cases: short reads from a pipe (a line
 * arriving in pieces), over-long lines, a last line without a newline,
 * timestamps out of range, NUL bytes inside a line.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmem/kmem.h>
#include <kmem/replay.h>
#include "replay/internal.h"
#include "test.h"

static const struct kmem_trace_parse_opts quiet = { .diag = NULL };

#define LINE1                                                          \
	"            bash-2460    [000] .....   203.600001: kmalloc: " \
	"call_site=f+0x3b/0x60 ptr=00000000b3287f30 bytes_req=11 "     \
	"bytes_alloc=16 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
#define LINE2                                                        \
	"            bash-2460    [001] .....   203.600002: kfree: " \
	"call_site=g+0x10/0x20 ptr=00000000b3287f30\n"

struct writer {
	int fd;
};

/* Write the trace in pieces that cut lines, with pauses, so that the
 * reader's read() returns partial lines (and at first no newline at all). */
static void *write_in_pieces(void *arg)
{
	struct writer *w = arg;
	static const char text[] = LINE1 LINE2 LINE1 LINE2;
	size_t cuts[] = { 30, 150, 200, 260, sizeof(text) - 1 }, pos = 0, i;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		if (write(w->fd, text + pos, cuts[i] - pos) < 0)
			break;
		pos = cuts[i];
		usleep(20000);
	}
	close(w->fd);
	return NULL;
}

TEST(pipe_short_reads)
{
	struct kmem_trace t;
	struct writer w;
	pthread_t th;
	int fds[2], saved;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(pipe(fds), 0);
	saved = dup(0);
	dup2(fds[0], 0);
	close(fds[0]);
	w.fd = fds[1];
	pthread_create(&th, NULL, write_in_pieces, &w);
	CHECK_EQ(kmem_trace_load(&t, "-", &quiet), 0);
	pthread_join(th, NULL);
	dup2(saved, 0);
	close(saved);
	CHECK_EQ(t.info.malformed, 0);
	CHECK_EQ(t.nr, 4);
	CHECK_EQ(t.info.lines, 4);
	trace_release(&t);
}

/* A 3 MiB line between two events: one malformed line, and the event after
 * it is line 3. A last line without a newline is parsed. */
TEST(long_line_and_no_final_newline)
{
	size_t big = 3u << 20, len;
	char *buf = malloc(big + 1024);
	struct kmem_trace t;

	memset(&t, 0, sizeof(t));
	strcpy(buf, LINE1);
	len = strlen(buf);
	memset(buf + len, 'x', big);
	len += big;
	buf[len++] = '\n';
	memcpy(buf + len, LINE2, strlen(LINE2) - 1); /* no final newline */
	len += strlen(LINE2) - 1;
	CHECK_EQ(kmem_trace_load_buffer(&t, "long", buf, len, &quiet), 0);
	CHECK_EQ(t.info.malformed, 1);
	CHECK_EQ(t.info.malformed_kept[0].line, 2);
	CHECK_EQ(t.nr, 2);
	CHECK_EQ(t.info.lines, 3);
	if (t.nr == 2)
		CHECK_EQ(t.ev[1].line, 3);
	trace_release(&t);
	free(buf);
}

TEST(timestamp_out_of_range)
{
	static const char text[] = LINE1
		"            bash-2460    [000] .....   99999999999.000000: kfree: "
		"call_site=g+0x10/0x20 ptr=00000000b3287f30\n"
		"            bash-2460    [000] .....   18446744073.709551: kfree: "
		"call_site=g+0x10/0x20 ptr=00000000b3287f30\n";
	struct kmem_trace t;

	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load_buffer(&t, "ts", text, sizeof(text) - 1,
					&quiet),
		 0);
	CHECK_EQ(t.nr, 2);
	CHECK_EQ(t.info.malformed, 1);
	if (t.nr == 2)
		CHECK(t.ev[1].ts_ns == 18446744073709551000ull);
	trace_release(&t);
}

/* A NUL inside a line (past the part checked for binary data) makes the
 * line malformed instead of cutting it silently. */
TEST(nul_in_line)
{
	char buf[8192];
	size_t len = 0;
	struct kmem_trace t;

	memset(&t, 0, sizeof(t));
	while (len + sizeof(LINE1) < 5000) {
		memcpy(buf + len, LINE1, strlen(LINE1));
		len += strlen(LINE1);
	}
	memcpy(buf + len, LINE1, strlen(LINE1));
	buf[len + strlen(LINE1) - 5] =
		0; /* in "accounted=false" of the last line */
	len += strlen(LINE1);
	CHECK_EQ(kmem_trace_load_buffer(&t, "nul", buf, len, &quiet), 0);
	CHECK_EQ(t.info.malformed, 1);
	CHECK_EQ(t.nr + 1, t.info.lines);
	trace_release(&t);
}

/*
 * The fast path for well-formed kmem events and the general parser agree on
 * every line: each line of the test traces, and each of them cut short at
 * every byte and with every byte replaced by a few others, parsed both ways
 * (return value, event, the message for a malformed line, the counters).
 */
static void parse_both(struct kmem_trace *a, struct kmem_trace *b,
		       const char *line, unsigned long lineno,
		       unsigned long *disagree)
{
	char la[512], lb[512], wa[160] = "", wb[160] = "";
	unsigned long ca =
		a->info.unknown_total +
		1000 * (a->info.header_lines + 1000 * a->info.blank_lines);
	unsigned long cb =
		b->info.unknown_total +
		1000 * (b->info.header_lines + 1000 * b->info.blank_lines);
	size_t na = a->nr, nb = b->nr;
	int ra, rb;

	snprintf(la, sizeof(la), "%s", line);
	snprintf(lb, sizeof(lb), "%s", line);
	ra = trace_parse_line(a, la, lineno, wa, sizeof(wa));
	rb = trace_parse_line_general(b, lb, lineno, wb, sizeof(wb));
	if (ra != rb || a->nr - na != b->nr - nb ||
	    (ra == 1 &&
	     memcmp(&a->ev[a->nr - 1], &b->ev[b->nr - 1], sizeof(a->ev[0]))) ||
	    (ra < 0 && strcmp(wa, wb)) ||
	    a->info.unknown_total +
			    1000 * (a->info.header_lines +
				    1000 * a->info.blank_lines) -
			    ca !=
		    b->info.unknown_total +
			    1000 * (b->info.header_lines +
				    1000 * b->info.blank_lines) -
			    cb ||
	    a->info.format != b->info.format) {
		if (++*disagree <= 5)
			fprintf(stderr,
				"fast and general parsers disagree (%d/%d '%s'/'%s') on: %s\n",
				ra, rb, wa, wb, line);
	}
}

static void compare_file(const char *path, unsigned long max_lines,
			 unsigned long *lines, unsigned long *disagree)
{
	static const char repl[] = { ' ', '\t', '-', '0', 'f', 'x', '=',   ':',
				     '[', ']',	'|', '.', '#', 'Z', '\001' };
	struct kmem_trace a, b;
	char line[512], mut[512];
	FILE *f = fopen(path, "r");
	unsigned long n = 0;
	size_t len, i, k;

	CHECK(f != NULL);
	if (!f)
		return;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.info.format = b.info.format =
		KMEM_TRACE_FMT_FTRACE; /* as after the first line */
	while (n < max_lines && fgets(line, sizeof(line), f)) {
		len = strcspn(line, "\r\n");
		line[len] = 0;
		parse_both(&a, &b, line, ++n, disagree);
		for (i = 0; i < len && n < 400; i++) {
			memcpy(mut, line, i);
			mut[i] = 0;
			parse_both(&a, &b, mut, n, disagree);
			for (k = 0; k < sizeof(repl); k++) {
				memcpy(mut, line, len + 1);
				mut[i] = repl[k];
				parse_both(&a, &b, mut, n, disagree);
			}
		}
	}
	fclose(f);
	*lines += n;
	trace_release(&a);
	trace_release(&b);
}

/* Timestamps with 1 to 12 fraction digits (eight or more once made the fast
 * path count trailing zeros of zero, found by fuzz_trace_parse): both
 * parsers agree on each, and nine digits read to the nanosecond. */
TEST(fraction_lengths)
{
	static const char digits[] = "123456789012";
	unsigned long disagree = 0;
	struct kmem_trace a, b;
	char line[256];
	int n;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.info.format = b.info.format = KMEM_TRACE_FMT_FTRACE;
	for (n = 1; n <= 12; n++) {
		snprintf(
			line, sizeof(line),
			"            bash-2460    [000] .....   17.%.*s: kfree: "
			"call_site=g+0x10/0x20 ptr=00000000b3287f30",
			n, digits);
		parse_both(&a, &b, line, (unsigned long)n, &disagree);
	}
	CHECK_EQ(disagree, 0);
	CHECK(a.nr >= 9);
	if (a.nr >= 9)
		CHECK(a.ev[8].ts_ns == 17123456789ull);
	trace_release(&a);
	trace_release(&b);
}

/*
 * Lines of the build trace (tests/data/linux-6.18-x86_64), one of each shape
 * the fast path reads in the kernel's field order, and its corner cases:
 * each cut at every byte, every byte replaced, deleted, doubled, and a
 * space inserted before it.
 */
static const char *const real_lines[] = {
	" capture-kmem-tr-4224    [000] .....   334.635597: kmem_cache_free: call_site=__fput+0x141/0x2a0 ptr=00000000121fd606 name=lsm_file_cache",
	" capture-kmem-tr-4224    [000] .....   334.635624: kmem_cache_alloc: call_site=copy_process+0x18a/0x1c70 ptr=000000007100eb0e name=task_struct bytes_req=5840 bytes_alloc=5888 gfp_flags=GFP_KERNEL node=-1 accounted=true",
	"     kworker/0:1-11      [000] .....   334.642405: kmem_cache_alloc: call_site=__alloc_skb+0x147/0x1a0 ptr=00000000f8d3d25e name=skbuff_head_cache bytes_req=224 bytes_alloc=256 gfp_flags=GFP_KERNEL node=-1 accounted=false",
	"             seq-4241    [000] .....   334.643200: kmalloc: call_site=alloc_slab_obj_exts+0x58/0x110 ptr=000000005ebd352d bytes_req=168 bytes_alloc=192 gfp_flags=GFP_KERNEL|__GFP_ZERO|__GFP_COMP node=0 accounted=false",
	" capture-kmem-tr-4224    [000] .....   334.635629: kmalloc: call_site=lsm_blob_alloc+0x3b/0x60 ptr=(null) bytes_req=11 bytes_alloc=16 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO node=-1 accounted=true",
	"             cc1-4259    [001] .....   334.979361: kfree: call_site=kvfree+0x2a/0x40 ptr=0000000077015b8e",
	" capture-kmem-tr-4224    [000] .....   334.635647: mm_page_alloc: page=00000000eee3f423 pfn=0x117a83 order=0 migratetype=0 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP",
	"             cc1-4259    [001] .....   334.979361: mm_page_alloc: page=(null) pfn=0xffffffffffffffff order=3 migratetype=1 gfp_flags=GFP_NOWAIT",
	"             cc1-4259    [001] ...2.   334.979355: mm_page_free_batched: page=000000001c8b5cb6 pfn=0x10c835 order=0",
	"             cc1-4259    [001] .....   334.979361: mm_page_free: page=0000000077015b8e pfn=0x10c82a order=10",
	"   kworker/u4:12-1234567 [017] d..1.  4294.000000001: mm_page_free: page=0000000077015b8e pfn=0x10c82a order=1",
	"sh-1 [1] 1.5: kfree: call_site=x ptr=0000000077015b8e",
};

static void compare_real_lines(unsigned long *disagree)
{
	static const char repl[] = { ' ', '\t',	  '-',	  '0',	  '9',
				     'f', 'x',	  '=',	  ':',	  '[',
				     ']', '|',	  '.',	  '#',	  '(',
				     'Z', '\001', '\x80', '\xff', '\n' };
	struct kmem_trace a, b;
	char mut[512];
	size_t l, i, k, len;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.info.format = b.info.format = KMEM_TRACE_FMT_FTRACE;
	for (l = 0; l < sizeof(real_lines) / sizeof(real_lines[0]); l++) {
		const char *line = real_lines[l];

		len = strlen(line);
		parse_both(&a, &b, line, l + 1, disagree);
		for (i = 0; i < len; i++) {
			/* after the line itself: the fast path has kept its
			 * prefix, and the mutants that start with it use it */
			parse_both(&a, &b, line, l + 1, disagree);
			memcpy(mut, line, i); /* cut */
			mut[i] = 0;
			parse_both(&a, &b, mut, l + 1, disagree);
			memcpy(mut, line, i); /* deleted */
			memcpy(mut + i, line + i + 1, len - i);
			parse_both(&a, &b, mut, l + 1, disagree);
			memcpy(mut, line, i + 1); /* doubled */
			memcpy(mut + i + 1, line + i, len - i + 1);
			parse_both(&a, &b, mut, l + 1, disagree);
			memcpy(mut, line, i); /* a space before it */
			mut[i] = ' ';
			memcpy(mut + i + 1, line + i, len - i + 1);
			parse_both(&a, &b, mut, l + 1, disagree);
			for (k = 0; k < sizeof(repl); k++) { /* replaced */
				memcpy(mut, line, len + 1);
				mut[i] = repl[k];
				parse_both(&a, &b, mut, l + 1, disagree);
			}
		}
	}
	CHECK(a.nr > 1000);
	trace_release(&a);
	trace_release(&b);
}

TEST(fast_path_agrees)
{
	unsigned long lines = 0, disagree = 0;

	compare_file(KMEM_TEST_DATA "/trace-ftrace.txt", 1000, &lines,
		     &disagree);
	compare_file(KMEM_TEST_DATA "/trace-cmd-report.txt", 1000, &lines,
		     &disagree);
	compare_file(KMEM_TEST_DATA "/trace-perf-script.txt", 1000, &lines,
		     &disagree);
	compare_file(KMEM_TEST_DATA "/trace-malformed.txt", 1000, &lines,
		     &disagree);
	compare_real_lines(&disagree);
	CHECK(lines > 100);
	CHECK_EQ(disagree, 0);
}

/*
 * The whole build trace read as `kmem replay` reads it (the fast path finding
 * line ends in the window, the kept prefixes) and with every line through the
 * general parser: the same events, names, counts and order.
 */
TEST(whole_trace_both_ways)
{
	static const struct kmem_trace_parse_opts general = { .no_fast_path =
								      true };
	struct kmem_trace a, b;
	size_t i, differ = 0;
	int k;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CHECK_EQ(kmem_trace_load(&a,
				 KMEM_TEST_DATA
				 "/linux-6.18-x86_64/trace-build.txt.xz",
				 &quiet),
		 0);
	CHECK_EQ(kmem_trace_load(&b,
				 KMEM_TEST_DATA
				 "/linux-6.18-x86_64/trace-build.txt.xz",
				 &general),
		 0);
	CHECK(a.nr > 390000);
	CHECK_EQ(a.nr, b.nr);
	CHECK_EQ(a.info.lines, b.info.lines);
	CHECK_EQ(a.info.malformed, b.info.malformed);
	CHECK_EQ(a.info.unknown_total, b.info.unknown_total);
	CHECK_EQ(a.info.header_lines, b.info.header_lines);
	CHECK_EQ(a.info.max_disorder_ns, b.info.max_disorder_ns);
	CHECK_EQ(a.info.sorted_input, b.info.sorted_input);
	for (k = 0; k < KMEM_TRACE_NR_TYPES; k++)
		CHECK_EQ(a.info.count[k], b.info.count[k]);
	for (i = 0; i < a.nr && i < b.nr; i++) {
		struct kmem_trace_event x = a.ev[i], y = b.ev[i];

		if (strcmp(kmem_trace_name(&a, x.name),
			   kmem_trace_name(&b, y.name)))
			differ++;
		x.name = y.name = 0;
		if (memcmp(&x, &y, sizeof(x)))
			differ++;
	}
	CHECK_EQ(differ, 0);
	trace_release(&a);
	trace_release(&b);
}

/*
 * A compressed file whose first decoded bytes are binary: the parse gives up
 * at once while the decoder's thread still has megabytes to decode (its ring
 * full, or decoding): the thread is stopped and joined, the file refused.
 * The file is gzip of 16 MiB of NUL bytes in stored blocks, written here
 * (the check word at the end is never reached).
 */
TEST(decoder_thread_stopped_early)
{
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0,
						0,    0,    0, 0, 3 };
	static unsigned char zeros[65535];
	char path[] = "/tmp/kmem-test-gz-XXXXXX";
	struct kmem_trace t;
	int fd, i;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, head, sizeof(head)), (ssize_t)sizeof(head));
	for (i = 0; i < 256; i++) {
		unsigned char blk[5] = { i == 255, 0xff, 0xff, 0, 0 };

		CHECK_EQ(write(fd, blk, 5), 5);
		CHECK_EQ(write(fd, zeros, sizeof(zeros)),
			 (ssize_t)sizeof(zeros));
	}
	close(fd);
	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, path, &quiet), -1);
	CHECK(strstr(t.info.error, "binary data") ||
	      strstr(t.info.error, "built without zlib"));
	trace_release(&t);
	unlink(path);
}

int main(void)
{
	RUN(pipe_short_reads);
	RUN(long_line_and_no_final_newline);
	RUN(timestamp_out_of_range);
	RUN(nul_in_line);
	RUN(fraction_lengths);
	RUN(fast_path_agrees);
	RUN(whole_trace_both_ways);
	RUN(decoder_thread_stopped_early);
	return test_summary();
}
