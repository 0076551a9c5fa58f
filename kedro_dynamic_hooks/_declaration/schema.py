"""What a declaration is: the pydantic models behind ``dynamic_pipelines``.

One model per YAML section, ``extra="forbid"`` everywhere and strict types, so
that a typo or a wrong type is reported instead of silently ignored. Every rule
that needs only the declaration is a validator here (names, matrix, chain
order, overlaps between sections); rules that need the project's pipelines or
parameters live in ``_expansion/plan.py``. :func:`parse_declaration` turns every
pydantic error into a :class:`~kedro_dynamic_hooks.DeclarationError`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    RootModel,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .._constants import DEFAULT_KEY
from .._errors import DeclarationError, combine
from .names import allowed, check_name, did_you_mean, name_problem
from .sections import ChainSpec, CollectSpec, MatrixSpec, VariantsFromSpec, VariantSpec, _Section
from .variants import resolve_variants

# Location parts pydantic adds for union members and dict keys, not YAML keys.
_PYDANTIC_TAG = re.compile(r"^(\[key\]|(list|dict|function-(after|before|wrap|plain))\[.*\])$")


class NamespaceSpec(_Section):
    """One namespace: templates, global inputs, overrides and variants."""

    pipelines: list[str] = Field(
        min_length=1, description="Registered pipelines instantiated once per variant."
    )
    shared: list[str] = Field(
        default_factory=list, description="Registered pipelines instantiated once per namespace."
    )
    inputs: list[str] = Field(
        default_factory=list, description="Datasets that stay global (not namespaced)."
    )
    parameters: list[str] = Field(
        default_factory=list,
        description="Top-level parameters that stay global (not namespaced).",
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Namespace-level parameter overrides."
    )
    variants: dict[str, VariantSpec] = Field(default_factory=dict)
    variants_from: VariantsFromSpec | None = Field(
        default=None,
        description="Read more variants from a catalog dataset, one row each (docs/data.md).",
    )
    matrix: MatrixSpec | None = None
    chain: ChainSpec | None = None
    collect: CollectSpec | None = None
    catalog: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description=(
            "Template dataset name -> Kedro dataset config; '{namespace}' and '{variant}' "
            "are replaced in every string."
        ),
    )

    _variants: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    @property
    def templates(self) -> list[str]:
        """Every registered pipeline this namespace instantiates."""
        return [*self.shared, *self.pipelines, *([self.collect.pipeline] if self.collect else [])]

    @property
    def variant_overrides(self) -> dict[str, dict[str, Any]]:
        """Variant name -> its own overrides, in run order: named variants, then
        matrix combinations, reordered by a chain's ``order``."""
        return self._variants

    @property
    def kind(self) -> str:
        """``variants``, ``matrix``, ``variants+matrix`` or ``chain``."""
        if self.chain is not None:
            return "chain"
        declared = (
            ("variants", self.variants),
            ("table", self.variants_from),
            ("matrix", self.matrix),
        )
        return "+".join(kind for kind, given in declared if given)

    @model_validator(mode="after")
    def _check(self) -> NamespaceSpec:
        try:
            table = self.variants_from.rows if self.variants_from else {}
            self._variants = resolve_variants(self.variants, self.matrix, self.chain, table=table)
        except DeclarationError as exc:
            raise _refusal(exc.detail, exc.path or "") from exc
        if self.variants_from is not None and self.matrix is not None:
            raise _refusal(
                "'variants_from' and 'matrix' cannot be combined: give the table one row per "
                "combination, or declare the matrix in a namespace of its own.",
                "variants_from",
            )
        both = sorted(set(self.shared) & set(self.pipelines))
        if both:
            raise _refusal(
                f"{allowed(both)} listed under both 'shared' and 'pipelines'; a template is "
                "instantiated either once per namespace or once per variant.",
                "shared",
            )
        overridden = set(self.overrides) | {k for o in self._variants.values() for k in o}
        overridden_globals = sorted(set(self.parameters) & overridden)
        if overridden_globals:
            raise _refusal(
                f"parameter(s) {allowed(overridden_globals)} listed under 'parameters' (global) "
                "and also overridden.",
                "parameters",
            )
        return self

    @field_validator("variants", mode="before")
    @classmethod
    def _no_null_variants(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for name, spec in value.items():
                if spec is None:
                    raise ValueError(
                        f"variant '{name}' is null; write '{name}: {{}}' for a variant "
                        "without overrides"
                    )
        return value


class Declaration(RootModel[dict[str, NamespaceSpec]]):
    """The whole ``dynamic_pipelines`` section: namespace name -> namespace."""

    model_config = ConfigDict(strict=True, frozen=True)

    @property
    def namespaces(self) -> dict[str, NamespaceSpec]:
        """The declared namespaces, in declaration order."""
        return self.root

    @model_validator(mode="after")
    def _variants_are_not_namespaces(self) -> Declaration:
        for name, spec in self.root.items():
            for variant in spec.variant_overrides:
                if variant in self.root:
                    named = variant in spec.variants
                    raise _refusal(
                        f"{'variant' if named else 'matrix combination'} '{variant}' has the "
                        f"same name as a namespace; '--tags {variant}' would select both. "
                        f"Rename the {'variant' if named else 'namespace'}.",
                        f"{name}.variants.{variant}" if named else f"{name}.matrix",
                    )
        return self


# The error type of rules checked by validators; `at` extends pydantic's location.
_REFUSAL = "dynamic_pipelines"


def _refusal(message: str, at: str) -> PydanticCustomError:
    return PydanticCustomError(_REFUSAL, "{message}", {"message": message, "at": at})


def parse_declaration(
    raw: Any, *, key: str = DEFAULT_KEY, source: str | None = None
) -> Declaration:
    """Validate a raw ``dynamic_pipelines`` mapping.

    Args:
        raw: The value of the declaration key as loaded from YAML.
        key: The top-level parameters key, used in error paths.
        source: The parameters file(s), used in error messages.

    Returns:
        The validated declaration.

    Raises:
        DeclarationError: For the first problem found, naming its YAML path;
            its ``errors`` hold every problem found.
    """
    if not isinstance(raw, Mapping):
        raise DeclarationError(
            f"expected a mapping of namespace name -> namespace, got {_kind(raw)}.",
            path=key,
            source=source,
        )
    if not raw:
        raise DeclarationError("declares no namespace.", path=key, source=source)
    problems: list[DeclarationError] = []
    for name in raw:
        try:
            check_name(name, "namespace", path=f"{key}.{name}", source=source)
        except DeclarationError as exc:
            problems.append(exc)
    cause: ValidationError | None = None
    try:
        declaration = Declaration.model_validate(dict(raw))
    except ValidationError as exc:
        cause = exc
        seen = {(p.path, p.detail) for p in problems}
        for error in exc.errors(include_url=False):
            problem = _problem(error, key, source)
            if (problem.path, problem.detail) not in seen:  # one per branch of a union
                seen.add((problem.path, problem.detail))
                problems.append(problem)
    combined = combine(problems, source=source)
    if combined is not None:
        raise combined from cause
    return declaration


def _problem(error: Any, key: str, source: str | None) -> DeclarationError:
    """One pydantic error as a DeclarationError with a YAML path."""
    # pydantic adds union members ("list[any]") and "[key]" to the location.
    loc = [str(p) for p in error["loc"] if not _PYDANTIC_TAG.match(str(p))]
    if error["type"] == _REFUSAL:
        at = error["ctx"]["at"]
        path = ".".join([key, *loc, *([at] if at else [])])
        return DeclarationError(error["ctx"]["message"], path=path, source=source)
    union = len(loc) < len(error["loc"]) and error["type"] in {"list_type", "dict_type"}
    message = _explain(error, loc)
    if union:
        message = f"expected a list or a mapping, got {_kind(error.get('input'))}."
    return DeclarationError(message, path=".".join([key, *loc]), source=source)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _explain(error: Mapping[str, Any], loc: list[str]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        fields = _fields_at(loc[:-1])
        return (
            f"unknown key '{loc[-1]}'. Allowed keys: {allowed(fields)}."
            f"{did_you_mean(loc[-1], fields)}"
        )
    if kind == "missing":
        return f"required key '{loc[-1]}' is missing."
    given = _kind(error.get("input"))
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        hint = " Write '{}' for an empty mapping." if error.get("input") is None else ""
        return f"expected a mapping, got {given}.{hint}"
    if kind == "list_type":
        return f"expected a list, got {given}."
    if kind == "string_type":
        if isinstance(error.get("input"), bool):  # YAML 1.1: on/off/yes/no are booleans
            return f"name {name_problem(error['input'])}."
        return f"expected a string, got {given}."
    if kind in {"int_type", "int_parsing", "greater_than"}:
        return f"expected a positive integer, got {given}."
    if kind == "too_short":
        return f"must not be empty, got {given}."
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ") + "."
    return f"{error['msg']} (got {given})."


def _fields_at(loc: list[str]) -> list[str]:
    """Return the allowed keys of the model found at ``loc`` in the schema."""
    current: Any = Declaration.model_fields["root"].annotation
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip ``X | None`` down to ``X``."""
    if typing.get_origin(annotation) in {typing.Union, types.UnionType}:
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else options[0]
    return annotation


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the declaration (the value of ``dynamic_pipelines``)."""
    schema = Declaration.model_json_schema()
    schema["title"] = "dynamic_pipelines declaration"
    return schema


def parameters_schema(key: str = DEFAULT_KEY) -> dict[str, Any]:
    """JSON Schema for a parameters file: any keys, plus a checked declaration at ``key``."""
    declaration = json_schema()
    definitions = declaration.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Kedro parameters with a dynamic_pipelines declaration",
        "type": "object",
        "properties": {key: declaration},
        "$defs": definitions,
    }
