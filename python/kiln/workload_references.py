"""NumPy references for the workloads of the C++ registry (workloads/*.cc).

``REFERENCES`` maps each workload name to a function
``reference(shape, inputs) -> outputs`` where

* ``shape`` is the workload's complete shape dict (as ``Workload.shape``: every
  key present, defaults filled in), e.g. ``{"M": 64, "N": 64, "K": 64}``;
* ``inputs`` are the input parameters of the PrimFunc, in parameter order, as
  float32 NumPy arrays of the parameter shapes (outputs are not passed);
* the result is the list of output parameters, in parameter order, as float32
  arrays. Every workload has exactly one output: its last parameter.

The references compute in float64 and cast to float32, so a comparison with a
float32 kernel needs a tolerance (rtol/atol about 1e-4 for the defaults).
Layouts and conventions follow the C++ definitions:

* conv2d_nchw: X (N, C, H, W), W (K, C, R, S) -> (N, K, P, Q);
  conv2d_nhwc / conv2d_bias_relu_nhwc: X (N, H, W, C), W (R, S, C, K) -> (N, P, Q, K);
  depthwise_conv2d_nhwc: X (N, H, W, C), W (R, S, C) -> (N, P, Q, C).
  Symmetric zero padding; P = (H + 2 * padding - dilation * (R - 1) - 1) // stride + 1.
* max_pool2d / avg_pool2d are NHWC; max pads with -inf, avg pads with 0 and
  divides by the full window area R * S (padding counted).
* dense_bias_relu: X (M, K), W (N, K), bias (N,) -> relu(X @ W.T + bias).
* batch_matmul: A (B, M, K), B (B, K, N), or B (B, N, K) when transpose_b = 1.
* softmax, layernorm and reduce_sum work over the last axis; layernorm uses the
  biased variance and eps = 1e-5.
* transpose_add: A (N, M), B (M, N) -> relu(A.T + B) * 2.

Example::

    import numpy as np
    from kiln.workload_references import REFERENCES
    a = np.random.rand(4, 3).astype("float32"); b = np.random.rand(3, 5).astype("float32")
    (c,) = REFERENCES["matmul"]({"M": 4, "N": 5, "K": 3}, [a, b])
"""

from typing import Callable, Dict, List

import numpy as np

Reference = Callable[[dict, List[np.ndarray]], List[np.ndarray]]


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _out(x: np.ndarray) -> List[np.ndarray]:
    return [np.ascontiguousarray(x, dtype=np.float32)]


def _pad_hw(x: np.ndarray, padding: int, h_axis: int, value: float) -> np.ndarray:
    """Pads the two spatial axes h_axis and h_axis + 1 symmetrically."""
    widths = [(0, 0)] * x.ndim
    widths[h_axis] = widths[h_axis + 1] = (padding, padding)
    return np.pad(x, widths, mode="constant", constant_values=value)


def _out_extent(extent: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    return (extent + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _windows_nhwc(xp: np.ndarray, shape: dict, dilation: int):
    """Yields (r, s, view) with view[n, p, q, c] = xp[n, p*stride + r*d, q*stride + s*d, c]."""
    st = shape["stride"]
    P = _out_extent(shape["H"], shape["R"], st, shape["padding"], dilation)
    Q = _out_extent(shape["W"], shape["S"], st, shape["padding"], dilation)
    for r in range(shape["R"]):
        for s in range(shape["S"]):
            h0, w0 = r * dilation, s * dilation
            yield r, s, xp[:, h0 : h0 + (P - 1) * st + 1 : st, w0 : w0 + (Q - 1) * st + 1 : st, :]


def matmul(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    a, b = inputs
    return _out(_f64(a) @ _f64(b))


def batch_matmul(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    a, b = _f64(inputs[0]), _f64(inputs[1])
    if shape.get("transpose_b", 0):
        b = b.transpose(0, 2, 1)
    return _out(np.matmul(a, b))


def dense_bias_relu(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    x, w, bias = (_f64(t) for t in inputs)
    return _out(np.maximum(x @ w.T + bias, 0.0))


def _conv2d_nhwc(shape: dict, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    xp = _pad_hw(_f64(x), shape["padding"], 1, 0.0)
    w = _f64(w)
    out = 0.0
    for r, s, view in _windows_nhwc(xp, shape, shape["dilation"]):
        out = out + np.einsum("npqc,ck->npqk", view, w[r, s])
    return out


def conv2d_nhwc(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    return _out(_conv2d_nhwc(shape, inputs[0], inputs[1]))


def conv2d_nchw(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    x, w = inputs
    # Same arithmetic in NHWC: X (N, C, H, W) -> (N, H, W, C), W (K, C, R, S) -> (R, S, C, K).
    out = _conv2d_nhwc(shape, _f64(x).transpose(0, 2, 3, 1), _f64(w).transpose(2, 3, 1, 0))
    return _out(out.transpose(0, 3, 1, 2))


def conv2d_bias_relu_nhwc(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    x, w, bias = inputs
    return _out(np.maximum(_conv2d_nhwc(shape, x, w) + _f64(bias), 0.0))


def depthwise_conv2d_nhwc(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    x, w = inputs
    xp = _pad_hw(_f64(x), shape["padding"], 1, 0.0)
    w = _f64(w)
    out = 0.0
    for r, s, view in _windows_nhwc(xp, shape, shape["dilation"]):
        out = out + view * w[r, s]
    return _out(out)


def max_pool2d(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    xp = _pad_hw(_f64(inputs[0]), shape["padding"], 1, -np.inf)
    out = None
    for _, _, view in _windows_nhwc(xp, shape, 1):
        out = view if out is None else np.maximum(out, view)
    return _out(out)


def avg_pool2d(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    xp = _pad_hw(_f64(inputs[0]), shape["padding"], 1, 0.0)
    total = 0.0
    for _, _, view in _windows_nhwc(xp, shape, 1):
        total = total + view
    return _out(total / (shape["R"] * shape["S"]))


def softmax(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    a = _f64(inputs[0])
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return _out(e / e.sum(axis=-1, keepdims=True))


def layernorm(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    a, gamma, beta = (_f64(t) for t in inputs)
    mean = a.mean(axis=-1, keepdims=True)
    var = ((a - mean) ** 2).mean(axis=-1, keepdims=True)
    return _out((a - mean) / np.sqrt(var + 1e-5) * gamma + beta)


def reduce_sum(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    return _out(_f64(inputs[0]).sum(axis=-1))


def transpose_add(shape: dict, inputs: List[np.ndarray]) -> List[np.ndarray]:
    a, b = (_f64(t) for t in inputs)
    return _out(np.maximum(a.T + b, 0.0) * 2.0)


REFERENCES: Dict[str, Reference] = {
    "avg_pool2d": avg_pool2d,
    "batch_matmul": batch_matmul,
    "conv2d_bias_relu_nhwc": conv2d_bias_relu_nhwc,
    "conv2d_nchw": conv2d_nchw,
    "conv2d_nhwc": conv2d_nhwc,
    "dense_bias_relu": dense_bias_relu,
    "depthwise_conv2d_nhwc": depthwise_conv2d_nhwc,
    "layernorm": layernorm,
    "matmul": matmul,
    "max_pool2d": max_pool2d,
    "reduce_sum": reduce_sum,
    "softmax": softmax,
    "transpose_add": transpose_add,
}
