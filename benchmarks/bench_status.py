"""Benchmark: ``kedro dynamic status`` on a project of many variants.

Run: python benchmarks/bench_status.py [--sizes 100 1000] [--repeat 3]

For each size it generates the project of ``bench_e2e.py`` (named variants),
runs it whole once so that every task group has a record, then times
``kedro dynamic status`` against ``kedro dynamic list`` in the same project:
both start Kedro and expand every variant, so the difference is what status
adds (fingerprints, the state file, output checks). Best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_e2e import environment, make_project


def timed(project: Path, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "kedro", *args],
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"kedro {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return wall, result.stdout + result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'variants':>8} | {'full run s':>10} | {'list s':>7} | {'status s':>8} | {'status - list':>13}"
    )
    print("-" * 58, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            project = make_project(Path(tmp) / f"n{n}", n)
            (project / "logging.yml").write_text(
                "version: 1\ndisable_existing_loggers: false\nroot: {level: WARNING}\n"
            )
            run, _ = timed(project, "run")
            _, output = timed(project, "dynamic", "status")
            if f"0 of {n + 1} group(s) stale." not in output:
                raise SystemExit(f"expected every group up to date:\n{output[-3000:]}")
            listed = min(timed(project, "dynamic", "list")[0] for _ in range(args.repeat))
            status = min(timed(project, "dynamic", "status")[0] for _ in range(args.repeat))
            print(
                f"{n:>8} | {run:10.2f} | {listed:7.2f} | {status:8.2f} | {status - listed:12.2f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
