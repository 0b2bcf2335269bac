#!/usr/bin/env bash
# Sets up, builds and runs kiln's main job: tune a 512^3 float32 matmul for
# this CPU and time it beside the untransformed program and OpenBLAS.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
python3 -m kiln demo "$@"
