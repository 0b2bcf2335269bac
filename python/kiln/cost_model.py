"""Cost models: what ranks the search's candidates so that only the most
promising are measured.

``"xgboost"`` learns from every measurement (features of each buffer store
of a program, gradient-boosted trees, a program's score the sum of its
stores' scores); ``"pretrained"`` is the same model starting from the one
kiln ships, trained on this project's own tuning logs
(``tuning_logs/models/``); ``"random"`` ranks at random (for ablations).

Example::

    import kiln
    model = kiln.cost_model.train(["tuning_logs/mm.jsonl"], output="mm_model.json")
    kiln.tune(func, trials=200, cost_model="mm_model.json")
    print(kiln.cost_model.evaluate(["a.jsonl", "b.jsonl"])["seen_tasks"])
"""

import os

from kiln import _ffi

__all__ = ["CostModel", "KINDS", "evaluate", "make", "pretrained_path", "train"]

CostModel = _ffi.CostModel

# What `make` and `kiln tune --cost-model` accept besides a model file.
KINDS = ("pretrained", "xgboost", "random")

_HERE = os.path.dirname(os.path.abspath(__file__))


def pretrained_path(target="llvm"):
    """The model kiln ships for the target's kind ("llvm" for CPUs), or
    None. An installed package has it beside this module; a source checkout
    in ``tuning_logs/models``.

    Example::

        path = kiln.cost_model.pretrained_path("llvm")    # ".../models/llvm.json"
    """
    kind = str(target).split()[0]
    for folder in (os.path.join(_HERE, "models"),
                   os.path.join(_HERE, os.pardir, os.pardir, "tuning_logs", "models")):
        path = os.path.normpath(os.path.join(folder, f"{kind}.json"))
        if os.path.isfile(path):
            return path
    return None


def make(spec="pretrained", target="llvm", seed=0):
    """A model from ``spec``: one of KINDS, a saved model's path, or a
    CostModel (returned as it is). Returns ``(model, description)``.
    "pretrained" is XGBoost from scratch where kiln ships no model for the
    target's kind; without XGBoost, "pretrained" and "xgboost" fall back to
    "random" (the description says so).

    Example::

        model, description = kiln.cost_model.make("pretrained", "llvm")
        print(description)    # "pretrained (.../llvm.json)"
    """
    if isinstance(spec, CostModel):
        return spec, spec.kind
    if spec in KINDS:
        if spec != "random" and not _ffi.have_xgboost():
            return CostModel("random", seed=seed), "random (this kiln was built without XGBoost)"
        if spec == "pretrained":
            path = pretrained_path(target)
            if path:
                return CostModel(start=path, seed=seed), f"pretrained ({path})"
            return CostModel("xgboost", seed=seed), "xgboost (no pretrained model for this target)"
        return CostModel(spec, seed=seed), spec
    if not os.path.isfile(str(spec)):
        raise ValueError(f"cost model {spec!r} is neither a file nor one of {', '.join(KINDS)}")
    return CostModel(start=str(spec), seed=seed), f"{spec}"


def _existing(logs):
    """The logs as paths, each checked to exist (.jsonl or .jsonl.gz)."""
    paths = [str(log) for log in logs]
    for path in paths:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no tuning log at {path}")
    return paths


def train(logs, output=None, seed=0, start=None):
    """An XGBoost model trained on every valid measurement of ``logs``
    (starting from the model saved at ``start``, if given), saved to
    ``output`` if given. Returns ``(model, info)``, info counting the
    programs and tasks learned from and the records skipped.

    Example::

        model, info = kiln.cost_model.train(["tuning_logs/mm.jsonl"], output="mm_model.json")
        print(info["programs"], "programs of", info["tasks"], "tasks")
    """
    model = CostModel(start=str(start), seed=seed) if start else CostModel("xgboost", seed=seed)
    info = model.train(_existing(logs))
    if info["programs"] == 0:
        raise ValueError("the logs hold no valid measurement to learn from: "
                         + ", ".join(str(x) for x in logs))
    if output:
        model.save(str(output))
    return model, info


def evaluate(logs, kind="xgboost", start=None, seed=0, test_fraction=0.2):
    """How well a model ranks the programs of ``logs``: trained on
    ``1 - test_fraction`` of each task's programs and judged on the rest
    ("seen_tasks"), and each task judged by a model trained on the others
    ("held_out_tasks", with "held_out" per task). Each has pairwise_accuracy,
    top1, top5 and spearman, averaged over tasks.

    Example::

        report = kiln.cost_model.evaluate(["tuning_logs/mm.jsonl", "tuning_logs/conv.jsonl"])
        print(report["seen_tasks"]["pairwise_accuracy"], report["held_out_tasks"]["top1"])
    """
    return _ffi.evaluate_cost_model(_existing(logs), kind=kind, start=str(start or ""), seed=seed,
                                    test_fraction=test_fraction)
