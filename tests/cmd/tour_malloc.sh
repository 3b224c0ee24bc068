#!/bin/sh
# The malloc tour chapter runs, and its figures say what it claims: the first
# malloc grows the break by 132 KiB, a large request is its own mapping that
# free unmaps, reads map the zero page, malloc_trim gives the heap back, a
# malloc'd buffer survives swap while the kmalloc'd object stays put.
set -eu
out=$("$1" tour malloc)
echo "$out" | grep -q "after malloc(100): *brk    +132 kB"
echo "$out" | grep -q "672 bytes into the heap"
echo "$out" | grep -q "after reading 16 MiB: .*zero-page ptes 4095"
echo "$out" | grep -q "after free(16 MiB): *brk    +132 kB  VmSize    268 kB"
echo "$out" | grep -q "after malloc_trim(0): *brk      +4 kB"
echo "$out" | grep -q "^Arena 0:"
echo "$out" | grep -q "max mmap bytes   =   16781312"
echo "$out" | grep -q "\[heap\]"
echo "$out" | grep -q "0 pages with wrong contents"
echo "$out" | grep -q "contents intact"
echo "$out" | grep -q "exit: MemFree back to \([0-9]*\) pages (before: \1)"
