"""The shipped type stub (vsg_core_rs/vsg_core_rs.pyi) matches the real compiled module.

Every public name of the module must be declared in the stub and vice versa; functions and methods must
have the same parameter names in the same order; the installed package must carry the stub and py.typed.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import vsg_core_rs  # a missing extension must fail loudly, not skip

STUB = Path(__file__).resolve().parents[2] / "vsg_core_rs" / "vsg_core_rs.pyi"


def _params(fn: ast.FunctionDef) -> list[str]:
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args]
    if a.vararg:
        names.append("*" + a.vararg.arg)
    names += [x.arg for x in a.kwonlyargs]
    if a.kwarg:
        names.append("**" + a.kwarg.arg)
    return names


def _stub_tree() -> tuple[dict[str, list[str]], dict[str, dict[str, list[str] | None]], set[str]]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    funcs: dict[str, list[str]] = {}
    classes: dict[str, dict[str, list[str] | None]] = {}
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            funcs[node.name] = _params(node)
        elif isinstance(node, ast.ClassDef):
            members: dict[str, list[str] | None] = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members[item.name] = _params(item)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members[item.target.id] = None
                elif isinstance(item, ast.Assign):
                    for t in item.targets:
                        if isinstance(t, ast.Name):
                            members[t.id] = None
            classes[node.name] = members
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return funcs, classes, names


def _runtime_params(obj: object) -> list[str] | None:
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            out.append("*" + p.name)
        elif p.kind is p.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            out.append(p.name)
    return out


def _public(names: list[str]) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def test_stub_declares_exactly_the_module_names() -> None:
    funcs, classes, names = _stub_tree()
    declared = set(funcs) | set(classes) | {n for n in names if not n.startswith("_")}
    # the package re-exports its native submodule (also named vsg_core_rs); that is not API
    actual = {n for n in _public(dir(vsg_core_rs)) if not inspect.ismodule(getattr(vsg_core_rs, n))}
    assert actual - declared == set(), f"in the module but not in the stub: {sorted(actual - declared)}"
    assert declared - actual == set(), f"in the stub but not in the module: {sorted(declared - actual)}"
    assert "__version__" in names and isinstance(vsg_core_rs.__version__, str)


def test_function_signatures_match() -> None:
    funcs, _, _ = _stub_tree()
    for name, params in funcs.items():
        runtime = _runtime_params(getattr(vsg_core_rs, name))
        assert runtime is not None, f"{name}: the compiled function exposes no signature"
        assert runtime == params, f"{name}: stub parameters {params} != module parameters {runtime}"


def test_class_members_match() -> None:
    _, classes, _ = _stub_tree()
    for cname, members in classes.items():
        cls = getattr(vsg_core_rs, cname)
        actual = _public([n for n in dir(cls) if n not in dir(object)])
        declared = _public(list(members))
        missing = actual - declared
        assert not missing, f"{cname}: members missing from the stub: {sorted(missing)}"
        extra = declared - actual
        assert not extra, f"{cname}: stub declares members the class lacks: {sorted(extra)}"
        for mname, params in members.items():
            if params is None or mname.startswith("__"):
                continue
            runtime = _runtime_params(getattr(cls, mname))
            if runtime is None:  # properties have no signature
                continue
            if params and params[0] in ("self", "cls") and (not runtime or runtime[0] not in ("self", "cls")):
                params = params[1:]
            assert runtime == params, f"{cname}.{mname}: stub {params} != module {runtime}"


def test_installed_package_ships_stub_and_py_typed() -> None:
    pkg_dir = Path(vsg_core_rs.__file__).parent
    stubs = list(pkg_dir.glob("*.pyi"))
    assert stubs, f"no .pyi shipped next to {vsg_core_rs.__file__}"
    assert (pkg_dir / "py.typed").exists(), f"py.typed missing in {pkg_dir}"
