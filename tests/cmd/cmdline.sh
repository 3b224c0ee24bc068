#!/bin/sh
# KMEM_CMDLINE as a user meets it: `kmem show cmdline` prints the line as
# /proc/cmdline does, the console shows "Kernel command line:" and the
# kernel's report of unknown parameters (once), and a failslab= boot
# parameter is taken.
set -eu
kmem=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

KMEM_CMDLINE='failslab=1,100,0,-1 nosmp foo=bar "quoted=a b"' \
	"$kmem" show cmdline >"$out/o" 2>"$out/e" || fail "kmem show cmdline exited $?"
[ "$(cat "$out/o")" = 'failslab=1,100,0,-1 nosmp foo=bar "quoted=a b"' ] ||
	fail "cmdline view: $(cat "$out/o")"
grep -qx 'Kernel command line: failslab=1,100,0,-1 nosmp foo=bar "quoted=a b"' "$out/e" ||
	fail "no 'Kernel command line:' line: $(cat "$out/e")"
grep -qx 'Unknown kernel command line parameters "nosmp foo=bar quoted=a b", will be passed to user space.' "$out/e" ||
	fail "unknown parameters report: $(cat "$out/e")"
[ "$(grep -c 'Unknown kernel command line' "$out/e")" -eq 1 ] || fail "reported more than once"

# No command line: an empty /proc/cmdline, nothing reported.
env -u KMEM_CMDLINE KMEM_QUIET=1 "$kmem" show cmdline >"$out/o2" 2>"$out/e2" ||
	fail "kmem show cmdline (empty) exited $?"
[ "$(cat "$out/o2")" = "" ] || fail "empty cmdline view: $(cat "$out/o2")"
if grep -q 'command line' "$out/e2"; then fail "an empty line was reported"; fi

# A malformed failslab= is the kernel's warning and an unknown parameter.
KMEM_CMDLINE='failslab=oops' "$kmem" show cmdline >/dev/null 2>"$out/e3" ||
	fail "kmem show cmdline (bad failslab) exited $?"
grep -q 'FAULT_INJECTION: failed to parse arguments' "$out/e3" || fail "no parse warning"
grep -q 'Unknown kernel command line parameters "failslab=oops"' "$out/e3" ||
	fail "bad failslab= not reported"
echo ok
