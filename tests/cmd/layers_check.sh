#!/bin/sh
# The layer rules hold for the code above the public API (replay/ and the
# command, tools/kmem), and their check can fail:
#   - tests/check/layers.sh passes on a copy of replay/, tools/kmem and
#     include/ with the rules of docs/ARCHITECTURE.md, and fails on the same
#     copy with one private include added: by name, <...> or "...", by a path
#     relative to the file, from a .c or a .h;
#   - the build compiles replay/ (kmem_replay_objs) and the command
#     (kmem_cmd) without the source root on their include path: with their
#     own include directories (CMake writes them, with any generator), a
#     file including <kmem/replay.h> compiles and one including
#     "mm/internal.h" or "replay/internal.h" does not.
set -eu
kmem=$1
src=$2
. "$src/tests/cmd/lib/common.sh"
check=$src/tests/check/layers.sh

copy() { # a fresh copy of the rules and of the folders above the API
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t/docs" "$tmp/t/tools"
	cp "$src/docs/ARCHITECTURE.md" "$tmp/t/docs/"
	cp -R "$src/include" "$src/replay" "$tmp/t/"
	cp -R "$src/tools/kmem" "$tmp/t/tools/"
}

copy
sh "$check" "$tmp/t" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "the copy of replay/ and tools/kmem fails the check"; }

bad() { # FILE LINE MESSAGE: FILE with LINE added fails, saying MESSAGE
	copy
	printf '%s\n' "$2" >>"$tmp/t/$1"
	if sh "$check" "$tmp/t" >"$tmp/log" 2>&1; then
		cat "$tmp/log"
		fail "$1 with '$2' added passes the check"
	fi
	grep -qF "$3" "$tmp/log" ||
		{ cat "$tmp/log"; fail "$1 with '$2': no \"$3\" in the check's output"; }
}
bad replay/trace_replay.c '#include "mm/internal.h"' \
	'layers: replay/trace_replay.c includes mm/internal.h: the layer replay may not include mm'
bad replay/trace_parse.c '#include <kernel/internal.h>' \
	'replay/trace_parse.c includes kernel/internal.h'
bad replay/internal.h '#include "mm/slab.h"' 'replay/internal.h includes mm/slab.h'
bad replay/trace_replay.c '#include "../mm/vmalloc.h"' \
	'replay/trace_replay.c includes mm/vmalloc.h'
bad tools/kmem/map.c '#include "mm/internal.h"' 'tools/kmem/map.c includes mm/internal.h'
bad tools/kmem/replay.c '#include "replay/internal.h"' \
	'the layer tools may not include replay'
bad tools/kmem/kmem.h '#include "../../arch/x86/machine.h"' \
	'tools/kmem/kmem.h includes arch/x86/machine.h'
bad tools/kmem/replay.c '#include "../../../x.h"' \
	'tools/kmem/replay.c includes a file outside the source tree'

# The build's include directories for replay/ and the command, as CMake
# writes them at generation (tests/CMakeLists.txt: layers/TARGET.includes,
# one a line, whatever the generator).
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
[ -n "$cc" ] || fail "no CMAKE_C_COMPILER in $build/CMakeCache.txt"
for target in kmem_replay_objs kmem_cmd; do
	dirs=$build/layers/$target.includes
	[ -s "$dirs" ] || fail "no $dirs (the build's include directories of $target)"
	inc=$(sed -n 's/^\(.\)/-I\1/p' "$dirs" | tr '\n' ' ')
	case " $inc " in
	*" -I$src "* | *" -I$src/ "*)
		fail "$target is compiled with the source root: $inc" ;;
	esac
	printf '#include <kmem/replay.h>\n#include <linux/slab.h>\n' >"$tmp/ok.c"
	# shellcheck disable=SC2086 # the flags are words
	"$cc" -std=gnu11 -D_GNU_SOURCE $inc -fsyntax-only "$tmp/ok.c" \
		>"$tmp/cc.log" 2>&1 ||
		{ cat "$tmp/cc.log"; fail "$target: <kmem/replay.h> does not compile"; }
	for h in mm/internal.h replay/internal.h kernel/internal.h; do
		printf '#include "%s"\n' "$h" >"$tmp/bad.c"
		# shellcheck disable=SC2086
		if "$cc" -std=gnu11 -D_GNU_SOURCE $inc -fsyntax-only "$tmp/bad.c" \
			>"$tmp/cc.log" 2>&1; then
			fail "$target: \"$h\" compiles with its include flags ($inc)"
		fi
	done
done
echo "layers_check: replay/ and tools/kmem include public headers only; the check and the build refuse a private one"
