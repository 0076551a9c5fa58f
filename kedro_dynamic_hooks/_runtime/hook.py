"""The Kedro hook: lifecycle glue around the pure expansion core.

Kedro 1.7 facts this module relies on (checked against the installed source):

- ``KedroSession.run`` calls ``pipelines.set_requested(...)`` and then
  ``load_context()``, which fires ``after_context_created``; the pipelines are
  read from the registry only after that, and the catalog after that.
- ``config_loader[key] = value`` is returned as is by later reads, so writing
  the expanded parameters there is what ``context.params``, ``params:`` inputs
  and Kedro's parameter validation see. Runtime params are merged only when
  files are read, so we re-apply them ourselves.
- Reading ``context.params`` here would validate and cache the unexpanded
  parameters, so this module reads ``config_loader["parameters"]`` instead.
- ``before_pipeline_run`` fires after the catalog exists and before the runner,
  outside the ``try`` that fires ``on_pipeline_error``: refusing there stops the
  run before its first node.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kedro.framework.hooks import hook_impl
from kedro.io import DatasetError

from .._checks.catalog_index import dataset_origin_path
from .._checks.collisions import check_collisions
from .._checks.inputs import check_pipeline, check_produced
from .._constants import DEFAULT_KEY, DEFAULT_PIPELINE
from .._declaration.schema import Declaration, parse_declaration
from .._errors import DynamicPipelinesError, ProjectError, combine
from .._expansion.expand import expand
from .._expansion.parameters import check_runtime_root
from .._expansion.result import Expansion, is_expanded
from .._expansion.selection import needed
from .._kedro_compat import parameters_without_runtime, requested_pipelines, set_requested
from .._rerun.journal import state_path
from .._rerun.recorder import Paths, RunRecorder
from .config import original
from .find import hook_is_loading, needed_names
from .reporting import reported
from .selecting import describe_run, run_selection, selection_of
from .sources import declaration_source
from .stack import on_fresh_stack

if TYPE_CHECKING:
    from kedro.config import AbstractConfigLoader
    from kedro.framework.context import KedroContext
    from kedro.pipeline import Pipeline
    from kedro.pipeline.node import Node

logger = logging.getLogger("kedro_dynamic_hooks")


class DynamicPipelinesHook:
    """Expands the ``dynamic_pipelines`` declaration of a project's parameters.

    Register an instance in ``settings.py``::

        from kedro_dynamic_hooks import DynamicPipelinesHook

        HOOKS = (DynamicPipelinesHook(),)

    Args:
        key: The top-level parameters key that holds the declaration.
    """

    def __init__(self, key: str = DEFAULT_KEY) -> None:
        self.key = key
        # The latest expansion and its config loader, for the run-time checks
        # and messages of the hooks that fire after after_context_created.
        self._last: tuple[Expansion, AbstractConfigLoader] | None = None
        # The running pipeline, how it was asked for, and the nodes done so far
        # (in this process), for the advice after a failure.
        self._run: tuple[Pipeline, dict[str, Any]] | None = None
        self._done: set[str] = set()
        # Writes each task group's record in the state file as it finishes.
        self._recorder: RunRecorder | None = None

    @hook_impl(tryfirst=True)
    def after_context_created(self, context: KedroContext) -> None:
        """Validate the declaration, then register pipelines, parameters and datasets."""
        # Its loops (Kedro's config parse, the expansion) run far from the edge
        # of a frame chunk (see _stack.py).
        on_fresh_stack(self._after_context_created, context)

    def _after_context_created(self, context: KedroContext) -> None:
        started = time.perf_counter()
        loader = context.config_loader
        try:
            parameters = original_parameters(loader)
        except Exception as exc:  # Kedro's own config errors, e.g. duplicate keys
            error = ProjectError(
                "Kedro could not read the parameters: "
                + _first_line(exc).replace(f"{context.project_path}/", ""),
                path="parameters",
                source="the configuration",
            )
            raise reported(error) from exc
        if self.key not in parameters:
            if missing_environment(loader) is None:  # else Kedro reports the environment
                logger.warning(
                    "DynamicPipelinesHook is registered but the parameters have no '%s' key: "
                    "nothing to expand.",
                    self.key,
                )
            return
        try:
            expansion, catalog = self._expand(
                loader, parameters, str(context.project_path), selective=True
            )
            loader["parameters"] = expansion.parameters
            loader["catalog"] = catalog
            _register(expansion)
            self._last = (expansion, loader)
        except DynamicPipelinesError as exc:
            raise reported(_blame(exc, loader, self.key)) from exc
        built = sum(len(v) for v in expansion.variants.values())
        logger.info(
            "Expanded %d namespace(s) into %d variant(s) and %d node(s) in %.2fs%s.",
            len(expansion.variants),
            built,
            len(expansion.nodes),
            time.perf_counter() - started,
            " (only what this run's selection can touch)" if expansion.partial else "",
        )

    def expansion(self, context: KedroContext) -> Expansion | None:
        """Return the expansion of an already created context, or ``None``.

        Recomputed from what the files said, so it equals what the hook
        registered; used by ``kedro dynamic``.
        """
        loader = context.config_loader
        parameters = original_parameters(loader)
        if self.key not in parameters:
            return None
        return self._expand(loader, parameters, str(context.project_path))[0]

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Refuse to start a run whose pipeline reads a dataset nothing provides.

        Kedro would stop on it too, but with a traceback; this names the node,
        the YAML path and the fix (persist it, or list it under ``inputs``).
        """
        self._run, self._done, self._recorder = (pipeline, run_params), set(), None
        if self._last is None:
            return
        expansion, loader = self._last
        if expansion.partial:
            self._refuse_uncovered(expansion, run_params)
        errors = check_pipeline(
            pipeline,
            describe_run(run_params),
            lambda name: name in catalog,
            expansion,
            key=self.key,
            source=None,
        )
        problem: DynamicPipelinesError | None = combine(errors)
        if problem is not None:
            if problem.source is None:
                problem = problem.with_source(declaration_source(loader, self.key))
            raise reported(problem)
        unwritten = check_produced(
            pipeline,
            describe_run(run_params),
            lambda name: _exists(catalog, name),
            expansion,
            key=self.key,
            source=None,
        )
        if unwritten is not None:  # the file is named only now: finding it reads YAML
            raise reported(unwritten.with_source(declaration_source(loader, self.key)))
        # Kedro creates every dataset of the run before the first node, and stops
        # with a traceback if one cannot be (a misspelt type); create them first.
        for name in sorted(pipeline.datasets()):
            try:
                catalog.get(name)
            except DatasetError as exc:
                where = dataset_origin_path(name, expansion, self.key)
                config = original(loader, "catalog").get(name) or expansion.catalog.get(name)
                kind = f" (type '{config['type']}')" if isinstance(config, Mapping) else ""
                problem = ProjectError(
                    f"dataset '{name}'{kind} cannot be created: {_first_line(exc)}",
                    path=where,
                    source=declaration_source(loader, self.key) if where != name else "the catalog",
                )
                raise reported(problem) from exc
        self._recorder = _recorder(pipeline, expansion, loader, run_params)

    def _refuse_uncovered(self, expansion: Expansion, run_params: Mapping[str, Any]) -> None:
        """Refuse a run that selects variants the partial build left out.

        ``kedro run`` builds from its own flags, so this cannot happen there;
        with :func:`selecting`, a ``session.run`` that asks for more than was
        announced would otherwise skip nodes silently.
        """
        declared = expansion.declared_variants or {}
        wanted = needed(selection_of(run_params), declared, chains=())
        built = {name: set(ns.variants) for name, ns in expansion.items()}
        missing = [
            name
            for name, variants in (wanted or {"every namespace": None}).items()
            if name not in built
            or (variants is None and built[name] != set(declared[name]))
            or (variants is not None and not variants <= built[name])
        ]
        if missing:
            raise reported(
                ProjectError(
                    f"'{describe_run(run_params)}' selects {', '.join(sorted(missing))}, but "
                    "only the variants announced with selecting(...) were built. Give "
                    "selecting(...) the same selection as the run.",
                    path="selecting",
                    source="the run",
                )
            )

    @hook_impl
    def after_node_run(self, node: Node) -> None:
        """Count the node as done, for the advice after a failure, and record its
        task group in the state file once all of the group's nodes are done."""
        self._done.add(node.name)
        if self._recorder is not None:
            self._recorder.node_done(node.name)

    @hook_impl
    def after_pipeline_run(self) -> None:
        """Record the groups whose nodes ran in worker processes (ParallelRunner)."""
        if self._recorder is not None:
            self._recorder.run_succeeded()
            self._recorder = None

    @hook_impl
    def on_node_error(self, error: Exception, node: Node) -> None:
        """Name the failing variant and the commands that finish the run once fixed."""
        if self._recorder is not None:
            self._recorder.node_failed(node.name)
        parts = (node.namespace or "").split(".")
        if len(parts) < 2 or not {parts[0], parts[1]} <= node.tags:
            return  # not a node of one of our variants
        variant = f"{parts[0]}.{parts[1]}"
        roots = self._rerun_roots(parts[0], parts[1])
        rerun = f"'kedro run --from-nodes {','.join(roots or [node.name])}'"
        unfinished = self._unfinished(roots or [node.name])
        if unfinished:
            # --from-nodes alone would stop at a collect step missing other variants.
            advice = (
                f"first complete the rest of this run with '{unfinished} "
                f"--only-missing-outputs', then, if this variant had outputs from an earlier "
                f"run, re-run it and what depends on it with {rerun}"
            )
        else:
            advice = f"re-run this variant and what depends on it with {rerun}"
        logger.error(
            "Variant '%s' failed in node '%s': %s. Outputs that other variants already "
            "saved are untouched. After fixing it, 'kedro dynamic run --stale' re-runs "
            "exactly what is stale: this variant, what reads its outputs, and what this run "
            "did not reach. By hand: %s.",
            variant,
            node.name,
            str(error).rstrip("."),
            advice,
        )

    def _rerun_roots(self, namespace: str, variant: str) -> list[str]:
        """The first nodes of the failed variant and, in a chain, of every later month.

        A later month's first node need not read the earlier month's state, so
        ``--from-nodes`` of the failed month alone would leave part of them out.
        """
        if self._last is None or namespace not in self._last[0]:
            return []
        expansion = self._last[0][namespace]
        later = list(expansion.variants)
        start = later.index(variant) if variant in later else 0
        months = later[start:] if expansion.kind == "chain" else [variant]
        pipelines = expansion.pipelines
        return [name for m in months for name in _roots(pipelines.get(f"{namespace}.{m}"))]

    def _unfinished(self, roots: list[str]) -> str | None:
        """The run's command when nodes other than the re-run's have not finished."""
        if self._run is None:
            return None
        pipeline, run_params = self._run
        try:
            rerun = {n.name for n in pipeline.from_nodes(*roots).nodes}
        except ValueError:  # the variant's first nodes are not in this run
            rerun = set()
        left = {n.name for n in pipeline.nodes} - self._done - rerun
        return describe_run(run_params) if left else None

    def _expand(
        self,
        loader: AbstractConfigLoader,
        parameters: dict[str, Any],
        project_path: str,
        *,
        selective: bool = False,
    ) -> tuple[Expansion, dict[str, Any]]:
        """Expand, then check filepaths; return the expansion and the full catalog config.

        Entries written in catalog.yml win over the declaration's templates.
        With ``selective``, a ``kedro run`` builds only the variants its flags
        can touch (see ``_selection.py``); everything is still checked.
        """
        declaration = parse_declaration(parameters[self.key], key=self.key)
        runtime = getattr(loader, "runtime_params", None) or {}
        root = {
            k: v for k, v in runtime.items() if k != self.key and k not in declaration.namespaces
        }
        files = None
        if root:  # checked against the files alone: the loaded parameters include them
            files = parameters_without_runtime(loader)
            check_runtime_root(root, files)
        expansion = expand(
            declaration,
            _templates(declaration),
            parameters,
            runtime_params=getattr(loader, "runtime_params", None),
            key=self.key,
            only=run_selection(declaration) if selective else None,
            file_parameters=files,
        )
        user_catalog = original(loader, "catalog")
        catalog = {**expansion.catalog, **user_catalog}
        templated = expansion.declared_catalog or expansion.catalog
        check_collisions(
            {**templated, **user_catalog},
            expansion.datasets
            if expansion.declared_datasets is None
            else expansion.declared_datasets,
            project_path=project_path,
            datasets=expansion.dataset_names,
            written=expansion.written,
            templated=templated.keys() - user_catalog.keys(),
            key=self.key,
        )
        return expansion, catalog


