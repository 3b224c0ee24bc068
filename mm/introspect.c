// SPDX-License-Identifier: MIT
/*
 * The introspection API (<kmem/introspect.h>): what tools may read of the
 * machine, each under the lock that makes it consistent.
 *
 * Frames. kmem_walk_frames() goes over pfn 0 .. max_pfn once, in order. The
 * frames of each populated zone are walked under that zone's lock, so a
 * PageBuddy head and its order (page->private) describe a block that is
 * really free and whole (a free block's tails carry no order; the walk steps
 * over the block). Frames outside every zone (the first MiB's holes) are
 * walked without a lock. Other owners' tags are single atomic words set by
 * their layers; a slab head's counters are read without its node's
 * list_lock, as /proc/kpageflags reads page flags: each entry is a
 * consistent picture of its frames, not the whole machine at one instant.
 *
 * vmalloc areas: vmalloc_for_each_area() holds vmap_area_lock for the walk,
 * so the area's vm_struct (and its page array) cannot go away while the
 * callback reads it.
 *
 * Processes (kmem_for_each_process, kmem_process_vmas, kmem_frame_users) are
 * in mm/mmap.c and mm/memory.c under process_lock and each mm's mmap_lock.
 */
#include <string.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/spinlock.h>
#include <kmem/introspect.h>
#include <kmem/machine.h>
#include "kernel/internal.h"
#include "mm/internal.h"
#include "mm/mm_user.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

/* One entry for the frame at pfn, which is not the head of a free block
 * (those are found under the zone lock). */
static void frame_entry(unsigned long pfn, struct kmem_frame_info *fi)
{
	struct page *page = pfn_to_page(pfn);
	unsigned int order;

	fi->pfn = pfn;
	fi->nr = 1;
	fi->owner = page_owner(page);
	fi->order = 0;
	fi->flags = 0;
	fi->cache = NULL;
	fi->inuse = fi->objects = -1;
	if (PageTail(page))
		fi->flags |= KMEM_KPF(COMPOUND_TAIL);
	switch (fi->owner) {
	case KMEM_OWNER_RESERVED:
		fi->flags |= KMEM_KPF(RESERVED);
		if (PageReserved(page) && !memblock_is_memory(PFN_PHYS(pfn)))
			fi->flags |= KMEM_KPF(NOPAGE);
		break;
	case KMEM_OWNER_SLAB:
		fi->flags |= KMEM_KPF(SLAB);
		if (!PageTail(page)) {
			/* The head page is the struct slab (mm/slab.h). */
			const struct slab *slab = (const struct slab *)page;

			fi->cache = slab->slab_cache;
			fi->order = slab->order;
			fi->nr = 1UL << slab->order;
			fi->inuse = slab->inuse;
			fi->objects = slab->objects;
			if (slab->order)
				fi->flags |= KMEM_KPF(COMPOUND_HEAD);
		}
		break;
	case KMEM_OWNER_LARGE_KMALLOC:
		if (!PageTail(page)) {
			order = compound_order(page);
			fi->order = order;
			fi->nr = 1UL << order;
			if (order)
				fi->flags |= KMEM_KPF(COMPOUND_HEAD);
		}
		break;
	case KMEM_OWNER_ANON:
		fi->flags |= KMEM_KPF(ANON);
		break;
	case KMEM_OWNER_SWAPCACHE:
		fi->flags |= KMEM_KPF(SWAPCACHE);
		break;
	case KMEM_OWNER_ZERO:
		fi->flags |= KMEM_KPF(ZERO_PAGE);
		break;
	case KMEM_OWNER_PGTABLE:
		fi->flags |= KMEM_KPF(PGTABLE);
		break;
	default:
		break;
	}
}

/* Frames [pfn, end); in_zone: the zone's lock is held, buddy heads count. */
static int walk_range(unsigned long pfn, unsigned long end, bool in_zone,
		      int (*fn)(const struct kmem_frame_info *, void *),
		      void *arg)
{
	struct kmem_frame_info fi;
	int ret;

	if (end > max_pfn)
		end = max_pfn;
	while (pfn < end) {
		struct page *page = pfn_to_page(pfn);

		if (in_zone && PageBuddy(page) &&
		    page->private < NR_PAGE_ORDERS) {
			fi = (struct kmem_frame_info){
				.pfn = pfn,
				.nr = 1UL << page->private,
				.owner = KMEM_OWNER_FREE,
				.order = (unsigned int)page->private,
				.flags = KMEM_KPF(BUDDY),
				.inuse = -1,
				.objects = -1,
			};
		} else {
			frame_entry(pfn, &fi);
		}
		if (pfn + fi.nr > end)
			fi.nr = end - pfn;
		ret = fn(&fi, arg);
		if (ret)
			return ret;
		pfn += fi.nr;
	}
	return 0;
}

int kmem_walk_frames(int (*fn)(const struct kmem_frame_info *f, void *arg),
		     void *arg)
{
	unsigned long pfn = 0;
	struct zone *zone;
	int ret;

	ret = kmem_boot_default();
	if (ret)
		return ret;
	/* Zones are in pfn order (DMA, DMA32, Normal, HighMem). */
	for_each_populated_zone(zone) {
		unsigned long start = zone->zone_start_pfn;
		unsigned long end = start + zone->spanned_pages;

		if (start < pfn)
			start = pfn;
		ret = walk_range(pfn, start, false, fn, arg);
		if (ret)
			return ret;
		spin_lock(&zone->lock);
		ret = walk_range(start, end, true, fn, arg);
		spin_unlock(&zone->lock);
		if (ret)
			return ret;
		if (end > pfn)
			pfn = end;
	}
	return walk_range(pfn, max_pfn, false, fn, arg);
}

