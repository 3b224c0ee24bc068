// SPDX-License-Identifier: MIT
/*
 * The percpu allocator, as the kernel's mm/percpu.c with percpu-vm.c.
 *
 * Memory is handed out in chunks. A chunk has one unit per possible CPU
 * (plus empty units when the CPUs do not fill the last allocation atom);
 * all units of a chunk have the same layout, so an allocation is one offset
 * in the chunk and per_cpu_ptr(ptr, cpu) adds the CPU's unit offset.
 *
 *   chunk c:  | u0 | u1 | ... |     an area of 512 bytes at 6 KiB is those
 *                                   bytes at 6 KiB of every unit
 *
 * The first chunk is set up at boot, before the page allocator takes the
 * free memory (setup_per_cpu_areas(), from page_alloc_init()): the
 * embedding of x86's setup_per_cpu_areas() -> pcpu_embed_first_chunk().
 * pcpu_build_alloc_info() sizes it: static area + reserved + dynamic area,
 * page aligned (size_sum), in units of at least PCPU_MIN_UNIT_SIZE grouped
 * so that one allocation atom (2 MiB on x86-64, a page on x86-32) holds as
 * many units as wastes at most a third of them. The group is taken from
 * memblock and the tail of each unit past size_sum (and every empty unit) is
 * given back, so the first chunk costs size_sum per CPU and is not part of
 * MemTotal, as in the kernel. kmem's image has two static per-CPU variables
 * (x86's this_cpu_off and cpu_number, 16 bytes) and no modules, so no
 * reserved area: "Embedded 10 pages/cpu s16 r0 d40944 u1048576" with
 * 2 CPUs on x86-64.
 *
 * Later chunks are dynamic: a vmalloc area of nr_units * unit_size aligned
 * to the atom (pcpu_get_vm_areas), populated a page at a time for every
 * possible CPU when an allocation first covers the page (alloc_pages +
 * mapping into the area), and depopulated when pages fall empty.
 *
 * Allocation map: one bit per PCPU_MIN_ALLOC_SIZE (4) bytes of a unit
 * (alloc_map), and a boundary map with a bit at the start of every
 * allocation and at its end (bound_map), which says where a free starts
 * and stops. An allocation takes the lowest fit (first-fit from the chunk's
 * first free bit). Chunks sit on slot lists by free bytes; an allocation
 * tries the fullest chunks that could fit first, and a new chunk is made
 * only when none fits. Allocations that may not sleep use populated pages
 * only; the allocator keeps PCPU_EMPTY_POP_PAGES_LOW..HIGH (2..4) free
 * populated pages for them (pcpu_balance_populated).
 *
 * Percpu (meminfo) = pcpu_nr_pages() = populated pages of all chunks,
 * first chunk included (all of size_sum), times the units of a chunk.
 *
 * The kernel's balance work runs from a workqueue; kmem runs its steps at
 * the next sleeping allocation (pcpu_balance_pending), and
 * kmem_free_pages_drained() reclaims fully: every empty dynamic chunk and
 * every empty page of the others go back, so that free-page counts after a
 * test are exact. Not modelled: the per-block hints (pcpu_block_md), the
 * reserved chunk (modules), memcg accounting, the sidelined and
 * to-depopulate slots (their work is the drain's), allocation from the top
 * of the vmalloc space.
 *
 * Locking, as the kernel's: pcpu_alloc_mutex serialises the sleeping paths
 * (chunk creation and destruction, population); pcpu_lock (a spinlock)
 * protects the maps, the slots and the counters, and is all free_percpu()
 * and atomic allocations take.
 */
#define pr_fmt(fmt) "percpu: " fmt

#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include "arch/x86/machine.h"
#include "mm/internal.h"
#include "mm/vmalloc.h"

#define PCPU_SLOT_BASE_SHIFT 5 /* 1-31 bytes share a slot */
#define PCPU_EMPTY_POP_PAGES_LOW 2
#define PCPU_EMPTY_POP_PAGES_HIGH 4
#define PCPU_BITS_PER_PAGE (PAGE_SIZE >> PCPU_MIN_ALLOC_SHIFT)
#define LONG_BITS (8 * (int)sizeof(long))
#define pcpu_roundup(x, y) ((((x) + (y)-1) / (y)) * (y))
#define PCPU_BITS_TO_LONGS(n) (((n) + LONG_BITS - 1) / LONG_BITS)

/* kmem's static per-CPU variables, at the start of every unit of the first
 * chunk (x86's this_cpu_off and cpu_number). */
struct pcpu_static {
	unsigned long this_cpu_off;
	int cpu_number;
};
#define PCPU_STATIC_SIZE sizeof(struct pcpu_static)

struct pcpu_chunk {
	struct list_head list;	  /* on a slot list */
	struct list_head all;	  /* dynamic chunks: pcpu_dyn_chunks */
	void *base_addr;	  /* unit 0; unit u at + pcpu_unit_offsets */
	struct vm_struct *vm;	  /* dynamic: the vmalloc area; first: NULL */
	unsigned long *alloc_map; /* a bit per PCPU_MIN_ALLOC_SIZE bytes */
	unsigned long *bound_map; /* nr_bits + 1 bits */
	int nr_bits;
	int start_offset; /* first chunk: the static area, hidden */
	int free_bytes;
	int first_free; /* no free bit below it */
	int nr_pages;
	int nr_populated;
	int nr_empty_pop_pages;	   /* populated pages with nothing allocated */
	bool immutable;		   /* the first chunk: always populated */
	unsigned long populated[]; /* a bit per page */
};

unsigned long __per_cpu_offset[KMEM_MAX_CPUS];

static DEFINE_MUTEX_RANK(pcpu_alloc_mutex, LOCK_RANK_PCPU_ALLOC);
static DEFINE_SPINLOCK_RANK(pcpu_lock, LOCK_RANK_LEAF);

