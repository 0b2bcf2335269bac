"""kiln bench: the suite, the command line, the results page (on recorded
figures and on a real tiny run), the vendor executable's layouts, and the
peer's te definitions (only where the TVM venv of scripts/setup_tvm_venv.sh
exists; nothing here installs it)."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kiln
from kiln import bench, cli

REPO = Path(__file__).resolve().parents[2]


# --- the suite ---------------------------------------------------------------

def test_every_operator_is_a_registered_workload_with_its_flops():
    ops = bench.cpu_suite()
    assert len({op.id for op in ops}) == len(ops), "operator ids repeat"
    for op in ops:
        assert op.workload in kiln.workloads.list(), op
        assert op.flops > 0 and op.bytes > 0, op
        assert op.bound in ("compute", "memory"), op
    matmul = next(op for op in ops if op.id == "matmul_1024")
    assert matmul.flops == 2 * 1024**3
    assert matmul.bytes == 3 * 4 * 1024**2


def test_the_suite_has_the_operators_of_the_issue():
    shapes = {(op.workload, tuple(sorted(op.shape.items()))) for op in bench.cpu_suite()}

    def has(workload, **shape):
        return any(w == workload and set(shape.items()) <= set(s) for w, s in shapes)

    for n in (512, 1024, 2048):
        assert has("matmul", M=n, N=n, K=n)
    assert has("batch_matmul", B=12, M=128, N=128, K=64, transpose_b=1)
    assert has("dense_bias_relu", M=128, N=3072, K=768)
    for layout in ("conv2d_nhwc", "conv2d_nchw"):
        for h, c in ((56, 64), (28, 128), (14, 256), (7, 512)):
            assert has(layout, N=1, H=h, W=h, C=c, K=c, R=3, S=3)
    assert has("depthwise_conv2d_nhwc", H=112, C=32)
    assert has("softmax", M=128, N=30522)
    assert has("layernorm", M=128, N=768)
    assert bench.NETWORK == "resnet18"


def test_the_peer_tunes_the_five_operators_the_issue_names():
    peers = sorted(op.id for op in bench.cpu_suite() if op.peer)
    assert peers == ["conv2d_nhwc_56", "dense_bias_relu", "layernorm_bert", "matmul_1024",
                     "softmax_bert_vocab"]
    quick = bench.quick_suite()
    assert len(quick) == 3 and all(op.peer for op in quick)
    assert {op.bound for op in quick} == {"compute", "memory"}


def test_trials_to_fraction():
    curve = [(1, 0.5, 4.0), (10, 3.0, 1.05), (64, 9.0, 1.0)]
    assert bench.trials_to_fraction(curve) == 10
    assert bench.trials_to_fraction(curve, 0.99) == 64
    assert bench.trials_to_fraction([(3, 1.0, 2.0), (64, 2.0, 2.0)]) == 3
    assert bench.trials_to_fraction([]) is None


# --- the command line ----------------------------------------------------------

@pytest.fixture
def settings_of(monkeypatch):
    """Runs `kiln bench ARGS` up to bench.run and returns the Settings it got."""
    seen = []

    def fake_run(settings):
        seen.append(settings)
        return {"wall_s": 1.0}

    monkeypatch.setattr(bench, "run", fake_run)
    monkeypatch.setattr(bench, "find_executable", lambda name: "/bin/true")

    def parse(*args):
        assert cli.main(["bench", *args]) == 0
        return seen[-1]
    return parse


def test_bench_arguments(settings_of):
    s = settings_of("--quick")
    assert s.quick and s.trials == cli.QUICK_TRIALS and s.peer_trials == cli.QUICK_TRIALS
    assert [op.id for op in s.operators] == [op.id for op in bench.quick_suite()]
    assert s.peer and s.out == "bench/RESULTS.md" and not s.network
    s = settings_of("--suite", "cpu")
    assert s.trials == 1000 and s.peer_trials == 200 and s.network == "resnet18"
    assert len(s.operators) == len(bench.cpu_suite())
    s = settings_of("--quick", "--trials", "8", "--no-peer", "--out", "/tmp/x/R.md",
                    "--logs", "/tmp/x/logs")
    assert s.trials == 8 and s.peer_trials == 8 and not s.peer
    assert s.out == "/tmp/x/R.md" and s.work_dir == "/tmp/x/logs"
    assert settings_of("--trials", "300", "--peer-trials", "50").peer_trials == 50


@pytest.mark.parametrize("args, says", [
    (("--trials", "0"), "at least 1"),
    (("--peer-trials", "-3"), "at least 1"),
    (("--suite", "gpu"), "unknown suite 'gpu'"),
    (("--out", "bench/RESULTS.txt"), "ending in .md"),
])
def test_bench_mistakes_are_one_line(args, says):
    r = subprocess.run([sys.executable, "-m", "kiln", "bench", *args], capture_output=True,
                       text=True, cwd=REPO)
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert says in r.stderr


# --- the page, on recorded figures -----------------------------------------------

def recorded_results():
    """A run's results as bench.run writes them, with round figures."""
    op = {"id": "matmul_1024", "workload": "matmul", "label": "matmul M=1024,N=1024,K=1024",
          "shape": {"M": 1024, "N": 1024, "K": 1024}, "bound": "compute", "peer": True,
          "flops": 2.0 * 1024**3, "bytes": 12582912.0, "load_average": 1.0,
          "kiln": {"tuning_wall_s": 120.0, "trials": 64, "errors": {}, "trials_to_90": 20,
                   "curve": [[1, 1.0, 0.04], [20, 30.0, 0.0105], [64, 110.0, 0.01]],
                   "median_s": 0.010, "best_s": 0.009, "max_abs_error": 1e-4,
                   "python": {"median_s": 0.011, "best_s": 0.010, "max_abs_error": 1e-4}},
          "vendors": {"OpenBLAS": {"library": "OpenBLAS", "median_s": 0.008, "best_s": 0.008,
                                   "max_abs_error": None},
                      "oneDNN": {"library": "oneDNN", "median_s": 0.020, "best_s": 0.019,
                                 "max_abs_error": 0.0}},
          "vendor_reference": "OpenBLAS", "vendor_notes": [],
          "numpy": {"median_s": 0.009, "best_s": 0.009, "max_abs_error": 1e-4},
          "metaschedule": {"id": "matmul_1024", "median_s": 0.022, "best_s": 0.02,
                           "tuning_wall_s": 300.0, "trials": 64, "errors": 3,
                           "curve": [[1, 5.0, 0.05], [40, 200.0, 0.02], [64, 300.0, 0.02]],
                           "trials_to_90": 40, "max_abs_error": 2e-4}}
    layernorm = copy.deepcopy(op)
    layernorm.update({"id": "layernorm_bert", "workload": "layernorm",
                      "label": "layernorm M=128,N=768", "bound": "memory",
                      "flops": 1474560.0, "bytes": 792576.0, "numpy": None,
                      "vendors": {"oneDNN": {"library": "oneDNN", "median_s": 2e-5,
                                             "best_s": 2e-5, "max_abs_error": None}}})
    layernorm["kiln"].update({"median_s": 4e-5, "errors": {"run_error": 2}})
    layernorm["metaschedule"] = {"id": "layernorm_bert", "error": "no valid kernel"}
    return {"benchmark": "kiln bench", "suite": "cpu", "quick": True,
            "machine": {"cpu": "Test CPU 9000", "llvm_cpu": "znver4", "isa": "AVX-512 (f) + FMA",
                        "vector_bytes": 64, "physical_cores": 2, "hardware_threads": 2,
                        "date": "2026-12-07 21:00 UTC", "kiln_commit": "abc1234",
                        "python": "3.11", "numpy": "2.0"},
            "threads": 2, "target": "llvm -mcpu=znver4 -num_cores=2", "trials": 64,
            "peer_trials": 64, "work_dir": "build/bench-runs/x",
            "timing": {"repeat": 10, "min_seconds": 0.5}, "load_average_start": 0.5,
            "numpy_blas": "OpenBLAS (2 threads)", "vendor_versions": "OpenBLAS 0.3; oneDNN 2.6",
            "peak": {"threads": 2, "fma_gflops": 400.0, "triad_gbs": 20.0, "vector_bytes": 64},
            "metaschedule": {"tvm_version": "0.27", "target": "{llvm}", "wall_s": 400.0},
            "operators": [op, layernorm], "wall_s": 700.0}


