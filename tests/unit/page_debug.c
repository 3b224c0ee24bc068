// SPDX-License-Identifier: MIT
/*
 * The page allocator's debugging options, each turned on with the kernel
 * command line of a freshly booted machine: init_on_alloc, init_on_free
 * (and the boot line), page_poison (a write after free reported at the next
 * allocation), debug_pagealloc (a use after free is an oops naming the pfn:
 * it kills a child started with posix_spawn), page_owner (the records and
 * page_owner_sort's summary of known allocations).
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <kmem/kmem.h>
#include <kmem/show.h>
#include "arch/x86/machine.h"
#include "test.h"

extern char **environ;

static void boot_with(const char *cmdline)
{
	struct kmem_config cfg = { 0 };

	test_halt();
	cfg.ram = 64ULL << 20;
	cfg.cpus = 2;
	cfg.cmdline = cmdline;
	CHECK_EQ(test_boot(&cfg), 0);
}

/* The allocator still works and every page came back (the machine is
 * halted after: RUN() measured another one). */
static void still_works_and_halt(unsigned long free_before)
{
	struct page *pages[64];
	int i;

	for (i = 0; i < 64; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, (unsigned int)(i % 3));
		CHECK(pages[i] != NULL);
	}
	for (i = 0; i < 64; i++)
		if (pages[i])
			__free_pages(pages[i], (unsigned int)(i % 3));
	CHECK(kmem_check_invariants());
	CHECK_EQ(kmem_free_pages_drained(), free_before);
	test_halt();
}

static bool all_bytes(const unsigned char *p, int c)
{
	unsigned long i;

	for (i = 0; i < PAGE_SIZE; i++)
		if (p[i] != c)
			return false;
	return true;
}

/* Dirty a page, free it, take it back (the per-CPU list is LIFO). */
static struct page *dirty_and_realloc(gfp_t gfp)
{
	struct page *page = alloc_pages(GFP_KERNEL, 0), *again;

	memset(page_address(page), 0x5a, PAGE_SIZE);
	__free_pages(page, 0);
	again = alloc_pages(gfp, 0);
	CHECK(again == page);
	return again;
}

TEST(banner_each_combination)
{
	static const struct {
		const char *cmdline, *line;
	} cases[] = {
		{ "",
		  "mem auto-init: stack:off, heap alloc:off, heap free:off\n" },
		{ "init_on_alloc=1",
		  "mem auto-init: stack:off, heap alloc:on, heap free:off\n" },
		{ "init_on_free=1",
		  "mem auto-init: stack:off, heap alloc:off, heap free:on\n" },
		{ "init_on_alloc=1 init_on_free=1",
		  "mem auto-init: stack:off, heap alloc:on, heap free:on\n" },
		{ "init_on_alloc=on init_on_free=off",
		  "mem auto-init: stack:off, heap alloc:on, heap free:off\n" },
		{ "init_on_alloc=1 page_poison=1",
		  "mem auto-init: stack:off, heap alloc:off, heap free:off\n" },
	};
	FILE *old = kmem_log_set_console(NULL);
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t mark = kmem_log_mark();

		boot_with(cases[i].cmdline);
		CHECK_LOG(mark, cases[i].line);
		if (strstr(cases[i].cmdline, "init_on_free=1"))
			CHECK_LOG(
				mark,
				"mem auto-init: clearing system memory may take some time...\n");
		if (strstr(cases[i].cmdline, "page_poison"))
			CHECK_LOG(
				mark,
				"mem auto-init: CONFIG_PAGE_POISONING is on, will take precedence over init_on_alloc and init_on_free\n");
		CHECK(!kmem_log_contains(mark, "Unknown kernel command line"));
	}
	kmem_log_set_console(old);
	test_halt();
}

TEST(init_on_alloc_zeroes_without_gfp_zero)
{
	struct page *page;
	unsigned long free_before;

	/* Without the option a reused page keeps its bytes... */
	boot_with("");
	page = dirty_and_realloc(GFP_KERNEL);
	CHECK(all_bytes(page_address(page), 0x5a));
	__free_pages(page, 0);
	/* ...with it, it is zero without __GFP_ZERO. */
	boot_with("init_on_alloc=1");
	free_before = kmem_free_pages_drained();
	page = dirty_and_realloc(GFP_KERNEL);
	CHECK(all_bytes(page_address(page), 0));
	__free_pages(page, 0);
	still_works_and_halt(free_before);
}

