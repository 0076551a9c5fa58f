"""The hook outside a session: its specs, a failing node's message, its sources."""

from __future__ import annotations

import logging

from helpers import hook_manager
from kedro.pipeline import node

from kedro_dynamic_hooks import DynamicPipelinesHook
from kedro_dynamic_hooks._runtime.sources import declaration_source


def test_hook_implementations_match_kedro_specs():
    manager = hook_manager()
    manager.register(DynamicPipelinesHook())
    manager.check_pending()  # raises on a misspelt hook name or argument
    impls = manager.hook.after_context_created.get_hookimpls()
    ours = [i for i in impls if isinstance(i.plugin, DynamicPipelinesHook)]
    # A wrapper: it expands before every other hook's impl and checks the run's
    # flags after them all.
    assert ours and ours[0].wrapper


def test_on_node_error_names_the_variant(caplog):
    hook = DynamicPipelinesHook()
    failing = node(lambda x: x, "a", "b", name="train", namespace="ns.v1", tags=["ns", "v1"])
    with caplog.at_level(logging.ERROR):
        # Outside a run the hook knows no expansion: it names the failing node itself.
        hook.on_node_error(ValueError("boom"), failing, catalog=object(), run_id="r1")
        hook.on_node_error(
            ValueError("unrelated"),
            node(lambda x: x, "a", "c", name="plain"),
            catalog=object(),
            run_id="r1",
        )
    assert "Variant 'ns.v1' failed in node 'ns.v1.train': boom." in caplog.text
    assert (
        "After fixing it, 'kedro dynamic run --stale' re-runs exactly what is stale: this "
        "variant, what reads its outputs, and what this run did not reach. By hand: " in caplog.text
    )
    # Without an expansion at hand it names the failing node itself.
    assert (
        "re-run this variant and what depends on it with 'kedro run --from-nodes ns.v1.train'"
        in caplog.text
    )
    assert "unrelated" not in caplog.text


def test_declaration_source_for_loaders_without_files():
    class Loader:
        conf_source = None

    assert declaration_source(Loader(), "dynamic_pipelines") == "the parameters configuration"
