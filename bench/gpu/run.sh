#!/usr/bin/env bash
# On a GPU machine (no LLVM headers needed): configure a CUDA/OpenCL-only
# kiln, build it, run the GPU tests, then time the hand-written GPU schedules
# beside PyTorch (cuBLAS/cuDNN). Writes results.json and results.md (and the
# logs) to $OUT, or ./gpu_results when OUT is unset.
#
#   bench/gpu/run.sh            # from the repository root
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-$PWD/gpu_results}"
BUILD="${BUILD:-$ROOT/build/gpu-bench}"
JOBS="${JOBS:-$(nproc)}"
mkdir -p "$OUT"
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
cmake -S "$ROOT" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DKILN_WITH_LLVM=OFF \
  -DKILN_BUILD_TESTS=ON -DKILN_BUILD_PYTHON=OFF -DKILN_WERROR=OFF >"$OUT/configure.log" 2>&1 ||
  { tail -30 "$OUT/configure.log"; exit 1; }
cmake --build "$BUILD" -j "$JOBS" --target test_codegen bench_gpu >"$OUT/build.log" 2>&1 ||
  { tail -40 "$OUT/build.log"; exit 1; }
# The GPU tests: on a machine with a driver the CUDA ones run the kernels.
set +e
"$BUILD/tests/cpp/test_codegen" --gtest_filter='Gpu*' --gtest_output="json:$OUT/gpu_tests.json" \
  >"$OUT/gpu_tests.log" 2>&1
tests_rc=$?
tail -3 "$OUT/gpu_tests.log"
"$BUILD/bench/bench_gpu" --number 20 >"$OUT/kiln.jsonl" 2>"$OUT/bench_gpu.err"
bench_rc=$?
set -e
cat "$OUT/bench_gpu.err" >&2 || true
python3 "$ROOT/bench/gpu/torch_baseline.py" "$OUT/kiln.jsonl" "$OUT"
echo "tests: exit $tests_rc, bench_gpu: exit $bench_rc; results in $OUT"
