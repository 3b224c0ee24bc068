#!/bin/sh
# kmem map in a real browser: headless Chromium loads the page (file://, no
# network), the page's script draws every frame and writes its status into the
# DOM (data-state="drawn", the number of painted pixels, the script errors
# caught by window.onerror, where the canvas is); the screenshot must have
# painted pixels inside that rectangle (tests/cmd/map_png.py). Chromium is
# Debian's package: installed here when missing and root, else the test is
# skipped (exit 77, CTest's SKIP_RETURN_CODE), never passed.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		>/dev/null 2>&1 || true
	chromium=$(command -v chromium || true)
fi
[ -n "$chromium" ] || skip "chromium is not installed (scripts/install-deps.sh with KMEM_DEPS_EXTRA=1)"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the screenshot"

browse() { # browse WHAT FILE.html
	rm -rf "$tmp/profile"
	mkdir "$tmp/profile"
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$tmp/profile" --window-size=1280,900 \
		"$@" 2>>"$tmp/chromium.log"
}

for scene in vmalloc process; do
	"$kmem" map -o "$tmp/$scene.html" --scene $scene || fail "kmem map --scene $scene: exit $?"
	browse --virtual-time-budget=10000 --dump-dom "file://$tmp/$scene.html" >"$tmp/dom" ||
		skip "chromium could not run: $(tail -3 "$tmp/chromium.log")"
	status=$(grep -o '<div id="status"[^>]*>[^<]*' "$tmp/dom" || true)
	echo "$scene: $status"
	[ -n "$status" ] || fail "$scene: no status element in the rendered DOM"
	echo "$status" | grep -q 'data-state="drawn"' || fail "$scene: not drawn: $status"
	echo "$status" | grep -q 'data-errors="0"' || fail "$scene: script errors: $status"
	frames=$(echo "$status" | sed -n 's/.*data-frames="\([0-9]*\)".*/\1/p')
	painted=$(echo "$status" | sed -n 's/.*data-painted="\([0-9]*\)".*/\1/p')
	[ "${painted:-0}" -ge "${frames:-1}" ] || fail "$scene: $painted pixels painted for $frames frames"
	browse --screenshot="$tmp/$scene.png" "file://$tmp/$scene.html" >/dev/null ||
		fail "$scene: screenshot: $(tail -3 "$tmp/chromium.log")"
	canvas=$(echo "$status" | sed -n 's/.*data-canvas="\([0-9,]*\)".*/\1/p')
	[ -n "$canvas" ] || fail "$scene: the page did not report its canvas"
	python3 "$src/tests/cmd/map_png.py" "$tmp/$scene.png" "$canvas" 11,13,16 ||
		fail "$scene: no frame drawn in the screenshot's canvas region"
done

# Selections (the page's #select= address, as a click would make them): the
# vmalloc area's 245 frames are 245 separate runs, a multi-page slab's frames
# one run; the frame panel names both virtual addresses of a vmalloc frame.
sel=$(python3 - "$tmp/vmalloc.html" <<'PY'
import base64, json, re, sys
d = json.loads(re.search(r'<script id="kmem-data" type="application/json">(.*?)</script>',
                         open(sys.argv[1]).read(), re.S).group(1))
area = [i for i, a in enumerate(d["vmalloc"]) if a["nr_pages"] == 245][0]
raw, v, s = base64.b64decode(d["vmalloc"][area]["pfns"]), 0, 0
for b in raw:           # the first pfn: the first zig-zag LEB128 delta from 0
    v |= (b & 127) << s; s += 7
    if not b & 128: break
b = d["blocks"]
block = [k // 5 for k in range(0, len(b), 5) if b[k + 1] > 0][0]
print(area, v // 2, block, 1 << b[block * 5 + 1])
PY
) || fail "vmalloc scene: no 245-page area or multi-page block in the data"
set -- $sel
browse --virtual-time-budget=10000 --dump-dom "file://$tmp/vmalloc.html#select=vmalloc:$1&pfn=$2" >"$tmp/dom"
status=$(grep -o '<div id="status"[^>]*>' "$tmp/dom" || true)
echo "select vmalloc:$1: $status"
echo "$status" | grep -q 'data-errors="0"' || fail "select vmalloc: script errors"
echo "$status" | grep -q 'data-selected="245,245"' || fail "the vmalloc area does not highlight 245 frames in 245 runs"
grep -q "direct map 0x" "$tmp/dom" && grep -q "vmalloc 0x" "$tmp/dom" ||
	fail "the frame panel does not name the direct-map and vmalloc addresses of pfn $2"
browse --virtual-time-budget=10000 --dump-dom "file://$tmp/vmalloc.html#select=block:$3" >"$tmp/dom"
status=$(grep -o '<div id="status"[^>]*>' "$tmp/dom" || true)
echo "select block:$3: $status"
echo "$status" | grep -q "data-selected=\"$4,1\"" || fail "the slab does not highlight $4 frames in one run"
exit 0
