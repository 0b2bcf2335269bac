"""The compute DSL: describe an operator as tensors computed from tensors.

Example (a matmul)::

    from kiln import te
    A = te.placeholder((M, K), "float32", name="A")
    B = te.placeholder((K, N), "float32", name="B")
    k = te.reduce_axis((0, K), name="k")
    C = te.compute((M, N), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    func = te.create_prim_func([A, B, C])
"""

from kiln._ffi import te as _te

Tensor = _te.Tensor
ReduceAxis = _te.ReduceAxis

__all__ = [
    "Tensor",
    "ReduceAxis",
    "placeholder",
    "reduce_axis",
    "compute",
    "sum",
    "max",
    "min",
    "if_then_else",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "erf",
    "create_prim_func",
]


def placeholder(shape, dtype="float32", name="placeholder"):
    """An input tensor of ``shape`` and ``dtype``.

    Example::

        A = te.placeholder((64, 64), "float32", name="A")
    """
    return _te.placeholder([int(d) for d in shape], dtype, name)


def reduce_axis(dom, name="rv"):
    """A reduction axis over ``range(lo, hi)``, for ``te.sum``/``te.max``/``te.min``.

    Example::

        k = te.reduce_axis((0, 64), name="k")
    """
    lo, hi = dom
    return _te.reduce_axis(int(lo), int(hi), name)


def compute(shape, fcompute, name="compute", axis_names=None):
    """A tensor whose element at the indices is ``fcompute(*indices)``. The
    body may be a reduction (``te.sum``/``te.max``/``te.min``) as a whole.

    Example::

        B = te.compute((64,), lambda i: A[i] * 2.0, name="B")
    """
    return _te.compute([int(d) for d in shape], fcompute, name, list(axis_names or []))


def sum(value, axis):  # noqa: A001 - the name TVM users know
    """Sum over reduction axes (one, or a list), as a compute's whole body.

    Example::

        C = te.compute((64, 64), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    """
    return _te.sum(value, axis)


def max(value, axis):  # noqa: A001
    """Maximum over reduction axes (one, or a list), as a compute's whole body.

    Example::

        row_max = te.compute((64,), lambda i: te.max(A[i, k], axis=k), name="row_max")
    """
    return _te.max(value, axis)


def min(value, axis):  # noqa: A001
    """Minimum over reduction axes (one, or a list), as a compute's whole body.

    Example::

        row_min = te.compute((64,), lambda i: te.min(A[i, k], axis=k), name="row_min")
    """
    return _te.min(value, axis)


def if_then_else(cond, then_value, else_value):
    """``then_value`` where ``cond`` holds, else ``else_value``.

    Example (zero padding)::

        P = te.compute((72,), lambda i: te.if_then_else(i < 64, A[i], 0.0), name="P")
    """
    return _te.if_then_else(cond, then_value, else_value)


def exp(x):
    """e**x.

    Example::

        B = te.compute((64,), lambda i: te.exp(A[i]), name="B")
    """
    return _te.exp(x)


def log(x):
    """Natural logarithm.

    Example::

        B = te.compute((64,), lambda i: te.log(A[i]), name="B")
    """
    return _te.log(x)


def sqrt(x):
    """Square root.

    Example::

        B = te.compute((64,), lambda i: te.sqrt(A[i]), name="B")
    """
    return _te.sqrt(x)


def tanh(x):
    """Hyperbolic tangent.

    Example::

        B = te.compute((64,), lambda i: te.tanh(A[i]), name="B")
    """
    return _te.tanh(x)


def sigmoid(x):
    """1 / (1 + e**-x).

    Example::

        B = te.compute((64,), lambda i: te.sigmoid(A[i]), name="B")
    """
    return _te.sigmoid(x)


def erf(x):
    """The error function.

    Example (GELU)::

        B = te.compute((64,), lambda i: 0.5 * A[i] * (1.0 + te.erf(A[i] * 0.70710678)), name="B")
    """
    return _te.erf(x)


def create_prim_func(args, name="main"):
    """The loop program computing ``args`` (inputs and outputs, in parameter order).

    Example::

        func = te.create_prim_func([A, B, C], name="matmul")
        print(func.script())
    """
    return _te.create_prim_func(list(args), name)
