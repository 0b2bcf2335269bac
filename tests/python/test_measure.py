"""Measuring from Python: kiln.measure into a log, kiln.Database,
kiln.replay, `kiln replay`, and Module.time_evaluator."""

import json
import subprocess
import sys

import numpy as np
import pytest

import kiln


def kiln_cli(*args):
    return subprocess.run([sys.executable, "-m", "kiln", *args], capture_output=True, text=True)


def tiled(func, cols=16):
    sch = kiln.Schedule(func)
    c = sch.get_block("C")
    i, j, k = sch.get_loops(c)
    j0, j1 = sch.split(j, factors=[None, cols])
    sch.reorder(i, j0, k, j1)
    sch.vectorize(j1)
    sch.parallel(i)
    return sch.trace


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    log = tmp_path_factory.mktemp("logs") / "matmul.jsonl"
    task = kiln.workloads.get("matmul", M=64, N=64, K=32).task("llvm")
    bad = kiln.Schedule(task.func)
    bad.bind(bad.get_loops(bad.get_block("C"))[0], "threadIdx.x")
    traces = [tiled(task.func, 32), tiled(task.func), bad.trace, tiled(task.func, 8)]
    records = kiln.measure(task, traces, log=str(log), repeat=3, min_repeat_ms=1, final=True)
    return task, log, records


def test_measure_gives_one_record_per_trace_and_final_ones(measured):
    task, log, records = measured
    assert [r.status for r in records[:4]] == ["ok", "ok", "build_error", "ok"]
    assert "threadIdx.x" in records[2].error
    assert all(r.latency > 0 and r.max_error <= 1e-4 for r in records[:4] if r.ok)
    finals = records[4:]
    assert len(finals) == 3 and all(r.stage == "final" for r in finals)
    assert sum(r.winner for r in finals) == 1
    d = records[1].to_json()
    assert d["latency"]["array_offset"] == 16 and d["task"] == task.id


def test_the_log_reads_back_and_replays(measured):
    task, log, records = measured
    db = kiln.Database(str(log))
    assert len(db) == 7 and not db.warnings
    assert db.tasks()[0]["workload"] == "matmul"
    winner = next(r for r in records if r.winner)
    best = kiln.replay(log, task)
    assert best.record.winner and best.record.scheduled_hash == winner.scheduled_hash
    a = np.random.default_rng(0).uniform(-1, 1, (64, 32)).astype("float32")
    b = np.random.default_rng(1).uniform(-1, 1, (32, 64)).astype("float32")
    c = np.zeros((64, 64), "float32")
    best.module(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-4)
    assert str(best.schedule.trace) == str(winner.trace)


def test_cli_replay_prints_the_schedule_and_its_time(measured):
    task, log, _ = measured
    r = kiln_cli("replay", "--log", str(log), "--workload", "matmul", "--shape", "M=64,N=64,K=32")
    assert r.returncode == 0, r.stderr
    assert "ms median" in r.stdout and 'b0 = sch.get_block("C")' in r.stdout
    r = kiln_cli("replay", "--log", str(log), "--workload", "matmul", "--shape", "M=128")
    assert r.returncode == 2 and "no usable record" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = kiln_cli("replay", "--log", "/nonexistent.jsonl", "--workload", "matmul")
    assert r.returncode == 2 and "no tuning log" in r.stderr


def test_time_evaluator():
    w = kiln.workloads.get("matmul", M=64, N=64, K=64)
    mod = kiln.build(w.func)
    a, b, c = w.random_args()
    r = mod.time_evaluator(repeat=5, min_repeat_ms=2)(a, b, c)
    assert len(r.samples) == 5 and r.number >= 1
    assert r.ci95[0] <= r.median <= r.ci95[1] and r.min <= r.median
    assert r.flushed  # 48 KB of arrays fit in any last-level cache
    assert not mod.time_evaluator(repeat=2, flush=False)(a, b, c).flushed
