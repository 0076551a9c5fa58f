"""``kedro dynamic status``, ``run --stale`` and ``compare`` in-process on the demo
project, and what runs in this process record (subprocess runs: tests/e2e/test_rerun.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import dynamic
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks._cli import commands


def _json_rows(output: str) -> list[dict[str, Any]]:
    """The JSON list a command printed (Kedro may log lines before it)."""
    start = output.index("[\n") if output.startswith("[\n") else output.index("\n[\n") + 1
    rows: list[dict[str, Any]] = json.loads(output[start:])
    return rows


def _run_demo(**selection: Any) -> None:
    with KedroSession.create() as session:
        session.run(**selection)


def test_status_run_stale_and_compare_in_process(demo_session):
    rows = _json_rows(dynamic("status", "--json").output)
    assert all(r["reasons"][0] == "never run" for r in rows) and len(rows) == 9

    _run_demo()
    assert "0 of 9 group(s) stale." in dynamic("status").output
    params = demo_session / "conf" / "base" / "parameters.yml"
    params.write_text(params.read_text().replace("alpha: 0.25", "alpha: 0.3"))
    status = dynamic("status", "-ns", "models")
    assert "parameters changed (options.alpha)" in status.output
    assert (
        "2 of 6 group(s) stale. 'kedro dynamic run --stale --namespaces models' runs them."
        in status.output
    )
    assert "1 of 2 group(s) stale." in dynamic("status", "--tags", "tiny").output  # + shared
    assert "0 of 3 group(s) stale." in dynamic("status", "-t", "m1,small").output
    dry = dynamic("run", "--stale", "--dry-run", "--params", "size=20", "-r", "SequentialRunner")
    assert "2 of 9 task group(s) stale: models.tiny, models.collect." in dry.output
    assert (
        "kedro run --nodes models.tiny.fit,models.tiny.score,models.compare --params size=20 "
        "--runner SequentialRunner" in dry.output
    )
    wrong = CliRunner().invoke(commands, ["dynamic", "run", "--stale", "-r", "FastRunner"])
    assert wrong.exit_code == 1
    assert wrong.output.splitlines()[-1].startswith("Error: Unknown runner 'FastRunner': ")
    ran = dynamic("run", "--stale")
    assert ran.exit_code == 0, ran.output
    assert "0 of 9 group(s) stale." in dynamic("status").output
    assert "Nothing is stale: 9 task group(s) up to date." in dynamic("run", "--stale").output

    csv_out = dynamic("compare", "metrics", "-ns", "forecast", "--format", "csv", "--sort", "mae")
    assert csv_out.exit_code == 0, csv_out.output
    lines = csv_out.output[csv_out.output.index("variant,") :].splitlines()
    assert lines[0] == "variant,mae" and len(lines) == 4
    table = dynamic("compare", "metrics", "-ns", "models.small")
    assert "models.small │ 9.5" in table.output  # alpha 0.5: the mean of x over 0..19
    with_params = dynamic(
        "compare",
        "metrics",
        "-ns",
        "models",
        "--params-columns",
        "--format",
        "csv",
        "--sort",
        "params:options.alpha",
    )
    lines = with_params.output[with_params.output.index("variant,") :].splitlines()
    assert lines[0] == "variant,params:options.alpha,mae"
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["models.tiny", "0.3"],  # changed above
        ["models.small", "0.5"],
        ["models.exact", "1.0"],
        ["models.large", "2.0"],
    ]
    written = demo_session / "metrics.csv"
    to_file = dynamic("compare", "metrics", "-ns", "models", "--format", "csv", "-o", str(written))
    assert to_file.exit_code == 0, to_file.output
    assert written.read_text().splitlines()[0] == "variant,mae"  # the file holds the csv alone
    table_to_file = CliRunner().invoke(commands, ["dynamic", "compare", "metrics", "-o", "x.txt"])
    assert table_to_file.exit_code == 2
    assert "Error: --output writes csv, json or markdown: add --format." in table_to_file.output
    missing = CliRunner().invoke(commands, ["dynamic", "compare", "nope"])
    assert missing.exit_code == 1
    assert (
        "Error: No variant has a persisted dataset 'nope'. Per-variant datasets compare can "
        "read (JSON, YAML, metrics, tables): metrics, state." in missing.output
    )
    bad_sort = CliRunner().invoke(commands, ["dynamic", "compare", "metrics", "--sort", "x"])
    assert "Error: no column 'x' to sort by. Columns: mae." in bad_sort.output
    unknown = CliRunner().invoke(commands, ["dynamic", "status", "-ns", "nope"])
    assert unknown.exit_code == 1 and "matches no task group" in unknown.output
    missing_env = CliRunner().invoke(commands, ["dynamic", "status", "--env", "prod"])
    assert missing_env.output.endswith(
        "Error: No configuration environment 'prod': conf/prod does not exist.\n"
    )
    # Without --stale and without tables a node writes: one run of what the flags select.
    dry = CliRunner().invoke(commands, ["dynamic", "run", "--namespaces", "models", "--dry-run"])
    assert dry.output.splitlines()[-1] == (
        "kedro run --nodes models.make_table,models.exact.fit,models.large.fit,"
        "models.small.fit,models.tiny.fit,models.exact.score,models.large.score,"
        "models.small.score,models.tiny.score,models.compare"
    ), dry.output
    typo = CliRunner().invoke(commands, ["dynamic", "run", "--namespaces", "modles.small"])
    assert typo.exit_code == 1 and typo.output.endswith(
        "Error: --namespaces modles selects no node. Namespaces: forecast, models. "
        "Did you mean 'models'?\n"
    )


def test_a_failing_run_records_the_failed_group(demo_session):
    params = demo_session / "conf" / "base" / "parameters.yml"
    params.write_text(params.read_text().replace("alpha: 0.25", "alpha: boom"))
    with pytest.raises(TypeError):
        _run_demo(namespaces=["models"])
    params.write_text(params.read_text().replace("alpha: boom", "alpha: 0.25"))
    rows = _json_rows(dynamic("status", "--json").output)
    tiny = next(r for r in rows if r["group"] == "models.tiny")
    assert tiny["reasons"] == ["last run failed"]


@pytest.mark.parametrize("runner", ["ParallelRunner", "ThreadRunner"])
def test_parallel_runs_record_their_groups(demo_session, runner):
    from kedro import runner as runners

    _run_demo(namespaces=["models"], runner=getattr(runners, runner)(max_workers=2))
    status = dynamic("status", "-ns", "models")
    assert "0 of 6 group(s) stale." in status.output


def test_compare_names_a_written_file_it_cannot_read_and_exits_1(demo_session):
    _run_demo(namespaces=["models"])
    (demo_session / "data" / "models" / "tiny" / "metrics.json").write_text('{"score": 1.')
    result = dynamic("compare", "metrics", catch_exceptions=True)
    assert result.exit_code == 1
    assert "1 variant(s) wrote 'metrics' but it cannot be read: models.tiny (" in result.output
    assert "Re-run them, e.g. 'kedro dynamic run --stale'." in result.output


def test_the_state_folder_moves_to_a_shared_volume_and_a_worker_without_it_sees_never_run(
    demo_session, tmp_path, monkeypatch
):
    # Workers of a cluster point KEDRO_DYNAMIC_STATE_DIR at one shared volume: what
    # runs anywhere is recorded there, and status on any machine with it agrees.
    shared = tmp_path / "shared_state"
    monkeypatch.setenv("KEDRO_DYNAMIC_STATE_DIR", str(shared))
    _run_demo(namespaces=["models"])
    _run_demo(namespaces=["forecast"])
    assert (shared / "local.jsonl").exists() and (shared / "checked.json").exists()
    assert not (demo_session / "data" / ".dynamic_pipelines").exists()
    assert "0 of 9 group(s) stale." in dynamic("status").output
    # A machine without the shared folder never calls a result up to date.
    monkeypatch.delenv("KEDRO_DYNAMIC_STATE_DIR")
    rows = _json_rows(dynamic("status", "--json").output)
    assert {r["reasons"][0] for r in rows} == {"never run"} and len(rows) == 9
