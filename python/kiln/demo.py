"""The main job, as far as kiln goes today: define a matmul in the DSL,
print its loop program, run it in the reference interpreter and check it
against NumPy.

Example: ``python3 -m kiln demo --size 128``.
"""

import time

import numpy as np

from kiln import interpret, te


def matmul(size):
    """A size x size x size float32 matmul as a PrimFunc."""
    A = te.placeholder((size, size), "float32", name="A")
    B = te.placeholder((size, size), "float32", name="B")
    k = te.reduce_axis((0, size), name="k")
    C = te.compute((size, size), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    return te.create_prim_func([A, B, C], name="matmul")


def run(size=256):
    """Runs the demo; returns the process exit status (0 when it matches)."""
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
    return 0 if ok else 1
