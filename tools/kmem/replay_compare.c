// SPDX-License-Identifier: MIT
/*
 * kmem replay --compare: the trace's object events (kmalloc, kmem_cache_alloc,
 * kfree, kmem_cache_free) through kmem and through user-space allocators.
 *
 * The parent turns the events into one operation list first: allocations get
 * a slot, frees name the slot of the paired allocation (frees of objects from
 * before the trace and kfree(NULL) are dropped; an allocation of a still-live
 * pointer frees the old slot first). Every allocator then executes exactly the
 * same list, so pairing costs are not part of any timing:
 *   kmem      kmalloc(bytes_req) / kmem_cache_alloc(the named cache), kfree
 *   others    malloc(bytes_req) / free, resolved with dlsym in the library
 *             loaded with dlopen (glibc: the C library the command runs on)
 * Each allocator runs in a fresh child process (posix_spawn of this program,
 * the peer LD_PRELOADed), three times; the time is the median of the
 * replaying thread's CPU time (its page faults included, a loaded machine's
 * waits for a CPU not), and the memory is the growth of the resident set
 * during the run (peak RSS from /proc/self/status after resetting it with
 * clear_refs "5"). Every new object gets one byte written per 4 KiB (and its
 * last byte), as its user would; an allocation the trace asked zeroed
 * (kzalloc, __GFP_ZERO) is calloc() for the others, as kmem zeroes it. The
 * host page faults of the run are counted. kmem's child backs the RAM its
 * slabs will take before the clock starts (kmem_prefault_free_pages(), as the replay
 * does): a kernel's RAM is there, and a fault on the machine's RAM memfd is
 * the simulator's cost, not the allocator's; the prefaulted pages count in
 * its peak RSS. kmem also reports its own accounting: peak slab pages.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <kmem/kmem.h>
#include "tools/kmem/replay.h"
#include "tools/kmem/replay_ops.h"

static const struct {
	const char *name, *lib;
} peers[] = {
	{ "glibc", NULL },
	{ "jemalloc", "libjemalloc.so.2" },
	{ "mimalloc", "libmimalloc.so.2" },
	{ "tcmalloc", "libtcmalloc_minimal.so.4" },
};

/* Pairing map for building the op list: hashed ptr -> slot + 1. */
struct smap {
	uint64_t *key;
	uint32_t *val;
	size_t mask;
};

static size_t shash(uint64_t k)
{
	k ^= k >> 31;
	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k ^ (k >> 29));
}

static uint32_t *smap_slot(struct smap *m, uint64_t key, bool create)
{
	size_t i;

	for (i = shash(key) & m->mask; m->val[i]; i = (i + 1) & m->mask)
		if (m->key[i] == key)
			return &m->val[i];
	if (!create)
		return NULL;
	m->key[i] = key;
	return &m->val[i];
}

static void smap_del(struct smap *m, uint32_t *v)
{
	size_t i = (size_t)(v - m->val), j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & m->mask;
		if (!m->val[j])
			break;
		k = shash(m->key[j]) & m->mask;
		if ((i <= j) ? (k <= i || k > j) : (k <= i && k > j)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			i = j;
		}
	}
	m->val[i] = 0;
}

/*
 * The op list is built from a second, ordered parse of the trace
 * (kmem_trace_parse_ordered()), written out as it is built: its memory is the
 * live objects' (the pairing map, the slots), not the trace's.
 */
struct builder {
	const struct kmem_trace *t0; /* the replay's parse: r->caches' names */
	const struct kmem_replay_result *r;
	struct smap m;
	size_t used; /* entries in m */
	uint32_t *free_slots, *slot_size, nfree, next, cap_slots;
	int32_t *cache_of_name; /* this parse's name id -> cache, -2: unknown */
	uint32_t nr_cache_of_name;
	uint64_t live, peak_req;
	struct op buf[4096];
	size_t nbuf, nops;
	int fd;
	void (*each)(void *arg, const struct kmem_trace_event *e);
	void *each_arg;
};

static int smap_grow(struct smap *m, size_t size)
{
	struct smap n;
	size_t i;

	n.key = calloc(size, sizeof(*n.key));
	n.val = calloc(size, sizeof(*n.val));
	n.mask = size - 1;
	if (!n.key || !n.val) {
		free(n.key);
		free(n.val);
		return -1;
	}
	for (i = 0; m->val && i <= m->mask; i++)
		if (m->val[i])
			*smap_slot(&n, m->key[i], true) = m->val[i];
	free(m->key);
	free(m->val);
	*m = n;
	return 0;
}

