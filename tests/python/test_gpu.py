"""kiln.build for GPU targets from Python: an OpenCL kernel (PoCL runs it on
the CPU) called with NumPy arrays equals NumPy; the OpenCL and CUDA sources
and the PTX are readable; a CUDA module without a driver raises a clear
error instead of crashing. What needs a GPU (running the CUDA kernel) is
skipped where there is none."""

import os

import numpy as np
import pytest

import kiln


def gpu_matmul(m=64, n=64, k=32, tile=16):
    """A shared-memory tiled matmul: a tile x tile block of C per thread
    block, one element per thread, A and B staged k-slice by k-slice."""
    sch = kiln.Schedule(kiln.workloads.get("matmul", M=m, N=n, K=k).func)
    c = sch.get_block("C")
    i, j, kk = sch.get_loops(c)
    i0, i1 = sch.split(i, factors=[None, tile])
    j0, j1 = sch.split(j, factors=[None, tile])
    k0, k1 = sch.split(kk, factors=[None, 8])
    sch.reorder(i0, j0, i1, j1, k0, k1)
    sch.bind(i0, "blockIdx.y")
    sch.bind(j0, "blockIdx.x")
    sch.bind(i1, "threadIdx.y")
    sch.bind(j1, "threadIdx.x")
    for operand in (0, 1):
        stage = sch.cache_read(c, operand, "shared")
        sch.compute_at(stage, k0)
        loops = sch.get_loops(stage)
        fused = sch.fuse(*loops[5:])
        _, ty, tx = sch.split(fused, factors=[None, tile, tile])
        sch.bind(ty, "threadIdx.y")
        sch.bind(tx, "threadIdx.x")
    return sch.func


def opencl_or_skip():
    try:
        mod = kiln.build(gpu_matmul(16, 16, 8), target="opencl")
        a = np.zeros((16, 8), "float32")
        b = np.zeros((8, 16), "float32")
        mod(a, b, np.zeros((16, 16), "float32"))
    except Exception as e:  # no OpenCL platform (PoCL) on this machine
        if "OpenCL" in str(e) and "platform" in str(e).lower():
            pytest.skip(f"no OpenCL device: {e}")
        raise


def has_nvrtc():
    try:
        kiln.build(gpu_matmul(16, 16, 8), target="cuda -arch=sm_90")
        return True
    except Exception as e:
        if "NVRTC" in str(e) or "nvrtc" in str(e):
            return False
        raise


def expect_gpu_matmul_matches_numpy(target, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (64, 32)).astype("float32")
    b = rng.uniform(-1, 1, (32, 64)).astype("float32")
    c = np.zeros((64, 64), "float32")
    kiln.build(gpu_matmul(), target=target)(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-4)


def test_opencl_matmul_matches_numpy():
    opencl_or_skip()
    expect_gpu_matmul_matches_numpy("opencl", 0)


def test_opencl_source():
    src = kiln.build(gpu_matmul(), target="opencl").get_source("cl")
    assert "__kernel" in src and "__local" in src and "barrier(" in src


def half_add(n=256):
    """C = A + B in float16, two elements per thread (half2 on CUDA)."""
    te = kiln.te
    a = te.placeholder((n,), "float16", name="A")
    b = te.placeholder((n,), "float16", name="B")
    c = te.compute((n,), lambda i: a[i] + b[i], name="C")
    sch = kiln.Schedule(te.create_prim_func([a, b, c]))
    (i,) = sch.get_loops(sch.get_block("C"))
    bx, tx, v = sch.split(i, factors=[None, 32, 2])
    sch.bind(bx, "blockIdx.x")
    sch.bind(tx, "threadIdx.x")
    sch.vectorize(v)
    return sch.func


def test_float16_on_opencl_runs_or_is_refused_clearly():
    opencl_or_skip()
    rng = np.random.default_rng(1)
    a, b = (rng.uniform(-2, 2, 256).astype("float16") for _ in range(2))
    c = np.zeros(256, "float16")
    if not kiln.Target("opencl").has_fp16:
        with pytest.raises(kiln.BuildError, match="cl_khr_fp16"):
            kiln.build(half_add(), target="opencl")
        return
    kiln.build(half_add(), target="opencl")(a, b, c)
    np.testing.assert_array_equal(c, a + b)


