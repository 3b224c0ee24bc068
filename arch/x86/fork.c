// SPDX-License-Identifier: MIT
/*
 * fork(), the machine's part: copy the RAM memfd, and in the child map the
 * copy where the RAM was mapped. The order of it all (the boot lock, the
 * layers' fork hooks, when this runs) is init/fork.c's.
 *
 * arch_fork_copy_ram() (parent, every lock held): copies the RAM memfd into
 * a new memfd (kmem_copy_memfd: SEEK_DATA/SEEK_HOLE, so only the frames the
 * machine ever touched are copied; copy_file_range, else pread and pwrite),
 * leaving out the frames tagged free or per-CPU (nobody can see their
 * contents: the child reads zeroes there, as from a frame never touched).
 *
 * arch_fork_adopt_ram() (child): every host mapping of the old RAM memfd,
 * found in /proc/self/maps by device and inode (the direct map, vmalloc
 * areas, pkmap slots, user pages, on-demand ring slots, PROT_NONE ones too),
 * is mapped again at the same address, offset and protection from the copy
 * (MAP_SHARED|MAP_FIXED: the mapping count does not change), and the copy
 * takes the old descriptor's number (dup3), so nothing that holds the number
 * needs to know.
 *
 * Cost: the parent copies the populated RAM (memory bandwidth), the child
 * makes one mmap per host mapping of the RAM (docs/ARCHITECTURE.md gives the
 * figures).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/kernel.h>
#include <linux/mm.h>
#include "arch/x86/machine.h"

/* RAM above 3 GiB sits 1 GiB lower in the memfd (arch_phys_to_file()). */
#define PCI_HOLE_START (3ULL << 30)
#define PCI_HOLE_END (4ULL << 30)

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

/* A copy of the RAM memfd without its free frames: the new fd, or -errno. */
int arch_fork_copy_ram(void)
{
	return copy_memfd(machine.memfd, "kmem-ram", ram_frame_free);
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
 * address, offset and protection. How many, or -errno. */
static int remap_memfd(int old, int copy)
{
	int remapped = 0;
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
		remapped++;
		if (mmap((void *)start, end - start, prot,
			 MAP_SHARED | MAP_FIXED, copy,
			 (off_t)off) == MAP_FAILED) {
			err = -errno;
			break;
		}
	}
	free(maps);
	return err ? err : remapped;
}

int arch_fork_adopt_ram(int copy, const char **what)
{
	int n = remap_memfd(machine.memfd, copy);

	if (n < 0) {
		*what = "mapping the copy of the RAM";
		return n;
	}
	if (dup3(copy, machine.memfd, O_CLOEXEC) < 0) {
		*what = "dup3";
		return -errno;
	}
	close(copy);
	return n;
}
