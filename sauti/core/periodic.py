"""The jobs `sauti worker` runs on a clock. Each app registers its own in its AppConfig.ready();
`sauti/ops/schedule.py` runs them, so the worker knows no app's upkeep by name.

A job returns how many rows it handled (for the log line) and must be idempotent and claim its rows:
several workers may run the same schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Every = Literal["minute", "day"]


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]
    every: Every
    # The log line's words for the count, e.g. "drafts submitted".
    counts: str


_JOBS: dict[str, Job] = {}


def register(name: str, run: Callable[[], int], *, every: Every, counts: str) -> None:
    """Register (or replace, when an app's ready() runs twice in tests) the job called `name`."""
    _JOBS[name] = Job(name=name, run=run, every=every, counts=counts)


def jobs(every: Every) -> list[Job]:
    """The jobs of one rhythm, in the order their apps were registered (INSTALLED_APPS order)."""
    return [job for job in _JOBS.values() if job.every == every]
