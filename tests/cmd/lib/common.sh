# Sourced by the tests/cmd scripts (after `set -eu` and kmem=$1):
#   $build          the build directory of the kmem command under test;
#   fail MSG, skip MSG   exit 1 / exit 77 (skip: an optional tool is missing);
#   $tmp            a temporary directory, removed on exit;
#   $extra          the compiler flags a program linked against this build
#                   needs (its sanitizer: KMEM_SANITIZE ON/address is
#                   ASan+UBSan, thread is TSan);
#   install_prefix DIR   `cmake --install` of the build into DIR (its log is
#                   printed if it fails).
# Not a test itself (tests/CMakeLists.txt registers tests/cmd/*.sh only).
build=$(cd "$(dirname "$kmem")" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
extra=""
san=$(sed -n 's/^KMEM_SANITIZE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
case "$san" in
thread | THREAD) extra="-fsanitize=thread" ;;
ON | on | address | ADDRESS | TRUE | 1) extra="-fsanitize=address,undefined" ;;
esac
install_prefix() {
	cmake --install "$build" --prefix "$1" >"$tmp/install.log" 2>&1 ||
		{ st=$?; cat "$tmp/install.log"; fail "cmake --install exited $st"; }
}
