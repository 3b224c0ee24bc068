// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/status, /proc/<pid>/maps and /proc/<pid>/smaps_rollup of the
 * simulated processes, in the kernel's formats (fs/proc/task_mmu.c,
 * fs/proc/array.c). "self/..." is the process the calling thread is inside.
 *
 * status prints the lines kmem models, in the kernel's order and format:
 * identity (Name, State, Tgid, Pid, PPid, Uid, Gid), the Vm* and Rss* block
 * (VmExe, VmLib, RssFile, VmPin are 0: no program file or library is mapped,
 * nothing is pinned) and Threads. Addresses are the user addresses the
 * process sees, not host addresses.
 *
 * Locking: process_lock (read) to find the process, its mmap_lock (read) for
 * the VMAs, page_table_lock for the counters and the page walk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <kmem/show.h>
#include "mm/mm_user.h"

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

/* "1234/status" -> 1234, "self/status" -> -1; -2 if malformed. */
static int parse_pid(const char *name)
{
	const char *slash = strrchr(name, '/');
	char *end;
	long pid;

	if (!slash)
		return -2;
	if (slash - name == 4 && !strncmp(name, "self", 4))
		return -1;
	pid = strtol(name, &end, 10);
	if (end != slash || pid <= 0)
		return -2;
	return (int)pid;
}

static int with_process(const char *name, FILE *f,
			void (*show)(struct kmem_process *p, FILE *f))
{
	struct kmem_process *p;
	int pid = parse_pid(name);

	if (pid == -2) {
		fprintf(f, "kmem: %s: not <pid>/... or self/...\n", name);
		return -ENOENT;
	}
	down_read(&process_lock);
	p = find_process(pid);
	if (p)
		show(p, f);
	up_read(&process_lock);
	if (!p) {
		fprintf(f, "kmem: %s: no such process\n", name);
		return -ENOENT;
	}
	return 0;
}

static void status(struct kmem_process *p, FILE *f)
{
	struct kmem_process_info in;
	struct mm_struct *mm = &p->mm;
	unsigned long hwm, peak;
	int inside = __atomic_load_n(&p->nr_inside, __ATOMIC_ACQUIRE);

	kmem_process_info(p, &in);
	spin_lock(&mm->page_table_lock);
	hwm = mm->hiwater_rss;
	spin_unlock(&mm->page_table_lock);
	mmap_read_lock(mm);
	peak = mm->hiwater_vm;
	mmap_read_unlock(mm);
	fprintf(f, "Name:\t%s\n", p->comm);
	fprintf(f, "State:\t%s\n",
		in.killed ? "Z (zombie)" :
		inside	  ? "R (running)" :
			    "S (sleeping)");
	fprintf(f, "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\n", p->pid, p->pid, 1);
	fprintf(f,
		"Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n");
	fprintf(f, "VmPeak:\t%8lu kB\n", K(peak));
	fprintf(f, "VmSize:\t%8lu kB\n", K(in.vm_size));
	fprintf(f, "VmLck:\t%8lu kB\n", K(in.vm_lck));
	fprintf(f, "VmPin:\t%8lu kB\n", 0UL);
	fprintf(f, "VmHWM:\t%8lu kB\n", K(hwm));
	fprintf(f, "VmRSS:\t%8lu kB\n", K(in.rss_anon + in.rss_shmem));
	fprintf(f, "RssAnon:\t%8lu kB\n", K(in.rss_anon));
	fprintf(f, "RssFile:\t%8lu kB\n", 0UL);
	fprintf(f, "RssShmem:\t%8lu kB\n", K(in.rss_shmem));
	fprintf(f, "VmData:\t%8lu kB\n", K(in.vm_data));
	fprintf(f, "VmStk:\t%8lu kB\n", K(in.vm_stk));
	fprintf(f, "VmExe:\t%8lu kB\n", 0UL);
	fprintf(f, "VmLib:\t%8lu kB\n", 0UL);
	fprintf(f, "VmPTE:\t%8lu kB\n", K(in.pte_pages));
	fprintf(f, "VmSwap:\t%8lu kB\n", K(in.swap));
	fprintf(f, "Threads:\t%d\n", inside ? inside : 1);
}

