"""``kiln bench``: kiln against the tools a user would otherwise take, in one
run on one machine: the vendor libraries (OpenBLAS, Eigen, oneDNN, NumPy)
for how fast the kernels are, and TVM MetaSchedule, the peer tuner, for how
fast they are and how long they took to find. Writes a results page
(``bench/RESULTS.md``) and the same figures as JSON beside it.

Who measures what:

* kiln tunes each operator (:func:`kiln.tune`, a log per operator in the
  run's folder);
* ``bench_ops_cpu`` (bench/ops_cpu.cc) times kiln's best kernel, replayed from
  that log, and every vendor library that has the operator, in one process on
  the same arrays, each on as many threads as kiln's target has cores;
* this process times kiln's kernel and NumPy's on NumPy arrays, called from
  Python, and the peer (bench/peer/metaschedule.py, in its own virtual
  environment: scripts/setup_tvm_venv.sh) times its kernel the same way
  (:mod:`kiln.bench_timing`), so that kiln and MetaSchedule pay the same
  call overhead;
* ``bench_peak`` (bench/peak.cc) measures the machine's float32 FMA peak and
  STREAM-triad bandwidth, the ceilings each kernel is a fraction of.

Example::

    python3 -m kiln bench --suite cpu --quick
    python3 -m kiln bench --suite cpu --trials 1000 --peer-trials 200
"""

import dataclasses
import datetime
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

__all__ = ["Operator", "SUITES", "Settings", "find_executable", "quick_suite", "render", "run",
           "trials_to_fraction"]


@dataclasses.dataclass(frozen=True)
class Operator:
    """One operator of a suite: a registered workload at a shape. ``bound``
    says which ceiling it is measured against: "compute" (FMA peak, GFLOP/s)
    or "memory" (triad bandwidth, GB/s); ``peer`` whether MetaSchedule tunes
    it too (it is slow on few cores: the issue names five).

    Example::

        op = Operator("matmul_1024", "matmul", {"M": 1024, "N": 1024, "K": 1024}, peer=True)
        print(op.label, op.flops)
    """

    id: str
    workload: str
    shape: dict
    bound: str = "compute"
    peer: bool = False

    def workload_instance(self):
        from kiln import workloads

        return workloads.get(self.workload, **self.shape)

    @property
    def label(self):
        from kiln import workloads

        return workloads.label(self.workload, self.shape)

    @property
    def flops(self):
        """Floating-point operations of one call, as kiln counts them from the
        function (a multiply-add is two)."""
        from kiln import _ffi

        return float(_ffi.count_flops(self.workload_instance().func))

    @property
    def bytes(self):
        """The least memory traffic of one call: every parameter read or
        written once."""
        return float(sum(4 * int(np.prod(b.shape)) for b in self.workload_instance().func.params))


def _conv(layout, h, c, peer=False):
    return Operator(f"{layout}_{h}", layout,
                    {"N": 1, "H": h, "W": h, "C": c, "K": c, "R": 3, "S": 3, "stride": 1,
                     "padding": 1, "dilation": 1}, peer=peer)


def _mobilenet_depthwise():
    """MobileNetV2's depthwise layers, from the network kiln registers."""
    from kiln._ffi import workloads as registry

    ops, seen = [], set()
    for workload, shape, _count, _layers in registry.network("mobilenet_v2"):
        if workload != "depthwise_conv2d_nhwc":
            continue
        shape = dict(shape)
        key = (shape["H"], shape["C"], shape["stride"])
        if key not in seen:
            seen.add(key)
            ops.append(Operator(f"depthwise_{shape['H']}x{shape['C']}s{shape['stride']}", workload,
                                shape, bound="memory"))
    return ops