def test_cuda_sources_and_ptx():
    if not has_nvrtc():
        pytest.skip("kiln was built without NVRTC (the CUDA toolkit)")
    mod = kiln.build(gpu_matmul(), target="cuda -arch=sm_90")
    cu = mod.get_source("cuda")
    assert "__global__" in cu and "__shared__" in cu and "__syncthreads()" in cu
    ptx = mod.get_source("ptx")
    assert ".target sm_90" in ptx and ".entry" in ptx


def cuda_driver_present():
    return any(os.path.exists(os.path.join(d, "libcuda.so.1"))
               for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/cuda/compat",
                         "/usr/lib/wsl/lib"))


def test_cuda_call_without_a_driver_raises_clearly():
    if not has_nvrtc():
        pytest.skip("kiln was built without NVRTC (the CUDA toolkit)")
    if cuda_driver_present():
        pytest.skip("a CUDA driver is installed; test_cuda_matmul_matches_numpy runs instead")
    mod = kiln.build(gpu_matmul(), target="cuda -arch=sm_90")
    a = np.zeros((64, 32), "float32")
    b = np.zeros((32, 64), "float32")
    with pytest.raises(Exception, match="no CUDA driver"):
        mod(a, b, np.zeros((64, 64), "float32"))


def test_cuda_matmul_matches_numpy():
    if not has_nvrtc():
        pytest.skip("kiln was built without NVRTC (the CUDA toolkit)")
    if not cuda_driver_present():
        pytest.skip("no CUDA driver (libcuda.so.1): running a CUDA kernel needs a GPU")
    expect_gpu_matmul_matches_numpy("cuda -arch=sm_90", 1)


def test_gpu_schedule_on_the_cpu_is_refused():
    with pytest.raises(kiln.BuildError, match="GPU thread axis"):
        kiln.build(gpu_matmul(), target="llvm")


def exp_kernel():
    """B = exp(A), 64 elements: 2 blocks of 32 threads."""
    from kiln import te

    A = te.placeholder((64,), "float32", name="A")
    B = te.compute((64,), lambda i: te.exp(A[i]), name="B")
    sch = kiln.Schedule(te.create_prim_func([A, B], name="exp"))
    (i,) = sch.get_loops(sch.get_block("B"))
    bx, tx = sch.split(i, factors=[None, 32])
    sch.bind(bx, "blockIdx.x")
    sch.bind(tx, "threadIdx.x")
    return sch.func


def test_fast_math_uses_the_fast_intrinsics():
    opencl_or_skip()
    fast = kiln.build(exp_kernel(), target="opencl -fast_math=1").get_source("cl")
    exact = kiln.build(exp_kernel(), target="opencl").get_source("cl")
    assert "native_exp" in fast and "native_exp" not in exact
    a = np.random.default_rng(0).uniform(-2, 2, 64).astype("float32")
    b = np.zeros(64, "float32")
    kiln.build(exp_kernel(), target="opencl -fast_math=1")(a, b)
    np.testing.assert_allclose(b, np.exp(a), rtol=1e-3)
    if has_nvrtc():
        cuda = kiln.build(exp_kernel(), target="cuda -arch=sm_90 -fast_math=1")
        assert "__expf" in cuda.get_source("cuda")
    with pytest.raises(ValueError, match="fast_math takes 0 or 1"):
        kiln.Target("opencl -fast_math=yes")


def test_opencl_device_arrays_stay_on_the_device():
    opencl_or_skip()
    rng = np.random.default_rng(3)
    a = rng.uniform(-1, 1, (64, 32)).astype("float32")
    b = rng.uniform(-1, 1, (32, 64)).astype("float32")
    da = kiln.nd.array(a, device="opencl")
    db = kiln.nd.array(b, device="opencl")
    dc = kiln.nd.empty((64, 64), "float32", device="opencl")
    assert dc.device.startswith("opencl")
    kiln.build(gpu_matmul(), target="opencl")(da, db, dc)
    np.testing.assert_allclose(dc.numpy(), a @ b, rtol=1e-4, atol=1e-4)
