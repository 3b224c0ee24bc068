/* SPDX-License-Identifier: MIT */
/*
 * kmem's own API: the kernel command line of the simulated machine.
 *
 * A machine boots with a command line, as a kernel does: the `cmdline` field
 * of struct kmem_config, else $KMEM_CMDLINE. The syntax is the kernel's:
 * parameters separated by spaces, each `name` or `name=value`; a value (or a
 * whole parameter) with spaces in it is put in double quotes (`foo="a b"`,
 * `"foo=a b"`); in names '-' and '_' are the same character; `--` ends the
 * kernel's part (what follows is init's and is not parsed). At most 2047
 * bytes (x86's COMMAND_LINE_SIZE).
 *
 *	KMEM_CMDLINE="failslab=1,100,0,-1 failslab.ignore-gfp-wait=N" ./prog
 *
 * Each layer registers the parameters it understands (KMEM_SETUP and
 * KMEM_EARLY_PARAM below, the kernel's __setup and early_param). At boot,
 * before any layer is initialised, early parameters are handed to their
 * handlers, then the others, in the order they appear. A parameter that no
 * handler knows, or whose handler refuses its value, is reported once per
 * boot in the kernel's words:
 *
 *	Unknown kernel command line parameters "foo=bar", will be passed to user space.
 *
 * kmem_show("cmdline", f) prints the line, as /proc/cmdline.
 */
#ifndef _KMEM_CMDLINE_H
#define _KMEM_CMDLINE_H

#include <kmem/export.h>

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The running machine's command line ("" if none; boots the default
 * machine if none runs; NULL if none could boot). */
KMEM_API const char *kmem_cmdline(void);

/* A command-line parameter. `setup` gets the text after '=' (NULL when the
 * parameter has no '='); it returns 0 if it took the value, or a negative
 * errno (the parameter is then reported as unknown, as a kernel __setup
 * handler returning 0). Handlers run at boot, before the layers' initcalls,
 * with no lock held; they must not allocate kmem memory. */
struct kmem_param {
	/* Without the '=': "failslab". A name ending in '.' ("failslab.") is
	 * a prefix: it takes every "failslab.<rest>[=value]" and its handler
	 * gets "<rest>[=value]" (as the kernel's __setup matches a prefix). */
	const char *name;
	int (*setup)(const char *val);
	bool early; /* early_param: handled before the others */
	struct kmem_param *next;
};
KMEM_API void kmem_register_param(struct kmem_param *p);

#define __KMEM_PARAM(str, fn, is_early, id)                                  \
	static struct kmem_param __kmem_param_##id = { (str), (fn),          \
						       (is_early), 0 };      \
	__attribute__((constructor)) static void __kmem_reg_param_##id(void) \
	{                                                                    \
		kmem_register_param(&__kmem_param_##id);                     \
	}
/* KMEM_SETUP("failslab", setup_failslab): the kernel's __setup("failslab=", ...). */
#define KMEM_SETUP(str, fn) __KMEM_PARAM(str, fn, false, fn)
/* KMEM_EARLY_PARAM("mem", parse_mem): the kernel's early_param(). */
#define KMEM_EARLY_PARAM(str, fn) __KMEM_PARAM(str, fn, true, fn)

#ifdef __cplusplus
}
#endif
#endif
