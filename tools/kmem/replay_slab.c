// SPDX-License-Identifier: MIT
/*
 * kmem replay --slab slub,slab,slob: the trace's object events (the op list
 * of --compare, tools/kmem/replay_compare.c) on each slab allocator, each in
 * a fresh child process booted with KMEM_SLAB=<name>, side by side.
 *
 * Each allocator runs the list three times for the time (the median of the
 * replaying thread's CPU time, so that a loaded machine's waits for a CPU
 * do not swamp the allocators' differences; nothing is measured inside the
 * timed loop but NULL returns) and once measured:
 * after every allocation and free the child keeps, for the live objects,
 * the requested bytes (bytes_req) and the bytes the allocator set aside for
 * them (its "block": the cache's object size for kmem_cache objects; for
 * kmalloc ksize(), plus SLOB's size header in front of a heap block), and
 * every 256 operations samples the slab pages (NR_SLAB_RECLAIMABLE +
 * NR_SLAB_UNRECLAIMABLE, large kmalloc blocks included). At the highest
 * sample (the peak) and at the end of the list it records:
 *   internal fragmentation  block bytes - requested bytes
 *   cached                  free objects held by per-CPU and shared caches
 *                           (SLUB's sheaves and barns; SLAB's array caches;
 *                           SLOB has none), in bytes
 *   external fragmentation  slab bytes - block bytes - cached bytes (free
 *                           space in slabs, empty slabs kept, slab tails)
 *   objects per page        live objects below a page / slab pages that are
 *                           not large kmalloc blocks
 * The measured run also compares every allocation's block with the trace's
 * bytes_alloc: how many differ and by how many bytes (the trace comes from
 * some kernel's allocator; the table says how far each allocator is from
 * it). For SLAB the kmalloc part of that is also computed here from SLAB's
 * classes (kmalloc_sizes.h) even if SLAB is not built.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <kmem/kmem.h>
#include <kmem/introspect.h>
#include "tools/kmem/replay.h"
#include "tools/kmem/replay_ops.h"
#include "tools/kmem/replay_slab.h"

#define SLAB_RUNS 3

static const char *const slab_names[SLABCMP_MAX] = { "slub", "slab", "slob" };

/* What one sample says. */
struct slab_sample {
	uint64_t slab_bytes;	/* slab pages above the baseline, in bytes */
	uint64_t large_bytes;	/* of which large kmalloc blocks */
	uint64_t block_bytes;	/* set aside for the live objects */
	uint64_t req_bytes;	/* requested by them */
	uint64_t cached_bytes;	/* free objects in per-CPU and shared caches */
	uint64_t objects;	/* live objects */
	uint64_t small_objects; /* of which below a page */
};

struct slab_child_out {
	int ok;
	char why[128];
	double seconds;
	uint64_t allocs, failures;
	struct slab_sample peak, end;
	uint64_t fid_total, fid_differ;
	int64_t fid_bytes; /* sum of (block - bytes_alloc) */
	uint64_t fid_abs;  /* sum of |block - bytes_alloc| */
};

static struct slab_compare {
	int n;
	uint64_t ops, peak_req;
	struct slab_result {
		const char *name;
		bool ran;
		char why[160];
		double seconds;
		struct slab_child_out m;
	} res[SLABCMP_MAX];
	/* SLAB's kmalloc classes against the trace, computed here */
	uint64_t slab_cls_total, slab_cls_differ, slab_cls_abs;
	int64_t slab_cls_bytes;
} sc;

/* The allocator the running machine uses ("slub", "slab", "slob"). */
static const char *running_slab(void)
{
	static char name[8];
	struct kmem_machine_info mi;
	unsigned int i;

	kmem_machine_info(&mi);
	for (i = 0; i + 1 < sizeof(name) && mi.slab_name && mi.slab_name[i];
	     i++)
		name[i] = (char)(mi.slab_name[i] | 0x20);
	name[i] = 0;
	return name;
}

/* The replaying thread's CPU time (the timed runs' clock). */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned long slab_pages_now(void)
{
	return global_node_page_state(NR_SLAB_RECLAIMABLE) +
	       global_node_page_state(NR_SLAB_UNRECLAIMABLE);
}

/* Under slab_mutex (kmem_for_each_cache): the free objects cached above
 * the slabs of s, in bytes: SLUB's in this thread's sheaves and in its
 * node's barn's full sheaves; SLAB's in every CPU's array_cache and the
 * shared array (thread_cached; SLAB has no barn). */
