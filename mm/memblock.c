// SPDX-License-Identifier: MIT
/*
 * memblock: the boot-time memory map and allocator.
 *
 * Before the buddy allocator exists, memory is described by two region lists:
 * "memory" (RAM from the e820 map) and "reserved" (what boot code took: the
 * first MiB, mem_map, the zero page). memblock_phys_alloc() allocates top-down
 * from RAM that is not reserved. When the page allocator starts it frees every
 * page of memory that is not reserved (memblock_free_all in the kernel); the
 * reserved pages stay PG_reserved forever and are not "managed".
 *
 * Untouched memory. The RAM is a fresh memfd at every boot, so a frame nobody
 * has written since reads as zeroes (its part of the file is a hole). The
 * only boot memory ever written is memory memblock handed out (reserved);
 * reserved memory reaches the buddy allocator only through
 * memblock_phys_free(), which remembers the range. memblock_is_untouched()
 * says a free frame was never reserved: mm_init.c marks those frames so that
 * __GFP_ZERO need not clear them (mm/page_alloc.c).
 *
 * Only used during boot, under the boot lock.
 */
#include <string.h>

#include <linux/kernel.h>
#include <asm/page.h>
#include "mm/internal.h"

/* The e820 ranges and boot reservations, plus one reservation per unit of
 * the first percpu chunk (mm/percpu.c: up to KMEM_MAX_CPUS). */
#define MAX_REGIONS (64 + 256)

struct region {
	phys_addr_t base, size;
};

static struct region memory[MAX_REGIONS], reserved[MAX_REGIONS];
static struct region returned[MAX_REGIONS]; /* memblock_phys_free()d */
static int nr_memory, nr_reserved, nr_returned;
static bool returned_overflow; /* more returns than slots: nothing untouched */

void memblock_reset(void)
{
	nr_memory = nr_reserved = nr_returned = 0;
	returned_overflow = false;
}

static int add_region(struct region *r, int *nr, phys_addr_t base,
		      phys_addr_t size)
{
	if (!size)
		return 0;
	if (*nr >= MAX_REGIONS)
		return -ENOSPC;
	r[*nr].base = base;
	r[*nr].size = size;
	(*nr)++;
	return 0;
}

int memblock_add(phys_addr_t base, phys_addr_t size)
{
	return add_region(memory, &nr_memory, base, size);
}

int memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	return add_region(reserved, &nr_reserved, base, size);
}

/*
 * Give [base, base + size) back: the part of every reservation inside it is
 * no longer reserved (a reservation that straddles the range is split), as
 * the kernel's memblock_phys_free(). The percpu first chunk returns the tail
 * of each unit this way (pcpu_embed_first_chunk's pcpu_fc_free).
 */
int memblock_phys_free(phys_addr_t base, phys_addr_t size)
{
	phys_addr_t end = base + size;
	int i;

	if (add_region(returned, &nr_returned, base, size))
		returned_overflow = true;
	for (i = 0; i < nr_reserved; i++) {
		phys_addr_t rb = reserved[i].base, re = rb + reserved[i].size;

		if (re <= base || rb >= end)
			continue;
		if (rb < base && re > end) {
			/* Split: the head stays here, the tail is added. */
			reserved[i].size = base - rb;
			if (add_region(reserved, &nr_reserved, end, re - end))
				return -ENOSPC;
			continue;
		}
		if (rb < base) {
			reserved[i].size = base - rb;
		} else if (re > end) {
			reserved[i].base = end;
			reserved[i].size = re - end;
		} else {
			/* Wholly inside: drop it (the last one takes its
			 * place, and is looked at again). */
			reserved[i--] = reserved[--nr_reserved];
		}
	}
	return 0;
}

static bool in_regions(const struct region *r, int nr, phys_addr_t addr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (addr >= r[i].base && addr < r[i].base + r[i].size)
			return true;
	return false;
}

bool memblock_is_memory(phys_addr_t addr)
{
	return in_regions(memory, nr_memory, addr);
}

bool memblock_is_reserved(phys_addr_t addr)
{
	return in_regions(reserved, nr_reserved, addr);
}

/*
 * No byte of [base, base + size) was ever handed back by memblock_phys_free()
 * (so, for memory that is not reserved now, never written since boot).
 */
bool memblock_is_untouched(phys_addr_t base, phys_addr_t size)
{
	int i;

	if (returned_overflow)
		return false;
	for (i = 0; i < nr_returned; i++)
		if (base < returned[i].base + returned[i].size &&
		    returned[i].base < base + size)
			return false;
	return true;
}

static bool overlaps_reserved(phys_addr_t base, phys_addr_t size)
{
	int i;

	for (i = 0; i < nr_reserved; i++)
		if (base < reserved[i].base + reserved[i].size &&
		    reserved[i].base < base + size)
			return true;
	return false;
}

phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align,
				phys_addr_t limit)
{
	int i;

	size = ALIGN(size, PAGE_SIZE);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	for (i = nr_memory - 1; i >= 0; i--) {
		phys_addr_t lo = memory[i].base;
		phys_addr_t hi = min(memory[i].base + memory[i].size, limit);
		phys_addr_t cand;

		if (hi <= lo || hi - lo < size)
			continue;
		for (cand = ALIGN_DOWN(hi - size, align); cand >= lo;
		     cand -= align) {
			if (!overlaps_reserved(cand, size)) {
				memblock_reserve(cand, size);
				return cand;
			}
			if (cand < align)
				break;
		}
	}
	return 0;
}
