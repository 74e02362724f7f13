"""Site visits on ODK Collect / Enketo: the project site-visit form, served by monitoring's OpenRosa API
through its registry (list, download, submission; registered in `BudgetsConfig.ready()`).

A submission becomes the same Observation (+ monitoring Report, photos with EXIF-free public copies, audit
trail) the web form makes, through `actions.do_observe`; it is idempotent on the instanceID: a retry of the
same instance answers 202 and stores nothing new, a different instance under the same ID answers 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sauti.budgets.actions import BudgetError, ObservationInput, do_observe
from sauti.budgets.models import Observation, Project, SiteStatus, project_number
from sauti.monitoring.models import Report, ReportChannel
from sauti.monitoring.openrosa.registry import ListedForm, Outcome
from sauti.monitoring.openrosa.submission import Submission
from sauti.monitoring.openrosa.xlsform import DEFAULT_LANGUAGE, LANGUAGES, MAX_PIXELS, convert_sheets
from sauti.people.access import Perm, can
from sauti.people.models import Organisation, User

FORM_PREFIX = "budget-visit-"
PHOTOS = ("photo", "photo_2")

Text = str | Promise

# name, type, label, hint, extra columns (English msgids; each label is written in both languages)
QUESTIONS: tuple[tuple[str, str, Text, Text, dict[str, str]], ...] = (
    ("project", "text", gettext_lazy("Project number"),
     gettext_lazy("As on the project list, e.g. P12 or 12."),
     {"required": "yes", "constraint": "regex(., '^[Pp]?[0-9]+$') and string-length(.) <= 8"}),
    ("status", "select_one site_status", gettext_lazy("What did you see?"), "", {"required": "yes"}),
    ("note", "text", gettext_lazy("Notes"), gettext_lazy("Optional."), {"appearance": "multiline"}),
    ("observed_on", "date", gettext_lazy("Date of the visit"), gettext_lazy("Optional."),
     {"constraint": ". <= today()"}),
    ("location", "geopoint", gettext_lazy("Location (GPS)"),
     gettext_lazy("Optional. Record it at the site."), {}),
    ("photo", "image", gettext_lazy("Photo"),
     gettext_lazy("Optional. Do not photograph people without their consent."),
     {"parameters": f"max-pixels={MAX_PIXELS}"}),
    ("photo_2", "image", gettext_lazy("Another photo"), gettext_lazy("Optional."),
     {"parameters": f"max-pixels={MAX_PIXELS}"}),
)  # fmt: skip
CONSTRAINT_MESSAGES: dict[str, Text] = {
    "project": gettext_lazy("Give the project number from the list, e.g. P12."),
    "observed_on": gettext_lazy("The date is in the future."),
}
COLUMNS = (
    "type", "name", *(f"label::{lang}" for _c, lang in LANGUAGES), *(f"hint::{lang}" for _c, lang in LANGUAGES),
    "required", "constraint", *(f"constraint_message::{lang}" for _c, lang in LANGUAGES), "appearance",
    "parameters",
)  # fmt: skip


@dataclass(frozen=True)
class VisitForm:
    form_id: str
    title: str
    version: str
    xml: bytes
    md5: str


def form_id_for(org: Organisation) -> str:
    return f"{FORM_PREFIX}{org.slug}"


def _both(text: Text) -> list[str]:
    out = []
    for code, _label in LANGUAGES:
        with translation.override(code):
            out.append(str(text) if text else "")
    return out


def spec(org: Organisation) -> dict[str, list[list[str]]]:
    """The XLSForm as sheets of rows, labels in English and Kiswahili from the catalog."""
    langs = [lang for _c, lang in LANGUAGES]
    survey: list[list[str]] = [list(COLUMNS)]
    for name, kind, label, hint, extra in QUESTIONS:
        values = {
            "type": kind,
            "name": name,
            **{f"label::{lang}": t for lang, t in zip(langs, _both(label), strict=True)},
            **{f"hint::{lang}": t for lang, t in zip(langs, _both(hint), strict=True)},
            **{
                f"constraint_message::{lang}": t
                for lang, t in zip(langs, _both(CONSTRAINT_MESSAGES.get(name, "")), strict=True)
            },
            **extra,
        }
        survey.append([values.get(column, "") for column in COLUMNS])
    choices: list[list[str]] = [["list_name", "name", *(f"label::{lang}" for lang in langs)]]
    choices += [["site_status", value, *_both(label)] for value, label in SiteStatus.choices]
    with translation.override("en"):
        title = _("Project site visit — %(organisation)s") % {"organisation": org.name}
    body = json.dumps(
        {"survey": survey, "choices": choices, "title": title}, sort_keys=True, ensure_ascii=False
    )
    version = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    settings_rows = [
        ["form_title", "form_id", "version", "default_language", "instance_name"],
        [title, form_id_for(org), version, DEFAULT_LANGUAGE, "concat('P', ${project}, ' ', ${status})"],
    ]
    return {"survey": survey, "choices": choices, "settings": settings_rows}


def visit_form(org: Organisation) -> VisitForm:
    sheets = spec(org)
    xml, md5 = convert_sheets(sheets)
    header, values = sheets["settings"]
    settings = dict(zip(header, values, strict=True))
    return VisitForm(settings["form_id"], settings["form_title"], settings["version"], xml, md5)


def _point(raw: str) -> tuple[float | None, float | None]:
    """ODK geopoint: "lat lon altitude accuracy" (the last two optional)."""
    if not raw:
        return None, None
    parts = raw.split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        lat, lon = 999.0, 999.0
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BudgetError(_("The GPS location “%(value)s” is not valid.") % {"value": raw[:60]})
    return lat, lon


def _date(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise BudgetError(_("The date “%(value)s” is not valid.") % {"value": raw[:40]}) from None


class SiteVisitSource:
    """monitoring.openrosa.registry.FormSource for the site-visit form (listed once the register has projects)."""

    def forms(self, org: Organisation) -> list[ListedForm]:
        if not Project.objects.filter(organisation=org).exists():
            return []
        form = visit_form(org)
        return [ListedForm(form_id=form.form_id, title=form.title, version=form.version, md5=form.md5)]

    def xml(self, org: Organisation, form_id: str) -> bytes | None:
        return visit_form(org).xml if form_id == form_id_for(org) else None

    def receive(
        self, org: Organisation, user: User, sub: Submission, data: bytes, files: Mapping[str, UploadedFile]
    ) -> Outcome | None:
        if sub.form_id != form_id_for(org):
            return None
        if not can(user, Perm.OBSERVE_PROJECTS, org):
            return Outcome(403, _("You may not record site visits for this organisation."))
        f = sub.fields
        raw_code = f.get("project", "")
        number = project_number(raw_code)
        project = (
            Project.objects.filter(organisation=org, number=number).select_related("county", "ward").first()
            if number is not None
            else None
        )
        if project is None:
            return Outcome(
                400,
                _("There is no project number %(n)s. Check the number on the project list.")
                % {"n": raw_code[:20]},
            )
        status = f.get("status", "")
        stored = Report.objects.filter(
            organisation=org, channel=ReportChannel.ODK, external_id=sub.instance_id
        ).first()
        if stored is not None:
            seen = Observation.objects.filter(report=stored).first()
            retry = (project.pk, status, f.get("note", "").strip()[:2000])
            if seen is not None and (seen.project_id, seen.status, seen.note) == retry:
                return Outcome(202, _("Duplicate submission"))
            return Outcome(409, _("A different submission with the same instance ID was already received."))
        try:
            lat, lon = _point(f.get("location", ""))
            observation = do_observe(
                project,
                ObservationInput(
                    status=status,
                    note=f.get("note", "")[:2000],
                    lat=lat,
                    lon=lon,
                    observed_on=_date(f.get("observed_on", "")),
                    photos=[files[name] for p in PHOTOS if (name := f.get(p, "")) and name in files],
                    source=Observation.Source.ODK,
                    by=user,
                    language=user.preferred_language if user.preferred_language in ("en", "sw") else "sw",
                    external_id=sub.instance_id,
                ),
            )
        except BudgetError as exc:
            return Outcome(400, str(exc))
        return Outcome(
            201,
            _("Thank you. %(project)s: “%(status)s” recorded (report %(ref)s).")
            % {
                "project": project.reference,
                "status": observation.get_status_display(),
                "ref": observation.report.reference if observation.report else "",
            },
        )


SOURCE = SiteVisitSource()
