"""The ``kiln`` command line.

Example::

    python3 -m kiln workloads
    python3 -m kiln script conv2d_nhwc H=14 W=14
    python3 -m kiln fuzz --traces 1000 --seed 1
    python3 -m kiln fuzz --traces 2000 --target llvm
    python3 -m kiln demo
    python3 -m kiln tune --workload matmul --shape M=1024,N=1024,K=1024 --trials 1000
    python3 -m kiln tune --network resnet18 --trials 2000
    python3 -m kiln tune --workload matmul --cost-model random --trials 200
    python3 -m kiln cost-model train --log tuning_logs/a.jsonl --log tuning_logs/b.jsonl -o model.json
    python3 -m kiln cost-model eval --log tuning_logs/a.jsonl --log tuning_logs/b.jsonl
    python3 -m kiln show tuning_logs/matmul.jsonl --trace
    python3 -m kiln plot tuning_logs/a.jsonl tuning_logs/b.jsonl -o curves.png
    python3 -m kiln bench --suite cpu --quick
    python3 -m kiln bench --suite cpu --trials 1000 --peer-trials 200
    python3 -m kiln target
    python3 -m kiln target "cuda -arch=sm_80" --json
"""

import argparse
import sys


class UsageError(Exception):
    """A mistake on the command line: printed as one line, exit status 2."""


def _parse_shape(pairs):
    shape = {}
    if isinstance(pairs, str):
        pairs = [p for p in pairs.split(",") if p]
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not value.lstrip("-").isdigit():
            raise UsageError(f"shape argument '{pair}' is not KEY=INTEGER (for example M=128)")
        shape[key] = int(value)
    return shape


def _cmd_workloads(args):
    from kiln import workloads

    rows = []
    for name in workloads.list():
        shape = workloads.default_shape(name)
        rows.append((name, ", ".join(f"{k}={v}" for k, v in shape.items())))
    width = max(len(r[0]) for r in rows)
    print(f"{'workload'.ljust(width)}  default shape")
    for name, shape in rows:
        print(f"{name.ljust(width)}  {shape}")
    return 0


def _cmd_script(args):
    from kiln import workloads

    name = args.workload or args.workload_flag
    if not name or (args.workload and args.workload_flag):
        raise UsageError("name one workload: `kiln script matmul M=64` or "
                         "`kiln script --workload matmul --shape M=64`")
    try:
        w = workloads.get(name, **{**_parse_shape(args.shape), **_parse_shape(args.shape_flag)})
    except ValueError as err:  # unknown workload or shape key
        raise UsageError(str(err)) from err
    print(w.func.script())
    return 0


def _cmd_fuzz(args):
    import sys as _sys

    from kiln import _ffi, workloads

    if args.workload and args.workload not in workloads.list():
        raise UsageError(f"unknown workload '{args.workload}'; see `kiln workloads`")
    if args.traces < 0 or args.steps < 1:
        raise UsageError("--traces must be >= 0 and --steps >= 1")
    if args.build:
        _target(args.build)
    try:
        report = _ffi.fuzz(args.traces, args.seed, args.workload or "", args.steps, args.build)
    except ValueError as err:  # a GPU target whose device is missing
        raise UsageError(str(err)) from err
    _sys.stdout.flush()
    print("traces per workload:")
    for name, count in report["traces_per_workload"].items():
        print(f"  {name:24} {count}")
    print("primitives applied (refused):")
    for name in sorted(set(report["applied"]) | set(report["refused"])):
        print(f"  {name:24} {report['applied'].get(name, 0):8} ({report['refused'].get(name, 0)})")
    if args.build and report["not_gpu_valid"]:
        print(f"skipped as not GPU-valid (a root loop nest left unbound): {report['not_gpu_valid']}")
    print(f"fuzz: {report['traces']} traces, {report['mismatches']} mismatches, {report['crashes']} crashes")
    return 0 if report["mismatches"] == 0 and report["crashes"] == 0 else 1