static int write_all(int fd, const void *p, size_t n);

static int builder_op(struct builder *b, const struct op *o)
{
	b->buf[b->nbuf++] = *o;
	b->nops++;
	if (b->nbuf < sizeof(b->buf) / sizeof(b->buf[0]))
		return 0;
	b->nbuf = 0;
	return write_all(b->fd, b->buf, sizeof(b->buf));
}

/* The cache of name id n of this parse: r->caches' index, or -1. */
static int32_t builder_cache(struct builder *b, const struct kmem_trace *t,
			     uint32_t n)
{
	uint32_t i;

	if (n >= b->nr_cache_of_name) {
		uint32_t cap = n + 64;
		int32_t *c = realloc(b->cache_of_name, cap * sizeof(*c));

		if (!c)
			return -1;
		for (i = b->nr_cache_of_name; i < cap; i++)
			c[i] = -2;
		b->cache_of_name = c;
		b->nr_cache_of_name = cap;
	}
	if (b->cache_of_name[n] == -2) {
		b->cache_of_name[n] = -1;
		for (i = 0; i < b->r->nr_caches; i++)
			if (!strcmp(kmem_trace_name(b->t0,
						    b->r->caches[i].name),
				    kmem_trace_name(t, n)))
				b->cache_of_name[n] = (int32_t)i;
	}
	return b->cache_of_name[n];
}

static int builder_free(struct builder *b, uint32_t *v)
{
	struct op o = { .slot = (*v - 1) | OP_FREE };

	b->live -= b->slot_size[*v - 1];
	b->free_slots[b->nfree++] = *v - 1;
	return builder_op(b, &o);
}

/* One event of the ordered parse. */
static int builder_event(void *arg, const struct kmem_trace *t,
			 const struct kmem_trace_event *e)
{
	struct builder *b = arg;
	struct op o = { 0 };
	uint32_t *v;
	int32_t cache = -1;

	if (b->each)
		b->each(b->each_arg, e);
	if (e->type > KMEM_TRACE_KMEM_CACHE_FREE || !e->key)
		return 0;
	if (e->type == KMEM_TRACE_KFREE ||
	    e->type == KMEM_TRACE_KMEM_CACHE_FREE) {
		v = smap_slot(&b->m, e->key, false);
		if (!v)
			return 0;
		if (builder_free(b, v))
			return -1;
		smap_del(&b->m, v);
		b->used--;
		return 0;
	}
	if (e->type == KMEM_TRACE_KMEM_CACHE_ALLOC &&
	    (cache = builder_cache(b, t, e->name)) < 0)
		return 0; /* the main replay could not create the cache */
	if ((b->used + 1) * 2 > b->m.mask + 1 &&
	    smap_grow(&b->m, (b->m.mask + 1) * 2))
		return -1;
	v = smap_slot(&b->m, e->key, true);
	if (*v) { /* allocation of a live pointer: free the old one first */
		if (builder_free(b, v))
			return -1;
	} else {
		b->used++;
	}
	if (!b->nfree && b->next == b->cap_slots) {
		uint32_t cap = b->cap_slots ? b->cap_slots * 2 : 4096;
		uint32_t *f = realloc(b->free_slots, cap * sizeof(*f));

		if (f)
			b->free_slots = f;
		f = f ? realloc(b->slot_size, cap * sizeof(*f)) : NULL;
		if (!f)
			return -1;
		b->slot_size = f;
		b->cap_slots = cap;
	}
	o.slot = b->nfree ? b->free_slots[--b->nfree] : b->next++;
	o.size = e->req;
	o.alloc = e->alloc;
	o.gfp = e->gfp;
	o.cache = cache;
	b->slot_size[o.slot] = e->req;
	b->live += e->req;
	if (b->live > b->peak_req)
		b->peak_req = b->live;
	*v = o.slot + 1;
	return builder_op(b, &o);
}

static uint64_t status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = 0;
	size_t kl = strlen(key);

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoull(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void reset_peak_rss(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "5", 1) < 0)
			(void)0;
		close(fd);
	}
}

/* Write one byte in every 4 KiB of a new object, as its user would: an
 * allocator that keeps its metadata out of line (jemalloc) would otherwise
 * never make the object's pages resident, and RSS would not compare. */