static int pcpu_unit_pages, pcpu_unit_size, pcpu_nr_units;
static size_t pcpu_atom_size, pcpu_size_sum;
static int pcpu_nr_slots, pcpu_free_slot;
static unsigned long *pcpu_unit_offsets; /* nr_cpu_ids entries */
static void *pcpu_base_addr;
static struct list_head *pcpu_slot;
static LIST_HEAD(pcpu_dyn_chunks);
static struct pcpu_chunk *pcpu_first_chunk;
static int pcpu_nr_empty_pop_pages;
static unsigned long pcpu_nr_populated;
static unsigned long pcpu_allocated_bytes;
static bool pcpu_atomic_alloc_failed, pcpu_balance_pending;
static int pcpu_warn_limit;
static bool pcpu_ready; /* the dynamic part (vmalloc) is up */

/* ---- bitmaps ------------------------------------------------------------ */

static bool pcpu_test_bit(const unsigned long *map, int bit)
{
	return (map[bit / LONG_BITS] >> (bit % LONG_BITS)) & 1;
}

static void pcpu_set_bits(unsigned long *map, int start, int nr, bool set)
{
	int i;

	for (i = start; i < start + nr;) {
		int w = i / LONG_BITS, b = i % LONG_BITS;
		int n = min(LONG_BITS - b, start + nr - i);
		unsigned long mask = (n == LONG_BITS ? ~0UL : ((1UL << n) - 1))
				     << b;

		if (set)
			map[w] |= mask;
		else
			map[w] &= ~mask;
		i += n;
	}
}

/* The first bit at or after start (below end) that is `set`; end if none. */
static int pcpu_find_next(const unsigned long *map, int end, int start,
			  bool set)
{
	while (start < end) {
		unsigned long w = map[start / LONG_BITS];

		if (!set)
			w = ~w;
		w &= ~0UL << (start % LONG_BITS);
		if (w) {
			int bit = (start / LONG_BITS) * LONG_BITS +
				  __builtin_ctzl(w);

			return min(bit, end);
		}
		start = (start / LONG_BITS + 1) * LONG_BITS;
	}
	return end;
}

/* ---- chunks, slots, counters -------------------------------------------- */