def original_parameters(loader: AbstractConfigLoader) -> dict[str, Any]:
    """The parameters as the files (and ``--params``) gave them, before expansion."""
    return original(loader, "parameters")


def _recorder(
    pipeline: Pipeline, expansion: Expansion, loader: Any, run_params: Mapping[str, Any]
) -> RunRecorder | None:
    """The recorder of this run's task groups, or ``None`` without a project path."""
    project = run_params.get("project_path")
    if not project:
        return None
    return RunRecorder(
        pipeline,
        expansion,
        loader["parameters"],
        Paths(loader["catalog"], str(project)),  # what the hook registered
        state_path(project, run_params.get("env")),
        str(run_params.get("run_id") or run_params.get("session_id") or "unknown"),
    )


def missing_environment(loader: Any) -> str | None:
    """The loader's run environment when its folder does not exist, else ``None``."""
    env = getattr(loader, "env", None)
    source = getattr(loader, "conf_source", None)
    if (
        not env
        or not isinstance(source, str)
        or "://" in source
        or source.endswith((".zip", ".tar.gz"))
    ):
        return None
    return None if os.path.isdir(os.path.join(source, env)) else env


def _blame(error: DynamicPipelinesError, loader: Any, key: str) -> DynamicPipelinesError:
    """Name where the offending value came from: ``--params`` or the parameters file."""
    if error.source:
        return error
    runtime = getattr(loader, "runtime_params", None) or {}
    if error.path and _given(runtime, error.path.split(".")):
        return error.with_source("--params")
    return error.with_source(declaration_source(loader, key))


