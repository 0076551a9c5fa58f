"""Every command output shown in docs/ is what the command prints today.

An output block (a fenced ``text`` block) is preceded by a marker:

- ``<!-- output: CMD ; CMD -->``: run the commands in a copy of the sample
  project and compare what they print with the block
  (``tests/shown_output.py``: in order, ``...`` for anything);
- ``<!-- output: not run: WHY -->``: shown but not run here, and why;
- ``<!-- step: kedro ... -->`` and ``<!-- step: edit FILE: OLD => NEW -->``:
  what the page did before (a run, an edit), replayed in order.

Each page gets its own copy of the sample project. docs/adopt.md has its own
test (``test_adopt.py``). A new output block without a marker fails
``test_every_shown_output_is_marked``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import sample_project
from shown_output import missing_line

DOCS = Path(__file__).resolve().parents[2] / "docs"
MARKED = re.compile(
    r"<!-- (?P<kind>output|step): (?P<what>.*?) -->\n(?:(?=<!--)|\n*```text\n(?P<block>.*?)^```)",
    flags=re.S | re.M,
)
TEXT = re.compile(r"^```text\n(?P<block>.*?)^```", flags=re.S | re.M)
# What an output looks like, as opposed to a list of commands to type.
LOOKS_PRINTED = re.compile(r"Error:|┏|^OK:|^Wrote |^Startup:|^INFO |^ERROR |group\(s\)", re.M)
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name != "adopt.md")


def _marked(page: Path) -> list[tuple[str, str, str | None]]:
    return [(m["kind"], m["what"], m["block"]) for m in MARKED.finditer(page.read_text())]


def test_every_shown_output_is_marked():
    unmarked = []
    for page in PAGES:
        text = page.read_text()
        for block in TEXT.finditer(text):
            if LOOKS_PRINTED.search(block["block"]):
                before = text[: block.start()].rstrip().rsplit("\n", 1)[-1]
                if not before.startswith("<!-- output: "):
                    unmarked.append(f"{page.name}: {block['block'].splitlines()[0][:80]}")
    assert unmarked == []


def test_every_marker_is_read():
    # A marker the pattern skips (another fence, a typo) would be a test of nothing.
    for page in [*PAGES, DOCS / "adopt.md"]:
        text = page.read_text()
        written = re.findall(r"<!-- (?:output|step):", text)
        assert len(written) == len(_marked(page)), page.name
        for kind, what, block in _marked(page):
            assert "\n" not in what and "-->" not in what, (page.name, what)
            if kind == "output" and not what.startswith("not run: "):
                assert block and block.strip(), (page.name, what)


def test_the_docs_show_enough_outputs_to_mean_something():
    run = [
        w for p in PAGES for k, w, _ in _marked(p) if k == "output" and not w.startswith("not run")
    ]
    assert len(run) >= 12, run


@pytest.mark.parametrize(
    "page", [p for p in PAGES if any(k == "output" for k, _, _ in _marked(p))], ids=lambda p: p.name
)
def test_shown_outputs_are_what_the_commands_print(page, tmp_path):
    project = sample_project(tmp_path)
    for kind, what, block in _marked(page):
        if kind == "step" and what.startswith("edit "):
            file, change = what[len("edit ") :].split(": ", 1)
            old, new = change.split(" => ")
            path = project.path / file
            text = path.read_text()
            assert old in text, f"{page.name}: '{old}' not in {file}"
            path.write_text(text.replace(old, new, 1))
        elif kind == "step":
            assert what.startswith("kedro "), what
            ran = project.kedro(*what.split()[1:], check=False)
            assert ran.returncode == 0, f"{page.name}: {what}\n{(ran.stdout + ran.stderr)[-3000:]}"
        elif not what.startswith("not run: "):
            assert block is not None, f"{page.name}: '{what}' is followed by no text block"
            printed = ""
            # An output that shows an error comes from a command that fails.
            expected = 1 if "Error: " in block else 0
            for command in what.split(" ; "):
                ran = project.kedro(*command.split()[1:], check=False)
                printed += ran.stdout + ran.stderr
                assert "Traceback" not in printed, f"{page.name}: {command}\n{printed[-3000:]}"
                assert ran.returncode == expected, f"{page.name}: {command}\n{printed[-3000:]}"
            missing = missing_line(block, printed)
            assert not missing, f"{page.name}: {what}\nnot printed: {missing!r}\n{printed[-4000:]}"
