"""``kedro dynamic``: inspect, re-run and deploy the expansion.

Registered as a ``kedro.project_commands`` entry point, so the group shows only
inside a Kedro project. Every command opens a real session, so what it shows
is what ``kedro run`` would see; errors are the hook's own, with exit code 1.
Each command parses its flags, calls one function below the CLI, and renders
the result: one module per command family.
"""

from __future__ import annotations

import click

from . import deploy, inspect, rerun, run


@click.group(name="kedro-dynamic-hooks")
def commands() -> None:
    """Project commands of kedro_dynamic_hooks."""


@commands.group(name="dynamic")
def dynamic() -> None:
    """Inspect, validate and document the dynamic pipelines declaration."""


for _command in (*inspect.COMMANDS, *run.COMMANDS, *rerun.COMMANDS, *deploy.COMMANDS):
    dynamic.add_command(_command)
