"""Forms of the monitoring pages: inbox filters, triage, case editing, report intake, categories."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.monitoring.actions import MAX_ATTACHMENTS, place_resolution
from sauti.monitoring.models import Case, Category, Report, ReportChannel, Status, VerificationMethod
from sauti.monitoring.search import reports_matching
from sauti.people.models import Office, Organisation
from sauti.people.phones import InvalidPhone, normalise_phone
from sauti.places.models import Constituency, County, Ward
from sauti.places.services import Area, candidate_key, find_places, label, places_named

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"
FEW_MATCHES = 2000  # free-text matches below which the inbox sorts just the matching cases
REFERENCE = re.compile(r"^\s*([CcRr])\s*(\d{1,12})\s*$")
PLACE_KINDS = {
    "county": _("county"),
    "constituency": _("constituency"),
    "ward": _("ward"),
    "settlement": _("settlement"),
}


def category_choices(categories: Iterable[Category], *, subs: bool = True) -> list[tuple[str, str]]:
    """Choices by key, sub-categories under their parent, labelled in the current language.

    Several organisations usually share the seeded keys: the first label of a key wins.
    """
    rows = list(categories)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    children: dict[int | None, list[Category]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    for top in children.get(None, []):
        if top.key in seen:
            continue
        seen.add(top.key)
        out.append((top.key, top.label))
        if subs:
            for child in children.get(top.pk, []):
                if child.key not in seen:
                    seen.add(child.key)
                    out.append((child.key, f"— {child.label}"))
    return out


class Form(forms.Form):
    """Labels without the trailing colon, like the rest of Sauti's pages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def set_choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


# Inbox --------------------------------------------------------------------------------------------------


def in_reports(condition: Q, within: Sequence[int] | None) -> Q:
    """Cases with a report matching `condition`, looking only at the reports of the cases `within` if given.

    `IN (subquery)`: the matching reports are read once (through the case index when `within` is
    given), never once per case, which is what makes a rare match slow on a large table.
    """
    reports = Report.objects.filter(condition)
    if within is not None:
        reports = reports.filter(case_id__in=within)
    return Q(pk__in=reports.values("case_id"))


@dataclass
class PlaceFilter:
    label: str
    q: Q


