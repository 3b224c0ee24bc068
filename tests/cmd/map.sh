#!/bin/sh
# kmem map: the page is well-formed and self-contained (tests/cmd/map_check.py
# parses it), for the whole tour, the vmalloc and process scenes and after a
# replay; bad usage and an unwritable path are refused.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to parse the page"
check=$src/tests/cmd/map_check.py

"$kmem" --help | grep -q "^  map -o FILE.html" || fail "--help does not list map"
"$kmem" map --help | grep -q "^  vmalloc " || fail "map --help does not list the scenes"

"$kmem" map -o "$tmp/tour.html" 2>"$tmp/e" || fail "map: exit $?: $(cat "$tmp/e")"
python3 "$check" "$tmp/tour.html" || fail "the whole tour's page"
grep -q "kmem map: the machine after the tour" "$tmp/tour.html" || fail "default title"

# vmalloc: the scattered area (245 pages) is in the picture, with its frames.
"$kmem" map -o "$tmp/v.html" --scene vmalloc || fail "--scene vmalloc: exit $?"
python3 "$check" "$tmp/v.html" 1 || fail "the vmalloc scene"
grep -q '"nr_pages":245,' "$tmp/v.html" || fail "no 245-page vmalloc area"
python3 - "$tmp/v.html" <<'PY' || fail "the vmalloc area's frames"
import base64, json, re, sys
d = json.loads(re.search(r'<script id="kmem-data" type="application/json">(.*?)</script>',
                         open(sys.argv[1]).read(), re.S).group(1))
a = [a for a in d["vmalloc"] if a["nr_pages"] == 245][0]
raw, i, prev, pfns = base64.b64decode(a["pfns"]), 0, 0, []
while i < len(raw):
    v, s = 0, 0
    while True:
        b = raw[i]; i += 1; v |= (b & 127) << s; s += 7
        if not b & 128: break
    prev += -(v + 1) // 2 if v & 1 else v // 2
    pfns.append(prev)
assert len(pfns) == 245 and len(set(pfns)) == 245, len(pfns)
runs = 1 + sum(1 for k in range(1, 245) if pfns[k] != pfns[k - 1] + 1)
assert runs == 245, "the fragmented scene scatters every page: %d runs" % runs
PY

# process: two writers with their VMAs and resident frames.
"$kmem" map -o "$tmp/p.html" --scene process || fail "--scene process: exit $?"
python3 "$check" "$tmp/p.html" 0 2 || fail "the process scene"
grep -q '"comm":"writer1"' "$tmp/p.html" || fail "writer1 missing"

# After a replay.
KMEM_QUIET=1 "$kmem" replay --map "$tmp/r.html" "$src/tests/data/trace-ftrace.txt" >"$tmp/r" ||
	fail "replay --map: exit $?"
grep -q "35 events" "$tmp/r" || fail "replay --map: the report"
python3 "$check" "$tmp/r.html" || fail "the replay's page"
grep -q "after replaying" "$tmp/r.html" || fail "replay title"

# Bad usage.
set +e
"$kmem" map >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 2 ] && grep -q "required" "$tmp/e" || fail "no -o: exit $rc"
"$kmem" map -o "$tmp/x.html" --scene nosuch >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 2 ] && grep -q "no scene 'nosuch'" "$tmp/e" || fail "bad scene: exit $rc"
"$kmem" map -o "$tmp/nodir/x.html" --scene machine >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 1 ] && grep -q "kmem map: $tmp/nodir/x.html: No such file or directory" "$tmp/e" ||
	fail "unwritable: exit $rc: $(cat "$tmp/e")"
exit 0
