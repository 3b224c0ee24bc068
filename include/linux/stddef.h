/* SPDX-License-Identifier: MIT */
#ifndef _KMEM_LINUX_STDDEF_H
#define _KMEM_LINUX_STDDEF_H

#include <stddef.h>
#include <linux/compiler.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - (offsetof(type, member))))
#endif
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))

#endif
