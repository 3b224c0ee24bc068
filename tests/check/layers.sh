#!/bin/sh
# SPDX-License-Identifier: MIT
# The layers' include directions: every #include of a file of another layer
# ("mm/internal.h", <kernel/...>) must be allowed by the list in
# docs/ARCHITECTURE.md ("Which layer may include which"), the one place the
# rules are written. Fails on a forbidden include and on a source file in a
# top-level folder the list does not name; an exception the code no longer
# needs is listed, not failed.
#
# usage: layers.sh SOURCE_ROOT
set -eu
root=${1:?usage: layers.sh SOURCE_ROOT}
doc="$root/docs/ARCHITECTURE.md"
[ -f "$doc" ] || { echo "layers: no $doc"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The rules: "folder may-include..." (layer folders, or single headers such
# as kernel/printk.h) and "except file header" lines.
sed -n '/<!-- layers: begin/,/<!-- layers: end/p' "$doc" |
	grep -v '^<!--\|^```\|^#\|^[[:space:]]*$' >"$tmp/rules" || true
[ -s "$tmp/rules" ] || { echo "layers: no rules found in $doc"; exit 1; }

st=0
# The source files: every .c/.h under the top-level folders, build
# directories (a CMakeCache.txt) and hidden folders left out.
(
	cd "$root"
	for d in */; do
		d=${d%/}
		[ -f "$d/CMakeCache.txt" ] && continue
		find "$d" \( -name CMakeFiles -prune \) -o \
			\( -name '*.c' -o -name '*.h' \) -type f -print
	done
) | sort >"$tmp/files"

# One awk pass: each file's rule is the longest folder prefix listed; each
# include naming a layer folder ("mm/x.h" or <mm/x.h>, or a quoted path
# relative to the file, "../mm/x.h", taken from the file's folder) must be
# the file's own layer, include/, a layer its rule allows, or a listed
# exception. A folder whose rule is "-" (replay/, tools/) reaches no other
# layer's private header, however written.
awk -v root="$root" -v out="$tmp/used" '
# "replay/../mm/./x.h" -> "mm/x.h"; "" if it climbs out of the tree.
function normalize(path,    n, i, k, part, seg) {
	n = split(path, part, "/")
	k = 0
	for (i = 1; i <= n; i++) {
		if (part[i] == "" || part[i] == ".")
			continue
		if (part[i] == "..") {
			if (k == 0)
				return ""
			k--
			continue
		}
		seg[++k] = part[i]
	}
	path = ""
	for (i = 1; i <= k; i++)
		path = path (i > 1 ? "/" : "") seg[i]
	return path
}
FNR == NR {
	if ($1 == "except") { exc[$2 " " $3] = 1; nexc++; excl[nexc] = $2 " " $3; next }
	rule[$1] = $0
	split($1, p, "/"); layer[p[1]] = 1
	next
}
{
	f = $0; best = ""
	for (r in rule)
		if ((f == r || index(f, r "/") == 1) && length(r) > length(best))
			best = r
	if (best == "") {
		printf "layers: %s: its folder is not in the list of docs/ARCHITECTURE.md (\"Which layer may include which\"): add it\n", f
		bad = 1; next
	}
	split(best, p, "/"); self = p[1]
	n = split(rule[best], a, /[ \t]+/)
	delete ok
	for (i = 2; i <= n; i++) ok[a[i]] = 1
	path = root "/" f
	while ((getline line < path) > 0) {
		if (line !~ /^[ \t]*#[ \t]*include[ \t]*["<]/) continue
		quoted = line ~ /^[ \t]*#[ \t]*include[ \t]*"/
		sub(/^[ \t]*#[ \t]*include[ \t]*["<]/, "", line)
		sub(/[">].*/, "", line)
		if (quoted && line ~ /^\.\.?\//) {
			dir = f
			sub(/\/[^\/]*$/, "", dir)
			line = normalize(dir "/" line)
			if (line == "") {
				printf "layers: %s includes a file outside the source tree\n", f
				bad = 1
				continue
			}
		}
		if (index(line, "/") == 0) continue
		top = substr(line, 1, index(line, "/") - 1)
		if (!(top in layer) || top == self || top == "include" || (top in ok) || (line in ok)) continue
		if ((f " " line) in exc) { used[f " " line] = 1; continue }
		printf "layers: %s includes %s: the layer %s may not include %s (docs/ARCHITECTURE.md, \"Which layer may include which\")\n", f, line, self, top
		bad = 1
	}
	close(path)
}
END {
	for (i = 1; i <= nexc; i++)
		if (!(excl[i] in used))
			printf "layers: note: the exception %s is no longer needed: remove it from docs/ARCHITECTURE.md\n", excl[i]
	exit bad
}' "$tmp/rules" "$tmp/files" || st=1
n=$(wc -l <"$tmp/files")
[ $st = 0 ] && echo "layers: the includes of $n files follow the layer rules"
exit $st