def table_row(page, label, heading):
    section = page.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith(f"| {label} |")]
    assert len(rows) == 1, section
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def test_page_from_recorded_results():
    page = bench.render(recorded_results())
    assert page.startswith("# kiln benchmarks: CPU")
    assert "**Quick run**" in page and "still to be done" in page
    assert "Test CPU 9000" in page and "AVX-512 (f) + FMA" in page and "abc1234" in page
    assert "2026-12-07 21:00 UTC" in page and "400.0 GFLOP/s" in page and "20.0 GB/s" in page
    # kiln 10 ms on 2^31 flops: 214.7 GFLOP/s, 54% of 400; OpenBLAS (8 ms) is the best vendor.
    row = table_row(page, "matmul M=1024,N=1024,K=1024", "## Kernels")
    assert row[1:4] == ["10", "214.7 GFLOP/s", "54%"]
    assert row[4] == "8" and row[5] == "–" and row[6] == "20" and row[7] == "9"
    assert row[8] == "OpenBLAS (67%)" and row[9] == "0.80"
    # Memory-bound: GB/s of the triad.
    row = table_row(page, "layernorm M=128,N=768", "## Kernels")
    assert row[2] == "19.8 GB/s" and row[3] == "99%" and row[9] == "0.50"
    # The tuners, each timed from Python: MetaSchedule 22 ms against kiln's 11 ms.
    row = table_row(page, "matmul M=1024,N=1024,K=1024", "## Tuning")
    assert row == ["matmul M=1024,N=1024,K=1024", "11", "120", "64 (20)", "22", "300", "64 (40)",
                   "2.00"]
    row = table_row(page, "layernorm M=128,N=768", "## Tuning")
    assert row[4] == "error: no valid kernel" and row[-1] == "–"
    assert "kiln's failed candidates: run_error 2" in page
    assert "MetaSchedule's failed candidates: 3" in page


