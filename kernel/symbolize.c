// SPDX-License-Identifier: MIT
/*
 * Code addresses as the kernel prints them (%pS): "function+0xoff/0xsize",
 * the function's name, the offset of the address in it and the function's
 * size, for callers in /proc/vmallocinfo, kmemleak's backtraces, dump_stack()
 * and the reports.
 *
 * The names come from the ELF symbol tables of the program and its shared
 * libraries, read with elfutils' libdwfl (libdw) when kmem was built with it
 * (KMEM_HAVE_LIBDW): that finds static functions too, with their sizes. One
 * Dwfl session for this process is made on first use and kept; an address in
 * no reported module (a library loaded later) reports the modules again once.
 * Without libdw, dladdr1() finds exported symbols with their sizes; anything
 * else prints as "module+0xoffset".
 *
 * kmem_symbolize_fast() never uses libdw: the fault paths (vmalloc, KFENCE,
 * debug_pagealloc) call it from a signal handler, where opening files and
 * allocating is not allowed. KFENCE uses it for all its reports, so that they
 * name the same frames whatever the context.
 *
 * Locking: sym_lock (a host mutex) serialises the Dwfl session, which libdw
 * does not make thread-safe.
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef KMEM_HAVE_LIBDW
#include <elfutils/libdwfl.h>
#endif

#include <linux/kernel.h>
#include "kernel/printk.h"

char *kmem_symbolize_fast(const void *addr, char *buf, size_t len)
{
	const ElfW(Sym) *sym = NULL;
	unsigned long off, size;
	const char *name;
	Dl_info info;

	if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT)) {
		snprintf(buf, len, "0x%lx", (unsigned long)addr);
	} else if (info.dli_sname && info.dli_saddr && sym && sym->st_size) {
		snprintf(buf, len, "%s+0x%lx/0x%lx", info.dli_sname,
			 (unsigned long)addr - (unsigned long)info.dli_saddr,
			 (unsigned long)sym->st_size);
	} else if (kallsyms_lookup_local(addr, &name, &off, &size)) {
		/* Hidden (-fvisibility=hidden) or static: from .symtab. */
		snprintf(buf, len, "%s+0x%lx/0x%lx", name, off, size);
	} else if (info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');

		snprintf(buf, len, "%s+0x%lx", base ? base + 1 : info.dli_fname,
			 (unsigned long)addr - (unsigned long)info.dli_fbase);
	} else {
		snprintf(buf, len, "0x%lx", (unsigned long)addr);
	}
	return buf;
}

#ifdef KMEM_HAVE_LIBDW
static pthread_mutex_t sym_lock = PTHREAD_MUTEX_INITIALIZER;
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

static bool sym_lookup(unsigned long a, char *buf, size_t len)
{
	Dwfl_Module *mod;
	GElf_Off off;
	GElf_Sym sym;
	const char *name;

	mod = dwfl_addrmodule(sym_dwfl, a);
	if (!mod)
		return false;
	name = dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL);
	if (!name || !sym.st_size)
		return false;
	snprintf(buf, len, "%s+0x%lx/0x%lx", name, (unsigned long)off,
		 (unsigned long)sym.st_size);
	return true;
}
#endif

char *kmem_symbolize(const void *addr, char *buf, size_t len)
{
#ifdef KMEM_HAVE_LIBDW
	unsigned long a = (unsigned long)addr;
	bool ok = false;

	pthread_mutex_lock(&sym_lock);
	if ((sym_dwfl && sym_pid == getpid()) || sym_report()) {
		ok = sym_lookup(a, buf, len);
		/* A library loaded since the modules were reported. */
		if (!ok && !dwfl_addrmodule(sym_dwfl, a) && sym_report())
			ok = sym_lookup(a, buf, len);
	}
	pthread_mutex_unlock(&sym_lock);
	if (ok)
		return buf;
#endif
	return kmem_symbolize_fast(addr, buf, len);
}
