#!/usr/bin/env bash
# Exports a matmul with kiln, then compiles main.c against the exported
# library and kiln's runtime (nothing of the compiler) and runs it.
# Needs the build tree of ./scripts/build.sh (build/py) for libkiln_runtime.a.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
python3 "$here/export_matmul.py" "$out"
cc -std=c11 -O2 -I"$root" -I"$out" -c "$here/main.c" -o "$out/main.o"
c++ "$out/main.o" -o "$out/main" -L"$out" -lmatmul -Wl,-rpath,"$out" \
    "$root/build/py/libkiln_runtime.a" -lpthread -ldl -lm
"$out/main"