static inline void touch(void *p, uint32_t size)
{
	volatile char *c = p;
	uint32_t off;

	if ((unsigned long)p <= 16)
		return;
	for (off = 0; off < size; off += 4096)
		c[off] = 0;
	if (size)
		c[size - 1] = 0;
}

struct child_out {
	int ok;
	char why[128];
	double seconds;
	uint64_t peak_rss, peak_own;
	uint64_t faults; /* host page faults during the run */
};

/* The replaying thread's CPU time: the run's clock (a loaded machine's
 * waits for a CPU are not the allocator's; its page faults are). */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t minor_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (uint64_t)ru.ru_minflt;
}

static unsigned long slab_pages(void)
{
	return global_node_page_state(NR_SLAB_RECLAIMABLE) +
	       global_node_page_state(NR_SLAB_UNRECLAIMABLE);
}

/*
 * The child: a fresh exec of this program ("kmem replay --peer-child NAME
 * MEMFD PIPEFD"), so each allocator starts from a clean process; a peer
 * allocator is LD_PRELOADed (the way allocators are benchmarked, and the
 * only way jemalloc's initial-exec TLS loads), kmem boots a fresh machine.
 */
int compare_child_main(int argc, char **argv)
{
	struct child_out out = { 0 };
	struct replay_child_ops m;
	const struct shared_hdr *h;
	struct kmem_cache **caches = NULL;
	void **slots;
	uint64_t base, t0, peak_slab = 0, slab0 = 0, faults0;
	bool is_kmem;
	int pfd;
	size_t i;

	if (argc < 5)
		return 2;
	is_kmem = !strcmp(argv[2], "kmem");
	pfd = atoi(argv[4]);
	if (replay_child_map(argv[3], &m))
		return 2;
	h = m.h;
	/* The slot table is outside every allocator, touched before the baseline. */
	slots = replay_child_table((h->nslots + 1) * sizeof(void *));
	if (!slots) {
		snprintf(out.why, sizeof(out.why), "out of memory");
		goto done;
	}
	if (is_kmem) {
		caches = replay_child_boot(&m, false, out.why, sizeof(out.why));
		if (!caches)
			goto done;
		slab0 = slab_pages();
	} else {
		free(malloc(
			16)); /* the allocator's initialisation, outside the timing */
	}
	reset_peak_rss();
	base = status_kb("VmRSS");
	/* kmem's RAM is there before the run, as a kernel's is: the host
	 * backs the pages the run will take before the clock starts, as the
	 * replay itself does, so that the time is not the simulator's host
	 * page faults on its RAM memfd (2,500 shmem faults, a third of kmem's
	 * time on the build trace). They count in its peak RSS all the same. */
	if (is_kmem)
		kmem_prefault_free_pages(h->prefault_pages);
	faults0 = minor_faults();
	t0 = cpu_now_ns();
	if (is_kmem) {
		for (i = 0; i < h->nops; i++) {
			const struct op *o = replay_child_op(&m, i);

			if (o->slot & OP_FREE) {
				kfree(slots[o->slot & ~OP_FREE]);
			} else {
				gfp_t g = ((gfp_t)o->gfp & ~__GFP_NOFAIL) |
					  __GFP_NOWARN;

				slots[o->slot] =
					o->cache >= 0 ?
						kmem_cache_alloc(
							caches[o->cache], g) :
						kmalloc(o->size, g);
				touch(slots[o->slot], o->size);
			}
			if ((i & 255) == 0) {
				unsigned long s = slab_pages();

				if (s > peak_slab)
					peak_slab = s;
			}
		}
	} else {
		for (i = 0; i < h->nops; i++) {
			const struct op *o = replay_child_op(&m, i);
			size_t size = o->size ? o->size : 1;

			if (o->slot & OP_FREE)
				free(slots[o->slot & ~OP_FREE]);
			else {
				/* kzalloc and __GFP_ZERO: zeroed, as kmem's */
				slots[o->slot] = o->gfp & __GFP_ZERO ?
							 calloc(1, size) :
							 malloc(size);
				touch(slots[o->slot], o->size);
			}
		}
	}
	out.seconds = (double)(cpu_now_ns() - t0) / 1e9;
	out.faults = minor_faults() - faults0;
	{
		uint64_t hwm = status_kb("VmHWM");

		out.peak_rss = hwm > base ? (hwm - base) * 1024 : 0;
	}
	if (is_kmem)
		out.peak_own =
			(peak_slab > slab0 ? peak_slab - slab0 : 0) * 4096ull;
	out.ok = 1;
done:
	if (write(pfd, &out, sizeof(out)) != (ssize_t)sizeof(out))
		_exit(1);
	_exit(0);
}

