"""The main job, as far as kiln goes today: define a matmul in the DSL,
print its loop program, run it in the reference interpreter and check it
against NumPy; then apply the expert CPU schedule to a 1024^3 matmul, compile
it with LLVM, check it against NumPy and time it beside NumPy's matmul
(OpenBLAS), measured in the same run. (The tuner will replace the hand
schedule with a search.)

Example: ``python3 -m kiln demo --size 128 --compiled-size 512``.
"""

import time

import numpy as np

import kiln
from kiln import interpret, te


def matmul(size):
    """A size x size x size float32 matmul as a PrimFunc."""
    A = te.placeholder((size, size), "float32", name="A")
    B = te.placeholder((size, size), "float32", name="B")
    k = te.reduce_axis((0, size), name="k")
    C = te.compute((size, size), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    return te.create_prim_func([A, B, C], name="matmul")


def _median_seconds(fn, min_total=1.0, min_runs=5):
    fn()  # warm up
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < min_total:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _check_interpreter(size):
    func = matmul(size)
    print(func.script())
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (size, size)).astype("float32")
    b = rng.uniform(-1, 1, (size, size)).astype("float32")
    c = np.zeros((size, size), "float32")
    start = time.perf_counter()
    interpret(func, [a, b, c])
    seconds = time.perf_counter() - start
    expected = a.astype("float64") @ b.astype("float64")
    err = float(np.max(np.abs(c - expected)))
    ok = np.allclose(c, expected, rtol=1e-4, atol=1e-4)
    print(f"interpreter: {size}x{size}x{size} float32 matmul in {seconds:.2f} s, "
          f"max abs error vs NumPy {err:.2e}")
    print("matches NumPy" if ok else "DOES NOT match NumPy")
    return ok


def _compiled(size):
    target = kiln.Target("llvm")
    lanes = target.vector_bytes // 4
    threads = target.num_cores
    print(f"\ntarget: {target}")
    func = kiln.workloads.get("matmul", M=size, N=size, K=size).func
    sch = kiln._ffi.expert_matmul_schedule(func, lanes, threads)
    print(f"expert schedule ({lanes} float32 lanes, {threads} threads):")
    print(sch.trace)
    start = time.perf_counter()
    mod = kiln.build(sch.func, target=target)
    print(f"compiled with LLVM in {(time.perf_counter() - start) * 1e3:.0f} ms")
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (size, size)).astype("float32")
    b = rng.uniform(-1, 1, (size, size)).astype("float32")
    c = np.zeros((size, size), "float32")
    mod(a, b, c)
    expected = a @ b
    err = float(np.max(np.abs(c - expected)))
    ok = np.allclose(c, expected, rtol=1e-3, atol=1e-3)
    print(f"kiln: max abs error vs NumPy {err:.2e}: "
          + ("matches NumPy" if ok else "DOES NOT match NumPy"))
    flops = 2.0 * size**3
    kiln_s = _median_seconds(lambda: mod(a, b, c))
    numpy_s = _median_seconds(lambda: np.matmul(a, b, out=expected))
    kiln_gf, numpy_gf = flops / kiln_s / 1e9, flops / numpy_s / 1e9
    print(f"{size}^3 float32 matmul, median of runs:")
    print(f"  kiln (expert schedule)  {kiln_s * 1e3:8.2f} ms  {kiln_gf:7.1f} GFLOP/s")
    print(f"  NumPy (OpenBLAS)        {numpy_s * 1e3:8.2f} ms  {numpy_gf:7.1f} GFLOP/s")
    print(f"  kiln / OpenBLAS: {kiln_gf / numpy_gf:.2f}x")
    return ok


def run(size=256, compiled_size=1024):
    """Runs the demo; returns the process exit status (0 when both match)."""
    ok = _check_interpreter(size)
    if compiled_size > 0:
        ok = _compiled(compiled_size) and ok
    return 0 if ok else 1