static int __pcpu_size_to_slot(int size)
{
	int highbit = fls(size);

	return max(highbit - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

static int pcpu_size_to_slot(int size)
{
	if (size == pcpu_unit_size)
		return pcpu_free_slot;
	return __pcpu_size_to_slot(size);
}

static int pcpu_chunk_slot(const struct pcpu_chunk *chunk)
{
	if (chunk->free_bytes < PCPU_MIN_ALLOC_SIZE)
		return 0;
	return pcpu_size_to_slot(chunk->free_bytes);
}

/* Move chunk to the slot its free bytes say (after a change from oslot):
 * to the head when it rises, the tail when it falls. Under pcpu_lock. */
static void pcpu_chunk_relocate(struct pcpu_chunk *chunk, int oslot)
{
	int nslot = pcpu_chunk_slot(chunk);

	if (oslot == nslot)
		return;
	if (oslot < nslot)
		list_move(&chunk->list, &pcpu_slot[nslot]);
	else
		list_move_tail(&chunk->list, &pcpu_slot[nslot]);
}

static unsigned long pcpu_chunk_addr(const struct pcpu_chunk *chunk,
				     unsigned int cpu, int page)
{
	return (unsigned long)chunk->base_addr + pcpu_unit_offsets[cpu] +
	       ((unsigned long)page << PAGE_SHIFT);
}

static bool pcpu_page_empty(const struct pcpu_chunk *chunk, int page)
{
	int start = page * PCPU_BITS_PER_PAGE;
	int end = min(start + (int)PCPU_BITS_PER_PAGE, chunk->nr_bits);

	return pcpu_find_next(chunk->alloc_map, end, start, true) == end;
}

/* Empty populated pages among pages [ps, pe). */
static int pcpu_count_empty(const struct pcpu_chunk *chunk, int ps, int pe)
{
	int p, n = 0;

	for (p = ps; p < pe; p++)
		if (pcpu_test_bit(chunk->populated, p) &&
		    pcpu_page_empty(chunk, p))
			n++;
	return n;
}

static void pcpu_update_empty_pages(struct pcpu_chunk *chunk, int nr)
{
	chunk->nr_empty_pop_pages += nr;
	pcpu_nr_empty_pop_pages += nr;
}

static void pcpu_chunk_populated(struct pcpu_chunk *chunk, int ps, int pe)
{
	int nr = pe - ps;

	pcpu_set_bits(chunk->populated, ps, nr, true);
	chunk->nr_populated += nr;
	__atomic_add_fetch(&pcpu_nr_populated, (unsigned long)nr,
			   __ATOMIC_RELAXED);
	pcpu_update_empty_pages(chunk, pcpu_count_empty(chunk, ps, pe));
}

static void pcpu_chunk_depopulated(struct pcpu_chunk *chunk, int ps, int pe)
{
	int nr = pe - ps;

	pcpu_update_empty_pages(chunk, -pcpu_count_empty(chunk, ps, pe));
	pcpu_set_bits(chunk->populated, ps, nr, false);
	chunk->nr_populated -= nr;
	__atomic_sub_fetch(&pcpu_nr_populated, (unsigned long)nr,
			   __ATOMIC_RELAXED);
}

/* The lowest bit offset where `bits` free bits aligned to bit_align fit
 * (for an atomic request: on populated pages only), or -1. */
static int pcpu_find_fit(const struct pcpu_chunk *chunk, int bits,
			 int bit_align, bool is_atomic)
{
	int start = chunk->first_free;

	if (chunk->free_bytes < bits * PCPU_MIN_ALLOC_SIZE)
		return -1;
	for (;;) {
		int s = pcpu_find_next(chunk->alloc_map, chunk->nr_bits, start,
				       false);
		int used, p;

		s = ALIGN(s, bit_align);
		if (s + bits > chunk->nr_bits)
			return -1;
		used = pcpu_find_next(chunk->alloc_map, s + bits, s, true);
		if (used < s + bits) {
			start = used + 1;
			continue;
		}
		if (!is_atomic)
			return s;
		for (p = s / (int)PCPU_BITS_PER_PAGE;
		     p <= (s + bits - 1) / (int)PCPU_BITS_PER_PAGE; p++)
			if (!pcpu_test_bit(chunk->populated, p))
				break;
		if (p > (s + bits - 1) / (int)PCPU_BITS_PER_PAGE)
			return s;
		/* Skip past the unpopulated page. */
		start = (p + 1) * (int)PCPU_BITS_PER_PAGE;
	}
}

/* Mark [bit, bit + bits) allocated. Under pcpu_lock. */
static void pcpu_alloc_area(struct pcpu_chunk *chunk, int bit, int bits)
{
	int oslot = pcpu_chunk_slot(chunk);
	int ps = bit / (int)PCPU_BITS_PER_PAGE;
	int pe = (bit + bits - 1) / (int)PCPU_BITS_PER_PAGE + 1;
	int empty = pcpu_count_empty(chunk, ps, pe);

	pcpu_set_bits(chunk->alloc_map, bit, bits, true);
	pcpu_set_bits(chunk->bound_map, bit, 1, true);
	if (bits > 1)
		pcpu_set_bits(chunk->bound_map, bit + 1, bits - 1, false);
	pcpu_set_bits(chunk->bound_map, bit + bits, 1, true);
	chunk->free_bytes -= bits * PCPU_MIN_ALLOC_SIZE;
	if (bit == chunk->first_free)
		chunk->first_free = pcpu_find_next(
			chunk->alloc_map, chunk->nr_bits, bit + bits, false);
	pcpu_update_empty_pages(chunk, pcpu_count_empty(chunk, ps, pe) - empty);
	pcpu_chunk_relocate(chunk, oslot);
	__atomic_add_fetch(&pcpu_allocated_bytes,
			   (unsigned long)bits * PCPU_MIN_ALLOC_SIZE,
			   __ATOMIC_RELAXED);
}

/* Free the allocation starting at bit; its size in bytes. Under pcpu_lock. */
static int pcpu_free_area(struct pcpu_chunk *chunk, int bit)
{
	int oslot = pcpu_chunk_slot(chunk);
	int end = pcpu_find_next(chunk->bound_map, chunk->nr_bits + 1, bit + 1,
				 true);
	int bits = end - bit;
	int ps = bit / (int)PCPU_BITS_PER_PAGE;
	int pe = (end - 1) / (int)PCPU_BITS_PER_PAGE + 1;
	int empty = pcpu_count_empty(chunk, ps, pe);

	pcpu_set_bits(chunk->alloc_map, bit, bits, false);
	chunk->free_bytes += bits * PCPU_MIN_ALLOC_SIZE;
	chunk->first_free = min(chunk->first_free, bit);
	pcpu_update_empty_pages(chunk, pcpu_count_empty(chunk, ps, pe) - empty);
	pcpu_chunk_relocate(chunk, oslot);
	__atomic_sub_fetch(&pcpu_allocated_bytes,
			   (unsigned long)bits * PCPU_MIN_ALLOC_SIZE,
			   __ATOMIC_RELAXED);
	return bits * PCPU_MIN_ALLOC_SIZE;
}

/* ---- dynamic chunks (percpu-vm.c) ------------------------------------------ */

/* Metadata: kzalloc up to a page, vmalloc above (pcpu_mem_zalloc). */
static void *pcpu_mem_zalloc(size_t size, gfp_t gfp)
{
	if (size <= PAGE_SIZE)
		return kzalloc(size, gfp);
	return __vmalloc(size, gfp | __GFP_ZERO);
}

static void pcpu_free_chunk(struct pcpu_chunk *chunk)
{
	if (!chunk)
		return;
	kvfree(chunk->bound_map);
	kvfree(chunk->alloc_map);
	kvfree(chunk);
}

/* The vmalloc area of a chunk: every unit, aligned to the allocation atom,
 * no guard page. Named for the kernel function vmallocinfo shows. */
static noinline struct vm_struct *pcpu_get_vm_areas(size_t size, size_t align)
{
	return __get_vm_area_node(size, align, VM_ALLOC | VM_NO_GUARD,
				  VMALLOC_START, VMALLOC_END, NUMA_NO_NODE,
				  GFP_KERNEL, (const void *)pcpu_get_vm_areas);
}

static struct pcpu_chunk *pcpu_create_chunk(gfp_t gfp)
{
	struct pcpu_chunk *chunk;
	int bits = pcpu_unit_size / PCPU_MIN_ALLOC_SIZE;

	chunk = pcpu_mem_zalloc(sizeof(*chunk) +
					PCPU_BITS_TO_LONGS(pcpu_unit_pages) *
						sizeof(long),
				gfp);
	if (!chunk)
		return NULL;
	chunk->alloc_map =
		pcpu_mem_zalloc(PCPU_BITS_TO_LONGS(bits) * sizeof(long), gfp);
	chunk->bound_map = pcpu_mem_zalloc(
		PCPU_BITS_TO_LONGS(bits + 1) * sizeof(long), gfp);
	if (!chunk->alloc_map || !chunk->bound_map)
		goto fail;
	chunk->vm = pcpu_get_vm_areas((size_t)pcpu_nr_units * pcpu_unit_size,
				      pcpu_atom_size);
	if (!chunk->vm)
		goto fail;
	INIT_LIST_HEAD(&chunk->list);
	chunk->base_addr = chunk->vm->addr;
	chunk->nr_bits = bits;
	chunk->free_bytes = pcpu_unit_size;
	chunk->nr_pages = pcpu_unit_pages;
	pcpu_set_bits(chunk->bound_map, bits, 1, true);
	spin_lock_irq(&pcpu_lock);
	list_add_tail(&chunk->all, &pcpu_dyn_chunks);
	spin_unlock_irq(&pcpu_lock);
	return chunk;
fail:
	pcpu_free_chunk(chunk);
	return NULL;
}

/* Unmap and free the pages [ps, pe) of every possible CPU's unit. */
static void pcpu_depopulate_chunk(struct pcpu_chunk *chunk, int ps, int pe)
{
	int cpu;
	int p;

	for_each_possible_cpu(cpu) {
		struct page *pages[64];

		for (p = ps; p < pe;) {
			int n = min(pe - p, 64), i;
			unsigned long addr = pcpu_chunk_addr(chunk, cpu, p);

			for (i = 0; i < n; i++)
				pages[i] = vmalloc_to_page(
					(void *)(addr + ((unsigned long)i
							 << PAGE_SHIFT)));
			vunmap_pages_partial(chunk->vm, addr, (unsigned int)n);
			for (i = 0; i < n; i++)
				if (pages[i])
					__free_page(pages[i]);
			p += n;
		}
	}
}

/* Allocate and map the pages [ps, pe) of every possible CPU's unit (with
 * pcpu_alloc_mutex held); 0 or -ENOMEM with nothing left behind. */
static int pcpu_populate_chunk(struct pcpu_chunk *chunk, int ps, int pe,
			       gfp_t gfp)
{
	int cpu, done;
	struct page *pages[64];
	int p;

	lockdep_assert_held(&pcpu_alloc_mutex);
	for_each_possible_cpu(cpu) {
		for (p = ps; p < pe;) {
			int n = min(pe - p, 64), i;

			for (i = 0; i < n; i++) {
				pages[i] = alloc_pages(gfp | __GFP_HIGHMEM, 0);
				if (!pages[i])
					break;
			}
			if (i < n ||
			    vmap_pages_partial(chunk->vm,
					       pcpu_chunk_addr(chunk, cpu, p),
					       pages, (unsigned int)n)) {
				while (i--)
					__free_page(pages[i]);
				goto fail;
			}
			p += n;
		}
	}
	return 0;
fail:
	/* Undo the CPUs done so far, and this CPU's pages below p. */
	for (done = 0; done < cpu; done++)
		for (p = ps; p < pe; p++) {
			unsigned long addr = pcpu_chunk_addr(chunk, done, p);
			struct page *page = vmalloc_to_page((void *)addr);

			vunmap_pages_partial(chunk->vm, addr, 1);
			if (page)
				__free_page(page);
		}
	for (p = ps; p < pe; p++) {
		unsigned long addr = pcpu_chunk_addr(chunk, cpu, p);
		struct page *page = vmalloc_to_page((void *)addr);

		if (!page)
			break;
		vunmap_pages_partial(chunk->vm, addr, 1);
		__free_page(page);
	}
	return -ENOMEM;
}

/* Depopulate and free a dynamic chunk that is off every list. */
static void pcpu_destroy_chunk(struct pcpu_chunk *chunk)
{
	int rs = 0, re;

	while ((rs = pcpu_find_next(chunk->populated, chunk->nr_pages, rs,
				    true)) < chunk->nr_pages) {
		re = pcpu_find_next(chunk->populated, chunk->nr_pages, rs,
				    false);
		pcpu_depopulate_chunk(chunk, rs, re);
		spin_lock_irq(&pcpu_lock);
		pcpu_chunk_depopulated(chunk, rs, re);
		spin_unlock_irq(&pcpu_lock);
		rs = re;
	}
	free_vm_area(chunk->vm);
	pcpu_free_chunk(chunk);
}

/* ---- balance (the kernel's pcpu_balance_workfn) ----------------------------- */

/*
 * Destroy fully free dynamic chunks: all but the first on the free slot
 * (spare_one), or all of them. With pcpu_alloc_mutex held.
 */
static void pcpu_balance_free(bool spare_one)
{
	struct pcpu_chunk *chunk, *next;
	LIST_HEAD(to_free);

	lockdep_assert_held(&pcpu_alloc_mutex);
	spin_lock_irq(&pcpu_lock);
	list_for_each_entry_safe(chunk, next, &pcpu_slot[pcpu_free_slot],
				 list) {
		if (spare_one &&
		    chunk == list_first_entry(&pcpu_slot[pcpu_free_slot],
					      struct pcpu_chunk, list))
			continue;
		list_move(&chunk->list, &to_free);
		list_del(&chunk->all);
	}
	spin_unlock_irq(&pcpu_lock);
	list_for_each_entry_safe(chunk, next, &to_free, list) {
		list_del(&chunk->list);
		pcpu_destroy_chunk(chunk);
	}
}

/* Keep PCPU_EMPTY_POP_PAGES_HIGH free populated pages for atomic
 * allocations, populating the most used chunks first, then a new chunk.
 * With pcpu_alloc_mutex held. */
static void pcpu_balance_populated(void)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct pcpu_chunk *chunk = NULL;
	int slot, nr_to_pop, tries = 0;

	lockdep_assert_held(&pcpu_alloc_mutex);
retry:
	spin_lock_irq(&pcpu_lock);
	if (pcpu_atomic_alloc_failed) {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
		pcpu_atomic_alloc_failed = false;
	} else {
		nr_to_pop = clamp(PCPU_EMPTY_POP_PAGES_HIGH -
					  pcpu_nr_empty_pop_pages,
				  0, PCPU_EMPTY_POP_PAGES_HIGH);
	}
	for (slot = pcpu_size_to_slot(PAGE_SIZE);
	     slot <= pcpu_free_slot && nr_to_pop; slot++) {
		struct pcpu_chunk *pos;
		int rs = 0, re;

		chunk = NULL;
		list_for_each_entry(pos, &pcpu_slot[slot], list)
			if (!pos->immutable &&
			    pos->nr_populated < pos->nr_pages) {
				chunk = pos;
				break;
			}
		if (!chunk)
			continue;
		while (nr_to_pop &&
		       (rs = pcpu_find_next(chunk->populated, chunk->nr_pages,
					    rs, false)) < chunk->nr_pages) {
			int nr;

			re = pcpu_find_next(chunk->populated, chunk->nr_pages,
					    rs, true);
			nr = min(re - rs, nr_to_pop);
			/* The chunk cannot go away: pcpu_alloc_mutex is held. */
			spin_unlock_irq(&pcpu_lock);
			if (pcpu_populate_chunk(chunk, rs, rs + nr, gfp)) {
				spin_lock_irq(&pcpu_lock);
				nr_to_pop = 0;
				break;
			}
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_populated(chunk, rs, rs + nr);
			nr_to_pop -= nr;
			rs += nr;
		}
	}
	spin_unlock_irq(&pcpu_lock);
	if (nr_to_pop && tries++ < 2) {
		/* Out of chunks to populate: a new one, and again. */
		chunk = pcpu_create_chunk(gfp);
		if (chunk) {
			spin_lock_irq(&pcpu_lock);
			pcpu_chunk_relocate(chunk, -1);
			spin_unlock_irq(&pcpu_lock);
			goto retry;
		}
	}
}

/* The scheduled balance work, run in a sleeping context with
 * pcpu_alloc_mutex held. */
static void pcpu_balance_workfn(void)
{
	bool pending;

	lockdep_assert_held(&pcpu_alloc_mutex);
	spin_lock_irq(&pcpu_lock);
	pending = pcpu_balance_pending ||
		  pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW;
	pcpu_balance_pending = false;
	spin_unlock_irq(&pcpu_lock);
	if (!pending || !pcpu_ready)
		return;
	pcpu_balance_free(true);
	pcpu_balance_populated();
}

/*
 * kmem_free_pages_drained(): give back everything the allocator holds
 * beyond its allocations (every fully free dynamic chunk, every empty page
 * of the others), as the kernel's reclaim of populated pages does over
 * time; free-page counts are then exact. A later sleeping allocation
 * repopulates the atomic reserve.
 */
static void pcpu_drain(void)
{
	struct pcpu_chunk *chunk;

	if (!__atomic_load_n(&pcpu_ready, __ATOMIC_ACQUIRE) || !preemptible())
		return;
	mutex_lock(&pcpu_alloc_mutex);
	pcpu_balance_free(false);
	list_for_each_entry(chunk, &pcpu_dyn_chunks, all) {
		int p;

		for (p = 0; p < chunk->nr_pages; p++) {
			bool empty;

			spin_lock_irq(&pcpu_lock);
			empty = pcpu_test_bit(chunk->populated, p) &&
				pcpu_page_empty(chunk, p);
			spin_unlock_irq(&pcpu_lock);
			if (!empty)
				continue;
			/* Only allocations populate, and they hold the
			 * mutex: the page stays populated, though a free
			 * may empty more pages meanwhile. An atomic
			 * allocation may take the page meanwhile: check
			 * again under the lock and take it out first. */
			spin_lock_irq(&pcpu_lock);
			empty = pcpu_page_empty(chunk, p);
			if (empty)
				pcpu_chunk_depopulated(chunk, p, p + 1);
			spin_unlock_irq(&pcpu_lock);
			if (empty)
				pcpu_depopulate_chunk(chunk, p, p + 1);
		}
	}
	pcpu_balance_pending = true;
	mutex_unlock(&pcpu_alloc_mutex);
}

/* ---- the allocator ------------------------------------------------------- */

static struct pcpu_chunk *pcpu_chunk_addr_search(unsigned long addr)
{
	struct pcpu_chunk *chunk;
	unsigned long base = (unsigned long)pcpu_base_addr;

	if (addr >= base + (unsigned long)pcpu_first_chunk->start_offset &&
	    addr < base + pcpu_size_sum)
		return pcpu_first_chunk;
	list_for_each_entry(chunk, &pcpu_dyn_chunks, all)
		if (addr >= (unsigned long)chunk->base_addr &&
		    addr < (unsigned long)chunk->base_addr +
				    (unsigned long)pcpu_unit_size)
			return chunk;
	return NULL;
}

static void __percpu *pcpu_alloc(size_t size, size_t align, gfp_t gfp)
{
	bool is_atomic = !gfpflags_allow_blocking(gfp);
	bool do_warn = !(gfp & __GFP_NOWARN);
	gfp_t pcpu_gfp = gfp & (GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	struct pcpu_chunk *chunk, *next;
	const char *err;
	unsigned long flags;
	int cpu;
	int slot, bit = -1, bits, bit_align;
	size_t off;

	if (unlikely(align < PCPU_MIN_ALLOC_SIZE))
		align = PCPU_MIN_ALLOC_SIZE;
	size = ALIGN(size, PCPU_MIN_ALLOC_SIZE);
	if (unlikely(!size || size > PCPU_MIN_UNIT_SIZE || align > PAGE_SIZE ||
		     !is_power_of_2(align))) {
		WARN(do_warn,
		     "illegal size (%zu) or align (%zu) for percpu allocation\n",
		     size, align);
		return NULL;
	}
	if (unlikely(!kmem_ensure_booted()))
		return NULL;
	bits = (int)(size >> PCPU_MIN_ALLOC_SHIFT);
	bit_align = (int)(align >> PCPU_MIN_ALLOC_SHIFT);

	if (!is_atomic) {
		mutex_lock(&pcpu_alloc_mutex);
		pcpu_balance_workfn();
	}
	spin_lock_irqsave(&pcpu_lock, flags);
restart:
	for (slot = pcpu_size_to_slot((int)size); slot <= pcpu_free_slot;
	     slot++) {
		list_for_each_entry_safe(chunk, next, &pcpu_slot[slot], list) {
			bit = pcpu_find_fit(chunk, bits, bit_align, is_atomic);
			if (bit >= 0) {
				pcpu_alloc_area(chunk, bit, bits);
				goto area_found;
			}
		}
	}
	spin_unlock_irqrestore(&pcpu_lock, flags);

	if (is_atomic) {
		err = "atomic alloc failed, no space left";
		goto fail;
	}
	if (!pcpu_ready) {
		err = "failed to allocate new chunk";
		goto fail;
	}
	if (list_empty(&pcpu_slot[pcpu_free_slot])) {
		chunk = pcpu_create_chunk(pcpu_gfp);
		if (!chunk) {
			err = "failed to allocate new chunk";
			goto fail;
		}
		spin_lock_irqsave(&pcpu_lock, flags);
		pcpu_chunk_relocate(chunk, -1);
	} else {
		spin_lock_irqsave(&pcpu_lock, flags);
	}
	goto restart;

area_found:
	off = (size_t)bit * PCPU_MIN_ALLOC_SIZE;
	if (pcpu_nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)
		pcpu_balance_pending = true;
	spin_unlock_irqrestore(&pcpu_lock, flags);

	if (!is_atomic) {
		int ps = (int)PFN_DOWN(off), pe = (int)PFN_UP(off + size),
		    rs = ps, re;

		while ((rs = pcpu_find_next(chunk->populated, pe, rs, false)) <
		       pe) {
			re = pcpu_find_next(chunk->populated, pe, rs, true);
			WARN_ON(chunk->immutable);
			if (pcpu_populate_chunk(chunk, rs, re, pcpu_gfp)) {
				spin_lock_irqsave(&pcpu_lock, flags);
				pcpu_free_area(chunk, bit);
				err = "failed to populate";
				spin_unlock_irqrestore(&pcpu_lock, flags);
				goto fail;
			}
			spin_lock_irqsave(&pcpu_lock, flags);
			pcpu_chunk_populated(chunk, rs, re);
			spin_unlock_irqrestore(&pcpu_lock, flags);
			rs = re;
		}
		pcpu_balance_workfn();
		mutex_unlock(&pcpu_alloc_mutex);
	}

	/* Clear every CPU's copy; the pointer is the offset from the first
	 * chunk's unit 0 (zero-based, as x86-64's). */
	for_each_possible_cpu(cpu)
		memset((void *)(pcpu_chunk_addr(chunk, cpu, 0) + off), 0, size);
	return (void __percpu *)((unsigned long)chunk->base_addr + off -
				 (unsigned long)pcpu_base_addr);

fail:
	if (do_warn && pcpu_warn_limit) {
		pr_warn("allocation failed, size=%zu align=%zu atomic=%d, %s\n",
			size, align, is_atomic, err);
		if (!is_atomic)
			dump_stack();
		if (!--pcpu_warn_limit)
			pr_info("limit reached, disable warning\n");
	}
	if (is_atomic) {
		spin_lock_irqsave(&pcpu_lock, flags);
		pcpu_atomic_alloc_failed = true;
		pcpu_balance_pending = true;
		spin_unlock_irqrestore(&pcpu_lock, flags);
	} else {
		mutex_unlock(&pcpu_alloc_mutex);
	}
	return NULL;
}

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	return pcpu_alloc(size, align, gfp);
}

void __percpu *__alloc_percpu(size_t size, size_t align)
{
	return pcpu_alloc(size, align, GFP_KERNEL);
}

void free_percpu(void __percpu *ptr)
{
	struct pcpu_chunk *chunk, *pos;
	unsigned long addr, flags;
	bool need_balance = false;
	int bit = -1;

	if (!ptr)
		return;
	if (WARN(!__atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE),
		 "free_percpu(%p): no machine is running\n", ptr))
		return;
	addr = (unsigned long)ptr + (unsigned long)pcpu_base_addr;
	spin_lock_irqsave(&pcpu_lock, flags);
	chunk = pcpu_chunk_addr_search(addr);
	if (chunk) {
		unsigned long off = addr - (unsigned long)chunk->base_addr;

		bit = (int)(off / PCPU_MIN_ALLOC_SIZE);
		if (off % PCPU_MIN_ALLOC_SIZE ||
		    !pcpu_test_bit(chunk->alloc_map, bit) ||
		    !pcpu_test_bit(chunk->bound_map, bit))
			bit = -1;
	}
	if (bit < 0) {
		spin_unlock_irqrestore(&pcpu_lock, flags);
		WARN(1,
		     "free_percpu(%p): not the start of a percpu allocation (freed already, or never allocated)\n",
		     ptr);
		return;
	}
	pcpu_free_area(chunk, bit);
	/* More than one fully free chunk: the balance work frees the extra. */
	if (chunk->free_bytes == pcpu_unit_size) {
		list_for_each_entry(pos, &pcpu_slot[pcpu_free_slot], list)
			if (pos != chunk) {
				need_balance = true;
				break;
			}
	}
	if (need_balance)
		pcpu_balance_pending = true;
	spin_unlock_irqrestore(&pcpu_lock, flags);
}

