"""Compile a 256x256x256 float32 matmul with kiln and export it as
libmatmul.so plus the C header libmatmul.h (run by ./run.sh).

Usage: python3 export_matmul.py OUTPUT_DIR
"""

import os
import sys

import kiln


def main(out_dir):
    func = kiln.workloads.get("matmul", M=256, N=256, K=256).func
    sch = kiln.Schedule(func)
    c = sch.get_block("C")
    i, j, k = sch.get_loops(c)
    j0, j1 = sch.split(j, factors=[None, 16])
    sch.reorder(i, j0, k, j1)
    sch.parallel(i)
    sch.vectorize(j1)
    module = kiln.build(sch.func, target="llvm")
    path = os.path.join(out_dir, "libmatmul.so")
    module.export_library(path)
    print(f"wrote {path} and {path[:-3]}.h")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