def test_page_says_why_the_peer_is_missing():
    results = recorded_results()
    results["quick"] = False
    results["metaschedule"] = {"skipped": "no TVM virtual environment"}
    for op in results["operators"]:
        op["metaschedule"] = None
    page = bench.render(results)
    assert "Quick run" not in page and "Busy machine" not in page
    results["load_average_start"] = 7.5
    assert "load average was 7.5 on 2 cores" in bench.render(results)
    assert "MetaSchedule not run: no TVM virtual environment" in page
    row = table_row(page, "matmul M=1024,N=1024,K=1024", "## Tuning")
    assert row[4:] == ["–", "–", "–", "–"]


def test_plot_draws_both_tuners_from_a_results_file(tmp_path):
    plot = pytest.importorskip("kiln.plot")
    path = tmp_path / "RESULTS.json"
    path.write_text(json.dumps(recorded_results()))
    fig = plot.tuning_curves([str(path)], str(tmp_path / "curves.png"))
    assert len(fig.axes) == 4  # two operators, two charts each
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["kiln (64 trials)", "MetaSchedule (64 trials)"]
    assert (tmp_path / "curves.png").stat().st_size > 0
    # layernorm: MetaSchedule failed, kiln's curve alone.
    assert [line.get_label() for line in fig.axes[2].get_lines()] == ["kiln (64 trials)"]


# --- real runs -------------------------------------------------------------------

needs_vendors = pytest.mark.skipif(
    not (REPO / "build/py/bench/bench_ops_cpu").exists() and not bench.find_executable(
        "bench_ops_cpu"), reason="bench_ops_cpu is not built (needs OpenBLAS, oneDNN, OpenMP)")


@needs_vendors
@pytest.mark.parametrize("workload, shape", [
    ("conv2d_nchw", {"H": 9, "W": 9, "C": 8, "K": 16}),
    ("conv2d_nhwc", {"H": 9, "W": 9, "C": 8, "K": 16, "stride": 2}),
    ("depthwise_conv2d_nhwc", {"H": 9, "W": 9, "C": 16}),
    ("batch_matmul", {"B": 3, "M": 16, "N": 24, "K": 8, "transpose_b": 1}),
    ("dense_bias_relu", {"M": 16, "N": 24, "K": 8}),
    ("softmax", {"M": 8, "N": 40}),
    ("layernorm", {"M": 8, "N": 40}),
])
def test_vendor_kernels_compute_the_workload(workload, shape, tmp_path, monkeypatch):
    """Each vendor kernel reads the workload's layouts: the untransformed kiln
    kernel (checked against the interpreter by kiln's own tests) agrees."""
    monkeypatch.chdir(REPO)
    w = kiln.workloads.get(workload, **shape)
    target = "llvm -num_cores=2"
    log = tmp_path / "plain.jsonl"
    (record,) = kiln.measure(w.task(target), [kiln.Schedule(w.func).trace], log=str(log))
    assert record.ok
    out = tmp_path / "vendors.json"
    text = ",".join(f"{k}={v}" for k, v in w.shape.items())
    subprocess.run([bench.find_executable("bench_ops_cpu"), "--workload", workload, "--shape",
                    text, "--target", str(kiln.Target(target)), "--log", str(log), "--repeat",
                    "1", "--min-seconds", "0", "--json", str(out)], check=True,
                   capture_output=True)
    result = json.loads(out.read_text())
    libraries = [e["library"] for e in result["entries"]]
    assert "oneDNN" in libraries and libraries[-1] == "kiln", result
    for e in result["entries"][1:]:
        assert e["max_abs_error"] < 1e-4, e


