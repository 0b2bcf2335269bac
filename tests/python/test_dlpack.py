"""Arrays cross into and out of built modules without copies: NumPy arrays,
kiln arrays and any DLPack tensor (PyTorch when installed) are used where
they lie, a kiln array exports its own memory, and a tensor on a device a
module does not run on is refused with a message naming the argument.

A GPU tensor is stood in for by `DeviceTensor`, a DLPack producer that says
its memory is on a CUDA device: kiln checks a call's arguments before
anything reads them, so the device checks run on a machine without a GPU
(where a CUDA driver is present, the one test that would launch a kernel on
the stand-in is skipped)."""

import ctypes
import os

import numpy as np
import pytest

import kiln
from kiln import te
from test_gpu import exp_kernel  # the GPU tests' kernel: B = exp(A), 2 blocks of 32 threads

KDL_CPU, KDL_CUDA = 1, 2


def add_module(n=64):
    """C = A + B over (n, n) float32, with vector code: a kernel that wants
    aligned arrays."""
    A = te.placeholder((n, n), "float32", name="A")
    B = te.placeholder((n, n), "float32", name="B")
    C = te.compute((n, n), lambda i, j: A[i, j] + B[i, j], name="C")
    sch = kiln.Schedule(te.create_prim_func([A, B, C], name="add"))
    _, j = sch.get_loops(sch.get_block("C"))
    _, lanes = sch.split(j, factors=[None, 8])
    sch.vectorize(lanes)
    return kiln.build(sch.func, "llvm")


def exp_module(target):
    """B = exp(A) over 64 elements for a GPU target: 2 blocks of 32 threads."""
    return kiln.build(exp_kernel(), target)


def aligned(values):
    """A NumPy array over kiln memory (64-byte aligned) holding `values`."""
    out = np.from_dlpack(kiln.nd.empty(values.shape, str(values.dtype)))
    out[...] = values
    return out


def address(array):
    return array.__array_interface__["data"][0]


# --- NumPy and kiln arrays --------------------------------------------------------


def test_import_shares_the_numpy_array_memory():
    x = np.arange(12, dtype="float32").reshape(3, 4)
    a = kiln.nd.from_dlpack(x)
    assert address(np.from_dlpack(a)) == address(x)  # the same bytes, both ways


def test_export_shares_the_kiln_array_memory():
    a = kiln.nd.empty((8,), "float32")
    view = np.from_dlpack(a)
    assert address(np.from_dlpack(a)) == address(view)
    view[:] = 3.0
    np.testing.assert_array_equal(a.numpy(), np.full(8, 3.0, "float32"))


def test_numpy_arguments_are_used_in_place(capfd):
    mod = add_module()
    rng = np.random.default_rng(0)
    a, b = (aligned(rng.random((64, 64), dtype="float32")) for _ in range(2))
    c = aligned(np.zeros((64, 64), "float32"))
    before = address(c)
    mod(a, b, c)
    np.testing.assert_array_equal(c, a + b)
    assert address(c) == before
    # The runtime says so on stderr whenever it copies an argument; it did not.
    assert "copies argument" not in capfd.readouterr().err


def test_an_unaligned_numpy_array_is_copied_and_said_once(capfd):
    # By design (README): a CPU kernel does not take data less aligned than
    # its vector code wants where it lies; it copies it and says so once.
    mod = add_module()
    a = aligned(np.ones((64, 64), "float32"))
    flat = np.zeros(64 * 64 + 1, "float32")
    c = flat[1:].reshape(64, 64)
    mod(a, a, c)
    mod(a, a, c)
    np.testing.assert_array_equal(c, np.full((64, 64), 2.0, "float32"))
    err = capfd.readouterr().err
    assert err.count("kernel `add` copies argument `C`") == 1


def test_kernel_writes_show_through_an_exported_kiln_array():
    mod = add_module()
    a = kiln.nd.array(np.ones((64, 64), "float32"))
    c = kiln.nd.empty((64, 64), "float32")
    view = np.from_dlpack(c)  # taken before the call
    mod(a, a, c)
    np.testing.assert_array_equal(view, np.full((64, 64), 2.0, "float32"))


# --- PyTorch ----------------------------------------------------------------------


def test_torch_tensors_go_in_and_out_without_copies():
    torch = pytest.importorskip("torch")
    mod = add_module()
    a, b = torch.rand(64, 64), torch.rand(64, 64)
    c = torch.zeros(64, 64)
    pointer = c.data_ptr()
    mod(a, b, c)
    assert c.data_ptr() == pointer and torch.equal(c, a + b)
    assert address(np.from_dlpack(kiln.nd.from_dlpack(c))) == pointer

    k = kiln.nd.empty((64, 64), "float32")
    t = torch.from_dlpack(k)
    assert t.data_ptr() == address(np.from_dlpack(k))
    mod(a, b, k)
    assert torch.equal(t, a + b)


# --- tensors on a device ------------------------------------------------------------


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class DLManagedTensor(ctypes.Structure):
    pass


DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(DLManagedTensor))
DLManagedTensor._fields_ = [("dl_tensor", DLTensor), ("manager_ctx", ctypes.c_void_p),
                            ("deleter", DELETER)]

_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


