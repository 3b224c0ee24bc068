/* SPDX-License-Identifier: MIT */
/*
 * The stack depot (lib/stackdepot.c), as the kernel's <linux/stackdepot.h>:
 * call stacks stored once each, named by a 32-bit handle. page_owner and
 * slab_debug's tracks keep handles instead of stacks.
 */
#ifndef _KMEM_LIB_STACKDEPOT_H
#define _KMEM_LIB_STACKDEPOT_H

/* 0: no stack (none given, or the depot is full or could not be made). */
typedef unsigned int depot_stack_handle_t;

/* The frames kept of a stack; deeper ones are cut. */
#define STACK_DEPOT_FRAMES 16

/* Make the depot now (boot, with page_owner=on): 0 or -ENOMEM. Otherwise the
 * first stack_depot_save() makes it. */
int stack_depot_init(void);
/* Store entries[0..nr) (nr cut to STACK_DEPOT_FRAMES) once; its handle. */
depot_stack_handle_t stack_depot_save(void *const *entries, unsigned int nr);
/* The frames of a handle: their number (0 for an unknown handle), *entries
 * pointed at them. Stacks are never removed while a machine runs. */
unsigned int stack_depot_fetch(depot_stack_handle_t handle, void ***entries);
/* The handles given so far are 1 .. stack_depot_nr_handles(). */
unsigned int stack_depot_nr_handles(void);
/* Forget every stack (the machine halts). */
void stack_depot_exit(void);

#endif
