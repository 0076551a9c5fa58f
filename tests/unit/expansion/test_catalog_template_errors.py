"""Catalog templates: unknown, global or misplaced keys and placeholders (the cases:
``CATALOG_TEMPLATES`` in tests/bad_declarations.py)."""

from __future__ import annotations

import pytest
from bad_declarations import CATALOG_TEMPLATES, assert_refused, parametrize

from kedro_dynamic_hooks import DeclarationError
from kedro_dynamic_hooks._declaration.schema import parse_declaration


@parametrize(CATALOG_TEMPLATES)
def test_bad_declaration(templates, reference, mutation, path, fragments):
    assert_refused(templates, reference, mutation, path, fragments)


def test_yaml_keys_with_brackets_stay_in_the_path():
    raw = {"ns": {"pipelines": ["x"], "catalog": {"x[0]": 5}}}
    with pytest.raises(DeclarationError) as info:
        parse_declaration(raw)
    assert info.value.path == "dynamic_pipelines.ns.catalog.x[0]"
