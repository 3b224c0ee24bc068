// SPDX-License-Identifier: MIT
/*
 * /proc/vmallocinfo names each area's caller as the kernel does (%pS:
 * "function+0xoff/0xsize") and prints its flags, for areas of the library's
 * own calls and for areas a trace replay makes.
 *
 * With libdw (KMEM_HAVE_LIBDW) a static function of this program, which no
 * dynamic symbol table names, is printed by name with its size, and so is the
 * replay's (static) do_vmap. Without libdw the test is skipped (exit 77):
 * scripts/install-deps.sh installs libdw-dev, and CI runs it, so CI never
 * skips it.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vmalloc.h>
#include <kmem/kmem.h>
#include "kernel/internal.h"
#include <kmem/replay.h>
#include "replay/internal.h"
#include "test.h"

static const struct kmem_trace_parse_opts quiet = { .diag = NULL };

static char *vmallocinfo(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_EQ(kmem_show("vmallocinfo", f), 0);
	fclose(f);
	return buf;
}

/* The line of vmallocinfo whose size column is `size`, copied to out. */
static bool line_of_size(const char *text, unsigned long size, char *out,
			 size_t n)
{
	char want[32];
	const char *l;

	snprintf(want, sizeof(want), " %7lu ", size);
	l = strstr(text, want);
	if (!l)
		return false;
	while (l > text && l[-1] != '\n')
		l--;
	snprintf(out, n, "%.*s", (int)strcspn(l, "\n"), l);
	return true;
}

static bool matches(const char *s, const char *re)
{
	regex_t r;
	bool ok;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&r, s, 0, NULL, 0);
	regfree(&r);
	if (!ok)
		fprintf(stderr, "'%s' does not match '%s'\n", s, re);
	return ok;
}

/* A static function: only the ELF symbol table (.symtab) names it. */
static noinline void *make_area(void)
{
	void *volatile p = vmalloc(13 * PAGE_SIZE); /* not a tail call */

	return p;
}

TEST(library_caller_symbolised)
{
	char line[512], *text;
	void *p = make_area();

	CHECK(p != NULL);
	text = vmallocinfo();
	CHECK(line_of_size(text, 14 * PAGE_SIZE, line, sizeof(line)));
	CHECK(matches(
		line,
		"^0x[0-9a-f]{16}-0x[0-9a-f]{16} +57344 "
		"make_area\\+0x[0-9a-f]+/0x[0-9a-f]+ pages=13 vmalloc N0=13$"));
	free(text);
	vfree(p);
}

/* The replay's do_vmap, or the replay loop (replay_events) it was inlined
 * into: whichever function calls vmalloc() in the build's code. */
#define REPLAY_CALLER "(do_vmap|replay_events)\\+0x[0-9a-f]+/0x[0-9a-f]+"

/* The replay leaves its areas to be looked at: free the one of this line. */
static void free_replayed(const char *line)
{
	unsigned long start = strtoul(line, NULL, 16);
	struct vm_struct *vm = find_vm_area((void *)start);

	CHECK(vm != NULL);
	free_vm_area(vm);
}

TEST(replayed_areas_have_caller_and_flags)
{
	static const char trace_text[] =
		"# tracer: nop\n"
		"#\n"
		"           a.out-4242   [001] .....   203.600020: alloc_vmap_area: "
		"va_start: 18446683600570040320 size=20480 align=16384 "
		"vstart=0xffffc90000000000 vend=0xffffe8ffffffffff failed=0\n"
		"           a.out-4242   [001] .....   203.600030: alloc_vmap_area: "
		"va_start: 18446683600570101760 size=1114112 align=4096 "
		"vstart=0xffffc90000000000 vend=0xffffe8ffffffffff failed=0\n";
	char path[] = "/tmp/kmem-vmallocinfo-XXXXXX", line[512], *text;
	struct kmem_replay_opts o = { 0 };
	struct kmem_replay_result r;
	struct kmem_trace t;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, trace_text, sizeof(trace_text) - 1),
		 (ssize_t)sizeof(trace_text) - 1);
	close(fd);
	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmem_trace_load(&t, path, &quiet), 0);
	unlink(path);
	CHECK_EQ(kmem_trace_replay(&t, &o, &r), 0);
	CHECK_EQ(r.vmap_alloc_replayed, 2);
	CHECK_EQ(r.failures, 0);
	text = vmallocinfo();
	/* the traced sizes, guard page included, the replay as the caller */
	CHECK(line_of_size(text, 20480, line, sizeof(line)));
	CHECK(matches(line, " " REPLAY_CALLER " vmalloc$"));
	free_replayed(line);
	CHECK(line_of_size(text, 1114112, line, sizeof(line)));
	CHECK(matches(line, " " REPLAY_CALLER " vmalloc$"));
	free_replayed(line);
	free(text);
	kmem_replay_result_free(&r);
	trace_release(&t);
}

int main(void)
{
#ifndef KMEM_HAVE_LIBDW
	printf("SKIP: built without libdw (elfutils): install libdw-dev "
	       "(scripts/install-deps.sh) and reconfigure\n");
	return 77;
#endif
	kmem_log_set_console(NULL);
	RUN(library_caller_symbolised);
	RUN(replayed_areas_have_caller_and_flags);
	test_halt();
	return test_summary();
}
