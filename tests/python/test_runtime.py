"""The runtime from Python: kiln arrays and DLPack with NumPy (and PyTorch
when installed), a hand-written kiln library loaded and called, and the
messages for arguments a kernel cannot take."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import kiln

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADD_LIBRARY = os.path.join(ROOT, "tests", "cpp", "runtime", "add_library.c")


# --- arrays -----------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "uint64", "bool"]
)
def test_array_copies_numpy_and_back(dtype):
    x = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    a = kiln.nd.array(x)
    assert isinstance(a, kiln.NDArray)
    assert a.shape == (2, 3, 4) and a.dtype == dtype and a.device == "cpu"
    x[0, 0, 0] = 1  # a copy: later writes to x do not show
    y = a.numpy()
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y[0, 0, 1:], (np.arange(1, 4) % 3).astype(dtype))
    np.testing.assert_array_equal(np.from_dlpack(a), y)


def test_array_converts_lists_and_dtypes():
    b = kiln.nd.array([[1, 2], [3, 4]], dtype="int32")
    assert b.shape == (2, 2) and b.dtype == "int32"
    np.testing.assert_array_equal(b.numpy(), [[1, 2], [3, 4]])
    t = kiln.nd.array(np.arange(12, dtype="float32").reshape(3, 4).T)  # non-contiguous source
    np.testing.assert_array_equal(t.numpy(), np.arange(12, dtype="float32").reshape(3, 4).T)


def test_empty_is_aligned_and_shaped():
    for n in (1, 3, 1000):
        c = kiln.nd.empty((n,), "float32")
        assert np.from_dlpack(c).ctypes.data % 64 == 0
    c = kiln.nd.empty((2, 5), "bfloat16")
    assert c.shape == (2, 5) and c.dtype == "bfloat16"
    assert repr(c) == "kiln.nd.NDArray(shape=(2, 5), dtype=bfloat16, device=cpu)"
    with pytest.raises(TypeError, match="NumPy has no bfloat16"):
        c.numpy()


def test_dlpack_both_ways_shares_memory():
    a = kiln.nd.array(np.zeros(8, "float32"))
    view = np.from_dlpack(a)  # zero-copy: numpy sees kiln's memory
    view[3] = 7.0
    assert a.numpy()[3] == 7.0
    assert a.__dlpack_device__() == (1, 0)
    del a
    assert view[3] == 7.0  # the export keeps the memory alive

    x = np.arange(6, dtype="int64")
    b = kiln.nd.from_dlpack(x)  # zero-copy the other way
    x[0] = 42
    assert b.numpy()[0] == 42
    copied = np.from_dlpack(kiln.nd.array(x))
    assert copied[0] == 42


def test_dlpack_import_of_bool_and_strided_views():
    m = kiln.nd.from_dlpack(np.array([True, False, True]))
    assert m.dtype == "bool"
    np.testing.assert_array_equal(m.numpy(), [True, False, True])
    t = np.arange(12, dtype="float32").reshape(3, 4).T
    v = kiln.nd.from_dlpack(t)
    assert v.shape == (4, 3)
    np.testing.assert_array_equal(v.numpy(), t)  # numpy() follows the strides


def test_bad_dtype_and_device_text():
    with pytest.raises(kiln.KilnRuntimeError, match="unknown dtype `float31`"):
        kiln.nd.empty((2,), "float31")
    with pytest.raises(kiln.KilnRuntimeError, match="unknown device `tpu`"):
        kiln.nd.empty((2,), "float32", device="tpu")
    assert issubclass(kiln.KilnRuntimeError, RuntimeError)


def test_torch_round_trip():
    torch = pytest.importorskip("torch")
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    a = kiln.nd.from_dlpack(t)
    t[0, 0] = 5.0
    assert a.numpy()[0, 0] == 5.0
    back = torch.from_dlpack(kiln.nd.array(np.ones((2, 2), "float32")))
    assert back.sum().item() == 4.0
    bf = kiln.nd.array(t.to(torch.bfloat16))
    assert bf.dtype == "bfloat16"
    assert torch.equal(torch.from_dlpack(bf).float(), t)


# --- a loaded library ---------------------------------------------------------


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    if shutil.which("cc") is None:
        pytest.skip("no `cc` on PATH to compile the test library")
    out = str(tmp_path_factory.mktemp("lib") / "libadd.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-I", ROOT, ADD_LIBRARY, "-o", out], check=True)
    return out


@pytest.fixture
def module(library):
    return kiln.load_module(library)


def test_load_module_and_call_with_numpy_and_kiln_arrays(module):
    assert isinstance(module, kiln.Module)
    assert module.kernel_names == ["add", "count_chunks", "fail"]
    assert module.kind == "library"
    assert "add" in module and "sub" not in module
    add = module["add"]
    assert add.name == "add"
    assert add.params == [("A", "float32", (32, 32)), ("B", "float32", (32, 32)), ("C", "float32", (32, 32))]
    a = np.random.rand(32, 32).astype("float32")
    b = np.random.rand(32, 32).astype("float32")
    c = np.zeros((32, 32), "float32")
    add(a, b, c)  # NumPy arrays, zero-copy: the output is written in place
    np.testing.assert_array_equal(c, a + b)
    kc = kiln.nd.empty((32, 32), "float32")
    add(kiln.nd.array(a), b, kc)
    np.testing.assert_array_equal(kc.numpy(), a + b)
    chunks = np.zeros(1, "int64")
    module["count_chunks"](chunks)
    assert chunks[0] >= 1  # the pool's threads ran the library's parallel loop


def test_load_module_accepts_paths_and_exports_a_copy(library, tmp_path):
    import pathlib

    m = kiln.load_module(pathlib.Path(library))
    m.export_library(tmp_path / "libcopy.so")
    again = kiln.load_module(str(tmp_path / "libcopy.so"))
    assert again.kernel_names == m.kernel_names


def test_load_module_errors():
    with pytest.raises(kiln.KilnRuntimeError, match="there is no file at"):
        kiln.load_module("/no/such/libkernels.so")


def test_not_a_kiln_library(tmp_path):
    if shutil.which("cc") is None:
        pytest.skip("no `cc` on PATH")
    src = tmp_path / "plain.c"
    src.write_text("int answer(void) { return 42; }\n")
    out = str(tmp_path / "libplain.so")
    subprocess.run(["cc", "-shared", "-fPIC", str(src), "-o", out], check=True)
    with pytest.raises(kiln.KilnRuntimeError, match="is not a kiln library"):
        kiln.load_module(out)


def test_torch_tensors_are_arguments(module):
    torch = pytest.importorskip("torch")
    a, b = torch.rand(32, 32), torch.rand(32, 32)
    c = torch.empty(32, 32)
    module["add"](a, b, c)
    assert torch.equal(c, a + b)


# --- argument errors ------------------------------------------------------------


def arrays():
    return [np.zeros((32, 32), "float32") for _ in range(3)]


def test_kernel_status_is_an_error(module):
    with pytest.raises(kiln.KilnRuntimeError, match=r"kernel `fail` failed: could not allocate its workspace \(KILN_ERROR_WORKSPACE\)"):
        module["fail"](np.zeros(4, "float32"))


def test_wrong_count(module):
    with pytest.raises(kiln.KilnRuntimeError, match=r"kernel `add` takes 3 arguments \(A, B, C\) but was given 2"):
        module["add"](*arrays()[:2])


def test_wrong_shape(module):
    a, b, _ = arrays()
    with pytest.raises(kiln.KilnRuntimeError) as e:
        module["add"](a, b, np.zeros((32, 16), "float32"))
    assert "argument 2 (`C`): expected shape (32, 32), given (32, 16)" in str(e.value)


def test_wrong_dtype(module):
    a, b, c = arrays()
    with pytest.raises(kiln.KilnRuntimeError) as e:
        module["add"](a.astype("float64"), b, c)
    msg = str(e.value)
    assert "kernel `add`, argument 0 (`A`): expected dtype float32, given float64" in msg
    assert 'x.astype("float32")' in msg


def test_misaligned_view_is_copied_not_refused(module):
    rng = np.random.default_rng(0)
    a, b = (rng.random((32, 32), dtype="float32") for _ in range(2))
    c = np.zeros((32, 32), "float32")
    flat = np.zeros(32 * 32 + 1, "float32")
    view = flat[1:].reshape(32, 32)  # starts 4 bytes into flat's memory
    view[:] = a
    module["add"](view, b, c)
    np.testing.assert_allclose(c, a + b, rtol=1e-6)
    out = flat[1:].reshape(32, 32)
    module["add"](a, b, out)  # a written argument is copied back
    np.testing.assert_allclose(flat[1:].reshape(32, 32), a + b, rtol=1e-6)


def test_non_contiguous_view(module):
    a, b, c = arrays()
    with pytest.raises(kiln.KilnRuntimeError) as e:
        module["add"](a, b.T, c)
    msg = str(e.value)
    assert "argument 1 (`B`): the array is not contiguous" in msg
    assert "np.ascontiguousarray(x)" in msg
    module["add"](a, np.ascontiguousarray(b.T), c)


def test_not_an_array(module):
    a, b, _ = arrays()
    with pytest.raises(TypeError, match=r"argument 2 \(`C`\): a list is not an array"):
        module["add"](a, b, [0.0] * 1024)


def test_read_only_numpy_array(module):
    a, b, c = arrays()
    a.flags.writeable = False
    with pytest.raises(TypeError, match=r"argument 0 \(`A`\): cannot take the ndarray through __dlpack__"):
        module["add"](a, b, c)


def test_calling_a_module_of_several_kernels_needs_a_name(module):
    with pytest.raises(kiln.KilnRuntimeError, match=r"has 3 kernels \(add, count_chunks, fail\)"):
        module(*arrays())
    with pytest.raises(KeyError, match="no kernel `sub`"):
        module["sub"]


def test_dlpack_protocol_details():
    a = kiln.nd.array(np.arange(4, dtype="float32"))
    legacy = a.__dlpack__()
    assert "dltensor" in repr(legacy) and "versioned" not in repr(legacy)
    assert "dltensor_versioned" in repr(a.__dlpack__(max_version=(1, 0)))
    copy = np.from_dlpack(a, copy=True)
    copy[0] = 9.0
    assert a.numpy()[0] == 0.0
    with pytest.raises(BufferError, match="the array is on cpu"):
        a.__dlpack__(dl_device=(2, 0))