/* NULL if the library can be loaded (or is glibc), else why not. */
static const char *peer_missing(int which, char *buf, size_t len)
{
	void *h;
	const char *e;

	if (which < 0 || !peers[which].lib)
		return NULL;
#ifdef KMEM_SANITIZE
	snprintf(buf, len,
		 "not in a sanitizer build (ASan must be the first allocator)");
	return buf;
#endif
	h = dlopen(peers[which].lib, RTLD_LAZY | RTLD_LOCAL);
	if (h) {
		dlclose(h);
		return NULL;
	}
	e = dlerror();
	if (e && strstr(e, "static TLS")) /* present; it loads when preloaded */
		return NULL;
	snprintf(
		buf, len,
		"%s not installed (KMEM_DEPS_EXTRA=1 sh scripts/install-deps.sh)",
		peers[which].lib);
	return buf;
}

/* The environment for a child: ours without LD_PRELOAD and without the
 * variable env_add sets, plus env_add ("VAR=value", copied) if not NULL. */
static char **child_env(const char *env_add)
{
	size_t vlen = env_add ? strcspn(env_add, "=") + 1 : 0;
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) &&
		    (!vlen || strncmp(environ[i], env_add, vlen)))
			env[k++] = environ[i];
	if (env_add) {
		env[k] = strdup(env_add);
		if (!env[k]) {
			free(env);
			return NULL;
		}
	}
	return env;
}

static int run_one(int which, int mfd, struct child_out *out)
{
	const char *preload = which >= 0 ? peers[which].lib : NULL;
	char env_add[128] = "";
	int err;

	if (preload)
		snprintf(env_add, sizeof(env_add), "LD_PRELOAD=%s", preload);
	err = replay_spawn_child("--peer-child",
				 which < 0 ? "kmem" : peers[which].name,
				 env_add[0] ? env_add : NULL, mfd, out,
				 sizeof(*out));
	if (err > 0) {
		out->ok = 0;
		snprintf(out->why, sizeof(out->why),
			 "the child failed (status %#x)", err);
	}
	return err < 0 ? -1 : 0;
}

int replay_spawn_child(const char *mode, const char *name, const char *env_add,
		       int mfd, void *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	int pfd[2], status = 0, err;
	char mfd_s[16], pfd_s[16];
	char *argv[7];
	char **env;
	size_t i;
	pid_t pid;
	ssize_t n;

	if (pipe(pfd))
		return -1;
	env = child_env(env_add);
	if (!env) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	snprintf(mfd_s, sizeof(mfd_s), "%d", mfd);
	snprintf(pfd_s, sizeof(pfd_s), "%d", pfd[1]);
	argv[0] = "kmem";
	argv[1] = "replay";
	argv[2] = (char *)mode;
	argv[3] = (char *)name;
	argv[4] = mfd_s;
	argv[5] = pfd_s;
	argv[6] = NULL;
	/* posix_spawn, not fork + exec: a fork copies the running machine's RAM
	 * for the child (init/fork.c orders it, arch/x86/fork.c copies), which
	 * an exec then throws away. */
	fflush(NULL);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	err = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; env[i]; i++) /* only the added entry is ours */
		if (env_add && env[i + 1] == NULL)
			free(env[i]);
	free(env);
	close(pfd[1]);
	if (err) {
		close(pfd[0]);
		return -1;
	}
	memset(out, 0, len);
	n = read(pfd[0], out, len);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)len)
		return status ? status : 1;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define RUNS 3

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The op list in a file for the children: header, caches, ops, from a second
 * ordered parse of ti->path (each, if not NULL, sees its every event).
 * Returns the fd, or -1 (reported, as `what`). */
