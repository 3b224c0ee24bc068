// SPDX-License-Identifier: MIT
/*
 * Choosing the slab allocator (issue 15) as a user meets it: kmem_config.slab,
 * $KMEM_SLAB and slab_allocator= on the command line, in that order; the
 * banner, kmem_machine_info() and the command line say which. A bad name, or
 * one this build does not have yet, is -EINVAL and one line, never a silent
 * fall back to SLUB. The first call of the program is a boot with
 * KMEM_SLAB=slub in the environment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/slab.h>
#include "test.h"

static const char *const names[] = { "", "slub", "slab", "slob" };
static const char *const upper[] = { "", "SLUB", "SLAB", "SLOB" };

/* Resolve `in` with $KMEM_SLAB = env (NULL: unset): the return and msg. */
static int resolve(const struct kmem_config *in, const char *env,
		   struct kmem_config *out, char *msg, size_t len)
{
	int ret;

	if (env)
		setenv("KMEM_SLAB", env, 1);
	else
		unsetenv("KMEM_SLAB");
	ret = kmem_config_resolve(in, out, msg, len);
	unsetenv("KMEM_SLAB");
	return ret;
}

TEST(bad_names)
{
	struct kmem_config in, out;
	char msg[200];

	memset(&in, 0, sizeof(in));
	CHECK_EQ(resolve(&in, "slib", &out, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(
		msg,
		"kmem: KMEM_SLAB=slib: unknown slab allocator; use slub, slab or slob");
	CHECK_EQ(resolve(&in, "slubx", &out, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(
		msg,
		"kmem: KMEM_SLAB=slubx: unknown slab allocator; use slub, slab or slob");
	in.slab = (enum kmem_slab)7;
	CHECK_EQ(resolve(&in, NULL, &out, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(
		msg,
		"kmem: kmem_config.slab=7: unknown slab allocator; use KMEM_SLAB_SLUB, KMEM_SLAB_SLAB or KMEM_SLAB_SLOB");
	in.slab = KMEM_SLAB_DEFAULT;
	in.cmdline = "quiet slab_allocator=slub2 x=1";
	CHECK_EQ(resolve(&in, NULL, &out, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(
		msg,
		"kmem: slab_allocator=slub2: unknown slab allocator; use slub, slab or slob");
	/* The field wins over a bad environment, the environment over the
	 * command line; an empty variable counts as unset. */
	in.cmdline = NULL;
	in.slab = KMEM_SLAB_SLUB;
	CHECK_EQ(resolve(&in, "bogus", &out, msg, sizeof(msg)), 0);
	CHECK_EQ(out.slab, KMEM_SLAB_SLUB);
	in.slab = KMEM_SLAB_DEFAULT;
	in.cmdline = "slab_allocator=bogus";
	CHECK_EQ(resolve(&in, "SLUB", &out, msg, sizeof(msg)), 0);
	CHECK_EQ(out.slab, KMEM_SLAB_SLUB);
	in.cmdline = "slab-allocator=slub";
	CHECK_EQ(resolve(&in, "", &out, msg, sizeof(msg)), 0);
	CHECK_EQ(out.slab, KMEM_SLAB_SLUB);
	in.cmdline = NULL;
	CHECK_EQ(resolve(&in, NULL, &out, msg, sizeof(msg)), 0);
	CHECK_EQ(out.slab, KMEM_SLAB_SLUB);
}

/* Each allocator, by each way of naming it: either this build has it (it
 * boots, and says so) or the one line says it has not. */
TEST(every_allocator)
{
	unsigned int i, way;

	for (i = KMEM_SLAB_SLUB; i <= KMEM_SLAB_SLOB; i++) {
		for (way = 0; way < 3; way++) {
			struct kmem_config in, out;
			struct kmem_machine_info info;
			char msg[200], want[200], line[64];
			const char *env = NULL, *shown;
			unsigned long mark;
			void *p;
			int ret;

			memset(&in, 0, sizeof(in));
			in.quiet = false;
			if (way == 0) {
				in.slab = (enum kmem_slab)i;
				snprintf(
					want, sizeof(want),
					"kmem: kmem_config.slab=%s: %s is not in this build yet; use slub",
					upper[i], upper[i]);
			} else if (way == 1) {
				env = names[i];
				snprintf(
					want, sizeof(want),
					"kmem: KMEM_SLAB=%s: %s is not in this build yet; use slub",
					names[i], upper[i]);
			} else {
				snprintf(line, sizeof(line),
					 "slab_allocator=%s", names[i]);
				in.cmdline = line;
				snprintf(
					want, sizeof(want),
					"kmem: slab_allocator=%s: %s is not in this build yet; use slub",
					names[i], upper[i]);
			}
			ret = resolve(&in, env, &out, msg, sizeof(msg));
			if (ret) {
				CHECK(i != KMEM_SLAB_SLUB);
				CHECK_EQ(ret, -EINVAL);
				CHECK_STR(msg, want);
				continue;
			}
			CHECK_EQ(out.slab, (enum kmem_slab)i);
			if (env)
				setenv("KMEM_SLAB", env, 1);
			mark = kmem_log_mark();
			CHECK_EQ(test_boot(&in), 0);
			unsetenv("KMEM_SLAB");
			snprintf(want, sizeof(want), "CPUs, %s\n", upper[i]);
			CHECK_LOG(mark, want);
			kmem_machine_info(&info);
			CHECK_EQ(info.slab, (enum kmem_slab)i);
			CHECK_STR(info.slab_name, upper[i]);
			/* The command line names an allocator chosen by the
			 * field or the environment (not the default SLUB). */
			shown = kmem_cmdline();
			CHECK(shown != NULL);
			snprintf(want, sizeof(want), "slab_allocator=%s",
				 names[i]);
			if (shown)
				CHECK(i == KMEM_SLAB_SLUB && way < 2 ?
					      !strstr(shown, "slab_allocator") :
					      strstr(shown, want) != NULL);
			p = kmalloc(100, GFP_KERNEL);
			CHECK(p != NULL);
			kfree(p);
			test_halt();
		}
	}
}

int main(void)
{
	struct kmem_machine_info info;
	void *p;

	/* The program's first call: the implicit boot, KMEM_SLAB=slub. */
	setenv("KMEM_SLAB", "slub", 1);
	p = kmalloc(64, GFP_KERNEL);
	CHECK(p != NULL);
	kfree(p);
	kmem_machine_info(&info);
	CHECK_EQ(info.slab, KMEM_SLAB_SLUB);
	CHECK_STR(info.slab_name, "SLUB");
	unsetenv("KMEM_SLAB");
	RUN(bad_names);
	RUN(every_allocator);
	return test_summary();
}
