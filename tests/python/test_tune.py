"""kiln.tune from Python and `kiln tune` on the command line: the result
runs and matches NumPy, a second run resumes from the log, and a network
whose trials ran out before every operator was measured says so instead of
summing part of it."""

import json
import subprocess
import sys

import numpy as np

import kiln


def tune_small_matmul(log, trials):
    func = kiln.workloads.get("matmul", M=32, N=32, K=32).func
    return kiln.tune(func, trials=trials, log=str(log), seed=3, cost_model="random",
                     measure_per_round=4, population=16, generations=1, final_k=2)


def search_records(log):
    return [r for r in map(json.loads, log.read_text().splitlines())
            if "trace" in r and r["stage"] == "search"]


def test_tune_finds_a_kernel_that_matches_numpy_and_resumes(tmp_path):
    log = tmp_path / "mm.jsonl"
    r = tune_small_matmul(log, trials=8)
    assert 0 < r.best_latency_s < float("inf")
    assert r.cost_model == "random"
    trials = [t for t, _, _ in r.history]
    assert trials == sorted(trials) and trials[-1] == len(search_records(log)) <= 8
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((32, 32), dtype=np.float32), rng.standard_normal((32, 32), dtype=np.float32)
    c = np.zeros((32, 32), np.float32)
    r.build()(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-4)

    # The same budget again: everything was measured, nothing new is.
    first = len(search_records(log))
    tune_small_matmul(log, trials=8)
    assert len(search_records(log)) == first
    # A larger budget measures only programs the log does not hold.
    tune_small_matmul(log, trials=12)
    hashes = [rec["scheduled_hash"] for rec in search_records(log)]
    assert first < len(hashes) <= 12 and len(set(hashes)) == len(hashes)


def test_network_with_unmeasured_operators_sums_nothing(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kiln", "tune", "--network", "bert_base_layer",
                        "--trials", "2", "--measure-per-round", "2", "--cost-model", "random",
                        "--log", str(tmp_path / "bert.jsonl")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    summary = r.stdout.strip().splitlines()[-1]
    assert "weighted sum of the operators' latencies: none yet" in summary, r.stdout
    assert "inf" not in summary
