#!/usr/bin/env bash
# Run on a development machine (Debian, after scripts/install_deps.sh), before
# bench/gpu/run.sh on the GPU machine, whose image has no nlohmann-json,
# dlpack, GoogleTest or Eigen (and perhaps no zlib headers) and no network. Copies their headers, static
# libraries and CMake packages into .gpu-deps/ (ignored by git) with /usr's
# layout; the device call carries that folder and run.sh configures with it.
# With --with-binaries it also builds run.sh's two programs here, CUDA-only,
# into .gpu-deps/bin: run.sh falls back to them if the GPU machine's compiler
# refuses the build.
#
#   bench/gpu/pack_deps.sh [--with-binaries]  # from the repository root
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$ROOT/.gpu-deps"
rm -rf "$DEST"
mkdir -p "$DEST"
for pkg in nlohmann-json3-dev libdlpack-dev libgtest-dev libgmock-dev libeigen3-dev zlib1g-dev; do
  dpkg -L "$pkg" >/dev/null 2>&1 || { echo "pack_deps: $pkg is not installed; run scripts/install_deps.sh" >&2; exit 1; }
  dpkg -L "$pkg" | while read -r f; do
    [ -f "$f" ] || continue
    case "$f" in
      /usr/include/* | /usr/lib/* | /usr/share/cmake/* | /usr/share/eigen3/cmake/*)
        install -D -m 644 "$f" "$DEST/${f#/usr/}" ;;
    esac
  done
done
if [ "${1:-}" = "--with-binaries" ]; then
  prebuilt="$ROOT/build/gpu-prebuilt"
  OUT="$prebuilt/logs" BUILD="$prebuilt" "$ROOT/bench/gpu/run.sh" --build-only
  install -D -m 755 "$prebuilt/tests/cpp/test_codegen" "$DEST/bin/test_codegen"
  install -D -m 755 "$prebuilt/bench/bench_gpu" "$DEST/bin/bench_gpu"
fi
echo "pack_deps: $(du -sh "$DEST" | cut -f1) in $DEST"