static int add_cached(struct kmem_cache *s, void *arg)
{
	struct kmem_cache_info c;

	kmem_cache_get_info(s, &c);
	*(uint64_t *)arg += ((uint64_t)c.thread_cached +
			     (uint64_t)c.barn_full * c.sheaf_capacity) *
			    c.size;
	return 0;
}

/* Free objects the per-CPU and shared caches hold, in bytes. */
static uint64_t cached_bytes(const char *name)
{
	uint64_t bytes = 0;

	if (!strcmp(name, "slob"))
		return 0; /* SLOB has no caches of free objects */
	kmem_for_each_cache(add_cached, &bytes);
	return bytes;
}

/* The bytes an allocator set aside for the object p: a slot of s, else
 * what kmem_object_info() says (SLOB's size header included). */
static uint64_t block_of(struct kmem_cache *s, void *p)
{
	static struct kmem_cache *last; /* the child is one thread */
	static unsigned int last_size;
	struct kmem_object_info oi;
	struct kmem_cache_info c;

	if (s) {
		if (s != last) { /* get_info counts the slabs: once a cache */
			kmem_cache_get_info(s, &c);
			last = s;
			last_size = c.size;
		}
		return last_size;
	}
	return kmem_object_info(p, &oi) ? ksize(p) : oi.footprint;
}

/*
 * The child: "kmem replay --slab-child NAME MEMFD PIPEFD", NAME being
 * "slub:time" or "slub:measure" (and the same for slab, slob), booted with
 * KMEM_SLAB=NAME from its environment.
 */
int slab_compare_child_main(int argc, char **argv)
{
	struct slab_child_out out = { 0 };
	struct replay_child_ops m;
	const struct shared_hdr *h;
	struct kmem_cache **caches = NULL;
	uint32_t *block = NULL, *req = NULL;
	void **slots = NULL;
	char name[16];
	const char *colon;
	bool measure;
	uint64_t t0;
	unsigned long slab0 = 0, large_pages = 0, peak_pages = 0;
	struct slab_sample cur = { 0 };
	size_t i;
	int pfd;

	if (argc < 5)
		return 2;
	colon = strchr(argv[2], ':');
	if (!colon || (size_t)(colon - argv[2]) >= sizeof(name))
		return 2;
	memcpy(name, argv[2], (size_t)(colon - argv[2]));
	name[colon - argv[2]] = 0;
	measure = !strcmp(colon + 1, "measure");
	pfd = atoi(argv[4]);
	if (replay_child_map(argv[3], &m))
		return 2;
	h = m.h;
	slots = replay_child_table((h->nslots + 1) *
				   (sizeof(void *) + 2 * sizeof(uint32_t)));
	if (!slots) {
		snprintf(out.why, sizeof(out.why), "out of memory");
		goto done;
	}
	block = (uint32_t *)(slots + h->nslots + 1);
	req = block + h->nslots + 1;
	caches = replay_child_boot(&m, true, out.why, sizeof(out.why));
	if (!caches)
		goto done;
	if (strcmp(running_slab(), name)) {
		snprintf(out.why, sizeof(out.why),
			 "not built in this kmem (KMEM_SLAB=%s boots %s)", name,
			 running_slab());
		goto done;
	}
	kmem_free_pages_drained();
	slab0 = slab_pages_now();
	t0 = cpu_now_ns();
	if (!measure) {
		for (i = 0; i < h->nops; i++) {
			const struct op *o = replay_child_op(&m, i);

			if (o->slot & OP_FREE) {
				kfree(slots[o->slot & ~OP_FREE]);
			} else {
				gfp_t g = ((gfp_t)o->gfp & ~__GFP_NOFAIL) |
					  __GFP_NOWARN;
				void *p = o->cache >= 0 ?
						  kmem_cache_alloc(
							  caches[o->cache], g) :
						  kmalloc(o->size, g);

				slots[o->slot] = p;
				out.failures += !p &&
						(o->cache >= 0 || o->size);
			}
		}
		out.seconds = (double)(cpu_now_ns() - t0) / 1e9;
		out.ok = 1;
		goto done;
	}
	for (i = 0; i < h->nops; i++) {
		const struct op *o = replay_child_op(&m, i);
		uint32_t sl = o->slot & ~OP_FREE;

		if (o->slot & OP_FREE) {
			void *p = slots[sl];

			if (p && !ZERO_OR_NULL_PTR(p)) {
				cur.block_bytes -= block[sl];
				cur.objects--;
				if (block[sl] < PAGE_SIZE)
					cur.small_objects--;
				else
					large_pages -= block[sl] >> PAGE_SHIFT;
			}
			if (p)
				cur.req_bytes -= req[sl];
			kfree(p);
			slots[sl] = NULL;
		} else {
			gfp_t g = ((gfp_t)o->gfp & ~__GFP_NOFAIL) |
				  __GFP_NOWARN;
			struct kmem_cache *s =
				o->cache >= 0 ? caches[o->cache] : NULL;
			void *p = s ? kmem_cache_alloc(s, g) :
				      kmalloc(o->size, g);
			uint64_t b;

			slots[sl] = p;
			out.allocs++;
			if (!p) {
				out.failures += s || o->size;
				continue;
			}
			cur.req_bytes += o->size;
			req[sl] = o->size;
			if (ZERO_OR_NULL_PTR(p))
				continue;
			b = block_of(s, p);
			block[sl] = (uint32_t)b;
			cur.block_bytes += b;
			cur.objects++;
			if (b < PAGE_SIZE)
				cur.small_objects++;
			else /* b is the cache's size, or a large block */
				large_pages += b >> PAGE_SHIFT;
			out.fid_total++;
			if (b != o->alloc) {
				int64_t d = (int64_t)b - (int64_t)o->alloc;

				out.fid_differ++;
				out.fid_bytes += d;
				out.fid_abs += (uint64_t)(d < 0 ? -d : d);
			}
		}
		if ((i & 255) == 0 || i + 1 == h->nops) {
			unsigned long pages = slab_pages_now() - slab0;

			if (pages > peak_pages || !i) {
				peak_pages = pages;
				out.peak = cur;
				out.peak.slab_bytes = (uint64_t)pages
						      << PAGE_SHIFT;
				out.peak.large_bytes = (uint64_t)large_pages
						       << PAGE_SHIFT;
				out.peak.cached_bytes = cached_bytes(name);
			}
		}
	}
	out.seconds = (double)(cpu_now_ns() - t0) / 1e9;
	out.end = cur;
	out.end.slab_bytes = (uint64_t)(slab_pages_now() - slab0) << PAGE_SHIFT;
	out.end.large_bytes = (uint64_t)large_pages << PAGE_SHIFT;
	out.end.cached_bytes = cached_bytes(name);
	out.ok = 1;
done:
	if (write(pfd, &out, sizeof(out)) != (ssize_t)sizeof(out))
		_exit(1);
	_exit(0);
}

