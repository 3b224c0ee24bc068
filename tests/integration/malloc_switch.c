// SPDX-License-Identifier: MIT
/*
 * malloc finds the calling thread's process with one thread-local load
 * (kmem_process_switches(), see libc/malloc.c): these tests move one thread
 * between processes in every way it can leave one (leave, enter another,
 * its process killed, kmem_process_exit of its own process, a fork()ed
 * child) and check that every malloc and free acts on the process the thread
 * is in at that moment, never on the one it was in before.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kmem/malloc.h>
#include <kmem/process.h>
#include "test.h"

/* p lies in the brk heap of the process the thread is in. */
static int in_my_heap(const void *p)
{
	struct kmem_process_info in;
	unsigned long u = kmem_user_addr(p);

	if (kmem_process_info(kmem_process_current(), &in))
		return 0;
	return u >= in.start_brk && u < in.brk;
}

TEST(first_call_outside_then_inside)
{
	struct kmem_process *a = kmem_process_create("switch-a");
	void *m;

	errno = 0;
	CHECK(kmem_malloc(16) == NULL);
	CHECK_EQ(errno, ESRCH);
	CHECK_EQ(kmem_process_enter(a), 0);
	m = kmem_malloc(16);
	CHECK(m && in_my_heap(m));
	kmem_free(m);
	kmem_process_leave();
	/* Outside again: the thread's cached view of a is not used. */
	errno = 0;
	CHECK(kmem_malloc(16) == NULL);
	CHECK_EQ(errno, ESRCH);
	kmem_free(m); /* outside a process: nothing happens */
	CHECK_EQ(kmem_process_exit(a), 0);
}

TEST(two_processes_in_turn)
{
	struct kmem_process *a = kmem_process_create("switch-a");
	struct kmem_process *b = kmem_process_create("switch-b");
	void *volatile pa, *volatile pb, *again;
	volatile int i;
	volatile unsigned long ua;

	CHECK_EQ(kmem_process_enter(a), 0);
	pa = kmem_malloc(40);
	CHECK(pa && in_my_heap(pa));
	ua = kmem_user_addr(pa);
	kmem_free(pa); /* into a's tcache */
	kmem_process_leave();

	CHECK_EQ(kmem_process_enter(b), 0);
	pb = kmem_malloc(40);
	/* b's own heap: the same user address, another host page. */
	CHECK(pb && in_my_heap(pb));
	CHECK(pb != pa);
	CHECK_EQ(kmem_user_addr(pb), ua);
	kmem_process_leave();

	for (i = 0; i < 3; i++) {
		/* Back in a: its tcache still holds pa, b's pb is live. */
		CHECK_EQ(kmem_process_enter(a), 0);
		again = kmem_malloc(40);
		CHECK(again == pa);
		kmem_free(again);
		kmem_process_leave();
		CHECK_EQ(kmem_process_enter(b), 0);
		CHECK_EQ(kmem_malloc_usable_size(pb), 40);
		again = kmem_malloc(40);
		CHECK(again != pb && in_my_heap(again));
		kmem_free(again);
		kmem_process_leave();
	}
	CHECK_EQ(kmem_process_enter(b), 0);
	kmem_free(pb);
	CHECK(kmem_malloc(40) == pb);
	kmem_process_leave();
	CHECK_EQ(kmem_process_exit(a), 0);
	CHECK_EQ(kmem_process_exit(b), 0);
}

static int killed_body(void *arg)
{
	kmem_free(kmem_malloc(24)); /* a tcache in this process */
	*(void **)arg = kmem_malloc(24);
	kmem_sys_kill(0, SIGKILL);
	return 0;
}

static int exits_itself(void *arg)
{
	void *m = kmem_malloc(24);

	*(void **)arg = m;
	kmem_free(m);
	kmem_process_exit(kmem_process_current());
	/* Out of the process: the calls fail as outside any. */
	errno = 0;
	return kmem_malloc(24) == NULL && errno == ESRCH ? 7 : 1;
}

static int fresh_body(void *arg)
{
	void *m = kmem_malloc(24);

	*(void **)arg = m;
	return m && in_my_heap(m) ? 0 : 1;
}

TEST(after_kill_and_exit)
{
	struct kmem_process *a = kmem_process_create("switch-kill");
	struct kmem_process *b, *c;
	void *old = NULL, *m = NULL;

	CHECK_EQ(kmem_process_run(a, killed_body, &old), -SIGKILL);
	CHECK(old != NULL);
	CHECK_EQ(kmem_process_exit(a), SIGKILL);
	errno = 0;
	CHECK(kmem_malloc(24) == NULL);
	CHECK_EQ(errno, ESRCH);
	/* A new process, maybe in the dead one's struct: its own malloc
	 * state, first brk and all. */
	b = kmem_process_create("switch-new");
	CHECK_EQ(kmem_process_run(b, fresh_body, &m), 0);
	CHECK(m != NULL);
	CHECK_EQ(kmem_process_exit(b), 0);

	c = kmem_process_create("switch-exit");
	CHECK_EQ(kmem_process_run(c, exits_itself, &m), 7);
	CHECK(kmem_process_current() == NULL);
}

static int fork_body(void *arg)
{
	char *before = kmem_malloc(100), *child;
	pid_t pid;
	int st = 0;

	(void)arg;
	strcpy(before, "parent");
	kmem_free(before);
	pid = fork();
	if (pid == 0) {
		/* The child's copy of the process: its tcache holds before. */
		child = kmem_malloc(100);
		_exit(child == before && in_my_heap(child) ? 0 : 3);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 2;
	/* The parent's tcache is untouched by the child. */
	return kmem_malloc(100) == before ? 0 : 4;
}

TEST(fork_child_keeps_the_process)
{
	struct kmem_process *p = kmem_process_create("switch-fork");

	CHECK_EQ(kmem_process_run(p, fork_body, NULL), 0);
	CHECK_EQ(kmem_process_exit(p), 0);
}

int main(void)
{
	RUN(first_call_outside_then_inside);
	RUN(two_processes_in_turn);
	RUN(after_kill_and_exit);
	RUN(fork_child_keeps_the_process);
	return test_summary();
}
