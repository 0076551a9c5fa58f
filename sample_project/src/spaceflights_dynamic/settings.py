"""Project settings: the one line that turns dynamic pipelines on."""

from kedro_dynamic_hooks import DynamicPipelinesHook

HOOKS = (DynamicPipelinesHook(),)
