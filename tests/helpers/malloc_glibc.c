// SPDX-License-Identifier: MIT
/*
 * The reference side of tests/integration/malloc_ref.c: runs a workload of
 * tests/integration/malloc_seq.h on the host's glibc malloc in a fresh
 * process and prints its log, then malloc_info's XML.
 *
 *	malloc_glibc_helper seq N      sequence N
 *	malloc_glibc_helper usable     the usable sizes
 *
 * The functions are looked up in libc.so.6 itself, so that a sanitizer's
 * interposed malloc (ASan) does not stand in for glibc's. The heap must be
 * untouched when the workload starts (mallinfo2().arena == 0): then its
 * start is the break, as in a kmem process whose first malloc is the
 * workload's.
 */
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../integration/malloc_seq.h"

static struct mallinfo2 (*g_mallinfo2)(void);
static int (*g_malloc_info)(int, FILE *);

static void *g_sbrk0(void)
{
	return sbrk(0);
}

static char outbuf[1 << 16];

static void g_info(void)
{
	g_malloc_info(0, stdout);
}

int main(int argc, char **argv)
{
	struct seq_alloc a;
	struct seq_log l = { 0 };
	int errors = 0;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (argc < 2) {
		fprintf(stderr, "usage: %s seq N | usable\n", argv[0]);
		return 2;
	}
#ifdef KMEM_SANITIZE
	{
		/* Under ASan, malloc is the sanitizer's: take glibc's own from
		 * libc.so.6 (dlopen itself then allocates with ASan's). */
		void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

		if (!libc)
			return 2;
		a.malloc = (void *(*)(size_t))dlsym(libc, "malloc");
		a.free = (void (*)(void *))dlsym(libc, "free");
		a.calloc = (void *(*)(size_t, size_t))dlsym(libc, "calloc");
		a.realloc = (void *(*)(void *, size_t))dlsym(libc, "realloc");
		a.memalign = (void *(*)(size_t, size_t))dlsym(libc, "memalign");
		a.usable = (size_t(*)(void *))dlsym(libc, "malloc_usable_size");
		a.mallopt = (int (*)(int, int))dlsym(libc, "mallopt");
		a.trim = (int (*)(size_t))dlsym(libc, "malloc_trim");
		g_mallinfo2 =
			(struct mallinfo2(*)(void))dlsym(libc, "mallinfo2");
		g_malloc_info =
			(int (*)(int, FILE *))dlsym(libc, "malloc_info");
	}
#else
	a.malloc = malloc;
	a.free = free;
	a.calloc = calloc;
	a.realloc = realloc;
	a.memalign = memalign;
	a.usable = malloc_usable_size;
	a.mallopt = mallopt;
	a.trim = malloc_trim;
	g_mallinfo2 = mallinfo2;
	g_malloc_info = malloc_info;
#endif
	a.sbrk0 = g_sbrk0;
	a.info = NULL;
	if (!a.malloc || !a.free || !a.calloc || !a.realloc || !a.memalign ||
	    !a.usable || !a.mallopt || !a.trim || !g_mallinfo2 ||
	    !g_malloc_info) {
		fprintf(stderr,
			"malloc_glibc_helper: a malloc function is missing from libc.so.6\n");
		return 2;
	}
	if (g_mallinfo2().arena != 0) {
		fprintf(stderr,
			"malloc_glibc_helper: glibc's heap was used before main\n");
		return 2;
	}
	if (!strcmp(argv[1], "usable")) {
		usable_run(&a, &l);
	} else if (!strcmp(argv[1], "seq") && argc > 2) {
		a.info = g_info;
		errors = seq_run(&a, atoi(argv[2]), &l);
		fputs("--- log\n", stdout);
		fwrite(l.buf, 1, l.len, stdout);
		fflush(stdout);
		return errors ? 1 : 0;
	} else {
		return 2;
	}
	fwrite(l.buf, 1, l.len, stdout);
	fflush(stdout);
	return errors ? 1 : 0;
}
