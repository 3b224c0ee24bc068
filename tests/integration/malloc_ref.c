// SPDX-License-Identifier: MIT
/*
 * kmem's malloc against the host's glibc, run at test time: the usable size
 * of malloc(n) for every n up to 256 KiB and sampled sizes up to 64 MiB, and
 * 24 deterministic sequences of 10,000 operations (six of them under
 * mallopt settings) whose every result (offset from the heap start, or the
 * size of its own mapping), break after each operation, usable size, and
 * malloc_info XML must be the same as glibc's. The glibc side runs in a
 * fresh process (tests/helpers/malloc_glibc.c) with the same workload code
 * (malloc_seq.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/malloc.h>
#include <kmem/process.h>
#include "malloc_seq.h"
#include "test.h"

#define HELPER KMEM_BINARY_DIR "/tests/malloc_glibc_helper"

static char *run_helper(const char *args, size_t *len)
{
	char cmd[512];
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, n;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", HELPER, args);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	*len = 0;
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : (1 << 20);
			buf = realloc(buf, cap);
		}
		n = fread(buf + *len, 1, cap - *len - 1, f);
		if (n == 0)
			break;
		*len += n;
	}
	buf[*len] = 0;
	st = pclose(f);
	if (st != 0) {
		fprintf(stderr, "%s: exit status %d\n", cmd, st);
		free(buf);
		return NULL;
	}
	return buf;
}

static void *k_sbrk0(void)
{
	return kmem_sys_sbrk(0);
}

static FILE *k_info_out;

static void k_info(void)
{
	kmem_malloc_info(0, k_info_out);
}

static const struct seq_alloc kmem_alloc = {
	.malloc = kmem_malloc,
	.free = kmem_free,
	.calloc = kmem_calloc,
	.realloc = kmem_realloc,
	.memalign = kmem_memalign,
	.usable = kmem_malloc_usable_size,
	.mallopt = kmem_mallopt,
	.trim = kmem_malloc_trim,
	.sbrk0 = k_sbrk0,
	.info = k_info,
};

/* Lines equal in a and b, and the first line that differs (printed). */
static unsigned long compare(const char *what, const char *a, const char *b,
			     bool *same)
{
	unsigned long line = 0, equal = 0;
	bool reported = false;

	*same = true;
	while (*a || *b) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t la = ea ? (size_t)(ea - a) : strlen(a);
		size_t lb = eb ? (size_t)(eb - b) : strlen(b);

		line++;
		if (la == lb && !memcmp(a, b, la)) {
			equal++;
		} else {
			*same = false;
			if (!reported)
				fprintf(stderr,
					"%s: line %lu differs\n  glibc: %.*s\n  kmem:  %.*s\n",
					what, line, (int)la, a, (int)lb, b);
			reported = true;
		}
		a += la + (ea ? 1 : 0);
		b += lb + (eb ? 1 : 0);
	}
	return equal;
}

struct job {
	int seq; /* -1: usable sizes */
	struct seq_log log;
	int errors;
};

static int job_fn(void *arg)
{
	struct job *j = arg;

	if (j->seq < 0)
		usable_run(&kmem_alloc, &j->log);
	else
		j->errors = seq_run(&kmem_alloc, j->seq, &j->log);
	return 0;
}

TEST(usable_sizes_equal_glibc)
{
	size_t glen;
	char *g = run_helper("usable", &glen);
	struct job j = { .seq = -1 };
	struct kmem_process *p = kmem_process_create("usable");
	unsigned long equal;
	bool same;

	CHECK(g != NULL);
	CHECK(p != NULL);
	if (!g || !p)
		return;
	CHECK_EQ(kmem_process_run(p, job_fn, &j), 0);
	CHECK_EQ(kmem_process_exit(p), 0);
	seq_logf(&j.log, "%s", "");
	equal = compare("usable sizes", g, j.log.buf ? j.log.buf : "", &same);
	CHECK(same);
	CHECK_EQ(equal, (unsigned long)(256 << 10) + 1 + 2000);
	fprintf(stderr, "usable sizes: %lu of %lu equal glibc's\n", equal,
		(unsigned long)(256 << 10) + 1 + 2000);
	seq_log_free(&j.log);
	free(g);
}

TEST(sequences_equal_glibc)
{
	int seq, identical = 0;

	for (seq = 0; seq < SEQ_COUNT; seq++) {
		char args[32], what[64];
		size_t glen, klen = 0;
		char *g, *kinfo = NULL, *k;
		struct job j = { .seq = seq };
		struct kmem_process *p;
		bool same;

		snprintf(args, sizeof(args), "seq %d", seq);
		g = run_helper(args, &glen);
		CHECK(g != NULL);
		if (!g)
			continue;
		p = kmem_process_create("seq");
		CHECK(p != NULL);
		k_info_out = open_memstream(&kinfo, &klen);
		CHECK_EQ(kmem_process_run(p, job_fn, &j), 0);
		CHECK_EQ(kmem_process_exit(p), 0);
		fclose(k_info_out);
		CHECK_EQ(j.errors, 0);
		k = malloc(klen + j.log.len + 16);
		memcpy(k, kinfo, klen);
		memcpy(k + klen, "--- log\n", 8);
		memcpy(k + klen + 8, j.log.buf, j.log.len);
		k[klen + 8 + j.log.len] = 0;
		snprintf(what, sizeof(what), "sequence %d", seq);
		compare(what, g, k, &same);
		CHECK(same);
		identical += same;
		free(k);
		free(kinfo);
		free(g);
		seq_log_free(&j.log);
	}
	fprintf(stderr,
		"sequences: %d of %d identical to glibc's (%d operations each)\n",
		identical, SEQ_COUNT, SEQ_OPS);
}

int main(void)
{
	RUN(usable_sizes_equal_glibc);
	RUN(sequences_equal_glibc);
	return test_summary();
}
