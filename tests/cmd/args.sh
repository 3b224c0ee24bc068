#!/bin/sh
# The command's argument handling, as a user meets it: --version/-V; an
# option a command does not know is an error, not a view or a chapter name;
# extra arguments are errors; an error comes before any work (no banner);
# `show --help` lists exactly the views an unknown view lists; the per-process
# views are reachable through a tour scene; `map --scene` shows progress.
set -eu
kmem=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export KMEM_QUIET=1

# expect STATUS CMD...: run, keep stdout in out and stderr in err.
expect() {
	want=$1
	shift
	st=0
	"$kmem" "$@" >out 2>err || st=$?
	[ "$st" = "$want" ] || { cat out err; fail "kmem $*: exit $st, not $want"; }
}

expect 0 --version
grep -Eqx 'kmem [0-9]+\.[0-9]+\.[0-9]+' out || fail "--version prints '$(cat out)'"
cp out version
expect 0 -V
cmp -s out version || fail "-V and --version differ"

expect 2 show --bogus
grep -q "unknown or incomplete option '--bogus'" err || fail "show --bogus: $(cat err)"
[ ! -s out ] || fail "show --bogus printed on stdout"
expect 2 show nosuchview
grep -q "no view named 'nosuchview'" err || fail "show nosuchview: $(cat err)"
expect 2 show
expect 2 show meminfo --scene
# --help lists the views the error lists, and nothing it cannot show.
expect 0 show --help
grep '^  [<a-z]' out >help_views
expect 2 show nosuchview
grep '^  [<a-z]' err >error_views
cmp -s help_views error_views || { diff help_views error_views || true; fail "show --help and the error list different views"; }
grep -qx '  buddyinfo' help_views && grep -qx '  <pid>/status' help_views || fail "views: $(cat help_views)"
# Every view listed works (the per-process ones at the process scene).
for v in $(grep -v '<pid>' help_views); do
	expect 0 show "$v"
done
expect 2 show 1001/status
grep -q -- "--scene process" err || fail "a per-process view without a scene: $(cat err)"
expect 2 show --scene nosuchchapter meminfo
grep -q "no scene 'nosuchchapter'" err || fail "show --scene nosuchchapter: $(cat err)"
expect 1 show --scene process 999999/status
grep -Eq '^  [0-9]+ \(writer1\)$' err || { cat err; fail "a wrong pid does not list the processes"; }
pid=$(sed -n 's/^  \([0-9]*\) (writer1)$/\1/p' err)
expect 0 show --scene process "$pid/status" "$pid/smaps_rollup" "$pid/maps" meminfo
grep -qx "Name:	writer1" out || { cat out; fail "show --scene process $pid/status"; }
grep -q "^Rss: " out && grep -q "^MemTotal: " out || fail "show --scene process views"
grep -q "running the tour, chapter" err || fail "show --scene shows no progress"

expect 2 tour machine extra
grep -q "one chapter at a time ('extra')" err || fail "tour machine extra: $(cat err)"
[ ! -s out ] || fail "tour machine extra ran the tour"
expect 2 tour nosuchchapter
grep -q "no chapter 'nosuchchapter'" err || fail "tour nosuchchapter: $(cat err)"
[ ! -s out ] || { cat out; fail "tour nosuchchapter printed the banner before failing"; }
expect 2 tour --bogus
[ ! -s out ] || fail "tour --bogus ran the tour"
expect 0 tour --list
grep -q '^  vmalloc ' out || fail "tour --list"

expect 2 nosuchcommand
grep -q "unknown command 'nosuchcommand'" err || fail "unknown command"

# map --scene: progress on stderr, one line per chapter up to the scene.
expect 0 map -o v.html --scene vmalloc
grep -Eq "^kmem map: running the tour, chapter [0-9]+ of [0-9]+: vmalloc \([0-9.]+ s\)$" err ||
	{ cat err; fail "map --scene shows no progress"; }
[ "$(grep -c 'running the tour' err)" -ge 2 ] || fail "map --scene: one progress line"
[ -s v.html ] || fail "map wrote no page"
echo "ok args"
