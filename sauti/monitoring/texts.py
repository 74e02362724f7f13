"""What free text of cases and reports a user is shown (issue 14).

Those who may see identities across the organisation (`access.sees_identities_in_text`: coordinators,
administrators, superusers) see what was written; everyone else (monitors, group leaders, analysts, officials, API
clients with those roles, exports they make, bundles shared outside) sees the text through the one
redaction (sauti/people/redaction.py), or the coordinator's correction of it (`Report.redacted_description`).
Every page, serializer and file that shows a description, a case title, a summary or a reason goes through
`TextPolicy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from sauti.monitoring.models import Case, Report
from sauti.people.access import Perm, organisation_ids_with
from sauti.people.models import User
from sauti.people.redaction import Redacted, Redactor


@dataclass(frozen=True)
class Shown:
    text: str
    redacted: bool  # the reader sees a redacted text (say so)


class TextPolicy:
    """One per request (or per file): who reads, and one name lookup for the texts about to be shown."""

    def __init__(self, identity_orgs: Iterable[int] | None) -> None:
        """`identity_orgs`: where the reader sees text as written (None: everywhere, a superuser)."""
        self.identity_orgs = None if identity_orgs is None else frozenset(identity_orgs)
        self._redactor = Redactor()
        self._prepared: set[tuple[int | None, str]] = set()

    @classmethod
    def for_user(cls, user: User | AnonymousUser | None) -> TextPolicy:
        if user is None or not user.is_authenticated:
            return cls(())
        return cls(organisation_ids_with(user, Perm.VIEW_IDENTITIES))

    @classmethod
    def outside(cls) -> TextPolicy:
        """For what leaves the organisation (bundles without identities, petitions): always redacted."""
        return cls(())

    def sees_original(self, organisation_id: int | None) -> bool:
        return self.identity_orgs is None or organisation_id in self.identity_orgs

    def prepare(self, items: Iterable[tuple[int | None, str]]) -> None:
        """Look up, in one query, the names in the texts about to be shown (a list page, an export chunk)."""
        self._look_up((org, text) for org, text in items if text and not self.sees_original(org))

    def _look_up(self, items: Iterable[tuple[int | None, str]]) -> None:
        wanted = set(items) - self._prepared
        if not wanted:
            return
        known = dict(self._redactor.known)
        for org, digests in Redactor.for_texts(wanted).known.items():
            known[org] = known.get(org, frozenset()) | digests
        self._redactor = Redactor(known)
        self._prepared |= wanted

    def redact(self, organisation_id: int | None, text: str) -> Redacted:
        """The automatic redaction, whoever reads (a coordinator's side-by-side view, the command)."""
        self._look_up([(organisation_id, text)])
        return self._redactor.redact(organisation_id, text)

    def text(self, organisation_id: int | None, text: str) -> Shown:
        if not text or self.sees_original(organisation_id):
            return Shown(text, False)
        self.prepare([(organisation_id, text)])
        redacted = self._redactor.redact(organisation_id, text)
        return Shown(redacted.text, redacted.changed)

    def description(self, report: Report) -> Shown:
        if self.sees_original(report.organisation_id):
            return Shown(report.description, False)
        if report.redacted_description:
            return Shown(report.redacted_description, report.redacted_description != report.description)
        return self.text(report.organisation_id, report.description)

    def place(self, report: Report) -> Shown:
        """The place as the reporter said it: free text like the description ("near Juma's shop, 0733…")."""
        return self.text(report.organisation_id, report.place_text)

    def prepare_reports(self, reports: Iterable[Report]) -> None:
        self.prepare(
            (r.organisation_id, t)
            for r in reports
            for t in ("" if r.redacted_description else r.description, r.place_text)
            if t
        )

    def prepare_cases(self, cases: Iterable[Case]) -> None:
        self.prepare(
            (c.organisation_id, t) for c in cases for t in (c.title, c.summary, c.rejection_reason) if t
        )

    def title(self, case: Case) -> str:
        return self.text(case.organisation_id, case.title).text


def withheld_title(case: Case) -> str:
    """What an office reads as the title of a sensitive case: its category, never words from the text."""
    if case.category is not None:
        return _("Sensitive case: %(category)s") % {"category": case.category.label}
    return _("Sensitive case")
