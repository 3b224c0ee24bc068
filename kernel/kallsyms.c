// SPDX-License-Identifier: MIT
/*
 * kallsyms: code addresses as the kernel prints them (%pS),
 * "function+0xoff/0xsize" (the function's name, the offset of the address in
 * it, the function's size), for callers in /proc/vmallocinfo, kmemleak's
 * backtraces, dump_stack() and the reports. One symboliser, three sources
 * of a symbol, tried in order, and one format:
 *
 *  1. libdw (elfutils' libdwfl, when kmem was built with KMEM_HAVE_LIBDW;
 *     kmem_symbolize() only): the ELF symbol tables of the program and every
 *     shared library, static functions included. One Dwfl session for this
 *     process is made on first use and kept; an address in no reported
 *     module (a library loaded later) reports the modules again once.
 *     sym_lock (a host mutex) serialises the session, which libdw does not
 *     make thread-safe.
 *  2. dladdr1(): the exported symbols of any loaded object, with sizes.
 *  3. The library's own table (the kernel's kallsyms). libkmem is built with
 *     -fvisibility=hidden (include/kmem/export.h), so only the public API is
 *     in the dynamic symbol table that dladdr() reads; an address inside an
 *     internal function (slab_free_slow, __kfence_free) would print as
 *     "libkmem.so.0+0x35a0", and the reports that find the caller by walking
 *     past the allocator's frames by name (KFENCE, slab_debug) would lose
 *     their way. So kmem reads the full symbol table (.symtab) of the file
 *     the library's code was loaded from (libkmem.so, or the program it is
 *     linked into), once, and answers for its local functions: the hidden
 *     ones (the linker makes them local) and the static ones. The table is
 *     built at the first lookup under pthread_once, with open(), mmap() and
 *     no malloc; a stripped file simply has no names. The lookup is a linear
 *     scan: reports are rare.
 *
 * Without a symbol: "module+0xoffset", else the hex address.
 *
 * kmem_symbolize_fast() never uses libdw: the fault paths (vmalloc, KFENCE,
 * debug_pagealloc) call it from a signal handler, where opening files and
 * allocating is not allowed (KFENCE loads the table at boot). KFENCE uses it
 * for all its reports, so that they name the same frames whatever the
 * context.
 */
#include <dlfcn.h>
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

#ifdef KMEM_HAVE_LIBDW
#include <elfutils/libdwfl.h>
#endif

#include <linux/kernel.h>
#include <linux/mutex.h>
#include "kernel/printk.h"

/* A symbol found for an address: its name, the offset in it, its size. */
struct ksym_hit {
	const char *name;
	unsigned long off, size;
};

/* The one format of every source. */
static char *ksym_format(const struct ksym_hit *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s+0x%lx/0x%lx", h->name, h->off, h->size);
	return buf;
}

/* ---- 3. the library's own .symtab ------------------------------------------ */

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

/* The library's local function (hidden or static) holding addr. */
static bool ksym_lookup_local(uintptr_t a, struct ksym_hit *h)
{
	size_t i;

	pthread_once(&ksyms_once, ksyms_load);
	for (i = 0; i < nr_ksyms; i++) {
		if (a - ksyms[i].start < ksyms[i].size) {
			h->name = ksyms[i].name;
			h->off = a - ksyms[i].start;
			h->size = ksyms[i].size;
			return true;
		}
	}
	return false;
}

/* ---- 2. dladdr1(), and the fast path ---------------------------------------- */

char *kmem_symbolize_fast(const void *addr, char *buf, size_t len)
{
	const ElfW(Sym) *sym = NULL;
	struct ksym_hit h;
	Dl_info info;

	if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT)) {
		snprintf(buf, len, "0x%lx", (unsigned long)addr);
		return buf;
	}
	if (info.dli_sname && info.dli_saddr && sym && sym->st_size) {
		h.name = info.dli_sname;
		h.off = (unsigned long)addr - (unsigned long)info.dli_saddr;
		h.size = (unsigned long)sym->st_size;
		return ksym_format(&h, buf, len);
	}
	if (ksym_lookup_local((uintptr_t)addr, &h))
		return ksym_format(&h, buf, len);
	if (info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');

		snprintf(buf, len, "%s+0x%lx", base ? base + 1 : info.dli_fname,
			 (unsigned long)addr - (unsigned long)info.dli_fbase);
	} else {
		snprintf(buf, len, "0x%lx", (unsigned long)addr);
	}
	return buf;
}

/* ---- 1. libdw ---------------------------------------------------------------- */

#ifdef KMEM_HAVE_LIBDW
static DEFINE_MUTEX_RANK(sym_lock, LOCK_RANK_REPORT);
static Dwfl *sym_dwfl;
static pid_t sym_pid; /* the process the session describes (fork) */

static const Dwfl_Callbacks sym_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* (Re)report this process's modules; false if libdw cannot. */
static bool sym_report(void)
{
	if (!sym_dwfl || sym_pid != getpid()) {
		if (sym_dwfl)
			dwfl_end(sym_dwfl);
		sym_dwfl = dwfl_begin(&sym_callbacks);
		sym_pid = getpid();
		if (!sym_dwfl)
			return false;
	}
	dwfl_report_begin(sym_dwfl);
	if (dwfl_linux_proc_report(sym_dwfl, sym_pid)) {
		dwfl_report_end(sym_dwfl, NULL, NULL);
		return false;
	}
	return dwfl_report_end(sym_dwfl, NULL, NULL) == 0;
}

static bool sym_lookup(unsigned long a, struct ksym_hit *h)
{
	Dwfl_Module *mod;
	GElf_Off off;
	GElf_Sym sym;

	mod = dwfl_addrmodule(sym_dwfl, a);
	if (!mod)
		return false;
	h->name = dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL);
	if (!h->name || !sym.st_size)
		return false;
	h->off = (unsigned long)off;
	h->size = (unsigned long)sym.st_size;
	return true;
}
#endif

char *kmem_symbolize(const void *addr, char *buf, size_t len)
{
#ifdef KMEM_HAVE_LIBDW
	unsigned long a = (unsigned long)addr;
	struct ksym_hit h;
	bool ok = false;

	mutex_lock_atomic(&sym_lock);
	if ((sym_dwfl && sym_pid == getpid()) || sym_report()) {
		ok = sym_lookup(a, &h);
		/* A library loaded since the modules were reported. */
		if (!ok && !dwfl_addrmodule(sym_dwfl, a) && sym_report())
			ok = sym_lookup(a, &h);
		if (ok) /* the name lives in the session: format it under the lock */
			ksym_format(&h, buf, len);
	}
	mutex_unlock(&sym_lock);
	if (ok)
		return buf;
#endif
	return kmem_symbolize_fast(addr, buf, len);
}
