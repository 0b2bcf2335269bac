"""The main job: define a float32 matmul in the DSL, tune it for this CPU,
check the tuned kernel against NumPy, and time it beside the untransformed
program and NumPy's matmul (OpenBLAS), all measured in the same run on the
same NumPy arrays.

Example: ``python3 -m kiln demo --size 512 --trials 256``.
"""

import numpy as np

import kiln
from kiln import te
from kiln.bench_timing import time_calls


def matmul(size):
    """A size x size x size float32 matmul as a PrimFunc."""
    A = te.placeholder((size, size), "float32", name="A")
    B = te.placeholder((size, size), "float32", name="B")
    k = te.reduce_axis((0, size), name="k")
    C = te.compute((size, size), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    return te.create_prim_func([A, B, C], name="matmul")


def run(size=512, trials=256, log="tuning_logs/demo_matmul.jsonl", seed=0):
    """Runs the demo; returns the process exit status (0 when the tuned
    kernel matches NumPy)."""
    func = matmul(size)
    print(func.script())
    target = kiln.Target("llvm")
    task = kiln.Task(func, target)
    print(f"tuning it on {target} for {trials} trials (log: {log}; run again to resume)")
    result = kiln.tune(task, trials=trials, log=log, seed=seed)
    print(f"best schedule ({result.results[0].trials} trials, {result.wall_s:.0f} s):")
    print(result.best_trace)

    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (size, size)).astype("float32")
    b = rng.uniform(-1, 1, (size, size)).astype("float32")
    c = np.zeros((size, size), "float32")
    tuned = result.build()
    tuned(a, b, c)
    expected = a @ b
    err = float(np.max(np.abs(c - expected)))
    ok = np.allclose(c, expected, rtol=1e-3, atol=1e-3)
    print(f"tuned kernel: max abs error vs NumPy {err:.2e}: "
          + ("matches NumPy" if ok else "DOES NOT match NumPy"))

    plain = kiln.build(func, target)
    flops = 2.0 * size**3
    rows = [
        ("kiln, tuned", time_calls(lambda: tuned(a, b, c), repeat=5, min_seconds=0.5)[0]),
        ("kiln, untransformed", time_calls(lambda: plain(a, b, c), repeat=2, min_seconds=0.2)[0]),
        ("NumPy (OpenBLAS)",
         time_calls(lambda: np.matmul(a, b, out=expected), repeat=5, min_seconds=0.5)[0]),
    ]
    print(f"\n{size}^3 float32 matmul on NumPy arrays, median of runs:")
    for name, seconds in rows:
        print(f"  {name:22} {seconds * 1e3:9.3f} ms  {flops / seconds * 1e-9:7.1f} GFLOP/s")
    tuned_s, plain_s, blas_s = (s for _, s in rows)
    print(f"  tuned / untransformed: {plain_s / tuned_s:.1f}x faster")
    print(f"  kiln / OpenBLAS: {blas_s / tuned_s:.2f}x")
    return 0 if ok else 1