/* SLAB's kmalloc class for a request (kmalloc_sizes.h, 4 KiB pages, 64-byte
 * lines: 32, 64, 128, 192, 256, 512 ... 4 MiB), 0 above the largest. */
static uint64_t slab_kmalloc_class(uint32_t size)
{
	uint64_t c;

	if (size <= 32)
		return 32;
	if (size <= 64)
		return 64;
	if (size <= 128)
		return 128;
	if (size <= 192)
		return 192;
	for (c = 256; c <= (4u << 20); c <<= 1)
		if (size <= c)
			return c;
	return 0;
}

/* Every event of the trace, as the op list is built. */
static void slab_class_fidelity(void *arg, const struct kmem_trace_event *e)
{
	uint64_t c;
	int64_t d;

	(void)arg;
	if (e->type != KMEM_TRACE_KMALLOC || !e->key || !e->req)
		return;
	c = slab_kmalloc_class(e->req);
	sc.slab_cls_total++;
	if (c == e->alloc)
		return;
	d = (int64_t)c - (int64_t)e->alloc;
	sc.slab_cls_differ++;
	sc.slab_cls_bytes += d;
	sc.slab_cls_abs += (uint64_t)(d < 0 ? -d : d);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int slab_compare(const struct kmem_trace *t, const struct kmem_replay_result *r,
		 int stdin_copy, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	size_t nops;
	int mfd, i, k;

	memset(&sc, 0, sizeof(sc));
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < SLABCMP_MAX; k++)
			if (!strcmp(tok, slab_names[k]))
				break;
		if (k == SLABCMP_MAX) {
			fprintf(stderr,
				"kmem replay: --slab: unknown slab allocator '%s' "
				"(slub, slab, slob)\n",
				tok);
			free(copy);
			return -1;
		}
		for (i = 0; i < sc.n; i++)
			if (sc.res[i].name == slab_names[k])
				break;
		if (i == sc.n && sc.n < SLABCMP_MAX)
			sc.res[sc.n++].name = slab_names[k];
	}
	free(copy);
	if (!sc.n) {
		fprintf(stderr,
			"kmem replay: --slab: no allocator named (slub, slab, slob)\n");
		return -1;
	}
	mfd = replay_ops_memfd(t, r, stdin_copy, "--slab", &nops, &sc.peak_req,
			       slab_class_fidelity, NULL);
	if (mfd < 0)
		return -1;
	sc.ops = nops;
	for (i = 0; i < sc.n; i++) {
		struct slab_result *res = &sc.res[i];
		char env[32], mode[32];
		double secs[SLAB_RUNS];
		struct slab_child_out out;
		int err, runs;

		snprintf(env, sizeof(env), "KMEM_SLAB=%s", res->name);
		for (k = 0; k < SLABCMP_MAX; k++)
			if (res->name == slab_names[k])
				break;
		if (!kmem_slab_allocator_built(
			    (enum kmem_slab)(KMEM_SLAB_SLUB + k))) {
			snprintf(
				res->why, sizeof(res->why),
				"not built in this kmem (%s is not in this build yet)",
				kmem_slab_allocator_name(
					(enum kmem_slab)(KMEM_SLAB_SLUB + k)));
			fprintf(stderr,
				"kmem replay: --slab: skipping %s: %s\n",
				res->name, res->why);
			continue;
		}
		snprintf(mode, sizeof(mode), "%s:measure", res->name);
		err = replay_spawn_child("--slab-child", mode, env, mfd,
					 &res->m, sizeof(res->m));
		if (err || !res->m.ok) {
			snprintf(res->why, sizeof(res->why), "%s",
				 err	       ? "the child failed" :
				 res->m.why[0] ? res->m.why :
						 "the child failed");
			fprintf(stderr,
				"kmem replay: --slab: skipping %s: %s\n",
				res->name, res->why);
			continue;
		}
		snprintf(mode, sizeof(mode), "%s:time", res->name);
		for (runs = 0; runs < SLAB_RUNS; runs++) {
			err = replay_spawn_child("--slab-child", mode, env, mfd,
						 &out, sizeof(out));
			if (err || !out.ok)
				break;
			secs[runs] = out.seconds;
		}
		if (runs < SLAB_RUNS) {
			snprintf(res->why, sizeof(res->why),
				 "the timed run failed");
			continue;
		}
		qsort(secs, SLAB_RUNS, sizeof(double), cmp_double);
		res->seconds = secs[SLAB_RUNS / 2];
		res->ran = true;
	}
	close(mfd);
	return sc.n;
}

