#!/bin/sh
# kmem replay streams a trace file: the report is the same as when the whole
# trace is read first, from a file, standard input or a pipe (copied to a
# temporary file as it is read, for a second pass), on the real trace and the samples
# (one out of timestamp order: a second pass), and on a trace that asks for a
# bigger machine after the speculative boot (a second pass in a new process);
# the host memory (peak RSS, the report's own figure) does not grow with the
# length of the trace, from a file or a pipe.
set -eu
kmem=$1
src=$2
data=$src/tests/data
. "$src/tests/cmd/lib/common.sh"
out=$tmp
export KMEM_QUIET=1

# The report without the lines that name the input or time it.
norm() { grep -v -e '^kmem replay: ' -e '^speed: ' -e '"trace": ' -e '"speed": ' "$1"; }

same() { # FILE [options]: streamed and read whole give the same report
	f=$1
	shift
	"$kmem" replay --caches 0 "$@" "$f" >"$out/file" 2>"$out/file.e" ||
		fail "$f: exit $?: $(cat "$out/file.e")"
	"$kmem" replay --caches 0 "$@" - <"$f" >"$out/stdin" 2>"$out/pipe.e" ||
		fail "$f from stdin: exit $?: $(cat "$out/pipe.e")"
	# Through a pipe: streamed too, a second pass reads its copy.
	cat "$f" | "$kmem" replay --caches 0 "$@" - >"$out/pipe" 2>"$out/piped.e" ||
		fail "$f through a pipe: exit $?: $(cat "$out/piped.e")"
	norm "$out/file" >"$out/file.n"
	norm "$out/stdin" >"$out/stdin.n"
	norm "$out/pipe" >"$out/pipe.n"
	cmp -s "$out/file.n" "$out/stdin.n" ||
		fail "$f $*: file and stdin differ: $(diff "$out/stdin.n" "$out/file.n" | head -20)"
	cmp -s "$out/file.n" "$out/pipe.n" ||
		fail "$f $*: file and pipe differ: $(diff "$out/pipe.n" "$out/file.n" | head -20)"
	cmp -s "$out/pipe.e" "$out/piped.e" ||
		fail "$f: stderr of stdin and pipe differ: $(diff "$out/piped.e" "$out/pipe.e")"
	# The same diagnostics, once (a second pass is quiet).
	sed "s|$f|-|" "$out/file.e" >"$out/file.e2"
	cmp -s "$out/file.e2" "$out/pipe.e" ||
		fail "$f: stderr differs: $(diff "$out/pipe.e" "$out/file.e2")"
}

same "$data/trace-ftrace.txt" --ram 160M --cpus 3 # forced machine, out of order
for f in trace-ftrace.txt trace-ftrace.txt.xz trace-cmd-report.txt \
	trace-perf-script.txt trace-malformed.txt; do
	same "$data/$f"
done
if [ -f "$data/linux-6.18-x86_64/trace-build.txt.xz" ]; then
	same "$data/linux-6.18-x86_64/trace-build.txt.xz"
fi
same "$data/trace-ftrace.txt" --json

# A compressed file that is not a trace: refused while its decoder's thread
# is still decoding (the thread is stopped, nothing is left running).
if command -v xz >/dev/null 2>&1; then
	awk 'BEGIN { for (i = 0; i < 200000; i++) print "MemTotal: " i " kB of prose, not a trace line" }' |
		xz -1 >"$out/prose.xz"
	if "$kmem" replay "$out/prose.xz" >/dev/null 2>"$out/e"; then fail "prose.xz accepted"; fi
	grep -q "not a kernel trace" "$out/e" || fail "prose.xz: $(cat "$out/e")"
fi

# Synthetic traces: n kmalloc/kfree pairs on 1000 pointers, then (big=1) 40
# order-10 page allocations held at once, which ask for a 512 MiB machine
# long after the first 65536 events booted a 256 MiB one.
gen() { # n big
	awk -v n="$1" -v big="$2" 'BEGIN {
		pre = "            bash-2460    [000] .....   ";
		for (i = 0; i < n; i++) {
			ts = 100000000 + 2 * i;
			p = sprintf("%016x", 4096 * (i % 1000 + 1));
			printf "%s%d.%06d: kmalloc: call_site=f+0x1/0x2 ptr=%s bytes_req=40 bytes_alloc=64 gfp_flags=GFP_KERNEL node=-1 accounted=false\n", pre, ts / 1000000, ts % 1000000, p;
			ts++;
			printf "%s%d.%06d: kfree: call_site=g+0x1/0x2 ptr=%s\n", pre, ts / 1000000, ts % 1000000, p;
		}
		for (k = 0; big && k < 80; k++) {
			ts = 100000000 + 2 * n + k;
			pfn = (k % 40 + 1) * 1024;
			if (k < 40)
				printf "%s%d.%06d: mm_page_alloc: page=%016x pfn=0x%x order=10 migratetype=0 gfp_flags=GFP_KERNEL\n", pre, ts / 1000000, ts % 1000000, pfn, pfn;
			else
				printf "%s%d.%06d: mm_page_free: page=%016x pfn=0x%x order=10\n", pre, ts / 1000000, ts % 1000000, pfn, pfn;
		}
	}'
}

