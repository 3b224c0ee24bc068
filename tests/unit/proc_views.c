// SPDX-License-Identifier: MIT
/*
 * The /proc views of the page allocator: their layout is compared line by line
 * with the Linux 6.18 snapshots (numbers normalised: right-aligned columns keep
 * their end column, left-aligned values their start), and their figures are
 * parsed back and checked against each other and against the allocator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include <linux/gfp.h>
#include <linux/mm.h>
#include "mm/internal.h"
#include "test.h"

#define SNAP KMEM_TEST_DATA "/linux-6.18-x86_64/"

static char *view(const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_EQ(kmem_show(name, f), 0);
	fclose(f);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	return buf;
}

/* Right-aligned columns: every digit but the last of a number becomes a
 * space, so "   752 " and "     3 " both read "     N ". */
static void norm_right(char *s)
{
	for (; *s; s++)
		if (isdigit((unsigned char)*s))
			*s = isdigit((unsigned char)s[1]) ? ' ' : 'N';
}

/* Left-aligned values: a number becomes one 'N'. */
static void norm_left(char *s)
{
	char *d = s;

	while (*s) {
		if (isdigit((unsigned char)*s)) {
			while (isdigit((unsigned char)*s))
				s++;
			*d++ = 'N';
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
}

/* Compare two texts line by line after normalisation; skip lines for which
 * skip() says so. Returns the number of differing lines. */
static int compare_layout(char *ours, char *snap, void (*norm)(char *),
			  bool (*skip)(const char *line))
{
	char *sa = NULL, *sb = NULL, *a, *b;
	int bad = 0, n = 0;

	norm(ours);
	norm(snap);
	a = strtok_r(ours, "\n", &sa);
	b = strtok_r(snap, "\n", &sb);
	while (a || b) {
		if (a && skip && skip(a)) {
			a = strtok_r(NULL, "\n", &sa);
			continue;
		}
		if (b && skip && skip(b)) {
			b = strtok_r(NULL, "\n", &sb);
			continue;
		}
		n++;
		if (!a || !b || strcmp(a, b)) {
			if (bad++ < 5)
				fprintf(stderr,
					"  line %d differs:\n  ours: '%s'\n  real: '%s'\n",
					n, a ? a : "(end)", b ? b : "(end)");
		}
		if (a)
			a = strtok_r(NULL, "\n", &sa);
		if (b)
			b = strtok_r(NULL, "\n", &sb);
	}
	return bad;
}

static void boot(unsigned long long ram, enum kmem_layout layout)
{
	struct kmem_config cfg = {
		.ram = ram, .layout = layout, .cpus = 2, .quiet = true
	};

	CHECK_EQ(test_boot(&cfg), 0);
}

/* An x86-64 machine with the snapshot's zones: DMA, DMA32 and Normal. */
#define SNAPSHOT_RAM (3584ULL << 20)

/* ---- buddyinfo ----------------------------------------------------------- */

struct buddy_line {
	char zone[16];
	unsigned long n[NR_PAGE_ORDERS];
};

static int parse_buddyinfo(const char *text, struct buddy_line *out, int max)
{
	const char *p = text;
	int nr = 0;

	while (*p && nr < max) {
		struct buddy_line *l = &out[nr];
		int node, used = 0, i;

		if (sscanf(p, "Node %d, zone %15s%n", &node, l->zone, &used) !=
		    2)
			break;
		p += used;
		for (i = 0; i < NR_PAGE_ORDERS; i++) {
			char *end;

			l->n[i] = strtoul(p, &end, 10);
			p = end;
		}
		p = strchr(p, '\n');
		nr++;
		if (!p)
			break;
		p++;
	}
	return nr;
}

TEST(buddyinfo_format)
{
	char *ours, *snap = slurp(SNAP "buddyinfo.txt");
	struct buddy_line l[8];
	int nr, i;

	boot(SNAPSHOT_RAM, KMEM_LAYOUT_X86_64);
	ours = view("buddyinfo");
	nr = parse_buddyinfo(ours, l, 8);
	CHECK_EQ(nr, 3);
	for (i = 0; i < nr; i++) {
		struct zone *z = NULL, *zz;
		unsigned long pages = 0;
		unsigned int o;

		for_each_zone(zz)
			if (!strcmp(zz->name, l[i].zone))
				z = zz;
		CHECK(z != NULL);
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			pages += l[i].n[o] << o;
		if (z)
			CHECK_EQ(pages, zone_page_state(z, NR_FREE_PAGES));
	}
	CHECK_EQ(compare_layout(ours, snap, norm_right, NULL), 0);
	free(ours);
	free(snap);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* After allocations, buddyinfo moves: the order-10 count drops, a split
 * leaves one free block at each order below. */
TEST(buddyinfo_follows_allocations)
{
	struct buddy_line before[4], after[4];
	struct page *p;
	char *t;
	int i, nr;

	page_alloc_set_pcp(false);
	t = view("buddyinfo");
	nr = parse_buddyinfo(t, before, 4);
	CHECK(nr >= 2);
	free(t);
	p = alloc_pages(GFP_DMA, 0);
	CHECK(p != NULL);
	t = view("buddyinfo");
	CHECK_EQ(parse_buddyinfo(t, after, 4), nr);
	free(t);
	{
		unsigned long b = 0, a = 0;
		unsigned int o;

		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			b += before[0].n[o] << o;
			a += after[0].n[o] << o;
		}
		CHECK_STR(after[0].zone, "DMA");
		CHECK_EQ(a, b - 1);
	}
	for (i = 1; i < nr; i++)
		CHECK(!memcmp(before[i].n, after[i].n, sizeof(before[i].n)));
	__free_pages(p, 0);
	page_alloc_set_pcp(true);
}

/* ---- pagetypeinfo ---------------------------------------------------------- */

TEST(pagetypeinfo_format)
{
	char *ours, *snap = slurp(SNAP "pagetypeinfo.txt"), *p, *copy;
	struct buddy_line b[4];
	unsigned long sum[4][NR_PAGE_ORDERS] = { { 0 } }, blocks[4] = { 0 };
	int zi = -1, i, nr;
	char *t;

	boot(SNAPSHOT_RAM, KMEM_LAYOUT_X86_64);
	/* Mix the migrate types a little so more than one row has figures. */
	{
		struct page *a = alloc_pages(GFP_KERNEL, 3);
		struct page *r = alloc_pages(GFP_KERNEL | __GFP_RECLAIMABLE, 2);

		ours = view("pagetypeinfo");
		t = view("buddyinfo");
		__free_pages(a, 3);
		__free_pages(r, 2);
	}
	nr = parse_buddyinfo(t, b, 4);
	CHECK_EQ(nr, 3);
	copy = strdup(ours);
	/* Parse back: the per-type counts add up to buddyinfo's. */
	for (p = strtok(copy, "\n"); p; p = strtok(NULL, "\n")) {
		char zone[16], type[16];
		int node, used;

		if (sscanf(p, "Node %d, zone %15[^,], type %15s%n", &node, zone,
			   type, &used) == 3) {
			char *q = p + used, *end;
			unsigned int o;

			for (zi = 0; zi < nr; zi++)
				if (!strcmp(b[zi].zone,
					    zone + strspn(zone, " ")))
					break;
			CHECK(zi < nr);
			for (o = 0; o < NR_PAGE_ORDERS && zi < nr; o++) {
				sum[zi][o] += strtoul(q, &end, 10);
				q = end;
			}
		} else if (sscanf(p, "Node %d, zone %15s%n", &node, zone,
				  &used) == 2) {
			char *q = p + used, *end;

			for (zi = 0; zi < nr; zi++)
				if (!strcmp(b[zi].zone, zone))
					break;
			CHECK(zi < nr);
			for (i = 0; i < MIGRATE_TYPES && zi < nr; i++) {
				blocks[zi] += strtoul(q, &end, 10);
				q = end;
			}
		}
	}
	for (zi = 0; zi < nr; zi++) {
		struct zone *z = NULL, *zz;

		CHECK(!memcmp(sum[zi], b[zi].n, sizeof(b[zi].n)));
		for_each_zone(zz)
			if (!strcmp(zz->name, b[zi].zone))
				z = zz;
		if (z)
			CHECK_EQ(blocks[zi],
				 ((z->zone_start_pfn + z->spanned_pages - 1) >>
				  pageblock_order) -
					 (z->zone_start_pfn >>
					  pageblock_order) +
					 1);
	}
	CHECK(strstr(ours, "Node    0, zone   Normal, type  Reclaimable ") !=
	      NULL);
	CHECK_EQ(compare_layout(ours, snap, norm_right, NULL), 0);
	free(copy);
	free(t);
	free(ours);
	free(snap);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* ---- zoneinfo ----------------------------------------------------------------- */

struct zi_zone {
	char name[16];
	unsigned long free, min, low, high, spanned, present, managed;
	long prot[MAX_NR_ZONES];
	int nprot;
};

static int parse_zoneinfo(const char *text, struct zi_zone *z, int max)
{
	const char *p = text;
	int nr = -1;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char name[16];
		int node;

		if (sscanf(p, "Node %d, zone %15s", &node, name) == 2) {
			if (++nr >= max)
				break;
			memset(&z[nr], 0, sizeof(z[nr]));
			strcpy(z[nr].name, name);
			continue;
		}
		if (nr < 0)
			continue;
		sscanf(p, "  pages free %lu", &z[nr].free);
		sscanf(p, "        min %lu", &z[nr].min);
		sscanf(p, "        low %lu", &z[nr].low);
		sscanf(p, "        high %lu", &z[nr].high);
		sscanf(p, "        spanned %lu", &z[nr].spanned);
		sscanf(p, "        present %lu", &z[nr].present);
		sscanf(p, "        managed %lu", &z[nr].managed);
		if (!strncmp(p, "        protection: (", 21)) {
			const char *q = p + 21;
			char *end;

			while (*q && *q != ')' && z[nr].nprot < MAX_NR_ZONES) {
				z[nr].prot[z[nr].nprot++] = strtol(q, &end, 10);
				q = end;
				if (*q == ',')
					q++;
			}
		}
	}
	return nr + 1 > max ? max : nr + 1;
}

TEST(zoneinfo_format)
{
	char *ours, *snap = slurp(SNAP "zoneinfo.txt");
	struct zi_zone z[MAX_NR_ZONES];
	int nr, i, j;

	boot(SNAPSHOT_RAM, KMEM_LAYOUT_X86_64);
	ours = view("zoneinfo");
	nr = parse_zoneinfo(ours, z, MAX_NR_ZONES);
	CHECK_EQ(nr, 5);
	CHECK_STR(z[0].name, "DMA");
	CHECK_STR(z[1].name, "DMA32");
	CHECK_STR(z[2].name, "Normal");
	CHECK_STR(z[3].name, "Movable");
	CHECK_STR(z[4].name, "Device");
	for (i = 0; i < nr; i++) {
		unsigned long tmp = z[i].low - z[i].min;

		CHECK_EQ(z[i].nprot, 5);
		/* high = low + tmp with tmp = max(min / 4, managed / 1000) */
		CHECK_EQ(z[i].high - z[i].low, tmp);
		if (i < 3)
			CHECK_EQ(tmp,
				 max(z[i].min / 4, z[i].managed * 10 / 10000));
		/* protection[j] = managed of zones i+1..j / ratio (256, 256, 32) */
		for (j = 0; j < nr && i < 2; j++) {
			unsigned long above = 0;
			int k;

			for (k = i + 1; k <= j; k++)
				above += z[k].managed;
			CHECK_EQ(z[i].prot[j], above / 256);
		}
		CHECK(z[i].present <= z[i].spanned);
		CHECK(z[i].managed <= z[i].present);
	}
	/* min is min_free_kbytes shared by managed pages over the low zones. */
	{
		unsigned long lowmem =
			z[0].managed + z[1].managed + z[2].managed;
		unsigned long pages_min = min_free_kbytes / 4;

		CHECK_EQ(min_free_kbytes, int_sqrt(lowmem * 4 * 16));
		for (i = 0; i < 3; i++)
			CHECK_EQ(z[i].min, pages_min * z[i].managed / lowmem);
	}
	CHECK_EQ(z[3].min, 32); /* Movable: clamp(managed / 1024, 32, 128) */
	CHECK_EQ(z[4].min, 0);
	CHECK_EQ(compare_layout(ours, snap, norm_left, NULL), 0);
	free(ours);
	free(snap);
	CHECK(kmem_check_invariants());
	test_halt();
}

TEST(zoneinfo_x86_32)
{
	struct zi_zone z[MAX_NR_ZONES];
	char *ours;
	int nr;

	boot(160ULL << 20, KMEM_LAYOUT_X86_32);
	ours = view("zoneinfo");
	nr = parse_zoneinfo(ours, z, MAX_NR_ZONES);
	CHECK_EQ(nr, 4);
	CHECK_STR(z[0].name, "DMA");
	CHECK_STR(z[1].name, "Normal");
	CHECK_STR(z[2].name, "HighMem");
	CHECK_STR(z[3].name, "Movable");
	CHECK_EQ(z[0].nprot, 4);
	CHECK_EQ(z[0].prot[1], z[1].managed / 256);
	CHECK_EQ(z[2].managed, 0);
	CHECK_EQ(z[2].min, 32);
	/* The empty zone stops at its protection line. */
	CHECK(strstr(ours, "zone  HighMem\n  pages free     0\n") != NULL);
	CHECK(strstr(ours, "protection: (0, 0, 0, 0)\nNode 0, zone  Movable") !=
	      NULL);
	free(ours);
	test_halt();
	boot(1ULL << 30, KMEM_LAYOUT_X86_32);
	ours = view("zoneinfo");
	nr = parse_zoneinfo(ours, z, MAX_NR_ZONES);
	CHECK_EQ(nr, 4);
	CHECK(z[2].managed > 0);
	/* Normal ends at the 896 MiB low-memory limit (MAXMEM = 0x377fe000). */
	CHECK_EQ((z[1].spanned + 4096) << PAGE_SHIFT, 0x377fe000UL);
	CHECK_EQ(z[0].prot[2], (z[1].managed + z[2].managed) / 256);
	CHECK_EQ(z[1].prot[2], z[2].managed / 32);
	free(ours);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* ---- meminfo ------------------------------------------------------------------- */

static unsigned long meminfo_val(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoul(p + strlen(key), NULL, 10) : (unsigned long)-1;
}

/* Lines of the x86-32 meminfo that differ from the x86-64 snapshot: the
 * highmem lines exist only there, and VmallocTotal is narrow enough to fit
 * its column (x86-64's 32 TiB overflows it). */
static bool is_highmem_line(const char *line)
{
	return !strncmp(line, "VmallocTotal:", 13) ||
	       !strncmp(line, "HighTotal:", 10) ||
	       !strncmp(line, "HighFree:", 9) ||
	       !strncmp(line, "LowTotal:", 9) || !strncmp(line, "LowFree:", 8);
}

TEST(meminfo_format)
{
	char *ours, *snap = slurp(SNAP "meminfo.txt"), *zi;
	struct zi_zone z[MAX_NR_ZONES];
	struct kmem_machine_info info;
	unsigned long reserve = 0, managed = 0, avail;
	long free_kb;
	int nr, i, j;

	boot(SNAPSHOT_RAM, KMEM_LAYOUT_X86_64);
	ours = view("meminfo");
	zi = view("zoneinfo");
	nr = parse_zoneinfo(zi, z, MAX_NR_ZONES);
	kmem_machine_info(&info);
	for (i = 0; i < nr; i++) {
		long m = 0;

		for (j = i; j < z[i].nprot; j++)
			m = max(m, z[i].prot[j]);
		m += (long)z[i].high;
		reserve += min((unsigned long)m, z[i].managed);
		managed += z[i].managed;
	}
	CHECK_EQ(meminfo_val(ours, "MemTotal:"), managed * 4);
	free_kb = (long)meminfo_val(ours, "MemFree:");
	CHECK_EQ(free_kb, (long)nr_free_pages() * 4);
	/* si_mem_available with no page cache and no reclaimable slab */
	avail = meminfo_val(ours, "MemAvailable:");
	CHECK_EQ(avail, (unsigned long)(free_kb / 4 - (long)reserve) * 4);
	CHECK_EQ(meminfo_val(ours, "VmallocTotal:"),
		 (info.vmalloc_end - info.vmalloc_start) >> 10);
	CHECK_EQ(meminfo_val(ours, "VmallocTotal:"), 34359738367UL);
	CHECK_EQ(meminfo_val(ours, "CommitLimit:"), managed * 50 / 100 * 4);
	CHECK_EQ(meminfo_val(ours, "Buffers:"), 0);
	{
		unsigned long dm = meminfo_val(ours, "DirectMap4k:") +
				   meminfo_val(ours, "DirectMap2M:") +
				   meminfo_val(ours, "DirectMap1G:");
		/* The first MiB (ISA, always mapped) plus RAM from 1 MiB to
		 * 3 GiB and from 4 GiB on: 3584 MiB in all. */
		CHECK_EQ(dm, 3584UL << 10);
		/* 1 GiB pages for [1 GiB, 3 GiB); 2 MiB pages below and at 4 GiB */
		CHECK_EQ(meminfo_val(ours, "DirectMap1G:"), 2UL << 20);
		CHECK_EQ(meminfo_val(ours, "DirectMap4k:"), 2UL << 10);
	}
	CHECK_EQ(compare_layout(ours, snap, norm_right, NULL), 0);
	free(ours);
	free(snap);
	free(zi);
	CHECK(kmem_check_invariants());
	test_halt();
}

TEST(meminfo_x86_32)
{
	char *ours, *snap = slurp(SNAP "meminfo.txt");
	struct kmem_machine_info info;
	unsigned long total, high;

	boot(1ULL << 30, KMEM_LAYOUT_X86_32);
	kmem_machine_info(&info);
	ours = view("meminfo");
	total = meminfo_val(ours, "MemTotal:");
	high = meminfo_val(ours, "HighTotal:");
	CHECK(high > 0);
	CHECK_EQ(high, totalhigh_pages() * 4);
	CHECK_EQ(meminfo_val(ours, "LowTotal:"), total - high);
	CHECK_EQ(meminfo_val(ours, "LowFree:") + meminfo_val(ours, "HighFree:"),
		 meminfo_val(ours, "MemFree:"));
	CHECK_EQ(meminfo_val(ours, "VmallocTotal:"),
		 (info.vmalloc_end - info.vmalloc_start) >> 10);
	/* 1 GiB: low memory is 896 MiB minus 8 KiB, VMALLOC_START = high_memory
	 * + 8 MiB, VMALLOC_END = PAGE_OFFSET + 0x3f7fe000 */
	CHECK_EQ(meminfo_val(ours, "VmallocTotal:"),
		 (0x3f7fe000UL - 0x377fe000UL - (8UL << 20)) >> 10);
	CHECK(strstr(ours, "DirectMap1G:") == NULL);
	{
		char want[64];

		snprintf(want, sizeof(want), "\nVmallocTotal:   %8lu kB\n",
			 (info.vmalloc_end - info.vmalloc_start) >> 10);
		CHECK(strstr(ours, want) != NULL);
	}
	/* Same lines as the x86-64 snapshot but the four highmem ones, and no
	 * DirectMap1G (32-bit PAE has no 1 GiB pages). */
	{
		char *s1g = strstr(snap, "DirectMap1G:");

		if (s1g)
			*s1g = 0;
	}
	CHECK_EQ(compare_layout(ours, snap, norm_right, is_highmem_line), 0);
	free(ours);
	free(snap);
	CHECK(kmem_check_invariants());
	test_halt();
}

/* ---- accounting ------------------------------------------------------------------ */

/* MemFree and the owner counts follow allocations page for page. */
TEST(accounting_adds_up)
{
	unsigned long counts0[KMEM_NR_OWNERS], counts1[KMEM_NR_OWNERS];
	unsigned long free0, free1;
	struct page *p[16];
	unsigned int o, i;
	unsigned long n = 0;

	free0 = kmem_free_pages_drained();
	page_owner_counts(counts0);
	for (i = 0; i < 16; i++) {
		o = i % 5;
		p[i] = alloc_pages(GFP_KERNEL, o);
		CHECK(p[i] != NULL);
		n += 1UL << o;
	}
	free1 = kmem_free_pages_drained();
	page_owner_counts(counts1);
	CHECK_EQ(free0 - free1, n);
	CHECK_EQ(counts1[KMEM_OWNER_NONE] - counts0[KMEM_OWNER_NONE], n);
	CHECK_EQ(counts1[KMEM_OWNER_FREE] + counts1[KMEM_OWNER_PCP] + n,
		 counts0[KMEM_OWNER_FREE] + counts0[KMEM_OWNER_PCP]);
	CHECK(page_alloc_check());
	for (i = 0; i < 16; i++)
		__free_pages(p[i], i % 5);
	CHECK_EQ(kmem_free_pages_drained(), free0);
	{
		char *m = view("meminfo");

		CHECK_EQ(meminfo_val(m, "MemFree:"), free0 * 4);
		free(m);
	}
}

int main(void)
{
	kmem_log_set_console(NULL);
	RUN(buddyinfo_format);
	RUN(buddyinfo_follows_allocations);
	RUN(pagetypeinfo_format);
	RUN(zoneinfo_format);
	RUN(zoneinfo_x86_32);
	RUN(meminfo_format);
	RUN(meminfo_x86_32);
	RUN(accounting_adds_up);
	test_halt();
	return test_summary();
}
