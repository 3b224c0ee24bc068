// SPDX-License-Identifier: MIT
/*
 * kmem replay TRACE: a kernel allocation trace through kmem, and the report.
 *
 * The parser and the engine are in replay/trace_parse.c and replay/trace_replay.c
 * (shared with the tests); this file reads the options, prints the report as
 * text or as one JSON object, and runs --compare (tools/kmem/replay_compare.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kmem/kmem.h>
#include <kmem/replay.h>
#include "tools/kmem/kmem.h"
#include "tools/kmem/replay.h"
#include "tools/kmem/replay_slab.h"
#include "tools/kmem/replay_ops.h"
#include "tools/kmem/map.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kmem replay TRACE [options]\n\n"
		"Replay a kernel allocation trace (the kmem and vmalloc tracepoints) through\n"
		"kmem's allocators and report fidelity, speed and memory.\n\n"
		"TRACE is the text of /sys/kernel/tracing/trace or trace_pipe, or the output\n"
		"of `trace-cmd report` or `perf script`; plain, .xz or .gz; - for stdin.\n\n"
		"Options:\n"
		"  --json             the report as one JSON object\n"
		"  --slabinfo FILE    create the trace's caches from a /proc/slabinfo snapshot\n"
		"                     and compare their geometry\n"
		"  --ram SIZE         RAM of the machine (default: what fits the trace,\n"
		"                     at most 4 GiB)\n"
		"  --layout L         x86-64 (default) or x86-32\n"
		"  --cpus N           CPUs, 1 to 256 (default: the trace's)\n"
		"  --compare LIST     also replay the object events through malloc/free of\n"
		"                     glibc,jemalloc,mimalloc,tcmalloc (those installed)\n"
		"  --slab LIST        also replay the object events on each slab allocator\n"
		"                     of slub,slab,slob and compare them side by side\n"
		"  --caches N         caches listed in the text report (default 15, 0: all)\n"
		"  --no-progress      no progress bar (it is drawn only on a terminal anyway)\n"
		"  --map FILE.html    also write `kmem map`'s picture of the machine as the\n"
		"                     replay leaves it\n\n"
		"Exit status: 0; 1 if the trace cannot be read or is not a trace, or an\n"
		"allocation failed in kmem (the report lists why); 2 for bad usage.\n");
}

static double pct(unsigned long a, unsigned long b)
{
	return b ? 100.0 * (double)a / (double)b : 100.0;
}

static double frac(unsigned long a, unsigned long b)
{
	return b ? (double)a / (double)b : 1.0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int cmp_cache_pages(const void *a, const void *b)
{
	const struct kmem_replay_cache *x = a, *y = b;
	unsigned long px = x->slabs * x->pagesperslab,
		      py = y->slabs * y->pagesperslab;

	if (px != py)
		return px < py ? 1 : -1;
	return x->allocs < y->allocs ? 1 : x->allocs > y->allocs ? -1 : 0;
}

static double util(const struct kmem_replay_cache *c)
{
	uint64_t bytes = (uint64_t)c->slabs * c->pagesperslab * 4096;

	return bytes ? 100.0 * (double)c->active_objs * c->kmem_size /
			       (double)bytes :
		       0;
}

static double kutil(const struct kmem_replay_result *r, unsigned long i)
{
	uint64_t bytes =
		(uint64_t)r->kcache[i].slabs * r->kcache[i].pagesperslab * 4096;

	return bytes ? 100.0 * (double)r->kcache[i].active_objs *
			       r->kcache[i].size / (double)bytes :
		       0;
}

static bool geometry_agrees(const struct kmem_replay_cache *c)
{
	return c->si && c->si->objperslab == c->objperslab &&
	       c->si->pagesperslab == c->pagesperslab;
}

static const char *const replayed_as[KMEM_TRACE_NR_TYPES] = {
	"kmalloc(bytes_req, gfp)",	  "kmem_cache_alloc(named cache)",
	"kfree(paired object)",		  "kmem_cache_free(paired object)",
	"alloc_pages(gfp, order)",	  "__free_pages(paired pfn)",
	"__free_pages(paired pfn)",	  "alloc_vmap_area(size, align)",
	"free_vmap_area_noflush(paired)", "counted (kmem purges lazily itself)",
};

/* The filesystem type of tmpfs and of memfds (shmem): statfs(2)'s f_type. */
#define SHMEM_FS_MAGIC 0x01021994

/* Host memory that no resident set shows: the copy of a piped standard
 * input (fd), when it is on a tmpfs (shmem pages, also a memfd's), KiB; 0
 * when it is on a disk (the page cache may drop it) or there is none. */
