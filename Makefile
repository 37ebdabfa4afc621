# The two commands of the README. Everything else is CMake (see CMakeLists.txt).
BUILD      ?= build
JOBS       ?= $(shell nproc)
ARGS       ?=
CMAKE_ARGS ?=

.PHONY: run test deps build clean format

run: deps build
	$(BUILD)/tools/xacctd probe $(ARGS)

test: deps build
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -j1

deps:
	@tools/install-deps.sh

build:
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')
