#!/bin/sh
# Every bench program answers --help (usage on stdout, exit 0) and refuses a
# bad argument (exit 2), instead of reading it as 0 iterations or a RAM size.
# $1: the kmem binary (the bench programs are in bench/ beside it); $2: the
# source root.
dir=$(dirname "$1")/bench
ls "$dir"/bench_* >/dev/null 2>&1 || { echo "no bench programs built"; exit 77; }
fail=0
# Every bench/*.c is a program here (bench/CMakeLists.txt builds them all).
for c in "$2"/bench/*.c; do
	n=$(basename "$c" .c)
	[ -x "$dir/bench_$n" ] || { echo "FAIL: bench/$n.c: no bench_$n built"; fail=1; }
done
for b in "$dir"/bench_*; do
	# Only the programs: make bench keeps its tables beside them.
	[ -f "$b" ] && [ -x "$b" ] || continue
	name=$(basename "$b")
	out=$("$b" --help 2>&1); rc=$?
	[ $rc = 0 ] || { echo "FAIL: $name --help: exit $rc"; fail=1; }
	case $out in usage:*) ;; *) echo "FAIL: $name --help: no usage"; fail=1 ;; esac
	for bad in --bogus -5 12x; do
		"$b" $bad >/dev/null 2>&1 </dev/null; rc=$?
		[ $rc = 2 ] || { echo "FAIL: $name $bad: exit $rc, want 2"; fail=1; }
	done
done
exit $fail
