/* SPDX-License-Identifier: MIT */
/*
 * A small test harness (public API only, so integration tests can use it).
 *
 *	TEST(alloc_and_free) { ... CHECK(p != NULL); CHECK_EQ(a, b); }
 *	int main(void) { RUN(alloc_and_free); return test_summary(); }
 *
 * RUN() boots the default machine if needed, records MemFree before the test
 * and checks that the test gave every page back ("lost some free pages", as
 * xv6's usertests say) and every byte of percpu memory (alloc_percpu: most
 * of it sits in the first chunk, which costs no free page), and that
 * kmem_check_invariants() holds afterwards.
 * Tests that keep memory on purpose use RUN_KEEP(). A test that boots a
 * machine of its own uses test_boot() and test_halt(), which run the same
 * checks on that machine before halting it.
 */
#ifndef KMEM_TEST_H
#define KMEM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmem/kmem.h>

static int test_failures;
static int test_checks;
static const char *test_current = "";

#define CHECK(cond)                                                           \
	do {                                                                  \
		test_checks++;                                                \
		if (!(cond)) {                                                \
			test_failures++;                                      \
			fprintf(stderr, "FAIL %s: %s:%d: %s\n", test_current, \
				__FILE__, __LINE__, #cond);                   \
		}                                                             \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long __a = (long long)(a), __b = (long long)(b);          \
		test_checks++;                                                 \
		if (__a != __b) {                                              \
			test_failures++;                                       \
			fprintf(stderr,                                        \
				"FAIL %s: %s:%d: %s == %s (%lld != %lld)\n",   \
				test_current, __FILE__, __LINE__, #a, #b, __a, \
				__b);                                          \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                       \
	do {                                                                  \
		const char *__a = (a), *__b = (b);                            \
		test_checks++;                                                \
		if (!__a || !__b || strcmp(__a, __b)) {                       \
			test_failures++;                                      \
			fprintf(stderr, "FAIL %s: %s:%d: \"%s\" == \"%s\"\n", \
				test_current, __FILE__, __LINE__,             \
				__a ? __a : "(null)", __b ? __b : "(null)");  \
		}                                                             \
	} while (0)

/* The log since `mark` contains `needle`. */
#define CHECK_LOG(mark, needle) CHECK(kmem_log_contains((mark), (needle)))

#define TEST(name) static void name(void)

/* Mappings the host kernel holds for this process (lines of /proc/self/maps),
 * for tests of the vm.max_map_count budget. */
static inline unsigned long host_map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The value of one /proc/meminfo line ("SwapFree:"), in kB; -1 if absent. */
static inline long meminfo_kb(const char *key)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	long v = -1;

	if (!f)
		return -1;
	kmem_show("meminfo", f);
	fclose(f);
	line = strstr(buf, key);
	if (line)
		v = strtol(line + strlen(key), NULL, 10);
	free(buf);
	return v;
}

static inline unsigned long test_free_pages(void)
{
	return kmem_free_pages_drained();
}

/* The free pages of the machine the current test runs on, just after RUN or
 * test_boot() gave it to the test; and whether the test keeps memory. */
static unsigned long test_before, test_percpu_before;
static int test_keep;
/* The log since this mark must hold no lock-debugging report (debug and
 * sanitizer builds: include/linux/lockdep.h); a test that provokes one on
 * purpose moves the mark past it. */
static size_t test_lock_mark;

/* The checks of RUN on the booted machine: every page back, invariants hold. */
static inline void test_check_machine(const char *when)
{
	unsigned long after = test_free_pages();
	unsigned long percpu = kmem_percpu_allocated();

	if (!test_keep && after < test_before) {
		test_failures++;
		fprintf(stderr,
			"FAIL %s: lost some free pages %s: %lu before, %lu after\n",
			test_current, when, test_before, after);
	}
	if (!test_keep && percpu > test_percpu_before) {
		test_failures++;
		fprintf(stderr,
			"FAIL %s: leaked %lu bytes of percpu memory %s\n",
			test_current, percpu - test_percpu_before, when);
	}
	if (!kmem_check_invariants()) {
		test_failures++;
		fprintf(stderr, "FAIL %s: invariants do not hold %s\n",
			test_current, when);
	}
	if (kmem_log_contains(test_lock_mark,
			      "possible circular locking dependency") ||
	    kmem_log_contains(test_lock_mark, "possible recursive locking") ||
	    kmem_log_contains(test_lock_mark, " is not held\n")) {
		test_failures++;
		fprintf(stderr, "FAIL %s: lock debugging reported a bug %s\n",
			test_current, when);
	}
}

/* Halt the machine after the checks of RUN: a test that halts or reboots uses
 * this (not kmem_halt()), so its machine is checked like the default one. */
static inline void test_halt(void)
{
	if (kmem_is_booted()) {
		test_check_machine("before the halt");
		kmem_halt();
	}
}

/* The same for a machine that keeps memory on purpose (a replay's own, with
 * the trace's live objects): RUN's checks (invariants, lock reports) but no
 * leak count, then the halt. */
static inline void test_halt_keeping(void)
{
	test_keep = 1;
	test_halt();
}

/* Boot a machine of the test's own (halting the current one after the
 * checks); the leak check of RUN then compares against this machine. */
static inline int test_boot(const struct kmem_config *cfg)
{
	int err;

	test_halt();
	err = kmem_boot(cfg);
	if (!err) {
		test_before = test_free_pages();
		test_percpu_before = kmem_percpu_allocated();
	}
	return err;
}

/* The same for the default machine (KMEM_RAM, KMEM_CPUS, ...). */
static inline int test_boot_default(void)
{
	int err;

	test_halt();
	err = kmem_boot_default();
	if (!err) {
		test_before = test_free_pages();
		test_percpu_before = kmem_percpu_allocated();
	}
	return err;
}

static inline void test_run(const char *name, void (*fn)(void), int keep)
{
	int failed = test_failures;

	test_current = name;
	test_keep = keep;
	test_lock_mark = kmem_log_mark();
	kmem_boot_default();
	test_before = test_free_pages();
	test_percpu_before = kmem_percpu_allocated();
	fn();
	if (kmem_is_booted()) /* a test that halted was checked by test_halt() */
		test_check_machine("after the test");
	fprintf(stderr, "%s %s\n", test_failures > failed ? "FAIL" : "ok  ",
		name);
}

#define RUN(name) test_run(#name, name, 0)
#define RUN_KEEP(name) test_run(#name, name, 1)

static inline int test_summary(void)
{
	fprintf(stderr, "%d checks, %d failures\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}

/* A file of the test data: checked in under tests/data (KMEM_DATA_DIR), or
 * in a shared data folder two levels above the source tree; NULL if neither
 * has it. */
static inline FILE *test_open_data(const char *rel)
{
	static const char *const dirs[] = { KMEM_DATA_DIR, KMEM_SOURCE_DIR
					    "/../../shared/data" };
	char path[1024];
	unsigned int i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dirs[i], rel);
		f = fopen(path, "r");
		if (f)
			return f;
	}
	return NULL;
}

#endif
