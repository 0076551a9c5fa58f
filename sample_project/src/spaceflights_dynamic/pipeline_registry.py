"""Project pipelines: the templates, plus their expansion for hook-less surfaces."""

from kedro.pipeline import Pipeline

from kedro_dynamic_hooks import find_dynamic_pipelines


def register_pipelines() -> dict[str, Pipeline]:
    """Register the template pipelines and their namespaced copies.

    ``find_dynamic_pipelines`` is ``find_pipelines`` plus the expansion, so that
    ``kedro registry list/describe`` and ``kedro viz`` show every variant too.
    ``__default__`` starts empty (two templates write 'metrics', they are not
    meant to run bare) and holds every expansion.
    """
    return find_dynamic_pipelines(raise_errors=True)
