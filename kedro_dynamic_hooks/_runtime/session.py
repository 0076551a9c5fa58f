"""A project opened as ``kedro run`` would open it, for ``kedro dynamic`` commands.

Every command builds a real session (the project's ``SESSION_CLASS``), so what
it shows is what ``kedro run`` would see. Loading the context fires the hook,
which validates and registers; the command then reuses that expansion.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._declaration.names import variant_of
from .._errors import DynamicPipelinesError
from .._expansion.result import Expansion
from .config import missing_environment, original_parameters
from .hook import DynamicPipelinesHook
from .reporting import ReportedError, reported
from .service import load_expansion, read_declaration, registered

if TYPE_CHECKING:
    from kedro.framework.context import KedroContext


class Project:
    """A session's context and the expansion the hook registered for it.

    Attributes:
        context: The loaded context.
        key: The declaration's top-level parameters key.
        expansion: Every declared variant's expansion.
        pipelines: Kedro's registry, with the expansion in it.
        base: The parameters as the files (and ``--params``) gave them.
    """

    def __init__(self, context: KedroContext, hook: DynamicPipelinesHook) -> None:
        from kedro.framework.project import pipelines

        self.context = context
        self.key = hook.key
        expansion = expansion_of(context, hook.key)
        if expansion is None:
            env = missing_environment(context.config_loader)
            if env is not None:
                raise click.ClickException(
                    f"No configuration environment '{env}': "
                    f"{Path(context.config_loader.conf_source).name}/{env} does not exist."
                )
            raise click.ClickException(f"The parameters have no '{hook.key}' declaration.")
        self.expansion: Expansion = expansion
        self.pipelines = pipelines
        self.base = original_parameters(context.config_loader)

    @property
    def loader(self) -> Any:
        """The context's config loader, holding the expanded parameters and catalog."""
        return self.context.config_loader

    @property
    def project_path(self) -> Path:
        """The project's folder."""
        return Path(self.context.project_path)

    def variant_of(self, namespace: str | None) -> str | None:
        """``ns.variant`` for a node namespace inside a variant, else ``None``."""
        found = variant_of(namespace, self.expansion.variants)
        return None if found is None else ".".join(found)

    def names(self) -> list[str]:
        """Namespace and variant names, for did-you-mean."""
        variants = self.expansion.variants
        return [*variants, *(v for names in variants.values() for v in names)]


def expansion_of(context: KedroContext, key: str) -> Expansion | None:
    """The expansion of every declared variant for a loaded context, or ``None``.

    What the hook registered when it built everything; otherwise (a partial
    build, or no hook fired) built again by the same service, from the files.
    """
    loader = context.config_loader
    done = registered(loader)
    if done is not None and not done.expansion.partial:
        return done.expansion
    read = read_declaration(loader, key, context.project_path)
    if read is None:
        return None
    return load_expansion(loader, *read, key=key, project_path=str(context.project_path)).expansion


def project_hook() -> DynamicPipelinesHook:
    """The project's :class:`DynamicPipelinesHook`.

    Raises:
        click.ClickException: When ``settings.HOOKS`` has none.
    """
    from kedro.framework.project import settings

    hook = next((h for h in settings.HOOKS if isinstance(h, DynamicPipelinesHook)), None)
    if hook is None:
        raise click.ClickException(
            "DynamicPipelinesHook is not in settings.HOOKS; add "
            "'HOOKS = (DynamicPipelinesHook(),)' to your settings.py."
        )
    return hook


@contextlib.contextmanager
def open_project(env: str | None, params: dict[str, Any] | None = None) -> Iterator[Project]:
    """Open the project's session (its ``SESSION_CLASS``), as ``kedro run`` does.

    The session is closed on the way out. Our errors leave as one-line click
    errors.
    """
    from kedro.framework.project import settings
    from kedro.framework.session import KedroSession

    hook = project_hook()
    session_class = settings.SESSION_CLASS
    create_kwargs: dict[str, Any] = {"env": env}
    context_kwargs: dict[str, Any] = {}
    # KedroSession takes --params at creation, KedroServiceSession per context.
    if issubclass(session_class, KedroSession):
        create_kwargs["runtime_params"] = params or None
    elif params:
        context_kwargs["runtime_params"] = params
    with session_class.create(**create_kwargs) as session:
        try:
            yield Project(session.load_context(**context_kwargs), hook)
        except ReportedError:
            raise  # the hook's own, already chained to its cause
        except DynamicPipelinesError as exc:
            raise reported(exc) from exc
