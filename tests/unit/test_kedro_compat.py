"""The private Kedro names we use: each in one module, each checked on this Kedro."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest
from helpers import ROOT
from kedro.config import OmegaConfigLoader
from kedro.framework.context import KedroContext
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession
from kedro.io import DataCatalog
from kedro.pipeline import Pipeline, node
from kedro.pipeline.node import Node

from kedro_dynamic_hooks import _kedro_compat as compat
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand


def test_the_fast_node_copy_is_the_path_taken(templates, reference, monkeypatch):
    assert compat.FAST_NODE_COPY, "Kedro's Node layout changed: see _kedro_compat.NODE_FIELDS"

    def refuse(*args, **kwargs):
        raise AssertionError("Node._copy was called: the fast path was not taken")

    monkeypatch.setattr(Node, "_copy", refuse)
    expansion = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    assert len(expansion.nodes) == 30


def test_a_plain_node_with_unknown_fields_warns_and_falls_back():
    template = node(lambda x: x, "a", "b", name="n")
    template.__dict__["_kedro_2_field"] = 1  # what a newer Kedro might store
    compat._warn_unknown_fields.cache_clear()
    with pytest.warns(compat.KedroCompatWarning, match=r"\['_kedro_2_field'\].*Node._copy"):
        copy = compat.copy_node(
            template, inputs="ns.a", outputs="ns.b", confirms=None, namespace="ns", tags={"t"}
        )
    assert (copy.inputs, copy.outputs, copy.namespace) == (["ns.a"], ["ns.b"], "ns")


def test_an_unknown_node_layout_is_reported_at_import(monkeypatch):
    monkeypatch.setattr(compat, "NODE_FIELDS", compat.NODE_FIELDS - {"_preview_fn"})
    with pytest.warns(compat.KedroCompatWarning, match="stores node fields .* Node._copy"):
        assert compat._probe() is False


def test_a_node_subclass_takes_kedros_copy_silently():
    class Sub(Node):
        pass

    sub = Sub(lambda x: x, "a", "b", name="n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copy = compat.copy_node(
            sub, inputs="ns.a", outputs="ns.b", confirms=None, namespace="ns", tags=set()
        )
    assert copy.name == "ns.n" and copy.inputs == ["ns.a"]


def test_requesting_puts_the_registry_request_back():
    saved = compat.requested_pipelines()
    with compat.requesting(["a", "b"]):
        assert compat.requested_pipelines() == ["a", "b"]
    assert compat.requested_pipelines() == saved


def test_split_params_parses_like_kedro_run():
    parsed = compat.split_params(None, None, "ns.v.model_options.test_size=0.3,seed=4")
    assert parsed == {"ns": {"v": {"model_options": {"test_size": 0.3}}}, "seed": 4}


# --- Every private Kedro name is used in exactly one module -------------------


def _kedro_private_names() -> set[str]:
    classes = [
        Node,
        Pipeline,
        KedroSession,
        KedroContext,
        OmegaConfigLoader,
        DataCatalog,
        type(pipelines),
    ]
    names = {name for cls in classes for name in dir(cls)}
    names |= set(vars(node(lambda x: x, "a", "b", name="n")))
    names |= set(vars(pipelines))
    return {n for n in names if n.startswith("_") and not n.startswith("__")} - {"_abc_impl"}


def _private_uses(path: Path, private: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: set[str] = set()
    for item in ast.walk(tree):
        if isinstance(item, ast.ImportFrom) and (item.module or "").split(".")[0] == "kedro":
            used |= {a.name for a in item.names if a.name.startswith("_")}
        elif isinstance(item, ast.Attribute) and item.attr in private:
            if not (isinstance(item.value, ast.Name) and item.value.id in {"self", "cls"}):
                used.add(item.attr)
        elif isinstance(item, ast.Constant) and item.value in private:
            used.add(item.value)  # getattr(pipelines, "_requested_pipelines")
    return used


def test_compiled_patterns_are_the_matcher_kedros_resolver_calls():
    # Kedro resolves dataset factories with parse(pattern, name); if it ever
    # stops, the compiled path must be looked at again.
    import parse
    from kedro.io import catalog_config_resolver

    assert catalog_config_resolver.parse is parse.parse
    pattern, name = "{namespace}.{variant}.{name}", "ns.v1.metrics"
    assert compat.compile_pattern(pattern).parse(name).named == parse.parse(pattern, name).named
    assert compat.compile_pattern("{a}.x").parse("nope") is None


def test_every_private_kedro_name_is_used_in_exactly_one_module():
    private = _kedro_private_names()
    files = [
        *sorted((ROOT / "kedro_dynamic_hooks").rglob("*.py")),  # the subpackages too
        *sorted((ROOT / "tests").rglob("*.py")),  # every folder of the tests
        *sorted((ROOT / "benchmarks").glob("*.py")),
    ]
    where: dict[str, set[str]] = {}
    for path in files:
        if path.name == Path(__file__).name:
            continue  # this test names them to look for them
        for name in _private_uses(path, private):
            where.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    assert where, "the scan found nothing: it no longer sees _kedro_compat.py"
    assert {m for modules in where.values() for m in modules} <= {
        "kedro_dynamic_hooks/_kedro_compat.py",
        "tests/helpers.py",
    }, where
    assert all(len(modules) == 1 for modules in where.values()), where


def test_the_limits_page_lists_every_private_name_of_the_package():
    private = _kedro_private_names()
    used = _private_uses(ROOT / "kedro_dynamic_hooks" / "_kedro_compat.py", private)
    limits = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    missing = [n for n in sorted(used) if not re.search(rf"[`.]{n}\b", limits)]
    assert used and not missing, missing


def test_unsupported_kedro_versions_are_refused_with_the_fix():
    from kedro_dynamic_hooks._supported import check

    for version in ("1.3.0", "1.7.0", "1.12.1rc1"):
        check(version)
    for version in ("0.19.15", "1.2.0", "2.0.0"):
        with pytest.raises(
            ImportError, match=rf"Kedro {version} is installed\. Run: pip install 'kedro>=1\.3,<2'"
        ):
            check(version)
