#!/usr/bin/env bash
# Installs everything kiln needs from Debian and PyPI. Safe to run again:
# it only installs what is missing. The one list of dependencies lives here.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang
  llvm-16-dev libxgboost-dev xgboost libeigen3-dev libgtest-dev nlohmann-json3-dev
  pocl-opencl-icd ocl-icd-opencl-dev opencl-headers
  libopenblas-dev libdnnl-dev libdlpack-dev zlib1g-dev libzstd-dev libedit-dev libxml2-dev libcurl4-openssl-dev
)
PIP_PACKAGES=(numpy pytest scikit-build-core pybind11 rich matplotlib)

missing_apt=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_apt+=("$p")
done
if [ ${#missing_apt[@]} -gt 0 ]; then
  echo "[kiln] installing Debian packages: ${missing_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
missing_pip=()
for p in "${PIP_PACKAGES[@]}"; do
  mod=${p//-/_}
  [ "$p" = "scikit-build-core" ] && mod=scikit_build_core
  "$PYTHON" -c "import $mod" 2>/dev/null || missing_pip+=("$p")
done
if [ ${#missing_pip[@]} -gt 0 ]; then
  echo "[kiln] installing Python packages: ${missing_pip[*]}"
  "$PYTHON" -m pip install -q "${missing_pip[@]}"
fi
