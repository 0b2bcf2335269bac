"""The examples under examples/python run as a user runs them (the CPU ones;
the GPU one on OpenCL, where PoCL runs the GPU schedules on the CPU), with
small budgets so that the suite stays short."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "python")


def run_example(name, *args, cwd):
    r = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], cwd=cwd,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"{name} failed:\n{r.stdout}\n{r.stderr}"
    return r


def test_tune_matmul(tmp_path):
    r = run_example("tune_matmul.py", "--size", "128", "--trials", "16", cwd=tmp_path)
    assert "kiln / NumPy:" in r.stdout
    assert (tmp_path / "tuning_logs" / "example_matmul.jsonl").stat().st_size > 0


def test_tune_network(tmp_path):
    # Two rounds of 8 per task at most: some operators may stay unmeasured,
    # and the example must say so rather than sum part of the network.
    r = run_example("tune_network.py", "--network", "bert_base_layer", "--trials", "24",
                    "--measure-per-round", "4", cwd=tmp_path)
    assert "checked" in r.stdout, r.stdout


def test_tune_gpu_on_opencl(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(EXAMPLES, "tune_gpu.py"), "--target", "opencl",
                        "--size", "64", "--trials", "8"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=900)
    if r.returncode != 0 and "platform" in (r.stdout + r.stderr).lower():
        pytest.skip("no OpenCL platform (PoCL) on this machine")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "__kernel" in r.stdout and "GFLOP/s" in r.stdout


def test_replay_shipped_log_warns_of_another_cpu(tmp_path):
    import kiln

    r = run_example("replay_shipped_log.py", cwd=tmp_path)
    assert "weighted sum: logged" in r.stdout
    lines = [line for line in r.stdout.splitlines() if " logged " in line and " here " in line]
    assert len(lines) >= 10, r.stdout
    log = kiln.Database(os.path.join(ROOT, "tuning_logs", "models", "logs", "resnet18.jsonl.gz"))
    if str(kiln.Target("llvm")) not in {target for _, target in log.task_targets()}:
        assert "was tuned for" in r.stderr, r.stderr
