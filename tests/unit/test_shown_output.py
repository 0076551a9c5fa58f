"""How a shown output is compared with a real one (tests/shown_output.py), which
test_adopt.py and test_doc_outputs.py rely on."""

from __future__ import annotations

import pytest
from shown_output import missing_line


@pytest.mark.parametrize(
    ("shown", "output", "missing"),
    [
        ("OK: 2 namespace(s)\n...", "INFO x\nOK: 2 namespace(s)\n", ""),
        ("OK: 2 namespace(s)", "OK: 3 namespace(s)", "OK: 2 namespace(s)"),  # counts count
        ("OK", "NOT OK", "OK"),  # anchored at the start
        ("2 variant(s) built", "12 variant(s) built", "2 variant(s) built"),
        ("Error: x", "Error: x y", "Error: x"),  # anchored at the end
        ("Error: x ...", "Error: x y", ""),  # unless it ends with ...
        ("| a | ... |", "| a | 1 | 2 |", ""),
        ("b\na", "a\nb\n", "a"),  # in order
        ("Error: x ... z", "Error: x y", "Error: x ... z"),
        # A logger's prefix, and rich's source column, are not part of the line.
        ("Expanded 1 in 0.02s.", "[12/04/26 17:22:56] INFO Expanded 1 in 1.3s. hook.py:111", ""),
        ("INFO kedro.dynamic_hooks: Expanded", "INFO kedro.dynamic_hooks: Expanded", ""),
        ("Expanded", "INFO kedro.dynamic_hooks: Expanded", ""),
        # Borders are layout: a wider table still matches.
        ("┏━━┓\n│ a │\n└──┘", "┏━━━━━━┓\n│ a    │\n└──────┘", ""),
    ],
)
def test_shown_output_is_compared_line_by_line(shown, output, missing):
    assert missing_line(shown, output) == missing


def test_a_block_with_nothing_to_compare_is_an_error():
    with pytest.raises(ValueError, match="nothing to compare"):
        missing_line("...\n┏━━┓\n", "anything")
