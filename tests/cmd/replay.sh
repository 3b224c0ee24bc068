#!/bin/sh
# kmem replay: every input format and stdin, --json with the fidelity member,
# a truncated compressed file, a file that is not a trace, bad options,
# --slabinfo and --compare glibc on the hand-made sample.
set -eu
kmem=$1
src=$2
data=$src/tests/data
. "$src/tests/cmd/lib/common.sh"
out=$tmp
export KMEM_QUIET=1

"$kmem" --help | grep -q "^  replay TRACE" || fail "--help does not list replay"

for f in trace-ftrace.txt trace-cmd-report.txt trace-perf-script.txt \
	 trace-ftrace.txt.gz trace-ftrace.txt.xz; do
	"$kmem" replay "$data/$f" >"$out/r" 2>"$out/e" || fail "$f: exit $?: $(cat "$out/e")"
	grep -q "35 events" "$out/r" || fail "$f: not 35 events"
	grep -q "kmalloc: 9 of 9 with ksize == the trace's bytes_alloc (100.00%)" "$out/r" ||
		fail "$f: kmalloc fidelity"
	grep -q "^failures: 0$" "$out/r" || fail "$f: failures"
	[ ! -s "$out/e" ] || fail "$f: unexpected stderr: $(cat "$out/e")"
done

# Standard input, compressed.
"$kmem" replay - <"$data/trace-ftrace.txt.xz" >"$out/r" || fail "stdin: exit $?"
grep -q "kmem replay: - (ftrace, xz-compressed)" "$out/r" || fail "stdin: header"

# JSON: one object with fidelity.kmalloc and fidelity.cache.
"$kmem" replay --json "$data/trace-perf-script.txt" >"$out/j" || fail "--json exit $?"
grep -q '"fidelity": {"kmalloc": 1.000000, "cache": 1.000000' "$out/j" || fail "json fidelity"
grep -q '"format": "perf script"' "$out/j" || fail "json format"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["events"]["total"]==35' \
		"$out/j" || fail "json does not parse"
fi

# Malformed lines: reported with their line numbers, skipped, the rest replayed.
"$kmem" replay "$data/trace-malformed.txt" >"$out/r" 2>"$out/e" || fail "malformed: exit $?"
grep -q "trace-malformed.txt:3: malformed line skipped: kmalloc without bytes_alloc=" "$out/e" ||
	fail "malformed: line 3 not reported: $(cat "$out/e")"
grep -q "trace-malformed.txt:12: malformed line skipped" "$out/e" || fail "malformed: truncated last line"
grep -Eq "malformed lines +9" "$out/r" || fail "malformed: count"

# A truncated xz file: said so, what was read is replayed.
head -c 300000 "$data/linux-6.18-x86_64/trace-build.txt.xz" >"$out/cut.xz"
"$kmem" replay "$out/cut.xz" >"$out/r" 2>"$out/e" || fail "truncated: exit $?"
grep -q "xz data truncated after line" "$out/e" || fail "truncated: no message: $(cat "$out/e")"
grep -q "input TRUNCATED" "$out/r" || fail "truncated: report"

# Not a trace: refused with a clear message, exit 1.
if "$kmem" replay "$data/not-a-trace.txt" >"$out/r" 2>"$out/e"; then fail "non-trace accepted"; fi
grep -q "not a kernel trace" "$out/e" || fail "non-trace message: $(cat "$out/e")"
printf '\177ELF\002\001\001\000\000\000' >"$out/bin"
if "$kmem" replay "$out/bin" 2>"$out/e" >/dev/null; then fail "binary accepted"; fi
grep -q "binary data" "$out/e" || fail "binary message"
if "$kmem" replay "$out/nonexistent" 2>"$out/e" >/dev/null; then fail "missing file accepted"; fi
grep -q "No such file" "$out/e" || fail "missing file message"

# Options.
set +e
"$kmem" replay --bogus "$data/trace-ftrace.txt" >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown option: exit $rc"
"$kmem" replay --ram 160M --layout x86-32 --cpus 3 "$data/trace-ftrace.txt" >"$out/r" ||
	fail "machine options: exit $?"
grep -q "^machine: x86-32, 1[56][0-9] MiB RAM, 3 CPUs" "$out/r" || fail "machine options: $(grep machine "$out/r")"
"$kmem" replay --slabinfo "$data/linux-6.18-x86_64/slabinfo.txt" "$data/trace-ftrace.txt" >"$out/r" ||
	fail "--slabinfo exit $?"
