"""The peer tuner of ``kiln bench``: TVM MetaSchedule (apache-tvm 0.27) tunes
the operators kiln tunes, written again in TVM's te exactly as kiln's
workloads define them (workloads/*.cc: padding as a stage of its own, the
same stages and reductions), on the same target with the same core count,
then its best kernel is timed with kiln bench's protocol
(python/kiln/bench_timing.py) and checked against the NumPy reference
(python/kiln/workload_references.py), both loaded by path: this runs in the
TVM virtual environment (scripts/setup_tvm_venv.sh), where kiln is not
installed.

    build/tvm-venv/bin/python bench/peer/metaschedule.py SPEC.json OUT.json

SPEC: {"threads": 2, "mcpu": "znver4", "mtriple": "x86_64-linux-gnu",
       "trials": 200, "work_dir": "...", "seed": 0,
       "timing": {"repeat": 10, "min_seconds": 1.0},
       "operators": [{"id": "matmul_1024", "workload": "matmul",
                      "shape": {"M": 1024, "N": 1024, "K": 1024}}, ...]}
OUT:  {"tvm_version": ..., "target": ..., "operators": [{"id", "median_s", "best_s",
       "tuning_wall_s", "trials", "errors", "curve": [[trial, wall_s, best_s], ...],
       "database_best_s", "max_abs_error"} or {"id", "error"}]}

The builder does not import TVM's tensor intrinsics in every worker (the
default one does, about 15 s of CPU per batch, which on two busy cores
passes its 30 s timeout and fails every candidate); its timeout is longer too.
"""

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


timing = _load("kiln_bench_timing", REPO / "python/kiln/bench_timing.py")
references = _load("kiln_workload_references", REPO / "python/kiln/workload_references.py")


# --- kiln's workloads in TVM's te --------------------------------------------

def _pad_hw(te, tirx, x, h_axis, padding):
    """x zero-padded by `padding` on axes h_axis and h_axis + 1 (a "pad" stage)."""
    if padding == 0:
        return x
    shape = list(x.shape)
    shape[h_axis] += 2 * padding
    shape[h_axis + 1] += 2 * padding
    h_extent, w_extent = x.shape[h_axis], x.shape[h_axis + 1]

    def body(*i):
        h, w = i[h_axis] - padding, i[h_axis + 1] - padding
        inside = tirx.all(h >= 0, h < h_extent, w >= 0, w < w_extent)
        src = list(i)
        src[h_axis], src[h_axis + 1] = h, w
        return tirx.if_then_else(inside, x[tuple(src)], tirx.const(0.0, "float32"))

    return te.compute(shape, body, name="pad")


