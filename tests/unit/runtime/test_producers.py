"""Second-order pipelines without a session: which node writes a table, what must
run first, and the refusals of a run that would use an old table or none."""

from __future__ import annotations

import pytest
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks._checks.table_writers import Table, produced, producing
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._errors import ProjectError
from kedro_dynamic_hooks._runtime.producers import check_tables
from kedro_dynamic_hooks._runtime.registry import mark_expanded

DECLARATION = parse_declaration(
    {
        "ns": {
            "pipelines": ["t"],
            "variants_from": {"dataset": "regions", "name": "r", "rows": {"north": {}}},
        },
        "other": {"pipelines": ["t"], "variants": {"a": {}}},
    }
)


def _identity(x):
    return x


def _project() -> tuple[Pipeline, Pipeline, Pipeline]:
    """The writer (and what it reads from), a variant of ``ns`` and one of ``other``."""
    listing = Pipeline(
        [
            node(_identity, "raw", "clean", name="clean"),
            node(_identity, "clean", "regions@pandas", name="list_regions"),
            node(_identity, "raw", "unrelated", name="unrelated"),
        ]
    )
    variant = Pipeline([node(_identity, "x", "y", name="fit", namespace="ns.north")])
    other = Pipeline([node(_identity, "x", "z", name="fit", namespace="other.a")])
    mark_expanded([*variant.nodes, *other.nodes])
    return listing, variant, other


def test_the_writer_of_a_table_is_found_through_transcoding_with_its_upstream():
    listing, variant, other = _project()
    whole = listing + variant + other
    assert produced(DECLARATION, whole) == [Table("ns", "regions", "list_regions")]
    assert sorted(n.name for n in producing(whole, produced(DECLARATION, whole)).nodes) == [
        "clean",
        "list_regions",
    ]
    assert produced(DECLARATION, variant + other) == []
    assert producing(whole, []).nodes == []


def test_a_run_that_writes_the_table_and_runs_its_variants_is_refused():
    listing, variant, _ = _project()
    with pytest.raises(ProjectError) as info:
        check_tables(listing + variant, DECLARATION, {}, listing + variant, key="dp")
    assert info.value.path == "dp.ns.variants_from.dataset"
    assert info.value.detail == (
        "namespace 'ns' takes its variants from 'regions', which node 'list_regions' writes "
        "in this same run: the variants would be the rows the table had before it. Run "
        "'kedro dynamic run' with the same flags: it runs 'list_regions' first, then the "
        "variants of what it wrote."
    )


def test_a_run_of_a_missing_table_s_variants_is_refused_naming_its_writer_or_none():
    listing, variant, _ = _project()
    pending = {"ns": "regions"}
    with pytest.raises(ProjectError, match="which does not exist yet: node 'list_regions'"):
        check_tables(variant, DECLARATION, pending, listing + variant, key="dp")
    with pytest.raises(ProjectError) as info:
        check_tables(variant, DECLARATION, pending, variant, key="dp")
    assert info.value.detail == (
        "namespace 'ns' takes its variants from 'regions', which does not exist yet: no node "
        "writes it. Create it, or fix its catalog entry."
    )


def test_runs_without_the_table_s_variants_are_left_alone():
    listing, variant, other = _project()
    whole = listing + variant + other
    pending = {"ns": "regions"}
    check_tables(listing, DECLARATION, pending, whole, key="dp")  # the writer alone
    check_tables(other + listing, DECLARATION, pending, whole, key="dp")  # another namespace
    check_tables(variant, DECLARATION, {}, whole, key="dp")  # written already, writer not run
    # A user's own node named like the namespace is not one of its variants.
    mine = Pipeline([node(_identity, "x", "w", name="mine", namespace="ns.north")])
    check_tables(listing + mine, DECLARATION, pending, whole, key="dp")


def test_a_shared_step_may_run_before_its_table_is_written_but_not_a_collect_step():
    listing, _, _ = _project()
    shared = Pipeline([node(_identity, "raw", "s", name="prep", namespace="ns")])
    collected = Pipeline([node(_identity, "s", "c", name="compare", namespace="ns")])
    mark_expanded([*shared.nodes, *collected.nodes])
    whole = listing + shared + collected
    check_tables(shared, DECLARATION, {"ns": "regions"}, whole, key="dp", collect={"ns.compare"})
    with pytest.raises(ProjectError, match="does not exist yet"):
        check_tables(
            collected, DECLARATION, {"ns": "regions"}, whole, key="dp", collect={"ns.compare"}
        )
