"""Who reads an SMS for `sauti messaging parse`.

Reading a message into a report draft is the conversations app's (sauti.conversations.reading), above
this one: it registers its analysis at start-up (ConversationsConfig.ready), so the transport never
imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sauti.places.matching import PlaceCandidate


class Reading(Protocol):
    """What the analysis of one message found (sauti.conversations.reading.Analysis)."""

    @property
    def language(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def category_scores(self) -> Mapping[str, float]: ...
    @property
    def place(self) -> PlaceCandidate | None: ...
    @property
    def people_affected(self) -> int | None: ...
    @property
    def people_unit(self) -> str | None: ...
    @property
    def command(self) -> str | None: ...
    @property
    def reference(self) -> int | None: ...
    def to_json(self) -> dict[str, object]: ...


@dataclass(frozen=True, slots=True)
class Reader:
    read: Callable[[str, int | None], Reading]  # (text, county hint) -> what it says
    max_length: int  # longer texts are refused by the tool


_readers: list[Reader] = []


def register_reader(read: Callable[[str, int | None], Reading], max_length: int) -> None:
    _readers[:] = [Reader(read, max_length)]


def reader() -> Reader | None:
    return _readers[0] if _readers else None
