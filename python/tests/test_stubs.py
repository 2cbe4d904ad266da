"""The hand-written stubs (cmgems/_cmgems.pyi) against the built extension: every class,
function, method and property of the module is in the stubs with the same parameters
(names, kinds, defaults, read off the `__text_signature__` pyo3 writes), and nothing in
the stubs is missing from the module."""

import ast
import copy
import inspect
import sys

import pytest

from cmgems import _cmgems
from conftest import REPO

STUBS = REPO / "python" / "cmgems" / "_cmgems.pyi"
UNKNOWN = object()  # a default the text signature does not spell (pyo3 writes `...`)


def params(sig: inspect.Signature):
    """(name, kind, default) of each parameter; `*args`/`**kwargs` by kind alone."""
    out = []
    for p in sig.parameters.values():
        var = p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        default = p.default
        if default is Ellipsis:
            default = UNKNOWN
        out.append(("*" if var else p.name, p.kind, default))
    return out


def from_text_signature(text: str, self_name=None):
    # "($self, a, b=1, *, c=None)" -> the signature of an equivalent lambda.
    args = text[1:-1].replace("$self", "self").replace("$type", "cls")
    sig = params(inspect.signature(eval(f"lambda {args}: None")))  # noqa: S307 (our module's text)
    if self_name and (not sig or sig[0][0] != "self"):
        sig = [("self", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty)] + sig
    return sig


def from_stub(node: ast.FunctionDef):
    # The stub's def as source, annotations and decorators dropped, run, then read.
    node = copy.deepcopy(node)
    node.body, node.decorator_list, node.returns = [ast.Pass()], [], None
    a = node.args
    for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]:
        if arg is not None:
            arg.annotation = None
    code = ast.unparse(node)
    scope = {}
    exec(code, scope)  # noqa: S102 (the repository's own stub file)
    return params(inspect.signature(scope[node.name]))


def same(runtime, stub):
    """Equal where both spell the default; a default pyo3 cannot spell need only exist."""
    if len(runtime) != len(stub):
        return False
    for (rn, rk, rd), (sn, sk, sd) in zip(runtime, stub):
        if rn != sn or rk != sk:
            return False
        if (rd is inspect.Parameter.empty) != (sd is inspect.Parameter.empty):
            return False
        if rd is not UNKNOWN and sd is not UNKNOWN and rd != sd:
            return False
    return True


def show(sig) -> str:
    kinds = {inspect.Parameter.KEYWORD_ONLY: "kw-only ", inspect.Parameter.POSITIONAL_ONLY: "pos-only "}
    out = []
    for name, kind, default in sig:
        d = "" if default is inspect.Parameter.empty else "=..." if default is UNKNOWN else f"={default!r}"
        out.append(f"{kinds.get(kind, '')}{name}{d}")
    return "(" + ", ".join(out) + ")"


def decorators(node):
    return {d.id for d in node.decorator_list if isinstance(d, ast.Name)}


def stub_tree():
    return ast.parse(STUBS.read_text())


def is_typing_only(node: ast.ClassDef) -> bool:
    # A TypedDict describes a dict the module returns; it is no class of the module.
    return any(isinstance(b, ast.Name) and b.id == "TypedDict" for b in node.bases)


def stub_members(cls_node: ast.ClassDef):
    """name -> ("method" | "staticmethod" | "property", signature or None)."""
    out = {}
    for n in cls_node.body:
        if isinstance(n, ast.FunctionDef):
            d = decorators(n)
            kind = "property" if "property" in d else "staticmethod" if "staticmethod" in d else "method"
            out[n.name] = (kind, None if kind == "property" else from_stub(n))
    return out


def runtime_members(cls: type):
    out = {}
    for name, v in vars(cls).items():
        if name in ("__new__", "__doc__", "__module__") or (name.startswith("__") and hasattr(object, name)):
            continue  # object's own (repr, hash...): typed by object's stub
        if isinstance(v, staticmethod):
            out[name] = ("staticmethod", from_text_signature(getattr(cls, name).__text_signature__))
        elif inspect.isgetsetdescriptor(v) or isinstance(v, property):
            out[name] = ("property", None)
        else:
            out[name] = ("method", from_text_signature(v.__text_signature__, self_name="self"))
    if cls.__text_signature__ is not None:  # a #[new]: the stub types it as __init__
        out["__init__"] = ("method", from_text_signature(cls.__text_signature__, self_name="self"))
    return out


def public_names(module):
    return {n for n in vars(module) if not n.startswith("_")} | {"__version__"}


def stub_module_names(tree):
    names = {}
    for n in tree.body:
        if isinstance(n, ast.ClassDef) and not is_typing_only(n):
            names[n.name] = n
        elif isinstance(n, ast.FunctionDef):
            names[n.name] = n
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            names[n.target.id] = n
    return {k: v for k, v in names.items() if not k.startswith("_") or k == "__version__"}


def test_the_stubs_name_exactly_what_the_module_has():
    stubbed = stub_module_names(stub_tree())
    assert set(stubbed) == public_names(_cmgems), (
        f"only in the module: {sorted(public_names(_cmgems) - set(stubbed))}; "
        f"only in {STUBS.name}: {sorted(set(stubbed) - public_names(_cmgems))}"
    )


def test_module_attributes_and_functions_match():
    for name, node in stub_module_names(stub_tree()).items():
        value = getattr(_cmgems, name)
        if isinstance(node, ast.AnnAssign):
            assert type(value).__name__ == ast.unparse(node.annotation), name
        elif isinstance(node, ast.FunctionDef):
            sig, ssig = from_text_signature(value.__text_signature__), from_stub(node)
            assert same(sig, ssig), f"{name}: module {show(sig)}, stubs {show(ssig)}"


def stub_classes():
    return [n for n in stub_module_names(stub_tree()).values() if isinstance(n, ast.ClassDef)]


@pytest.mark.parametrize("name", sorted(n for n in public_names(_cmgems) if isinstance(getattr(_cmgems, n), type)))
def test_class_members_match(name):
    node = next((n for n in stub_classes() if n.name == name), None)
    assert node is not None, f"{name} is not in {STUBS.name}"
    runtime, stub = runtime_members(getattr(_cmgems, name)), stub_members(node)
    if sys.version_info < (3, 10):
        # pyo3 gives a class no __text_signature__ under abi3 before CPython 3.10: the
        # constructors are compared on the newer ones.
        stub.pop("__init__", None)
    assert set(runtime) == set(stub), (
        f"{name}: only in the module: {sorted(set(runtime) - set(stub))}; "
        f"only in {STUBS.name}: {sorted(set(stub) - set(runtime))}"
    )
    for member, (kind, sig) in runtime.items():
        skind, ssig = stub[member]
        assert kind == skind, f"{name}.{member} is a {kind} in the module, a {skind} in the stubs"
        assert sig is None or same(sig, ssig), f"{name}.{member}: module {show(sig)}, stubs {show(ssig)}"
