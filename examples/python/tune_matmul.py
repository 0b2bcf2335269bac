"""Tune a float32 matmul for this CPU, check it against NumPy and time it
beside NumPy's matmul (OpenBLAS).

    python3 examples/python/tune_matmul.py --size 1024 --trials 500
"""

import argparse
import statistics
import timeit

import numpy as np

import kiln


def median_s(fn):
    """Median seconds per call of 20 calls, after one to warm up."""
    fn()
    return statistics.median(timeit.repeat(fn, number=1, repeat=20))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--log", default="tuning_logs/example_matmul.jsonl")
    args = parser.parse_args()

    # The registered matmul (README.md defines the same one in the te DSL).
    n = args.size
    func = kiln.workloads.get("matmul", M=n, N=n, K=n).func
    result = kiln.tune(func, target="llvm", trials=args.trials, log=args.log)
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
