"""Project pipelines: the templates, plus their expansion for hook-less surfaces."""

from kedro.pipeline import Pipeline

from kedro_dynamic_hooks import find_dynamic_pipelines

from .pipelines import store_listing


def register_pipelines() -> dict[str, Pipeline]:
    """Register the template pipelines and their namespaced copies.

    ``find_dynamic_pipelines`` is ``find_pipelines`` plus the expansion, so that
    ``kedro registry list/describe`` and ``kedro viz`` show every variant too.
    ``__default__`` holds 'store_listing' (it writes the table the 'regional'
    namespace takes its variants from) and every expansion; the templates are
    not meant to run bare (two of them write 'metrics').
    """
    return find_dynamic_pipelines(raise_errors=True, default=store_listing.create_pipeline())
