// SPDX-License-Identifier: MIT
/*
 * __GFP_NOFAIL when memory is gone for good: kernel allocations hold every
 * page, no shrinker gives anything back and there is no process to kill. The
 * kernel's out_of_memory() then says "Out of memory and no killable
 * processes..." and panics; kmem must do the same after a bounded number of
 * reclaim rounds rather than retry forever.
 *
 * A panic ends the process (abort), so the scenario runs in a child: this
 * test program started again with posix_spawn() (not fork(): the child is a
 * fresh program whose first kmem call is the boot). The parent checks the
 * child's exit (SIGABRT), its standard error (the panic lines) and how many
 * reclaim rounds it ran (a line per round, printed by a test shrinker).
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/gfp.h>
#include <linux/shrinker.h>
#include "test.h"

extern char **environ;

#define CHILD_ARG "--nofail-child"
#define ROUND_LINE "test shrinker: reclaim round"
#define MAX_ROUNDS 16 /* mm/page_alloc.c: MAX_RECLAIM_RETRIES */

static int counting;
static unsigned long rounds;

static unsigned long stuck_count(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	return 1; /* one object, never freed */
}

static unsigned long stuck_scan(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	if (counting)
		fprintf(stderr, ROUND_LINE " %lu\n", ++rounds);
	return 0;
}

/* The child: exhaust memory with kernel allocations, then ask for one more
 * page that must not fail. It must never return. */
static int nofail_child(void)
{
	struct kmem_config cfg = { .ram = 32ULL << 20,
				   .cpus = 2,
				   .quiet = true };
	struct rlimit nocore = { 0, 0 };
	struct shrinker *s;
	struct page *p;
	int order;

	setrlimit(RLIMIT_CORE, &nocore);
	alarm(20); /* a hang ends in SIGALRM, which the parent reports */
	kmem_log_set_console(stderr);
	if (kmem_boot(&cfg))
		return 2;
	s = shrinker_alloc(0, "stuck");
	s->count_objects = stuck_count;
	s->scan_objects = stuck_scan;
	shrinker_register(s);
	for (order = MAX_PAGE_ORDER; order >= 0; order--)
		while (alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
				   (unsigned int)order))
			;
	counting = 1;
	p = alloc_page(GFP_KERNEL | __GFP_NOFAIL);
	fprintf(stderr, "child: __GFP_NOFAIL returned %p\n", (void *)p);
	return 3;
}

static char *read_all(FILE *f)
{
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);

	rewind(f);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

TEST(nofail_no_killable_panics)
{
	char *argv[] = { "oom_nofail", CHILD_ARG, NULL };
	posix_spawn_file_actions_t fa;
	unsigned long n = 0;
	FILE *err = tmpfile();
	char *out, *q;
	int status = 0;
	pid_t pid;

	CHECK(err != NULL);
	if (!err)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fileno(err), STDERR_FILENO);
	CHECK_EQ(posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ),
		 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	out = read_all(err);
	fclose(err);
	CHECK(out != NULL);
	if (!out)
		return;

	CHECK(WIFSIGNALED(status));
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGABRT)
		fprintf(stderr, "child killed by signal %d (%s)\n",
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(out,
		     "(GFP_KERNEL|__GFP_NOFAIL), order=0, oom_score_adj=0\n") !=
	      NULL);
	CHECK(strstr(out, "\nOut of memory and no killable processes...\n") !=
	      NULL);
	CHECK(strstr(out,
		     "Kernel panic - not syncing: System is deadlocked on memory\n") !=
	      NULL);
	CHECK(strstr(out, "__GFP_NOFAIL returned") == NULL);
	/* A bounded number of reclaim rounds: reclaim made no progress
	 * MAX_RECLAIM_RETRIES times in a row, then the OOM killer found no
	 * one, then the panic. */
	for (q = out; (q = strstr(q, ROUND_LINE)) != NULL; q++)
		n++;
	CHECK(n >= 1);
	CHECK(n <= MAX_ROUNDS);
	if (test_failures) {
		fprintf(stderr,
			"--- child's standard error (%lu reclaim rounds) ---\n%s---\n",
			n, out);
	}
	free(out);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], CHILD_ARG))
		return nofail_child();
	kmem_log_set_console(NULL);
	RUN(nofail_no_killable_panics);
	test_halt();
	return test_summary();
}