phys_addr_t per_cpu_ptr_to_phys(void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (is_vmalloc_addr(addr)) {
		struct page *page = vmalloc_to_page(addr);

		return page ? page_to_phys(page) + (a & ~PAGE_MASK) : 0;
	}
	return __pa(addr);
}

unsigned long pcpu_nr_pages(void)
{
	if (unlikely(!kmem_ensure_booted()))
		return 0;
	return __atomic_load_n(&pcpu_nr_populated, __ATOMIC_RELAXED) *
	       (unsigned long)pcpu_nr_units;
}

unsigned long kmem_percpu_allocated(void)
{
	if (unlikely(!kmem_ensure_booted()))
		return 0;
	return __atomic_load_n(&pcpu_allocated_bytes, __ATOMIC_RELAXED);
}

/* ---- boot: the first chunk ------------------------------------------------ */

/* pcpu_build_alloc_info() for one group (kmem's CPUs are all on node 0):
 * the unit size and the number of units. Returns size_sum. */
static size_t pcpu_build_alloc_info(size_t static_size, size_t reserved_size,
				    size_t *dyn_size, size_t atom_size,
				    size_t *unit_size, int *nr_units)
{
	int n = (int)nr_cpu_ids, upa, max_upa, best_upa = 1,
	    last_allocs = INT_MAX;
	size_t size_sum, min_unit_size, alloc_size;

	size_sum =
		PFN_ALIGN(static_size + reserved_size +
			  max_t(size_t, *dyn_size, PERCPU_DYNAMIC_EARLY_SIZE));
	*dyn_size = size_sum - static_size - reserved_size;
	min_unit_size = max_t(size_t, size_sum, PCPU_MIN_UNIT_SIZE);
	alloc_size = pcpu_roundup(min_unit_size, atom_size);
	upa = (int)(alloc_size / min_unit_size);
	while (alloc_size % (size_t)upa ||
	       ((alloc_size / (size_t)upa) & ~PAGE_MASK))
		upa--;
	max_upa = upa;
	/* The most units per atom that wastes at most a third of them, and
	 * then no more atoms than needed. */
	for (upa = max_upa; upa; upa--) {
		int allocs, wasted;

		if (alloc_size % (size_t)upa ||
		    ((alloc_size / (size_t)upa) & ~PAGE_MASK))
			continue;
		allocs = DIV_ROUND_UP(n, upa);
		wasted = allocs * upa - n;
		if (wasted > n / 3)
			continue;
		if (allocs > last_allocs)
			break;
		last_allocs = allocs;
		best_upa = upa;
	}
	*unit_size = alloc_size / (size_t)best_upa;
	*nr_units = pcpu_roundup(n, best_upa);
	return size_sum;
}

