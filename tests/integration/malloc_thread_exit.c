// SPDX-License-Identifier: MIT
/*
 * A thread of a simulated process exits: glibc's hooks run
 * (tcache_thread_shutdown: its cached chunks and the tcache itself go back
 * to the arena; arena_thread_freeres: the arena's last thread puts it on the
 * free list), so the memory is reusable and the next thread takes the same
 * arena instead of making a new one, as under glibc.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/malloc.h>
#include <kmem/process.h>
#include "test.h"

#define HEAP_MAX_SIZE (64UL << 20) /* glibc's on 64-bit: 2 x 32 MiB */
#define NCHUNKS 7		   /* a full tcache bin */
#define SIZE 100		   /* chunk 112 */

static struct kmem_process *proc;

struct seen {
	unsigned long chunk[NCHUNKS]; /* user addresses */
	unsigned long first;	      /* the first malloc of the thread */
	size_t in_use;		      /* mallinfo2 uordblks before exit */
	int leave;		      /* leave the process before exiting */
	int ok;
};

static void *thread_body(void *arg)
{
	struct seen *s = arg;
	void *m[NCHUNKS];
	int i;

	if (kmem_process_enter(proc) != 0)
		return NULL;
	for (i = 0; i < NCHUNKS; i++) {
		m[i] = kmem_malloc(SIZE);
		if (!m[i])
			goto out;
		memset(m[i], 0x5a, SIZE);
		s->chunk[i] = kmem_user_addr(m[i]);
	}
	s->first = s->chunk[0];
	for (i = 0; i < NCHUNKS; i++)
		kmem_free(m[i]); /* all seven into the thread's tcache */
	s->in_use = kmem_mallinfo2().uordblks;
	s->ok = 1;
out:
	if (s->leave)
		kmem_process_leave();
	return NULL; /* a thread that does not leave exits inside */
}

static void run_thread(struct seen *s)
{
	pthread_t t;

	CHECK_EQ(pthread_create(&t, NULL, thread_body, s), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(s->ok);
}

static size_t in_use;
static char stats_text[4096];

static int main_thread(void *arg)
{
	FILE *f;

	(void)arg;
	if (arg)
		kmem_free(kmem_malloc(10)); /* this thread: the main arena */
	in_use = kmem_mallinfo2().uordblks;
	f = fmemopen(stats_text, sizeof(stats_text) - 1, "w");
	if (!f)
		return -1;
	kmem_malloc_stats_to(f);
	fclose(f);
	return 0;
}

TEST(exiting_thread_gives_back_tcache_and_arena)
{
	struct seen a = { .leave = 1 }, b = { .leave = 1 };
	int i;

	proc = kmem_process_create("thread-exit");
	CHECK_EQ(kmem_process_run(proc, main_thread, proc), 0);
	run_thread(&a);
	/* The exited thread's arena (its heap is the HEAP_MAX_SIZE region the
	 * chunks lie in) holds nothing in use any more: its seven cached
	 * chunks (112 bytes each) and its tcache (0x290) went back. */
	CHECK_EQ(kmem_process_run(proc, main_thread, NULL), 0);
	CHECK_EQ(a.in_use - in_use, NCHUNKS * 112 + 0x290);
	CHECK(strstr(stats_text, "Arena 1:") != NULL);

	/* The next thread takes the same arena from the free list and gets
	 * the same memory: its first chunk where the first one's was. */
	run_thread(&b);
	for (i = 0; i < NCHUNKS; i++)
		CHECK_EQ(b.chunk[i] & ~(HEAP_MAX_SIZE - 1),
			 a.chunk[i] & ~(HEAP_MAX_SIZE - 1));
	CHECK_EQ(b.first, a.first);
	CHECK_EQ(kmem_process_run(proc, main_thread, NULL), 0);
	CHECK(strstr(stats_text, "Arena 1:") != NULL);
	CHECK(strstr(stats_text, "Arena 2:") == NULL);
	CHECK_EQ(b.in_use - in_use, NCHUNKS * 112 + 0x290);
	CHECK_EQ(kmem_process_exit(proc), 0);
}

TEST(thread_exits_inside_its_process)
{
	struct seen a = { .leave = 0 }, b = { .leave = 1 };

	proc = kmem_process_create("exit-inside");
	CHECK_EQ(kmem_process_run(proc, main_thread, proc), 0);
	run_thread(&a);
	/* It left on its way out: the process can be torn down. */
	CHECK_EQ(kmem_process_run(proc, main_thread, NULL), 0);
	CHECK_EQ(a.in_use - in_use, NCHUNKS * 112 + 0x290);
	run_thread(&b);
	CHECK_EQ(b.first, a.first);
	CHECK_EQ(kmem_process_exit(proc), 0);
}

static pthread_mutex_t step_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t step_cond = PTHREAD_COND_INITIALIZER;
static int step;

static void wait_step(int n)
{
	pthread_mutex_lock(&step_lock);
	while (step < n)
		pthread_cond_wait(&step_cond, &step_lock);
	pthread_mutex_unlock(&step_lock);
}

static void set_step(int n)
{
	pthread_mutex_lock(&step_lock);
	step = n;
	pthread_cond_broadcast(&step_cond);
	pthread_mutex_unlock(&step_lock);
}

static void *outlives(void *arg)
{
	struct seen *s = arg;

	thread_body(s);
	set_step(1);
	wait_step(2); /* its process has exited meanwhile */
	return NULL;
}

static int fresh(void *arg)
{
	void *m = kmem_malloc(SIZE);

	*(unsigned long *)arg = kmem_user_addr(m);
	return m ? 0 : -1;
}

TEST(thread_outlives_its_process)
{
	struct seen a = { .leave = 1 };
	struct kmem_process *next;
	unsigned long m = 0;
	pthread_t t;
	int pid;

	step = 0;
	proc = kmem_process_create("outlived");
	CHECK_EQ(pthread_create(&t, NULL, outlives, &a), 0);
	wait_step(1);
	CHECK(a.ok);
	pid = kmem_process_pid(proc);
	CHECK_EQ(kmem_process_run_pid(pid, fresh, &m), 0); /* alive */
	CHECK_EQ(kmem_process_exit(proc), 0);
	CHECK_EQ(kmem_process_run_pid(pid, fresh, &m), -ESRCH);
	CHECK_EQ(kmem_process_run_pid(0, fresh, &m), -ESRCH);
	/* Maybe in the dead one's struct: the exiting thread must not take
	 * it for its process (it looks its processes up by pid). */
	next = kmem_process_create("next");
	set_step(2);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(kmem_process_run(next, fresh, &m), 0);
	CHECK(m != 0);
	CHECK_EQ(kmem_process_exit(next), 0);
}

int main(void)
{
	RUN(exiting_thread_gives_back_tcache_and_arena);
	RUN(thread_exits_inside_its_process);
	RUN(thread_outlives_its_process);
	return test_summary();
}