class InboxFilterForm(Form):
    org = forms.ChoiceField(label=_("Organisation"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    county = forms.TypedChoiceField(label=_("County"), required=False, coerce=int, empty_value=None)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    ward = forms.IntegerField(required=False, min_value=1, max_value=32767, widget=forms.HiddenInput)
    date_from = forms.DateField(label=_("Happened from"), required=False, input_formats=DATE_FORMATS)
    date_to = forms.DateField(label=_("Happened until"), required=False, input_formats=DATE_FORMATS)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    unconfirmed = forms.BooleanField(label=_("Needs confirmation"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        organisations: Sequence[Organisation],
        categories: Iterable[Category],
        counties: Iterable[tuple[int, str]],
    ) -> None:
        super().__init__(data)
        self.organisations = list(organisations)
        self.set_choices("org", [("", _("All organisations")), *((o.slug, o.name) for o in organisations)])
        self.set_choices("status", [("", _("Any status")), *Status.choices])
        self.set_choices("category", [("", _("Any category")), *category_choices(categories)])
        self.set_choices("county", [("", _("Any county")), *counties])
        self.set_choices("channel", [("", _("Any channel")), *ReportChannel.choices])
        self.place_label = ""
        self.ward_label = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def _place(self, text: str, county: int | None) -> PlaceFilter | None:
        found = find_places(text, limit=1, county_code=county)
        if not found or found[0].score < 0.7:
            return None
        best = found[0]
        kind = PLACE_KINDS.get(best.kind, best.kind)
        label = f"{best.name} ({kind})"
        if best.county_name and best.kind != "county":
            label += f", {best.county_name}"
        if best.kind == "settlement" and best.settlement_id:
            return PlaceFilter(label, Q(settlement_id=best.settlement_id))
        if best.kind == "ward" and best.ward_code:
            ward = Ward.objects.filter(code=best.ward_code).values_list("pk", flat=True).first()
            return PlaceFilter(label, Q(ward_id=ward))
        if best.kind == "constituency" and best.constituency_code:
            pk = Constituency.objects.filter(code=best.constituency_code).values_list("pk", flat=True).first()
            return PlaceFilter(label, Q(constituency_id=pk))
        if best.county_code is None:
            return None
        pk = County.objects.filter(code=best.county_code).values_list("pk", flat=True).first()
        return PlaceFilter(label, Q(county_id=pk))

    @property
    def reads_reports(self) -> bool:
        """Whether a filter looks into the cases' reports (the costly kind on large tables)."""
        data = self.cleaned_data
        q = data.get("q", "").strip()
        by_case_number = bool(q) and q.lstrip()[:1].lower() == "c" and REFERENCE.match(q) is not None
        return bool(
            data.get("category")
            or data.get("channel")
            or data.get("unconfirmed")
            or (q and not by_case_number)
        )

    def apply(self, cases: QuerySet[Case], *, within: Sequence[int] | None = None) -> QuerySet[Case]:
        """The cases matching the cleaned filters (call after is_valid); only among `within` if given."""
        data = self.cleaned_data
        if within is not None:
            cases = cases.filter(pk__in=within)
        if data.get("org"):
            cases = cases.filter(organisation__slug=data["org"])
        if data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("category"):
            key = data["category"]
            ids = list(Category.objects.filter(Q(key=key) | Q(parent__key=key)).values_list("pk", flat=True))
            cases = cases.filter(Q(category_id__in=ids) | in_reports(Q(categories__in=ids), within))
        if data.get("county"):
            cases = cases.filter(county__code=data["county"])
        if data.get("ward"):
            ward = Ward.objects.filter(code=data["ward"]).values_list("pk", "name").first()
            if ward is None:
                return cases.none()
            self.ward_label = ward[1]
            cases = cases.filter(ward_id=ward[0])
        text = data.get("place", "").strip()
        if text:
            place = self._place(text, data.get("county"))
            if place is None:
                self.place_label = ""
                return cases.none()
            self.place_label = place.label
            cases = cases.filter(place.q)
        if data.get("date_from"):
            start: date = data["date_from"]
            cases = cases.filter(
                Q(occurred_to__gte=start) | (Q(occurred_to__isnull=True) & Q(created_at__date__gte=start))
            )
        if data.get("date_to"):
            end: date = data["date_to"]
            cases = cases.filter(
                Q(occurred_from__lte=end) | (Q(occurred_from__isnull=True) & Q(created_at__date__lte=end))
            )
        if data.get("channel"):
            cases = cases.filter(in_reports(Q(channel=data["channel"]), within))
        q = data.get("q", "").strip()
        if q:
            ref = REFERENCE.match(q)
            if ref and ref.group(1).lower() == "c":
                cases = cases.filter(pk=int(ref.group(2)))
            elif ref:
                cases = cases.filter(in_reports(Q(pk=int(ref.group(2))), within))
            elif within is not None:
                cases = cases.filter(
                    Q(title__icontains=q)
                    | Q(summary__icontains=q)
                    | in_reports(Q(description__icontains=q), within)
                )
            else:
                # Over every case, both sides are found first (the case side in one pass over the cases,
                # the report side through the text index). Rare text: the matching ids themselves, so the
                # database only sorts those; common text: the newest-first walk tests each case's id.
                titled = Case.objects.filter(Q(title__icontains=q) | Q(summary__icontains=q)).order_by()
                described = reports_matching(q).order_by()
                few_titled = list(titled.values_list("pk", flat=True)[: FEW_MATCHES + 1])
                few_described = set(described.values_list("case_id", flat=True)[: FEW_MATCHES + 1])
                if len(few_titled) <= FEW_MATCHES and len(few_described) <= FEW_MATCHES:
                    cases = cases.filter(pk__in=few_described.union(few_titled))
                else:
                    cases = cases.filter(
                        Q(pk__in=titled.values("pk")) | Q(pk__in=described.values("case_id"))
                    )
        if data.get("unconfirmed"):
            cases = cases.filter(in_reports(Q(grouping_confirmed=False), within))
        return cases


def parse_cursor(value: str) -> tuple[datetime, int] | None:
    """`<ISO time>~<id>` → (time, id); None when it does not parse."""
    when, _sep, pk = value.partition("~")
    try:
        at = datetime.fromisoformat(when)
        number = int(pk) if pk else 0
    except ValueError:
        return None
    if timezone.is_naive(at):
        return None
    return at, number


# Triage -------------------------------------------------------------------------------------------------


class TransitionForm(Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    method = forms.ChoiceField(
        label=_("How was it verified?"),
        choices=[("", "—"), *VerificationMethod.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Why"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referred_to = forms.ModelChoiceField(
        label=_("Referred to"), queryset=Office.objects.order_by("name"), required=False
    )
    hold = forms.BooleanField(label=_("Do not tell the reporters by SMS"), required=False)


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("The selection is not valid.")) from None
        if len(ids) > 500:
            raise forms.ValidationError(_("Select at most 500 cases at a time."))
        return list(dict.fromkeys(ids))


class BulkTransitionForm(TransitionForm):
    case = IdListField(error_messages={"required": _("Select at least one case.")})
    next = forms.CharField(required=False, max_length=2000)


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def label_from_instance(self, obj: Category) -> str:
        return f"— {obj.label}" if obj.parent_id else obj.label


class CaseEditForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    is_public = forms.BooleanField(label=_("Show on the public map"), required=False)
    is_sensitive = forms.BooleanField(
        label=_("Sensitive"), required=False, help_text=_("Coarsen the location to the ward in public views.")
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, CategoryChoiceField)
        field.queryset = Category.objects.filter(organisation_id=case.organisation_id)


class NoteForm(Form):
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class SplitForm(Form):
    reason = forms.CharField(label=_("Why"), max_length=2000, required=False)


class MoveForm(Form):
    target = forms.CharField(
        label=_("Move to case"), max_length=20, help_text=_("The case number, for example C12.")
    )

    def clean_target(self) -> int:
        text = self.cleaned_data["target"].strip()
        match = REFERENCE.match(text) or re.match(r"^\s*()(\d{1,12})\s*$", text)
        if not match or match.group(1).lower() == "r":
            raise forms.ValidationError(_("Give a case number, for example C12."))
        return int(match.group(2))


# Intake -------------------------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        one = super().clean
        if isinstance(data, list | tuple):
            if len(data) > MAX_ATTACHMENTS:
                raise forms.ValidationError(_("At most %(n)d files per report.") % {"n": MAX_ATTACHMENTS})
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class ReportFormBase(Form):
    description = forms.CharField(
        label=_("What happened?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say what happened.")},
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        required=False,
        input_formats=DATE_FORMATS,
        help_text=_("The day, or roughly when: day/month/year."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place_text = forms.CharField(
        label=_("Where did it happen?"),
        max_length=200,
        required=False,
        help_text=_("Village, estate, ward or town, for example: Mathare 4A, Nairobi."),
    )
    county_hint = forms.IntegerField(required=False, min_value=1, max_value=47, widget=forms.HiddenInput)
    # Which of several same-named places was meant ("ward:1447"); offered when the name is ambiguous.
    place_key = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "-1.2621"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "36.8577"}),
    )
    people_affected = forms.IntegerField(
        label=_("How many people are affected?"), required=False, min_value=0, max_value=10_000_000
    )
    reporter_name = forms.CharField(label=_("Name"), max_length=120, required=False)
    reporter_phone = forms.CharField(
        label=_("Phone number"), max_length=32, required=False, help_text=_("For example 0712 345 678")
    )
    consent = forms.BooleanField(required=False)

    def __init__(
        self, *args: Any, organisations: Sequence[Organisation], categories: Iterable[Category], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        if len(self.organisations) > 1:
            self.fields["org"] = forms.ChoiceField(
                label=_("Organisation"),
                choices=[("", "—"), *((o.slug, o.name) for o in self.organisations)],
                error_messages={"required": _("Choose the organisation to send your report to.")},
            )
            self.order_fields(["org"])
        self.category_rows = list(categories)

    def clean_reporter_phone(self) -> str:
        raw = self.cleaned_data.get("reporter_phone", "").strip()
        if not raw:
            return ""
        try:
            return normalise_phone(raw)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from None

    consent_needed = _(
        "To keep a name or phone number, tick the consent box; or leave them empty to stay anonymous."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = data.get("reporter_name", "").strip() or data.get("reporter_phone")
        if named and not data.get("consent"):
            self.add_error("consent", self.consent_needed)
        self._check_place(data)
        return data

    place_choices: list[tuple[str, str]] = []

    def _check_place(self, data: dict[str, Any]) -> None:
        """A name shared by several places the organisation could mean: list them and ask (never guess)."""
        self.place_choices = []
        text = data.get("place_text", "").strip()
        if not text or data.get("lat") is not None or ("org" in self.fields and not data.get("org")):
            return
        resolution = place_resolution(text, self.organisation.operating_area(), data.get("county_hint"))
        if not resolution.ambiguous:
            return
        choices = [(candidate_key(c), label(c)) for c in resolution.choices]
        if data.get("place_key") in {key for key, _label in choices}:
            return
        self.place_choices = choices
        self.add_error("place_text", _("Several places have this name. Choose the one you mean."))

    @property
    def organisation(self) -> Organisation:
        if len(self.organisations) == 1:
            return self.organisations[0]
        slug = self.cleaned_data["org"]
        return next(o for o in self.organisations if o.slug == slug)

    def error_field(self, name: str) -> str | None:
        """The form field a ReportError's field maps to (None: a form-wide error)."""
        aliases = {"categories": self.category_field, "attachments": self.attachment_field}
        name = aliases.get(name, name)
        return name if name in self.fields else None

    category_field = "category"
    attachment_field = "attachment"

    @property
    def category_keys(self) -> list[str]:
        value = self.cleaned_data.get(self.category_field) or []
        return [value] if isinstance(value, str) else list(value)

    @property
    def uploads(self) -> list[UploadedFile]:
        value = self.cleaned_data.get(self.attachment_field) or []
        return list(value) if isinstance(value, list) else [value]


class KeyChoiceField(forms.ChoiceField):
    """Offers the organisation's categories, passes any key on: `do_submit_report` refuses unknown ones
    with a clear message (and knows which organisation was chosen)."""

    def valid_value(self, value: Any) -> bool:
        return True


class KeysChoiceField(forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


class PublicReportForm(ReportFormBase):
    category = KeyChoiceField(label=_("What is it about?"), required=False)
    attachment = forms.FileField(
        label=_("A photo or document (optional)"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP or PDF, up to 10 MB. Location data is removed from photos before anyone else sees them."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    # A field people do not see: bots that fill every input give themselves away.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(
            "category", [("", _("— choose —")), *category_choices(self.category_rows, subs=False)]
        )
        self.fields["reporter_name"].label = _("Your name (optional)")
        self.fields["reporter_phone"].label = _("Your phone number (optional)")
        self.fields["consent"].label = _(
            "I agree that the organisation keeps my name and phone number to follow up on this report."
        )


class MonitorReportForm(ReportFormBase):
    categories = KeysChoiceField(label=_("Categories"), required=False, widget=forms.CheckboxSelectMultiple)
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        help_text=_("Up to 5 files: JPEG, PNG, WebP or PDF, 10 MB each."),
    )

    category_field = "categories"
    attachment_field = "attachments"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("categories", category_choices(self.category_rows))
        self.fields["reporter_name"].label = _("Reporter's name")
        self.fields["reporter_phone"].label = _("Reporter's phone number")
        self.fields["consent"].label = _("The reporter agreed that we keep their name and phone number.")
        self.fields["lat"].help_text = _("Exact coordinates, from the phone's GPS.")


# Categories ---------------------------------------------------------------------------------------------


class CategoryEditForm(Form):
    name_en = forms.CharField(label=_("Name in English"), max_length=80)
    name_sw = forms.CharField(label=_("Name in Kiswahili"), max_length=80)
    is_active = forms.BooleanField(label=_("In use"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767)


class CategoryAddForm(Form):
    parent = forms.TypedChoiceField(label=_("Under"), required=False, coerce=int, empty_value=None)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        required=False,
        help_text=_("Short code used in SMS and exports; made from the English name if empty."),
    )
    name_en = forms.CharField(label=_("Name in English"), max_length=80)
    name_sw = forms.CharField(label=_("Name in Kiswahili"), max_length=80)

    def __init__(self, *args: Any, parents: Iterable[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("parent", [("", _("— top level —")), *((str(c.pk), c.label) for c in parents)])


# Local places ---------------------------------------------------------------------------------------------


class LocalPlaceForm(Form):
    """A landmark or village of the organisation's area, in a ward chosen from that area."""

    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("As residents say it, e.g. “Kwa Chief”, “Soko Mjinga”, “Village 2”."),
    )
    ward = forms.TypedChoiceField(label=_("Ward"), coerce=int)
    aliases = forms.CharField(
        label=_("Other names (optional)"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas."),
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-5, max_value=5.5)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=33, max_value=42)
    # Shown (as a checkbox) only once the name turned out to be a place of the area already.
    same_name_ok = forms.BooleanField(
        label=_("Add it anyway with this name"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, wards: Iterable[tuple[int, str]], area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("ward", [("", "—"), *wards])
        self.area = area

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        if data.get("name") and not data.get("same_name_ok"):
            self._check_names([data["name"], *self.alias_list])
        return data

    def _check_names(self, names: list[str]) -> None:
        """A name that already means a place of the area would make every report naming it ambiguous:
        warn, and ask for a more specific name or a tick."""
        for name in names:
            labels = list(dict.fromkeys(label(c) for c in places_named(name, self.area)))
            if labels:
                self.add_error(
                    "name",
                    _(
                        "“%(name)s” is already a place in your area: %(places)s. Reports naming it would be "
                        "asked which one is meant. Give a more specific name, or tick the box to add it anyway."
                    )
                    % {"name": " ".join(name.split())[:60], "places": "; ".join(labels[:3])},
                )
                self.fields["same_name_ok"].widget = forms.CheckboxInput()
                return

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.cleaned_data.get("aliases", "").split(",") if a.strip()]


class RedactionForm(forms.Form):
    text = forms.CharField(
        label=_("Text shown to those who may not see identities"), required=False, max_length=5000
    )


class StatusLookupForm(Form):
    """A report's reference and the secret given with it (issue 15: the public status page)."""

    reference = forms.CharField(label=_("Report reference"), max_length=20, help_text=_("For example R123."))
    key = forms.CharField(
        label=_("Status code"), max_length=20, help_text=_("The 6-letter code given with the reference.")
    )


class KeepResolvedForm(Form):
    reason = forms.CharField(
        label=_("Why does the case stay resolved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
