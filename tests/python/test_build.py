"""kiln.build for the CPU: every workload against its NumPy reference, a
scheduled kernel, sources, export and reload, the AOT example, and errors."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import kiln

WORKLOADS = kiln.workloads.list()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tiled_matmul(m=64, n=48, k=40):
    sch = kiln.Schedule(kiln.workloads.get("matmul", M=m, N=n, K=k).func)
    c = sch.get_block("C")
    i, j, kk = sch.get_loops(c)
    j0, j1 = sch.split(j, factors=[None, 8])
    sch.reorder(i, j0, kk, j1)
    sch.parallel(i)
    sch.vectorize(j1)
    return sch.func


@pytest.mark.parametrize("name", WORKLOADS)
def test_every_workload_matches_numpy(name):
    w = kiln.workloads.get(name)
    args = w.random_args(seed=0)
    kiln.build(w.func, target="llvm")(*args)
    np.testing.assert_allclose(args[-1], w.reference(args)[0], rtol=1e-4, atol=1e-4)


def test_scheduled_matmul_matches_numpy():
    a = np.random.default_rng(0).uniform(-1, 1, (64, 40)).astype("float32")
    b = np.random.default_rng(1).uniform(-1, 1, (40, 48)).astype("float32")
    c = np.zeros((64, 48), "float32")
    kiln.build(tiled_matmul())(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-4)


def test_sources_show_the_kernel():
    mod = kiln.build(tiled_matmul())
    ll = mod.get_source("ll")
    assert "noalias" in ll and "matmul" in ll
    assert mod.get_source("asm").strip()
    with pytest.raises(Exception, match="cuda"):
        mod.get_source("cuda")


def test_lower_shows_vector_code():
    text = kiln.lower(tiled_matmul(), "llvm").script()
    assert "ramp(" in text and "parallel(" in text


def test_export_and_load_module(tmp_path):
    if not shutil.which("cc"):
        pytest.skip("no C compiler (cc) to link the shared library")
    mod = kiln.build(tiled_matmul())
    path = tmp_path / "libmm.so"
    mod.export_library(str(path))
    header = (tmp_path / "libmm.h").read_text()
    assert "int32_t matmul(const float* A, const float* B, float* C);" in header
    loaded = kiln.load_module(str(path))
    a = np.ones((64, 40), "float32")
    b = np.ones((40, 48), "float32")
    c = np.zeros((64, 48), "float32")
    loaded(a, b, c)
    np.testing.assert_allclose(c, np.full((64, 48), 40.0, "float32"))


def test_aot_example_links_only_the_runtime(tmp_path):
    if not (shutil.which("cc") and shutil.which("c++")):
        pytest.skip("no C/C++ compiler to build the example")
    if not os.path.exists(os.path.join(ROOT, "build", "py", "libkiln_runtime.a")):
        pytest.skip("no build/py tree (build with ./scripts/build.sh)")
    out = subprocess.run([os.path.join(ROOT, "examples", "aot", "run.sh"), str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "max abs error" in out.stdout


def test_wrong_arguments_are_clear_errors():
    mod = kiln.build(tiled_matmul())
    a = np.zeros((64, 40), "float32")
    b = np.zeros((40, 48), "float32")
    with pytest.raises(RuntimeError, match="C"):
        mod(a, b, np.zeros((48, 64), "float32"))
    with pytest.raises(RuntimeError, match="float32"):
        mod(a, b, np.zeros((64, 48), "float64"))
    with pytest.raises(RuntimeError, match="3"):
        mod(a, b)


def test_gpu_schedule_is_refused_for_the_cpu():
    sch = kiln.Schedule(kiln.workloads.get("matmul").func)
    i, _, _ = sch.get_loops(sch.get_block("C"))
    sch.bind(i, "blockIdx.x")
    with pytest.raises(kiln.BuildError, match="blockIdx.x"):
        kiln.build(sch.func, target="llvm")


def test_unknown_target_is_a_value_error():
    with pytest.raises(ValueError, match="unknown kind"):
        kiln.Target("tpu")


def test_torch_tensors_pass_without_copies():
    torch = pytest.importorskip("torch")
    a = torch.rand(64, 40)
    b = torch.rand(40, 48)
    c = torch.zeros(64, 48)
    kiln.build(tiled_matmul())(a, b, c)
    torch.testing.assert_close(c, a @ b, rtol=1e-4, atol=1e-4)


def offset_array(shape, offset, rng):
    """A float32 array whose data start `offset` bytes past a 64-byte boundary."""
    n = int(np.prod(shape))
    raw = np.empty(n + 32, "float32")
    start = ((-raw.ctypes.data + offset) % 64) // 4
    a = raw[start:start + n].reshape(shape)
    a[...] = rng.uniform(-1, 1, shape)
    assert a.ctypes.data % 64 == offset
    return a


def test_arrays_off_a_cache_line_give_the_same_result_and_say_what_it_costs(capfd):
    # A 4 x 16 register tile reads B with 16-float vectors once per row tile:
    # B wants a cache line, so NumPy's B (16 bytes past one) is copied.
    sch = kiln.Schedule(kiln.workloads.get("matmul", M=64, N=64, K=64).func)
    c = sch.get_block("C")
    i, j, k = sch.get_loops(c)
    i0, i1 = sch.split(i, factors=[None, 4])
    j0, j1 = sch.split(j, factors=[None, 16])
    sch.reorder(i0, j0, k, i1, j1)
    sch.unroll(i1)
    sch.vectorize(j1)
    mod = kiln.build(sch.func, "llvm")
    rng = np.random.default_rng(0)
    for offset in (0, 16, 4):
        a, b, out = (offset_array((64, 64), offset, rng) for _ in range(3))
        mod(a, b, out)
        mod(a, b, out)
        np.testing.assert_allclose(out, a @ b, rtol=1e-4, atol=1e-4)
    err = capfd.readouterr().err
    assert err.count("copies argument `B`") == 1, err
    assert "kiln.nd.empty or kiln.nd.array are aligned" in err
    # The 4-byte offset is below what the entry needs: every argument is copied.
    assert "copies argument `C`" in err and "vector code needs that alignment" in err