class DeviceTensor:
    """A float32 DLPack tensor that says it lives on (device_type,
    device_id), over host memory no one reads. It records the arguments of
    each __dlpack__ call and how often its consumer released it."""

    def __init__(self, shape, device_type=KDL_CUDA, device_id=0):
        self.device = (device_type, device_id)
        self.memory = np.zeros(shape, "float32")  # a stand-in for device memory
        self.shape = (ctypes.c_int64 * len(shape))(*shape)
        self.calls = []
        self.released = 0
        self._deleter = DELETER(self._release)
        self._exports = []

    def _release(self, _managed):
        self.released += 1

    def __dlpack_device__(self):
        return self.device

    def __dlpack__(self, **kwargs):
        self.calls.append(kwargs)
        tensor = DLTensor(self.memory.ctypes.data, DLDevice(*self.device), len(self.shape),
                          DLDataType(2, 32, 1), self.shape, None, 0)
        managed = DLManagedTensor(tensor, None, self._deleter)
        self._exports.append(managed)  # kept alive for the consumer
        return _capsule_new(ctypes.addressof(managed), b"dltensor", None)


def test_a_cuda_tensor_is_imported_without_a_copy_and_released_once():
    t = DeviceTensor((4, 4))
    a = kiln.nd.from_dlpack(t)
    assert a.device == "cuda:0" and a.shape == (4, 4) and a.dtype == "float32"
    assert a.__dlpack_device__() == (KDL_CUDA, 0)
    # Asked with the stream kiln's CUDA kernels run on (the legacy default,
    # 1), so that PyTorch first finishes what it queued on its own stream.
    assert t.calls == [{"stream": 1}]
    del a
    assert t.released == 1


def test_a_host_tensor_is_asked_for_without_a_stream():
    t = DeviceTensor((4,), device_type=KDL_CPU)
    kiln.nd.from_dlpack(t)
    assert t.calls == [{}]  # NumPy refuses any stream but None


def test_a_cuda_tensor_passed_to_a_cpu_module_is_refused():
    mod = add_module()
    a = np.zeros((64, 64), "float32")
    cuda = DeviceTensor((64, 64))
    with pytest.raises(kiln.KilnRuntimeError) as e:
        mod(a, cuda, a)
    msg = str(e.value)
    assert "kernel `add`, argument 1 (`B`): expected an array on cpu, given one on cuda:0" in msg
    assert 'kiln.nd.array(x, device="cpu")' in msg and 'x.to("cpu")' in msg
    assert cuda.released == 1  # refused, and handed back
    with pytest.raises(kiln.KilnRuntimeError, match=r"argument 2 \(`C`\): expected an array on cpu"):
        mod(a, a, kiln.nd.from_dlpack(DeviceTensor((64, 64))))


def test_a_cuda_tensor_passed_to_an_opencl_module_is_refused():
    try:
        mod = exp_module("opencl")
    except Exception as e:  # no OpenCL platform (PoCL) on this machine
        if "OpenCL" in str(e) and "platform" in str(e).lower():
            pytest.skip(f"no OpenCL device: {e}")
        raise
    with pytest.raises(kiln.KilnRuntimeError,
                       match=r"kernel `exp`, argument 0 \(`A`\): expected an array on opencl, "
                             r"given one on cuda:0"):
        mod(DeviceTensor((64,)), np.zeros(64, "float32"))


def cuda_module_or_skip(target="cuda -arch=sm_90"):
    try:
        return exp_module(target)
    except Exception as e:
        if "NVRTC" in str(e) or "nvrtc" in str(e):
            pytest.skip(f"kiln was built without NVRTC (the CUDA toolkit): {e}")
        raise


def cuda_driver_present():
    return any(os.path.exists(os.path.join(d, "libcuda.so.1"))
               for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/cuda/compat",
                         "/usr/lib/wsl/lib"))


def test_a_cuda_module_takes_cuda_tensors_as_they_are():
    mod = cuda_module_or_skip()
    if cuda_driver_present():
        pytest.skip("a CUDA driver is installed: the kernel would read the stand-in's memory as "
                    "device memory (test_torch_cuda_tensors_run_in_place_on_a_cuda_module runs)")
    # Past every argument check (a cuda:0 tensor and a host array are both
    # taken), the call stops only where it needs the driver.
    with pytest.raises(kiln.KilnRuntimeError, match="no CUDA driver"):
        mod(DeviceTensor((64,)), np.zeros(64, "float32"))


def test_a_tensor_on_another_cuda_device_is_refused():
    mod = cuda_module_or_skip()
    with pytest.raises(kiln.KilnRuntimeError) as e:
        mod(np.zeros(64, "float32"), DeviceTensor((64,), device_id=1))
    msg = str(e.value)
    assert "kernel `exp`, argument 1 (`B`): the array is on cuda:1" in msg
    assert "kiln runs cuda kernels on cuda:0 only" in msg and 'x.to("cuda:0")' in msg


def test_torch_cuda_tensors_run_in_place_on_a_cuda_module():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device for PyTorch")
    mod = cuda_module_or_skip("cuda")  # for the GPU present
    a = torch.rand(64, device="cuda")
    b = torch.zeros(64, device="cuda")
    pointer = b.data_ptr()
    mod(a, b)
    assert b.data_ptr() == pointer
    torch.testing.assert_close(b, torch.exp(a), rtol=1e-5, atol=1e-6)
