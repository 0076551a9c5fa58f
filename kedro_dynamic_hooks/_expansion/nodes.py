"""Copying template nodes under a namespace, the way Kedro's ``pipeline()`` does.

Kedro's ``pipeline(template, namespace="ns.v")`` prefixes every dataset with
``ns.v.`` and every ``params:x`` with ``params:ns.v.x``, except names mapped
explicitly. We apply the same rules, with our exceptions: global inputs and
parameters stay as they are, and a variant's inputs produced by a shared
pipeline resolve to the namespace's copy ``ns.x``. The renaming of each
dataset is computed once per namespace; a variant only concatenates strings.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from kedro.pipeline.node import Node

from .. import _kedro_compat as compat
from .._constants import ALL_PARAMETERS, PARAMS
from .._kedro_compat import Names


def base_name(name: str) -> str:
    """Strip Kedro's transcoding suffix: ``x@pandas`` -> ``x``."""
    return name.split("@", 1)[0]


def _datasets(nodes: Iterable[Node]) -> list[str]:
    seen: dict[str, None] = {}
    for node in nodes:
        for name in [*node.inputs, *node.outputs, *node.confirms]:
            seen.setdefault(name)
    return list(seen)


def _names(names: Names) -> list[str]:
    if names is None:
        return []
    if isinstance(names, str):
        return [names]
    if isinstance(names, dict):
        return list(names.values())
    return list(names)


class DatasetRenamer:
    """Computes the dataset name mapping of each instance of a namespace.

    Args:
        namespace: The namespace name.
        shared: Nodes of the shared templates.
        per_variant: Nodes of the per-variant templates.
        collect: Nodes of the collect template.
        global_inputs: Dataset names that stay global.
        global_params: Top-level parameter keys that stay global.
        chain_input: Template input that a chain wires to the previous variant.
        fan_in: Template dataset that the collect pipeline receives per variant.
    """

    def __init__(
        self,
        namespace: str,
        shared: list[Node],
        per_variant: list[Node],
        collect: list[Node],
        global_inputs: set[str],
        global_params: set[str],
        chain_input: str | None = None,
        fan_in: str | None = None,
    ) -> None:
        self.namespace = namespace
        self.chain_input = chain_input
        # "@pandas" when the template reads the chain input transcoded.
        self.chain_suffix = next(
            (
                name[len(base_name(name)) :]
                for n in per_variant
                for name in n.inputs
                if chain_input and base_name(name) == chain_input
            ),
            "",
        )
        self.global_inputs = global_inputs
        self.global_params = global_params
        self.shared_outputs = {base_name(o) for n in shared for o in n.outputs}
        self.variant_outputs = {base_name(o) for n in per_variant for o in n.outputs}
        self.variant_free_inputs = {
            base_name(i) for n in per_variant for i in n.inputs if not i.startswith(PARAMS)
        } - self.variant_outputs
        self._shared = self._mapping(_datasets(shared))
        self._collect = self._mapping([d for d in _datasets(collect) if base_name(d) != fan_in])
        # For variants: (template name, final name if fixed, parameter path if a param).
        self._variant_plan: list[tuple[str, str | None, str | None]] = []
        for name in _datasets(per_variant):
            param = name[len(PARAMS) :] if name.startswith(PARAMS) else None
            self._variant_plan.append((name, self._kept(name, variant=True), param))

    def _kept(self, name: str, *, variant: bool) -> str | None:
        """Return the final name if it does not depend on the variant, else ``None``."""
        if name == ALL_PARAMETERS:
            return name
        if name.startswith(PARAMS):
            top = name[len(PARAMS) :].split(".", 1)[0]
            return name if top in self.global_params else None
        base = base_name(name)
        if base in self.global_inputs:
            return name
        if variant and base in self.shared_outputs:
            return f"{self.namespace}.{name}"
        return None

    def _mapping(self, names: list[str]) -> dict[str, str]:
        """Names in the namespace-level instance (shared and collect pipelines)."""
        mapping = {}
        for name in names:
            kept = self._kept(name, variant=False)
            if kept is None:
                kept = (
                    f"{PARAMS}{self.namespace}.{name[len(PARAMS) :]}"
                    if name.startswith(PARAMS)
                    else f"{self.namespace}.{name}"
                )
            mapping[name] = kept
        return mapping

    def shared(self) -> dict[str, str]:
        """Template name -> name in the namespace's shared instance."""
        return self._shared

    def collect(self) -> dict[str, str]:
        """Template name -> name in the namespace's collect instance."""
        return self._collect

    def variant(self, variant: str, previous: str | None = None) -> dict[str, str]:
        """Template name -> name in one variant's instance.

        Args:
            variant: The variant name.
            previous: In a chain, the dataset that ``chain_input`` reads.
        """
        prefix = f"{self.namespace}.{variant}."
        mapping = {}
        for name, kept, param in self._variant_plan:
            if kept is not None:
                mapping[name] = kept
            elif param is not None:
                mapping[name] = f"{PARAMS}{prefix}{param}"
            elif previous is not None and base_name(name) == self.chain_input:
                mapping[name] = previous
            else:
                mapping[name] = prefix + name
        return mapping

    def owned_shared(self) -> dict[str, str]:
        """Template name -> namespaced name of datasets with one copy per namespace."""
        owned = {**self._collect, **self._shared}
        return {k: v for k, v in owned.items() if v != k and not k.startswith(PARAMS)}

    def owned_per_variant(self) -> list[str]:
        """Template names of the datasets with one copy per variant."""
        return [
            name
            for name, kept, param in self._variant_plan
            if kept is None and param is None and base_name(name) != self.chain_input
        ]


