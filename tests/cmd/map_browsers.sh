#!/bin/sh
# kmem map's layout in both headless browsers, Chromium and Firefox, at 940 px
# (a narrow window) and 1366x768 (a laptop screen): the page's layout
# self-check (#check in the address; tools/kmem/map.html, layoutCheck) checks
# that no zone label overflows its box or leaves the canvas, the address-space
# strip fits the window with no segment clipped, the page does not scroll
# sideways, 32-bit addresses have 8 digits, the header's CPU count is the
# machine's, the used frames are on the first screen and a half, and the folded
# runs of free order-10 blocks expand on a click and fold back. It paints a
# square at the top left, pure green when all hold and pure red otherwise; the
# screenshot's pixels are read here (tests/cmd/map_png.py --pixel). Chromium's
# DOM dump also gives the problems in words.
#
# Both browsers are Debian packages that scripts/install-deps.sh installs
# with KMEM_DEPS_EXTRA=1 and that .ci/run installs, so CI always runs this
# test; a machine without them skips it (exit 77).
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"
chromium=$(command -v chromium || command -v chromium-browser || true)
firefox=$(command -v firefox-esr || command -v firefox || true)
missing=""
[ -n "$chromium" ] || missing="$missing chromium"
[ -n "$firefox" ] || missing="$missing firefox-esr"
[ -z "$missing" ] || skip "not installed:$missing (KMEM_DEPS_EXTRA=1 sh scripts/install-deps.sh; CI installs them)"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the screenshots"

chrome() { # chrome W,H ARGS...
	size=$1
	shift
	rm -rf "$tmp/profile"
	mkdir "$tmp/profile"
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --hide-scrollbars --user-data-dir="$tmp/profile" \
		--window-size="$size" "$@" 2>>"$tmp/browser.log"
}

fox() { # fox W,H SHOT URL
	rm -rf "$tmp/ffprofile"
	mkdir "$tmp/ffprofile"
	# No network, no first-run pages, no updates: a user.js for the profile.
	cat >"$tmp/ffprofile/user.js" <<'PREFS'
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.enabled", false);
user_pref("network.proxy.type", 0);
PREFS
	HOME=$tmp MOZ_HEADLESS=1 timeout 180 "$firefox" --headless --no-remote \
		--profile "$tmp/ffprofile" --window-size="$1" --screenshot "$2" "$3" \
		>>"$tmp/browser.log" 2>&1
}

# The square's colour at (8, 8) of a screenshot: "0,255,0" is a pass.
mark() { python3 "$src/tests/cmd/map_png.py" "$1" --pixel 8,8; }

for scene in vmalloc process; do
	"$kmem" map -o "$tmp/$scene.html" --scene $scene >/dev/null 2>&1 ||
		fail "kmem map --scene $scene: exit $?"
	url="file://$tmp/$scene.html#check"
	for size in 940,900 1366,768; do
		chrome $size --virtual-time-budget=10000 --dump-dom "$url" >"$tmp/dom" ||
			fail "chromium could not run: $(tail -3 "$tmp/browser.log")"
		check=$(grep -o 'data-check="[^"]*"' "$tmp/dom" || true)
		echo "chromium $scene $size: $check"
		[ "$check" = 'data-check="ok"' ] || fail "chromium, $scene scene at $size: ${check:-no self-check ran}"
		chrome $size --screenshot="$tmp/c.png" "$url" >/dev/null ||
			fail "chromium screenshot: $(tail -3 "$tmp/browser.log")"
		px=$(mark "$tmp/c.png") || fail "chromium screenshot unreadable"
		[ "$px" = "0,255,0" ] || fail "chromium, $scene scene at $size: the check square is $px, not green"
		rm -f "$tmp/f.png"
		fox $size "$tmp/f.png" "$url" ||
			fail "firefox could not run: $(tail -5 "$tmp/browser.log")"
		[ -s "$tmp/f.png" ] || fail "firefox wrote no screenshot: $(tail -5 "$tmp/browser.log")"
		px=$(mark "$tmp/f.png") || fail "firefox screenshot unreadable"
		echo "firefox $scene $size: check square $px"
		[ "$px" = "0,255,0" ] || fail "firefox, $scene scene at $size: the layout check failed (square $px, red: a problem; chromium's data-check lists them)"
	done
done
exit 0
