"""docs/adopt.md, followed step by step on a project with the spaceflights
starter's layout (``tests/starter_layout.py``).

Each step is a fenced block after an ``<!-- adopt: ... -->`` marker:

- ``write PATH`` / ``append PATH``: the block becomes (the end of) that file;
- ``delete-entry PATH NAME``: the top-level entry NAME leaves that YAML file;
- ``run`` / ``refused``: every line of the block is a command run in the
  project, which must exit 0 (``run``) or 1 with one ``Error:`` line and no
  traceback (``refused``);
- ``output``: the block shows (part of) what the command before printed;
  each of its lines must appear, in order, in the real output
  (``tests/shown_output.py``: ``...`` stands for anything).

A page whose steps no longer run, or whose shown output is no longer what the
commands print, fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from shown_output import missing_line
from starter_layout import PACKAGE, write_starter

PAGE = Path(__file__).resolve().parents[2] / "docs" / "adopt.md"
STEP = re.compile(
    r"<!-- adopt: (?P<action>[\w-]+)(?: (?P<args>[^>]*?))? -->\n+```\w*\n(?P<block>.*?)^```",
    flags=re.S | re.M,
)


def steps() -> list[tuple[str, list[str], str]]:
    return [
        (m["action"], (m["args"] or "").split(), m["block"])
        for m in STEP.finditer(PAGE.read_text())
    ]


def _kedro(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    args = command.split()
    assert args[0] == "kedro", command
    env = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "PYTHONPATH": str(project / "src"),
        "COLUMNS": "250",
    }
    return subprocess.run(
        [sys.executable, "-m", "kedro", *args[1:]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_page_has_every_kind_of_step():
    actions = [action for action, _, _ in steps()]
    assert {"write", "delete-entry", "run", "refused", "output"} <= set(actions)
    assert actions.count("run") >= 4


def test_adopt_md_runs_step_by_step_on_the_starter_layout(tmp_path):
    project = write_starter(tmp_path / PACKAGE)
    assert _kedro(project, "kedro run").returncode == 0  # the starter as it is
    last = ""
    for action, args, block in steps():
        if action in ("write", "append"):
            path = project / args[0]
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = "a" if action == "append" else "w"
            with path.open(mode) as file:
                file.write(block)
        elif action == "delete-entry":
            path = project / args[0]
            entries = yaml.safe_load(path.read_text())
            assert entries.pop(args[1]) == yaml.safe_load(block)[args[1]], "the page shows it"
            path.write_text(yaml.safe_dump(entries, sort_keys=False))
        elif action in ("run", "refused"):
            for command in filter(None, (line.strip() for line in block.splitlines())):
                ran = _kedro(project, command)
                last = ran.stdout + ran.stderr
                expected = 0 if action == "run" else 1
                assert ran.returncode == expected, f"{command}:\n{last[-4000:]}"
                assert "Traceback" not in last, f"{command}:\n{last[-4000:]}"
                if action == "refused":
                    errors = [line for line in last.splitlines() if line.startswith("Error: ")]
                    assert len(errors) == 1, last[-3000:]
        elif action == "output":
            missing = missing_line(block, last)
            assert not missing, f"not in the output: {missing!r}\n{last[-4000:]}"
        else:
            pytest.fail(f"unknown step '{action}' in docs/adopt.md")
    # The last run (with the registry helper) still runs the global steps.
    assert "Completed node: create_model_input_table_node" in last
    assert "Completed node: compare_passenger_capacity_node" in last
    # Three candidates and a sweep, each compared; data_processing once; reporting kept.
    data = project / "data"
    for variant in ("linear", "ridge", "forest"):
        assert (data / f"08_reporting/candidates/{variant}/metrics.json").exists()
    assert (data / "08_reporting/candidates/comparison.csv").exists()
    assert (data / "08_reporting/ridge_sweep/comparison.csv").exists()
    assert (data / "03_primary/model_input_table.parquet").exists()
    assert not list(data.glob("03_primary/*/"))  # no per-namespace copy of the table
    assert (data / "08_reporting/shuttle_passenger_capacity.csv").exists()
