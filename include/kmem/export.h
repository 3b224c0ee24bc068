/* SPDX-License-Identifier: MIT */
/*
 * KMEM_API: the mark of the library's public API.
 *
 * libkmem is built with -fvisibility=hidden, so a function or variable is
 * exported from libkmem.so only if its declaration in a public header
 * (include/linux, include/kmem, include/asm) carries KMEM_API. Everything
 * else is internal: calls between the library's own files bind directly
 * (no PLT, no GOT), and no program can come to depend on an internal name.
 * tests/check/exports.sh checks that the exported set is exactly the set the
 * public headers declare.
 *
 * A program including the headers sees the same attribute on a declaration,
 * which changes nothing for it. (Defining KMEM_API empty before the first
 * include is allowed: tests/check/exports.sh reads the headers that way.)
 */
#ifndef _KMEM_EXPORT_H
#define _KMEM_EXPORT_H

#ifndef KMEM_API
#if defined(__GNUC__) || defined(__clang__)
#define KMEM_API __attribute__((__visibility__("default")))
#else
#define KMEM_API
#endif
#endif

#endif /* _KMEM_EXPORT_H */
