// SPDX-License-Identifier: MIT
/*
 * The child side of `kmem replay --compare` and `--slab`: what every child
 * does before it runs the operation list (tools/kmem/replay_ops.h).
 *
 * Theory. The parent writes the list once into a memfd (a header, the named
 * caches, the operations) and hands its number to each child on the command
 * line; a child maps it read-only. The child's own tables (the slot table of
 * live objects, the caches it created) are anonymous mappings, outside every
 * allocator under test, touched before any measurement. A kmem child boots
 * the machine the header describes (RAM, CPUs, layout) and creates the
 * trace's named caches in it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/slab.h>
#include <kmem/kmem.h>
#include "tools/kmem/replay_ops.h"

int replay_tmpfile(const char *name, bool inherit)
{
	int cloexec = inherit ? 0 : O_CLOEXEC;
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | cloexec, 0600);
	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/%s-XXXXXX", dir, name);
		fd = mkostemp(path, cloexec);
		if (fd >= 0)
			unlink(path);
	}
	return fd >= 0 ? fd : memfd_create(name, inherit ? 0 : MFD_CLOEXEC);
}

int replay_child_map(const char *mfd_arg, struct replay_child_ops *m)
{
	int mfd = atoi(mfd_arg);
	struct stat st;
	void *map;

	memset(m, 0, sizeof(*m));
	if (fstat(mfd, &st) || (size_t)st.st_size < sizeof(*m->h))
		return -1;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED)
		return -1;
	m->h = map;
	if ((size_t)st.st_size < sizeof(*m->h) +
					 m->h->ncaches * sizeof(*m->caches) +
					 m->h->nops * sizeof(*m->ops))
		return -1;
	m->caches = (const struct shared_cache *)(m->h + 1);
	m->ops = (const struct op *)(m->caches + m->h->ncaches);
	return 0;
}

void replay_child_release(struct replay_child_ops *m, size_t done)
{
	uintptr_t base = (uintptr_t)m->h, upto = (uintptr_t)(m->ops + done);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), end;

	end = ((upto - base) / page) * page;
	if (!m->released) /* the header and caches stay */
		m->released =
			((uintptr_t)m->ops - base + page - 1) / page * page;
	if (end > m->released && !madvise((void *)(base + m->released),
					  end - m->released, MADV_DONTNEED))
		m->released = end;
}

void *replay_child_table(size_t bytes)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, bytes); /* touched now, not while measured */
	return p;
}

struct kmem_cache **replay_child_boot(const struct replay_child_ops *m,
				      bool objsize, char *why, size_t whylen)
{
	struct kmem_config cfg = { .ram = m->h->ram,
				   .cpus = m->h->cpus,
				   .quiet = true };
	struct kmem_cache **caches;
	size_t i;

	cfg.layout = m->h->x86_32 ? KMEM_LAYOUT_X86_32 : KMEM_LAYOUT_X86_64;
	if (kmem_boot(&cfg)) {
		snprintf(why, whylen, "cannot boot the machine");
		return NULL;
	}
	caches = replay_child_table((m->h->ncaches + 1) * sizeof(*caches));
	if (!caches) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	for (i = 0; i < m->h->ncaches; i++) {
		const struct shared_cache *c = &m->caches[i];

		caches[i] = kmem_cache_create(c->name,
					      objsize ? c->objsize : c->size, 0,
					      SLAB_NO_MERGE, NULL);
		if (!caches[i]) {
			snprintf(why, whylen, "cannot create cache %s",
				 c->name);
			return NULL;
		}
	}
	return caches;
}