int replay_ops_memfd(const struct kmem_trace *t,
		     const struct kmem_replay_result *r, int stdin_copy,
		     const char *what, size_t *nops_out, uint64_t *peak_req,
		     void (*each)(void *arg, const struct kmem_trace_event *e),
		     void *each_arg)
{
	struct shared_hdr hdr = { 0 };
	struct builder *b = calloc(1, sizeof(*b));
	const struct kmem_trace_info *ti = kmem_trace_info(t);
	struct kmem_trace *t2 = NULL;
	struct kmem_trace_parse_opts quiet = { .spool_fd = stdin_copy };
	int i, mfd = -1, err = -1;

	if (!b || smap_grow(&b->m, 1024)) {
		fprintf(stderr, "kmem replay: %s: out of memory\n", what);
		goto out;
	}
	b->t0 = t;
	b->r = r;
	b->each = each;
	b->each_arg = each_arg;
	b->fd = mfd = replay_tmpfile("kmem-replay-ops", true);
	hdr.ncaches = r->nr_caches;
	hdr.ram = r->ram;
	hdr.cpus = r->cpus;
	hdr.x86_32 = !strcmp(r->layout, "x86-32");
	/* Twice the replay's peak of slab pages: a kmem child backs that much
	 * of its RAM before it is timed (kmem_prefault_free_pages backs the free blocks
	 * of the lowest orders first; the slabs come partly from others: with
	 * the peak alone, 1,568 of the 2,500 slab pages of the build trace
	 * still faulted while timed, with twice the peak none). */
	hdr.prefault_pages = 2 * r->peak_slab_pages + 256;
	if (mfd < 0 || write_all(mfd, &hdr, sizeof(hdr))) {
		fprintf(stderr, "kmem replay: %s: op list: %s\n", what,
			strerror(errno));
		goto out;
	}
	for (i = 0; i < (int)r->nr_caches; i++) {
		struct shared_cache c = { { 0 }, 0, 0 };

		snprintf(c.name, sizeof(c.name), "%s",
			 kmem_trace_name(t, r->caches[i].name));
		c.size = r->caches[i].kmem_size ? r->caches[i].kmem_size :
						  r->caches[i].trace_size;
		c.objsize = r->caches[i].trace_objsize ?
				    r->caches[i].trace_objsize :
				    c.size;
		if (write_all(mfd, &c, sizeof(c)))
			break;
	}
	t2 = kmem_trace_new();
	if (!t2 ||
	    kmem_trace_parse_ordered(t2, ti->path, &quiet, ti->max_disorder_ns,
				     builder_event, b) ||
	    (b->nbuf && write_all(mfd, b->buf, b->nbuf * sizeof(b->buf[0])))) {
		fprintf(stderr, "kmem replay: %s: %s\n", what,
			t2 && kmem_trace_info(t2)->error[0] ?
				kmem_trace_info(t2)->error :
				"op list: out of memory");
		kmem_trace_free(t2);
		goto out;
	}
	kmem_trace_free(t2);
	hdr.nops = b->nops;
	hdr.nslots = b->next;
	if (pwrite(mfd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
		fprintf(stderr, "kmem replay: %s: op list: %s\n", what,
			strerror(errno));
		goto out;
	}
	*nops_out = b->nops;
	*peak_req = b->peak_req;
	err = 0;
out:
	if (err && mfd >= 0)
		close(mfd);
	if (b) {
		free(b->m.key);
		free(b->m.val);
		free(b->free_slots);
		free(b->slot_size);
		free(b->cache_of_name);
		free(b);
	}
	return err ? -1 : mfd;
}

int replay_compare(const struct kmem_trace *t, const struct kmem_replay_opts *o,
		   const struct kmem_replay_result *r, int stdin_copy,
		   const char *list, struct compare_result *res, int max)
{
	int which[COMPARE_MAX], nw = 0, i, k, mfd;
	char *copy = strdup(list), *tok, *save = NULL;
	size_t nops;
	uint64_t peak_req = 0;

	if (!copy)
		return -1;
	which[nw++] = -1; /* kmem first */
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < (int)(sizeof(peers) / sizeof(peers[0])); k++)
			if (!strcmp(tok, peers[k].name))
				break;
		if (k == (int)(sizeof(peers) / sizeof(peers[0]))) {
			fprintf(stderr,
				"kmem replay: --compare: unknown allocator '%s' "
				"(glibc, jemalloc, mimalloc, tcmalloc)\n",
				tok);
			free(copy);
			return -1;
		}
		if (nw < max && nw < COMPARE_MAX)
			which[nw++] = k;
	}
	free(copy);
	mfd = replay_ops_memfd(t, r, stdin_copy, "--compare", &nops, &peak_req,
			       NULL, NULL);
	if (mfd < 0)
		return -1;
	for (i = 0; i < nw; i++) {
		struct compare_result *c = &res[i];
		const char *missing;
		double secs[RUNS];
		uint64_t faults[RUNS];
		int runs = 0;

		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s",
			 which[i] < 0 ? "kmem" : peers[which[i]].name);
		snprintf(c->lib, sizeof(c->lib), "%s",
			 which[i] < 0	     ? "libkmem" :
			 peers[which[i]].lib ? peers[which[i]].lib :
					       "libc.so.6");
		c->ops = nops;
		c->peak_req = peak_req;
		missing = peer_missing(which[i], c->why, sizeof(c->why));
		for (k = 0; !missing && k < RUNS; k++) {
			struct child_out out;

			if (run_one(which[i], mfd, &out) || !out.ok) {
				snprintf(c->why, sizeof(c->why), "%s",
					 out.why[0] ? out.why : "fork failed");
				break;
			}
			faults[runs] = out.faults;
			secs[runs++] = out.seconds;
			if (out.peak_rss > c->peak_rss)
				c->peak_rss = out.peak_rss;
			if (out.peak_own > c->peak_own)
				c->peak_own = out.peak_own;
		}
		if (runs == RUNS) {
			qsort(secs, RUNS, sizeof(double), cmp_double);
			qsort(faults, RUNS, sizeof(uint64_t), cmp_u64);
			c->seconds = secs[RUNS / 2];
			c->faults = faults[RUNS / 2];
			c->ran = true;
		}
		if (!c->ran)
			fprintf(stderr,
				"kmem replay: --compare: skipping %s: %s\n",
				c->name, c->why);
	}
	close(mfd);
	(void)o;
	return nw;
}