static long stdin_copy_shmem_kib(int fd)
{
	struct statfs sf;
	struct stat st;

	if (fd <= 0 || fstatfs(fd, &sf) || sf.f_type != SHMEM_FS_MAGIC ||
	    fstat(fd, &st))
		return 0;
	return (long)(st.st_size >> 10);
}

/* Host memory: the peak resident set of this process or of a child it
 * waited for (the first pass of a replay, the --compare children), KiB. */
static long peak_rss_kib(void)
{
	struct rusage self, kids;

	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		return 0;
	return self.ru_maxrss > kids.ru_maxrss ? self.ru_maxrss :
						 kids.ru_maxrss;
}

static void
print_text(FILE *f, const struct kmem_trace *t, struct kmem_replay_result *r,
	   const struct kmem_replay_opts *o, unsigned int max_caches,
	   const struct compare_result *cmp, int ncmp, long copy_kib)
{
	const struct kmem_trace_info *ti = kmem_trace_info(t);
	unsigned long i, nb = 0, agree = 0;
	double total_s = ti->parse_seconds + r->replay_seconds;
	int k;

	fprintf(f,
		"kmem replay: %s (%s, %s%s): %lu lines, %zu events, "
		"parsed in %.2f s%s\n",
		ti->path, kmem_trace_format_names[ti->format],
		strcmp(ti->compression, "none") ? ti->compression :
						  "uncompressed",
		strcmp(ti->compression, "none") ? "-compressed" : "", ti->lines,
		ti->events, ti->parse_seconds,
		ti->truncated ? " (input TRUNCATED)" : "");
	fprintf(f, "machine: %s, %llu MiB RAM%s, %d CPUs\n", r->layout,
		r->ram >> 20,
		r->ram_capped	  ? " (sized to fit the trace, CAPPED)" :
		r->ram_from_trace ? " (sized to fit the trace)" :
				    "",
		r->cpus);
	if (r->ram_capped)
		fprintf(f,
			"  the trace's estimated peak (%llu MiB) asks for %llu MiB; automatic "
			"sizing stops at %llu MiB: --ram SIZE for more\n",
			(unsigned long long)(r->need_bytes >> 20),
			r->ram_wanted >> 20, KMEM_REPLAY_RAM_AUTO_MAX >> 20);
	fprintf(f, "\nevents                        count  replayed as\n");
	for (k = 0; k < KMEM_TRACE_NR_TYPES; k++)
		fprintf(f, "  %-24s %9lu  %s\n", kmem_trace_type_names[k],
			ti->count[k],
			(k >= KMEM_TRACE_VMAP_ALLOC &&
			 k != KMEM_TRACE_VMAP_PURGE && !r->vmap_supported) ?
				"not replayed: this build has no vmap-area allocator" :
				replayed_as[k]);
	fprintf(f, "  %-24s %9lu  skipped", "unknown events",
		ti->unknown_total);
	for (i = 0; i < ti->nr_unknown && i < 6; i++)
		fprintf(f, "%s%s %lu", i ? ", " : " (", ti->unknown[i].name,
			ti->unknown[i].count);
	fprintf(f, "%s\n",
		ti->nr_unknown ? (ti->nr_unknown > 6 ? ", ...)" : ")") : "");
	fprintf(f,
		"  %-24s %9lu  skipped (reported on stderr with line numbers)\n",
		"malformed lines", ti->malformed);

	fprintf(f,
		"\nspeed: %lu events replayed in %.3f s (CPU %.3f s): %.0f events/s; "
		"with parsing %.3f s: %.0f events/s; host memory: ",
		r->events, r->replay_seconds, r->replay_cpu_seconds,
		r->replay_seconds > 0 ? (double)r->events / r->replay_seconds :
					0,
		total_s, total_s > 0 ? (double)r->events / total_s : 0);
	if (copy_kib)
		fprintf(f, "standard input's copy %ld KiB in tmpfs + ",
			copy_kib);
	fprintf(f, "peak RSS %ld KiB\n", peak_rss_kib());

	fprintf(f, "\nfidelity\n");
	fprintf(f,
		"  kmalloc: %lu of %lu with ksize == the trace's bytes_alloc (%.2f%%)\n",
		r->kmalloc_ok, r->kmalloc_total,
		pct(r->kmalloc_ok, r->kmalloc_total));
	fprintf(f,
		"  caches:  %lu of %lu with object size == the trace's bytes_alloc (%.2f%%)\n",
		r->cache_ok, r->cache_total, pct(r->cache_ok, r->cache_total));
	for (i = 0; i < r->nr_mismatch; i++)
		fprintf(f, "    line %lu: %s bytes_req=%u: trace %u, kmem %u\n",
			r->mismatch[i].line,
			r->mismatch[i].name ?
				kmem_trace_name(t, r->mismatch[i].name) :
				"kmalloc",
			r->mismatch[i].req, r->mismatch[i].trace_alloc,
			r->mismatch[i].kmem_alloc);

	fprintf(f,
		"\npairing (expected in a window into a running kernel; counted)\n");
	fprintf(f, "  kfree(NULL)                                       %9lu\n",
		r->kfree_null);
	fprintf(f, "  frees of objects allocated before the trace       %9lu\n",
		r->free_unknown);
	fprintf(f,
		"  allocations of a pointer still live (its free was\n"
		"    not traced, or comes later from another CPU)    %9lu\n",
		r->alloc_live_ptr);
	fprintf(f, "  kmem_cache_free naming another cache (merged)     %9lu\n",
		r->free_cache_mismatch);
	fprintf(f, "  allocations that failed in the traced kernel      %9lu\n",
		r->failed_in_trace);
	fprintf(f,
		"  pages: %lu allocations and %lu frees replayed; %lu frees of pages\n"
		"    allocated before the trace; %lu batched frees already freed by\n"
		"    mm_page_free\n",
		r->page_alloc_replayed, r->page_free_replayed,
		r->page_free_unknown, r->page_free_batched_dup);
	fprintf(f,
		"  not replayed, so not counted twice: %lu slab page allocations and\n"
		"    %lu large-kmalloc page allocations of the traced kernel (%lu of their\n"
		"    frees); kmem's slab layer and kmalloc allocate their own\n",
		r->page_alloc_slab, r->page_alloc_kmalloc, r->page_free_slab);
	if (r->page_alloc_live_pfn || r->page_alloc_not_slab)
		fprintf(f,
			"  pages: %lu allocations of a pfn still live (its free comes\n"
			"    later from another CPU: freed first); %lu with the slab\n"
			"    signature replayed (the task's next objects are not from\n"
			"    a slab of that order)\n",
			r->page_alloc_live_pfn, r->page_alloc_not_slab);
	if (r->vmap_supported)
		fprintf(f,
			"  vmalloc areas: %lu allocated, %lu freed, %lu frees of areas "
			"allocated before the trace;\n    %lu vmap_area objects not "
			"replayed (kmem's alloc_vmap_area makes its own)\n",
			r->vmap_alloc_replayed, r->vmap_free_replayed,
			r->vmap_free_unknown, r->vmap_objects_skipped);

	fprintf(f, "\nmemory\n");
	fprintf(f,
		"  slab pages: peak %lu (%.1f MiB), at the end %lu (%.1f MiB)\n",
		r->peak_slab_pages, (double)r->peak_slab_pages / 256.0,
		r->final_slab_pages, (double)r->final_slab_pages / 256.0);
	fprintf(f,
		"  pages held for mm_page_alloc events: peak %lu, at the end %lu\n",
		r->peak_replayed_pages, r->final_replayed_pages);
	fprintf(f,
		"  pages in use (managed - free): peak %lu, at the end %lu\n",
		r->peak_used_pages, r->final_used_pages);
	fprintf(f,
		"  live objects at the end: %lu (peak %lu): %llu bytes requested, "
		"%llu allocated by the kernel, %llu by kmem\n",
		r->live_objects, r->peak_live_objects,
		(unsigned long long)r->live_req_bytes,
		(unsigned long long)r->live_trace_bytes,
		(unsigned long long)r->live_kmem_bytes);
	fprintf(f,
		"  internal fragmentation (bytes_alloc - bytes_req): all allocations "
		"%llu of %llu bytes (%.1f%%); live at the end %llu (%.1f%%)\n",
		(unsigned long long)(r->all_kmem_bytes - r->all_req_bytes),
		(unsigned long long)r->all_kmem_bytes,
		r->all_kmem_bytes ?
			100.0 * (double)(r->all_kmem_bytes - r->all_req_bytes) /
				(double)r->all_kmem_bytes :
			0.0,
		(unsigned long long)(r->live_kmem_bytes - r->live_req_bytes),
		r->live_kmem_bytes ? 100.0 *
					     (double)(r->live_kmem_bytes -
						      r->live_req_bytes) /
					     (double)r->live_kmem_bytes :
				     0.0);

	if (r->nr_caches)
		qsort(r->caches, r->nr_caches, sizeof(*r->caches),
		      cmp_cache_pages);
	fprintf(f, "\ncaches: %lu named in the trace%s\n", r->nr_caches,
		max_caches && r->nr_caches > max_caches ?
			" (largest first; --caches 0 lists all)" :
			"");
	fprintf(f, "  %-24s %7s %7s %8s %6s %5s %7s %9s %6s%s\n", "name",
		"trace", "kmem", "allocs", "objs/s", "pg/s", "slabs", "active",
		"util", o->slabinfo ? "  slabinfo objs/s pg/s" : "");
	for (i = 0; i < r->nr_caches; i++) {
		const struct kmem_replay_cache *c = &r->caches[i];

		if (c->si) {
			nb++;
			agree += geometry_agrees(c);
		}
		if (max_caches && i >= max_caches)
			continue;
		fprintf(f, "  %-24.24s %7u %7u %8lu %6u %5u %7lu %9lu %5.1f%%",
			kmem_trace_name(t, c->name), c->trace_size,
			c->kmem_size, c->allocs, c->objperslab, c->pagesperslab,
			c->slabs, c->active_objs, util(c));
		if (o->slabinfo && c->si)
			fprintf(f, "  %6u %4u %s", c->si->objperslab,
				c->si->pagesperslab,
				geometry_agrees(c) ? "agree" : "DIFFER");
		else if (o->slabinfo)
			fprintf(f, "  (not in slabinfo)");
		fputc('\n', f);
	}
	if (o->slabinfo)
		fprintf(f,
			"  geometry (objects per slab, pages per slab) agrees with slabinfo "
			"for %lu of %lu caches\n",
			agree, nb);

	fprintf(f,
		"\nkmalloc caches with slabs at the end (kmem's; shared with kmem's own users)\n");
	for (i = 0; i < r->nr_kcaches; i++)
		fprintf(f, "  %-24s %7u %7s %8s %6u %5u %7lu %9lu %5.1f%%\n",
			r->kcache[i].name, r->kcache[i].size, "", "",
			r->kcache[i].objperslab, r->kcache[i].pagesperslab,
			r->kcache[i].slabs, r->kcache[i].active_objs,
			kutil(r, i));

	fprintf(f,
		"\npage allocator at the end (free blocks per order, as buddyinfo)\n");
	for (i = 0; i < r->nr_zones; i++) {
		fprintf(f, "  Node 0, zone %8s", r->zone[i].name);
		for (k = 0; k < 11; k++)
			fprintf(f, " %6lu", r->zone[i].free[k]);
		fputc('\n', f);
	}
	if (r->highest_free_order >= 10)
		fprintf(f, "  every order up to 10 can still be served\n");
	else
		fprintf(f,
			"  orders %d and above would fail: no free block that large in any zone\n",
			r->highest_free_order + 1);

	fprintf(f, "\nfailures: %lu\n", r->failures);
	for (i = 0; i < r->failures && i < KMEM_REPLAY_MAX_FAILURES_KEPT; i++)
		fprintf(f, "  line %lu: %s\n", r->failure[i].line,
			r->failure[i].why);

	if (ncmp)
		compare_print_text(f, cmp, ncmp);
	slab_compare_print_text(f);
}

