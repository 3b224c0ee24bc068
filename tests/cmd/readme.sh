#!/bin/sh
# Every C example of README.md, compiled and run as written, against the
# installed prefix, the way the README says: `cmake --install` into a
# temporary prefix, `cc app.c $(pkg-config --cflags --libs kmem)`, and run
# from another directory without LD_LIBRARY_PATH (kmem.pc's rpath). The
# examples are extracted from README.md, so they cannot drift: each ```c
# block is the first code of a fresh program (its #include lines first, its
# functions before main(), its statements as main's body). An implicit
# declaration is an error (as in C99 and newer compilers), so an example that
# forgets a header fails. The output must carry no failure the example did not
# ask for. Then the `$ ` command lines of the ```sh blocks run against the
# installed command, and every line the README shows after one must be a line
# of what it prints (standard output and error, as on a terminal).
set -eu
kmem=$1
src=$2
. "$(dirname "$0")/lib/common.sh"
command -v cc >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: no pkg-config"; exit 77; }

install_prefix "$tmp/prefix"
pc=$(find "$tmp/prefix" -name kmem.pc | head -1)
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH

# Split README.md's ```c blocks into $tmp/snip.N, each with its heading.
awk -v dir="$tmp" '
	/^#+ / { head = $0; sub(/^#+ /, "", head) }
	/^```c$/ { n++; code = 1; f = dir "/snip." n; print head > (dir "/head." n); next }
	code && /^```$/ { code = 0; close(f); next }
	code { print > f }' "$src/README.md"
n=$(ls "$tmp" | grep -c '^snip\.' || true)
[ "$n" -ge 6 ] || fail "only $n C examples found in README.md"

mkdir "$tmp/run"
i=1
while [ "$i" -le "$n" ]; do
	s=$tmp/snip.$i
	head=$(cat "$tmp/head.$i")
	# Includes; then function definitions (a line at column 0 ending in ')'
	# followed by '{' at column 0, up to the '}' at column 0); the rest is
	# main's body.
	awk '
		/^#include/ { print; next }' "$s" >"$tmp/ex$i.c"
	awk '
		/^#include/ { next }
		fn { print > "/dev/stderr"; if ($0 == "}") fn = 0; next }
		/^[a-z].*\)$/ { pending = $0; next }
		pending != "" && $0 == "{" { print pending > "/dev/stderr"; print > "/dev/stderr"; pending = ""; fn = 1; next }
		pending != "" { print pending; pending = "" }
		{ print }' "$s" >"$tmp/body$i" 2>"$tmp/fns$i"
	{
		cat "$tmp/fns$i"
		echo "int main(void)"
		echo "{"
		cat "$tmp/body$i"
		echo "	return 0;"
		echo "}"
	} >>"$tmp/ex$i.c"
	# shellcheck disable=SC2046,SC2086
	cc $extra -Werror=implicit-function-declaration -o "$tmp/ex$i" "$tmp/ex$i.c" \
		$(pkg-config --cflags --libs kmem) 2>"$tmp/ex$i.cc" ||
		{ cat "$tmp/ex$i.c" "$tmp/ex$i.cc"; fail "README example $i ('$head') does not compile"; }
	st=0
	(cd "$tmp/run" && env -u LD_LIBRARY_PATH -u KMEM_RAM -u KMEM_LAYOUT -u KMEM_CPUS \
		-u KMEM_SWAP -u KMEM_QUIET -u KMEM_CMDLINE "$tmp/ex$i") >"$tmp/ex$i.out" 2>&1 || st=$?
	[ "$st" -eq 0 ] || { cat "$tmp/ex$i.c" "$tmp/ex$i.out"; fail "README example $i ('$head') exited $st"; }
	if grep -Eq "allocation failed|allocation failure|WARNING|BUG|panic|segfault" "$tmp/ex$i.out"; then
		cat "$tmp/ex$i.out"
		fail "README example $i ('$head') printed a failure"
	fi
	i=$((i + 1))
done

# The `$ ` lines of the ```sh blocks, with the installed command for
# build/kmem; the lines up to the next `$ ` are lines of its output.
awk '
	/^```sh$/ { sh = 1; next }
	sh && /^```$/ { sh = 0; print "```"; next }
	sh { print }' "$src/README.md" >"$tmp/sh"
grep -q '^\$ ' "$tmp/sh" || fail "no \$ command lines in README.md's sh blocks"
j=0
out=0 # in a command's output
while IFS= read -r line; do
	case "$line" in
	'$ '*)
		j=$((j + 1))
		printf '%s\n' "${line#\$ }" | sed "s|build/kmem|$tmp/prefix/bin/kmem|g; s|  *#.*||" >"$tmp/cmd$j"
		: >"$tmp/want$j"
		out=1
		;;
	'```') out=0 ;;
	*) if [ "$out" = 1 ]; then printf '%s\n' "$line" >>"$tmp/want$j"; fi ;;
	esac
done <"$tmp/sh"
k=1
while [ "$k" -le "$j" ]; do
	st=0
	(cd "$tmp/run" && env -u KMEM_QUIET sh "$tmp/cmd$k") >"$tmp/got$k" 2>&1 || st=$?
	[ "$st" -eq 0 ] || { cat "$tmp/got$k"; fail "README command '$(cat "$tmp/cmd$k")' exited $st"; }
	sed 's/ *$//' "$tmp/got$k" >"$tmp/g"
	sed 's/ *$//' "$tmp/want$k" | while IFS= read -r w; do
		grep -Fxq -- "$w" "$tmp/g" || { cat "$tmp/g"; \
			fail "README command '$(cat "$tmp/cmd$k")' does not print '$w'"; }
	done
	k=$((k + 1))
done
echo "ok readme: $n C examples, $j commands"
