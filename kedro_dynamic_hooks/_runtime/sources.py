"""Find which configuration file declares the dynamic pipelines, for messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def declaration_source(loader: Any, key: str) -> str:
    """Return the parameters file(s) that define ``key``, relative to the project.

    Only called when an error is reported, so reading the files again is fine.
    Falls back to a generic description for loaders that are not file based.
    """
    conf_source = getattr(loader, "conf_source", None)
    patterns = getattr(loader, "config_patterns", {}).get("parameters", [])
    if not conf_source or not Path(conf_source).is_dir():
        return "the parameters configuration"
    envs = [getattr(loader, "base_env", "base")]
    run_env = getattr(loader, "env", None) or getattr(loader, "default_run_env", None)
    if run_env and run_env not in envs:
        envs.append(run_env)
    root = Path(conf_source)
    found: list[str] = []
    for env in envs:
        for pattern in patterns:
            for path in sorted((root / env).glob(pattern)):
                if path.suffix in {".yml", ".yaml", ".json"} and _defines(path, key):
                    shown = f"{root.name}/{path.relative_to(root).as_posix()}"
                    if shown not in found:
                        found.append(shown)
    return ", ".join(found) or "the parameters configuration"


def _defines(path: Path, key: str) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and key in data