def cpu_suite():
    """The CPU suite of issue 16: float32 matmul, BERT's attention batch
    matmul, a dense layer with bias and relu, ResNet-50's 3x3 convolutions
    (NHWC and NCHW), MobileNetV2's depthwise convolutions, softmax and
    layernorm. ResNet-18 end to end is tuned as a network beside these.

    Example::

        assert any(op.peer for op in cpu_suite())
    """
    ops = [Operator(f"matmul_{n}", "matmul", {"M": n, "N": n, "K": n}, peer=n == 1024)
           for n in (512, 1024, 2048)]
    ops.append(Operator("bert_attention_bmm", "batch_matmul",
                        {"B": 12, "M": 128, "N": 128, "K": 64, "transpose_b": 1}))
    ops.append(Operator("dense_bias_relu", "dense_bias_relu", {"M": 128, "N": 3072, "K": 768},
                        peer=True))
    for layout in ("conv2d_nhwc", "conv2d_nchw"):
        for h, c in ((56, 64), (28, 128), (14, 256), (7, 512)):
            ops.append(_conv(layout, h, c, peer=layout == "conv2d_nhwc" and h == 56))
    ops += _mobilenet_depthwise()
    ops.append(Operator("softmax_bert_vocab", "softmax", {"M": 128, "N": 30522}, bound="memory",
                        peer=True))
    ops.append(Operator("layernorm_bert", "layernorm", {"M": 128, "N": 768}, bound="memory",
                        peer=True))
    return ops


def quick_suite():
    """Three operators of the CPU suite for ``--quick``: a compute-bound
    matmul, the fused dense layer and a memory-bound layernorm, all three
    also tuned by the peer.

    Example::

        assert len(quick_suite()) == 3
    """
    wanted = ("matmul_1024", "dense_bias_relu", "layernorm_bert")
    return [op for op in cpu_suite() if op.id in wanted]


SUITES = {"cpu": cpu_suite}

# The network tuned end to end beside the full suite (not in --quick).
NETWORK = "resnet18"


@dataclasses.dataclass
class Settings:
    """What a ``kiln bench`` run does; :func:`kiln.cli` builds it from the
    command line.

    Example::

        s = Settings(operators=quick_suite(), trials=64, peer_trials=64, quick=True)
    """

    operators: list
    trials: int = 1000
    peer_trials: int = 200
    quick: bool = False
    peer: bool = True
    network: str = ""  # tuned end to end too, when given
    out: str = "bench/RESULTS.md"
    work_dir: str = ""  # logs and raw outputs; a fresh folder under build/bench-runs by default
    seed: int = 0
    repeat: int = 10
    min_seconds: float = 1.0
    tvm_python: str = ""  # the peer's interpreter; found by default
    progress: bool = True


# --- finding the pieces ------------------------------------------------------

def find_executable(name):
    """The path of a benchmark executable built with kiln (bench_peak,
    bench_ops_cpu): in $KILN_BENCH_DIR, or the build trees under the
    current folder; None when it is not built.

    Example::

        peak = find_executable("bench_peak")
    """
    folders = [os.environ.get("KILN_BENCH_DIR", ""), "build/py/bench", "build/bench"]
    for folder in filter(None, folders):
        path = Path(folder) / name
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def find_tvm_python():
    """The python of the peer's virtual environment ($KILN_TVM_VENV or
    build/tvm-venv, made by scripts/setup_tvm_venv.sh), or None."""
    venv = Path(os.environ.get("KILN_TVM_VENV", "build/tvm-venv"))
    python = venv / "bin" / "python"
    return str(python) if python.is_file() else None


def _peer_script():
    # bench/ is not installed with the package: the run starts in the repository.
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        script = root / "bench" / "peer" / "metaschedule.py"
        if script.is_file():
            return script
    return None


# --- measurements ------------------------------------------------------------

