"""The compute DSL from Python, checked through the interpreter against NumPy."""

import numpy as np
import pytest

import kiln
from kiln import te


def run(func, inputs, out_shape, dtype="float32"):
    out = np.zeros(out_shape, dtype)
    kiln.interpret(func, [*inputs, out])
    return out


def test_matmul_from_issue_example():
    M, N, K = 16, 12, 8
    A = te.placeholder((M, K), "float32", name="A")
    B = te.placeholder((K, N), "float32", name="B")
    k = te.reduce_axis((0, K), name="k")
    C = te.compute((M, N), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    func = te.create_prim_func([A, B, C])
    text = func.script()
    assert 'block("C")' in text and "init" in text
    rng = np.random.default_rng(0)
    a, b = rng.random((M, K), "float32"), rng.random((K, N), "float32")
    np.testing.assert_allclose(run(func, [a, b], (M, N)), a @ b, rtol=1e-5)


def test_chain_with_intermediate_math_and_casts():
    n = 24
    X = te.placeholder((n,), "float32", name="X")
    Y = te.compute((n,), lambda i: te.exp(X[i]) * 0.5 + te.sqrt(te.if_then_else(X[i] > 0.0, X[i], 0.0)), name="Y")
    Z = te.compute((n,), lambda i: (te.tanh(Y[i]) + te.sigmoid(Y[i]) - te.erf(Y[i])).astype("float16"), name="Z")
    func = te.create_prim_func([X, Z])
    x = np.random.default_rng(1).uniform(-2, 2, n).astype("float32")
    y = np.exp(x) * 0.5 + np.sqrt(np.maximum(x, 0))
    from math import erf
    expect = (np.tanh(y) + 1 / (1 + np.exp(-y)) - np.vectorize(erf)(y)).astype("float16")
    np.testing.assert_allclose(run(func, [x], (n,), "float16"), expect, rtol=2e-3, atol=2e-3)


def test_max_and_min_reductions_and_index_arithmetic():
    A = te.placeholder((6, 10), "float32", name="A")
    k = te.reduce_axis((0, 5), name="k")
    B = te.compute((6, 2), lambda i, j: te.max(A[i, j * 5 + k], axis=k), name="B")
    r = te.reduce_axis((0, 6), name="r")
    C = te.compute((2,), lambda j: te.min(B[r, j], axis=r), name="C")
    func = te.create_prim_func([A, C])
    a = np.random.default_rng(2).standard_normal((6, 10)).astype("float32")
    expect = a.reshape(6, 2, 5).max(axis=2).min(axis=0)
    np.testing.assert_allclose(run(func, [a], (2,)), expect)


def test_reduction_inside_expression_is_an_error():
    A = te.placeholder((4, 4), "float32", name="A")
    k = te.reduce_axis((0, 4), name="k")
    with pytest.raises(TypeError):
        te.compute((4,), lambda i: te.sum(A[i, k], axis=k) * 2.0, name="B")


def test_wrong_index_count_is_an_error():
    A = te.placeholder((4, 4), "float32", name="A")
    with pytest.raises(ValueError, match="A"):
        te.compute((4,), lambda i: A[i], name="B")


def test_symbolic_truth_value_is_an_error():
    A = te.placeholder((4,), "float32", name="A")
    with pytest.raises(TypeError, match="truth value"):
        te.compute((4,), lambda i: A[i] if i < 2 else 0.0, name="B")


def test_interpreter_reports_out_of_bounds_access():
    A = te.placeholder((8,), "float32", name="A")
    B = te.compute((8,), lambda i: A[i + 1], name="B")
    func = te.create_prim_func([A, B])
    with pytest.raises(kiln.InterpreterError, match="A"):
        kiln.interpret(func, [np.zeros(8, "float32"), np.zeros(8, "float32")])


def test_interpreter_rejects_wrong_arguments():
    func = kiln.workloads.get("matmul", M=4, N=4, K=4).func
    ok = [np.zeros((4, 4), "float32") for _ in range(3)]
    with pytest.raises(kiln.InterpreterError):
        kiln.interpret(func, ok[:2])
    with pytest.raises(kiln.InterpreterError):
        kiln.interpret(func, [ok[0], ok[1], np.zeros((4, 5), "float32")])
    with pytest.raises(kiln.InterpreterError):
        kiln.interpret(func, [ok[0], ok[1], np.zeros((4, 4), "float64")])
    with pytest.raises(ValueError, match="contiguous"):
        kiln.interpret(func, [ok[0], ok[1], np.zeros((4, 8), "float32")[:, ::2]])