@needs_vendors
def test_a_tiny_real_run_writes_the_page_and_json(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    # The real ceilings take half a minute to measure: stand-ins here.
    monkeypatch.setattr(bench, "measure_peak", lambda threads, work_dir: {
        "threads": threads, "fma_gflops": 100.0, "triad_gbs": 10.0, "vector_bytes": 64})
    op = bench.Operator("mm", "matmul", {"M": 64, "N": 64, "K": 64})
    out = tmp_path / "RESULTS.md"
    results = bench.run(bench.Settings(operators=[op], trials=3, quick=True, peer=False,
                                       out=str(out), work_dir=str(tmp_path / "run"), repeat=2,
                                       min_seconds=0.01, progress=False))
    written = json.loads(out.with_suffix(".json").read_text())
    assert written["operators"][0]["id"] == "mm"
    row = results["operators"][0]
    k = row["kiln"]
    assert k["trials"] == 3 and k["tuning_wall_s"] > 0 and 1 <= k["trials_to_90"] <= 3
    assert k["median_s"] > 0 and k["max_abs_error"] < 1e-3  # timed beside the vendors
    assert k["python"]["median_s"] > 0 and k["python"]["max_abs_error"] < 1e-3
    assert set(row["vendors"]) == {"OpenBLAS", "Eigen", "oneDNN"}
    assert row["numpy"]["max_abs_error"] < 1e-3
    assert results["metaschedule"] == {"skipped": "--no-peer"}
    page = out.read_text()
    assert "| matmul M=64,N=64,K=64 |" in page and "MetaSchedule not run: --no-peer" in page
    assert Path(k["log"]).exists()


# --- the peer ----------------------------------------------------------------------

TVM_PYTHON = bench.find_tvm_python() or (
    str(REPO / "build/tvm-venv/bin/python") if (REPO / "build/tvm-venv/bin/python").exists()
    else None)


@pytest.mark.skipif(TVM_PYTHON is None, reason="no TVM venv (./scripts/setup_tvm_venv.sh)")
def test_the_peer_defines_the_same_functions_in_te(tmp_path):
    """Each suite workload written in TVM's te, compiled unscheduled, computes
    kiln's NumPy reference at a small shape."""
    cases = [(op.workload, kiln.workloads.get(op.workload, **small).shape) for op, small in [
        (bench.Operator("a", "matmul", {}), {"M": 8, "N": 12, "K": 4}),
        (bench.Operator("b", "batch_matmul", {}), {"B": 2, "M": 4, "N": 6, "K": 8,
                                                   "transpose_b": 1}),
        (bench.Operator("c", "dense_bias_relu", {}), {"M": 4, "N": 6, "K": 8}),
        (bench.Operator("d", "conv2d_nhwc", {}), {"H": 7, "W": 7, "C": 3, "K": 4, "stride": 2}),
        (bench.Operator("e", "conv2d_nchw", {}), {"H": 7, "W": 7, "C": 3, "K": 4}),
        (bench.Operator("f", "depthwise_conv2d_nhwc", {}), {"H": 7, "W": 7, "C": 5}),
        (bench.Operator("g", "softmax", {}), {"M": 4, "N": 9}),
        (bench.Operator("h", "layernorm", {}), {"M": 4, "N": 9}),
    ]]
    script = tmp_path / "check.py"
    script.write_text(f"""
import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("peer", {str(REPO / 'bench/peer/metaschedule.py')!r})
peer = importlib.util.module_from_spec(spec); spec.loader.exec_module(peer)
import tvm
errors = {{}}
for workload, shape in json.loads(sys.argv[1]):
    func, shapes = peer.define(workload, shape)
    kernel = tvm.compile(tvm.IRModule({{"main": func}}), target="llvm")["main"]
    rng = np.random.default_rng(0)
    inputs = [rng.uniform(-1, 1, s).astype("float32") for s in shapes[:-1]]
    args = [tvm.runtime.tensor(x) for x in inputs] + [tvm.runtime.tensor(np.zeros(shapes[-1], "float32"))]
    kernel(*args)
    expected = peer.references.REFERENCES[workload](shape, inputs)[0]
    errors[workload] = float(np.max(np.abs(args[-1].numpy() - expected)))
print(json.dumps(errors))
""")
    r = subprocess.run([TVM_PYTHON, str(script), json.dumps(cases)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    errors = json.loads(r.stdout.strip().splitlines()[-1])
    assert set(errors) == {w for w, _ in cases}
    for workload, error in errors.items():
        assert error < 1e-4, (workload, error)


def test_the_setup_script_pins_the_ffi_that_works():
    text = (REPO / "scripts/setup_tvm_venv.sh").read_text()
    assert '"apache-tvm==0.27.0.post1"' in text and '"apache-tvm-ffi==0.1.14.post1"' in text
    assert "build/tvm-venv" in text


def test_without_the_tvm_venv_the_peer_is_skipped_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("KILN_TVM_VENV", str(tmp_path / "no-venv"))
    assert bench.find_tvm_python() is None
    result = bench.run_peer(bench.quick_suite(), 2, "znver4", bench.Settings(operators=[]),
                            tmp_path)
    assert "setup_tvm_venv.sh" in result["skipped"]
