/* SPDX-License-Identifier: MIT */
/* kmem's own API, all of it. */
#ifndef _KMEM_KMEM_H
#define _KMEM_KMEM_H
#include <kmem/machine.h>
#include <kmem/log.h>
#include <kmem/show.h>
#include <kmem/cmdline.h>
#include <kmem/fault.h>
#include <kmem/slab_debug.h>
#endif