def _size(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << (shift - 3)) == 0:
            return f"{n / (1 << shift):g} {unit}"
    return f"{n} B"


def _describe_lines(d):
    rows = [("target", d["key"])]
    if d["kind"] == "llvm":
        source = {"host": "this machine", "preset": f"a preset for {d['cpu']}",
                  "default": f"typical values (no preset for {d['cpu']})"}[d["hardware_source"]]
        model = f" ({d['cpu_model_name']})" if d.get("cpu_model_name") else ""
        lanes = d["vector_bytes"] // 4
        rows += [
            ("hardware", source),
            ("cpu", f"{d['cpu']}{model}, {d['triple']}"),
            ("vectors", f"{d['vector_bytes']} bytes ({lanes} float32 lanes)"
                        + (", FMA" if d["has_fma"] else ", no FMA")),
        ]
        cores = f"parallel loops use {d['num_cores']} threads"
        if "physical_cores" in d:
            cores = (f"{d['physical_cores']} physical, {d['hardware_threads']} hardware threads; "
                     + cores)
        rows.append(("cores", cores))
        l3 = f"; L3 {_size(d['l3_cache_bytes'])}" if d["l3_cache_bytes"] else "; no L3"
        rows.append(("caches", f"L1d {_size(d['l1d_cache_bytes'])}, L2 {_size(d['l2_cache_bytes'])} "
                               f"per core{l3}; {d['cache_line_bytes']}-byte lines"))
        rows.append(("features", f"{len(d['features'])}: " + " ".join(d["features"])))
        return rows
    rows.append(("hardware", {"device": "the device present", "preset": "a preset"}[d["hardware_source"]]))
    if d["kind"] == "cuda":
        rows.append(("arch", f"{d['arch']} (compute capability {d['compute_capability']}), "
                             f"{d['sm_count']} SMs"))
    else:
        rows.append(("units", f"{d['sm_count']} compute units"))
    dims = " x ".join(str(x) for x in d["max_block_dims"])
    per_sm = f", {d['max_threads_per_sm']} per SM" if d["max_threads_per_sm"] else ""
    rows.append(("threads", f"{d['max_threads_per_block']} per block (dims {dims}){per_sm}, "
                            f"warp {d['warp_size']}"))
    rows.append(("shared", f"{_size(d['max_shared_memory_per_block'])} per block, "
                           f"{_size(d['max_shared_memory_per_sm'])} per SM"))
    if d["max_registers_per_block"]:
        rows.append(("registers", f"{d['max_registers_per_block']} per block, "
                                  f"{d['max_registers_per_sm']} per SM"))
    if d["l2_cache_bytes"]:
        rows.append(("L2", _size(d["l2_cache_bytes"])))
    rows.append(("tensor", ", ".join(d["tensor_core_instructions"]) or "none"))
    rows.append(("float16", "yes" if d["has_fp16"] else "no"))
    rows.append(("float64", "yes" if d["has_fp64"] else "no"))
    return rows


def _cmd_target(args):
    import json

    target = _target(args.describe or args.target)
    d = target.describe()
    if args.json:
        print(json.dumps(d, indent=2, sort_keys=True))
        return 0
    for name, value in _describe_lines(d):
        print(f"{name:10} {value}")
    return 0


def _target(text):
    """The target `text` names, or a UsageError saying why there is none."""
    from kiln import _ffi

    try:
        return _ffi.Target(text)
    except ValueError as err:
        raise UsageError(str(err)) from err


def _task_of(args, target):
    """The task --workload/--shape name, on `target`."""
    from kiln import workloads

    if args.workload not in workloads.list():
        raise UsageError(f"unknown workload '{args.workload}'; see `kiln workloads`")
    try:
        return workloads.get(args.workload, **_parse_shape(args.shape)).task(target)
    except ValueError as err:
        raise UsageError(str(err)) from err


