#!/bin/sh
# The README's C examples, each as the first code of a fresh program built
# against this build tree (issue 9: the vmalloc example returned NULL when it
# ran on its own, because vmalloc read the vmalloc range before the machine
# booted). The program fails if any pointer the example got is NULL or kmem
# printed an allocation failure or a warning.
set -eu
kmem=$1
src=$2
. "$(dirname "$0")/lib/common.sh"
command -v cc >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }

# snippet SECTION: the first ```c block after the README heading "### SECTION".
snippet() {
	awk -v h="### $1" '
		$0 == h { sec = 1; next }
		sec && /^```c$/ { code = 1; next }
		code && /^```$/ { exit }
		code { print }' "$src/README.md"
}

# run NAME SECTION CHECK: the snippet's #include lines, then its body as the
# start of main(); CHECK is the C expression main returns 0 for.
run() {
	name=$1 section=$2 check=$3
	snippet "$section" >"$tmp/$name.snip"
	[ -s "$tmp/$name.snip" ] || fail "no C example under '### $section' in README.md"
	{
		echo "#include <stdio.h>"
		grep '^#include' "$tmp/$name.snip"
		echo "static size_t n = 100000;"
		echo "int main(void)"
		echo "{"
		grep -v '^#include' "$tmp/$name.snip"
		echo "	return ($check) ? 0 : 1;"
		echo "}"
	} >"$tmp/$name.c"
	# shellcheck disable=SC2086
	cc $extra -std=gnu11 -D_GNU_SOURCE -I"$src/include" -o "$tmp/$name" "$tmp/$name.c" \
		-L"$build" -lkmem -Wl,-rpath,"$build" 2>"$tmp/$name.cc" ||
		{ cat "$tmp/$name.cc" "$tmp/$name.c"; fail "the README's $section example does not compile"; }
	st=0
	env -u KMEM_RAM -u KMEM_LAYOUT -u KMEM_CPUS -u KMEM_SWAP -u KMEM_QUIET \
		"$tmp/$name" >"$tmp/$name.out" 2>&1 || st=$?
	[ "$st" -eq 0 ] ||
		{ cat "$tmp/$name.out"; fail "the README's $section example, run on its own, exited $st"; }
	if grep -Eq "allocation failed|allocation failure|WARNING|BUG|panic" "$tmp/$name.out"; then
		cat "$tmp/$name.out"
		fail "the README's $section example printed a failure"
	fi
}

run vmalloc vmalloc "buf && pg && p"
run kmalloc "kmalloc and slab caches" "buf && n == 128 && tasks && t"
echo "ok readme_first_call"