static void print_json(FILE *f, const struct kmem_trace *t,
		       struct kmem_replay_result *r,
		       const struct kmem_replay_opts *o,
		       const struct compare_result *cmp, int ncmp,
		       long copy_kib)
{
	const struct kmem_trace_info *ti = kmem_trace_info(t);
	double total_s = ti->parse_seconds + r->replay_seconds;
	unsigned long i, nb = 0, agree = 0;
	int k;

	fprintf(f, "{\n  \"trace\": ");
	json_str(f, ti->path);
	fprintf(f,
		",\n  \"format\": \"%s\",\n  \"compression\": \"%s\",\n"
		"  \"lines\": %lu,\n  \"truncated\": %s,\n",
		kmem_trace_format_names[ti->format], ti->compression, ti->lines,
		ti->truncated ? "true" : "false");
	fprintf(f,
		"  \"machine\": {\"layout\": \"%s\", \"ram\": %llu, \"cpus\": %d, "
		"\"ram_from_trace\": %s, \"ram_capped\": %s, \"ram_wanted\": %llu, "
		"\"ram_auto_max\": %llu, \"need_bytes\": %llu},\n",
		r->layout, r->ram, r->cpus,
		r->ram_from_trace ? "true" : "false",
		r->ram_capped ? "true" : "false", r->ram_wanted,
		KMEM_REPLAY_RAM_AUTO_MAX, (unsigned long long)r->need_bytes);
	fprintf(f, "  \"events\": {");
	for (k = 0; k < KMEM_TRACE_NR_TYPES; k++)
		fprintf(f, "\"%s\": %lu, ", kmem_trace_type_names[k],
			ti->count[k]);
	fprintf(f, "\"total\": %zu, \"unknown\": %lu, \"malformed\": %lu},\n",
		ti->events, ti->unknown_total, ti->malformed);
	fprintf(f, "  \"unknown_events\": {");
	for (i = 0; i < ti->nr_unknown; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, ti->unknown[i].name);
		fprintf(f, ": %lu", ti->unknown[i].count);
	}
	fprintf(f, "},\n  \"malformed_lines\": [");
	for (i = 0; i < ti->malformed && i < KMEM_TRACE_MAX_MALFORMED_KEPT;
	     i++) {
		fprintf(f, "%s{\"line\": %lu, \"why\": ", i ? ", " : "",
			ti->malformed_kept[i].line);
		json_str(f, ti->malformed_kept[i].why);
		fputc('}', f);
	}
	fprintf(f, "],\n");
	fprintf(f,
		"  \"speed\": {\"events\": %lu, \"parse_seconds\": %.6f, "
		"\"replay_seconds\": %.6f, \"replay_cpu_seconds\": %.6f, "
		"\"events_per_second\": %.0f, "
		"\"events_per_second_with_parsing\": %.0f, \"peak_rss_kib\": %ld, "
		"\"stdin_copy_tmpfs_kib\": %ld},\n",
		r->events, ti->parse_seconds, r->replay_seconds,
		r->replay_cpu_seconds,
		r->replay_seconds > 0 ? (double)r->events / r->replay_seconds :
					0,
		total_s > 0 ? (double)r->events / total_s : 0, peak_rss_kib(),
		copy_kib);
	fprintf(f,
		"  \"fidelity\": {\"kmalloc\": %.6f, \"cache\": %.6f, "
		"\"kmalloc_ok\": %lu, \"kmalloc_total\": %lu, \"cache_ok\": %lu, "
		"\"cache_total\": %lu},\n",
		frac(r->kmalloc_ok, r->kmalloc_total),
		frac(r->cache_ok, r->cache_total), r->kmalloc_ok,
		r->kmalloc_total, r->cache_ok, r->cache_total);
	fprintf(f,
		"  \"pairing\": {\"kfree_null\": %lu, \"free_before_trace\": %lu, "
		"\"alloc_of_live_pointer\": %lu, \"free_cache_mismatch\": %lu, "
		"\"failed_in_trace\": %lu, \"page_alloc_replayed\": %lu, "
		"\"page_free_replayed\": %lu, \"page_free_before_trace\": %lu, "
		"\"page_free_batched_duplicate\": %lu, \"page_free_order_mismatch\": %lu, "
		"\"slab_page_alloc_skipped\": %lu, \"kmalloc_page_alloc_skipped\": %lu, "
		"\"slab_page_free_skipped\": %lu, \"page_alloc_of_live_pfn\": %lu, "
		"\"slab_signature_replayed\": %lu, \"vmap_supported\": %s, "
		"\"vmap_alloc_replayed\": %lu, \"vmap_free_replayed\": %lu, "
		"\"vmap_free_before_trace\": %lu, \"vmap_area_objects_skipped\": %lu},\n",
		r->kfree_null, r->free_unknown, r->alloc_live_ptr,
		r->free_cache_mismatch, r->failed_in_trace,
		r->page_alloc_replayed, r->page_free_replayed,
		r->page_free_unknown, r->page_free_batched_dup,
		r->page_free_order_mismatch, r->page_alloc_slab,
		r->page_alloc_kmalloc, r->page_free_slab,
		r->page_alloc_live_pfn, r->page_alloc_not_slab,
		r->vmap_supported ? "true" : "false", r->vmap_alloc_replayed,
		r->vmap_free_replayed, r->vmap_free_unknown,
		r->vmap_objects_skipped);
	fprintf(f,
		"  \"memory\": {\"peak_slab_pages\": %lu, \"final_slab_pages\": %lu, "
		"\"peak_used_pages\": %lu, \"final_used_pages\": %lu, "
		"\"peak_page_alloc_pages\": %lu, \"final_page_alloc_pages\": %lu, "
		"\"live_objects\": %lu, \"peak_live_objects\": %lu, "
		"\"live_bytes_req\": %llu, \"live_bytes_alloc_trace\": %llu, "
		"\"live_bytes_alloc_kmem\": %llu, \"all_bytes_req\": %llu, "
		"\"all_bytes_alloc_trace\": %llu, \"all_bytes_alloc_kmem\": %llu, "
		"\"internal_fragmentation_bytes\": %llu, "
		"\"live_internal_fragmentation_bytes\": %llu},\n",
		r->peak_slab_pages, r->final_slab_pages, r->peak_used_pages,
		r->final_used_pages, r->peak_replayed_pages,
		r->final_replayed_pages, r->live_objects, r->peak_live_objects,
		(unsigned long long)r->live_req_bytes,
		(unsigned long long)r->live_trace_bytes,
		(unsigned long long)r->live_kmem_bytes,
		(unsigned long long)r->all_req_bytes,
		(unsigned long long)r->all_trace_bytes,
		(unsigned long long)r->all_kmem_bytes,
		(unsigned long long)(r->all_kmem_bytes - r->all_req_bytes),
		(unsigned long long)(r->live_kmem_bytes - r->live_req_bytes));
	if (r->nr_caches)
		qsort(r->caches, r->nr_caches, sizeof(*r->caches),
		      cmp_cache_pages);
	fprintf(f, "  \"caches\": [");
	for (i = 0; i < r->nr_caches; i++) {
		const struct kmem_replay_cache *c = &r->caches[i];

		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, kmem_trace_name(t, c->name));
		fprintf(f,
			", \"trace_size\": %u, \"kmem_size\": %u, \"allocs\": %lu, "
			"\"frees\": %lu, \"live\": %lu, \"objperslab\": %u, "
			"\"pagesperslab\": %u, \"slabs\": %lu, \"active_objs\": %lu, "
			"\"num_objs\": %lu, \"utilisation\": %.4f",
			c->trace_size, c->kmem_size, c->allocs, c->frees,
			c->live, c->objperslab, c->pagesperslab, c->slabs,
			c->active_objs, c->total_objs, util(c) / 100.0);
		if (c->si) {
			nb++;
			agree += geometry_agrees(c);
			fprintf(f,
				", \"slabinfo\": {\"objsize\": %u, \"objperslab\": %u, "
				"\"pagesperslab\": %u, \"agrees\": %s}",
				c->si->objsize, c->si->objperslab,
				c->si->pagesperslab,
				geometry_agrees(c) ? "true" : "false");
		}
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"kmalloc_caches\": [");
	for (i = 0; i < r->nr_kcaches; i++)
		fprintf(f,
			"%s\n    {\"name\": \"%s\", \"size\": %u, \"objperslab\": %u, "
			"\"pagesperslab\": %u, \"slabs\": %lu, \"active_objs\": %lu, "
			"\"num_objs\": %lu, \"utilisation\": %.4f}",
			i ? "," : "", r->kcache[i].name, r->kcache[i].size,
			r->kcache[i].objperslab, r->kcache[i].pagesperslab,
			r->kcache[i].slabs, r->kcache[i].active_objs,
			r->kcache[i].total_objs, kutil(r, i) / 100.0);
	fprintf(f, "\n  ],\n");
	if (o->slabinfo)
		fprintf(f,
			"  \"geometry\": {\"caches_in_slabinfo\": %lu, \"agree\": %lu},\n",
			nb, agree);
	fprintf(f, "  \"buddyinfo\": [");
	for (i = 0; i < r->nr_zones; i++) {
		fprintf(f,
			"%s{\"zone\": \"%s\", \"free_pages\": %lu, \"free\": [",
			i ? ", " : "", r->zone[i].name, r->zone[i].free_pages);
		for (k = 0; k < 11; k++)
			fprintf(f, "%s%lu", k ? ", " : "", r->zone[i].free[k]);
		fprintf(f, "], \"highest_order\": %d}",
			r->zone[i].highest_order);
	}
	fprintf(f, "],\n  \"failing_orders_from\": %d,\n",
		r->highest_free_order >= 10 ? -1 : r->highest_free_order + 1);
	fprintf(f, "  \"failures\": {\"count\": %lu, \"first\": [",
		r->failures);
	for (i = 0; i < r->failures && i < KMEM_REPLAY_MAX_FAILURES_KEPT; i++) {
		fprintf(f, "%s{\"line\": %lu, \"why\": ", i ? ", " : "",
			r->failure[i].line);
		json_str(f, r->failure[i].why);
		fputc('}', f);
	}
	fprintf(f, "]}");
	if (ncmp) {
		fprintf(f, ",\n  \"compare\": ");
		compare_print_json(f, cmp, ncmp);
	}
	if (slab_compare_ran()) {
		fprintf(f, ",\n  \"slab_compare\": ");
		slab_compare_print_json(f);
	}
	fprintf(f, "\n}\n");
}