def measure_peak(threads, work_dir):
    """This machine's FMA peak (GFLOP/s) and triad bandwidth (GB/s) on
    ``threads`` threads, measured by bench_peak."""
    exe = find_executable("bench_peak")
    if exe is None:
        raise RuntimeError("bench_peak is not built: build kiln with its benchmarks "
                           "(./scripts/build.sh) and run from the repository")
    out = Path(work_dir) / "peak.json"
    subprocess.run([exe, "--threads", str(threads), "--json", str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    peak = json.loads(out.read_text())
    row = next(r for r in peak["rows"] if r["threads"] == threads)
    return {"threads": threads, "fma_gflops": row["fma_gflops"], "triad_gbs": row["triad_gbs"],
            "vector_bytes": peak["vector_bytes"]}


def run_vendor_baselines(op, threads, target, log, settings, work_dir):
    """bench_ops_cpu's JSON for ``op``: kiln's kernel from ``log`` (when
    given) and each vendor library's, timed in one process."""
    exe = find_executable("bench_ops_cpu")
    if exe is None:
        return {"entries": [], "notes": ["bench_ops_cpu is not built (it needs OpenBLAS, "
                                         "oneDNN and OpenMP)"]}
    out = Path(work_dir) / f"{op.id}.vendors.json"
    shape = ",".join(f"{k}={v}" for k, v in op.workload_instance().shape.items())
    cmd = [exe, "--workload", op.workload, "--shape", shape, "--threads", str(threads),
           "--target", target, "--repeat", str(settings.repeat),
           "--min-seconds", str(settings.min_seconds), "--json", str(out)]
    if log:
        cmd += ["--log", str(log)]
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text())


def _numpy_blas(threads):
    """NumPy's own OpenBLAS (its wheel bundles one) set to ``threads``
    threads; says which, and on how many threads, or why not."""
    import ctypes

    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()
                        and ".so" in line})
    for path in paths:
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_", "64_"), ("", "64_"), ("", "")):
            setter = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
            getter = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
            core = getattr(lib, f"{prefix}openblas_get_corename{suffix}", None)
            if setter and getter:
                setter(ctypes.c_int(threads))
                name = ""
                if core:
                    core.restype = ctypes.c_char_p
                    name = f", {core().decode()} kernels"
                return f"OpenBLAS ({os.path.basename(path)}{name}, {getter()} threads)"
    return "its BLAS (threads not set: no OpenBLAS found in the process)"


def _numpy_call(op, args):
    """NumPy's way of computing ``op`` on ``args`` (the workload's arrays,
    the output last), or None where NumPy has no such operator."""
    s, out = op.workload_instance().shape, args[-1]
    if op.workload == "matmul":
        a, b = args[:2]
        return lambda: np.matmul(a, b, out=out)
    if op.workload == "batch_matmul":
        a, b = args[:2]
        bt = b.transpose(0, 2, 1) if s["transpose_b"] else b
        return lambda: np.matmul(a, bt, out=out)
    if op.workload == "dense_bias_relu":
        x, w, bias = args[:3]
        return lambda: np.maximum(np.matmul(x, w.T, out=out) + bias, 0.0, out=out)
    if op.workload == "softmax":
        a = args[0]

        def softmax():
            e = np.exp(a - a.max(axis=-1, keepdims=True))
            np.divide(e, e.sum(axis=-1, keepdims=True), out=out)
        return softmax
    if op.workload == "layernorm":
        a, gamma, beta = args[:3]

        def layernorm():
            mean = a.mean(axis=-1, keepdims=True)
            var = a.var(axis=-1, keepdims=True)
            np.add((a - mean) / np.sqrt(var + 1e-5) * gamma, beta, out=out)
        return layernorm
    return None  # NumPy has no convolution


def _python_timings(op, module, settings):
    """kiln's kernel and NumPy's, called from Python on NumPy arrays, and
    how far each output is from the reference."""
    from kiln.bench_timing import time_calls

    w = op.workload_instance()
    args = w.random_args(seed=0)
    expected = w.reference(args)[0]
    result = {}
    for name, call in (("kiln", lambda: module(*args)), ("NumPy", _numpy_call(op, args))):
        if call is None:
            continue
        args[-1][...] = np.nan
        call()
        error = float(np.max(np.abs(args[-1] - expected)))
        median_s, best_s = time_calls(call, settings.repeat, settings.min_seconds)
        result[name] = {"median_s": median_s, "best_s": best_s, "max_abs_error": error}
    return result


