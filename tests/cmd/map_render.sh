#!/bin/sh
# kmem map in a real browser: headless Chromium loads the page (file://, no
# network), the page's script draws every frame and writes its status into the
# DOM (data-state="drawn", the number of painted pixels, the script errors
# caught by window.onerror); the screenshot must not be blank. Chromium is
# Debian's package: installed here when missing and root, else the test is
# skipped (exit 77, CTest's SKIP_RETURN_CODE), never passed.
set -eu
kmem=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		>/dev/null 2>&1 || true
	chromium=$(command -v chromium || true)
fi
[ -n "$chromium" ] || skip "chromium is not installed (scripts/install-deps.sh with KMEM_DEPS_EXTRA=1)"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the screenshot"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

browse() { # browse WHAT FILE.html
	rm -rf "$out/profile"
	mkdir "$out/profile"
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$out/profile" --window-size=1280,900 \
		"$@" 2>>"$out/chromium.log"
}

for scene in vmalloc process; do
	"$kmem" map -o "$out/$scene.html" --scene $scene || fail "kmem map --scene $scene: exit $?"
	browse --virtual-time-budget=10000 --dump-dom "file://$out/$scene.html" >"$out/dom" ||
		skip "chromium could not run: $(tail -3 "$out/chromium.log")"
	status=$(grep -o '<div id="status"[^>]*>[^<]*' "$out/dom" || true)
	echo "$scene: $status"
	[ -n "$status" ] || fail "$scene: no status element in the rendered DOM"
	echo "$status" | grep -q 'data-state="drawn"' || fail "$scene: not drawn: $status"
	echo "$status" | grep -q 'data-errors="0"' || fail "$scene: script errors: $status"
	frames=$(echo "$status" | sed -n 's/.*data-frames="\([0-9]*\)".*/\1/p')
	painted=$(echo "$status" | sed -n 's/.*data-painted="\([0-9]*\)".*/\1/p')
	[ "${painted:-0}" -ge "${frames:-1}" ] || fail "$scene: $painted pixels painted for $frames frames"
	browse --screenshot="$out/$scene.png" "file://$out/$scene.html" >/dev/null ||
		fail "$scene: screenshot: $(tail -3 "$out/chromium.log")"
	python3 - "$out/$scene.png" <<'PY' || fail "$scene: the screenshot is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
# Count distinct byte sequences over rows (filtered rows are fine for this:
# a blank page compresses to a handful of row patterns).
rows = len(set(raw[i:i + 1 + w * 4] for i in range(0, len(raw), 1 + w * 4)))
print("screenshot %dx%d: %d distinct rows" % (w, h, rows))
assert rows > 50, "%d distinct rows" % rows
PY
done
exit 0
