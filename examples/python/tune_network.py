"""Tune every operator of a network under one trial budget (the task
scheduler gives the budget to the operators that gain the most), then
rebuild each operator's best kernel from the log and check it against
NumPy.

    python3 examples/python/tune_network.py --network resnet18 --trials 2000
"""

import argparse

import numpy as np

import kiln


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="resnet18", choices=kiln.workloads.networks())
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--measure-per-round", type=int, default=64)
    parser.add_argument("--log", default="")
    args = parser.parse_args()
    log = args.log or f"tuning_logs/example_{args.network}.jsonl"

    tasks = kiln.workloads.network(args.network, "llvm")
    result = kiln.tune(tasks, trials=args.trials, log=log,
                       measure_per_round=args.measure_per_round)

    for i, (task, r) in enumerate(zip(result.tasks, result.results)):
        if r.best_latency_s == float("inf"):
            print(f"{task.name:48} no valid program yet: give more --trials")
            continue
        w = kiln.workloads.get(task.workload, **task.shape)
        args_ = w.random_args(seed=1)
        result.build(i)(*args_)
        np.testing.assert_allclose(args_[-1], w.reference(args_)[0], rtol=1e-3, atol=1e-3)
        print(f"{task.name:48} x{task.weight:<3g} {r.best_latency_s * 1e3:9.4f} ms  checked")
    if all(r.best_latency_s != float("inf") for r in result.results):
        print(f"{args.network}: weighted sum {result.weighted_latency_s * 1e3:.3f} ms "
              f"(log: {log})")


if __name__ == "__main__":
    main()
