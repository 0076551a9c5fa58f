"""What a new user sees in a real ``kedro run``: a typo in a flag is one line with
a did-you-mean (no traceback, no node run), and the expansion's summary line
shows under Kedro's default logging and under a starter's ``conf/logging.yml``."""

from __future__ import annotations

import re

import pytest
from helpers import sample_project

# conf/logging.yml as Kedro's starters write it: Kedro and the package at INFO.
STARTER_LOGGING = """\
version: 1
disable_existing_loggers: False
formatters:
  simple:
    format: "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
handlers:
  console:
    class: logging.StreamHandler
    level: INFO
    formatter: simple
    stream: ext://sys.stdout
  rich:
    class: kedro.logging.RichHandler
    rich_tracebacks: True
loggers:
  kedro:
    level: INFO
  spaceflights_dynamic:
    level: INFO
root:
  handlers: [rich]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return sample_project(tmp_path_factory.mktemp("first_hour"))


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (
            ("--tags", "candidat1"),
            "Error: Nothing to run at '--tags': no node carries the tag 'candidat1'. Did you "
            "mean 'candidate1'?",
        ),
        (
            ("--namespaces", "price_predictor.candidat1"),
            "Error: Nothing to run at '--namespaces': no node is in namespace "
            "'price_predictor.candidat1'. Did you mean 'price_predictor.candidate1'?",
        ),
        (
            ("--pipelines", "price_predictr"),
            "Error: Nothing to run at '--pipelines': 'price_predictr' is not a registered "
            "pipeline. Did you mean 'price_predictor'?",
        ),
    ],
    ids=["tags", "namespaces", "pipelines"],
)
def test_a_typo_in_a_run_flag_is_one_line(project, flags, expected):
    ran = project.kedro("run", *flags, check=False)
    output = ran.stdout + ran.stderr
    assert ran.returncode == 1, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert expected in " ".join(output.split()), output[-3000:]
    assert not project.completed()


@pytest.mark.parametrize("logging_yml", [None, STARTER_LOGGING], ids=["default", "starter"])
def test_the_expansion_summary_shows_under_kedros_logging(project, logging_yml):
    config = project.path / "conf" / "logging.yml"
    if logging_yml is None:
        config.unlink(missing_ok=True)
    else:
        config.write_text(logging_yml)
    ran = project.kedro("run", "--namespaces", "reviews_predictor")
    text = " ".join(ran.stdout.split())
    assert re.search(
        r"Expanded 1 namespace\(s\) into 2 variant\(s\) and \d+ node\(s\) in [\d.]+s \(only what "
        r"this run's selection can touch\)\.",
        text,
    ), ran.stdout[-3000:]
