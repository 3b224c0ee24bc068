// SPDX-License-Identifier: MIT
/*
 * fork(): the child gets its own copy of the machine.
 *
 * The machine's RAM is a memfd mapped MAP_SHARED (arch/x86/machine.c), and
 * fork() keeps MAP_SHARED mappings shared: without help a child would run on
 * the parent's RAM (mem_map, free lists, slabs, page tables, objects) with
 * its own copy of the allocators' host-heap metadata, and the first
 * allocation of either side would corrupt the other's. fork gives the child
 * a copy of memory, so kmem gives it a copy of the machine:
 *
 *  1. prepare (parent, pthread_atfork, before the fork): take the boot lock
 *     (no boot or halt in flight), then, if a machine is up, run the layers'
 *     prepare hooks in lock order (they take their top-level locks and copy
 *     state of their own: the swap memfd), then copy the RAM memfd into a
 *     new memfd (kmem_copy_memfd: SEEK_DATA/SEEK_HOLE, so only the frames
 *     the machine ever touched are copied; copy_file_range, else pread and
 *     pwrite). The copy is taken with the locks held, so it is one instant
 *     of the machine as seen by the forking thread.
 *  2. child (after the fork): every host mapping of the old RAM memfd, found
 *     in /proc/self/maps by device and inode (the direct map, vmalloc areas,
 *     pkmap slots, user pages, on-demand ring slots, PROT_NONE ones too), is
 *     mapped again at the same address, offset and protection from the copy
 *     (MAP_SHARED|MAP_FIXED: the mapping count does not change), and the
 *     copy takes the old descriptor's number (dup3), so nothing that holds
 *     the number needs to know. Then the hooks run in reverse order (release
 *     the locks, the swap copy takes the swap descriptor's number, the slab
 *     layer returns the sheaves of the threads that do not exist in the
 *     child to their slabs, as the kernel flushes a dead CPU's caches), and
 *     the boot lock is released.
 *  3. parent (after the fork): closes its descriptor of the copy, runs the
 *     hooks in reverse order (release the locks), releases the boot lock.
 *
 * If the copy cannot be made (no memory for the memfd), the child could only
 * corrupt the parent: it stops with a message (abort) at its first
 * instruction after fork() returns; the parent is unaffected.
 *
 * Threads. As with the kernel's and the C library's fork, only the forking
 * thread exists in the child. The copy is consistent if the other threads
 * are outside kmem at the fork (idle, or doing their own work); a thread
 * inside an allocator holds locks the child will never see released, as in
 * any multi-threaded program that forks (POSIX allows only async-signal-safe
 * calls in such a child). The prepare hooks hold the boot lock and the
 * top-level locks (slab_mutex, vmalloc's purge_mutex and pt_lock, the
 * shrinker lock), which makes boot, halt, cache creation, vmalloc mapping
 * and reclaim wait for the fork rather than be copied half done.
 *
 * fork() before any boot or after kmem_halt() copies nothing: each side
 * boots its own machine at its first allocation. vfork() and posix_spawn()
 * (which system() and popen() use) run no fork handlers and share memory by
 * design: the child may only exec or _exit.
 *
 * Cost: the parent copies the populated RAM and swap (memory bandwidth), the
 * child makes one mmap per host mapping of the RAM (docs/ARCHITECTURE.md
 * gives the figures).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include "arch/x86/machine.h"
#include "kernel/internal.h"

/* RAM above 3 GiB sits 1 GiB lower in the memfd (arch_phys_to_file()). */
#define PCI_HOLE_START (3ULL << 30)
#define PCI_HOLE_END (4ULL << 30)

static struct kmem_fork_hooks *fork_hooks; /* increasing order */
static pthread_mutex_t fork_hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/* Between prepare and parent/child; only the forking thread touches them
 * (it holds the boot lock). */
static struct kmem_fork_stats fork_stats;
static bool fork_machine;  /* a machine was up at prepare */
static int fork_ram = -1;  /* the copy of the RAM */
static int fork_ram_error; /* errno of a failed copy */

static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