static void pcpu_free_boot_state(void)
{
	free(pcpu_unit_offsets);
	free(pcpu_slot);
	if (pcpu_first_chunk) {
		free(pcpu_first_chunk->alloc_map);
		free(pcpu_first_chunk->bound_map);
		free(pcpu_first_chunk);
	}
	pcpu_unit_offsets = NULL;
	pcpu_slot = NULL;
	pcpu_first_chunk = NULL;
}

/*
 * Set up the first chunk (x86's setup_per_cpu_areas() with
 * pcpu_embed_first_chunk() and pcpu_setup_first_chunk()). Called by
 * page_alloc_init() while memblock still owns the memory.
 */
int setup_per_cpu_areas(void)
{
	bool x86_32 = machine.layout == KMEM_LAYOUT_X86_32;
	/* No modules: no reserved area, its 8 KiB go to the dynamic one. */
	size_t dyn_size = PERCPU_MODULE_RESERVE +
			  (x86_32 ? (20 << 10) : PERCPU_DYNAMIC_RESERVE);
	size_t atom_size = x86_32 ? PAGE_SIZE : (2UL << 20); /* PMD_SIZE */
	size_t static_size = PCPU_STATIC_SIZE, unit_size, size_sum, group;
	struct pcpu_chunk *chunk;
	phys_addr_t phys;
	int cpu;
	int i, nr_units, nr_bits, start_bits;

	pcpu_free_boot_state();
	size_sum = pcpu_build_alloc_info(static_size, 0, &dyn_size, atom_size,
					 &unit_size, &nr_units);
	group = (size_t)nr_units * unit_size;
	/* pcpu_fc_alloc: the group, atom aligned, in the direct map. */
	phys = memblock_phys_alloc(group, atom_size,
				   (phys_addr_t)max_low_pfn << PAGE_SHIFT);
	if (!phys) {
		pr_err("Failed to initialize percpu areas.\n");
		return -ENOMEM;
	}
	for (i = 0; i < nr_units; i++) {
		phys_addr_t u = phys + (phys_addr_t)i * unit_size;

		/* An empty unit goes back whole, a CPU's unit past size_sum. */
		if (i >= (int)nr_cpu_ids) {
			memblock_phys_free(u, unit_size);
			continue;
		}
		memblock_phys_free(u + size_sum, unit_size - size_sum);
		memset(__va(u), 0, size_sum);
	}
	pr_info("Embedded %zu pages/cpu s%zu r%zu d%zu u%zu\n",
		PFN_DOWN(size_sum), static_size, (size_t)0, dyn_size,
		unit_size);

	pcpu_unit_size = (int)unit_size;
	pcpu_unit_pages = (int)(unit_size >> PAGE_SHIFT);
	pcpu_nr_units = nr_units;
	pcpu_atom_size = atom_size;
	pcpu_size_sum = size_sum;
	pcpu_base_addr = __va(phys);
	pcpu_unit_offsets = calloc(nr_cpu_ids, sizeof(*pcpu_unit_offsets));
	pcpu_nr_slots = __pcpu_size_to_slot(pcpu_unit_size) + 2;
	pcpu_free_slot = pcpu_nr_slots - 1;
	pcpu_slot = calloc((size_t)pcpu_nr_slots, sizeof(*pcpu_slot));
	chunk = calloc(1, sizeof(*chunk) +
				  PCPU_BITS_TO_LONGS((int)PFN_DOWN(size_sum)) *
					  sizeof(long));
	nr_bits = (int)(size_sum / PCPU_MIN_ALLOC_SIZE);
	if (chunk) {
		chunk->alloc_map = calloc((size_t)PCPU_BITS_TO_LONGS(nr_bits),
					  sizeof(long));
		chunk->bound_map = calloc(
			(size_t)PCPU_BITS_TO_LONGS(nr_bits + 1), sizeof(long));
	}
	pcpu_first_chunk = chunk;
	if (!pcpu_unit_offsets || !pcpu_slot || !chunk || !chunk->alloc_map ||
	    !chunk->bound_map) {
		pcpu_free_boot_state();
		return -ENOMEM;
	}
	for (i = 0; i < pcpu_nr_slots; i++)
		INIT_LIST_HEAD(&pcpu_slot[i]);
	for_each_possible_cpu(cpu) {
		struct pcpu_static *s;

		pcpu_unit_offsets[cpu] = (unsigned long)cpu * unit_size;
		__per_cpu_offset[cpu] =
			(unsigned long)pcpu_base_addr + pcpu_unit_offsets[cpu];
		s = (struct pcpu_static *)__per_cpu_offset[cpu];
		s->this_cpu_off = __per_cpu_offset[cpu];
		s->cpu_number = (int)cpu;
	}

	/* The chunk's map covers [0, size_sum); the static area is hidden as
	 * one allocation that is never freed. */
	start_bits = (int)(ALIGN(static_size, PCPU_MIN_ALLOC_SIZE) /
			   PCPU_MIN_ALLOC_SIZE);
	INIT_LIST_HEAD(&chunk->list);
	INIT_LIST_HEAD(&chunk->all);
	chunk->base_addr = pcpu_base_addr;
	chunk->nr_bits = nr_bits;
	chunk->start_offset = start_bits * PCPU_MIN_ALLOC_SIZE;
	chunk->immutable = true;
	chunk->nr_pages = (int)PFN_DOWN(size_sum);
	pcpu_set_bits(chunk->alloc_map, 0, start_bits, true);
	pcpu_set_bits(chunk->bound_map, 0, 1, true);
	pcpu_set_bits(chunk->bound_map, start_bits, 1, true);
	pcpu_set_bits(chunk->bound_map, nr_bits, 1, true);
	chunk->first_free = start_bits;
	chunk->free_bytes = (int)(size_sum - (size_t)chunk->start_offset);
	pcpu_nr_empty_pop_pages = 0;
	pcpu_nr_populated = 0;
	pcpu_chunk_populated(chunk, 0, chunk->nr_pages);
	/* The first chunk counts all of size_sum as populated. */
	pcpu_nr_populated = PFN_DOWN(size_sum);
	list_add(&chunk->list, &pcpu_slot[pcpu_chunk_slot(chunk)]);
	pcpu_allocated_bytes = 0;
	pcpu_atomic_alloc_failed = pcpu_balance_pending = false;
	pcpu_warn_limit = 10;
	return 0;
}

