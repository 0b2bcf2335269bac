#!/usr/bin/env bash
# Installs what is missing, then builds and installs the kiln Python package
# (which builds the C++ libraries, and the C++ tests when KILN_BUILD_TESTS=ON)
# in the persistent tree build/py.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install_deps.sh
export CMAKE_GENERATOR=Ninja
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
echo "[kiln] building (build/py) ..."
export PIP_ROOT_USER_ACTION=ignore
python3 -m pip install --no-build-isolation --no-deps --quiet .
python3 -c "import kiln" || { echo "[kiln] build failed: 'import kiln' does not work" >&2; exit 1; }