static void fork_install(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void kmem_register_fork_hooks(struct kmem_fork_hooks *h)
{
	struct kmem_fork_hooks **pp;

	pthread_once(&fork_once, fork_install);
	pthread_mutex_lock(&fork_hooks_lock);
	for (pp = &fork_hooks; *pp && (*pp)->order <= h->order;
	     pp = &(*pp)->next)
		;
	h->next = *pp;
	*pp = h;
	pthread_mutex_unlock(&fork_hooks_lock);
}

/* The machine layer is always linked; it installs the handlers even when no
 * layer registers hooks. */
__attribute__((constructor)) static void fork_init(void)
{
	pthread_once(&fork_once, fork_install);
}

static int copy_range_rw(int in, int out, off_t off, off_t len)
{
	static char buf[1 << 16];

	while (len > 0) {
		ssize_t n = pread(in, buf,
				  len < (off_t)sizeof(buf) ? (size_t)len :
							     sizeof(buf),
				  off);

		if (n <= 0)
			return n ? -errno : -EIO;
		if (pwrite(out, buf, (size_t)n, off) != n)
			return -errno;
		off += n;
		len -= n;
	}
	return 0;
}

static int copy_range(int in, int out, off_t off, off_t len)
{
	while (len > 0) {
		loff_t o_in = off, o_out = off;
		ssize_t n =
			copy_file_range(in, &o_in, out, &o_out, (size_t)len, 0);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return copy_range_rw(in, out, off, len);
		}
		off += n;
		len -= n;
	}
	return 0;
}

/* Copy [off, off + len) of in to out, leaving out the pages skip() names. */
static int copy_data(int in, int out, off_t off, off_t len,
		     bool (*skip)(off_t off))
{
	off_t end = off + len, run;
	int err;

	if (!skip)
		return copy_range(in, out, off, len);
	while (off < end) {
		while (off < end && skip(off))
			off += PAGE_SIZE;
		for (run = off; run < end && !skip(run); run += PAGE_SIZE)
			;
		if (run > off) {
			err = copy_range(in, out, off, run - off);
			if (err)
				return err;
		}
		off = run;
	}
	return 0;
}

static int copy_memfd(int fd, const char *name, bool (*skip)(off_t off))
{
	struct stat st;
	off_t off = 0, data, hole;
	int nfd, err;

	if (fstat(fd, &st))
		return -errno;
	nfd = memfd_create(name, MFD_CLOEXEC);
	if (nfd < 0)
		return -errno;
	if (ftruncate(nfd, st.st_size))
		goto fail;
	while (off < st.st_size) {
		data = lseek(fd, off, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break; /* only a hole is left */
			goto fail;
		}
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			goto fail;
		err = copy_data(fd, nfd, data, hole - data, skip);
		if (err) {
			errno = -err;
			goto fail;
		}
		off = hole;
	}
	return nfd;

fail:
	err = -errno;
	close(nfd);
	return err;
}

int kmem_copy_memfd(int fd, const char *name)
{
	return copy_memfd(fd, name, NULL);
}

/* The frame at RAM file offset off is free (in the buddy allocator or on a
 * per-CPU list): nobody can see its contents, so it is not copied (the
 * child reads zeroes there, as from a frame never touched). */
