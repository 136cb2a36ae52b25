#!/usr/bin/env bash
# Step 1 of the GPU benchmark, run HERE (the development machine): the GPU machine
# has CUDA, PyTorch, CMake and a compiler but none of weft's Debian libraries and no
# network, so weft is built here and carried there. Builds weft, the CUDA-aware test
# binaries and cublas_peers in BUILD, then copies them stripped, with the shared
# libraries they need that are neither glibc/libstdc++ nor CUDA's, into .gpu/:
#
#   bench/gpu/pack.sh            then   run(command="bench/gpu/run.sh", carry=[".gpu"])
#
# .gpu/ is listed in .git/info/exclude (this script adds it) so it travels only when
# carried. Environment: BUILD (default build-gpu).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-gpu}
PACK=$ROOT/.gpu
TARGETS=(weft test_runtime test_codegen test_rules cublas_peers)

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD" -j2 --target "${TARGETS[@]}"

grep -qx '/.gpu/' "$ROOT/.git/info/exclude" 2>/dev/null || echo '/.gpu/' >>"$ROOT/.git/info/exclude"
rm -rf "$PACK"
mkdir -p "$PACK/bin" "$PACK/lib"
for t in "${TARGETS[@]}"; do
  strip -o "$PACK/bin/$t" "$BUILD/$t"
done
# Libraries the GPU machine lacks: everything ldd resolves except the C/C++ runtime
# (newer there) and CUDA's own libraries (the GPU machine's toolkit and driver).
for t in "${TARGETS[@]}"; do ldd "$BUILD/$t"; done | awk '$3 ~ /^\// {print $3}' | sort -u |
  grep -v -E '/(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so|/libcuda|/libcudart|/libcublas|/libnvrtc' |
  while read -r lib; do cp -L "$lib" "$PACK/lib/"; done
# The generated CUDA includes cuda_fp16.h/cuda_bf16.h; NVRTC finds them in the GPU
# machine's toolkit (WEFT_CUDA_INCLUDE), so no headers are carried.
du -sh "$PACK"
