#!/bin/sh
# A bad KMEM_* value (issue 9): the command exits with status 2 and one line
# naming the variable, the value and the accepted range, whatever the command;
# no "Kernel panic", no SIGABRT. --cpus and KMEM_CPUS accept the same range.
set -eu
kmem=$1
src=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# check ENV EXPECTED-LINE COMMAND...
check() {
	env=$1 want=$2
	shift 2
	set +e
	env -u KMEM_RAM -u KMEM_LAYOUT -u KMEM_CPUS -u KMEM_SWAP -u KMEM_SLAB "$env" \
		"$kmem" "$@" >"$out/o" 2>"$out/e" </dev/null
	st=$?
	set -e
	[ "$st" -eq 2 ] || { cat "$out/e"; fail "$env kmem $*: exit status $st, not 2"; }
	[ ! -s "$out/o" ] || fail "$env kmem $*: wrote to stdout: $(cat "$out/o")"
	[ "$(wc -l <"$out/e")" -eq 1 ] ||
		{ cat "$out/e"; fail "$env kmem $*: not exactly one line on stderr"; }
	[ "$(cat "$out/e")" = "$want" ] ||
		fail "$env kmem $*: said '$(cat "$out/e")', not '$want'"
}

range="use 32M to 64G"
while IFS='|' read -r env line; do
	check "$env" "$line" show meminfo
done <<LIST
KMEM_RAM=abc|kmem: KMEM_RAM=abc: not a size; $range (e.g. 160M, 2G)
KMEM_RAM=1K|kmem: KMEM_RAM=1K: too little RAM; $range
KMEM_RAM=0|kmem: KMEM_RAM=0: too little RAM; $range
KMEM_RAM=-5M|kmem: KMEM_RAM=-5M: not a size; $range (e.g. 160M, 2G)
KMEM_RAM=16M|kmem: KMEM_RAM=16M: too little RAM; $range
KMEM_RAM=100G|kmem: KMEM_RAM=100G: too much RAM; $range
KMEM_RAM=12Q|kmem: KMEM_RAM=12Q: not a size; $range (e.g. 160M, 2G)
KMEM_LAYOUT=arm64|kmem: KMEM_LAYOUT=arm64: unknown layout; use x86-64 or x86-32
KMEM_CPUS=0|kmem: KMEM_CPUS=0: too few CPUs; use 1 to 256
KMEM_CPUS=100000|kmem: KMEM_CPUS=100000: too many CPUs; use 1 to 256
KMEM_CPUS=abc|kmem: KMEM_CPUS=abc: not a CPU count; use 1 to 256
KMEM_CPUS=4x|kmem: KMEM_CPUS=4x: not a CPU count; use 1 to 256
KMEM_CPUS=-1|kmem: KMEM_CPUS=-1: too few CPUs; use 1 to 256
KMEM_SWAP=xyz|kmem: KMEM_SWAP=xyz: not a size; use 0 (none) to 64G (e.g. 160M, 2G)
KMEM_SWAP=100G|kmem: KMEM_SWAP=100G: too much swap; use 0 (none) to 64G
KMEM_SLAB=slib|kmem: KMEM_SLAB=slib: unknown slab allocator; use slub, slab or slob
KMEM_SLAB=slub,slab|kmem: KMEM_SLAB=slub,slab: unknown slab allocator; use slub, slab or slob
LIST

# The x86-32 layout's range, both variables set.
set +e
env KMEM_LAYOUT=x86-32 KMEM_RAM=8G "$kmem" show meminfo >"$out/o" 2>"$out/e"
st=$?
set -e
[ "$st" -eq 2 ] || fail "x86-32 with 8G: exit status $st"
[ "$(cat "$out/e")" = "kmem: KMEM_RAM=8G: too much RAM; use 32M to 4G with the x86-32 layout" ] ||
	fail "x86-32 with 8G said '$(cat "$out/e")'"

# Every command checks the environment first.
check KMEM_RAM=abc "kmem: KMEM_RAM=abc: not a size; $range (e.g. 160M, 2G)" tour
check KMEM_SWAP=xyz "kmem: KMEM_SWAP=xyz: not a size; use 0 (none) to 64G (e.g. 160M, 2G)" tour process
check KMEM_CPUS=0 "kmem: KMEM_CPUS=0: too few CPUs; use 1 to 256" replay "$src/tests/data/trace-ftrace.txt"
check KMEM_LAYOUT=arm64 "kmem: KMEM_LAYOUT=arm64: unknown layout; use x86-64 or x86-32" map -o "$out/m.html"

# The edges of the ranges are accepted; an empty variable counts as unset.
for env in KMEM_RAM=32M KMEM_RAM=32MiB KMEM_CPUS=1 KMEM_CPUS=256 KMEM_SWAP=0 KMEM_RAM= KMEM_CPUS= KMEM_SLAB=slub KMEM_SLAB=SLUB KMEM_SLAB=; do
	env KMEM_QUIET=1 "$env" "$kmem" show meminfo >"$out/o" 2>"$out/e" ||
		{ cat "$out/e"; fail "$env: kmem show meminfo exited $?"; }
	grep -q "^MemTotal:" "$out/o" || fail "$env: no meminfo"
done

# `kmem --help` documents the ranges; replay's --cpus is the same range.
"$kmem" --help >"$out/h"
grep -q "KMEM_CPUS    CPUs, 1 to 256" "$out/h" || fail "--help: KMEM_CPUS range"
grep -q "KMEM_RAM     RAM, 32M to 64G" "$out/h" || fail "--help: KMEM_RAM range"
grep -q "KMEM_SLAB    slab allocator, slub (default), slab or slob" "$out/h" || fail "--help: KMEM_SLAB"
for n in 0 257 abc; do
	set +e
	"$kmem" replay --cpus "$n" "$src/tests/data/trace-ftrace.txt" >"$out/o" 2>"$out/e"
	st=$?
	set -e
	[ "$st" -eq 2 ] || fail "replay --cpus $n: exit status $st"
	[ "$(cat "$out/e")" = "kmem replay: bad --cpus '$n': 1 to 256" ] ||
		fail "replay --cpus $n said '$(cat "$out/e")'"
done
KMEM_QUIET=1 "$kmem" replay --no-progress --cpus 128 "$src/tests/data/trace-ftrace.txt" >"$out/o" 2>&1 ||
	{ cat "$out/o"; fail "replay --cpus 128 exited $?"; }
grep -q "128 CPUs" "$out/o" || { cat "$out/o"; fail "replay --cpus 128 did not boot 128 CPUs"; }
echo "ok bad_env"
