"""Reading variants_from tables: the warning when a node of the project writes one."""

from __future__ import annotations

import logging

from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._runtime.tables import warn_written_tables


def _identity(x):
    return x


def test_a_table_a_node_writes_is_named_with_the_producer_to_run_first(caplog):
    declaration = parse_declaration(
        {
            "ns": {
                "pipelines": ["t"],
                "variants_from": {"dataset": "regions", "name": "r", "rows": {"north": {}}},
            }
        }
    )
    registry = {
        "listing": Pipeline([node(_identity, "raw", "regions@pandas", name="list_regions")])
    }
    with caplog.at_level(logging.WARNING, logger="kedro.dynamic_hooks"):
        warn_written_tables(declaration, registry)
    assert [r.getMessage() for r in caplog.records] == [
        "Namespace 'ns' takes its variants from 'regions@pandas', which node 'list_regions' "
        "writes: this run's variants are the rows it had when the run started. Run "
        "'list_regions' first ('kedro run --nodes list_regions'), then the variants."
    ]
    caplog.clear()
    warn_written_tables(declaration, {"other": Pipeline([node(_identity, "raw", "x", name="n")])})
    assert caplog.records == []
