#!/bin/sh
# KFENCE through the kmem command: `kmem show kfence/stats` and
# `kmem show kfence/objects` print /sys/kernel/debug/kfence/'s files, off
# without a command line, on with kfence.sample_every / sample_interval.
set -eu
kmem=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

env -u KMEM_CMDLINE KMEM_QUIET=1 "$kmem" show kfence/stats >"$out/off" ||
	fail "kmem show kfence/stats exited $?"
head -1 "$out/off" | grep -qx 'enabled: 0' || fail "off: $(cat "$out/off")"

KMEM_CMDLINE='kfence.sample_every=1 kfence.num_objects=3' \
	"$kmem" show kfence/stats >"$out/on" 2>"$out/e" || fail "on: exited $?"
for l in 'enabled: 1' 'total frees: 0' 'zombie allocations: 0' \
	'total bugs: 0' 'skipped allocations (covered): 0'; do
	grep -qx "$l" "$out/on" || fail "stats lack '$l': $(cat "$out/on")"
done
grep -q '^currently allocated: [1-3]$' "$out/on" || fail "allocated: $(cat "$out/on")"
grep -q '^skipped allocations (capacity): [1-9]' "$out/on" ||
	fail "3 objects cannot serve every allocation of a boot: $(cat "$out/on")"
grep -q '^kfence: initialized - using 32768 bytes for 3 objects at 0x' "$out/e" ||
	fail "boot line: $(cat "$out/e")"

KMEM_QUIET=1 KMEM_CMDLINE='kfence.sample_every=1 kfence.num_objects=3' \
	"$kmem" show kfence/objects >"$out/obj" || fail "objects: exited $?"
grep -q '^kfence-#0: 0x[0-9a-f]*-0x[0-9a-f]*, size=[0-9]*, cache=' "$out/obj" ||
	fail "objects: $(cat "$out/obj")"
grep -q '^allocated by task [0-9]* on cpu [0-9]* at [0-9]*\.[0-9]\{6\}s (' "$out/obj" ||
	fail "objects: no allocation track: $(cat "$out/obj")"
[ "$(grep -c '^---------------------------------$' "$out/obj")" -eq 3 ] ||
	fail "objects: not 3 entries: $(cat "$out/obj")"
echo ok
