#!/bin/sh
# The installed command does not depend on the source tree: install into a
# temporary prefix, move the prefix elsewhere (as an unpacked package would
# be), and run it from an unrelated directory. The tour's last chapter names
# the installed example data (<prefix>/share/kmem) and its command lines work
# as printed; the slab chapter quotes the real kernel's slabinfo from there.
set -eu
kmem=$1
. "$(dirname "$0")/lib/common.sh"

install_prefix "$tmp/first"
mv "$tmp/first" "$tmp/moved"
prefix=$tmp/moved
[ -f "$prefix/share/kmem/trace-ftrace.txt" ] || fail "no example data in share/kmem"
[ -f "$prefix/share/kmem/linux-6.18-x86_64/slabinfo.txt" ] || fail "no real slabinfo in share/kmem"
mkdir "$tmp/cwd"
cd "$tmp/cwd"
export KMEM_QUIET=1
"$prefix/bin/kmem" tour next >next 2>&1 || { st=$?; cat next; fail "kmem tour next exited $st"; }
grep -q "kmem replay $prefix/share/kmem/trace-ftrace.txt$" next ||
	{ cat next; fail "the tour does not name the installed example data"; }
grep -E '^ +> kmem (replay|map) ' next | sed 's/^ *> kmem //' | grep -v TRACE >lines
[ "$(wc -l <lines)" -ge 3 ] || fail "the tour's command lines: $(cat lines)"
while read -r line; do
	# shellcheck disable=SC2086
	"$prefix/bin/kmem" $line >/dev/null 2>err || { st=$?; cat err; fail "kmem $line (as the tour prints it) exited $st"; }
done <lines
# The real slabinfo line comes from the installed data: change it there and
# the tour quotes the change; KMEM_DATA names another directory.
"$prefix/bin/kmem" tour slab >slab 2>&1 || { st=$?; fail "tour slab exited $st"; }
grep -q "6.18: task_struct          112    130   5888" slab || { cat slab; fail "tour slab: no real slabinfo line"; }
cp -r "$prefix/share/kmem" "$tmp/data"
sed -i 's/^task_struct .*/task_struct          999    999   5888    5    8 : tunables    0    0    0 : slabdata    199    199      0/' \
	"$prefix/share/kmem/linux-6.18-x86_64/slabinfo.txt"
"$prefix/bin/kmem" tour slab >slab2 2>&1 || { st=$?; fail "tour slab exited $st"; }
grep -q "6.18: task_struct          999    999" slab2 || { cat slab2; fail "tour slab does not read <prefix>/share/kmem"; }
KMEM_DATA=$tmp/data "$prefix/bin/kmem" tour slab >slab3 2>&1 || { st=$?; fail "tour slab (KMEM_DATA) exited $st"; }
grep -q "6.18: task_struct          112    130" slab3 || { cat slab3; fail "tour slab ignores KMEM_DATA"; }
echo "ok installed"
