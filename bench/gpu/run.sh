#!/usr/bin/env bash
# On a GPU machine (no LLVM headers needed): configure a CUDA-only kiln, build
# it, run the GPU tests (on a machine with a driver the CUDA ones run the
# kernels, and a fuzz slice of KILN_GPU_FUZZ_TRACES random GPU schedules runs
# on the device), then time the hand-written GPU schedules beside PyTorch
# (cuBLAS/cuDNN), and last runs the CUDA tests under compute-sanitizer.
# Writes results.json, results.md and the logs (8 files: the device tool's
# limit) to $OUT, or to ./gpu_results when OUT is unset.
#
# The GPU machine's image lacks nlohmann-json, dlpack, GoogleTest and Eigen,
# and has no network: first run `bench/gpu/pack_deps.sh --with-binaries` here, then,
# through the device tool, `bench/gpu/run.sh` with carry [".gpu-deps"] and
# timeout_s 600. It needs about 5 minutes on 16 cores: 2-3 to build, then the
# tests, the fuzz slice and the benchmarks, then at most 3 more for
# compute-sanitizer (SANITIZER_SECONDS per tool). Should the machine's compiler refuse the build, the
# binaries pack_deps.sh built here run instead.
#
#   bench/gpu/run.sh               # from the repository root
#   bench/gpu/run.sh --build-only  # configure and build into $BUILD, nothing else
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-$PWD/gpu_results}"
BUILD="${BUILD:-$ROOT/build/gpu-bench}"
JOBS="${JOBS:-$(nproc)}"
DEPS="$ROOT/.gpu-deps"
export KILN_GPU_FUZZ_TRACES="${KILN_GPU_FUZZ_TRACES:-200}"
mkdir -p "$OUT"
CONFIG=(-DCMAKE_BUILD_TYPE=Release -DKILN_WITH_LLVM=OFF -DKILN_BUILD_TESTS=ON
  -DKILN_BUILD_PYTHON=OFF -DKILN_WERROR=OFF)
command -v ninja >/dev/null && CONFIG+=(-G Ninja)
if [ -d "$DEPS/include" ]; then
  # Named one by one: CMake searches lib/<arch>/cmake only where it knows the
  # platform's multiarch folder.
  CONFIG+=(-DCMAKE_PREFIX_PATH="$DEPS" -Dnlohmann_json_DIR="$DEPS/share/cmake/nlohmann_json"
    -DGTest_DIR="$DEPS/lib/x86_64-linux-gnu/cmake/GTest" -DDLPACK_INCLUDE_DIR="$DEPS/include"
    -DEigen3_DIR="$DEPS/share/eigen3/cmake" -DZLIB_ROOT="$DEPS")
fi

# Configures and builds test_codegen and bench_gpu into $BUILD; prints why not.
build() {
  echo "[run.sh] configure, build (logs in $OUT)"
  cmake -S "$ROOT" -B "$BUILD" "${CONFIG[@]}" >"$OUT/build.log" 2>&1 ||
    { tail -30 "$OUT/build.log"; return 1; }
  grep -q -- '-- NVRTC: ' "$OUT/build.log" ||
    { echo "run.sh: CMake found no NVRTC (CUDA toolkit); see $OUT/build.log" >&2; return 1; }
  cmake --build "$BUILD" -j "$JOBS" --target test_codegen bench_gpu >>"$OUT/build.log" 2>&1 ||
    { grep -m 20 -B2 -A6 'error' "$OUT/build.log" || tail -40 "$OUT/build.log"; return 1; }
}

if [ "${1:-}" = "--build-only" ]; then
  build
  exit
fi
TESTS="$BUILD/tests/cpp/test_codegen"
BENCH="$BUILD/bench/bench_gpu"
if ! build; then
  [ -x "$DEPS/bin/test_codegen" ] || exit 1
  echo "[run.sh] the build failed; running the binaries pack_deps.sh built instead"
  TESTS="$DEPS/bin/test_codegen"
  BENCH="$DEPS/bin/bench_gpu"
  # They were linked against NVRTC at the packing machine's path.
  nvcc_dir="$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")"
  export CUDA_HOME="${CUDA_HOME:-$(dirname "$nvcc_dir")}"
  export LD_LIBRARY_PATH="$CUDA_HOME/lib64:$CUDA_HOME/targets/x86_64-linux/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
set +e
echo "[run.sh] GPU tests, fuzz slice of $KILN_GPU_FUZZ_TRACES traces"
"$TESTS" --gtest_filter='*Gpu*' --gtest_output="json:$OUT/gpu_tests.json" >"$OUT/gpu_tests.log" 2>&1
tests_rc=$?
sed -n '/^\[==========\] .* ran\./,$p' "$OUT/gpu_tests.log"
echo "[run.sh] bench_gpu"
"$BENCH" --number 20 >"$OUT/kiln.jsonl" 2>"$OUT/bench_gpu.err"
bench_rc=$?
set -e
cat "$OUT/bench_gpu.err" >&2 || true
python3 "$ROOT/bench/gpu/torch_baseline.py" "$OUT/kiln.jsonl" "$OUT"
echo "tests: exit $tests_rc, bench_gpu: exit $bench_rc; results in $OUT"

# Last, so that a slow one costs no numbers: the tests that run CUDA kernels
# (30 fuzz traces) under compute-sanitizer, which finds out-of-bounds
# accesses (memcheck) and shared-memory races, such as a missing barrier
# (racecheck), that give right answers by luck.
SANITIZER="$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)"
if [ -n "$SANITIZER" ] && command -v nvidia-smi >/dev/null; then
  for tool in memcheck racecheck; do
    echo "[run.sh] compute-sanitizer --tool $tool"
    rc=0
    KILN_GPU_FUZZ_TRACES=30 timeout "${SANITIZER_SECONDS:-90}" "$SANITIZER" --tool "$tool" \
      --error-exitcode 3 "$TESTS" --gtest_brief=1 \
      --gtest_filter='*Cuda*:*Half*:*SharedMemoryPast48KB*:*DeviceArrays*-*CudaSource*' \
      >>"$OUT/sanitizer.log" 2>&1 || rc=$?
    echo "compute-sanitizer $tool: exit $rc (3: errors found, 124: out of time)" |
      tee -a "$OUT/sanitizer.log"
  done
fi
