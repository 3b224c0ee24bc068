# Convenience front end to CMake. The two commands of the README:
#   make tour    build, then run `kmem tour`
#   make test    build, then run every test (unit, integration, stress)
# Others: make asan (the test suite under ASan+UBSan, LeakSanitizer on),
# make tsan (the threaded tests and the integration programs under
# ThreadSanitizer), make clang (warnings as errors with clang), make bench,
# make install PREFIX=..., make deb (the Debian package, build/kmem_*.deb),
# make format (clang-format -i on every tracked .c/.h file, by .clang-format),
# make format-check (fails naming the files clang-format would change),
# make fuzz (the libFuzzer harnesses of fuzz/, FUZZ_TIME seconds each; FUZZ=
# names one or some) and make fuzz-ci (each for FUZZ_CI_TIME seconds, as CI).
#
# Sanitizer runs fail on any report. LeakSanitizer's suppressions, each with
# its reason, are in tests/lsan.supp. Under TSan the simulated machine's
# kernel half sits in TSan's low application range with a 256 GiB vmalloc
# range instead of 32 TiB (docs/ARCHITECTURE.md, "Sanitizers"); its page
# faults are real SIGSEGVs, which TSan passes to kmem's handler as it
# stands (no option needed). Lock-free peeks are marked with data_race() or
# READ_ONCE() (include/linux/compiler.h), not suppressed.
#
# Warnings are errors (KMEM_WERROR) in CI (.ci/run sets WERROR=ON) and in
# make asan/tsan/clang; not in make tour/test/build by default, so a newer
# compiler's new warning does not stop a user's build.
# The build is quiet: no "Entering directory" lines, no "Built target" lines
# (CMAKE_TARGET_MESSAGES), only cmake's progress for what it compiles.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
WERROR ?= OFF
MAKEFLAGS += --no-print-directory
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 600
FUZZ_CI_TIME ?= 60
FUZZ ?=

.PHONY: all deps configure build tour test asan tsan clang bench install deb format \
	format-check clean fuzz-build fuzz fuzz-ci

all: build

# The Debian packages are checked once per build directory (the stamp), and
# only missing ones are installed (the script names them).
deps: $(BUILD)/.deps-checked
$(BUILD)/.deps-checked: scripts/install-deps.sh
	@st=0; sh scripts/install-deps.sh || st=$$?; \
	if [ $$st = 0 ]; then mkdir -p $(BUILD) && touch $@; elif [ $$st != 3 ]; then exit $$st; fi

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKMEM_WERROR=$(WERROR) \
		-DCMAKE_TARGET_MESSAGES=OFF $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The tour needs only the command.
tour: configure
	@cmake --build $(BUILD) -j $(JOBS) --target kmem_cmd
	@./$(BUILD)/kmem tour

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan:
	@$(MAKE) test BUILD=build-asan WERROR=ON \
		CMAKE_FLAGS="-DKMEM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DKMEM_BUILD_BENCH=OFF"

# The tests that start threads (label "concurrent") and the integration
# programs; the kmem command's shell tests are single-threaded, left out.
# malloc_threads runs 100,000 operations per thread here (1,000,000 in make
# test and make asan): TSan looks for races, and at its 5-15x cost the full
# count passes ctest's timeout on a loaded 2-core machine.
tsan:
	@$(MAKE) build BUILD=build-tsan WERROR=ON \
		CMAKE_FLAGS="-DKMEM_SANITIZE=thread -DKMEM_BUILD_BENCH=OFF"
	@cd build-tsan && KMEM_MALLOC_OPS=100000 ctest --output-on-failure -j $(JOBS) \
		-L 'concurrent|integration' -E '/cmd_'

clang:
	@$(MAKE) build BUILD=build-clang WERROR=ON \
		CMAKE_FLAGS="-DCMAKE_C_COMPILER=clang"

fuzz-build: deps
	@command -v clang >/dev/null 2>&1 || { echo "make fuzz: needs clang (libFuzzer)"; exit 1; }
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DKMEM_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKMEM_BUILD_TESTS=OFF \
		-DKMEM_BUILD_BENCH=OFF -DKMEM_WERROR=$(WERROR) \
		-DCMAKE_TARGET_MESSAGES=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ)

fuzz-ci: fuzz-build
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_CI_TIME) $(FUZZ)

# Runs every bench/ program, prints the tables and draws docs/bench-*.svg
# (gnuplot-nox is installed for this target only; without it, no plots).
# `sh scripts/bench.sh --quick BUILD DIR` is the same in seconds, tables and
# plots in DIR, figures meaningless (tests/cmd/bench_quick.sh runs it);
# `sh scripts/bench.sh --plot BUILD` redraws from BUILD/bench/*.dat.
bench: build
	@st=0; KMEM_DEPS_BENCH=1 sh scripts/install-deps.sh || st=$$?; \
	if [ $$st != 0 ] && [ $$st != 3 ]; then exit $$st; fi
	@sh scripts/bench.sh $(BUILD) docs

install: build
	@cmake --install $(BUILD) --prefix $(or $(PREFIX),/usr/local)

# The Debian package (cmake/install.cmake): $(BUILD)/kmem_VERSION_ARCH.deb,
# installable with `apt install ./$(BUILD)/kmem_*.deb`.
deb: build
	@cd $(BUILD) && cpack -G DEB >/dev/null && ls $$PWD/kmem_*.deb

# The tracked C sources and headers, formatted by .clang-format (kernel style,
# written for Debian's clang-format 14: another version may differ).
# FORMAT_FILES= names some files instead.
FORMAT_FILES ?= $$(git ls-files '*.c' '*.h')
FORMAT_SETUP = command -v clang-format >/dev/null 2>&1 || \
	{ echo "make $@: needs clang-format (apt install clang-format)"; exit 1; }; \
	files="$(FORMAT_FILES)"; \
	[ -n "$$files" ] || { echo "make $@: no files (not a git checkout?)"; exit 1; }

format:
	@$(FORMAT_SETUP); clang-format -i $$files

# Names each file that differs; `clang-format FILE | diff -u FILE -` shows how.
format-check:
	@$(FORMAT_SETUP); \
	out=$$(clang-format --dry-run --Werror $$files 2>&1) && exit 0; \
	bad=$$(printf '%s\n' "$$out" | sed -n \
		's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | \
		sort -u); \
	if [ -z "$$bad" ]; then printf '%s\n' "$$out" | head -20; exit 1; fi; \
	echo "make format-check: these files differ from .clang-format" \
		"($$(clang-format --version)); make format rewrites them:"; \
	printf '  %s\n' $$bad; exit 1

clean:
	rm -rf build build-asan build-tsan build-clang build-fuzz
