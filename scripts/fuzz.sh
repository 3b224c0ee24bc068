#!/bin/sh
# Run kmem's libFuzzer harnesses (fuzz/*.c, built with KMEM_FUZZ=ON).
#
#   scripts/fuzz.sh BUILD SECONDS [HARNESS...]
#
# Runs each harness (default: all, fuzz_<name> in BUILD/fuzz) for SECONDS,
# starting from the checked-in seeds (fuzz/corpus/<name>) plus what earlier runs
# in BUILD found (BUILD/fuzz-corpus/<name>, where new inputs are written).
# Crashes, leaks, timeouts and out-of-memory inputs are saved under
# BUILD/fuzz-artifacts/<name>/; the run logs are BUILD/fuzz-logs/<name>.log.
# Prints executions, executions per second and findings per harness; exits
# non-zero if any harness found anything.
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD SECONDS [HARNESS...]" >&2
	exit 2
fi
build=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
harnesses=${*:-$(cd "$build/fuzz" 2>/dev/null && ls fuzz_* | sed 's/^fuzz_//')}
if [ -z "$harnesses" ]; then
	echo "fuzz: no harnesses in $build/fuzz (configure with -DKMEM_FUZZ=ON)" >&2
	exit 2
fi

# The machine takes SIGSEGV for its own faults (allow_user_segv_handler).
ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_segv_handler=1:handle_segv=1:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

status=0
total=0
printf '%-12s %10s %8s %6s %s\n' harness executions exec/s new findings
for h in $harnesses; do
	bin=$build/fuzz/fuzz_$h
	corpus=$build/fuzz-corpus/$h
	art=$build/fuzz-artifacts/$h
	log=$build/fuzz-logs/$h.log
	mkdir -p "$corpus" "$art" "$build/fuzz-logs"
	set -- -max_total_time="$secs" -timeout=120 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$art/"
	[ -f "$src/fuzz/$h.dict" ] && set -- "$@" -dict="$src/fuzz/$h.dict"
	[ -f "$src/fuzz/$h.options" ] && set -- "$@" $(cat "$src/fuzz/$h.options")
	# A harness that hangs outside libFuzzer's own timeout is killed too.
	timeout -k 10 $((secs + 300)) "$bin" "$@" "$corpus" "$src/fuzz/corpus/$h" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	new=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
	found=$(ls "$art" | wc -l)
	total=$((total + ${execs:-0}))
	if [ $rc -ne 0 ]; then
		status=1
		what=$(grep -m1 -E '^==[0-9]+==ERROR|^==fuzz==|^SUMMARY|ALARM|out-of-memory' "$log")
		printf '%-12s %10s %8s %6s FAILED (exit %d): %s\n' "$h" "${execs:-?}" \
			"${rate:-?}" "${new:-?}" $rc "$what"
		tail -40 "$log" | sed "s/^/  $h: /"
		for a in "$art"/*; do [ -e "$a" ] && echo "  $h: artifact $a"; done
	else
		[ "$found" -gt 0 ] && old=" ($found artifacts of earlier runs in $art)" || old=""
		printf '%-12s %10s %8s %6s none%s\n' "$h" "$execs" "$rate" "$new" "$old"
	fi
done
echo "fuzz: $total executions in total"
exit $status
