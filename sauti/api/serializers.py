"""What the API reads (query and body shapes, checked before anything runs) and what it writes."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sauti.monitoring.actions import EARLIEST
from sauti.monitoring.models import (
    Case,
    CaseEvent,
    Precision,
    Report,
    ReportChannel,
    Status,
    VerificationMethod,
)
from sauti.monitoring.texts import TextPolicy, withheld_title
from sauti.people.models import Office

LATEST_FILTER_DAY = date(2999, 12, 31)
ORG_HELP = gettext_lazy("Short name (slug) of an organisation you belong to.")


def check_range(data: dict[str, Any]) -> dict[str, Any]:
    start, end = data.get("date_from"), data.get("date_to")
    for name, day in (("date_from", start), ("date_to", end)):
        if day is not None and not EARLIEST <= day <= LATEST_FILTER_DAY:
            raise serializers.ValidationError({name: [_("Give a date between 1963 and 2999.")]})
    if start is not None and end is not None and start > end:
        raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
    return data


# Query parameters ------------------------------------------------------------------------------------


class OrgQuery(serializers.Serializer[Any]):
    org = serializers.SlugField(max_length=60, required=False, help_text=ORG_HELP)


class ListQuery(OrgQuery):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    category = serializers.SlugField(
        max_length=40,
        required=False,
        help_text=gettext_lazy("Category key; a top-level key includes its sub-categories."),
    )
    county = serializers.IntegerField(
        min_value=1, max_value=47, required=False, help_text=gettext_lazy("IEBC county code.")
    )
    ward = serializers.IntegerField(
        min_value=1, max_value=99_999, required=False, help_text=gettext_lazy("IEBC ward code.")
    )
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    q = serializers.CharField(
        max_length=200, required=False, help_text=gettext_lazy("Words to look for in the text.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return check_range(attrs)


class ReportQuery(ListQuery):
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text=gettext_lazy("Status of the report's case.")
    )
    channel = serializers.ChoiceField(choices=ReportChannel.choices, required=False)
    date_from = serializers.DateField(
        required=False, help_text=gettext_lazy("Received on or after this day.")
    )
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("Received on or before this day."))


class CaseListQuery(ListQuery):
    date_from = serializers.DateField(required=False, help_text=gettext_lazy("Opened on or after this day."))
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("Opened on or before this day."))


class PlaceQuery(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=200, help_text=gettext_lazy("A place name, as people write it."))
    county = serializers.IntegerField(
        min_value=1,
        max_value=47,
        required=False,
        help_text=gettext_lazy("Prefer places in this county (IEBC code)."),
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        default=10,
        help_text=gettext_lazy("How many places at most."),
    )


class PointQuery(serializers.Serializer[Any]):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text=gettext_lazy("Latitude (WGS84)."))
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text=gettext_lazy("Longitude (WGS84)."))


# Request bodies --------------------------------------------------------------------------------------


class ReportCreateSerializer(serializers.Serializer[Any]):
    org = serializers.SlugField(max_length=60, help_text=ORG_HELP)
    description = serializers.CharField(max_length=5000, help_text=gettext_lazy("What happened."))
    occurred_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("When it happened (not in the future).")
    )
    place_text = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("The place as the reporter said it; Sauti finds the ward from it."),
    )
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    county = serializers.IntegerField(
        min_value=1,
        max_value=47,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("County the place is in, if known (IEBC code); helps find the place."),
    )
    place_key = serializers.RegexField(
        r"^(county|constituency|ward|settlement):\d{1,9}$",
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy(
            "Which of several places named place_text was meant: a key from an earlier response's "
            "place_choices, e.g. ward:1447."
        ),
    )
    categories = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        max_length=20,
        required=False,
        default=list,
        help_text=gettext_lazy("Category keys, e.g. water-disconnection."),
    )
    people_affected = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, allow_null=True
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    reporter = serializers.RegexField(
        r"^P-[A-Z0-9]{4,14}$",
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Pseudonym of a contact of the organisation who reported it."),
    )
    external_id = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy(
            "Your own id for this report. Sending the same id again returns the stored report (200) "
            "instead of creating a second one (201)."
        ),
    )


class PlaceChoiceSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text=gettext_lazy("Send it back as place_key to choose this place."))
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label", not Field.label
    kind = serializers.CharField(help_text=gettext_lazy("county, constituency, ward or settlement"))
    ward_code = serializers.IntegerField(allow_null=True)
    county_code = serializers.IntegerField(allow_null=True)


class OrgOnly(serializers.Serializer[Any]):
    org = serializers.SlugField(max_length=60)


class TransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices, help_text=gettext_lazy("The new status."))
    reason = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Why; required to reject."),
    )
    method = serializers.ChoiceField(
        choices=VerificationMethod.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("How the case was verified; required to verify."),
    )
    referred_to = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Id of the office the case is referred to."),
    )


# Responses -------------------------------------------------------------------------------------------


class CategorySerializer(serializers.Serializer[Any]):
    organisation = serializers.CharField(source="organisation.slug")
    key = serializers.CharField()
    # DRF takes declared fields off the class, so this does not replace Field.parent; mypy cannot know.
    parent = serializers.CharField(source="parent.key", allow_null=True)  # type: ignore[assignment]
    name_en = serializers.CharField()
    name_sw = serializers.CharField()
    is_active = serializers.BooleanField()


class PlaceSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["county", "constituency", "ward", "settlement"])
    name = serializers.CharField()
    ward_code = serializers.IntegerField(allow_null=True)
    constituency_code = serializers.IntegerField(allow_null=True)
    county_code = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(help_text=gettext_lazy("How well the place matches, from 0 to 1."))
    county_name = serializers.CharField()
    constituency_name = serializers.CharField()
    ward_name = serializers.CharField()
    settlement_id = serializers.IntegerField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


class PlaceListSerializer(serializers.Serializer[Any]):
    results = PlaceSerializer(many=True)


class PlaceAtSerializer(serializers.Serializer[Any]):
    result = PlaceSerializer(allow_null=True, help_text=gettext_lazy("The ward there; null outside Kenya."))


class AreaSerializer(serializers.Serializer[Any]):
    code = serializers.IntegerField()
    name = serializers.CharField()


class SettlementSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OfficeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LocatedSerializer(serializers.Serializer[Any]):
    precision = serializers.ChoiceField(choices=Precision.choices)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    county = AreaSerializer(allow_null=True)
    constituency = AreaSerializer(allow_null=True)
    ward = serializers.IntegerField(
        source="ward.code", allow_null=True, help_text=gettext_lazy("IEBC ward code.")
    )
    settlement = SettlementSerializer(allow_null=True)


def shows_people(context: dict[str, Any], organisation_id: int) -> bool:
    """Members who see the organisation's cases see pseudonyms and who acted; officials see neither."""
    return organisation_id in context.get("full_orgs", ())