def trials_to_fraction(curve, fraction=0.9):
    """The first trial at which a tuning curve (``[(trial, wall_s, best_s)]``,
    the best so far) comes within ``fraction`` of its final best, i.e. its
    best latency is at most final / fraction; None for an empty curve.

    Example::

        trials_to_fraction([(1, 0.5, 4.0), (10, 3.0, 1.05), (64, 9.0, 1.0)]) == 10
    """
    if not curve:
        return None
    final = curve[-1][2]
    return next(trial for trial, _wall, best in curve if best * fraction <= final)


def tune_operator(op, target, settings, work_dir):
    """Tunes ``op`` with kiln; the log, the result and the tuning curve."""
    import kiln
    from kiln import log_report

    log = Path(work_dir) / f"{op.id}.jsonl"
    task = op.workload_instance().task(target)
    started = time.time()  # the records' clock: the curve counts from here, as the peer's does
    result = kiln.tune(task, trials=settings.trials, log=str(log), seed=settings.seed,
                       progress=settings.progress)
    summary = log_report.summarize(str(log))[0]
    curve = [list(p) for p in zip(*log_report.best_so_far(summary.records, start=started))]
    return log, result, {"tuning_wall_s": result.wall_s, "trials": result.results[0].trials,
                         "errors": dict(result.results[0].errors), "curve": curve,
                         "trials_to_90": trials_to_fraction(curve),
                         "search_best_s": curve[-1][2] if curve else None,
                         "log": str(log)}


