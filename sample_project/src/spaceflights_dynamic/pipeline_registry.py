"""Project pipelines: the templates. The hook adds one copy per namespace and variant."""

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline


def register_pipelines() -> dict[str, Pipeline]:
    """Register the project's template pipelines.

    The templates are not meant to run bare (two of them write 'metrics'), so
    ``__default__`` starts empty; DynamicPipelinesHook adds every expansion to it.
    """
    pipelines = find_pipelines(raise_errors=True)
    pipelines["__default__"] = Pipeline([])
    return pipelines