def text_policy(context: dict[str, Any]) -> TextPolicy:
    """Free text as the reader may see it (sauti/monitoring/texts.py); one per response."""
    policy = context.get("text_policy")
    if policy is None:
        request = context.get("request")
        policy = context["text_policy"] = TextPolicy.for_user(getattr(request, "user", None))
    assert isinstance(policy, TextPolicy)
    return policy


def withheld(context: dict[str, Any], case: Case | None, organisation_id: int) -> bool:
    """A sensitive case seen by an office: its texts and exact place are not shown (docs/architecture.md)."""
    return case is not None and case.is_sensitive and not shows_people(context, organisation_id)


class ReportSerializer(LocatedSerializer, serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    organisation = serializers.CharField(source="organisation.slug")
    case = serializers.IntegerField(source="case_id", allow_null=True)
    case_status = serializers.ChoiceField(source="case.status", choices=Status.choices, allow_null=True)
    grouping_confirmed = serializers.BooleanField()
    description = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "What happened; names and phone numbers hidden unless you may see identities (see `redacted`)."
        )
    )
    redacted = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "True when names or phone numbers were hidden from the text, or it was withheld."
        )
    )
    occurred_on = serializers.DateField(allow_null=True)
    received_at = serializers.DateTimeField()
    place_text = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    people_affected = serializers.IntegerField(allow_null=True)
    channel = serializers.ChoiceField(choices=ReportChannel.choices)
    language = serializers.CharField()
    reporter = serializers.SerializerMethodField(
        help_text=gettext_lazy("Pseudonym of the reporter; null if anonymous or hidden from you.")
    )
    external_id = serializers.CharField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_categories(self, report: Report) -> list[str]:
        return [c.key for c in report.categories.all()]

    def _shown(self, report: Report) -> tuple[str, bool]:
        if withheld(self.context, report.case, report.organisation_id):
            return "", True
        shown = text_policy(self.context).description(report)
        return shown.text, shown.redacted

    @extend_schema_field(serializers.CharField())
    def get_description(self, report: Report) -> str:
        return self._shown(report)[0]

    @extend_schema_field(serializers.BooleanField())
    def get_redacted(self, report: Report) -> bool:
        return self._shown(report)[1]

    @extend_schema_field(serializers.CharField())
    def get_place_text(self, report: Report) -> str:
        if withheld(self.context, report.case, report.organisation_id):
            return ""
        return text_policy(self.context).text(report.organisation_id, report.place_text).text

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if withheld(self.context, instance.case, instance.organisation_id):
            data.update(lat=None, lon=None, settlement=None, precision="ward")
        return data

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reporter(self, report: Report) -> str | None:
        if report.reporter is None or not shows_people(self.context, report.organisation_id):
            return None
        return report.reporter.pseudonym