def rename_datasets(names: Names, mapping: dict[str, str]) -> Names:
    """Apply ``mapping`` to node inputs, outputs or confirms, keeping their shape."""
    if names is None:
        return None
    if isinstance(names, str):
        return mapping.get(names, names)
    if isinstance(names, dict):
        return {key: mapping.get(value, value) for key, value in names.items()}
    return [mapping.get(name, name) for name in names]


def copy_node(
    node: Node,
    mapping: dict[str, str],
    namespace: str,
    tags: set[str],
    *,
    func: Callable[..., Any] | None = None,
    inputs: Names = None,
) -> Node:
    """Copy ``node`` under ``namespace`` with renamed datasets and extra tags."""
    return compat.copy_node(
        node,
        inputs=rename_datasets(compat.node_inputs(node), mapping) if inputs is None else inputs,
        outputs=rename_datasets(compat.node_outputs(node), mapping),
        confirms=rename_datasets(compat.node_confirms(node), mapping),
        namespace=f"{namespace}.{node.namespace}" if node.namespace else namespace,
        tags=node.tags | tags,
        func=func,
    )


class CollectCall:
    """Calls a collect function with ``{variant: value}`` for its fan-in input.

    The node's inputs become the other inputs plus one dataset per variant; this
    callable folds the per-variant values back into one dict. It is a
    module-level class so that ParallelRunner can pickle it.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        slots: tuple[tuple[str | None, bool], ...],
        variants: tuple[str, ...],
    ) -> None:
        self.func = func
        self.slots = slots
        self.variants = variants
        self.__wrapped__ = func  # what inspect.unwrap (and the fingerprint) follow
        self.__name__ = getattr(func, "__name__", "collect")
        self.__qualname__ = getattr(func, "__qualname__", self.__name__)
        self.__module__ = getattr(func, "__module__", __name__)
        self.__doc__ = getattr(func, "__doc__", None)
        # Lets typing.get_type_hints (Kedro's parameter validation) read this
        # callable; the wrapped function's own hints do not match *values.
        self.__annotations__: dict[str, Any] = {}

    def __call__(self, *values: Any) -> Any:
        remaining = iter(values)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for arg, fan_in in self.slots:
            if fan_in:
                value: Any = dict(
                    zip(self.variants, itertools.islice(remaining, len(self.variants)), strict=True)
                )
            else:
                value = next(remaining)
            if arg is None:
                args.append(value)
            else:
                kwargs[arg] = value
        return self.func(*args, **kwargs)


def collect_node(
    node: Node, wanted: str, variants: tuple[str, ...], mapping: dict[str, str], namespace: str
) -> Node:
    """Copy a collect node so that its ``wanted`` input receives every variant's copy."""
    original: list[tuple[str | None, str]]
    given = compat.node_inputs(node)
    if isinstance(given, dict):
        original = list(given.items())
    else:
        original = [(None, name) for name in _names(given)]
    slots = tuple((arg, base_name(name) == wanted) for arg, name in original)
    inputs: list[str] = []
    for _, name in original:
        if base_name(name) == wanted:
            inputs.extend(f"{namespace}.{variant}.{name}" for variant in variants)
        else:
            inputs.append(mapping.get(name, name))
    call = CollectCall(node.func, slots, variants)
    return copy_node(node, mapping, namespace, {namespace}, func=call, inputs=inputs)
