#!/bin/sh
# make bench: run every bench/ program of BUILD, print their tables, keep them
# in BUILD/bench/*.txt, and draw with gnuplot (when installed) into docs/:
#   bench-sizes.svg    ns per kmalloc/malloc pair by size, kmem and each peer
#   bench-vmalloc.svg  vmalloc and the host's mmap + touch + munmap by size
# Usage: sh scripts/bench.sh BUILD [OUTDIR]
set -e
build=${1:-build}
out=${2:-docs}
dir=$build/bench
[ -d "$dir" ] || { echo "bench: $dir: not built (configure with -DKMEM_BUILD_BENCH=ON)" >&2; exit 1; }
for b in "$dir"/bench_*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	echo "== $name"
	case $name in
	bench_sizes) "$b" --data "$dir/sizes.dat" | tee "$dir/$name.txt" ;;
	*) "$b" | tee "$dir/$name.txt" ;;
	esac
	echo
done
# vmalloc's table: size (K), pages, vmalloc, kmalloc, host mmap (ns).
awk '$1 ~ /^[0-9]+K$/ { sub("K", "", $1); print $1 * 1024, $3, $5 }' \
	"$dir/bench_vmalloc.txt" > "$dir/vmalloc.dat"
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench: gnuplot not found: no plots drawn (the tables above are the results;"
	echo "       KMEM_DEPS_BENCH=1 sh scripts/install-deps.sh installs gnuplot-nox)"
	exit 0
fi
gnuplot <<GP
set terminal svg size 720,420 dynamic font "sans,11" background "white"
set logscale x 2
set logscale y
set grid
set key top left
set xlabel "size (bytes)"
set format x "%.0b%B"
set output "$out/bench-sizes.svg"
set title "allocate + touch + free, ns per pair by size (1 thread)"
set ylabel "ns per pair"
plot for [i=2:*] "$dir/sizes.dat" using 1:i with linespoints title columnheader(i)
set output "$out/bench-vmalloc.svg"
set title "vmalloc vs the host's mmap: alloc + touch every page + free"
plot "$dir/vmalloc.dat" using 1:2 with linespoints title "kmem vmalloc + vfree", \
     "$dir/vmalloc.dat" using 1:3 with linespoints title "host mmap + munmap"
GP
echo "bench: plots in $out/bench-sizes.svg and $out/bench-vmalloc.svg"
