"""Rebuild ResNet-18's tuned operators from the log kiln ships
(tuning_logs/models/logs/resnet18.jsonl.gz, tuned on another machine's CPU),
without searching: each task's best trace is replayed on its function and
compiled for this CPU. kiln warns that the log was tuned for another target;
the kernels are right anywhere, and fast where the CPU is alike.

    python3 examples/python/replay_shipped_log.py
"""

import argparse
import os

import numpy as np

import kiln

HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED = os.path.join(HERE, "..", "..", "tuning_logs", "models", "logs", "resnet18.jsonl.gz")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", default=SHIPPED)
    args = parser.parse_args()

    target = kiln.Target("llvm")
    print(f"replaying {os.path.relpath(args.log)} on {target}")
    log = kiln.Database(args.log)  # read once for every task
    total_logged = total_now = 0.0
    for task in kiln.workloads.network("resnet18", target):
        best = kiln.replay(log, task)
        w = kiln.workloads.get(task.workload, **task.shape)
        arrays = w.random_args(seed=2)
        best.module(*arrays)
        np.testing.assert_allclose(arrays[-1], w.reference(arrays)[0], rtol=1e-3, atol=1e-3)
        now = best.module.time_evaluator(repeat=10)(*arrays).median  # the tuner's protocol
        total_logged += task.weight * best.latency
        total_now += task.weight * now
        print(f"{task.name:48} logged {best.latency * 1e3:8.4f} ms, here {now * 1e3:8.4f} ms")
    print(f"weighted sum: logged {total_logged * 1e3:.3f} ms, here {total_now * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
