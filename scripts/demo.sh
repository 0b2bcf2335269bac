#!/usr/bin/env bash
# Sets up, builds and runs kiln's main job (today: define a matmul, print its
# loop program, run it in the interpreter and check it against NumPy).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
python3 -m kiln demo "$@"