def define(workload, s):
    """The te PrimFunc of kiln's `workload` at the complete shape `s`, and
    its parameters' shapes."""
    import tvm.tirx as tirx
    from tvm import te

    f32 = "float32"
    if workload == "matmul":
        A = te.placeholder((s["M"], s["K"]), f32, "A")
        B = te.placeholder((s["K"], s["N"]), f32, "B")
        k = te.reduce_axis((0, s["K"]), "k")
        C = te.compute((s["M"], s["N"]), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), "C")
        params = [A, B, C]
    elif workload == "batch_matmul":
        tb = s["transpose_b"]
        A = te.placeholder((s["B"], s["M"], s["K"]), f32, "A")
        B = te.placeholder((s["B"], s["N"], s["K"]) if tb else (s["B"], s["K"], s["N"]), f32, "B")
        k = te.reduce_axis((0, s["K"]), "k")
        C = te.compute((s["B"], s["M"], s["N"]),
                       lambda b, i, j: te.sum(A[b, i, k] * (B[b, j, k] if tb else B[b, k, j]),
                                              axis=k), "C")
        params = [A, B, C]
    elif workload == "dense_bias_relu":
        X = te.placeholder((s["M"], s["K"]), f32, "X")
        W = te.placeholder((s["N"], s["K"]), f32, "W")
        bias = te.placeholder((s["N"],), f32, "bias")
        k = te.reduce_axis((0, s["K"]), "k")
        dense = te.compute((s["M"], s["N"]), lambda i, j: te.sum(X[i, k] * W[j, k], axis=k),
                           "dense")
        biased = te.compute((s["M"], s["N"]), lambda i, j: dense[i, j] + bias[j], "bias_add")
        out = te.compute((s["M"], s["N"]),
                         lambda i, j: tirx.max(biased[i, j], tirx.const(0.0, f32)), "relu")
        params = [X, W, bias, out]
    elif workload in ("conv2d_nhwc", "conv2d_nchw", "depthwise_conv2d_nhwc"):
        n, h, w, c, r, q_, st, pd, dl = (s[key] for key in
                                          ("N", "H", "W", "C", "R", "S", "stride", "padding",
                                           "dilation"))
        p_out = (h + 2 * pd - dl * (r - 1) - 1) // st + 1
        q_out = (w + 2 * pd - dl * (q_ - 1) - 1) // st + 1
        rh, rw = te.reduce_axis((0, r), "rh"), te.reduce_axis((0, q_), "rw")
        if workload == "conv2d_nchw":
            X = te.placeholder((n, c, h, w), f32, "X")
            W = te.placeholder((s["K"], c, r, q_), f32, "W")
            xp = _pad_hw(te, tirx, X, 2, pd)
            rc = te.reduce_axis((0, c), "rc")
            out = te.compute((n, s["K"], p_out, q_out), lambda b, k, y, x: te.sum(
                xp[b, rc, y * st + rh * dl, x * st + rw * dl] * W[k, rc, rh, rw],
                axis=[rc, rh, rw]), "conv2d")
        elif workload == "conv2d_nhwc":
            X = te.placeholder((n, h, w, c), f32, "X")
            W = te.placeholder((r, q_, c, s["K"]), f32, "W")
            xp = _pad_hw(te, tirx, X, 1, pd)
            rc = te.reduce_axis((0, c), "rc")
            out = te.compute((n, p_out, q_out, s["K"]), lambda b, y, x, k: te.sum(
                xp[b, y * st + rh * dl, x * st + rw * dl, rc] * W[rh, rw, rc, k],
                axis=[rh, rw, rc]), "conv2d")
        else:
            X = te.placeholder((n, h, w, c), f32, "X")
            W = te.placeholder((r, q_, c), f32, "W")
            xp = _pad_hw(te, tirx, X, 1, pd)
            out = te.compute((n, p_out, q_out, c), lambda b, y, x, ch: te.sum(
                xp[b, y * st + rh * dl, x * st + rw * dl, ch] * W[rh, rw, ch],
                axis=[rh, rw]), "depthwise_conv2d")
        params = [X, W, out]
    elif workload == "softmax":
        m, n = s["M"], s["N"]
        A = te.placeholder((m, n), f32, "A")
        k = te.reduce_axis((0, n), "k")
        row_max = te.compute((m,), lambda i: te.max(A[i, k], axis=k), "row_max")
        expd = te.compute((m, n), lambda i, j: tirx.exp(A[i, j] - row_max[i]), "exp")
        k2 = te.reduce_axis((0, n), "k")
        row_sum = te.compute((m,), lambda i: te.sum(expd[i, k2], axis=k2), "row_sum")
        out = te.compute((m, n), lambda i, j: expd[i, j] / row_sum[i], "softmax")
        params = [A, out]
    elif workload == "layernorm":
        m, n = s["M"], s["N"]
        A = te.placeholder((m, n), f32, "A")
        gamma = te.placeholder((n,), f32, "gamma")
        beta = te.placeholder((n,), f32, "beta")
        count = tirx.const(float(n), f32)
        k = te.reduce_axis((0, n), "k")
        row_sum = te.compute((m,), lambda i: te.sum(A[i, k], axis=k), "row_sum")
        k2 = te.reduce_axis((0, n), "k")
        sq_sum = te.compute((m,), lambda i: te.sum(
            (A[i, k2] - row_sum[i] / count) * (A[i, k2] - row_sum[i] / count), axis=k2), "sq_sum")
        out = te.compute((m, n), lambda i, j: (A[i, j] - row_sum[i] / count)
                         / tirx.sqrt(sq_sum[i] / count + tirx.const(1e-5, f32))
                         * gamma[j] + beta[j], "layernorm")
        params = [A, gamma, beta, out]
    else:
        raise ValueError(f"no te definition of '{workload}' here")
    shapes = [[int(x) for x in t.shape] for t in params]
    return te.create_prim_func(params).with_attr("global_symbol", "main"), shapes


# --- tuning ------------------------------------------------------------------

def _build_without_intrinsics(mod, target, _params):
    # The default builder's work, less the import of every tensor intrinsic.
    from tvm.driver import build as tvm_build
    from tvm.s_tir.transform import RemoveWeightLayoutRewriteBlock

    return tvm_build(RemoveWeightLayoutRewriteBlock(skip_tensor_rewrite=True)(mod), target=target)


_measured = []  # (perf_counter, latency in seconds or None) per candidate, in order