gen 40000 1 >"$out/grow.txt"
same "$out/grow.txt"
grep -q "^machine: x86-64, 512 MiB RAM (sized to fit the trace), 1 CPUs" "$out/file" ||
	fail "grow: $(grep '^machine' "$out/file")"
grep -q "^failures: 0" "$out/file" || fail "grow: failures"

# The same trace with two events out of order early (line 12 before line
# 11): the first pass stops replaying and sizing there, so its machine is not
# the trace's; the machine comes from the whole trace in order all the same.
awk 'NR == 11 { held = $0; next } { print } NR == 12 { print held }' \
	"$out/grow.txt" >"$out/early.txt"
cmp -s "$out/grow.txt" "$out/early.txt" && fail "early: not reordered"
same "$out/early.txt"
grep -q "^machine: x86-64, 512 MiB RAM (sized to fit the trace), 1 CPUs" "$out/file" ||
	fail "early disorder: $(grep '^machine' "$out/file")"
grep -q "^failures: 0" "$out/file" || fail "early disorder: failures"
# ... and out of order after the speculative boot (a pass in a new process).
awk 'NR == 70001 { held = $0; next } { print } NR == 70002 { print held }' \
	"$out/grow.txt" >"$out/late.txt"
same "$out/late.txt"
grep -q "^machine: x86-64, 512 MiB RAM (sized to fit the trace), 1 CPUs" "$out/file" ||
	fail "late disorder: $(grep '^machine' "$out/file")"

rss() { # the report's peak RSS (KiB)
	sed -n 's/.*host memory: .*peak RSS \([0-9]*\) KiB$/\1/p' "$1"
}
gen 40000 0 >"$out/1x.txt"
gen 200000 0 >"$out/10x.txt"
"$kmem" replay "$out/1x.txt" >"$out/r1" || fail "1x: exit $?"
"$kmem" replay "$out/10x.txt" >"$out/r10" || fail "10x: exit $?"
cat "$out/10x.txt" | "$kmem" replay - >"$out/r10w" || fail "10x piped: exit $?"
gen 40000 1 | "$kmem" replay - >"$out/r10g" || fail "grow piped: exit $?"
grep -q "^machine: x86-64, 512 MiB RAM (sized to fit the trace), 1 CPUs" "$out/r10g" ||
	fail "grow piped: $(grep '^machine' "$out/r10g")"
grep -q "400000 events" "$out/r10" || fail "10x: $(head -1 "$out/r10")"
r1=$(rss "$out/r1")
r10=$(rss "$out/r10")
r10w=$(rss "$out/r10w")
[ -n "$r1" ] && [ -n "$r10" ] && [ -n "$r10w" ] || fail "no peak RSS in the report"
echo "peak RSS: 80000 events $r1 KiB, 400000 streamed $r10 KiB, piped $r10w KiB"
# 320,000 more events are 15 MiB as struct kmem_trace_event[] (48 bytes each).
[ "$r10" -lt $((r1 + 8192)) ] || fail "streaming: $r1 KiB for 1x, $r10 KiB for 10x"
# A pipe streams too (it was read whole: 1x + 15 MiB and more).
[ "$r10w" -lt $((r1 + 8192)) ] || fail "a pipe: $r1 KiB for 1x, $r10w KiB for 10x piped"
# --compare and --slab stream too: the op list of their children is built
# by a second, ordered parse into a temporary file (they read the whole
# trace, 48 bytes an event, and built the list in memory: 800,000 events
# took 68 MiB). The same operations from a file and from a pipe.
for opt in "--compare glibc" "--slab slub"; do
	# shellcheck disable=SC2086
	"$kmem" replay --json $opt "$out/1x.txt" >"$out/c1" || fail "$opt 1x: exit $?"
	# shellcheck disable=SC2086
	"$kmem" replay --json $opt "$out/10x.txt" >"$out/c10" || fail "$opt 10x: exit $?"
	# shellcheck disable=SC2086
	cat "$out/10x.txt" | "$kmem" replay --json $opt - >"$out/c10p" ||
		fail "$opt 10x piped: exit $?"
	jrss() { sed -n 's/.*"peak_rss_kib": \([0-9]*\).*/\1/p' "$1"; }
	c1=$(jrss "$out/c1")
	c10=$(jrss "$out/c10")
	c10p=$(jrss "$out/c10p")
	echo "$opt peak RSS: 80000 events $c1 KiB, 400000 $c10 KiB, piped $c10p KiB"
	[ "$c10" -lt $((c1 + 8192)) ] || fail "$opt: $c1 KiB for 1x, $c10 KiB for 10x"
	[ "$c10p" -lt $((c1 + 8192)) ] || fail "$opt: $c1 KiB for 1x, $c10p KiB for 10x piped"
	grep -q '"ops": 400000,' "$out/c10" || fail "$opt 10x: $(grep -o '"ops": [0-9]*' "$out/c10")"
	grep -q '"ops": 400000,' "$out/c10p" || fail "$opt 10x piped: $(grep -o '"ops": [0-9]*' "$out/c10p")"
done
echo "ok replay_stream"
