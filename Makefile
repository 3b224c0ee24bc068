# Convenience front end to CMake. The two commands of the README:
#   make tour    build, then run `kmem tour`
#   make test    build, then run every test (unit, integration, stress)
# Others: make asan (the test suite under ASan+UBSan), make clang (warnings
# as errors with clang), make bench, make install PREFIX=..., make format,
# make fuzz (the libFuzzer harnesses of fuzz/, FUZZ_TIME seconds each; FUZZ=
# names one or some) and make fuzz-ci (each for FUZZ_CI_TIME seconds, as CI).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 600
FUZZ_CI_TIME ?= 60
FUZZ ?=

.PHONY: all deps configure build tour test asan clang bench install format clean \
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
	rm -rf build build-asan build-clang build-fuzz
