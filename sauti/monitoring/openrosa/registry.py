"""Forms of other apps served beside the report form by the OpenRosa API (list, download, submission).

An app above monitoring (questionnaires) registers a `FormSource` in its AppConfig.ready(); this module
never imports it, so the dependency points downward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from django.core.files.uploadedfile import UploadedFile

from sauti.monitoring.openrosa.submission import Submission
from sauti.people.models import Organisation, User


@dataclass(frozen=True)
class ListedForm:
    form_id: str
    title: str
    version: str
    md5: str


@dataclass(frozen=True)
class Outcome:
    status: int  # 201 stored, 202 duplicate, 400 refused, 409 conflict
    message: str


class FormSource(Protocol):
    def forms(self, org: Organisation) -> list[ListedForm]: ...

    def xml(self, org: Organisation, form_id: str) -> bytes | None: ...

    def receive(
        self, org: Organisation, user: User, sub: Submission, data: bytes, files: Mapping[str, UploadedFile]
    ) -> Outcome | None:
        """None when `sub.form_id` is not one of this source's forms in `org`."""


_sources: list[FormSource] = []


def register(source: FormSource) -> None:
    if source not in _sources:
        _sources.append(source)


def sources() -> list[FormSource]:
    return list(_sources)
