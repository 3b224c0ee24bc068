// SPDX-License-Identifier: MIT
/*
 * Trace fidelity: replay the kmalloc and kfree events of the real 6.18
 * build trace (trace-build.txt.xz) and check that ksize() of every
 * kmalloc(bytes_req, gfp_flags) equals the bytes_alloc the kernel reported
 * (19,908 of 19,908). Objects live as long as in the trace (kfree events are
 * paired with their kmalloc by the hashed pointer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/slab.h>
#include "kernel/internal.h"
#include "test.h"

#define TRACE "linux-6.18-x86_64/trace-build.txt.xz"
#define HASH_SIZE (1 << 16)

struct live {
	unsigned long hashed;
	void *p;
};
static struct live table[HASH_SIZE];

static struct live *lookup(unsigned long hashed, bool insert)
{
	unsigned long i = (hashed * 0x9e3779b97f4a7c15UL) >> 48;

	for (;; i = (i + 1) & (HASH_SIZE - 1)) {
		if (table[i].hashed == hashed)
			return &table[i];
		if (!table[i].hashed)
			return insert ? &table[i] : NULL;
	}
}

static void forget(struct live *e)
{
	/* backward-shift deletion keeps the probe chains intact */
	unsigned long i = (unsigned long)(e - table), j = i;

	for (;;) {
		unsigned long home;

		j = (j + 1) & (HASH_SIZE - 1);
		if (!table[j].hashed)
			break;
		home = (table[j].hashed * 0x9e3779b97f4a7c15UL) >> 48;
		if (((j - home) & (HASH_SIZE - 1)) >= ((j - i) & (HASH_SIZE - 1))) {
			table[i] = table[j];
			i = j;
		}
	}
	table[i].hashed = 0;
	table[i].p = NULL;
}

static FILE *open_trace(void)
{
	static const char *const dirs[] = { KMEM_DATA_DIR,
					    KMEM_SOURCE_DIR "/../../shared/data" };
	char cmd[1200];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dirs[i], TRACE);
		f = fopen(path, "r");
		if (!f)
			continue;
		fclose(f);
		snprintf(cmd, sizeof(cmd), "xz -dc '%s'", path);
		return popen(cmd, "r");
	}
	return NULL;
}

TEST(trace_ksize)
{
	FILE *f = open_trace();
	char line[1024];
	unsigned long events = 0, match = 0, frees = 0, bad_gfp = 0;
	unsigned int i;

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *ev = strstr(line, ": kmalloc: ");
		char gfpbuf[256];
		unsigned long hashed, req, alloc;
		unsigned int gfp;
		struct live *e;

		if (!ev) {
			char *fr = strstr(line, ": kfree: ");
			char *pp;

			if (!fr || !(pp = strstr(fr, " ptr=")))
				continue;
			hashed = strtoul(pp + 5, NULL, 16);
			e = hashed ? lookup(hashed, false) : NULL;
			if (e) {
				kfree(e->p);
				forget(e);
				frees++;
			}
			continue;
		}
		if (sscanf(strstr(ev, " ptr="), " ptr=%lx bytes_req=%lu bytes_alloc=%lu gfp_flags=%255s",
			   &hashed, &req, &alloc, gfpbuf) != 4)
			continue;
		events++;
		if (kmem_parse_gfp(gfpbuf, &gfp)) {
			bad_gfp++;
			continue;
		}
		{
			void *p = kmalloc(req, gfp);

			if (p && ksize(p) == alloc)
				match++;
			else
				fprintf(stderr, "  kmalloc(%lu, %s): ksize %zu, kernel %lu\n",
					req, gfpbuf, p ? ksize(p) : 0, alloc);
			e = lookup(hashed, true);
			if (e->hashed) /* the trace reused a live pointer: free ours */
				kfree(e->p);
			e->hashed = hashed;
			e->p = p;
		}
	}
	pclose(f);
	for (i = 0; i < HASH_SIZE; i++)
		if (table[i].hashed)
			kfree(table[i].p);
	fprintf(stderr, "  trace: %lu of %lu kmalloc events get the kernel's bytes_alloc (%lu freed in the trace)\n",
		match, events, frees);
	CHECK_EQ(bad_gfp, 0);
	CHECK_EQ(events, 19908);
	CHECK_EQ(match, 19908);
}

int main(void)
{
	RUN(trace_ksize);
	return test_summary();
}