/* ---- checker, init, exit -------------------------------------------------- */

static bool pcpu_check_chunk(const struct pcpu_chunk *chunk,
			     unsigned long *populated, int *empty,
			     unsigned long *allocated)
{
	int free_bits = 0, b, p, e = 0;
	bool ok = true;

	for (b = 0; b < chunk->nr_bits; b++)
		if (!pcpu_test_bit(chunk->alloc_map, b))
			free_bits++;
	if (free_bits * PCPU_MIN_ALLOC_SIZE != chunk->free_bytes) {
		pr_err("check: chunk %p: %d free bytes in the map, free_bytes %d\n",
		       chunk->base_addr, free_bits * PCPU_MIN_ALLOC_SIZE,
		       chunk->free_bytes);
		ok = false;
	}
	if (pcpu_find_next(chunk->alloc_map, chunk->nr_bits, 0, false) <
	    chunk->first_free) {
		pr_err("check: chunk %p: a free bit below first_free %d\n",
		       chunk->base_addr, chunk->first_free);
		ok = false;
	}
	for (p = 0; p < chunk->nr_pages; p++)
		if (pcpu_test_bit(chunk->populated, p) &&
		    pcpu_page_empty(chunk, p))
			e++;
	if (e != chunk->nr_empty_pop_pages) {
		pr_err("check: chunk %p: %d empty populated pages, counted %d\n",
		       chunk->base_addr, e, chunk->nr_empty_pop_pages);
		ok = false;
	}
	*empty += e;
	if (!chunk->immutable)
		*populated += (unsigned long)chunk->nr_populated;
	*allocated += (unsigned long)(chunk->nr_bits * PCPU_MIN_ALLOC_SIZE -
				      chunk->free_bytes - chunk->start_offset);
	return ok;
}