def _tasks_of(args, target):
    """The tasks --network names, or the one of --workload/--shape."""
    from kiln import workloads

    if bool(args.network) == bool(args.workload):
        raise UsageError("give either --workload (with --shape) or --network")
    if not args.network:
        return [_task_of(args, target)]
    try:
        return workloads.network(args.network, target)
    except ValueError as err:
        raise UsageError(str(err)) from err


def _replay_network(args):
    """Rebuilds each operator's best kernel from the log; one line per task."""
    import kiln

    tasks = _tasks_of(args, _target(args.target))
    log = kiln.Database(args.log)  # read once, not once per task
    labels = [kiln.workloads.label(t.name, t.shape) for t in tasks]
    width = max(map(len, labels)) + 2
    print(f"{'task':{width}} {'weight':>6} {'best ms':>10} {'GFLOP/s':>9}  tuned for")
    total, missing = 0.0, 0
    for task, label in zip(tasks, labels):
        try:
            best = kiln.replay(log, task)
        except RuntimeError:
            missing += 1
            print(f"{label:{width}} {task.weight:>6g} {'-':>10} {'-':>9}  no record in the log")
            continue
        s = best.latency
        total += task.weight * s
        where = "this target" if best.record.target == str(task.target) else best.record.target
        print(f"{label:{width}} {task.weight:>6g} {s * 1e3:>10.4f} {task.flops / s * 1e-9:>9.1f}"
              f"  {where}")
    if missing:
        print(f"weighted sum: none, {missing} of {len(tasks)} tasks have no record in {args.log}; "
              f"tune them first (kiln tune --network {args.network} --log {args.log})")
        return 1
    print(f"weighted sum of the operators' latencies: {total * 1e3:.3f} ms")
    return 0


def _cmd_replay(args):
    import os

    import kiln
    from kiln import log_report

    if not os.path.exists(args.log):
        raise UsageError(f"no tuning log at '{args.log}'")
    if args.network:
        return _replay_network(args)
    task = _tasks_of(args, _target(args.target))[0]
    try:
        best = kiln.replay(args.log, task)
    except RuntimeError as err:
        raise UsageError(str(err)) from err
    print(log_report.schedule_program(task, best.record))
    return 0


def _cmd_show(args):
    from kiln import log_report

    try:
        logs = [(log, log_report.summarize(log, args.workload, args.target)) for log in args.logs]
    except log_report.LogError as err:
        raise UsageError(str(err)) from err
    for log, summaries in logs:
        print(f"log {log}: {sum(len(s.records) for s in summaries)} records")
        print(log_report.table(summaries))
        if args.trace or args.script:
            for s in summaries:
                print("\n" + log_report.best_programs(s, trace=args.trace, script=args.script))
        print()
    return 0


def _cmd_plot(args):
    try:
        from kiln import plot
    except ModuleNotFoundError as err:
        if not (err.name or "").startswith("matplotlib"):
            raise
        raise UsageError("drawing needs matplotlib: pip install matplotlib") from err
    from kiln import log_report

    try:
        fig = plot.tuning_curves(args.logs, args.output, args.workload, args.target)
    except log_report.LogError as err:
        raise UsageError(str(err)) from err
    except OSError as err:  # the PNG cannot be written there
        raise UsageError(f"cannot write '{args.output}': {err.strerror}") from err
    tasks, logs = len(fig.axes) // 2, len(args.logs)
    print(f"{args.output}: {tasks} task{'s' * (tasks > 1)}, {logs} log{'s' * (logs > 1)}")
    return 0


