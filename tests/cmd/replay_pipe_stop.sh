#!/bin/sh
# kmem replay gives up on a compressed pipe whose writer is alive and silent:
# the input is refused after its first decoded megabyte (binary data) while
# the decoder's thread waits for more of the pipe; the command must stop that
# thread and exit at once, not wait for the writer (it used to hang in the
# join). Run under timeout so that a hang fails the test.
set -eu
kmem=$1
. "$2/tests/cmd/lib/common.sh"
command -v xz >/dev/null 2>&1 || skip "no xz"
command -v timeout >/dev/null 2>&1 || skip "no timeout"
command -v mkfifo >/dev/null 2>&1 || skip "no mkfifo"
export KMEM_QUIET=1

# 1.2 MB of NUL bytes: the first megabyte is decoded and refused, the rest
# is decoded while the parser decides, then the decoder waits for the pipe.
head -c 1200000 /dev/zero | xz -1 >"$tmp/zero.xz"
mkfifo "$tmp/fifo"
writer=
trap '[ -z "$writer" ] || kill "$writer" 2>/dev/null; rm -rf "$tmp"' EXIT

run() { # how: "-" (standard input) or "fifo" (the path)
	(
		cat "$tmp/zero.xz"
		exec sleep 300
	) >"$tmp/fifo" &
	writer=$!
	set +e
	if [ "$1" = - ]; then
		timeout 30 "$kmem" replay --no-progress - <"$tmp/fifo" \
			>"$tmp/out" 2>"$tmp/err"
	else
		timeout 30 "$kmem" replay --no-progress "$tmp/fifo" \
			>"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
	set -e
	kill "$writer" 2>/dev/null || :
	wait "$writer" 2>/dev/null || :
	writer=
	[ $rc != 124 ] || fail "$1: kmem replay hung on a live pipe after refusing it"
	[ $rc = 1 ] || fail "$1: exit $rc: $(cat "$tmp/err")"
	grep -q "not a kernel trace: binary data" "$tmp/err" ||
		fail "$1: $(cat "$tmp/err")"
}
run -
run fifo

echo "ok replay_pipe_stop"
