#!/usr/bin/env bash
# Run on a development machine (Debian, after scripts/install_deps.sh), before
# bench/gpu/run.sh on the GPU machine, whose image has no nlohmann-json,
# dlpack or GoogleTest and no network. Copies their headers, static
# libraries and CMake packages into .gpu-deps/ (ignored by git) with /usr's
# layout; the device call carries that folder and run.sh configures with it.
#
#   bench/gpu/pack_deps.sh      # from the repository root; about 3 MB
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$ROOT/.gpu-deps"
rm -rf "$DEST"
mkdir -p "$DEST"
for pkg in nlohmann-json3-dev libdlpack-dev libgtest-dev libgmock-dev; do
  dpkg -L "$pkg" >/dev/null 2>&1 || { echo "pack_deps: $pkg is not installed; run scripts/install_deps.sh" >&2; exit 1; }
  dpkg -L "$pkg" | while read -r f; do
    [ -f "$f" ] || continue
    case "$f" in
      /usr/include/* | /usr/lib/* | /usr/share/cmake/*) install -D -m 644 "$f" "$DEST/${f#/usr/}" ;;
    esac
  done
done
echo "pack_deps: $(du -sh "$DEST" | cut -f1) in $DEST"
