# Thin wrapper: the two commands of the README's quick start, plus helpers.
#   make run   installs dependencies, builds, runs the main job on the embedded default
#   make test  installs dependencies, builds, runs the whole test suite with ctest
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: deps build run test asan clean

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./scripts/demo.sh $(BUILD)/weft

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Debug build with AddressSanitizer + UndefinedBehaviorSanitizer, whole suite.
asan:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Debug -DWEFT_SANITIZE=ON"

clean:
	rm -rf $(BUILD) build-asan
