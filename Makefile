# Convenience front end to CMake. The two commands of the README:
#   make tour    build, then run `kmem tour`
#   make test    build, then run every test (unit, integration, stress)
# Others: make asan (the test suite under ASan+UBSan, LeakSanitizer on),
# make tsan (the threaded tests and the integration programs under
# ThreadSanitizer), make clang (warnings as errors with clang), make bench,
# make install PREFIX=..., make format,
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
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 600
FUZZ_CI_TIME ?= 60
FUZZ ?=

.PHONY: all deps configure build tour test asan tsan clang bench install format clean \
	fuzz-build fuzz fuzz-ci

all: build

deps:
	@sh scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

tour: build
	@./$(BUILD)/kmem tour

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan \
		CMAKE_FLAGS="-DKMEM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DKMEM_BUILD_BENCH=OFF"

# The tests that start threads (label "concurrent") and the integration
# programs; the kmem command's shell tests are single-threaded, left out.
tsan:
	@$(MAKE) --no-print-directory build BUILD=build-tsan \
		CMAKE_FLAGS="-DKMEM_SANITIZE=thread -DKMEM_BUILD_BENCH=OFF"
	@cd build-tsan && ctest --output-on-failure -j $(JOBS) \
		-L 'concurrent|integration' -E '/cmd_'

clang:
	@$(MAKE) --no-print-directory build BUILD=build-clang \
		CMAKE_FLAGS="-DCMAKE_C_COMPILER=clang"

fuzz-build: deps
	@command -v clang >/dev/null 2>&1 || { echo "make fuzz: needs clang (libFuzzer)"; exit 1; }
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DKMEM_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKMEM_BUILD_TESTS=OFF \
		-DKMEM_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ)

fuzz-ci: fuzz-build
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_CI_TIME) $(FUZZ)

bench: build
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b; done

install: build
	@cmake --install $(BUILD) --prefix $(or $(PREFIX),/usr/local)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan build-clang build-fuzz
