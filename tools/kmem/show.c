// SPDX-License-Identifier: MIT
/* kmem show NAME: print a /proc view of a freshly booted machine. */
#include <stdio.h>
#include <string.h>

#include <kmem/kmem.h>
#include "tools/kmem/kmem.h"

static int cmd_show(int argc, char **argv)
{
	int i, ret = 0;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		printf("usage: kmem show NAME...\n\n"
		       "Print /proc views of the machine (configured by KMEM_RAM,\n"
		       "KMEM_LAYOUT, KMEM_CPUS, KMEM_SWAP: see kmem --help) in the\n"
		       "kernel's formats. Views:\n");
		kmem_list_views(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (kmem_boot_default())
		return 1; /* the boot said why */
	for (i = 1; i < argc; i++)
		if (kmem_show(argv[i], stdout))
			ret = 1;
	return ret;
}
KMEM_COMMAND(show, "show NAME...", "print a /proc view (buddyinfo, meminfo ...)", cmd_show)