def _clock_callback():
    from tvm.ir.utils import derived_object
    from tvm.s_tir.meta_schedule.measure_callback import PyMeasureCallback

    @derived_object
    class Clock(PyMeasureCallback):
        """Notes when each candidate's measurement came back, and its time."""

        def apply(self, task_scheduler, task_id, measure_candidates, builder_results,
                  runner_results):
            now = time.perf_counter()
            for b, r in zip(builder_results, runner_results):
                ok = b.error_msg is None and r.error_msg is None and r.run_secs
                secs = [float(x) for x in r.run_secs] if ok else []
                _measured.append((now, sum(secs) / len(secs) if secs else None))

    return Clock()


def _database_best(work_dir):
    """The best mean run time the database holds (its own view of the result)."""
    best = None
    path = Path(work_dir) / "database_tuning_record.json"
    if path.exists():
        for line in path.read_text().splitlines():
            run_secs = json.loads(line)[1][1]
            if run_secs:
                mean = sum(float(x) for x in run_secs) / len(run_secs)
                if mean < 1e9 and (best is None or mean < best):
                    best = mean
    return best


def tune_one(op, spec, target):
    import numpy as np
    import tvm
    from tvm.s_tir import meta_schedule as ms

    func, shapes = define(op["workload"], op["shape"])
    work_dir = os.path.join(spec["work_dir"], op["id"])
    os.makedirs(work_dir, exist_ok=True)
    builder = ms.builder.LocalBuilder(f_build=_build_without_intrinsics,
                                      timeout_sec=spec.get("build_timeout_s", 120))
    runner = ms.runner.LocalRunner(timeout_sec=spec.get("run_timeout_s", 30))
    callbacks = [*ms.measure_callback.MeasureCallback.create("default"), _clock_callback()]
    _measured.clear()
    start = time.perf_counter()
    database = ms.tune_tir(func, target, work_dir, max_trials_global=spec["trials"],
                           num_trials_per_iter=min(64, spec["trials"]), builder=builder,
                           runner=runner, measure_callbacks=callbacks, seed=spec.get("seed", 0),
                           num_tuning_cores=spec["threads"])
    wall = time.perf_counter() - start
    sch = ms.tir_integration.compile_tir(database, func, target)
    if sch is None:
        return {"id": op["id"], "error": "MetaSchedule found no valid kernel",
                "tuning_wall_s": wall, "trials": len(_measured)}
    kernel = tvm.compile(sch.mod, target=target)["main"]

    rng = np.random.default_rng(0)
    inputs = [rng.uniform(-1, 1, size=shp).astype("float32") for shp in shapes[:-1]]
    device = tvm.cpu()
    args = [tvm.runtime.tensor(x, device) for x in inputs]
    args.append(tvm.runtime.tensor(np.zeros(shapes[-1], "float32"), device))
    kernel(*args)
    expected = references.REFERENCES[op["workload"]](op["shape"], inputs)[0]
    error = float(np.max(np.abs(args[-1].numpy() - expected)))
    median_s, best_s = timing.time_calls(lambda: kernel(*args), **spec["timing"])

    curve, best = [], None
    for trial, (when, latency) in enumerate(_measured, 1):
        if latency is not None and (best is None or latency < best):
            best = latency
            curve.append([trial, when - start, best])
    if curve:
        curve.append([len(_measured), _measured[-1][0] - start, best])
    return {"id": op["id"], "median_s": median_s, "best_s": best_s, "tuning_wall_s": wall,
            "trials": len(_measured), "errors": sum(lat is None for _, lat in _measured),
            "curve": curve, "database_best_s": _database_best(work_dir),
            "max_abs_error": error, "schedule": str(sch.trace)}


def main(spec_path, out_path):
    spec = json.loads(Path(spec_path).read_text())
    os.environ["TVM_NUM_THREADS"] = str(spec["threads"])  # before TVM starts its pool
    import tvm

    target = tvm.target.Target({"kind": "llvm", "num-cores": spec["threads"],
                                "mcpu": spec["mcpu"], "mtriple": spec["mtriple"]})
    results = []
    for op in spec["operators"]:
        print(f"[metaschedule] {op['id']}: tuning {spec['trials']} trials", flush=True)
        try:
            result = tune_one(op, spec, target)
        except Exception as err:  # one operator's failure is a row, not the end of the run
            result = {"id": op["id"], "error": f"{type(err).__name__}: {err}".splitlines()[0]}
        print(f"[metaschedule] {op['id']}: " + (
            result["error"] if "error" in result else
            f"{result['median_s'] * 1e3:.4f} ms after {result['tuning_wall_s']:.0f} s"),
            flush=True)
        results.append(result)
        # Written after each operator: an interrupted run keeps what it measured.
        Path(out_path).write_text(json.dumps(
            {"tvm_version": tvm.__version__, "target": str(target), "trials": spec["trials"],
             "operators": results}, indent=1))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: metaschedule.py SPEC.json OUT.json")
    sys.exit(main(sys.argv[1], sys.argv[2]))
