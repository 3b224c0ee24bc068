#!/bin/sh
# The man pages, installed and read with `man -l` as a user would: kmem(1) and
# kmem(3) format without a warning, and kmem(1) says everything the command
# does, checked against the command itself: every subcommand `kmem --help`
# lists, every option each `kmem COMMAND --help` lists, every environment
# variable the sources read (getenv("KMEM_...")), and the exit statuses.
set -eu
kmem=$1
src=$2
. "$(dirname "$0")/lib/common.sh"
command -v man >/dev/null 2>&1 || { echo "SKIP: man not installed (scripts/install-deps.sh installs man-db)"; exit 77; }

install_prefix "$tmp/prefix"
for sec in 1 3; do
	page=$(find "$tmp/prefix" -path "*/man/man$sec/kmem.$sec*" | head -1)
	[ -n "$page" ] || fail "kmem.$sec is not installed"
	MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" >"$tmp/kmem.$sec.txt" 2>"$tmp/kmem.$sec.err" ||
		{ st=$?; cat "$tmp/kmem.$sec.err"; fail "man -l kmem.$sec exited $st"; }
	[ ! -s "$tmp/kmem.$sec.err" ] || { cat "$tmp/kmem.$sec.err"; fail "man -l kmem.$sec warns"; }
	grep -q "^KMEM($sec)" "$tmp/kmem.$sec.txt" || fail "kmem.$sec has no KMEM($sec) header"
	# Wide, so that no word is hyphenated at a line end; spaces squeezed.
	MANWIDTH=1000 LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null | tr '\n' ' ' | sed 's/  */ /g' >"$tmp/flat.$sec"
done
has() { grep -qF -- "$1" "$tmp/flat.1" || fail "kmem(1) does not mention '$1' ($2)"; }

for section in NAME SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT "EXIT STATUS" FILES "SEE ALSO"; do
	grep -q "^$section" "$tmp/kmem.1.txt" || fail "kmem(1) has no $section section"
done
for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
	grep -q "^$section" "$tmp/kmem.3.txt" || fail "kmem(3) has no $section section"
done

# Every subcommand and its options.
"$kmem" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' >"$tmp/cmds"
[ "$(wc -l <"$tmp/cmds")" -ge 4 ] || fail "kmem --help lists $(wc -l <"$tmp/cmds") commands"
while read -r c; do
	has "kmem $c" "a subcommand"
	"$kmem" "$c" --help >"$tmp/help.$c" 2>&1 || true
	grep -oE '(^|[ [(,])--?[a-z][a-z-]*' "$tmp/help.$c" | sed 's/^[ [(,]//' | sort -u |
		while read -r opt; do
			has "$opt" "an option of kmem $c"
		done
done <"$tmp/cmds"
has "--version" "kmem --version"
has "-V" "kmem -V"
# Every chapter of the tour (the scenes of show and map).
"$kmem" tour --list | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | while read -r ch; do
	has "$ch" "a tour chapter"
done
# Every environment variable the library or the command reads.
grep -rhoE 'getenv\("KMEM_[A-Z_]+"\)' "$src/arch" "$src/kernel" "$src/mm" "$src/replay" "$src/libc" "$src/tools" |
	sed 's/getenv("\(.*\)")/\1/' | sort -u >"$tmp/env"
[ -s "$tmp/env" ] || fail "no getenv(\"KMEM_...\") found in the sources"
while read -r v; do
	has "$v" "an environment variable"
done <"$tmp/env"
# The exit statuses.
sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$tmp/kmem.1.txt" >"$tmp/exit"
for st in 0 1 2; do
	grep -Eq "^ +$st( |$)" "$tmp/exit" || fail "kmem(1) EXIT STATUS lacks $st"
done
# kmem(3): boot, configuration, the API families, processes, views.
for w in kmem_boot kmem_config alloc_pages kmalloc kmem_cache_create vmalloc \
	kmem_process_create kmem_sys_mmap kmem_show kmem_fault_set kmem::kmem pkg-config; do
	grep -qF -- "$w" "$tmp/flat.3" || fail "kmem(3) does not mention $w"
done
echo "ok man"