void compare_print_text(FILE *f, const struct compare_result *c, int n)
{
	int i;

	fprintf(f,
		"\ncompare: the same %lu object operations (allocations and frees), "
		"median of %d runs each\n",
		n ? c[0].ops : 0, RUNS);
	fprintf(f, "  peak live requested bytes: %.1f MiB\n",
		n ? (double)c[0].peak_req / 1048576.0 : 0);
	fprintf(f, "  %-10s %-26s %10s %9s %14s %8s\n", "allocator", "library",
		"time (ms)", "ns/op", "peak RSS (MiB)", "faults");
	for (i = 0; i < n; i++) {
		if (!c[i].ran) {
			fprintf(f, "  %-10s %-26s skipped: %s\n", c[i].name,
				c[i].lib, c[i].why);
			continue;
		}
		fprintf(f, "  %-10s %-26s %10.1f %9.1f %14.1f %8llu", c[i].name,
			c[i].lib, c[i].seconds * 1e3,
			c[i].ops ? c[i].seconds * 1e9 / (double)c[i].ops : 0,
			(double)c[i].peak_rss / 1048576.0,
			(unsigned long long)c[i].faults);
		if (!strcmp(c[i].name, "kmem"))
			fprintf(f, "  (slab pages: %.1f MiB)",
				(double)c[i].peak_own / 1048576.0);
		fputc('\n', f);
	}
}

void compare_print_json(FILE *f, const struct compare_result *c, int n)
{
	int i;

	fprintf(f,
		"{\"ops\": %lu, \"runs\": %d, \"peak_live_requested_bytes\": %llu, "
		"\"allocators\": [",
		n ? c[0].ops : 0, RUNS,
		n ? (unsigned long long)c[0].peak_req : 0ull);
	for (i = 0; i < n; i++) {
		fprintf(f,
			"%s\n    {\"name\": \"%s\", \"library\": \"%s\", \"ran\": %s",
			i ? "," : "", c[i].name, c[i].lib,
			c[i].ran ? "true" : "false");
		if (c[i].ran)
			fprintf(f,
				", \"seconds\": %.6f, \"ns_per_op\": %.2f, \"peak_rss_bytes\": %llu, "
				"\"host_page_faults\": %llu",
				c[i].seconds,
				c[i].ops ?
					c[i].seconds * 1e9 / (double)c[i].ops :
					0.0,
				(unsigned long long)c[i].peak_rss,
				(unsigned long long)c[i].faults);
		else
			fprintf(f, ", \"why\": \"%s\"", c[i].why);
		if (!strcmp(c[i].name, "kmem") && c[i].ran)
			fprintf(f, ", \"peak_slab_bytes\": %llu",
				(unsigned long long)c[i].peak_own);
		fputc('}', f);
	}
	fprintf(f, "\n  ]}");
}
