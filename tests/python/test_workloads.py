"""Every registered workload: text round trip, interpreter vs NumPy, stable hash."""

import subprocess
import sys

import numpy as np
import pytest

import kiln

WORKLOADS = kiln.workloads.list()

REQUIRED = {
    "matmul", "batch_matmul", "dense_bias_relu", "conv2d_nchw", "conv2d_nhwc",
    "depthwise_conv2d_nhwc", "conv2d_bias_relu_nhwc", "softmax", "layernorm",
    "max_pool2d", "avg_pool2d", "reduce_sum", "transpose_add",
}


def test_required_workloads_are_registered():
    assert REQUIRED <= set(WORKLOADS)


@pytest.mark.parametrize("name", WORKLOADS)
def test_print_parse_round_trip(name):
    func = kiln.workloads.get(name).func
    text = func.script()
    again = kiln.parse(text)
    assert kiln.structural_equal(func, again)
    assert kiln.structural_hash(func) == kiln.structural_hash(again)
    assert again.script() == text


@pytest.mark.parametrize("name", WORKLOADS)
@pytest.mark.parametrize("seed", [0, 1])
def test_interpreter_matches_numpy(name, seed):
    w = kiln.workloads.get(name)
    args = w.random_args(seed=seed)
    kiln.interpret(w.func, args)
    expected = w.reference(args)
    assert len(expected) == 1
    np.testing.assert_allclose(args[-1], expected[0], rtol=1e-4, atol=1e-4)


# A second, non-default shape per workload (odd sizes, strides, padding) to
# catch shape logic that only works for the defaults.
OTHER_SHAPES = {
    "matmul": dict(M=7, N=13, K=5),
    "batch_matmul": dict(B=2, M=5, N=3, K=7, transpose_b=1),
    "dense_bias_relu": dict(M=3, N=9, K=11),
    "conv2d_nchw": dict(N=1, C=3, H=9, W=7, K=4, R=3, S=3, stride=2, padding=1, dilation=1),
    "conv2d_nhwc": dict(N=2, C=2, H=8, W=8, K=3, R=3, S=3, stride=1, padding=2, dilation=2),
    "depthwise_conv2d_nhwc": dict(N=1, H=7, W=9, C=3, R=3, S=3, stride=2, padding=1, dilation=1),
    "softmax": dict(M=3, N=17),
    "layernorm": dict(M=4, N=19),
    "reduce_sum": dict(M=5, N=33),
}


@pytest.mark.parametrize("name", sorted(OTHER_SHAPES))
def test_interpreter_matches_numpy_other_shapes(name):
    w = kiln.workloads.get(name, **OTHER_SHAPES[name])
    assert all(w.shape[k] == v for k, v in OTHER_SHAPES[name].items())
    args = w.random_args(seed=3)
    kiln.interpret(w.func, args)
    np.testing.assert_allclose(args[-1], w.reference(args)[0], rtol=1e-4, atol=1e-4)


def test_hash_is_stable_across_processes():
    code = (
        "import kiln\n"
        "for n in kiln.workloads.list():\n"
        "    print(n, kiln.structural_hash(kiln.workloads.get(n).func))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                           text=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    here = {n: kiln.structural_hash(kiln.workloads.get(n).func) for n in WORKLOADS}
    assert runs[0].split() == [tok for n in WORKLOADS for tok in (n, str(here[n]))]
    assert len(set(here.values())) == len(here), "different workloads must hash differently"


def test_equal_functions_hash_equal_and_shapes_differ():
    a = kiln.workloads.get("matmul", M=16, N=16, K=16).func
    b = kiln.workloads.get("matmul", M=16, N=16, K=16).func
    c = kiln.workloads.get("matmul", M=16, N=16, K=32).func
    assert kiln.structural_equal(a, b) and kiln.structural_hash(a) == kiln.structural_hash(b)
    assert not kiln.structural_equal(a, c) and kiln.structural_hash(a) != kiln.structural_hash(c)


def test_unknown_workload_and_shape_key_are_clear_errors():
    with pytest.raises(ValueError, match="matmul"):
        kiln.workloads.get("no_such_op")
    with pytest.raises(ValueError, match="M"):
        kiln.workloads.get("matmul", Q=3)
