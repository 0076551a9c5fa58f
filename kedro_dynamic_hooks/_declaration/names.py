"""Naming rules for namespaces, variants and matrix combinations."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from difflib import get_close_matches
from typing import Any

# Names end up in dataset names, parameter paths, node namespaces, tags and,
# through catalog templates, in filepaths. Plain ASCII identifiers are safe in
# all of them: no dots (Kedro's namespace separator), no path separators, no
# braces (factory placeholders), no leading dash (CLI flags) or underscore
# (OmegaConf drops catalog keys starting with "_").
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_NAME_LENGTH = 64
NAME_RULE = (
    f"an ASCII letter followed by letters, digits or '_' (at most {MAX_NAME_LENGTH} characters), "
    "e.g. 'price_predictor' or 'm2024_03'"
)


def split_name(name: str | None) -> tuple[str, str, str]:
    """Split a dotted Kedro name into its namespace, the part after it, and the rest.

    Namespace and variant names hold no dots, so ``price_predictor.candidate1.regressor``
    gives ``("price_predictor", "candidate1", "regressor")``. A missing part is ``""``.
    This is the one place that reads ``ns.variant`` out of a name.
    """
    namespace, _, rest = (name or "").partition(".")
    second, _, tail = rest.partition(".")
    return namespace, second, tail


def variant_of(
    namespace: str | None, variants: Mapping[str, Collection[str]]
) -> tuple[str, str] | None:
    """``(ns, variant)`` for a node namespace inside a declared variant, else ``None``."""
    ns, variant, _ = split_name(namespace)
    if variant and variant in variants.get(ns, ()):
        return ns, variant
    return None


def name_problem(name: object) -> str | None:
    """Explain why ``name`` is not a valid namespace or variant name.

    Args:
        name: The candidate name, as read from YAML.

    Returns:
        ``None`` when the name is valid, otherwise a short reason.
    """
    if isinstance(name, bool):
        # YAML 1.1 reads on/off/yes/no/true/false as booleans, keys included.
        return (
            f"must be a string, got the boolean {name!r}: YAML reads an unquoted on, off, "
            "yes, no, true or false as a boolean, so quote the name (e.g. 'on')"
        )
    if not isinstance(name, str):
        return f"must be a string, got {type(name).__name__} {name!r}"
    if not name:
        return "must not be empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"is {len(name)} characters long"
    if NAME_PATTERN.fullmatch(name) is None:
        return f"{name!r} contains characters that are not allowed"
    return None


def check_name(name: object, kind: str, *, path: str, source: str | None) -> None:
    """Raise a DeclarationError naming ``path`` unless ``name`` is a valid name.

    Args:
        name: The namespace or variant name, as read from YAML.
        kind: ``"namespace"`` or ``"variant"``, for the message.
        path: The YAML path of the name.
        source: The parameters file(s), for the message.
    """
    from .._errors import DeclarationError

    problem = name_problem(name)
    if problem:
        raise DeclarationError(
            f"{kind} name {problem}. A name must be {NAME_RULE}.", path=path, source=source
        )


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""``."""
    matches = get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""


def allowed(candidates: Iterable[str]) -> str:
    """Format a sorted, quoted list of allowed values."""
    values = sorted(candidates)
    return ", ".join(f"'{v}'" for v in values) if values else "(none)"


def value_label(value: Any) -> str:
    """Turn a matrix value into a readable name fragment.

    ``sklearn.linear_model.Ridge`` becomes ``Ridge``, ``0.25`` becomes ``0p25``
    and ``-1`` becomes ``m1``. Uniqueness is checked by the caller.
    """
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value)
    if isinstance(value, str) and "." in text and not _is_number(text):
        text = text.rsplit(".", 1)[-1]
    text = text.replace("-", "m").replace(".", "p")
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    return text or "empty"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
