"""Every public function and class of kiln has a docstring with a short
example: what ``kiln.__all__`` and the ``__all__`` of each public submodule
(one whose name has no leading underscore and that defines ``__all__``)
name, the native classes among them included (their docstrings are in
python/src/bind_*.cc). An example is an ``Example::`` block (or
``Example (what it shows)::``) followed by indented code, as reST writes a
literal block."""

import importlib
import inspect
import pkgutil
import re

import kiln

EXAMPLE = re.compile(r"^\s*Example\b[^\n]*::[ \t]*\n(?:[ \t]*\n)*[ \t]+\S", re.MULTILINE)


def public_modules():
    modules = [kiln]
    for info in pkgutil.iter_modules(kiln.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"kiln.{info.name}")
        if hasattr(module, "__all__"):
            modules.append(module)
    return modules


def documented_objects():
    """(qualified name, object) of every function, class and module that a
    public __all__ names."""
    for module in public_modules():
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.ismodule(obj) or callable(obj):
                yield f"{module.__name__}.{name}", obj


def native_doc(obj):
    """A pybind11 function's docstring without the signature lines it
    prepends."""
    doc = inspect.getdoc(obj) or ""
    if inspect.isbuiltin(obj):
        doc = re.sub(r"^\w+\(.*\) -> .*\n", "", doc)
    return doc.strip()


def test_the_public_modules_are_found():
    names = {m.__name__ for m in public_modules()}
    assert {"kiln", "kiln.te", "kiln.nd", "kiln.workloads", "kiln.cost_model",
            "kiln.measurement", "kiln.tuning"} <= names


def test_every_public_function_and_class_has_a_docstring_with_an_example():
    missing, no_example = [], []
    for name, obj in documented_objects():
        doc = native_doc(obj)
        if not doc:
            missing.append(name)
        elif not EXAMPLE.search(doc):
            no_example.append(name)
    assert not missing, (
        "no docstring: " + ", ".join(missing) + ". Add one that says what it does and shows it "
        "in an `Example::` block (native classes and functions: the doc argument of py::class_ "
        "or .def in python/src/bind_*.cc)")
    assert not no_example, (
        "a docstring without an `Example::` block: " + ", ".join(no_example) + ". Add a short, "
        "true example under a line `Example::`, indented")


def test_the_example_pattern():
    assert EXAMPLE.search("Does x.\n\nExample::\n\n    x = 1\n")
    assert EXAMPLE.search("Does x.\n\nExample (zero padding)::\n\n    x = 1\n")
    assert not EXAMPLE.search("Does x. Example: ``x = 1``.")
    assert not EXAMPLE.search("Does x.\n\nExample::\n\nno code")
