#!/usr/bin/env bash
# Creates the virtual environment the benchmark's peer tuner runs in: TVM
# 0.27 (MetaSchedule) from PyPI, with the pins that make it work here
# (../shared/ENVIRONMENT.md: apache-tvm-ffi 0.1.15.post2 segfaults when TVM
# saves an object to JSON, which MetaSchedule does as it starts).
#
#   ./scripts/setup_tvm_venv.sh [VENV]     (default: $KILN_TVM_VENV or build/tvm-venv)
#
# `kiln bench` finds it at the same place and runs bench/peer/metaschedule.py
# with its python; without it, bench runs without the peer and says so. The
# test command never installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-${KILN_TVM_VENV:-build/tvm-venv}}
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  echo "[tvm-venv] creating $venv with $($python --version)"
  "$python" -m venv "$venv"
fi
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/python" -m pip install --quiet \
  "apache-tvm==0.27.0.post1" "apache-tvm-ffi==0.1.14.post1" \
  numpy psutil cloudpickle xgboost-cpu tornado typing_extensions ml_dtypes
"$venv/bin/python" - <<'PY'
import tvm, tvm_ffi
from tvm.s_tir import meta_schedule  # noqa: F401  (the tuner the benchmark runs)
print(f"[tvm-venv] TVM {tvm.__version__}, tvm-ffi {tvm_ffi.__version__}: ready")
PY
