"""The command line: help, listing, printing, and one-line errors."""

import subprocess
import sys

import pytest


def kiln_cli(*args):
    return subprocess.run([sys.executable, "-m", "kiln", *args], capture_output=True, text=True)


def test_help_lists_commands():
    r = kiln_cli("--help")
    assert r.returncode == 0
    for cmd in ("workloads", "script", "demo"):
        assert cmd in r.stdout


def test_workloads_lists_matmul_with_shape():
    r = kiln_cli("workloads")
    assert r.returncode == 0
    assert any(line.startswith("matmul ") and "M=" in line for line in r.stdout.splitlines())


def test_script_prints_parseable_text():
    r = kiln_cli("script", "matmul", "M=8", "N=8", "K=8")
    assert r.returncode == 0
    import kiln
    assert kiln.structural_equal(kiln.parse(r.stdout), kiln.workloads.get("matmul", M=8, N=8, K=8).func)


def one_line_error(r):
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    return r.stderr


@pytest.fixture(scope="module")
def foreign_log(tmp_path_factory):
    path = tmp_path_factory.mktemp("logs") / "metrics.jsonl"
    path.write_text("".join(f'{{"epoch": {i}, "loss": 0.5}}\n' for i in range(50)))
    return str(path)


@pytest.mark.parametrize("args, says", [
    (("script", "no_such_op"), "unknown workload"),
    (("script", "matmul", "M=x"), "not KEY=INTEGER"),
    (("tune", "--workload", "matmul", "--shape", "M=12x"), "not KEY=INTEGER"),
    (("tune", "--workload", "matmull"), "unknown workload 'matmull'"),
    (("tune", "--workload", "matmul", "--shape", "Q=3"), "Q"),
    (("tune", "--workload", "matmul", "--trials", "0"), "at least 1 trial"),
    (("tune", "--workload", "matmul", "--target", "tpu"), "tpu"),
    (("tune", "--workload", "matmul", "--target", "llvm -mcpu=pentium9"), "pentium9"),
    (("tune", "--network", "resnet7"), "resnet7"),
    (("replay", "--log", "/nonexistent/x.jsonl", "--workload", "matmul"), "no tuning log"),
    (("replay", "--log", "/", "--workload", "matmul"), "/"),
    (("replay", "--log", "{foreign}", "--workload", "matmul"), "is not a kiln tuning log"),
    (("cost-model", "train", "--log", "{foreign}", "-o", "/tmp/m.json"),
     "is not a kiln tuning log"),
])
def test_user_mistakes_are_one_line_and_nonzero(args, says, foreign_log):
    err = one_line_error(kiln_cli(*(a.replace("{foreign}", foreign_log) for a in args)))
    assert says in err, err


def test_tuning_for_cuda_without_a_gpu_is_one_line(tmp_path):
    for target in ("cuda", "cuda -arch=sm_90"):
        r = kiln_cli("tune", "--workload", "matmul", "--target", target, "--trials", "1",
                     "--log", str(tmp_path / "cuda.jsonl"))
        if r.returncode == 0:
            pytest.skip("a CUDA GPU is present: it tuned")
        err = one_line_error(r)
        assert "cannot tune for cuda here" in err and "--target opencl" in err, err


def test_demo_small_tunes_and_matches_numpy(tmp_path):
    r = kiln_cli("demo", "--size", "64", "--trials", "12", "--log", str(tmp_path / "demo.jsonl"))
    assert r.returncode == 0, r.stderr
    assert "matches NumPy" in r.stdout and "DOES NOT" not in r.stdout, r.stdout
    assert "kiln / OpenBLAS" in r.stdout and "tuned / untransformed" in r.stdout


def test_fuzz_with_llvm_build_slice():
    r = kiln_cli("fuzz", "--traces", "26", "--seed", "5", "--target", "llvm")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fuzz: 26 traces, 0 mismatches, 0 crashes" in r.stdout


def test_fuzz_with_opencl_build_slice():
    r = kiln_cli("fuzz", "--traces", "12", "--seed", "3", "--target", "opencl")
    if r.returncode != 0 and "OpenCL" in r.stdout and "platform" in r.stdout.lower():
        pytest.skip("no OpenCL platform (PoCL) on this machine")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fuzz: 12 traces, 0 mismatches, 0 crashes" in r.stdout


def test_fuzz_bad_build_target_is_a_usage_error():
    r = kiln_cli("fuzz", "--traces", "1", "--build", "tpu")
    assert r.returncode == 2
    assert "unknown kind" in r.stderr


def test_fuzz_for_cuda_without_a_driver_is_a_usage_error():
    r = kiln_cli("fuzz", "--traces", "1", "--target", "cuda -arch=sm_90")
    if r.returncode == 0:
        pytest.skip("a CUDA driver is present: the trace ran")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "cannot fuzz for cuda here" in r.stderr and "--target opencl" in r.stderr