static void close_map(FILE *f)
{
	if (f && f != stdout)
		fclose(f);
}

/* A whole decimal number in [lo, hi]: 0, else -1. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/*
 * Standard input that is not a file (a pipe) is copied, as it is read, to
 * an unlinked temporary file in $TMPDIR (or /tmp; a memfd where no directory
 * takes one: replay_tmpfile()), which a second pass reads: the replay
 * streams it as it does a file. The copy is host memory where that directory
 * is a tmpfs (shmem, outside the process's RSS). Returns the file (> 0), or
 * 0: no copy (a file on standard input is read again itself).
 */
static int stdin_spool(void)
{
	struct stat st;
	int fd;

	if (!fstat(STDIN_FILENO, &st) && S_ISREG(st.st_mode))
		return 0;
	fd = replay_tmpfile("kmem-replay", false);
	if (fd > 0)
		return fd;
	if (!fd) /* stdin was closed: 0 means none here */
		close(fd);
	return 0;
}

/* --compare and --slab parse the trace again: a file on standard input from
 * where it started (a pipe: its copy, po->spool_fd, which they read
 * themselves). 0, or -1 (reported). */
static int input_again(const char *path, const struct kmem_trace_parse_opts *po,
		       off_t start, const char *what)
{
	if (strcmp(path, "-") || po->spool_fd > 0)
		return 0;
	if (lseek(STDIN_FILENO, start, SEEK_SET) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr,
		"kmem replay: -: cannot read standard input again for %s: %s\n",
		what, strerror(errno));
	return -1;
}

