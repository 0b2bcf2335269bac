"""The type stubs of the native module kiln._ffi (python/kiln/_ffi/*.pyi,
shipped in the package beside py.typed) name exactly what the module
exports: the public names of the module and of its submodules, and the
attributes of each class. A binding added without its stub fails here, as
does a stub left behind by a removed binding. The bindings name their
arguments (py::arg), so that the stubs and help() show names, not arg0."""

import ast
import inspect
import os
import re
import types

import pytest

import kiln
from kiln import _ffi

PACKAGE = os.path.dirname(kiln.__file__)
FIX = ("regenerate the stubs: rebuild (scripts/build.sh), run `python3 scripts/generate_stubs.py` "
       "(pip install pybind11-stubgen), and rebuild to install them")

# What pybind11 and Python put in every class's namespace.
CLASS_BOILERPLATE = {"__dict__", "__doc__", "__module__", "__weakref__", "_pybind11_conduit_v1_"}


def native_modules():
    subs = [v for v in vars(_ffi).values()
            if isinstance(v, types.ModuleType) and v.__name__.startswith("kiln._ffi.")]
    return [_ffi, *sorted(subs, key=lambda m: m.__name__)]


def stub_file(module):
    parts = module.__name__.split(".")[2:]  # kiln._ffi[.te]
    return os.path.join(PACKAGE, "_ffi", *(parts or ["__init__"])) + ".pyi"


def stub_tree(module):
    path = stub_file(module)
    assert os.path.isfile(path), f"no stub for {module.__name__} at {path}; {FIX}"
    with open(path) as f:
        return ast.parse(f.read(), path)


def defined_names(body):
    """name -> node for what a module or class body of a stub defines."""
    names = {}
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
        elif isinstance(node, ast.ImportFrom) and node.level == 1:  # from . import te
            for alias in node.names:
                names[alias.asname or alias.name] = node
    return names


def public(names):
    return {n for n in names if not n.startswith("_")}


def is_default_init(name, value):
    """The __init__ pybind11 gives a class without a constructor (it raises
    TypeError); stubs leave it out."""
    return name == "__init__" and isinstance(value, types.WrapperDescriptorType)


def mismatch(what, runtime, stub):
    lines = []
    if runtime - stub:
        lines.append(f"{what}: the module has, the stub lacks: {', '.join(sorted(runtime - stub))}")
    if stub - runtime:
        lines.append(f"{what}: the stub has, the module lacks: {', '.join(sorted(stub - runtime))}")
    return lines


@pytest.mark.parametrize("module", native_modules(), ids=lambda m: m.__name__)
def test_the_stub_names_what_the_module_exports(module):
    stub = defined_names(stub_tree(module).body)
    problems = mismatch(module.__name__, public(dir(module)), public(stub))
    for name in sorted(public(dir(module)) & public(stub)):
        cls = getattr(module, name)
        if not inspect.isclass(cls):
            continue
        assert isinstance(stub[name], ast.ClassDef), f"{module.__name__}.{name} is a class; {FIX}"
        runtime_members = {n for n, v in vars(cls).items()
                           if n not in CLASS_BOILERPLATE and not is_default_init(n, v)}
        stub_members = set(defined_names(stub[name].body)) - CLASS_BOILERPLATE
        problems += mismatch(f"{module.__name__}.{name}", runtime_members, stub_members)
    assert not problems, "\n".join(problems) + f"\n{FIX}"


def test_the_package_ships_the_stubs_and_py_typed():
    assert os.path.isfile(os.path.join(PACKAGE, "py.typed")), (
        f"no py.typed in the installed package ({PACKAGE}): type checkers ignore its types; "
        "it belongs in python/kiln/")
    for module in native_modules():
        assert os.path.isfile(stub_file(module)), f"the installed package lacks {stub_file(module)}"


def native_callables():
    for module in native_modules():
        for name, obj in vars(module).items():
            if inspect.isbuiltin(obj):
                yield f"{module.__name__}.{name}", obj
            elif inspect.isclass(obj):
                for member_name, member in vars(obj).items():
                    if isinstance(member, staticmethod):
                        member = member.__func__
                    if inspect.isbuiltin(member) or type(member).__name__ == "instancemethod":
                        yield f"{module.__name__}.{name}.{member_name}", member


def test_bindings_name_their_arguments():
    unnamed = [name for name, f in native_callables()
               if re.search(r"\barg\d+\b", getattr(f, "__doc__", None) or "")]
    assert not unnamed, (
        "arguments without names (arg0, arg1...) in " + ", ".join(unnamed) +
        ": give each a py::arg(\"name\") in python/src/bind_*.cc")