class SubmittedReportSerializer(ReportSerializer):
    """Only for the schema: a report as ReportSerializer gives it, plus the places to choose from."""

    place_choices = PlaceChoiceSerializer(
        many=True,
        help_text=gettext_lazy(
            "Always empty on a stored report: when place_text names several places the organisation could "
            "mean, the answer is a 409 listing them here, and nothing is stored."
        ),
    )


class CaseSerializer(LocatedSerializer, serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    organisation = serializers.CharField(source="organisation.slug")
    title = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.key", allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices)
    verification_method = serializers.CharField()
    rejection_reason = serializers.SerializerMethodField()
    referred_to = OfficeSerializer(allow_null=True)
    occurred_from = serializers.DateField(allow_null=True)
    occurred_to = serializers.DateField(allow_null=True)
    people_affected = serializers.IntegerField(allow_null=True)
    is_public = serializers.BooleanField()
    is_sensitive = serializers.BooleanField()
    report_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_title(self, case: Case) -> str:
        if withheld(self.context, case, case.organisation_id):
            return withheld_title(case)
        return text_policy(self.context).title(case)

    @extend_schema_field(serializers.CharField())
    def get_summary(self, case: Case) -> str:
        if withheld(self.context, case, case.organisation_id):
            return ""
        return text_policy(self.context).text(case.organisation_id, case.summary).text

    @extend_schema_field(serializers.CharField())
    def get_rejection_reason(self, case: Case) -> str:
        return text_policy(self.context).text(case.organisation_id, case.rejection_reason).text

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if withheld(self.context, instance, instance.organisation_id):
            data.update(lat=None, lon=None, settlement=None, precision="ward")
        return data


class EventSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=CaseEvent.Kind.choices)
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    report = serializers.IntegerField(source="report_id", allow_null=True)
    actor = serializers.CharField(allow_null=True, help_text=gettext_lazy("Username; hidden from officials."))
    reason = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    reports = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(ReportSerializer(many=True))
    def get_reports(self, case: Case) -> Any:
        reports = (
            case.reports.select_related(
                "organisation", "case", "reporter", "county", "constituency", "ward", "settlement"
            )
            .prefetch_related("categories")
            .order_by("received_at", "id")
        )
        return ReportSerializer(reports, many=True, context=self.context).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, case: Case) -> Any:
        events = case.events.select_related("actor").order_by("at", "id")
        full = shows_people(self.context, case.organisation_id)
        if not full:
            events = events.exclude(kind=CaseEvent.Kind.NOTE)
        rows = [
            {
                "kind": e.kind,
                "at": e.at,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "report_id": e.report_id,
                "actor": e.actor.get_username() if full and e.actor else None,
                "reason": text_policy(self.context).text(case.organisation_id, e.reason).text,
            }
            for e in events
        ]
        return EventSerializer(rows, many=True).data
