#!/usr/bin/env bash
# Sets up, builds and runs every C++ and Python test; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
KILN_BUILD_TESTS=ON ./scripts/build.sh
echo "[kiln] C++ tests"
ctest --test-dir build/py --output-on-failure -j"$(nproc)"
echo "[kiln] Python tests"
python3 -m pytest -q tests/python
