"""The public boundary: what users may import, and nothing more."""

from __future__ import annotations

import pkgutil
from importlib.metadata import entry_points, version

import kedro_dynamic_hooks

PUBLIC = {
    "ChainSpec",
    "CollectSpec",
    "CollisionError",
    "Declaration",
    "DeclarationError",
    "DynamicPipelinesError",
    "DynamicPipelinesHook",
    "MatrixSpec",
    "NamespaceSpec",
    "ProjectError",
    "SelectionError",
    "VariantSpec",
    "__version__",
    "find_dynamic_pipelines",
    "selecting",
    "variant_batches",
}


def test_all_names_exactly_the_public_api():
    assert set(kedro_dynamic_hooks.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(kedro_dynamic_hooks, name) is not None


def test_every_submodule_is_private():
    modules = [m.name for m in pkgutil.iter_modules(kedro_dynamic_hooks.__path__)]
    assert modules and all(name.startswith("_") for name in modules), modules


def test_version_comes_from_the_installed_distribution():
    assert kedro_dynamic_hooks.__version__ == version("kedro-dynamic-hooks")


def test_spec_models_are_what_a_declaration_returns():
    declaration = kedro_dynamic_hooks.Declaration.model_validate(
        {"ns": {"pipelines": ["t"], "variants": {"a": {}}}}
    )
    spec = declaration.namespaces["ns"]
    assert isinstance(spec, kedro_dynamic_hooks.NamespaceSpec)
    assert isinstance(spec.variants["a"], kedro_dynamic_hooks.VariantSpec)


def test_activation_is_explicit_no_hook_entry_point():
    # The hook is added in settings.py on purpose; installing the package must
    # not change other projects' runs.
    assert not [ep for ep in entry_points(group="kedro.hooks") if "kedro_dynamic_hooks" in ep.value]
    commands = [ep for ep in entry_points(group="kedro.project_commands") if ep.name == "dynamic"]
    assert [ep.value for ep in commands] == ["kedro_dynamic_hooks._cli:commands"]
