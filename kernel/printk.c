// SPDX-License-Identifier: MIT
/*
 * printk: kmem's kernel log.
 *
 * Every message is appended to an in-memory log (what dmesg would show) and
 * echoed to the console (standard error unless redirected or $KMEM_QUIET=1).
 * The log keeps the last LOG_KEEP bytes; positions handed out by
 * kmem_log_mark() are absolute byte counts, so a mark older than what is kept
 * reads from the oldest kept byte.
 *
 * Locking: log_lock (a host mutex) serialises appends and reads. printk may be
 * called with any allocator lock held; it never allocates from kmem.
 */
#include <execinfo.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <linux/kernel.h>
#include <kmem/log.h>
#include "kernel/internal.h"

#define LOG_KEEP (4u << 20)

/* A bare host mutex, the one lock outside the lock order (linux/lockdep.h):
 * lockdep prints its reports through printk, under any lock, so a map here
 * would check the reports' own printing. Nothing is taken under it. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_buf;	/* LOG_KEEP bytes, used as a ring */
static size_t log_head; /* absolute position of the next byte */
static FILE *console;
static int console_init;
static int line_start = 1;

static void console_setup(void)
{
	const char *q;

	if (console_init)
		return;
	console_init = 1;
	q = getenv("KMEM_QUIET");
	console = (q && *q && strcmp(q, "0")) ? NULL : stderr;
}

FILE *kmem_log_set_console(FILE *f)
{
	FILE *old;

	pthread_mutex_lock(&log_lock);
	console_setup();
	old = console;
	console = f;
	pthread_mutex_unlock(&log_lock);
	return old;
}

static void log_append(const char *s, size_t n)
{
	size_t i;

	if (!log_buf) {
		log_buf = malloc(LOG_KEEP);
		if (!log_buf)
			return;
	}
	for (i = 0; i < n; i++)
		log_buf[(log_head + i) % LOG_KEEP] = s[i];
	log_head += n;
}

size_t kmem_log_mark(void)
{
	size_t m;

	pthread_mutex_lock(&log_lock);
	m = log_head;
	pthread_mutex_unlock(&log_lock);
	return m;
}

size_t kmem_log_read(size_t mark, char *buf, size_t len)
{
	size_t start, n, i;

	pthread_mutex_lock(&log_lock);
	start = mark;
	if (log_head > LOG_KEEP && start < log_head - LOG_KEEP)
		start = log_head - LOG_KEEP;
	if (start > log_head)
		start = log_head;
	n = log_head - start;
	if (buf && len) {
		size_t c = n < len - 1 ? n : len - 1;

		for (i = 0; i < c; i++)
			buf[i] = log_buf[(start + i) % LOG_KEEP];
		buf[c] = '\0';
	}
	pthread_mutex_unlock(&log_lock);
	return n;
}

static char *log_copy(size_t mark)
{
	size_t n = kmem_log_read(mark, NULL, 0);
	char *buf = malloc(n + 1);

	if (buf)
		kmem_log_read(mark, buf, n + 1);
	return buf;
}

unsigned int kmem_log_count(size_t mark, const char *needle)
{
	char *text = log_copy(mark), *p;
	unsigned int count = 0;

	if (!text)
		return 0;
	for (p = text; (p = strstr(p, needle)) != NULL;
	     p += strlen(needle) ? strlen(needle) : 1)
		count++;
	free(text);
	return count;
}

bool kmem_log_contains(size_t mark, const char *needle)
{
	return kmem_log_count(mark, needle) > 0;
}

int vprintk(const char *fmt, va_list args)
{
	char stackbuf[1024], *msg = stackbuf;
	int level = LOGLEVEL_WARNING, cont = 0, n;
	va_list copy;

	while (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] == 'c')
			cont = 1;
		else if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		fmt += 2;
	}
	va_copy(copy, args);
	n = vsnprintf(stackbuf, sizeof(stackbuf), fmt, args);
	if (n < 0) {
		va_end(copy);
		return n;
	}
	if ((size_t)n >= sizeof(stackbuf)) {
		msg = malloc((size_t)n + 1);
		if (!msg) {
			msg = stackbuf;
			n = sizeof(stackbuf) - 1;
		} else {
			vsnprintf(msg, (size_t)n + 1, fmt, copy);
		}
	}
	va_end(copy);

	pthread_mutex_lock(&log_lock);
	console_setup();
	if (!cont && !line_start)
		log_append("\n", 1);
	log_append(msg, (size_t)n);
	if (console && level <= LOGLEVEL_INFO + 1) {
		if (!cont && !line_start)
			fputc('\n', console);
		fwrite(msg, 1, (size_t)n, console);
		fflush(console);
	}
	line_start = n > 0 ? msg[n - 1] == '\n' : line_start;
	pthread_mutex_unlock(&log_lock);
	if (msg != stackbuf)
		free(msg);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vprintk(fmt, args);
	va_end(args);
	return n;
}

void kmem_emergency_write(const char *msg)
{
	size_t n = strlen(msg);
	ssize_t w;

	/* Best effort: the lock may be held by the thread that faulted. */
	if (pthread_mutex_trylock(&log_lock) == 0) {
		log_append(msg, n);
		pthread_mutex_unlock(&log_lock);
	}
	w = write(STDERR_FILENO, msg, n);
	(void)w;
}

void dump_stack(void)
{
	void *frames[32];
	char sym[256];
	int n, i;

	n = backtrace(frames, 32);
	printk(KERN_WARNING "Call Trace:\n");
	/* Skip dump_stack itself and the reporting function. */
	for (i = 2; i < n; i++)
		printk(KERN_WARNING " %s\n",
		       kmem_symbolize(frames[i], sym, sizeof(sym)));
}

void __kmem_warn(const char *file, int line, const char *func, const char *fmt,
		 ...)
{
	va_list args;

	if (fmt) {
		va_start(args, fmt);
		vprintk(fmt, args);
		va_end(args);
	}
	printk(KERN_WARNING "WARNING: CPU: %d PID: %d at %s:%d %s\n",
	       raw_smp_processor_id(), kmem_current_pid(), file, line, func);
	printk(KERN_WARNING "Comm: %s\n", kmem_current_comm());
	dump_stack();
}

void __kmem_bug(const char *file, int line, const char *func)
{
	printk(KERN_EMERG "kernel BUG at %s:%d!\n", file, line);
	printk(KERN_EMERG "Oops: invalid opcode: 0000 [#1] SMP\n");
	printk(KERN_EMERG "CPU: %d PID: %d Comm: %s\n", raw_smp_processor_id(),
	       kmem_current_pid(), kmem_current_comm());
	printk(KERN_EMERG "RIP: %s\n", func);
	dump_stack();
	abort();
}

void __kmem_panic(const char *fmt, ...)
{
	char buf[512];
	va_list args;

	size_t len;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	len = strlen(buf);
	if (len && buf[len - 1] == '\n') /* as the kernel: one line */
		buf[len - 1] = '\0';
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", buf);
	dump_stack();
	abort();
}
