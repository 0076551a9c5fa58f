"""Which task groups are stale: their last run no longer matches the project.

A group is up to date when its last run succeeded, its fingerprint is the same
now (parameters, code, structure, the files it reads), its persisted outputs
exist, and no group it reads from is stale. Staleness flows downstream, so a
stale month makes every later month stale, and a stale variant its collect step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._checks.groups import TaskGroup
from .fingerprint import GroupPrint, differences

UP_TO_DATE = "up to date"
NEVER_RUN = "never run"
UPSTREAM = "upstream stale"


@dataclass(frozen=True)
class GroupStatus:
    """One group's state, for ``kedro dynamic status``.

    Attributes:
        group: The task group.
        reasons: Why it is stale; empty when it is up to date.
        needs: The groups whose in-memory outputs it reads: a re-run of it
            must run them too, stale or not.
    """

    group: TaskGroup
    reasons: tuple[str, ...]
    needs: tuple[str, ...] = ()

    @property
    def stale(self) -> bool:
        """Whether ``kedro dynamic run --stale`` runs it."""
        return bool(self.reasons)

    @property
    def summary(self) -> str:
        """``up to date``, or the reasons, separated by ``;``."""
        return "; ".join(self.reasons) or UP_TO_DATE

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form."""
        return {
            "group": self.group.name,
            "kind": self.group.kind,
            "namespace": self.group.namespace,
            "variant": self.group.variant,
            "stale": self.stale,
            "reasons": list(self.reasons),
        }


def statuses(
    groups: Sequence[TaskGroup],
    prints: Mapping[str, GroupPrint],
    state: Mapping[str, Any],
    missing_outputs: Callable[[Sequence[str]], list[str]],
    in_memory: Callable[[str], bool] = lambda name: False,
) -> list[GroupStatus]:
    """The state of every group, in dependency order.

    Args:
        groups: The task groups, in dependency order.
        prints: Group name -> its fingerprint now.
        state: Group name -> its record in the state file.
        missing_outputs: Dataset names -> those that are persisted and absent.
        in_memory: Whether a dataset lives in memory only (not persisted).
    """
    producer = {out: g.name for g in groups for out in prints[g.name].writes}
    stale: set[str] = set()
    result = []
    for group in groups:
        now = prints[group.name]
        record = state.get(group.name)
        reasons: list[str] = []
        if record is None:
            reasons.append(NEVER_RUN)
        elif not record.get("ok"):
            reasons.append("last run failed")
        else:
            reasons += differences(GroupPrint.from_dict(record.get("print", {})), now)
        upstream = sorted({producer[d] for d in now.reads if producer.get(d) in stale})
        if upstream:
            reasons.append(f"{UPSTREAM} ({', '.join(upstream)})")
        missing = missing_outputs(now.writes)
        if missing and record is not None and record.get("ok"):
            reasons.append(f"outputs missing ({', '.join(missing)})")
        if reasons:
            stale.add(group.name)
        needs = sorted({producer[d] for d in now.reads if d in producer and in_memory(d)})
        result.append(GroupStatus(group, tuple(reasons), tuple(needs)))
    return result
