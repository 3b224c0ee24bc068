#!/bin/sh
# SPDX-License-Identifier: MIT
# The library's boundary: the dynamic symbols libkmem.so defines must be
# exactly the functions and variables its public headers (include/linux,
# include/kmem, include/asm) declare. An internal symbol that leaks (a
# function of mm/ or kernel/ without `static` and not in a public header) or
# a public declaration left without KMEM_API (include/kmem/export.h) fails.
#
# usage: exports.sh LIBKMEM.so SOURCE_ROOT [-DNAME[=VALUE] ...]
# The -D options are the library's own compile definitions (CMake passes
# them), so a declaration under #ifdef CONFIG_LOCKDEP counts exactly when
# the library was built with it.
#
# Functions come from gcc's -aux-info (every prototype with the file and line
# that declared it; ':NC' marks a declaration, not an inline definition);
# variables from the preprocessed headers (each `extern` object declaration).
set -eu
so=$1
src=$2
shift 2
gcc=$(command -v gcc || true)
if [ -z "$gcc" ]; then
	echo "exports: gcc not found (-aux-info is gcc's): skipped"
	exit 77
fi
command -v nm >/dev/null || { echo "exports: nm not found: skipped"; exit 77; }
[ -f "$so" ] || { echo "exports: no $so"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inc="$src/include"
for h in "$inc"/linux/*.h "$inc"/kmem/*.h "$inc"/asm/*.h; do
	echo "#include <${h#"$inc"/}>"
done >"$tmp/all.c"

"$gcc" -std=gnu11 -D_GNU_SOURCE "$@" -I"$inc" -fsyntax-only \
	-aux-info "$tmp/aux" "$tmp/all.c"
# /* <file>:<line>:NC */ extern void *kmalloc_x (size_t, gfp_t); ...
awk -v inc="$inc/" '
	index($0, "/* " inc) == 1 && $0 ~ /:NC \*\// {
		sub(/^\/\*[^*]*\*\/ /, "")
		if (match($0, /[A-Za-z_][A-Za-z_0-9]* \([^*]/))
			print substr($0, RSTART, RLENGTH - 3)
	}' "$tmp/aux" >"$tmp/decl"

"$gcc" -std=gnu11 -D_GNU_SOURCE "$@" -DKMEM_API= -I"$inc" -E \
	"$tmp/all.c" >"$tmp/all.i"
# Linemarkers name the file each line came from; keep `extern` objects.
awk -v inc="$inc/" '
	/^# [0-9]+ "/ { file = $3; gsub(/"/, "", file); next }
	index(file, inc) != 1 { next }
	/^[ \t]*extern / && !/extern "C"/ && !/\(/ {
		s = $0
		sub(/;.*/, "", s)
		sub(/\[.*/, "", s)
		n = split(s, w, /[ \t*]+/)
		print w[n]
	}' "$tmp/all.i" >>"$tmp/decl"
sort -u "$tmp/decl" >"$tmp/declared"

# Left out: the sanitizers' own symbols (AddressSanitizer's ODR indicators
# __odr_asan.NAME of exported variables, coverage tables).
nm -D --defined-only "$so" | awk '{ print $NF }' |
	grep -v '^__odr_asan\|^__asan_\|^__sancov_\|^__ubsan_' | sort -u >"$tmp/exported"

leaked=$(comm -13 "$tmp/declared" "$tmp/exported")
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
nd=$(wc -l <"$tmp/declared")
ne=$(wc -l <"$tmp/exported")
st=0
if [ -n "$leaked" ]; then
	echo "exports: libkmem.so exports symbols no public header declares:"
	echo "$leaked" | sed 's/^/  /'
	st=1
fi
if [ -n "$missing" ]; then
	echo "exports: public declarations libkmem.so does not export (KMEM_API missing, or not implemented):"
	echo "$missing" | sed 's/^/  /'
	st=1
fi
[ "$nd" -gt 100 ] || { echo "exports: only $nd declarations found: the header parse is broken"; st=1; }
[ $st = 0 ] && echo "exports: $ne symbols exported, exactly the $nd the public headers declare"
exit $st
