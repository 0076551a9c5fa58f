"""The README's examples are valid: declarations parse, Python snippets compile."""

from __future__ import annotations

import re
import textwrap

import pytest
import yaml
from helpers import ROOT, SAMPLE

from kedro_dynamic_hooks._schema import parse_declaration

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)


def test_readme_has_exactly_two_commands_marked_for_ci():
    assert README.count("<!-- main-command -->") == 1
    assert README.count("<!-- test-command -->") == 1
    bash = [body for lang, body in BLOCKS if lang == "bash"]
    assert len(bash) == 2


@pytest.mark.parametrize(
    "block", [body for lang, body in BLOCKS if lang == "yaml" and "dynamic_pipelines:" in body]
)
def test_readme_declarations_validate(block):
    parse_declaration(yaml.safe_load(block)["dynamic_pipelines"])


@pytest.mark.parametrize("block", [body for lang, body in BLOCKS if lang == "python"])
def test_readme_python_compiles(block):
    compile(textwrap.dedent(block), "README.md", "exec")


def test_sample_declaration_validates():
    params = yaml.safe_load((SAMPLE / "conf/base/parameters.yml").read_text())
    declaration = parse_declaration(params["dynamic_pipelines"])
    assert list(declaration.namespaces) == [
        "price_predictor",
        "reviews_predictor",
        "experiments",
        "forecast",
    ]
