// SPDX-License-Identifier: MIT
/*
 * kmem_trace_replay_file() of "-" leaves the caller's standard input alone.
 *
 * A pipe on standard input is read once, copied as it is read to the
 * caller's spool file (kmem_trace_parse_opts.spool_fd); a later pass (here:
 * the events are out of order, so a sorting pass follows) reads that copy.
 * The caller's fd 0 must still be its pipe afterwards, opened as it was and
 * readable (at its end: the writer closed it), not the spool put in its
 * place. Each case is the fresh program's first kmem call (the replay boots
 * the machine), as a user meets it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <kmem/kmem.h>
#include <kmem/replay.h>
#include "test.h"

#define PAIRS 300

/* PAIRS kmalloc/kfree pairs in timestamp order, then one kmalloc that goes
 * back in time (a sorting pass must put it in its place). */
static void write_trace(FILE *f)
{
	const char *pre = "            bash-2460    [000] .....   ";
	unsigned long ts = 100000000;
	int i;

	for (i = 0; i < PAIRS; i++, ts += 2) {
		unsigned long p = 4096ul * (unsigned long)(i % 50 + 1);

		fprintf(f,
			"%s%lu.%06lu: kmalloc: call_site=f+0x1/0x2 ptr=%016lx "
			"bytes_req=40 bytes_alloc=64 gfp_flags=GFP_KERNEL "
			"node=-1 accounted=false\n",
			pre, ts / 1000000, ts % 1000000, p);
		fprintf(f,
			"%s%lu.%06lu: kfree: call_site=g+0x1/0x2 ptr=%016lx\n",
			pre, (ts + 1) / 1000000, (ts + 1) % 1000000, p);
	}
	ts = 100000000 + PAIRS; /* back in time */
	fprintf(f,
		"%s%lu.%06lu: kmalloc: call_site=f+0x1/0x2 ptr=%016lx "
		"bytes_req=100 bytes_alloc=128 gfp_flags=GFP_KERNEL "
		"node=-1 accounted=false\n",
		pre, ts / 1000000, ts % 1000000, 0x10000000ul);
}

/* Standard input becomes a pipe that a child fills with the trace. */
static pid_t stdin_from_writer(void)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		FILE *f = fdopen(p[1], "w");

		close(p[0]);
		if (!f)
			_exit(1);
		write_trace(f);
		_exit(fclose(f) ? 1 : 0);
	}
	close(p[1]);
	if (pid < 0 || dup2(p[0], STDIN_FILENO) < 0)
		return -1;
	close(p[0]);
	return pid;
}

static int spool_file(void)
{
	char path[] = "/tmp/kmem-replay-stdin-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd >= 0)
		unlink(path);
	return fd;
}

int main(void)
{
	struct kmem_trace *t = kmem_trace_new();
	struct kmem_replay_opts o = { 0 };
	struct kmem_replay_result r;
	struct kmem_trace_parse_opts po = { .diag = NULL };
	struct stat before, after;
	int status = -1, flags;
	char c;
	pid_t writer = stdin_from_writer();

	CHECK(writer > 0);
	if (writer <= 0)
		return test_summary();
	CHECK_EQ(fstat(STDIN_FILENO, &before), 0);
	po.spool_fd = spool_file();
	CHECK(po.spool_fd > 0);

	CHECK(t != NULL);
	if (!t)
		return test_summary();
	CHECK_EQ(kmem_trace_replay_file(t, "-", &po, &o, &r, NULL), 0);
	CHECK_EQ(r.events, 2 * PAIRS + 1);
	CHECK_EQ(r.replayed, 2 * PAIRS + 1);
	CHECK_EQ(r.failures, 0);
	/* so a second pass read the copy */
	CHECK(kmem_trace_info(t)->max_disorder_ns > 0);

	/* fd 0 is the caller's pipe still: same file, opened read-only (the
	 * spool is read-write), and it reads (its end). */
	CHECK_EQ(fstat(STDIN_FILENO, &after), 0);
	CHECK(S_ISFIFO(after.st_mode));
	CHECK_EQ(after.st_ino, before.st_ino);
	CHECK_EQ(after.st_dev, before.st_dev);
	flags = fcntl(STDIN_FILENO, F_GETFL);
	CHECK_EQ(flags & O_ACCMODE, O_RDONLY);
	CHECK_EQ(read(STDIN_FILENO, &c, 1), 0);

	CHECK_EQ(waitpid(writer, &status, 0), writer);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kmem_replay_result_free(&r);
	kmem_trace_free(t);
	close(po.spool_fd);
	test_halt_keeping();
	fprintf(stderr, "%s replay_stdin_keeps_fd0\n",
		test_failures ? "FAIL" : "ok  ");
	return test_summary();
}