/*
 * kmem_trace_replay_file() in a child process; if it needs a second pass on
 * another machine than the one it booted, the child says so through a pipe
 * and this process (which has booted nothing) runs that pass. Otherwise the
 * child goes on as the command, and this process exits with its status.
 */
static int replay_streaming(struct kmem_trace *t, const char *path,
			    const struct kmem_trace_parse_opts *po,
			    const struct kmem_replay_opts *o,
			    struct kmem_replay_result *r)
{
	struct kmem_replay_again again = { 0 };
	int fds[2], status, ret;
	pid_t pid;

	if (pipe(fds))
		return kmem_trace_replay_file(t, path, po, o, r, NULL);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return kmem_trace_replay_file(t, path, po, o, r, NULL);
	}
	if (!pid) {
		close(fds[0]);
		ret = kmem_trace_replay_file(t, path, po, o, r, &again);
		if (ret == 2) {
			if (write(fds[1], &again, sizeof(again)) !=
			    (ssize_t)sizeof(again))
				_exit(1);
			_exit(0);
		}
		close(fds[1]);
		return ret;
	}
	close(fds[1]);
	/* A second pass of a piped standard input reads the child's copy
	 * (po->spool_fd, shared with the child). */
	ret = (int)read(fds[0], &again, sizeof(again));
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret != (int)sizeof(again)) { /* the child was the command */
		if (WIFSIGNALED(status))
			raise(WTERMSIG(status));
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	return kmem_trace_replay_file(t, path, po, o, r, &again);
}

