// SPDX-License-Identifier: MIT
/*
 * The fork hooks (KMEM_FORK_HOOKS, run by init/fork.c): prepare runs in
 * increasing order, parent and child in decreasing order after the fork, and
 * only while a machine is up.
 */
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "kernel/internal.h"
#include "../test.h"

/* Each hook appends a letter and its order; the child and the parent see
 * their own copy of the log (ordinary host memory). */
static char fork_log[128];

static void note(const char *s)
{
	strncat(fork_log, s, sizeof(fork_log) - strlen(fork_log) - 1);
}

static void p5(void)
{
	note("p5 ");
}
static void a5(void)
{
	note("a5 ");
}
static void c5(void)
{
	note("c5 ");
}
static void p25(void)
{
	note("p25 ");
}
static void a25(void)
{
	note("a25 ");
}
static void c25(void)
{
	note("c25 ");
}
static void p2000(void)
{
	note("p2000 ");
}
static void a2000(void)
{
	note("a2000 ");
}
static void c2000(void)
{
	note("c2000 ");
}

/* Registered out of order: the list orders them. */
KMEM_FORK_HOOKS(25, p25, a25, c25)
KMEM_FORK_HOOKS(2000, p2000, a2000, c2000)
KMEM_FORK_HOOKS(5, p5, a5, c5)

/* fork(); the child exits 0 if its log is `want`. The parent's log. */
static int fork_and_check(const char *want_child)
{
	int st;
	pid_t pid;

	fork_log[0] = '\0';
	pid = fork();
	if (pid == 0)
		_exit(strcmp(fork_log, want_child) ? 1 : 0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void fork_without_machine(void)
{
	/* No machine: the hooks are not run. */
	CHECK(!kmem_is_booted());
	CHECK_EQ(fork_and_check(""), 0);
	CHECK_STR(fork_log, "");
}

TEST(fork_hook_order)
{
	CHECK_EQ(fork_and_check("p5 p25 p2000 c2000 c25 c5 "), 0);
	CHECK_STR(fork_log, "p5 p25 p2000 a2000 a25 a5 ");
}

int main(void)
{
	fork_without_machine();
	RUN(fork_hook_order);
	return test_summary();
}