void kmem_owner_counts(unsigned long counts[KMEM_NR_OWNERS])
{
	if (!kmem_ensure_booted()) {
		memset(counts, 0, KMEM_NR_OWNERS * sizeof(counts[0]));
		return;
	}
	page_owner_counts(counts);
}

const char *kmem_owner_name(enum kmem_page_owner owner)
{
	return (unsigned int)owner < KMEM_NR_OWNERS ? page_owner_names[owner] :
						      "?";
}

struct vmalloc_walk {
	void (*fn)(const struct kmem_vmalloc_area *, void *);
	void *arg;
};

/* Under vmap_area_lock (vmalloc_for_each_area). */
static void vmalloc_one(const struct vmalloc_area_info *ai, void *arg)
{
	struct vmalloc_walk *w = arg;
	struct kmem_vmalloc_area a = {
		.start = ai->start,
		.end = ai->end,
		.flags = ai->flags,
		.nr_pages = ai->nr_pages,
		.caller = ai->caller,
		.vm_map_ram = ai->vm_map_ram,
		.lazy = ai->lazy,
	};
	struct vmap_area *va;

	if (!ai->lazy) {
		va = __find_vmap_area(ai->start);
		if (va && va->vm && va->vm->pages && va->vm->nr_pages) {
			a.pages = va->vm->pages;
			a.nr_pages = va->vm->nr_pages;
		}
	}
	w->fn(&a, w->arg);
}

unsigned long kmem_for_each_vmalloc_area(
	void (*fn)(const struct kmem_vmalloc_area *a, void *arg), void *arg)
{
	struct vmalloc_walk w = { fn, arg };

	return vmalloc_for_each_area(vmalloc_one, &w);
}

/* ---- zones and the per-CPU lists ------------------------------------------ */

bool kmem_zone_in_layout(int zone)
{
	return kmem_ensure_booted() && zone >= 0 && zone < MAX_NR_ZONES &&
	       (zones_in_layout & (1u << zone));
}

bool kmem_zone_free_counts(int z, unsigned long counts[NR_PAGE_ORDERS])
{
	if (!kmem_zone_in_layout(z)) {
		memset(counts, 0, NR_PAGE_ORDERS * sizeof(counts[0]));
		return false;
	}
	zone_free_counts(&NODE_DATA(0)->node_zones[z], counts);
	return true;
}

unsigned long kmem_min_free_kbytes(void)
{
	return kmem_ensure_booted() ? min_free_kbytes : 0;
}

void kmem_pcp_enable(bool on)
{
	if (kmem_ensure_booted())
		page_alloc_set_pcp(on);
}

/* ---- slab caches ------------------------------------------------------------ */

void kmem_cache_get_info(struct kmem_cache *s, struct kmem_cache_info *info)
{
	struct slab_counts c;

	slab_get_counts(s, &c);
	*info = (struct kmem_cache_info){
		.name = s->name,
		.object_size = s->object_size,
		.size = s->size,
		.align = s->align,
		.offset = s->offset,
		.order = s->order,
		.objects = s->objects,
		.min_partial = s->min_partial,
		.sheaf_capacity = slab_foreign() ? 0 : s->sheaf_capacity,
		.nr_full = c.nr_full,
		.nr_partial = c.nr_partial,
		.nr_empty = c.nr_empty,
		.nr_slabs = c.nr_slabs,
		.total_objects = c.total_objects,
		.active_objects = c.active_objects,
		.thread_cached = c.thread_cached,
		.barn_full = c.barn_full,
		.barn_empty = c.barn_empty,
	};
}

int kmem_for_each_cache(int (*fn)(struct kmem_cache *s, void *arg), void *arg)
{
	struct kmem_cache *s;
	int ret = 0;

	if (!kmem_ensure_booted())
		return 0;
	mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		ret = fn(s, arg);
		if (ret)
			break;
	}
	mutex_unlock(&slab_mutex);
	return ret;
}

int kmem_slub_geometry(unsigned int object_size, unsigned int align,
		       unsigned long flags, bool has_ctor, unsigned int nr_cpus,
		       struct kmem_cache_info *info)
{
	struct slab_geometry g;
	int err;

	memset(info, 0, sizeof(*info));
	err = slab_calculate_geometry(object_size, align, (slab_flags_t)flags,
				      has_ctor, nr_cpus, &g);
	if (err)
		return err;
	info->object_size = object_size;
	info->size = g.size;
	info->align = g.align;
	info->offset = g.offset;
	info->order = g.order;
	info->objects = g.objects;
	info->min_partial = g.min_partial;
	info->sheaf_capacity = g.sheaf_capacity;
	return 0;
}

void kmem_cache_flush_sheaves(struct kmem_cache *s)
{
	slab_flush_sheaves(s);
}

const char *kmem_slab_allocator_name(int which)
{
	return slab_allocator_name((enum kmem_slab)which);
}

bool kmem_slab_allocator_built(int which)
{
	return slab_allocator_built((enum kmem_slab)which);
}
