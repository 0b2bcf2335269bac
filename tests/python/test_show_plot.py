"""`kiln show` and `kiln plot` on a small real log of two tasks (a
registered matmul with a candidate that fails to build, and a function of
no workload): the table agrees with kiln.Database, --trace prints a program
that rebuilds the best scheduled function, the plot has a row per task with
a curve per log, and every mistake is one line on stderr."""

import re
import shutil
import subprocess
import sys

import pytest

import kiln
from kiln import log_report, te


def kiln_cli(*args):
    return subprocess.run([sys.executable, "-m", "kiln", *args], capture_output=True, text=True)


def one_line_error(r):
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    return r.stderr


def tiled(func, cols):
    sch = kiln.Schedule(func)
    i, j, k = sch.get_loops(sch.get_block("C"))
    j0, j1 = sch.split(j, factors=[None, cols])
    sch.reorder(i, j0, k, j1)
    sch.vectorize(j1)
    return sch.trace


def scale_function():
    a = te.placeholder((64, 64), "float32", name="A")
    b = te.compute((64, 64), lambda i, j: a[i, j] * 2.0, name="B")
    return te.create_prim_func([a, b])


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("logs") / "mm.jsonl"
    matmul = kiln.workloads.get("matmul", M=64, N=64, K=32).task("llvm")
    bad = kiln.Schedule(matmul.func)
    bad.bind(bad.get_loops(bad.get_block("C"))[0], "threadIdx.x")
    kiln.measure(matmul, [tiled(matmul.func, 16), bad.trace, tiled(matmul.func, 8)], log=str(path),
                 repeat=3, min_repeat_ms=1, final=True)
    scale = kiln.Task(scale_function(), "llvm", name="scale")
    sch = kiln.Schedule(scale.func)
    sch.parallel(sch.get_loops(sch.get_block("B"))[0])
    kiln.measure(scale, [sch.trace], log=str(path), repeat=3, min_repeat_ms=1)
    return path, matmul, scale


def table_row(stdout, label):
    rows = [line for line in stdout.splitlines() if line.startswith(label + " ")]
    assert len(rows) == 1, stdout
    return re.split(r"\s{2,}", rows[0])


def test_show_table_agrees_with_the_database(log):
    path, matmul, scale = log
    db = kiln.Database(str(path))
    r = kiln_cli("show", str(path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"log {path}: {len(db)} records")
    assert f"target {matmul.target}" in r.stdout
    label, records, ok, best_ms, gflops, peak, errors = table_row(r.stdout, "matmul K=32,M=64,N=64")
    best = db.best(matmul)[0]
    assert int(records) == len(db.records(matmul)) == 5  # 3 searched, the 2 valid re-measured
    assert int(ok) == 4 and errors == "build_error 1"
    assert best_ms == f"{best.latency * 1e3:.4f}"
    assert gflops == f"{matmul.flops / best.latency * 1e-9:.1f}"
    s = log_report.summarize(path, workload="matmul")[0]
    assert s.best.scheduled_hash == best.scheduled_hash
    # The log was written on this machine: its nominal peak is known when its clock is.
    if s.peak:
        assert "nominal peak: " in r.stdout and "GFLOP/s" in r.stdout
        assert peak == f"{s.task.flops / best.latency / s.peak.flops * 100:.1f}"
    assert table_row(r.stdout, "scale")[1:3] == ["1", "1"]


def test_show_trace_rebuilds_the_best_function(log):
    path, matmul, scale = log
    r = kiln_cli("show", str(path), "--trace", "--script")
    assert r.returncode == 0, r.stderr
    for s in log_report.summarize(path):
        shape = ", ".join(f"{k}={v}" for k, v in s.task.shape.items())
        header = f"# {s.task.name}{' ' + shape if shape else ''} on {s.target}\n"
        program = r.stdout[r.stdout.index(header):].split("\n\n")[0]
        namespace = {"kiln": kiln}
        exec(program, namespace)
        best = log_report.best_function(s)
        assert kiln.structural_equal(namespace["sch"].func, best), program
        assert best.script() in r.stdout
    # The function of no workload comes with its text.
    assert 'kiln.Schedule(kiln.parse("""' in r.stdout


def test_show_filters(log):
    path, matmul, _ = log
    r = kiln_cli("show", str(path), "--workload", "scale", "--target", "llvm")
    assert r.returncode == 0, r.stderr
    assert "scale" in r.stdout and "matmul" not in r.stdout
    err = one_line_error(kiln_cli("show", str(path), "--workload", "conv2d_nhwc"))
    assert "has no task 'conv2d_nhwc'" in err and "matmul, scale" in err
    err = one_line_error(kiln_cli("show", str(path), "--target", "cuda"))
    assert "its targets: " + str(matmul.target) in err


def test_plot_has_a_row_per_task_and_a_curve_per_log(log, tmp_path):
    pytest.importorskip("matplotlib")
    from kiln import plot

    path, matmul, _ = log
    other = tmp_path / "again.jsonl"
    shutil.copy(path, other)
    png = tmp_path / "curves.png"
    fig = plot.tuning_curves([path, other], png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 4  # two tasks, against trials and against wall time
    by_trials, by_time = fig.axes[:2]
    assert [t.get_text() for t in by_trials.figure.texts] == ["matmul K=32,M=64,N=64"]
    assert [t.get_text() for t in by_trials.get_legend().get_texts()] == ["mm.jsonl", "again.jsonl"]
    best_ms = list(by_trials.lines[0].get_ydata())
    assert best_ms == sorted(best_ms, reverse=True)
    searched = [r.latency for r in kiln.Database(str(path)).records(matmul)
                if r.ok and r.stage == "search"]
    assert best_ms[-1] == pytest.approx(min(searched) * 1e3)
    assert by_trials.lines[0].get_xdata()[-1] == 3  # the final re-measurements are no trials
    assert by_time.get_xlabel().endswith("(s)") and by_trials.get_ylabel() == "best latency (ms)"

    r = kiln_cli("plot", str(path), "-o", str(tmp_path / "cli.png"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cli.png").stat().st_size > 0


def test_mistakes_are_one_line(log, tmp_path):
    path, _, _ = log
    foreign = tmp_path / "notes.txt"
    foreign.write_text("hello\nworld\n")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    no_records = tmp_path / "no_records.jsonl"
    no_records.write_text("".join(path.read_text().splitlines(keepends=True)[:2]))
    for command in ("show", "plot"):
        assert "no tuning log at" in one_line_error(kiln_cli(command, str(tmp_path / "none.jsonl")))
        assert "not a kiln tuning log" in one_line_error(kiln_cli(command, str(foreign)))
        assert "holds no records" in one_line_error(kiln_cli(command, str(empty)))
        assert "holds no records" in one_line_error(kiln_cli(command, str(no_records)))
    pytest.importorskip("matplotlib")
    err = one_line_error(kiln_cli("plot", str(path), "-o", str(tmp_path / "no" / "such" / "a.png")))
    assert "cannot write" in err
