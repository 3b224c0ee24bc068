// SPDX-License-Identifier: MIT
/*
 * The tour's last chapter: where to go from here. It runs nothing on the
 * machine; it names the two commands that continue the tour on real data and
 * in a picture, with the exact command lines (tests/cmd/tour_next.sh runs
 * them). The example trace is named where it is: the installed example data
 * (<prefix>/share/kmem), or the source tree's tests/data for a build tree.
 */
#include "tools/kmem/kmem.h"

static int chapter_next(struct tour *t)
{
	char trace[1024];

	kmem_data_path("trace-ftrace.txt", trace, sizeof(trace));
	tour_say(
		t,
		"Two commands take it further. kmem replay runs an allocation "
		"trace recorded on a real Linux kernel (the kmem and vmalloc "
		"tracepoints, as trace, trace-cmd report or perf script print "
		"them) through these allocators and reports size-class fidelity, "
		"speed and fragmentation:");
	tour_step(t, "kmem replay %s", trace);
	tour_step(t, "kmem replay --json --compare glibc TRACE.xz");
	tour_say(
		t,
		"kmem map draws the machine as one HTML page that needs no "
		"network: every page frame coloured by its owner, the kernel's "
		"virtual layout, the vmalloc areas and their scattered frames, "
		"the processes' VMAs. --scene takes the picture in the middle of "
		"a chapter of this tour, while its objects are alive:");
	tour_step(t, "kmem map -o vmalloc.html --scene vmalloc");
	tour_step(t, "kmem map -o process.html --scene process");
	tour_step(t, "kmem replay %s --map replay.html", trace);
	return 0;
}
TOUR_CHAPTER(90, next, "Next: kmem replay and kmem map", chapter_next)
