// SPDX-License-Identifier: MIT
/*
 * Names for debugging output, as the kernel's mm/debug.c: the GFP flag names
 * that %pGg prints (and the trace parser reads back), and the page owner tags'
 * names that the checkers and `kmem map` print.
 *
 * Tables only: no state, no locks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/gfp_types.h>
#include <linux/page-flags.h>
#include "mm/internal.h"

/* The owner tags' names, as tools/mm/page-types names the page kinds. */
const char *const page_owner_names[KMEM_NR_OWNERS] = {
	"pages", "free", "pcp", "reserved", "slab", "large_kmalloc", "vmalloc",
	"pgtable", "anon", "zero", "swapcache", "kernel_stack"
};

/* GFP names, most specific composite first, as the kernel's show_gfp_flags. */
static const struct {
	unsigned int mask;
	const char *name;
} gfp_names[] = {
	{ GFP_TRANSHUGE, "GFP_TRANSHUGE" },
	{ GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ GFP_DMA, "GFP_DMA" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ GFP_DMA32, "GFP_DMA32" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ __GFP_WRITE, "__GFP_WRITE" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_ZEROTAGS, "__GFP_ZEROTAGS" },
	{ __GFP_SKIP_ZERO, "__GFP_SKIP_ZERO" },
	{ __GFP_SKIP_KASAN, "__GFP_SKIP_KASAN" },
	{ __GFP_NOLOCKDEP, "__GFP_NOLOCKDEP" },
	{ __GFP_NO_OBJ_EXT, "__GFP_NO_OBJ_EXT" },
};

char *kmem_format_gfp(unsigned int gfp, char *buf, size_t len)
{
	size_t pos = 0, i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(gfp_names) && gfp; i++) {
		if ((gfp & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		gfp &= ~gfp_names[i].mask;
		pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0, "%s%s",
					pos ? "|" : "", gfp_names[i].name);
	}
	if (gfp)
		pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0,
					"%s%#x", pos ? "|" : "", gfp);
	if (!pos)
		snprintf(buf, len, "0");
	return buf;
}

int kmem_parse_gfp(const char *s, unsigned int *out)
{
	unsigned int gfp = 0;
	char name[64];
	size_t i, n;

	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		n = strcspn(s, "|");
		if (n == 0 || n >= sizeof(name))
			return -EINVAL;
		memcpy(name, s, n);
		name[n] = '\0';
		if (name[0] >= '0' && name[0] <= '9') {
			gfp |= (unsigned int)strtoul(name, NULL, 0);
		} else {
			for (i = 0; i < ARRAY_SIZE(gfp_names); i++)
				if (!strcmp(name, gfp_names[i].name))
					break;
			if (i == ARRAY_SIZE(gfp_names))
				return -EINVAL;
			gfp |= gfp_names[i].mask;
		}
		s += n;
		if (*s == '|')
			s++;
	}
	*out = gfp;
	return 0;
}
