// SPDX-License-Identifier: MIT
/*
 * Where the command's example data is: the small traces in each input format
 * and the real 6.18 kernel's trace and /proc snapshots (tests/data in the
 * source tree, installed under <prefix>/share/kmem by cmake/install.cmake).
 *
 * The installed command finds it relative to its own executable
 * (<bindir>/KMEM_DATA_RELDIR, "../share/kmem"), so a prefix or an unpacked
 * .deb works wherever it is; the command run from its build tree uses the
 * source tree's tests/data. KMEM_DATA overrides both.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/kmem/kmem.h"

static int has_data(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/trace-ftrace.txt", dir) >=
	    (int)sizeof(path))
		return 0;
	return access(path, R_OK) == 0;
}

const char *kmem_data_dir(void)
{
	static char dir[PATH_MAX];
	static int found = -1;
	char exe[PATH_MAX], real[PATH_MAX];
	const char *env = getenv("KMEM_DATA");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	if (found >= 0)
		return found ? dir : NULL;
	found = 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			if (snprintf(dir, sizeof(dir), "%s/%s", exe,
				     KMEM_DATA_RELDIR) < (int)sizeof(dir) &&
			    has_data(dir) && realpath(dir, real)) {
				snprintf(dir, sizeof(dir), "%s", real);
				found = 1;
				return dir;
			}
		}
	}
#ifdef KMEM_SOURCE_DIR
	snprintf(dir, sizeof(dir), "%s/tests/data", KMEM_SOURCE_DIR);
	if (has_data(dir)) {
		found = 1;
		return dir;
	}
#endif
	return NULL;
}

const char *kmem_data_path(const char *name, char *buf, size_t len)
{
	const char *dir = kmem_data_dir();

	snprintf(buf, len, "%s/%s", dir ? dir : "DATA", name);
	return buf;
}
