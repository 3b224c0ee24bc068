#!/bin/sh
# The user-memory tour chapter runs, and its figures say what it claims:
# RSS 0 after mapping, one frame per written page, every swapped page intact.
set -eu
out=$("$1" tour process)
echo "$out" | grep -q "after reading 64 MiB: .*VmRSS      0 kB  zero-page ptes 16384"
echo "$out" | grep -q "after 1000 one-byte writes: .*VmRSS   4000 kB"
echo "$out" | grep -q "0 pages with wrong contents"
echo "$out" | grep -q "contents intact"
echo "$out" | grep -q "\[heap\]"
echo "$out" | grep -q "exit: MemFree back to \([0-9]*\) pages (before: \1)"
