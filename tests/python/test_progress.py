"""What a tuning run shows: a live table on a terminal (trials of the budget,
per task its best so far and share of the budget, errors by kind, time
left), one plain line per round elsewhere."""

import io
from types import SimpleNamespace

from rich.console import Console

from kiln.progress import TuneView, duration, rate


def tasks():
    return [SimpleNamespace(id="a1", name="matmul", shape={"M": 512}, flops=2 * 512 ** 3),
            SimpleNamespace(id="b2", name="softmax", shape={"M": 128}, flops=1e6)]


def ok(seconds):
    return SimpleNamespace(stage="search", ok=True, latency=seconds, status="ok")


def failed(status):
    return SimpleNamespace(stage="search", ok=False, latency=None, status=status)


def test_terminal_shows_a_live_table():
    out = io.StringIO()
    t = tasks()
    view = TuneView(t, trials=10, console=Console(file=out, force_terminal=True, color_system=None, width=120))
    assert view.live
    with view:
        view.on_record(t[0], ok(2e-3))
        view.on_record(t[0], ok(1e-3))
        view.on_record(t[0], failed("wrong_result"))
        view.on_record(t[1], failed("build_error"))
    text = out.getvalue()
    assert "kiln tune: 4/10 trials" in text and "left" in text
    row = next(line for line in text.splitlines() if "matmul M=512" in line)
    # 3 trials, 30% of the budget, best 1 ms = 268.4 GFLOP/s, its error.
    for cell in ("3", "30%", "1", "268.4", "wrong_result 1"):
        assert cell in row, row
    assert "errors: build_error 1, wrong_result 1" in text


def test_elsewhere_one_line_per_round_from_the_runs_own_account():
    out = io.StringIO()
    t = tasks()
    view = TuneView(t, trials=100, console=Console(file=out, force_terminal=False))
    assert not view.live
    with view:
        view.on_record(t[1], ok(5e-6))
        # A resumed run: its own account (40 trials from the log) wins.
        view.on_round({"trials": 41, "task": 1, "task_trials": [30, 11],
                       "task_best_s": [1e-3, 5e-6], "errors": {"run_timeout": 2}})
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("[ 41/100] softmax M=128: best 0.005 ms (200.0 GFLOP/s)")
    assert "errors: run_timeout 2" in lines[0] and "left" in lines[0]


def test_final_records_do_not_count_as_trials():
    t = tasks()
    view = TuneView(t, trials=4, console=Console(file=io.StringIO(), force_terminal=False))
    view.on_record(t[0], SimpleNamespace(stage="final", ok=True, latency=1e-9, status="ok"))
    assert view.trials == 0 and view.final and view.task_best_s[0] == float("inf")


def test_units():
    assert duration(45) == "45s" and duration(187) == "3m07s" and duration(7500) == "2h05m"
    assert rate(2 * 512 ** 3, 0.0025) == "107.4 GFLOP/s"
    assert rate(1, float("inf")) == "-"
