#!/bin/sh
# make bench: run every bench/ program of BUILD, print their tables, keep them
# in BUILD/bench/*.txt, and draw with gnuplot (when installed) into OUTDIR
# (default docs/):
#   bench-sizes.svg    ns per kmalloc/malloc pair by size, kmem and each peer
#   bench-live.svg     ns per pair by live-set size (100 .. 1,000,000 objects
#                      of sizes 8..2048, freed in a random order), kmem and
#                      each peer
#   bench-vmalloc.svg  vmalloc and the host's mmap + touch + munmap by size,
#                      the total and the first touch alone
# Usage: sh scripts/bench.sh [--quick | --plot] BUILD [OUTDIR]
# --quick passes --quick to every program (one run with tiny counts: the
# tables and plots have their shape, their figures mean nothing) and keeps
# the tables in OUTDIR instead (tests/cmd/bench_quick.sh). --plot runs
# nothing and draws the plots from the data files BUILD/bench/*.dat that an
# earlier run (or a program run by hand with --data) left.
# The load average is printed before and after: other jobs on the machine
# change the figures.
set -e
quick=
plot_only=
case $1 in
--quick) quick=--quick; shift ;;
--plot) plot_only=1; shift ;;
esac
build=${1:-build}
out=${2:-docs}
dir=$build/bench
[ -d "$dir" ] || { echo "bench: $dir: not built (configure with -DKMEM_BUILD_BENCH=ON)" >&2; exit 1; }
work=$dir
[ -n "$quick" ] && work=$out
mkdir -p "$out" "$work"
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
[ -n "$plot_only" ] || echo "bench: load average $(load) (1, 5, 15 minutes)$quick"
# One program: its table on stdout and in $work/NAME.txt; a failure stops
# the script (set -e does not see through a pipe).
run() {
	name=$1
	shift
	echo "== $name $*"
	"$@" > "$work/$name.txt" || { st=$?; cat "$work/$name.txt"; echo "bench: $name failed (exit $st)" >&2; exit 1; }
	cat "$work/$name.txt"
	echo
}
for b in "$dir"/bench_*; do
	# Only the programs (this directory also holds their tables).
	[ -f "$b" ] && [ -x "$b" ] && [ -z "$plot_only" ] || continue
	name=$(basename "$b")
	case $name in
	bench_sizes) run "$name" "$b" $quick --data "$work/sizes.dat" ;;
	bench_live)
		run "$name" "$b" $quick
		run bench_live_sets "$b" --sets $quick --data "$work/live.dat" ;;
	bench_vmalloc) run "$name" "$b" $quick --data "$work/vmalloc.dat" ;;
	*) run "$name" "$b" $quick ;;
	esac
done
[ -n "$plot_only" ] || echo "bench: load average $(load) at the end"
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench: gnuplot not found: no plots drawn (the tables above are the results;"
	echo "       KMEM_DEPS_BENCH=1 sh scripts/install-deps.sh installs gnuplot-nox)"
	exit 0
fi
plots=
for p in sizes live vmalloc; do
	[ -s "$work/$p.dat" ] && plots="$plots $p"
done
{
	cat <<GP
set terminal svg size 720,420 dynamic font "sans,11" background "white"
set datafile missing "-"
set logscale x 2
set logscale y
set grid
set key top left
set xlabel "size (bytes)"
set format x "%.0b%B"
set ylabel "ns per pair"
GP
	case $plots in *sizes*) cat <<GP ;; esac
set output "$out/bench-sizes.svg"
set title "allocate + touch + free, ns per pair by size (1 thread)"
plot for [i=2:*] "$work/sizes.dat" using 1:i with linespoints title columnheader(i)
GP
	case $plots in *vmalloc*) cat <<GP ;; esac
set output "$out/bench-vmalloc.svg"
set title "vmalloc vs the host's mmap: alloc + touch every page + free (thread CPU time)"
set ylabel "ns per allocation"
plot "$work/vmalloc.dat" using 1:2 with linespoints lc 1 title "kmem vmalloc + touch + vfree", \\
     "$work/vmalloc.dat" using 1:4 with linespoints lc 2 title "host mmap + touch + munmap", \\
     "$work/vmalloc.dat" using 1:6 with linespoints lc 1 dt 2 title "vmalloc: first touch alone", \\
     "$work/vmalloc.dat" using 1:9 with linespoints lc 2 dt 2 title "mmap: first touch alone"
GP
	case $plots in *live*) cat <<GP ;; esac
set output "$out/bench-live.svg"
set title "live sets of sizes 8..2048 freed in random order, ns per pair (1 thread)"
set ylabel "ns per allocate + free pair"
set xlabel "live objects"
set logscale x 10
set format x "%.0s%c"
plot for [i=2:*] "$work/live.dat" using 1:i with linespoints title columnheader(i)
GP
} | gnuplot
for p in $plots; do
	echo "bench: plot $out/bench-$p.svg"
done