def run_peer(ops, threads, mcpu, settings, work_dir):
    """MetaSchedule's results for ``ops`` by operator id, run in its own
    virtual environment; a dict with the reason under "skipped" when it
    cannot run."""
    python = settings.tvm_python or find_tvm_python()
    script = _peer_script()
    if python is None:
        return {"skipped": "no TVM virtual environment (make one with "
                           "./scripts/setup_tvm_venv.sh)"}
    if script is None:
        return {"skipped": "bench/peer/metaschedule.py not found (run from the repository)"}
    spec = {"threads": threads, "mcpu": mcpu, "mtriple": "x86_64-linux-gnu",
            "trials": settings.peer_trials, "work_dir": str(Path(work_dir) / "metaschedule"),
            "seed": settings.seed,
            "timing": {"repeat": settings.repeat, "min_seconds": settings.min_seconds},
            "operators": [{"id": op.id, "workload": op.workload,
                           "shape": op.workload_instance().shape} for op in ops]}
    spec_path = Path(work_dir) / "metaschedule.spec.json"
    out_path = Path(work_dir) / "metaschedule.json"
    spec_path.write_text(json.dumps(spec, indent=1))
    env = {**os.environ, "TVM_NUM_THREADS": str(threads)}
    start = time.perf_counter()
    with open(Path(work_dir) / "metaschedule.log", "w") as log:
        proc = subprocess.Popen([python, str(script), str(spec_path), str(out_path)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=env)
        for line in proc.stdout:  # its own lines shown, TVM's kept in the log
            log.write(line)
            if line.startswith("[metaschedule]"):
                print(line, end="", flush=True)
        proc.wait()
    wall = time.perf_counter() - start
    if not out_path.exists():
        return {"skipped": f"the MetaSchedule runner failed (exit {proc.returncode}); see "
                           f"{Path(work_dir) / 'metaschedule.log'}"}
    results = json.loads(out_path.read_text())
    by_id = {r["id"]: r for r in results["operators"]}
    for r in by_id.values():
        r["trials_to_90"] = trials_to_fraction(r.get("curve"))
    return {"tvm_version": results["tvm_version"], "target": results["target"],
            "wall_s": wall, "operators": by_id}


# --- the machine ---------------------------------------------------------------

def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(description):
    """What the results page says of the machine, from kiln's description of
    the host target."""
    features = description["features"]
    simd = [f for f in features if f.startswith("avx512")]
    isa = (f"AVX-512 ({', '.join(f[6:] for f in simd)})" if simd
           else "AVX2" if "avx2" in features else "SSE")
    if description["has_fma"]:
        isa += " + FMA"
    return {"cpu": _cpu_model(), "llvm_cpu": description["cpu"], "isa": isa,
            "vector_bytes": description["vector_bytes"],
            "physical_cores": description.get("physical_cores", description["num_cores"]),
            "hardware_threads": description.get("hardware_threads", description["num_cores"]),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "kiln_commit": _git_commit(), "python": platform.python_version(),
            "numpy": np.__version__}


def _load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


# --- the run -----------------------------------------------------------------

def run(settings):
    """Runs the benchmark ``settings`` describe; writes the results page and
    its JSON; returns the results (a dict, as written to the JSON).

    Example::

        results = run(Settings(operators=quick_suite()[-1:], trials=8, peer=False,
                               out="/tmp/RESULTS.md"))
    """
    import kiln

    started = time.perf_counter()
    host = kiln.Target("llvm").describe()
    threads = host.get("physical_cores", host["num_cores"])
    target = str(kiln.Target(f"llvm -num_cores={threads}"))
    work_dir = Path(settings.work_dir or Path("build") / "bench-runs" / (
        "cpu" + ("-quick" if settings.quick else "") + "-"
        + datetime.datetime.now().strftime("%Y%m%d-%H%M%S")))
    work_dir.mkdir(parents=True, exist_ok=True)
    say = print if settings.progress else (lambda *a, **k: None)
    say(f"kiln bench: {len(settings.operators)} operators on {target}, {threads} threads; "
        f"logs and raw outputs in {work_dir}", flush=True)

    results = {"benchmark": "kiln bench", "suite": "cpu", "quick": settings.quick,
               "machine": machine(host), "threads": threads, "target": target,
               "trials": settings.trials, "peer_trials": settings.peer_trials,
               "work_dir": str(work_dir), "timing": {"repeat": settings.repeat,
                                                     "min_seconds": settings.min_seconds},
               "operators": []}
    results["load_average_start"] = _load()
    results["numpy_blas"] = _numpy_blas(threads)
    say("measuring the machine's peak (bench_peak)", flush=True)
    results["peak"] = measure_peak(threads, work_dir)

    for op in settings.operators:
        say(f"\n== {op.label}: kiln, {settings.trials} trials", flush=True)
        load = _load()
        log, tuned, kiln_row = tune_operator(op, target, settings, work_dir)
        say("   timing kiln's kernel beside the vendor libraries", flush=True)
        vendors = run_vendor_baselines(op, threads, target, log, settings, work_dir)
        python = _python_timings(op, tuned.build(), settings)
        entries = {e["library"]: e for e in vendors.get("entries", [])}
        kiln_row.update({k: v for k, v in entries.pop("kiln", {}).items() if k != "library"})
        kiln_row["python"] = python.get("kiln")
        results["operators"].append({
            "id": op.id, "workload": op.workload, "label": op.label,
            "shape": op.workload_instance().shape, "bound": op.bound, "peer": op.peer,
            "flops": op.flops, "bytes": op.bytes, "load_average": load, "kiln": kiln_row,
            "vendors": entries, "vendor_reference": vendors.get("reference"),
            "vendor_notes": vendors.get("notes", []), "numpy": python.get("NumPy")})
        results["vendor_versions"] = vendors.get("versions", results.get("vendor_versions"))
        _write(results, settings)  # a page after each operator: an interrupted run has one

    if settings.network:
        say(f"\n== {settings.network} end to end: kiln, {settings.trials} trials shared", flush=True)
        results["network"] = tune_network(settings.network, target, settings, work_dir)
        _write(results, settings)

    peer_ops = [op for op in settings.operators if op.peer]
    if settings.peer and peer_ops:
        say(f"\n== MetaSchedule: {len(peer_ops)} operators, {settings.peer_trials} trials each",
            flush=True)
        results["metaschedule"] = run_peer(peer_ops, threads, host["cpu"], settings, work_dir)
        for row in results["operators"]:
            row["metaschedule"] = results["metaschedule"].get("operators", {}).get(row["id"])
    elif not settings.peer:
        results["metaschedule"] = {"skipped": "--no-peer"}
    results["wall_s"] = time.perf_counter() - started
    _write(results, settings)
    _draw_curves(settings)
    return results


def _draw_curves(settings):
    """Both tuners' curves beside the page (RESULTS.png), where matplotlib is."""
    try:
        from kiln import plot
    except ModuleNotFoundError:
        return
    out = Path(settings.out)
    plot.tuning_curves([str(out.with_suffix(".json"))], str(out.with_suffix(".png")))


def tune_network(name, target, settings, work_dir):
    """The network's operators tuned together (one shared budget); the
    weighted sum of their best latencies."""
    import kiln

    log = Path(work_dir) / f"{name}.jsonl"
    tasks = kiln.workloads.network(name, target)
    result = kiln.tune(tasks, trials=settings.trials, log=str(log), seed=settings.seed,
                       progress=settings.progress)
    return {"name": name, "tasks": len(tasks), "trials": settings.trials,
            "tuning_wall_s": result.wall_s, "weighted_latency_s": result.weighted_latency_s,
            "log": str(log)}


def _write(results, settings):
    out = Path(settings.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    out.write_text(render(results))


# --- the page ----------------------------------------------------------------

def _ms(seconds):
    return "–" if seconds is None else f"{seconds * 1e3:.4g}"


def _rate(row, seconds):
    """GFLOP/s (compute-bound) or GB/s (memory-bound) at ``seconds``."""
    if seconds is None:
        return None
    return (row["flops"] if row["bound"] == "compute" else row["bytes"]) / seconds * 1e-9


def _fraction(row, seconds, peak):
    rate = _rate(row, seconds)
    ceiling = peak["fma_gflops"] if row["bound"] == "compute" else peak["triad_gbs"]
    return None if rate is None else rate / ceiling


def _fmt(value, pattern, none="–"):
    return none if value is None else pattern.format(value)


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":--" if i == 0 else "--:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render(results):
    """The results page (Markdown) of a run's results.

    Example::

        Path("bench/RESULTS.md").write_text(render(json.loads(Path("bench/RESULTS.json").read_text())))
    """
    m, peak = results["machine"], results["peak"]
    out = ["# kiln benchmarks: CPU", ""]
    if results["quick"]:
        out += [f"> **Quick run** (`--quick`: {len(results['operators'])} operators, "
                f"{results['trials']} kiln trials and {results['peer_trials']} MetaSchedule "
                "trials each). Small budgets: a check that the suite runs and a first look, "
                "not the published figures. The full run (`python3 -m kiln bench --suite cpu "
                "--trials 1000`, MetaSchedule at 200 trials) is still to be done.", ""]
    load = results.get("load_average_start")
    if load is not None and load > results["threads"]:
        out += [f"> **Busy machine**: the load average was {load:.1f} on {results['threads']} "
                "cores as the run began. Other work shared the cores, so the measured ceilings "
                "and every time below are pessimistic and the *% peak* columns overstate; "
                "compare the ratios measured side by side, not the absolute figures.", ""]
    out += [f"- **Machine**: {m['cpu']} (LLVM: {m['llvm_cpu']}), {m['isa']}, "
            f"{m['physical_cores']} cores / {m['hardware_threads']} hardware threads; "
            f"every library and both tuners use {results['threads']} threads",
            f"- **Date**: {m['date']}; kiln commit {m['kiln_commit']}; run took "
            f"{_fmt(results.get('wall_s'), '{:.0f}')} s; load average "
            f"{_fmt(results.get('load_average_start'), '{:.1f}')} as it began",
            f"- **Measured ceilings** (bench_peak, {peak['threads']} threads, best of 5): "
            f"float32 FMA {peak['fma_gflops']:.1f} GFLOP/s, STREAM triad "
            f"{peak['triad_gbs']:.1f} GB/s",
            f"- **Libraries**: {results.get('vendor_versions', '–')}; NumPy {m['numpy']} with "
            f"{results['numpy_blas']}"]
    ms_info = results.get("metaschedule") or {}
    if "tvm_version" in ms_info:
        out.append(f"- **Peer**: TVM {ms_info['tvm_version']} MetaSchedule on "
                   f"`{ms_info['target']}` (its own venv, {results['peer_trials']} trials per "
                   f"operator; its whole run took {ms_info['wall_s']:.0f} s)")
    elif ms_info.get("skipped"):
        out.append(f"- **Peer**: MetaSchedule not run: {ms_info['skipped']}")
    out.append(f"- **kiln**: target `{results['target']}`, {results['trials']} trials per "
               "operator")
    out += ["", "## Kernels: kiln against the vendor libraries", "",
            "kiln's best kernel (replayed from its tuning log) and each library's, timed in one "
            "process (bench_ops_cpu) on the same arrays: median of at least "
            f"{results['timing']['repeat']} calls and {results['timing']['min_seconds']:g} s. "
            "Rate is GFLOP/s for compute-bound operators and GB/s (each parameter moved once) "
            "for memory-bound ones; % is of the FMA peak or the triad bandwidth above. "
            "*vendor/kiln* is the fastest library's time over kiln's (above 1: kiln is "
            "faster). NumPy is called from Python, as its users call it.", ""]
    libraries = ["OpenBLAS", "Eigen", "oneDNN"]
    header = ["operator", "kiln ms", "rate", "% peak", *[f"{lib} ms" for lib in libraries],
              "NumPy ms", "best vendor", "vendor/kiln"]
    rows = []
    for row in results["operators"]:
        k = row["kiln"]
        kiln_s = k.get("median_s")
        vendors = {lib: e["median_s"] for lib, e in row["vendors"].items()}
        best_lib = min(vendors, key=vendors.get) if vendors else None
        unit = "GFLOP/s" if row["bound"] == "compute" else "GB/s"
        rows.append([
            row["label"], _ms(kiln_s), _fmt(_rate(row, kiln_s), "{:.1f} " + unit),
            _fmt(_fraction(row, kiln_s, peak), "{:.0%}"),
            *[_ms(vendors.get(lib)) for lib in libraries],
            _ms((row.get("numpy") or {}).get("median_s")),
            f"{best_lib} ({_fmt(_fraction(row, vendors[best_lib], peak), '{:.0%}')})"
            if best_lib else "–",
            _fmt(vendors[best_lib] / kiln_s if best_lib and kiln_s else None, "{:.2f}")])
    out.append(_table(header, rows))

    out += ["", "## Tuning: kiln against TVM MetaSchedule", "",
            "Each tuner's best kernel called from Python (kiln's on NumPy arrays, "
            "MetaSchedule's on `tvm.runtime.tensor`s) with the same protocol "
            "(`kiln.bench_timing`); tuning wall time from the start of the tuner to its "
            "end; *trials to 90%*: the first trial whose best was within 90% of that "
            "tuner's final best. *MS/kiln* above 1: kiln's kernel is faster.", ""]
    header = ["operator", "kiln ms", "kiln tuning s", "kiln trials (to 90%)", "MetaSchedule ms",
              "MS tuning s", "MS trials (to 90%)", "MS/kiln"]
    rows = []
    for row in results["operators"]:
        k, p = row["kiln"], row.get("metaschedule") or {}
        kiln_s = (k.get("python") or {}).get("median_s")
        ms_s = p.get("median_s")
        rows.append([
            row["label"], _ms(kiln_s), _fmt(k.get("tuning_wall_s"), "{:.0f}"),
            f"{k['trials']} ({_fmt(k.get('trials_to_90'), '{}')})",
            _ms(ms_s) if "error" not in p else f"error: {p['error']}",
            _fmt(p.get("tuning_wall_s"), "{:.0f}"),
            f"{p['trials']} ({_fmt(p.get('trials_to_90'), '{}')})" if "trials" in p else "–",
            _fmt(ms_s / kiln_s if ms_s and kiln_s else None, "{:.2f}")])
    out.append(_table(header, rows))

    if results.get("network"):
        n = results["network"]
        out += ["", f"## {n['name']} end to end", "",
                f"kiln tuned its {n['tasks']} operators together ({n['trials']} trials shared) "
                f"in {n['tuning_wall_s']:.0f} s: the weighted sum of their best latencies is "
                f"{n['weighted_latency_s'] * 1e3:.3f} ms."]

    notes = []
    for row in results["operators"]:
        k = row["kiln"]
        for name, err in (("kiln", k.get("max_abs_error")),
                          ("kiln (Python)", (k.get("python") or {}).get("max_abs_error")),
                          ("MetaSchedule", (row.get("metaschedule") or {}).get("max_abs_error"))):
            if err is not None and err > 1e-2:
                notes.append(f"{row['label']}: {name}'s output differs from the reference by "
                             f"{err:.3g}")
        for note in row.get("vendor_notes", []):
            notes.append(f"{row['label']}: {note}")
        for name, tuner, budget in (("kiln", k, results["trials"]),
                                    ("MetaSchedule", row.get("metaschedule") or {},
                                     results["peer_trials"])):
            if "trials" in tuner and tuner["trials"] < budget:
                notes.append(f"{row['label']}: {name} measured {tuner['trials']} of its "
                             f"{budget} trials: its search found no new candidates to measure")
        if k.get("errors"):
            notes.append(f"{row['label']}: kiln's failed candidates: " + ", ".join(
                f"{kind} {n}" for kind, n in sorted(k["errors"].items())))
        if (row.get("metaschedule") or {}).get("errors"):
            notes.append(f"{row['label']}: MetaSchedule's failed candidates: "
                         f"{row['metaschedule']['errors']}")
    out += ["", "## How it was measured", "",
            "- Every output is checked: the vendors' and kiln's against the first vendor's "
            "(bench_ops_cpu), kiln's, NumPy's and MetaSchedule's against kiln's NumPy reference "
            "(`kiln.workload_references`).",
            "- The machine is shared and small: figures move by 10-20% from run to run, more "
            "when other work holds a core (a two-thread kernel then waits for its slower "
            "thread). In the first table kiln and the libraries are timed interleaved, five "
            "rounds of each in turn (`bench_ops_cpu`), so that a passing load falls on all of "
            "them; the second table's two tuners were timed minutes apart, each in its own "
            "process. The load average before each operator and each entry's fastest call are "
            "in the JSON.",
            "- A memory-bound operator whose data stay in the caches can pass 100% of the "
            "triad (DRAM) bandwidth.",
            "- MetaSchedule's builder skips importing TVM's tensor intrinsics in each worker "
            "(the default one does, which on two busy cores passes its build timeout); its "
            "curve is every measured candidate in order, and its database's best is in the "
            "JSON beside the re-timed latency.",
            f"- Raw outputs, tuning logs and MetaSchedule's database: `{results['work_dir']}` "
            "(not committed). `python3 -m kiln plot bench/RESULTS.json -o curves.png` draws "
            "both tuners' curves per operator."]
    if notes:
        out += ["", "## Problems seen in this run", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"
