// SPDX-License-Identifier: MIT
/*
 * The kernel command line through the public API: struct kmem_config's
 * cmdline and $KMEM_CMDLINE, the kernel's syntax (quotes, '-' == '_', "--"),
 * parameters registered with KMEM_SETUP / KMEM_EARLY_PARAM, the report of
 * unknown parameters, and kmem_show("cmdline").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include <kmem/cmdline.h>
#include <kmem/fault.h>
#include "test.h"

/* What the handlers below saw, in order. */
static char seen[1024];

static void note(const char *what, const char *val)
{
	size_t n = strlen(seen);

	snprintf(seen + n, sizeof(seen) - n, "%s%s=%s", n ? "|" : "", what,
		 val ? val : "(null)");
}

static int setup_demo(const char *val)
{
	note("demo", val);
	return 0;
}
KMEM_SETUP("kmem_test_demo", setup_demo)

static int setup_picky(const char *val)
{
	note("picky", val);
	return val && !strcmp(val, "good") ? 0 : -EINVAL;
}
KMEM_SETUP("kmem_test_picky", setup_picky)

static int setup_early(const char *val)
{
	note("early", val);
	return 0;
}
KMEM_EARLY_PARAM("kmem_test_early", setup_early)

static int setup_prefix(const char *val)
{
	note("prefix", val);
	return 0;
}
KMEM_SETUP("kmem_test_ns.", setup_prefix)

static size_t boot_with(const char *line)
{
	struct kmem_config cfg = {
		.ram = 64ULL << 20, .cpus = 2, .quiet = true, .cmdline = line
	};
	size_t mark;

	test_halt();
	seen[0] = '\0';
	mark = kmem_log_mark();
	CHECK_EQ(test_boot(&cfg), 0);
	return mark;
}

static char *show(const char *name)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	kmem_show(name, f);
	fclose(f);
	return buf;
}

TEST(syntax_and_order)
{
	size_t mark = boot_with(
		"kmem_test_demo=1 kmem-test-demo=\"a b\"  "
		"\"kmem_test_demo=c d\" kmem_test_demo "
		"kmem_test_early=e kmem_test_ns.knob=v kmem_test_ns.flag");

	/* The early parameter first, then the others in order; quotes gone;
	 * '-' and '_' equal; prefixes get the rest. */
	CHECK_STR(seen, "early=e|demo=1|demo=a b|demo=c d|demo=(null)|"
			"prefix=knob=v|prefix=flag");
	CHECK_LOG(mark, "Kernel command line: kmem_test_demo=1");
	CHECK(!kmem_log_contains(mark, "Unknown kernel command line"));
	CHECK_STR(kmem_cmdline(),
		  "kmem_test_demo=1 kmem-test-demo=\"a b\"  "
		  "\"kmem_test_demo=c d\" kmem_test_demo "
		  "kmem_test_early=e kmem_test_ns.knob=v kmem_test_ns.flag");
}

TEST(unknown_reported_once)
{
	size_t mark = boot_with(
		"foo=bar kmem_test_demo=x nosmp quiet=\"a b\" "
		"kmem_test_picky=bad kmem_test_picky=good dotted.param=1 "
		"-- init_arg=1 other");

	/* Without a value first (init's argv), then with one (its
	 * environment); a value the handler refused counts as unknown; what
	 * follows "--" is init's. */
	CHECK_EQ(kmem_log_count(mark, "Unknown kernel command line parameters"),
		 1);
	CHECK_LOG(mark,
		  "Unknown kernel command line parameters \"nosmp foo=bar "
		  "quiet=a b kmem_test_picky=bad dotted.param=1\", will be "
		  "passed to user space.");
	CHECK_STR(seen, "demo=x|picky=bad|picky=good");
	CHECK_EQ(kmem_log_count(mark, "init_arg"),
		 1); /* in "Kernel command line" only */
}

TEST(empty_and_env)
{
	size_t mark;

	/* No line: nothing printed; /proc/cmdline is an empty line. */
	unsetenv("KMEM_CMDLINE");
	mark = boot_with(NULL);
	CHECK(!kmem_log_contains(mark, "Kernel command line"));
	CHECK_STR(show("cmdline"), "\n");
	/* $KMEM_CMDLINE when the config has none; the config wins. */
	setenv("KMEM_CMDLINE", "kmem_test_demo=env", 1);
	boot_with(NULL);
	CHECK_STR(seen, "demo=env");
	CHECK_STR(show("cmdline"), "kmem_test_demo=env\n");
	boot_with("kmem_test_demo=cfg");
	CHECK_STR(seen, "demo=cfg");
	unsetenv("KMEM_CMDLINE");
}

TEST(failslab_param)
{
	char buf[32];
	size_t mark = boot_with(
		"failslab=3,50,100,-1 fail_page_alloc=1,10,0,5 "
		"failslab.ignore-gfp-wait=N fail_page_alloc.min-order=0 "
		"failslab=1,2 failslab.nosuch=1");

	kmem_fault_get("failslab", "interval", buf, sizeof(buf));
	CHECK_STR(buf, "3");
	kmem_fault_get("failslab", "probability", buf, sizeof(buf));
	CHECK_STR(buf, "50");
	kmem_fault_get("failslab", "space", buf, sizeof(buf));
	CHECK_STR(buf, "100");
	kmem_fault_get("failslab", "times", buf, sizeof(buf));
	CHECK_STR(buf, "-1");
	kmem_fault_get("failslab", "ignore-gfp-wait", buf, sizeof(buf));
	CHECK_STR(buf, "N");
	kmem_fault_get("fail_page_alloc", "times", buf, sizeof(buf));
	CHECK_STR(buf, "5");
	kmem_fault_get("fail_page_alloc", "min-order", buf, sizeof(buf));
	CHECK_STR(buf, "0");
	/* A malformed value: the kernel's warning, and it is unknown. */
	CHECK_LOG(mark, "FAULT_INJECTION: failed to parse arguments");
	CHECK_LOG(mark, "Unknown kernel command line parameters \"failslab=1,2 "
			"failslab.nosuch=1\", will be passed to user space.");
	/* A halt forgets it all. */
	boot_with(NULL);
	kmem_fault_get("failslab", "probability", buf, sizeof(buf));
	CHECK_STR(buf, "0");
	kmem_fault_get("failslab", "ignore-gfp-wait", buf, sizeof(buf));
	CHECK_STR(buf, "Y");
}

TEST(too_long)
{
	static char line[3000];
	size_t mark;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mark = boot_with(line);
	CHECK_LOG(mark, "Command line is too long");
	CHECK_EQ(strlen(kmem_cmdline()), 2047);
}

int main(void)
{
	/* First call: the command line of a machine not booted yet (boots
	 * the default machine, with $KMEM_CMDLINE's line). */
	setenv("KMEM_CMDLINE", "kmem_test_demo=first", 1);
	CHECK_STR(kmem_cmdline(), "kmem_test_demo=first");
	CHECK_STR(seen, "demo=first");
	unsetenv("KMEM_CMDLINE");
	kmem_log_set_console(NULL);
	RUN_KEEP(syntax_and_order);
	RUN_KEEP(unknown_reported_once);
	RUN_KEEP(empty_and_env);
	RUN_KEEP(failslab_param);
	RUN_KEEP(too_long);
	test_halt();
	return test_summary();
}
