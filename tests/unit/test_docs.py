"""The README and every page in docs/ stay valid, portable and linked.

For each page: YAML declarations parse, Python blocks compile, no absolute path
of a machine appears, and every relative link points to an existing file (and
heading, when it has an anchor). The README stays short, keeps exactly the two
commands that CI runs, and links every docs page.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, SAMPLE

from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._declaration.sections import VariantsFromSpec
from kedro_dynamic_hooks._declaration.table import pending_variants

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
MAX_README_BYTES = 8_000

FENCE = re.compile(r"^[ \t]*```(\w*)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", flags=re.S | re.M)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", flags=re.M)
MACHINE_PATH = re.compile(r"(?<![\w.])(?:/work/|/home/|/root/|/tmp/|/Users/|[A-Za-z]:\\)")


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _blocks(lang: str, containing: str = "") -> list[pytest.param]:
    """Every fenced block of ``lang`` in every page, with ids like ``docs/cli.md:yaml#2``."""
    params = []
    for page in PAGES:
        bodies = [body for kind, body in FENCE.findall(_text(page)) if kind == lang]
        for number, body in enumerate(bodies, start=1):
            if containing in body:
                params.append(pytest.param(page, body, id=f"{_name(page)}:{lang}#{number}"))
    return params


def _prose(text: str) -> str:
    """The page without its fenced blocks and inline code, where links live."""
    text = FENCE.sub("", text)
    return re.sub(r"`[^`\n]*`", "", text)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # keep a link's text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(h) for h in HEADING.findall(FENCE.sub("", _text(page)))}


def _links() -> list[pytest.param]:
    params = []
    for page in PAGES:
        for target in dict.fromkeys(LINK.findall(_prose(_text(page)))):  # once each
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            params.append(pytest.param(page, target, id=f"{_name(page)}->{target}"))
    return params


def test_every_page_is_found():
    assert README.exists()
    assert len(PAGES) > 1, "no docs/*.md page found"


def test_readme_has_exactly_two_commands_marked_for_ci():
    text = _text(README)
    assert text.count("<!-- main-command -->") == 1
    assert text.count("<!-- test-command -->") == 1
    bash = [body for lang, body in FENCE.findall(text) if lang == "bash"]
    assert len(bash) == 2
    for marker in ("<!-- main-command -->", "<!-- test-command -->"):
        after = text[text.index(marker) + len(marker) :]
        assert after.startswith("\n```bash\n"), f"{marker} must be followed by a bash block"


def test_readme_is_short():
    size = len(README.read_bytes())
    assert size <= MAX_README_BYTES, f"README.md is {size} bytes; move details to docs/"


@pytest.mark.parametrize("page", PAGES[1:], ids=_name)
def test_readme_links_every_docs_page(page):
    linked = {
        (ROOT / target.split("#", 1)[0]).resolve()
        for target in LINK.findall(_prose(_text(README)))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)
    }
    assert page.resolve() in linked, f"README.md does not link {_name(page)}"


@pytest.mark.parametrize(("page", "block"), _blocks("yaml", containing="dynamic_pipelines:"))
def test_declarations_validate(page, block):
    declared = yaml.safe_load(textwrap.dedent(block))["dynamic_pipelines"]
    for spec in declared.values():  # a table's rows come from its dataset: one stands in
        if "variants_from" in spec:
            spec["variants_from"]["rows"] = {"example": {}}
    parse_declaration(declared)


@pytest.mark.parametrize(("page", "block"), _blocks("python"))
def test_python_compiles(page, block):
    compile(textwrap.dedent(block), _name(page), "exec")


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_no_machine_paths(page):
    found = [line.strip() for line in _text(page).splitlines() if MACHINE_PATH.search(line)]
    assert not found, f"absolute machine paths in {_name(page)}: {found}"


@pytest.mark.parametrize(("page", "target"), _links())
def test_relative_links_resolve(page, target):
    path, _, anchor = target.partition("#")
    destination = (page.parent / path).resolve() if path else page.resolve()
    assert destination.exists(), f"{_name(page)} links to missing {path}"
    if anchor and destination.suffix == ".md":
        assert anchor in _anchors(destination), f"no heading for #{anchor} in {path or _name(page)}"


def test_sample_declaration_validates():
    params = yaml.safe_load((SAMPLE / "conf/base/parameters.yml").read_text())
    declared = params["dynamic_pipelines"]
    # 'regional' takes its variants from a table a node writes: as when it is not
    # written yet, one stand-in variant (the rows are read with the project).
    table = declared["regional"]["variants_from"]
    table["rows"] = pending_variants(VariantsFromSpec.model_validate(table))
    declaration = parse_declaration(declared)
    assert list(declaration.namespaces) == [
        "price_predictor",
        "reviews_predictor",
        "experiments",
        "forecast",
        "regional",
    ]