grep -q "agrees with slabinfo for 3 of 3 caches" "$out/r" || fail "--slabinfo geometry"
"$kmem" replay --compare glibc "$data/trace-ftrace.txt" >"$out/r" 2>"$out/e" || fail "--compare: exit $?"
grep -Eq "^  glibc +libc.so.6 +[0-9.]+ +[0-9.]+ +[0-9.]+" "$out/r" || fail "--compare: glibc row: $(cat "$out/r" "$out/e")"
grep -Eq "^  kmem +libkmem +[0-9.]+" "$out/r" || fail "--compare: kmem row"
grep -Eq "^  allocator +library +time \(ms\) +ns/op +peak RSS \(MiB\) +faults" "$out/r" ||
	fail "--compare: header: $(grep allocator "$out/r")"
# A pipe where $TMPDIR takes no file: the copy for the second pass and the
# op list are memfds (before, the pipe was read whole and the op list's
# second parse failed: "cannot read standard input again").
cat "$data/trace-ftrace.txt" | TMPDIR=$tmp/none "$kmem" replay --compare glibc - >"$out/r" 2>"$out/e" ||
	fail "--compare from a pipe without TMPDIR: exit $?: $(cat "$out/e")"
grep -Eq "^  kmem +libkmem +[0-9.]+" "$out/r" || fail "--compare from a pipe without TMPDIR: kmem row: $(cat "$out/r")"
# That copy is shmem (a memfd; so is a file on a tmpfs $TMPDIR), host memory
# no RSS shows: the speed line adds its size to the peak RSS; a copy on a
# disk, or none, adds nothing.
kib=$(($(wc -c <"$data/trace-ftrace.txt") / 1024))
grep -q "; host memory: standard input's copy $kib KiB in tmpfs + peak RSS [0-9]* KiB$" "$out/r" ||
	fail "the copy in tmpfs ($kib KiB) not on the speed line: $(grep '^speed' "$out/r")"
cat "$data/trace-ftrace.txt" | TMPDIR=$tmp/none "$kmem" replay --json - >"$out/j" 2>"$out/e" ||
	fail "--json from a pipe without TMPDIR: exit $?: $(cat "$out/e")"
grep -q "\"peak_rss_kib\": [0-9]*, \"stdin_copy_tmpfs_kib\": $kib}" "$out/j" ||
	fail "--json: the copy in tmpfs: $(grep speed "$out/j")"
"$kmem" replay "$data/trace-ftrace.txt" >"$out/r" 2>"$out/e" || fail "file: exit $?"
grep -q "; host memory: peak RSS [0-9]* KiB$" "$out/r" ||
	fail "a file has no copy: $(grep '^speed' "$out/r")"
# kmem's child backs the RAM its slabs take before it is timed: its run
# takes (almost) no host page fault. With the replay's peak of slab pages
# prefaulted (not twice it), 1,568 of its 2,500 slab pages faulted.
build=$data/linux-6.18-x86_64/trace-build.txt.xz
[ -f "$build" ] || fail "no build trace at $build"
"$kmem" replay --json --no-progress --compare glibc "$build" >"$out/j" 2>"$out/e" ||
	fail "--compare on the build trace: exit $?: $(cat "$out/e")"
kline=$(grep '{"name": "kmem"' "$out/j")
faults=$(echo "$kline" | sed -n 's/.*"host_page_faults": \([0-9]*\).*/\1/p')
slab=$(echo "$kline" | sed -n 's/.*"peak_slab_bytes": \([0-9]*\).*/\1/p')
[ -n "$faults" ] && [ -n "$slab" ] || fail "--compare JSON: $kline"
# Under ASan the shadow of the memory touched faults too (an eighth of
# it, and the allocator's own metadata): 611 for 2,492 slab pages, where
# the run without the prefault takes 1,568 + shadow. So a sanitizer
# build allows half the slab pages, a plain one a tenth.
limit=$((slab / 4096 / 10))
[ -z "$extra" ] || limit=$((slab / 4096 / 2))
[ "$faults" -lt "$limit" ] ||
	fail "--compare: kmem took $faults host page faults for $((slab / 4096)) slab pages (limit $limit)"
grep '{"name": "glibc"' "$out/j" | grep -q '"host_page_faults": [1-9]' ||
	fail "--compare: glibc's faults: $(grep glibc "$out/j")"
echo "ok replay"
