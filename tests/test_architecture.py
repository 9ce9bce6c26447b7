"""The layout of ARCHITECTURE.md, kept true: stage order, module and function sizes, docstrings."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "toolkit"
MAX_MODULE_LINES = 1000
MAX_FUNCTION_LINES = 120


def _stage_order() -> tuple[dict[str, int], set[str]]:
    """Stages with their rank, and the cross-cutting modules, as ARCHITECTURE.md lists them."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    cross_part = text.split("## Cross-cutting", 1)[1].split("## Stages", 1)[0]
    stage_part = text.split("## Stages", 1)[1].split("## Where", 1)[0]
    cross = set(re.findall(r"^\| `(\w+)` \|", cross_part, re.M))
    stages = {name: int(rank) for rank, name in re.findall(r"^\| (\d+) \| `(\w+)` \|",
                                                          stage_part, re.M)}
    return stages, cross


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _top(module_path: Path) -> str:
    """The stage (first part below ``toolkit``) of a file: toolkit/keywords/kwic.py -> keywords."""
    rel = module_path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def _imported_stages(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "toolkit":
                out.update(a.name for a in node.names)
            elif node.module.startswith("toolkit."):
                out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("toolkit."))
    return out


def test_architecture_lists_every_module():
    stages, cross = _stage_order()
    assert stages and cross
    assert sorted(stages.values()) == list(range(1, len(stages) + 1))
    tops = {_top(p) for p in _modules()} - {"__init__", "__main__"}
    missing = sorted(tops - set(stages) - cross)
    assert not missing, f"Add {missing} to ARCHITECTURE.md (a stage or a cross-cutting module)."


def test_no_stage_imports_a_later_stage():
    stages, cross = _stage_order()
    stages = {**stages, "__main__": stages["cli"]}
    bad = []
    for path in _modules():
        top = _top(path)
        if top == "__init__":
            continue
        for target in _imported_stages(path) - {top, "__version__"}:
            if top in cross and target in stages:
                bad.append(f"{path.relative_to(ROOT)} (cross-cutting) imports stage {target}")
            elif top in stages and target in stages and stages[target] > stages[top]:
                bad.append(f"{path.relative_to(ROOT)} ({top}) imports later stage {target}")
    assert not bad, "\n".join(bad)


def test_no_module_over_the_limit():
    big = [f"{p.relative_to(ROOT)}: {n}" for p in _modules()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not big, f"Split these by job (over {MAX_MODULE_LINES} lines): {big}"


def _function_lengths(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            start = body[0].lineno
            if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                start = body[1].lineno if len(body) > 1 else body[0].end_lineno
            yield node.name, node.lineno, node.end_lineno - start + 1


def test_no_function_over_the_limit():
    long = [f"{p.relative_to(ROOT)}:{line} {name} ({n} lines)"
            for p in _modules() for name, line, n in _function_lengths(p)
            if n > MAX_FUNCTION_LINES]
    assert not long, "Split into named steps:\n" + "\n".join(long)


def _public_modules() -> list[str]:
    names = []
    for p in _modules():
        rel = p.relative_to(ROOT).with_suffix("")
        parts = [x for x in rel.parts if x != "__init__"]
        if any(x.startswith("_") for x in parts[1:]) or parts[-1] in ("cli", "__main__"):
            continue
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize("module_name", _public_modules())
def test_public_functions_have_parameters_and_returns(module_name):
    module = importlib.import_module(module_name)
    lacking = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name, None)
        if not inspect.isfunction(obj) or obj.__module__ != module.__name__:
            continue  # classes, constants and re-exports are checked where they are defined
        doc = inspect.getdoc(obj) or ""
        need = ["Returns"] + (["Parameters"] if inspect.signature(obj).parameters else [])
        missing = [s for s in need if not re.search(rf"^{s}\n-+$", doc, re.M)]
        if missing:
            lacking.append(f"{name}: no {', '.join(missing)}")
    assert not lacking, f"{module_name}: " + "; ".join(lacking)
