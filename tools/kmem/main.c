// SPDX-License-Identifier: MIT
/* The kmem command. */
#include <stdio.h>
#include <string.h>
#include <kmem/kmem.h>
#include <linux/gfp.h>
#include <linux/mm.h>

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "show"))
		return kmem_show(argv[2], stdout) ? 1 : 0;
	fprintf(stderr, "usage: kmem show NAME\n");
	return 2;
}
