# Convenience front end to CMake. The two commands of the README:
#   make tour    build, then run `kmem tour`
#   make test    build, then run every test (unit, integration, stress)
# Others: make asan (the test suite under ASan+UBSan), make clang (warnings
# as errors with clang), make bench, make install PREFIX=..., make format.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build tour test asan clang bench install format clean

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

bench: build
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b; done

install: build
	@cmake --install $(BUILD) --prefix $(or $(PREFIX),/usr/local)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-clang
