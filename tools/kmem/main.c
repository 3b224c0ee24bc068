// SPDX-License-Identifier: MIT
/*
 * kmem: the command. Dispatches to the registered subcommands (each in its own
 * file under tools/kmem/), prints --help from their descriptions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmem/kmem.h>
#include "tools/kmem/kmem.h"

static struct kmem_command *commands;

void kmem_register_command(struct kmem_command *c)
{
	struct kmem_command **pp;

	for (pp = &commands; *pp && strcmp((*pp)->name, c->name) < 0; pp = &(*pp)->next)
		;
	c->next = *pp;
	*pp = c;
}

static void usage(FILE *f)
{
	struct kmem_command *c;

	fprintf(f, "usage: kmem COMMAND [ARGS]\n\n"
		   "kmem runs the Linux kernel's memory allocators (buddy, SLUB, vmalloc,\n"
		   "user address spaces) on a simulated machine in user space.\n\n"
		   "Commands:\n");
	for (c = commands; c; c = c->next)
		fprintf(f, "  %-34s %s\n", c->usage, c->summary);
	fprintf(f, "\nThe machine is configured with KMEM_RAM (e.g. 160M, 2G; default 256M),\n"
		   "KMEM_LAYOUT (x86-64 or x86-32), KMEM_CPUS and KMEM_SWAP.\n"
		   "`kmem COMMAND --help` describes a command.\n");
}

int main(int argc, char **argv)
{
	struct kmem_command *c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (c = commands; c; c = c->next)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "kmem: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