static bool pcpu_check(void)
{
	struct pcpu_chunk *chunk;
	unsigned long populated = PFN_DOWN(pcpu_size_sum), allocated = 0;
	unsigned long flags;
	int empty = 0, slot;
	bool ok = true;

	if (!pcpu_first_chunk)
		return true;
	spin_lock_irqsave(&pcpu_lock, flags);
	for (slot = 0; slot < pcpu_nr_slots; slot++)
		list_for_each_entry(chunk, &pcpu_slot[slot], list) {
			if (pcpu_chunk_slot(chunk) != slot) {
				pr_err("check: chunk %p on slot %d, belongs on %d\n",
				       chunk->base_addr, slot,
				       pcpu_chunk_slot(chunk));
				ok = false;
			}
			ok &= pcpu_check_chunk(chunk, &populated, &empty,
					       &allocated);
		}
	if (populated != pcpu_nr_populated ||
	    empty != pcpu_nr_empty_pop_pages ||
	    allocated != pcpu_allocated_bytes) {
		pr_err("check: %lu populated pages (counted %lu), %d empty (counted %d), %lu bytes allocated (counted %lu)\n",
		       populated, pcpu_nr_populated, empty,
		       pcpu_nr_empty_pop_pages, allocated,
		       pcpu_allocated_bytes);
		ok = false;
	}
	spin_unlock_irqrestore(&pcpu_lock, flags);
	return ok;
}

