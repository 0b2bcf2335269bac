"""Tune a float32 matmul for this CPU, check it against NumPy and time it
beside NumPy's matmul (OpenBLAS).

    python3 examples/python/tune_matmul.py --size 1024 --trials 500
"""

import argparse
import time

import numpy as np

import kiln
from kiln import te


def matmul(n):
    A = te.placeholder((n, n), "float32", name="A")
    B = te.placeholder((n, n), "float32", name="B")
    k = te.reduce_axis((0, n), name="k")
    C = te.compute((n, n), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    return te.create_prim_func([A, B, C], name=f"matmul{n}")


def median_s(fn, runs=20):
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--log", default="tuning_logs/example_matmul.jsonl")
    args = parser.parse_args()

    result = kiln.tune(matmul(args.size), target="llvm", trials=args.trials, log=args.log)
    mod = result.build()

    rng = np.random.default_rng(0)
    a = rng.standard_normal((args.size, args.size), dtype=np.float32)
    b = rng.standard_normal((args.size, args.size), dtype=np.float32)
    c = np.empty((args.size, args.size), np.float32)
    mod(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-3, atol=1e-3 * args.size ** 0.5)

    flops = 2 * args.size ** 3
    kiln_s = median_s(lambda: mod(a, b, c))
    blas_s = median_s(lambda: np.matmul(a, b, out=c))
    print(f"kiln   {kiln_s * 1e3:8.3f} ms  {flops / kiln_s * 1e-9:7.1f} GFLOP/s")
    print(f"NumPy  {blas_s * 1e3:8.3f} ms  {flops / blas_s * 1e-9:7.1f} GFLOP/s")
    print(f"kiln / NumPy: {blas_s / kiln_s:.2f}x   (log: {args.log}; run again to resume)")


if __name__ == "__main__":
    main()