static int cmd_replay(int argc, char **argv)
{
	struct kmem_replay_opts o = { 0 };
	struct kmem_trace_parse_opts po = { .diag = stderr,
					    .max_diag = 10,
					    .progress = true };
	struct kmem_trace *t = NULL;
	struct kmem_replay_result r;
	struct kmem_slabinfo si;
	struct compare_result cmp[COMPARE_MAX];
	const char *path = NULL, *slabinfo_path = NULL, *compare = NULL,
		   *map = NULL;
	const char *slabs = NULL;
	bool json = false;
	unsigned int max_caches = 15;
	int i, ncmp = 0, ret = 0;
	unsigned long n;
	off_t stdin_start = 0;
	FILE *mapf = NULL;
	char err[256];

	if (argc > 1 && !strcmp(argv[1], "--peer-child"))
		return compare_child_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--slab-child"))
		return slab_compare_child_main(argc, argv);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--no-progress")) {
			po.progress = false;
		} else if (!strcmp(a, "--slabinfo") && v) {
			slabinfo_path = v;
			i++;
		} else if (!strcmp(a, "--ram") && v) {
			o.ram = kmem_parse_size(v);
			if (!o.ram) {
				fprintf(stderr, "kmem replay: bad --ram '%s'\n",
					v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--layout") && v) {
			if (!strcmp(v, "x86-64"))
				o.layout = KMEM_LAYOUT_X86_64;
			else if (!strcmp(v, "x86-32"))
				o.layout = KMEM_LAYOUT_X86_32;
			else {
				fprintf(stderr,
					"kmem replay: --layout is x86-64 or x86-32\n");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--cpus") && v) {
			if (parse_uint(v, 1, KMEM_MAX_CPUS, &n)) {
				fprintf(stderr,
					"kmem replay: bad --cpus '%s': 1 to %d\n",
					v, KMEM_MAX_CPUS);
				return 2;
			}
			o.cpus = (int)n;
			i++;
		} else if (!strcmp(a, "--caches") && v) {
			if (parse_uint(v, 0, 1000000, &n)) {
				fprintf(stderr,
					"kmem replay: bad --caches '%s': a number "
					"of caches (0: all)\n",
					v);
				return 2;
			}
			max_caches = (unsigned int)n;
			i++;
		} else if (!strcmp(a, "--map") && v) {
			map = v;
			i++;
		} else if (!strcmp(a, "--compare") && v) {
			compare = v;
			i++;
		} else if (!strcmp(a, "--slab") && v) {
			slabs = v;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr,
				"kmem replay: unknown or incomplete option '%s'\n\n",
				a);
			usage(stderr);
			return 2;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr,
				"kmem replay: one trace at a time ('%s')\n", a);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	o.progress = po.progress;
	/* The output first: a --map path that cannot be written fails now, not
	 * after the replay. */
	if (map && !(mapf = kmem_map_open(map)))
		return 1;
	if (slabinfo_path) {
		if (kmem_slabinfo_load(&si, slabinfo_path, err, sizeof(err))) {
			fprintf(stderr, "kmem replay: %s\n", err);
			close_map(mapf);
			return 1;
		}
		o.slabinfo = &si;
	}
	memset(&r, 0, sizeof(r));
	t = kmem_trace_new();
	if (!t) {
		fprintf(stderr, "kmem replay: out of memory\n");
		ret = 1;
		goto out;
	}
	if (!strcmp(path, "-")) {
		po.spool_fd = stdin_spool();
		stdin_start = lseek(STDIN_FILENO, 0, SEEK_CUR);
	}
	if ((ret = replay_streaming(t, path, &po, &o, &r))) {
		/* Replayed while parsed: the events are never all in memory.
		 * --compare and --slab parse the trace again for their op list
		 * (standard input: its copy). */
		fprintf(stderr, "kmem replay: %s\n",
			r.failures ? r.failure[0].why :
				     kmem_trace_info(t)->error);
		ret = 1;
		goto out;
	}
	if (map) {
		char title[320];

		snprintf(title, sizeof(title), "kmem map: after replaying %s",
			 path);
		if (kmem_map_finish(mapf, map, title))
			ret = 1;
		mapf = NULL;
	}
	if (compare) {
		if (input_again(path, &po, stdin_start, "--compare")) {
			ret = 1;
			goto out;
		}
		ncmp = replay_compare(t, &o, &r, po.spool_fd, compare, cmp,
				      COMPARE_MAX);
		if (ncmp < 0) {
			ret = 2;
			goto out;
		}
	}
	if (slabs && input_again(path, &po, stdin_start, "--slab")) {
		ret = 1;
		goto out;
	}
	if (slabs && slab_compare(t, &r, po.spool_fd, slabs) < 0) {
		ret = 2;
		goto out;
	}
	if (json)
		print_json(stdout, t, &r, &o, cmp, ncmp,
			   stdin_copy_shmem_kib(po.spool_fd));
	else
		print_text(stdout, t, &r, &o, max_caches, cmp, ncmp,
			   stdin_copy_shmem_kib(po.spool_fd));
	if (r.failures)
		ret = 1;
out:
	close_map(mapf);
	kmem_replay_result_free(&r);
#ifdef KMEM_SANITIZE
	/* LeakSanitizer: host memory the machine points to from its RAM. */
	if (kmem_is_booted())
		kmem_halt();
#endif
	/* Otherwise the command exits with the machine running: halting it
	 * first (its teardown, then unmapping its RAM) is work the exit does
	 * anyway, and it would come after the report, on the critical path. */
	kmem_trace_free(t);
	if (slabinfo_path)
		kmem_slabinfo_free(&si);
	return ret;
}
KMEM_COMMAND(replay, "replay TRACE [options]",
	     "replay a kernel allocation trace through kmem", cmd_replay)
