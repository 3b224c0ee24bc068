#!/bin/sh
# make bench's script in its quick mode (scripts/bench.sh --quick: every bench
# program once with tiny counts): it must finish, print every table with its
# rows and columns, write the data files gnuplot reads, and, when gnuplot is
# installed, draw the three plots as well-formed SVG naming kmem and each peer.
# No figure is checked against another (no timing assertion): only that each
# is a positive number.
# $1: the kmem binary (the bench programs are in bench/ beside it); $2: the
# source root. Skips (77) without bench programs (KMEM_BUILD_BENCH=OFF, as in
# make asan), and after checking the tables when gnuplot is not installed
# (KMEM_DEPS_BENCH=1 sh scripts/install-deps.sh installs it; CI does).
build=$(dirname "$1")
src=$2
ls "$build"/bench/bench_* >/dev/null 2>&1 || { echo "SKIP: no bench programs built"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

sh "$src/scripts/bench.sh" --quick "$build" "$out" > "$out/log" 2>&1 ||
	{ cat "$out/log"; fail "scripts/bench.sh --quick exited $?"; }
grep -q '^bench: load average [0-9]' "$out/log" || fail "no load average printed"
for b in "$build"/bench/bench_*; do
	[ -f "$b" ] && [ -x "$b" ] || continue # make bench's tables are there too
	name=$(basename "$b")
	[ -s "$out/$name.txt" ] || fail "no table of $name"
	grep -q "^== $name " "$out/log" || fail "$name's table not printed"
done
[ -s "$out/bench_live_sets.txt" ] || fail "no table of bench_live --sets"

# Data file $1: header $2 (the first words), first column exactly $3, and
# every other field a positive number or '-' (kmalloc's failure).
check_dat() {
	f=$out/$1
	[ -s "$f" ] || fail "$1 not written"
	head -1 "$f" | grep -q "^$2" || fail "$1: header '$(head -1 "$f")', want '$2 ...'"
	col=$(awk 'NR > 1 { printf "%s ", $1 }' "$f")
	[ "$col" = "$3 " ] || fail "$1: rows '$col', want '$3 '"
	awk -v f="$1" 'NR == 1 { n = NF; next }
		NF != n { print f ": line " NR " has " NF " fields, want " n; bad = 1 }
		{ for (i = 2; i <= NF; i++)
			if ($i != "-" && !($i ~ /^[0-9]+(\.[0-9]+)?$/ && $i > 0)) {
				print f ": line " NR ": '" $i "' is not a positive number"; bad = 1 } }
		END { exit bad }' "$f" || fail "$1: malformed"
}
check_dat sizes.dat "size kmalloc glibc" "8 16 32 64 128 256 512 1024 2048 4096 8192 16384 32768 65536"
check_dat live.dat "live kmalloc glibc" "100 1000 10000"
check_dat vmalloc.dat "size vmalloc kmalloc mmap v_map v_touch v_free m_map m_touch m_free" \
	"4096 16384 65536 262144 1048576"
peers=$(head -1 "$out/sizes.dat" | cut -d' ' -f2-)
[ "$peers" = "$(head -1 "$out/live.dat" | cut -d' ' -f2-)" ] ||
	fail "sizes.dat and live.dat name different allocators"

# The printed tables: one row per workload of bench_live, the phases of
# bench_vmalloc (first touch apart from mapping).
for w in mixed1k mixed100k mixed1k-2T small1k logu1k prodcons larson; do
	grep -q "^| $w |" "$out/bench_live.txt" || fail "bench_live: no $w row"
done
for n in 100 1000 10000; do
	grep -q "^| $n |" "$out/bench_live_sets.txt" || fail "bench_live --sets: no $n row"
done
grep -q 'v touch' "$out/bench_vmalloc.txt" && grep -q 'm touch' "$out/bench_vmalloc.txt" ||
	fail "bench_vmalloc: no first-touch column"

if ! command -v gnuplot >/dev/null 2>&1; then
	grep -q 'gnuplot not found: no plots drawn' "$out/log" || fail "no word that the plots were not drawn"
	echo "SKIP: the tables are right; gnuplot is not installed, so no plot was drawn"
	exit 77
fi
for p in sizes live vmalloc; do
	svg=$out/bench-$p.svg
	[ -s "$svg" ] || fail "bench-$p.svg not drawn"
	grep -q "plot $svg" "$out/log" || fail "bench-$p.svg not named"
done
# Well formed, an <svg> root, and the legend names every allocator.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$out" $peers <<'PY' || fail "an SVG is malformed or misses a legend"
import sys, xml.etree.ElementTree as ET
out, peers = sys.argv[1], sys.argv[2:]
want = {"sizes": peers, "live": peers,
        "vmalloc": ["kmem vmalloc", "host mmap", "vmalloc: first touch",
                    "mmap: first touch"]}
ok = True
for p, names in want.items():
    root = ET.parse("%s/bench-%s.svg" % (out, p)).getroot()
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        print("bench-%s.svg: root %s" % (p, root.tag)); ok = False
    text = " ".join("".join(t.itertext()) for t in root.iter()
                    if t.tag.endswith("text"))
    paths = [t for t in root.iter() if t.tag.endswith("path")]
    if len(paths) < len(names):
        print("bench-%s.svg: %d paths" % (p, len(paths))); ok = False
    for n in names:
        if n not in text:
            print("bench-%s.svg: no '%s' in the legend" % (p, n)); ok = False
sys.exit(0 if ok else 1)
PY
elif command -v xmllint >/dev/null 2>&1; then
	for p in sizes live vmalloc; do
		xmllint --noout "$out/bench-$p.svg" || fail "bench-$p.svg is not well-formed XML"
	done
else
	for p in sizes live vmalloc; do
		tail -c 20 "$out/bench-$p.svg" | grep -q '</svg>' || fail "bench-$p.svg is cut short"
	done
fi
echo "ok: tables, data and plots ($peers)"