/* The prefix of a maps line; returns its length (for the padding). */
static int vma_header(FILE *f, struct vm_area_struct *vma)
{
	unsigned long fl = vma->vm_flags;

	return fprintf(f, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ",
		       vma->vm_start, vma->vm_end, fl & VM_READ ? 'r' : '-',
		       fl & VM_WRITE ? 'w' : '-', fl & VM_EXEC ? 'x' : '-',
		       fl & VM_MAYSHARE ? 's' : 'p', 0UL, 0,
		       fl & VM_SHARED ? 1 : 0,
		       fl & VM_SHARED ? vma->vm_ino : 0UL);
}

/* seq_pad(): the line is padded to 25 + 6 * sizeof(void *) - 1 characters
 * (72 on 64-bit, 48 on 32-bit), then one space, then the name. */
static void pad_name(FILE *f, int len, const char *name)
{
	int col = machine_is_x86_32() ? 25 + 4 * 6 - 1 : 25 + 8 * 6 - 1;

	if (*name)
		fprintf(f, "%*s %s", len < col ? col - len : 0, "", name);
	fputc('\n', f);
}

static void maps(struct kmem_process *p, FILE *f)
{
	struct mm_struct *mm = &p->mm;
	int i;

	mmap_read_lock(mm);
	for (i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		pad_name(f, vma_header(f, vma), mm_vma_name(mm, vma));
	}
	mmap_read_unlock(mm);
}

static void smaps_rollup(struct kmem_process *p, FILE *f)
{
	struct mm_struct *mm = &p->mm;
	struct mem_size_stats mss;
	unsigned long first = 0, last = 0;
	int i, len;

	memset(&mss, 0, sizeof(mss));
	mmap_read_lock(mm);
	for (i = 0; i < mm->nr_vmas; i++)
		smaps_range(mm, mm->vmas[i], &mss);
	if (mm->nr_vmas) {
		first = mm->vmas[0]->vm_start;
		last = mm->vmas[mm->nr_vmas - 1]->vm_end;
	}
	mmap_read_unlock(mm);
	len = fprintf(f, "%08lx-%08lx ---p %08lx %02x:%02x %lu ", first, last,
		      0UL, 0, 0, 0UL);
	pad_name(f, len, "[rollup]");
#define LINE(name, v) fprintf(f, "%-16s%8lu kB\n", name ":", K(v))
	LINE("Rss", mss.resident);
	LINE("Pss", mss.resident);
	LINE("Pss_Dirty", mss.dirty);
	LINE("Pss_Anon", mss.anonymous);
	LINE("Pss_File", 0UL);
	LINE("Pss_Shmem", mss.shmem);
	LINE("Shared_Clean", 0UL);
	LINE("Shared_Dirty", 0UL);
	LINE("Private_Clean", mss.clean);
	LINE("Private_Dirty", mss.dirty);
	LINE("Referenced", mss.resident);
	LINE("Anonymous", mss.anonymous);
	LINE("KSM", 0UL);
	LINE("LazyFree", mss.lazyfree);
	LINE("AnonHugePages", 0UL);
	LINE("ShmemPmdMapped", 0UL);
	LINE("FilePmdMapped", 0UL);
	LINE("Shared_Hugetlb", 0UL);
	LINE("Private_Hugetlb", 0UL);
	LINE("Swap", mss.swap);
	LINE("SwapPss", mss.swap);
	LINE("Locked", mss.locked);
#undef LINE
}

static int show_status(const char *name, FILE *f)
{
	return with_process(name, f, status);
}

static int show_maps(const char *name, FILE *f)
{
	return with_process(name, f, maps);
}

static int show_smaps_rollup(const char *name, FILE *f)
{
	return with_process(name, f, smaps_rollup);
}

static const struct kmem_view status_view = { "status", show_status, 1 };
static const struct kmem_view maps_view = { "maps", show_maps, 1 };
static const struct kmem_view smaps_rollup_view = { "smaps_rollup",
						    show_smaps_rollup, 1 };

/* The per-process views, registered as every view is (they exist without a
 * machine), listed after the system-wide ones (a lower priority). */
static struct kmem_hook task_mmu_views[] = {
	{ "status", &status_view, -1, NULL },
	{ "maps", &maps_view, -1, NULL },
	{ "smaps_rollup", &smaps_rollup_view, -1, NULL },
};

__attribute__((constructor)) static void task_mmu_register_views(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(task_mmu_views); i++)
		kmem_hook_register(&kmem_views, &task_mmu_views[i]);
}

KMEM_LINK_ANCHOR(task_mmu);