static bool ram_frame_free(off_t off)
{
	unsigned long long phys = (unsigned long long)off;
	enum kmem_page_owner o;
	unsigned long pfn;

	if (machine.layout == KMEM_LAYOUT_X86_64 && phys >= PCI_HOLE_START &&
	    machine.ram_bytes > PCI_HOLE_START)
		phys += PCI_HOLE_END - PCI_HOLE_START;
	pfn = (unsigned long)(phys >> PAGE_SHIFT);
	if (!mem_map || pfn >= max_pfn)
		return false;
	o = page_owner(pfn_to_page(pfn));
	return o == KMEM_OWNER_FREE || o == KMEM_OWNER_PCP;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

void kmem_fork_get_stats(struct kmem_fork_stats *st)
{
	*st = fork_stats;
}

static void fork_prepare(void)
{
	struct kmem_fork_hooks *h;
	unsigned long long t0;

	kmem_boot_lock();
	t0 = now_ns();
	fork_machine = __atomic_load_n(&__kmem_running, __ATOMIC_ACQUIRE) &&
		       machine.memfd >= 0;
	if (!fork_machine)
		return;
	for (h = fork_hooks; h; h = h->next)
		if (h->prepare)
			h->prepare();
	fork_ram = copy_memfd(machine.memfd, "kmem-ram", ram_frame_free);
	fork_ram_error = fork_ram < 0 ? -fork_ram : 0;
	fork_stats.prepare_ns = now_ns() - t0;
}

/* Run the parent or child hooks, last registered order first. */
static void run_hooks_reverse(bool child)
{
	struct kmem_fork_hooks *stack[64], *h;
	int n = 0;

	for (h = fork_hooks; h && n < 64; h = h->next)
		stack[n++] = h;
	while (n--) {
		void (*fn)(void) = child ? stack[n]->child : stack[n]->parent;

		if (fn)
			fn();
	}
}

static void fork_parent(void)
{
	if (fork_machine) {
		if (fork_ram >= 0)
			close(fork_ram);
		fork_ram = -1;
		run_hooks_reverse(false);
	}
	kmem_boot_unlock();
}

static void __attribute__((noreturn)) fork_fail(const char *what, int err)
{
	char buf[160];

	snprintf(buf, sizeof(buf),
		 "kmem: fork: cannot give the child its own machine (%s: %s)\n",
		 what, strerror(err));
	kmem_emergency_write(buf);
	abort();
}

/* The whole text of /proc/self/maps (malloc'd, NUL-terminated), or NULL. */
static char *read_maps(void)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap), *nbuf;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (!buf || fd < 0)
		goto fail;
	for (;;) {
		if (cap - len < 4096) {
			nbuf = realloc(buf, cap * 2);
			if (!nbuf)
				goto fail;
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;

fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* Map every host mapping of memfd `old` from `copy` instead, at the same
 * address, offset and protection. 0 or -errno. */
static int remap_memfd(int old, int copy)
{
	unsigned long start, end, ino;
	unsigned long long off;
	unsigned int maj, mnr;
	char perms[5], *maps, *line, *next;
	struct stat st;
	int prot, err = 0;

	if (fstat(old, &st))
		return -errno;
	maps = read_maps();
	if (!maps)
		return -ENOMEM;
	for (line = maps; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0'; /* sscanf would measure all the rest */
		else
			next = line + strlen(line);
		if (sscanf(line, "%lx-%lx %4s %llx %x:%x %lu", &start, &end,
			   perms, &off, &maj, &mnr, &ino) != 7)
			continue;
		if (ino != st.st_ino || maj != major(st.st_dev) ||
		    mnr != minor(st.st_dev) || perms[3] != 's')
			continue;
		prot = (perms[0] == 'r' ? PROT_READ : 0) |
		       (perms[1] == 'w' ? PROT_WRITE : 0) |
		       (perms[2] == 'x' ? PROT_EXEC : 0);
		fork_stats.remapped++;
		if (mmap((void *)start, end - start, prot,
			 MAP_SHARED | MAP_FIXED, copy,
			 (off_t)off) == MAP_FAILED) {
			err = -errno;
			break;
		}
	}
	free(maps);
	return err;
}

static void fork_child(void)
{
	unsigned long long t0 = now_ns();
	int err;

	fork_stats.remapped = 0;
	if (fork_machine) {
		if (fork_ram < 0)
			fork_fail("copy of the RAM", fork_ram_error);
		err = remap_memfd(machine.memfd, fork_ram);
		if (err)
			fork_fail("mapping the copy of the RAM", -err);
		if (dup3(fork_ram, machine.memfd, O_CLOEXEC) < 0)
			fork_fail("dup3", errno);
		close(fork_ram);
		fork_ram = -1;
		run_hooks_reverse(true);
	}
	fork_stats.child_ns = now_ns() - t0;
	kmem_boot_unlock();
}