def _cmd_tune(args):
    import kiln
    from kiln.progress import duration

    if args.trials < 1:
        raise UsageError(f"--trials {args.trials}: the budget must be at least 1 trial")
    target = _target(args.target)
    tasks = _tasks_of(args, target)
    log = args.log or f"tuning_logs/{args.network or tasks[0].name}.jsonl"
    try:
        model, description = kiln.cost_model.make(args.cost_model, target, args.seed)
    except ValueError as err:
        raise UsageError(f"--cost-model: {err}") from err
    print(f"tuning {len(tasks)} task{'s' if len(tasks) > 1 else ''} on {target} for {args.trials} "
          f"trials (seed {args.seed}); log: {log}; cost model: {description}", flush=True)
    result = kiln.tune(tasks, target, trials=args.trials, log=log, seed=args.seed,
                       cost_model=model, measure_per_round=args.measure_per_round)
    labels = [kiln.workloads.label(t.name, t.shape) for t in result.tasks]
    width = max(map(len, labels)) + 2
    print(f"{'task':{width}} {'weight':>6} {'trials':>6} {'best ms':>10} {'GFLOP/s':>9}  search/build/run s")
    for label, task, r in zip(labels, result.tasks, result.results):
        gflops = task.flops / r.best_latency_s * 1e-9 if r.best_latency_s != float("inf") else 0
        print(f"{label:{width}} {task.weight:>6g} {r.trials:>6} {r.best_latency_s * 1e3:>10.4f} "
              f"{gflops:>9.1f}  {r.search_s:.0f}/{r.build_s:.0f}/{r.run_s:.0f}")
    unmeasured = sum(r.best_latency_s == float("inf") for r in result.results)
    if unmeasured:
        # A sum over part of the network would read as the network's latency.
        print(f"weighted sum of the operators' latencies: none yet, {unmeasured} of {len(tasks)} "
              f"tasks have no valid measurement; give more --trials (resuming from the log) "
              f"({duration(result.wall_s)})")
    elif len(tasks) > 1:
        print(f"weighted sum of the operators' latencies: {result.weighted_latency_s * 1e3:.3f} ms "
              f"({duration(result.wall_s)})")
    else:
        print(f"best: {result.best_latency_s * 1e3:.4f} ms in {duration(result.wall_s)}")
    return 0


def _cmd_cost_model_train(args):
    from kiln import cost_model

    try:
        _, info = cost_model.train(args.log, output=args.output, seed=args.seed, start=args.start)
    except (FileNotFoundError, ValueError) as err:
        raise UsageError(str(err)) from err
    skipped = f"; {info['skipped']} records skipped (their traces no longer apply)" \
        if info["skipped"] else ""
    print(f"trained on {info['programs']} programs of {info['tasks']} tasks{skipped}; "
          f"saved to {args.output}")
    return 0


def _metrics_row(name, m):
    # The name goes last: a task's name with its shape can be long.
    return (f"{m['pairwise_accuracy']:>9.3f} {m['top1']:>6.3f} {m['top5']:>6.3f} "
            f"{m['spearman']:>8.3f} {m['programs']:>8}  {name}")


