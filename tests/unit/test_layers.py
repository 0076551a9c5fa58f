"""The package's layers, enforced: each layer imports only the layers below it.

base (``_constants``, ``_errors``, ``_kedro_compat``, ``_supported``)
→ ``_declaration`` → ``_expansion`` → ``_checks`` → ``_rerun`` | ``_deploy``
→ ``_runtime`` → ``_cli`` → ``__init__``.

Every import counts: at module level, inside functions and under
``TYPE_CHECKING``, so a type-only cycle is refused too. The core
(declaration, expansion, checks) imports neither ``kedro.framework`` nor
``click`` and keeps no process-wide mutable state.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kedro_dynamic_hooks

PACKAGE = Path(kedro_dynamic_hooks.__file__).parent
BASE = {"_constants", "_errors", "_kedro_compat", "_supported"}
RANKS = {
    **dict.fromkeys(BASE, 0),
    "_declaration": 1,
    "_expansion": 2,
    "_checks": 3,
    "_rerun": 4,
    "_deploy": 4,
    "_runtime": 5,
    "_cli": 6,
    "__init__": 7,
}
CORE = {"_declaration", "_expansion", "_checks"}
MUTABLE = {"dict", "list", "set", "WeakValueDictionary", "WeakKeyDictionary", "ContextVar"}


def sources() -> dict[str, str]:
    """Module name (``_expansion.plan``) -> its source, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)
        found[name] = path.read_text(encoding="utf-8")
    return found


def imports(name: str, source: str) -> list[tuple[str, int]]:
    """Every package module ``name`` imports (absolute or relative), with its line."""
    package = name.split(".") if name in SUBPACKAGES else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.startswith("kedro_dynamic_hooks"):
                target = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:  # `from .. import _kedro_compat` names a module
                joined = ".".join([*target, alias.name])
                found.append((joined if _exists(joined) else ".".join(target), node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kedro_dynamic_hooks."):
                    found.append((alias.name.split(".", 1)[1], node.lineno))
    return [(target, line) for target, line in found if target]


SUBPACKAGES = {"_declaration", "_expansion", "_checks", "_rerun", "_deploy", "_runtime", "_cli"}


def _exists(dotted: str) -> bool:
    path = PACKAGE.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def layer(module: str) -> str:
    top = module.split(".", maxsplit=1)[0]
    return top if top in RANKS else "__init__"


def violations(modules: dict[str, str]) -> list[str]:
    """Every import that goes up a layer or across to a sibling layer."""
    found = []
    for name, source in modules.items():
        here = layer(name)
        for target, line in imports(name, source):
            there = layer(target)
            if here == there:
                continue
            upward = RANKS[there] > RANKS[here]
            sibling = RANKS[there] == RANKS[here] and not {here, there} <= BASE
            if upward or sibling:
                found.append(f"{name}:{line} imports {target} ({here} may not import {there})")
    return found


def cycles(modules: dict[str, str]) -> list[list[str]]:
    """Import cycles between modules, type-only imports included."""
    graph = {
        n: {t for t, _ in imports(n, s) if t in modules and t != n} for n, s in modules.items()
    }
    found, done, stack = [], set(), []

    def visit(node: str) -> None:
        if node in stack:
            found.append([*stack[stack.index(node) :], node])
            return
        if node in done:
            return
        stack.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        stack.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
    return found


def test_every_layer_imports_only_layers_below_it():
    assert violations(sources()) == []


def test_no_import_cycle_not_even_a_type_only_one():
    assert cycles(sources()) == []


def test_the_layer_check_refuses_an_upward_and_a_sibling_import():
    planted = {
        "_expansion.plan": "from .._runtime.hook import DynamicPipelinesHook\n",
        "_rerun.status": "if TYPE_CHECKING:\n    from .._deploy.airflow import TaskGroup\n",
        "_checks.inputs": "from .._expansion.result import Expansion\nfrom . import catalog_index\n",
    }
    assert violations(planted) == [
        "_expansion.plan:1 imports _runtime.hook (_expansion may not import _runtime)",
        "_rerun.status:2 imports _deploy.airflow (_rerun may not import _deploy)",
    ]
    planted_cycle = {
        "_expansion.plan": "from . import build\n",
        "_expansion.build": "if TYPE_CHECKING:\n    from .plan import NamespacePlan\n",
    }
    assert cycles(planted_cycle) == [["_expansion.build", "_expansion.plan", "_expansion.build"]]


@pytest.mark.parametrize("module", sorted(n for n in sources() if layer(n) in CORE))
def test_the_core_needs_no_session_and_keeps_no_process_wide_state(module):
    tree = ast.parse(sources()[module])
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for imported in names:
                assert not imported.startswith(("kedro.framework", "click")), (module, imported)
    for node in tree.body:  # module level only: a function's locals are its own
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, (ast.Dict, ast.List, ast.Set)):
            pytest.fail(
                f"{module}:{node.lineno} keeps a mutable {type(value).__name__} at module level"
            )
        if isinstance(value, ast.Call):
            called = getattr(value.func, "id", None) or getattr(value.func, "attr", None)
            assert called not in MUTABLE, f"{module}:{node.lineno} keeps a mutable {called}"


def test_no_module_is_over_400_lines():
    long = {n: s.count("\n") for n, s in sources().items() if s.count("\n") > 400}
    assert long == {}