TEST(init_on_free_leaves_freed_pages_zero)
{
	struct page *page;
	unsigned char *p;
	unsigned long free_before;

	boot_with("init_on_free=1");
	free_before = kmem_free_pages_drained();
	page = alloc_pages(GFP_KERNEL, 1);
	p = page_address(page);
	memset(p, 0x5a, 2 * PAGE_SIZE);
	__free_pages(page, 1);
	/* The frames are free: read them through the direct map. */
	CHECK(all_bytes(p, 0));
	CHECK(all_bytes(p + PAGE_SIZE, 0));
	/* __GFP_ZERO finds them zero already (it does not zero again). */
	page = dirty_and_realloc(GFP_KERNEL | __GFP_ZERO);
	CHECK(all_bytes(page_address(page), 0));
	__free_pages(page, 0);
	still_works_and_halt(free_before);
}

TEST(page_poison_write_after_free)
{
	struct page *page, *again;
	unsigned char *p;
	unsigned long free_before;
	char needle[64];
	size_t mark;
	FILE *old;

	boot_with("page_poison=1");
	free_before = kmem_free_pages_drained();
	page = alloc_pages(GFP_KERNEL, 0);
	p = page_address(page);
	__free_pages(page, 0);
	CHECK(all_bytes(p, 0xaa)); /* poisoned */
	p[100] = 0x41;		   /* a write after free */
	old = kmem_log_set_console(NULL);
	mark = kmem_log_mark();
	again = alloc_pages(GFP_KERNEL, 0);
	kmem_log_set_console(old);
	CHECK(again == page); /* reported, and still handed out */
	CHECK_LOG(mark, "pagealloc: memory corruption\n");
	snprintf(needle, sizeof(needle), "%016lx: 41",
		 (unsigned long)(p + 100));
	CHECK_LOG(mark, needle);
	CHECK_LOG(mark, "Call Trace:");
	__free_pages(again, 0);

	/* One flipped bit is told apart. */
	page = alloc_pages(GFP_KERNEL, 0);
	p = page_address(page);
	__free_pages(page, 0);
	p[7] = 0xab;
	old = kmem_log_set_console(NULL);
	mark = kmem_log_mark();
	again = alloc_pages(GFP_KERNEL, 0);
	kmem_log_set_console(old);
	CHECK(again == page);
	CHECK_LOG(mark, "pagealloc: single bit error\n");
	/* A forked child's RAM copy has the free frames zero: no report. */
	page = alloc_pages(GFP_KERNEL, 0);
	__free_pages(page, 0);
	{
		pid_t pid = fork();
		int status = -1;

		if (pid == 0) {
			size_t m = kmem_log_mark();
			struct page *pg = alloc_pages(GFP_KERNEL, 0);

			_exit(pg == page && !kmem_log_contains(m,
							       "pagealloc:") ?
				      0 :
				      1);
		}
		CHECK(pid > 0);
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* A clean reuse says nothing. */
	__free_pages(again, 0);
	mark = kmem_log_mark();
	again = alloc_pages(GFP_KERNEL, 0);
	CHECK(!kmem_log_contains(mark, "pagealloc:"));
	__free_pages(again, 0);
	still_works_and_halt(free_before);
}

/* The child: boot with debug_pagealloc, touch a freed page. */
static int uaf_child(void)
{
	struct kmem_config cfg = { 0 };
	struct page *page;
	volatile unsigned char *p;

	cfg.ram = 64ULL << 20;
	cfg.cpus = 1;
	cfg.cmdline = "debug_pagealloc=on";
	if (kmem_boot(&cfg))
		return 2;
	page = alloc_pages(GFP_KERNEL, 0);
	p = page_address(page);
	p[0] = 1; /* mapped while allocated */
	printf("pfn:%#lx address:%016lx\n", page_to_pfn(page),
	       (unsigned long)p);
	fflush(stdout);
	free_pages((unsigned long)p, 0);
	return p[16]; /* use after free: the oops */
}

static char self_path[4096];

TEST(debug_pagealloc_use_after_free_oops)
{
	char out[] = "/tmp/kmem-page-debug-XXXXXX", buf[8192], pfn[32],
	     addr[32];
	char needle[128];
	char *argv[] = { self_path, "uaf", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int fd, status = 0;
	ssize_t n;
	FILE *f;

	fd = mkstemp(out);
	CHECK(fd >= 0);
	close(fd);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	CHECK_EQ(posix_spawn(&pid, self_path, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	f = fopen(out, "r");
	CHECK(f != NULL);
	n = f ? (ssize_t)fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n > 0 ? n : 0] = 0;
	if (f)
		fclose(f);
	unlink(out);
	pfn[0] = addr[0] = 0;
	CHECK(strstr(buf, "pfn:") &&
	      sscanf(strstr(buf, "pfn:"), "pfn:%31s address:%31s", pfn, addr) ==
		      2);
	snprintf(needle, sizeof(needle),
		 "BUG: unable to handle page fault for address: %016lx\n",
		 strtoul(addr, NULL, 16) + 16);
	CHECK(strstr(buf, needle) != NULL);
	CHECK(strstr(buf,
		     "#PF: supervisor read access in kernel mode\n"
		     "#PF: error_code(0x0000) - not-present page\n") != NULL);
	snprintf(needle, sizeof(needle),
		 "debug_pagealloc: pfn:%s is free: not in the direct map\n",
		 pfn);
	CHECK(strstr(buf, needle) != NULL);
	CHECK(strstr(buf, "Oops: 0000 [#1] SMP DEBUG_PAGEALLOC\n") != NULL);
	if (test_failures)
		fprintf(stderr, "child said:\n%s\n", buf);
}

TEST(debug_pagealloc_counts_host_mappings)
{
	struct hostmap_stats st0, st;
	struct page *pages[64];
	unsigned long free_before, maps0;
	int i;

	boot_with("debug_pagealloc=on");
	free_before = kmem_free_pages_drained();
	hostmap_get_stats(&st0);
	CHECK(st0.budget[HOSTMAP_DEBUG] == st0.max_map_count / 4);
	for (i = 0; i < 64; i++)
		pages[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
	maps0 = host_map_count();
	hostmap_get_stats(&st0);
	/* Free every other page: holes in the mapped run. */
	for (i = 0; i < 64; i += 2)
		__free_pages(pages[i], 0);
	hostmap_get_stats(&st);
	CHECK(st.used[HOSTMAP_DEBUG] > st0.used[HOSTMAP_DEBUG]);
	CHECK_EQ(host_map_count() - maps0,
		 st.used[HOSTMAP_DEBUG] - st0.used[HOSTMAP_DEBUG]);
	for (i = 1; i < 64; i += 2)
		__free_pages(pages[i], 0);
	still_works_and_halt(free_before);
}

/* Exported (not static) so that the stack names it. */
noinline struct page *page_owner_test_alloc(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);

	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return page;
}

static char *show(const char *view)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK_EQ(kmem_show(view, f), 0);
	fclose(f);
	return text;
}

TEST(page_owner_records_known_allocations)
{
	struct page *page;
	unsigned long free_before;
	char needle[64], *text, *rec, *start, *end;
	size_t mark = kmem_log_mark();

	boot_with("page_owner=on");
	CHECK_LOG(mark, "allocated ");
	CHECK_LOG(mark, " bytes of page_ext\n");
	free_before = kmem_free_pages_drained();
	page = page_owner_test_alloc();
	text = show("page_owner");
	snprintf(needle, sizeof(needle), "\nPFN 0x%lx type Unmovable ",
		 page_to_pfn(page));
	rec = strstr(text, needle);
	CHECK(rec != NULL);
	if (rec) {
		for (start = rec; start > text && start[-1] != '\n'; start--)
			;
		{
			static const char head[] =
				"Page allocated via order 2, mask 0xcc0(GFP_KERNEL), pid ";

			CHECK(!strncmp(start, head, sizeof(head) - 1));
		}
		CHECK(strstr(start, ", tgid ") < rec);
		CHECK(strstr(start, " ns\n") < rec);
		end = strstr(rec, "\n\n");
		CHECK(end != NULL);
		start = strstr(rec, "page_owner_test_alloc+0x");
		CHECK(start != NULL && end && start < end);
	}
	free(text);
	text = show("page_owner_sort");
	start = strstr(text, "1 times, 4 pages:\n");
	CHECK(start != NULL);
	if (start) {
		end = strstr(start, "\n\n");
		rec = strstr(start, "page_owner_test_alloc+0x");
		CHECK(rec && end && rec < end);
	}
	free(text);
	__free_pages(page, 2);
	/* Freed: no record any more. */
	text = show("page_owner");
	CHECK(strstr(text, needle) == NULL);
	free(text);
	still_works_and_halt(free_before);
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "uaf"))
		return uaf_child();
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0)
		return 1;
	self_path[n] = 0;
	RUN(banner_each_combination);
	RUN(init_on_alloc_zeroes_without_gfp_zero);
	RUN(init_on_free_leaves_freed_pages_zero);
	RUN(page_poison_write_after_free);
	RUN(debug_pagealloc_use_after_free_oops);
	RUN(debug_pagealloc_counts_host_mappings);
	RUN(page_owner_records_known_allocations);
	return test_summary();
}
