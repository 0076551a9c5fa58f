"""Declaration -> namespaced pipelines, parameters and catalog entries.

This is the pure core: no session, no config loader, no registry. Each
namespace goes through three steps, each its own module:

1. check: the schema (``_declaration/schema.py``) validated what the declaration alone
   can tell;
2. plan (``plan.py``): checked against the templates and the parameters,
   with every dataset name and parameter decided;
3. build (``build.py``): nodes copied, pipelines made.

:func:`expand` runs them and adds the checks across namespaces. The hook, the
CLI and the ``register_pipelines`` helper all reach it through one service,
``_runtime/service.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._constants import DEFAULT_KEY
from .._declaration.merge import deep_merge
from .._declaration.names import split_name
from .._declaration.schema import Declaration
from .._errors import DeclarationError
from .build import DeclaredDatasets, build_namespace, declared_scope
from .neighbours import Neighbours
from .nodes import base_name
from .parameters import check_runtime_targets
from .plan import plan_namespace
from .result import Expansion
from .selection import Needed


def expand(
    declaration: Declaration,
    templates: Mapping[str, Pipeline],
    parameters: Mapping[str, Any],
    *,
    runtime_params: Mapping[str, Any] | None = None,
    key: str = DEFAULT_KEY,
    source: str | None = None,
    only: Needed | None = None,
    file_parameters: Mapping[str, Any] | None = None,
    neighbours: Neighbours | None = None,
) -> Expansion:
    """Expand a declaration.

    Args:
        declaration: The validated ``dynamic_pipelines`` section.
        templates: The registered pipelines, by name.
        parameters: The project's parameters as loaded (runtime params included).
        runtime_params: The ``--params`` given for this run; re-applied last so
            they win over the declaration.
        key: The declaration's top-level key in ``parameters``.
        source: The parameters file(s), for error messages.
        only: Build just these namespaces and variants (see ``selection.py``);
            every namespace is still checked. ``None`` builds everything.
        file_parameters: The parameters as the files alone give them, when
            root-level ``--params`` were given: overrides are checked against them.
        neighbours: The registry around the templates that ``only`` was decided
            with; kept on a partial expansion for the check before the run.

    Returns:
        The expansion.

    Raises:
        DeclarationError: When the declaration cannot be expanded safely.
    """
    runtime = dict(runtime_params or {})
    namespaces = declaration.namespaces
    for name in namespaces:
        # `--params ns.v.x=1` puts `ns` into the loaded parameters too; only a key
        # the files define (beyond what --params gave) clashes.
        if name in parameters and _beyond(parameters[name], runtime.get(name)):
            raise DeclarationError(
                f"namespace '{name}' has the same name as a top-level parameter; the "
                "namespace's parameters would replace it. Rename one of them.",
                path=f"{key}.{name}",
                source=source,
            )
    base = {k: v for k, v in parameters.items() if k != key and k not in namespaces}
    checked_against = None
    if file_parameters is not None:
        checked_against = {
            k: v for k, v in file_parameters.items() if k != key and k not in namespaces
        }
    plans = [
        plan_namespace(
            name, spec, templates, base, key=key, source=source, checked_against=checked_against
        )
        for name, spec in namespaces.items()
    ]
    built = {
        plan.name: build_namespace(plan, None if only is None else only[plan.name])
        for plan in plans
        if only is None or plan.name in only
    }
    _check_writers_across_namespaces(
        (node for ns in built.values() for node in ns.nodes), key=key, source=source
    )
    # --params are checked against every variant, built or not.
    runtime_added = check_runtime_targets(
        runtime,
        {plan.name: plan.parameters for plan in plans},
        {plan.name: plan.variants for plan in plans},
        base,
    )
    namespace_params = {name: ns.parameters for name, ns in built.items()}
    scope: dict[str, Any] = {}
    if only is not None:
        scope = {
            "declared_catalog": {k: v for plan in plans for k, v in declared_scope(plan).items()},
            "declared_datasets": DeclaredDatasets(plans),
            "declared_variants": {plan.name: plan.variants for plan in plans},
            "neighbours": neighbours,
        }
    return Expansion(
        namespaces=built,
        parameters=deep_merge(base, namespace_params, runtime),
        declaration=declaration,
        runtime_added=tuple(runtime_added),
        **scope,
    )


def _beyond(loaded: Any, given: Any) -> bool:
    """Whether ``loaded`` holds anything that ``given`` (from --params) did not put there."""
    if given is None:
        return True
    if not isinstance(loaded, Mapping) or not isinstance(given, Mapping):
        return False
    return any(key not in given or _beyond(value, given[key]) for key, value in loaded.items())


def _check_writers_across_namespaces(
    nodes: Iterable[Node], *, key: str, source: str | None
) -> None:
    """Refuse a dataset written (or confirmed) by nodes of two namespaces.

    Within a namespace ``Pipeline()`` refuses it; across namespaces only a
    global dataset can be shared, e.g. a shared pipeline's output listed under
    ``inputs`` by two namespaces.
    """
    writers: dict[str, dict[str, str]] = {"written": {}, "confirmed": {}}
    for node in nodes:
        owner = split_name(node.namespace)[0]
        for verb, names in (("written", node.outputs), ("confirmed", node.confirms)):
            for name in names:
                other = writers[verb].setdefault(base_name(name), owner)
                if other != owner:
                    raise DeclarationError(
                        f"dataset '{name}' is {verb} by nodes of namespaces '{other}' and "
                        f"'{owner}'; one would overwrite the other. Remove it from 'inputs' "
                        "in one of them so each gets its own copy.",
                        path=f"{key}.{owner}.inputs",
                        source=source,
                    )