def _given(runtime: Any, parts: list[str]) -> bool:
    """Whether ``--params`` set the value at this dotted path (or one above it)."""
    for part in parts:
        if not isinstance(runtime, Mapping) or part not in runtime:
            return False
        runtime = runtime[part]
    return True


def _exists(catalog: Any, name: str) -> bool:
    """Whether the dataset has data; ``True`` when its type cannot tell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Kedro warns for datasets without exists()
        try:
            return bool(catalog.exists(name))
        except Exception:  # an exists() that fails is for the run to report
            return True


def _first_line(exc: Exception) -> str:
    """An exception's message on one line."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _roots(pipeline: Pipeline | None) -> list[str]:
    """The nodes of a variant that read nothing the variant itself produces."""
    if pipeline is None:
        return []
    produced = {o for n in pipeline.nodes for o in n.outputs}
    return [n.name for n in pipeline.nodes if not set(n.inputs) & produced]


def _templates(declaration: Declaration) -> Mapping[str, Pipeline]:
    """Return the registered pipelines, making sure the templates are loaded.

    Under ``kedro run --pipelines <ns>`` the registry is asked only for the
    requested names, which are ours and unknown to ``register_pipelines``. We
    ask it for the templates instead, plus any other requested pipeline.
    Pipelines of an earlier expansion (the hook fired twice) are left out.
    """
    from kedro.framework.project import pipelines

    requested = requested_pipelines()
    narrowed = requested is not None and DEFAULT_PIPELINE not in requested
    if narrowed:
        set_requested(needed_names(declaration, list(requested or ())))
    with hook_is_loading():
        try:
            loaded = dict(pipelines.items())
        except ImportError:
            if not narrowed:
                raise  # a template module that really does not import: keep its traceback
            # A template name no module defines (a typo): load every pipeline, so
            # that the plan names it with the registered ones and a did-you-mean.
            set_requested(None)
            loaded = dict(pipelines.items())
        except Exception as exc:  # e.g. OutputNotUniqueError from sum() in register_pipelines
            raise ProjectError(
                f"Kedro could not build the project's pipelines: {_first_line(exc)} Templates "
                "are not meant to run bare: return them from register_pipelines() without "
                "adding them up (find_dynamic_pipelines() does that).",
                path="register_pipelines",
                source="the pipeline registry",
            ) from exc
    namespaces = declaration.namespaces
    return {name: p for name, p in loaded.items() if not _earlier_expansion(name, p, namespaces)}


def _earlier_expansion(name: str, pipeline: Pipeline, namespaces: Mapping[str, Any]) -> bool:
    """Whether ``name`` is a pipeline that an earlier expansion registered.

    A template of the user's own named like a namespace stays, so that the plan
    reports the clash instead of not finding the template.
    """
    if name.split(".", 1)[0] not in namespaces or not pipeline.nodes:
        return False
    return all(is_expanded(node) for node in pipeline.nodes)


def _register(expansion: Expansion) -> None:
    """Write the expansion into the registry, replacing any earlier one.

    A pipeline made only of expanded nodes that this expansion does not have
    (another environment's variant, say) is removed, so that
    ``--pipelines`` cannot select it.
    """
    from kedro.framework.project import pipelines

    registry = dict(pipelines.items())
    for name, pipeline in registry.items():
        stale = name != DEFAULT_PIPELINE and name not in expansion.pipelines
        if stale and pipeline.nodes and all(is_expanded(n) for n in pipeline.nodes):
            del pipelines[name]
    for name, pipeline in expansion.registry_updates(registry).items():
        pipelines[name] = pipeline
