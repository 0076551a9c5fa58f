"""A journal writer killed with SIGKILL leaves a journal the next run reads and extends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from kedro_dynamic_hooks._rerun.journal import append_records, read_state

GOOD = {"ok": True, "run": "1", "print": {"parameters": {"a": "x"}, "structure": "s"}}


def test_a_writer_killed_mid_write_leaves_a_readable_journal(tmp_path):
    path = tmp_path / "local.jsonl"
    writer = textwrap.dedent(
        f"""
        from pathlib import Path
        from kedro_dynamic_hooks._rerun.journal import append_records
        big = {{"ok": True, "run": "k", "print": {{"parameters": {{str(i): "x" * 50 for i in range(20000)}}}}}}
        i = 0
        while True:
            append_records(Path({str(path)!r}), {{f"w{{i}}": big}})
            i += 1
        """
    )
    process = subprocess.Popen([sys.executable, "-c", writer])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not path.exists() or path.stat().st_size < 3e6):
            time.sleep(0.05)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    written = read_state(path)
    assert written, "the writer wrote nothing before it was killed"
    append_records(path, {"after": GOOD})
    state = read_state(path)
    assert "after" in state and set(written) <= set(state)
