/* SPDX-License-Identifier: MIT */
/* Error numbers: the system's, plus the kernel-internal ones. */
#ifndef _KMEM_LINUX_ERRNO_H
#define _KMEM_LINUX_ERRNO_H

#if defined(__has_include_next)
#if __has_include_next(<linux/errno.h>)
#include_next <linux/errno.h>
#endif
#endif
#include <errno.h>

#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#endif
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#endif