def _cmd_cost_model_eval(args):
    import json

    from kiln import cost_model

    if not 0 < args.test_fraction < 1:
        raise UsageError(f"--test-fraction {args.test_fraction}: give a share between 0 and 1")
    try:
        report = cost_model.evaluate(args.log, kind=args.kind, start=args.start, seed=args.seed,
                                     test_fraction=args.test_fraction)
    except (FileNotFoundError, ValueError) as err:
        raise UsageError(str(err)) from err
    header = f"{'pairwise':>9} {'top-1':>6} {'top-5':>6} {'spearman':>8} {'programs':>8}  tasks"
    print(f"seen tasks: trained on {report['train_programs']} programs, judged on "
          f"{report['test_programs']} held out ({args.test_fraction:g} of each task)")
    print(header)
    print(_metrics_row("all seen tasks", report["seen_tasks"]))
    print("held-out tasks: each judged by a model trained on the other tasks")
    print(header)
    for task in report["held_out"]:
        print(_metrics_row(task["name"], task))
    print(_metrics_row("mean over tasks", report["held_out_tasks"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


def _cmd_demo(args):
    from kiln.demo import run

    if args.size < 1 or args.trials < 1:
        raise UsageError("--size and --trials must be at least 1")
    return run(size=args.size, trials=args.trials, log=args.log, seed=args.seed)


# --quick: three operators, budgets that finish in about a quarter of an hour
# on two cores with the peer.
QUICK_TRIALS = 64
QUICK_MIN_SECONDS = 0.5


def _cmd_bench(args):
    from kiln import bench

    quick = args.quick
    trials = args.trials if args.trials is not None else (QUICK_TRIALS if quick else 1000)
    peer_trials = args.peer_trials if args.peer_trials is not None else (
        min(trials, QUICK_TRIALS) if quick else 200)
    if trials < 1 or peer_trials < 1:
        raise UsageError("--trials and --peer-trials must be at least 1")
    if args.suite not in bench.SUITES:
        raise UsageError(f"unknown suite '{args.suite}'; there is: {', '.join(bench.SUITES)}")
    if not str(args.out).endswith(".md"):
        raise UsageError(f"--out {args.out}: give the page's path, ending in .md (the JSON "
                         "goes beside it)")
    if not bench.find_executable("bench_peak"):
        raise UsageError("the benchmark executables are not built here (bench_peak, "
                         "bench_ops_cpu): run from the repository after ./scripts/build.sh, or "
                         "set KILN_BENCH_DIR")
    settings = bench.Settings(
        operators=bench.quick_suite() if quick else bench.SUITES[args.suite](),
        trials=trials, peer_trials=peer_trials, quick=quick, peer=not args.no_peer,
        network="" if quick else bench.NETWORK, out=args.out, work_dir=args.logs,
        seed=args.seed, min_seconds=QUICK_MIN_SECONDS if quick else 1.0)
    results = bench.run(settings)
    print(f"\nkiln bench: {args.out} and {args.out[:-3]}.json written "
          f"({results['wall_s'] / 60:.1f} min)")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kiln", description="kiln: a tensor-program auto-tuner (define, schedule, run)."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("workloads", help="list the registered workloads and their default shapes")
    p.set_defaults(run=_cmd_workloads)

    p = sub.add_parser("script", help="print a workload's loop program in kiln's text form")
    p.add_argument("workload", nargs="?", default="", help="a name from `kiln workloads`")
    p.add_argument("shape", nargs="*", help="shape overrides, e.g. M=128 N=64")
    p.add_argument("--workload", dest="workload_flag", default="", help="the same as WORKLOAD")
    p.add_argument("--shape", dest="shape_flag", default="",
                   help="shape overrides as elsewhere, e.g. M=128,N=64")
    p.set_defaults(run=_cmd_script)

    p = sub.add_parser("fuzz", help="differential fuzzing of random schedules against the interpreter")
    p.add_argument("--traces", type=int, default=100, help="how many random traces (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first trace; trace i uses seed+i")
    p.add_argument("--workload", default="", help="fuzz only this workload (default: all, round robin)")
    p.add_argument("--steps", type=int, default=8, help="primitives tried per trace (default 8)")
    p.add_argument("--target", "--build", dest="build", default="", metavar="TARGET",
                   help="also compile each schedule for TARGET (llvm, opencl, cuda, ...) and "
                        "compare its outputs with the interpreter's; GPU targets get random GPU "
                        "schedules")
    p.set_defaults(run=_cmd_fuzz)

    p = sub.add_parser("target", help="what kiln knows of a target's hardware (default: this "
                                      "machine's CPU)")
    p.add_argument("target", nargs="?", default="llvm",
                   help='a target, e.g. "llvm", "llvm -mcpu=znver4", "cuda -arch=sm_90" '
                        '(default "llvm")')
    p.add_argument("--describe", metavar="TARGET", default="",
                   help="the same as giving TARGET")
    p.add_argument("--json", action="store_true", help="print the description as JSON")
    p.set_defaults(run=_cmd_target)

    p = sub.add_parser("tune", help="search for the fastest schedule of an operator or of a "
                                    "network's operators")
    p.add_argument("--workload", default="", help="a name from `kiln workloads`")
    p.add_argument("--shape", default="", help="shape, e.g. M=1024,N=1024,K=1024")
    p.add_argument("--network", default="", help="tune every operator of a network instead: "
                                                 "resnet18, resnet50, mobilenet_v2, bert_base_layer")
    p.add_argument("--target", default="llvm", help='what to tune for (default "llvm")')
    p.add_argument("--trials", type=int, default=1000, help="candidates to measure (default 1000)")
    p.add_argument("--log", default="", help="the tuning log (default tuning_logs/<name>.jsonl); "
                                             "an existing one is resumed")
    p.add_argument("--seed", type=int, default=0, help="fixes every choice of the search")
    p.add_argument("--measure-per-round", type=int, default=64,
                   help="candidates measured per round of the search (default 64)")
    p.add_argument("--cost-model", default="pretrained",
                   help="what ranks the candidates: pretrained (kiln's shipped model, learning on; "
                        "the default), xgboost (from scratch), random, or a model file from "
                        "`kiln cost-model train`")
    p.set_defaults(run=_cmd_tune)

    p = sub.add_parser("cost-model", help="train a cost model on tuning logs, or measure how well "
                                          "one ranks their programs")
    cm = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = cm.add_parser("train", help="train an XGBoost model on tuning logs and save it")
    q.add_argument("--log", action="append", required=True,
                   help="a tuning log (.jsonl or .jsonl.gz); repeat for several")
    q.add_argument("-o", "--output", required=True, help="where to save the model (JSON)")
    q.add_argument("--start", default=None, help="a saved model to start from (it keeps its trees)")
    q.add_argument("--seed", type=int, default=0)
    q.set_defaults(run=_cmd_cost_model_train)
    q = cm.add_parser("eval", help="pairwise accuracy, top-1/top-5 scores and Spearman "
                                   "correlation on held-out programs and held-out tasks")
    q.add_argument("--log", action="append", required=True,
                   help="a tuning log (.jsonl or .jsonl.gz); repeat for several (two tasks at "
                        "least)")
    q.add_argument("--kind", default="xgboost", choices=["xgboost", "random"],
                   help="the model to judge (default xgboost)")
    q.add_argument("--start", default=None,
                   help="judge a saved model that keeps learning (e.g. the pretrained one)")
    q.add_argument("--test-fraction", type=float, default=0.2,
                   help="share of each task's programs held out (default 0.2)")
    q.add_argument("--seed", type=int, default=0, help="fixes the split and the model")
    q.add_argument("--json", default="", help="also write the report as JSON here")
    q.set_defaults(run=_cmd_cost_model_eval)

    p = sub.add_parser("replay", help="rebuild the best kernel a tuning log holds and print its "
                                      "schedule and measured time")
    p.add_argument("--log", required=True, help="the tuning log (.jsonl or .jsonl.gz)")
    p.add_argument("--workload", default="", help="a name from `kiln workloads`")
    p.add_argument("--network", default="", help="rebuild every operator of a network instead")
    p.add_argument("--shape", default="", help="shape, e.g. M=1024,N=1024,K=1024 (defaults "
                                               "for the rest)")
    p.add_argument("--target", default="llvm", help='the target tuned for (default "llvm")')
    p.set_defaults(run=_cmd_replay)

    p = sub.add_parser("show", help="what tuning logs hold: per task and target, records, errors "
                                    "by kind, the best latency, GFLOP/s and share of the peak")
    p.add_argument("logs", nargs="+", metavar="LOG", help="tuning logs (.jsonl or .jsonl.gz)")
    p.add_argument("--workload", default="", help="only the tasks of this workload (or name)")
    p.add_argument("--target", default="",
                   help='only targets whose key has these words, e.g. "llvm -mcpu=znver3"')
    p.add_argument("--trace", action="store_true",
                   help="also print each best schedule as the Python program that rebuilds it")
    p.add_argument("--script", action="store_true",
                   help="also print each best scheduled function's loop program")
    p.set_defaults(run=_cmd_show)

    p = sub.add_parser("plot", help="draw tuning curves: best latency against trials and wall "
                                    "time, per task, several logs on one chart")
    p.add_argument("logs", nargs="+", metavar="LOG",
                   help="tuning logs (.jsonl or .jsonl.gz), or a results file of `kiln bench` "
                        "(bench/RESULTS.json: kiln's and MetaSchedule's curves)")
    p.add_argument("-o", "--output", default="curves.png", help="the PNG (default curves.png)")
    p.add_argument("--workload", default="", help="only the tasks of this workload (or name)")
    p.add_argument("--target", default="",
                   help='only targets whose key has these words, e.g. "llvm -mcpu=znver3"')
    p.set_defaults(run=_cmd_plot)

    p = sub.add_parser("bench", help="kiln against the vendor libraries (OpenBLAS, Eigen, oneDNN, "
                                     "NumPy) and TVM MetaSchedule, in one run; writes a results "
                                     "page and JSON")
    p.add_argument("--suite", default="cpu", help="the operators to run (default and only: cpu)")
    p.add_argument("--trials", type=int, default=None,
                   help=f"kiln's trials per operator (default 1000; {QUICK_TRIALS} with --quick)")
    p.add_argument("--peer-trials", type=int, default=None,
                   help="MetaSchedule's trials per operator (default 200; with --quick as many "
                        f"as kiln's, at most {QUICK_TRIALS})")
    p.add_argument("--quick", action="store_true",
                   help="three operators at small budgets: a refresh in about a quarter of an "
                        "hour on two cores")
    p.add_argument("--out", default="bench/RESULTS.md",
                   help="the results page (default bench/RESULTS.md); the JSON and the tuning "
                        "curves (PNG) go beside it")
    p.add_argument("--no-peer", action="store_true", help="leave MetaSchedule out")
    p.add_argument("--logs", default="", metavar="DIR",
                   help="where the tuning logs and raw outputs go (default: a new folder under "
                        "build/bench-runs)")
    p.add_argument("--seed", type=int, default=0, help="the tuners' seed")
    p.set_defaults(run=_cmd_bench)

    p = sub.add_parser("demo", help="the main job: tune a matmul for this CPU and time it beside "
                                    "the untransformed program and OpenBLAS")
    p.add_argument("--size", type=int, default=512, help="M = N = K (default 512)")
    p.add_argument("--trials", type=int, default=256, help="candidates to measure (default 256)")
    p.add_argument("--log", default="tuning_logs/demo_matmul.jsonl",
                   help="the tuning log (resumed when it exists)")
    p.add_argument("--seed", type=int, default=0, help="fixes every choice of the search")
    p.set_defaults(run=_cmd_demo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except UsageError as err:
        _error(args, err)
        return 2
    except BrokenPipeError:
        # The reader went (`kiln show LOG | head`): nothing more to say, and
        # Python's own flush at exit must not say it either.
        sys.stdout = None
        return 0
    except (RuntimeError, ValueError, OSError) as err:
        # kiln's own refusals (a target without its device, a log it cannot
        # write, a kernel that does not build) are for the user to act on,
        # like a usage error: what went wrong, not where in kiln's Python.
        _error(args, err)
        return 1
    except KeyboardInterrupt:
        resume = "; the log keeps every record measured so far: the same command resumes" \
            if args.command == "tune" else ""
        print(f"kiln {args.command}: interrupted{resume}", file=sys.stderr)
        return 130


def _error(args, err):
    text = " ".join(str(err).split()) or type(err).__name__
    print(f"kiln {args.command}: error: {text}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