static struct kmem_hook pcpu_check_hook = { "percpu",
					    (const void *)pcpu_check };
/* Before vmalloc's drain (30): destroying a chunk frees vmalloc areas. */
KMEM_HOOK(pcpu_drain_hook, pcpu_drain, KMEM_INIT_VMALLOC + 5);

static int percpu_init(void)
{
	kmem_hook_register(&kmem_checkers, &pcpu_check_hook);
	register_cpu_cache_drain(&pcpu_drain_hook);
	__atomic_store_n(&pcpu_ready, true, __ATOMIC_RELEASE);
	return 0;
}

static void percpu_exit(void)
{
	struct pcpu_chunk *chunk, *next;

	__atomic_store_n(&pcpu_ready, false, __ATOMIC_RELEASE);
	unregister_cpu_cache_drain(&pcpu_drain_hook);
	kmem_hook_unregister(&kmem_checkers, &pcpu_check_hook);
	/* Chunks left at halt (allocations never freed) go with the machine;
	 * their areas and metadata are freed while vmalloc is still up. */
	list_for_each_entry_safe(chunk, next, &pcpu_dyn_chunks, all) {
		list_del(&chunk->all);
		list_del(&chunk->list);
		pcpu_destroy_chunk(chunk);
	}
	pcpu_free_boot_state();
	memset(__per_cpu_offset, 0, sizeof(__per_cpu_offset));
	pcpu_nr_populated = 0;
	pcpu_nr_empty_pop_pages = 0;
	pcpu_allocated_bytes = 0;
	pcpu_base_addr = NULL;
}

/* After vmalloc (its areas back the dynamic chunks). */
KMEM_INITCALL(KMEM_INIT_VMALLOC + 5, percpu_init, percpu_exit);

/* fork(): no chunk is made, populated or destroyed while the machine is
 * copied; pcpu_alloc_mutex is taken before vmalloc's purge_mutex (20). */
static void pcpu_fork_prepare(void)
{
	mutex_lock(&pcpu_alloc_mutex);
}

static void pcpu_fork_release(void)
{
	mutex_unlock(&pcpu_alloc_mutex);
}

KMEM_FORK_HOOKS(15, pcpu_fork_prepare, pcpu_fork_release, pcpu_fork_release);

KMEM_LINK_ANCHOR(percpu);
