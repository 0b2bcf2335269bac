"""Tune a float32 matmul for a GPU: CUDA where a GPU and its driver are
present, or the same GPU schedules as OpenCL C on the OpenCL device (PoCL
runs them on the CPU, which checks them anywhere, though their times say
nothing of a GPU's).

    python3 examples/python/tune_gpu.py                      # "cuda": the GPU present
    python3 examples/python/tune_gpu.py --target opencl --trials 32
"""

import argparse
import sys

import numpy as np

import kiln


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="cuda", help='"cuda" (the GPU present) or "opencl"')
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--log", default="")
    args = parser.parse_args()

    try:
        target = kiln.Target(args.target)
    except ValueError as err:  # "cuda" with no GPU or driver says so here
        sys.exit(f"{err}\n(without a GPU, --target opencl tunes the same GPU schedules on PoCL)")
    n = args.size
    w = kiln.workloads.get("matmul", M=n, N=n, K=n)
    log = args.log or f"tuning_logs/example_matmul{n}_{target.kind}.jsonl"
    result = kiln.tune(w.task(target), trials=args.trials, log=log)
    mod = result.build()
    print(mod.get_source("cuda" if target.kind == "cuda" else "cl")[:1500], "...\n")

    # NumPy arrays are copied to the device and back; a PyTorch CUDA tensor
    # (anything with __dlpack__ on the device) is used where it is.
    a, b, c = w.random_args(seed=1)
    mod(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-3, atol=1e-3)
    best = result.best_latency_s
    print(f"{w.name} {n}^3 on {target}: {best * 1e3:.3f} ms, "
          f"{2 * n ** 3 / best * 1e-9:.1f} GFLOP/s (log: {log})")


if __name__ == "__main__":
    main()
