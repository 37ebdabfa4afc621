# The two commands of the README. Everything else is CMake (see CMakeLists.txt).
BUILD      ?= build
JOBS       ?= $(shell nproc)
ARGS       ?=
CMAKE_ARGS ?=
# make test also runs the fuzz targets (clang build) and the unit tests under
# ASan+UBSan (g++ build); see docs/testing.md.
FUZZ_BUILD   ?= build-fuzz
ASAN_BUILD   ?= build-asan
FUZZ_SECONDS ?= 10
FUZZ_CC      ?= clang-14
FUZZ_CXX     ?= clang++-14

.PHONY: run test deps build clean format

run: deps build
	$(BUILD)/tools/xacctd probe $(ARGS)

# Three ctest runs, each ending with its summary line; the first failure stops
# make with an error. 1: unit + vm tests of the normal build. 2: every fuzz
# target for FUZZ_SECONDS (any crash fails). 3: the unit tests (label `unit`)
# built with -DXACCT_SANITIZE=ON; Debug (-O0) because it compiles several
# times faster than -O2 under ASan and keeps assert() on.
test: deps build
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -j1
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) \
	  -DXACCT_FUZZ=ON -DXACCT_TESTS=OFF -DXACCT_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target xacct_fuzz
	cd $(FUZZ_BUILD) && ctest --output-on-failure --no-tests=error -j $(JOBS) -L fuzz
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DXACCT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target xacct_unit_tests
	cd $(ASAN_BUILD) && ctest --output-on-failure --no-tests=error --timeout 900 -j $(JOBS) -L unit

deps:
	@tools/install-deps.sh

build:
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(ASAN_BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')
