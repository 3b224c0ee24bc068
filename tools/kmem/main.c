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

	for (pp = &commands; *pp && strcmp((*pp)->name, c->name) < 0;
	     pp = &(*pp)->next)
		;
	c->next = *pp;
	*pp = c;
}

static void usage(FILE *f)
{
	struct kmem_command *c;

	fprintf(f,
		"usage: kmem COMMAND [ARGS]\n\n"
		"kmem runs the Linux kernel's memory allocators (buddy, SLUB, vmalloc,\n"
		"user address spaces) on a simulated machine in user space.\n\n"
		"Commands:\n");
	for (c = commands; c; c = c->next)
		fprintf(f, "  %-34s %s\n", c->usage, c->summary);
	fprintf(f,
		"\nThe machine is configured from the environment:\n"
		"  KMEM_RAM     RAM, 32M to 64G (4G with x86-32); default 256M\n"
		"  KMEM_LAYOUT  x86-64 (default) or x86-32\n"
		"  KMEM_CPUS    CPUs, 1 to %d; default: the host's\n"
		"  KMEM_SWAP    swap, 0 to 64G; default none\n"
		"  KMEM_SLAB    slab allocator, slub (default), slab or slob\n"
		"A value outside these is an error (exit status 2).\n"
		"`kmem COMMAND --help` describes a command; `kmem --version` (-V)\n"
		"prints the version; `man kmem` is the manual.\n",
		KMEM_MAX_CPUS);
}

int main(int argc, char **argv)
{
	struct kmem_command *c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("kmem %s\n", KMEM_VERSION);
		return 0;
	}
	for (c = commands; c; c = c->next)
		if (!strcmp(c->name, argv[1]))
			break;
	if (c) {
		struct kmem_config cfg;
		char msg[160];

		/* A bad KMEM_* value is a usage error, whatever the command. */
		if (kmem_config_resolve(NULL, &cfg, msg, sizeof(msg))) {
			fprintf(stderr, "%s\n", msg);
			return 2;
		}
		return c->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "kmem: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
