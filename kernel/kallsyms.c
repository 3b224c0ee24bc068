// SPDX-License-Identifier: MIT
/*
 * kallsyms: names for the library's internal functions.
 *
 * libkmem is built with -fvisibility=hidden (include/kmem/export.h), so only
 * the public API is in the dynamic symbol table that dladdr() reads; an
 * address inside an internal function (slab_free_slow, __kfence_free) would
 * otherwise print as "libkmem.so.0+0x35a0", and the reports that find the
 * caller by walking past the allocator's frames by name (KFENCE,
 * slab_debug) would lose their way. The kernel keeps every symbol in
 * kallsyms; kmem reads the full symbol table (.symtab) of the file the
 * library's code was loaded from (libkmem.so, or the program it is linked
 * into), once, and answers for every function there that dladdr() does not
 * name: the hidden ones (the linker makes them local) and the static ones.
 *
 * The table is built at the first lookup under pthread_once, with open(),
 * mmap() and no malloc (a report may come from a fault handler); a stripped
 * file simply has no names. The lookup is a linear scan: reports are rare.
 */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kernel.h>
#include "kernel/printk.h"

struct ksym {
	uintptr_t start, size; /* run-time address */
	const char *name;
};

static struct ksym *ksyms;
static size_t nr_ksyms;
static pthread_once_t ksyms_once = PTHREAD_ONCE_INIT;

/* The path and load address of the object that holds this file's code. */
struct self_object {
	const void *probe;
	char path[4096];
	uintptr_t bias;
	bool found;
};

static int find_self(struct dl_phdr_info *info, size_t size __maybe_unused,
		     void *arg)
{
	struct self_object *so = arg;
	uintptr_t p = (uintptr_t)so->probe;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || p < lo || p >= lo + ph->p_memsz)
			continue;
		/* The main program has an empty name: read it by its link. */
		snprintf(so->path, sizeof(so->path), "%s",
			 info->dlpi_name && info->dlpi_name[0] ?
				 info->dlpi_name :
				 "/proc/self/exe");
		so->bias = info->dlpi_addr;
		so->found = true;
		return 1;
	}
	return 0;
}

static void ksyms_load(void)
{
	struct self_object so = { .probe = (const void *)ksyms_load };
	const ElfW(Ehdr) * eh;
	const ElfW(Shdr) * sh;
	const ElfW(Sym) * sym;
	const char *strtab;
	struct stat st;
	size_t i, n, strsize, k = 0;
	void *map, *tab;
	int fd;

	dl_iterate_phdr(find_self, &so);
	if (!so.found)
		return;
	fd = open(so.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || (size_t)st.st_size < sizeof(*eh)) {
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	eh = map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || !eh->e_shoff ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) >
		    (size_t)st.st_size)
		goto out;
	sh = (const ElfW(Shdr) *)((const char *)map + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB)
			break;
	if (i == eh->e_shnum || sh[i].sh_link >= eh->e_shnum ||
	    sh[i].sh_offset + sh[i].sh_size > (size_t)st.st_size ||
	    sh[sh[i].sh_link].sh_offset + sh[sh[i].sh_link].sh_size >
		    (size_t)st.st_size)
		goto out;
	sym = (const ElfW(Sym) *)((const char *)map + sh[i].sh_offset);
	n = sh[i].sh_size / sizeof(*sym);
	strtab = (const char *)map + sh[sh[i].sh_link].sh_offset;
	strsize = sh[sh[i].sh_link].sh_size;
	tab = mmap(NULL, n * sizeof(*ksyms) + 1, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tab == MAP_FAILED)
		goto out;
	ksyms = tab;
	for (i = 0; i < n; i++) {
		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC ||
		    !sym[i].st_size ||
		    ELF64_ST_BIND(sym[i].st_info) != STB_LOCAL ||
		    sym[i].st_name >= strsize)
			continue;
		ksyms[k].start =
			(eh->e_type == ET_DYN ? so.bias : 0) + sym[i].st_value;
		ksyms[k].size = sym[i].st_size;
		ksyms[k].name = strtab + sym[i].st_name;
		k++;
	}
	nr_ksyms = k;
	return; /* the file stays mapped: the names point into it */
out:
	munmap(map, (size_t)st.st_size);
}

bool kallsyms_lookup_local(const void *addr, const char **name,
			   unsigned long *offset, unsigned long *size)
{
	uintptr_t a = (uintptr_t)addr;
	size_t i;

	pthread_once(&ksyms_once, ksyms_load);
	for (i = 0; i < nr_ksyms; i++) {
		if (a - ksyms[i].start < ksyms[i].size) {
			*name = ksyms[i].name;
			*offset = a - ksyms[i].start;
			*size = ksyms[i].size;
			return true;
		}
	}
	return false;
}
