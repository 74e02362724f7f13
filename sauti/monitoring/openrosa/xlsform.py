"""The field report form: an XLSForm built from the organisation's taxonomy, converted to an XForm by pyxform.

The workbook is generated in code (English and Kiswahili labels from the translation catalog) so it follows
the taxonomy as coordinators edit it. Its version is a hash of its content: any change to the categories or
labels gives ODK Collect a new version to download.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from functools import lru_cache

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sauti.monitoring.models import Category
from sauti.people.models import Organisation

FORM_PREFIX = "sauti-"
ROOT = "report"
LANGUAGES = (("en", "English (en)"), ("sw", "Kiswahili (sw)"))
DEFAULT_LANGUAGE = "Kiswahili (sw)"
MAX_PIXELS = 1600  # photos are shrunk on the phone: cheaper to send over 2G/3G

Text = str | Promise

# name, type, label, hint, extra columns
QUESTIONS: tuple[tuple[str, str, Text, Text, dict[str, str]], ...] = (
    ("description", "text", _("What happened?"), _("Say what happened, to whom and who did it."),
     {"required": "yes", "appearance": "multiline"}),
    ("occurred_on", "date", _("When did it happen?"), "",
     {"constraint": ". <= today() and . >= date('1963-01-01')"}),
    ("category", "select_one category", _("What is it about?"), "", {"required": "yes"}),
    ("subcategory", "select_one subcategory", _("More precisely"), _("Optional."),
     {"choice_filter": "parent=${category}"}),
    ("place_text", "text", _("Where did it happen?"), _("Village, estate or ward, as people call it."), {}),
    ("location", "geopoint", _("Location (GPS)"), _("Optional. Record it where it happened."), {}),
    ("people_affected", "integer", _("How many people are affected?"), _("Optional."),
     {"constraint": ". >= 0 and . <= 10000000"}),
    ("photo", "image", _("Photo"), _("Optional. Do not photograph people without their consent."),
     {"parameters": f"max-pixels={MAX_PIXELS}"}),
    ("language", "select_one language", _("Language of this report"), "", {"default": "sw", "required": "yes"}),
)  # fmt: skip
CONSTRAINT_MESSAGES: dict[str, Text] = {
    "occurred_on": _("The date cannot be in the future or before 1963."),
    "people_affected": _("Give a number of people, 0 or more."),
}
SURVEY_COLUMNS = (
    "type", "name", *(f"label::{lang}" for _code, lang in LANGUAGES), *(f"hint::{lang}" for _code, lang in LANGUAGES),
    "required", "constraint", *(f"constraint_message::{lang}" for _code, lang in LANGUAGES),
    "relevant", "choice_filter", "default", "appearance", "parameters",
)  # fmt: skip


@dataclass(frozen=True)
class XForm:
    form_id: str
    title: str
    version: str
    xml: bytes
    md5: str


def form_id_for(org: Organisation) -> str:
    return f"{FORM_PREFIX}{org.slug}"


def slug_from_form_id(form_id: str) -> str | None:
    return form_id[len(FORM_PREFIX) :] if form_id.startswith(FORM_PREFIX) else None


def _in_each_language(text: Text) -> list[str]:
    out = []
    for code, _label in LANGUAGES:
        with translation.override(code):
            out.append(str(text) if text else "")
    return out


def spec(org: Organisation) -> dict[str, list[list[str]]]:
    """The XLSForm as sheets of rows (first row: column names), for this organisation's active categories."""
    categories = list(
        Category.objects.filter(organisation=org, is_active=True)
        .select_related("parent")
        .order_by("position", "key")
    )
    tops = [c for c in categories if c.parent_id is None]
    subs = [c for c in categories if c.parent is not None and c.parent.is_active]
    with_children = [t.key for t in tops if any(s.parent_id == t.pk for s in subs)]
    survey: list[list[str]] = [list(SURVEY_COLUMNS)]
    for name, kind, label, hint, extra in QUESTIONS:
        extra = dict(extra)
        if name == "subcategory":
            if not with_children:
                continue
            extra["relevant"] = " or ".join(f"selected(${{category}}, '{key}')" for key in with_children)
        message = CONSTRAINT_MESSAGES.get(name, "")
        values = {
            "type": kind,
            "name": name,
            **{
                f"label::{lang}": t for (_c, lang), t in zip(LANGUAGES, _in_each_language(label), strict=True)
            },
            **{f"hint::{lang}": t for (_c, lang), t in zip(LANGUAGES, _in_each_language(hint), strict=True)},
            **{
                f"constraint_message::{lang}": t
                for (_c, lang), t in zip(LANGUAGES, _in_each_language(message), strict=True)
            },
            **extra,
        }
        survey.append([values.get(column, "") for column in SURVEY_COLUMNS])
    choices: list[list[str]] = [
        ["list_name", "name", *(f"label::{lang}" for _c, lang in LANGUAGES), "parent"]
    ]
    choices += [["category", c.key, c.name_en, c.name_sw, ""] for c in tops]
    choices += [["subcategory", c.key, c.name_en, c.name_sw, c.parent.key if c.parent else ""] for c in subs]
    choices += [["language", code, *_in_each_language(name), ""] for code, name in (("en", _("English")), ("sw", _("Kiswahili")))]  # fmt: skip
    with translation.override("en"):
        title = str(_("Sauti report — %(organisation)s") % {"organisation": org.name})
    body = json.dumps(
        {"survey": survey, "choices": choices, "title": title}, sort_keys=True, ensure_ascii=False
    )
    version = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    settings_rows = [
        ["form_title", "form_id", "version", "default_language", "instance_name"],
        [title, form_id_for(org), version, DEFAULT_LANGUAGE, "concat(${category}, ' ', ${place_text})"],
    ]
    return {"survey": survey, "choices": choices, "settings": settings_rows}


def workbook_bytes(sheets: dict[str, list[list[str]]]) -> bytes:
    """The XLSForm as an .xlsx file (what KoBo and ODK Central take, and what pyxform reads)."""
    from openpyxl import Workbook

    book = Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first and book.active is not None else book.create_sheet()
        first = False
        sheet.title = name
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@lru_cache(maxsize=64)
def _convert(sheets_json: str) -> tuple[bytes, str]:
    from pyxform.xls2xform import convert  # type: ignore[import-untyped]

    sheets = json.loads(sheets_json)
    result = convert(xlsform=workbook_bytes(sheets), form_name=ROOT, warnings=[])
    xml = result.xform.encode("utf-8")
    return xml, hashlib.md5(xml, usedforsecurity=False).hexdigest()


def convert_sheets(sheets: dict[str, list[list[str]]]) -> tuple[bytes, str]:
    """Another app's XLSForm (sheets of rows, as `spec` gives) as XForm XML and its MD5, converted once per
    distinct content (per process)."""
    return _convert(json.dumps(sheets, sort_keys=True, ensure_ascii=False))


def xform_for(org: Organisation) -> XForm:
    """The XForm for this organisation, converted once per distinct XLSForm content (per process)."""
    sheets = spec(org)
    xml, md5 = _convert(json.dumps(sheets, sort_keys=True, ensure_ascii=False))
    settings_header, settings_values = sheets["settings"]
    values = dict(zip(settings_header, settings_values, strict=True))
    return XForm(
        form_id=values["form_id"], title=values["form_title"], version=values["version"], xml=xml, md5=md5
    )