static double kib(uint64_t b)
{
	return (double)b / 1024.0;
}

static uint64_t internal_frag(const struct slab_sample *s)
{
	return s->block_bytes > s->req_bytes ? s->block_bytes - s->req_bytes :
					       0;
}

static uint64_t external_frag(const struct slab_sample *s)
{
	uint64_t used = s->block_bytes + s->cached_bytes;

	return s->slab_bytes > used ? s->slab_bytes - used : 0;
}

static double per_page(const struct slab_sample *s)
{
	uint64_t pages = (s->slab_bytes - s->large_bytes) >> PAGE_SHIFT;

	return pages ? (double)s->small_objects / (double)pages : 0;
}

static double pct_of(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

void slab_compare_print_text(FILE *f)
{
	int i;

	if (!sc.n)
		return;
	fprintf(f,
		"\nslab allocators: the same %llu object operations on each "
		"(peak live requested: %.1f KiB)\n",
		(unsigned long long)sc.ops, kib(sc.peak_req));
	fprintf(f, "  %-34s", "");
	for (i = 0; i < sc.n; i++)
		fprintf(f, " %12s", sc.res[i].name);
	fputc('\n', f);
#define ROW(label, fmt, expr)                                     \
	do {                                                      \
		fprintf(f, "  %-34s", label);                     \
		for (i = 0; i < sc.n; i++) {                      \
			const struct slab_result *x = &sc.res[i]; \
			if (x->ran)                               \
				fprintf(f, " " fmt, expr);        \
			else                                      \
				fprintf(f, " %12s", "-");         \
		}                                                 \
		fputc('\n', f);                                   \
	} while (0)
	ROW("slab memory at peak (KiB)", "%12.1f", kib(x->m.peak.slab_bytes));
	ROW("slab memory at the end (KiB)", "%12.1f", kib(x->m.end.slab_bytes));
	ROW("internal fragmentation, peak (KiB)", "%12.1f",
	    kib(internal_frag(&x->m.peak)));
	ROW("  % of the objects' blocks", "%11.1f%%",
	    pct_of(internal_frag(&x->m.peak), x->m.peak.block_bytes));
	ROW("external fragmentation, peak (KiB)", "%12.1f",
	    kib(external_frag(&x->m.peak)));
	ROW("  % of slab memory", "%11.1f%%",
	    pct_of(external_frag(&x->m.peak), x->m.peak.slab_bytes));
	ROW("internal fragmentation, end (KiB)", "%12.1f",
	    kib(internal_frag(&x->m.end)));
	ROW("external fragmentation, end (KiB)", "%12.1f",
	    kib(external_frag(&x->m.end)));
	ROW("objects per slab page, peak", "%12.1f", per_page(&x->m.peak));
	ROW("per-CPU+shared caches, peak (pages)", "%12.1f",
	    (double)x->m.peak.cached_bytes / PAGE_SIZE);
	ROW("time per operation (ns CPU, median)", "%12.1f",
	    sc.ops ? x->seconds * 1e9 / (double)sc.ops : 0.0);
	ROW("failures", "%12llu", (unsigned long long)x->m.failures);
	ROW("blocks != trace bytes_alloc", "%12llu",
	    (unsigned long long)x->m.fid_differ);
	ROW("  difference, sum (KiB)", "%+12.1f",
	    (double)x->m.fid_bytes / 1024.0);
#undef ROW
	for (i = 0; i < sc.n; i++)
		if (!sc.res[i].ran)
			fprintf(f, "  %s: %s\n", sc.res[i].name, sc.res[i].why);
	fprintf(f,
		"  SLAB's kmalloc classes (kmalloc_sizes.h) against the trace: "
		"%llu of %llu kmalloc bytes_alloc differ, %+.1f KiB in all "
		"(%.1f KiB apart)\n",
		(unsigned long long)sc.slab_cls_differ,
		(unsigned long long)sc.slab_cls_total,
		(double)sc.slab_cls_bytes / 1024.0, kib(sc.slab_cls_abs));
}

static void json_sample(FILE *f, const char *key, const struct slab_sample *s)
{
	fprintf(f,
		"\"%s\": {\"slab_bytes\": %llu, \"large_kmalloc_bytes\": %llu, "
		"\"block_bytes\": %llu, \"requested_bytes\": %llu, "
		"\"cached_bytes\": %llu, \"objects\": %llu, "
		"\"internal_fragmentation_bytes\": %llu, "
		"\"external_fragmentation_bytes\": %llu, "
		"\"objects_per_page\": %.2f}",
		key, (unsigned long long)s->slab_bytes,
		(unsigned long long)s->large_bytes,
		(unsigned long long)s->block_bytes,
		(unsigned long long)s->req_bytes,
		(unsigned long long)s->cached_bytes,
		(unsigned long long)s->objects,
		(unsigned long long)internal_frag(s),
		(unsigned long long)external_frag(s), per_page(s));
}

bool slab_compare_ran(void)
{
	return sc.n > 0;
}

void slab_compare_print_json(FILE *f)
{
	int i;

	fprintf(f,
		"{\"ops\": %llu, \"runs\": %d, \"peak_live_requested_bytes\": %llu, "
		"\"slab_kmalloc_classes\": {\"kmalloc_events\": %llu, \"differ\": %llu, "
		"\"difference_bytes\": %lld, \"absolute_difference_bytes\": %llu}, "
		"\"allocators\": [",
		(unsigned long long)sc.ops, SLAB_RUNS,
		(unsigned long long)sc.peak_req,
		(unsigned long long)sc.slab_cls_total,
		(unsigned long long)sc.slab_cls_differ,
		(long long)sc.slab_cls_bytes,
		(unsigned long long)sc.slab_cls_abs);
	for (i = 0; i < sc.n; i++) {
		const struct slab_result *x = &sc.res[i];

		fprintf(f, "%s\n    {\"name\": \"%s\", \"ran\": %s",
			i ? "," : "", x->name, x->ran ? "true" : "false");
		if (!x->ran) {
			fprintf(f, ", \"why\": \"%s\"}", x->why);
			continue;
		}
		fprintf(f, ", \"ns_per_op\": %.2f, \"failures\": %llu, ",
			sc.ops ? x->seconds * 1e9 / (double)sc.ops : 0.0,
			(unsigned long long)x->m.failures);
		json_sample(f, "peak", &x->m.peak);
		fputs(", ", f);
		json_sample(f, "end", &x->m.end);
		fprintf(f,
			", \"fidelity\": {\"allocations\": %llu, \"differ\": %llu, "
			"\"difference_bytes\": %lld, \"absolute_difference_bytes\": %llu}}",
			(unsigned long long)x->m.fid_total,
			(unsigned long long)x->m.fid_differ,
			(long long)x->m.fid_bytes,
			(unsigned long long)x->m.fid_abs);
	}
	fprintf(f, "\n  ]}");
}
