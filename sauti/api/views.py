"""REST endpoints: parse -> access through sauti.people.access -> one action -> serialise.

Reads are bounded by `cases_for(user)`: a report is visible when its case is. Officials therefore see only
the reports and cases referred to their office, without pseudonyms, actors or internal notes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sauti.api import actions
from sauti.api.errors import ERROR_REF, field_error
from sauti.api.pagination import Pagination
from sauti.api.serializers import (
    CaseDetailSerializer,
    CaseListQuery,
    CaseSerializer,
    CategorySerializer,
    OrgOnly,
    OrgQuery,
    PlaceAtSerializer,
    PlaceListSerializer,
    PlaceQuery,
    PointQuery,
    ReportCreateSerializer,
    ReportQuery,
    ReportSerializer,
    SubmittedReportSerializer,
    TransitionSerializer,
)
from sauti.monitoring.access import cases_for, get_case_for_user
from sauti.monitoring.actions import ReportError, TransitionError, do_transition
from sauti.monitoring.models import Case, Category, Report
from sauti.monitoring.texts import TextPolicy
from sauti.people.access import Perm, can, get_organisation_for_user, organisations_for
from sauti.people.models import Organisation, User
from sauti.places.services import find_places, ward_at

ERROR_TEXT = {
    400: gettext_lazy("The request is not valid; the messages say what to change."),
    401: gettext_lazy("No valid token or session."),
    403: gettext_lazy("Your role in this organisation does not allow this."),
    404: gettext_lazy("Not found, or not visible to you."),
    413: gettext_lazy("The request is too large."),
}
REPORT_RELATED = ("organisation", "case", "reporter", "county", "constituency", "ward", "settlement")
CASE_RELATED = (
    "organisation",
    "category",
    "referred_to",
    "county",
    "constituency",
    "ward",
    "settlement",
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ERROR_REF, description=ERROR_TEXT[code]) for code in (401, *codes)}


def parse(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    if isinstance(data, QueryDict):
        # A plain dict, so that `?county=` is an error rather than DRF's form-style "not given".
        data = dict(data.items())
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ApiView(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Token clients rarely send Accept-Language: answer in the language saved on the account.
        language = getattr(request.user, "preferred_language", "")
        if (
            "HTTP_ACCEPT_LANGUAGE" not in request.META
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and language in dict(settings.LANGUAGES)
        ):
            translation.activate(language)

    @property
    def user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def context(self) -> dict[str, Any]:
        full = {o.pk for o in organisations_for(self.user) if can(self.user, Perm.VIEW_CASES, o)}
        return {"request": self.request, "full_orgs": full, "text_policy": TextPolicy.for_user(self.user)}

    def organisation(self, slug: str, perm: Perm = Perm.VIEW_ORGANISATION) -> Organisation:
        return get_organisation_for_user(self.user, slug, perm)

    def categories(self, key: str, org: Organisation | None) -> QuerySet[Category]:
        """The category with this key and its sub-categories, in the organisations the user belongs to."""
        key = key.lower()
        orgs = [org.pk] if org else list(organisations_for(self.user).values_list("pk", flat=True))
        found = Category.objects.filter(organisation__in=orgs).filter(Q(key=key) | Q(parent__key=key))
        if not found.exists():
            raise field_error("category", _("Unknown category: %(keys)s.") % {"keys": key})
        return found


def filter_common(
    view: ApiView, rows: QuerySet[Any], query: dict[str, Any], *, text: tuple[str, str], day_field: str
) -> QuerySet[Any]:
    org = view.organisation(query["org"]) if "org" in query else None
    if org is not None:
        rows = rows.filter(organisation=org)
    if "county" in query:
        rows = rows.filter(county__code=query["county"])
    if "ward" in query:
        rows = rows.filter(ward__code=query["ward"])
    if "date_from" in query:
        rows = rows.filter(**{f"{day_field}__gte": day_start(query["date_from"])})
    if "date_to" in query:
        rows = rows.filter(**{f"{day_field}__lt": day_start(query["date_to"] + timedelta(days=1))})
    if query.get("q"):
        rows = rows.filter(
            Q(**{f"{text[0]}__icontains": query["q"]}) | Q(**{f"{text[1]}__icontains": query["q"]})
        )
    if "category" in query:
        categories = view.categories(query["category"], org)
        through = Report.categories.through.objects.filter(category__in=categories)
        if rows.model is Report:
            rows = rows.filter(pk__in=through.values("report_id"))
        else:
            # A case has one top-level category; its reports carry the sub-categories.
            in_reports = Report.objects.filter(pk__in=through.values("report_id")).values("case_id")
            rows = rows.filter(Q(category__in=categories) | Q(pk__in=in_reports))
    return rows


def visible_reports(user: User) -> QuerySet[Report]:
    return Report.objects.filter(case__in=cases_for(user))


@extend_schema(tags=["categories"])
class CategoryList(ApiView):
    @extend_schema(
        summary=gettext_lazy("Categories of your organisations"),
        description=gettext_lazy(
            "The taxonomy (top-level categories and their sub-categories) of one organisation or of all "
            "the organisations you belong to."
        ),
        parameters=[OrgQuery],
        responses={200: CategorySerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(OrgQuery, request.query_params)
        if "org" in query:
            orgs: list[int] = [self.organisation(query["org"]).pk]
        else:
            orgs = list(organisations_for(self.user).values_list("pk", flat=True))
        rows = Category.objects.filter(organisation__in=orgs).select_related("organisation", "parent")
        return Response(CategorySerializer(rows, many=True).data)


@extend_schema(tags=["places"])
class PlaceSearch(ApiView):
    @extend_schema(
        summary=gettext_lazy("Find places by name"),
        description=gettext_lazy(
            "Counties, constituencies, wards and settlements the text names, best first (IEBC codes)."
        ),
        parameters=[PlaceQuery],
        responses={200: PlaceListSerializer, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        query = parse(PlaceQuery, request.query_params)
        found = find_places(query["q"], limit=query["limit"], county_code=query.get("county"))
        return Response(PlaceListSerializer({"results": [c.to_json() for c in found]}).data)


@extend_schema(tags=["places"])
class PlaceAtPoint(ApiView):
    @extend_schema(
        summary=gettext_lazy("The ward at a point"),
        parameters=[PointQuery],
        responses={200: PlaceAtSerializer, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        query = parse(PointQuery, request.query_params)
        found = ward_at(query["lat"], query["lon"])
        return Response(PlaceAtSerializer({"result": found.to_json() if found else None}).data)


@extend_schema(tags=["reports"])
class ReportListCreate(ApiView, GenericAPIView[Report]):
    pagination_class = Pagination
    serializer_class = ReportSerializer

    def get_queryset(self) -> QuerySet[Report]:
        return (
            visible_reports(self.user)
            .select_related(*REPORT_RELATED)
            .prefetch_related("categories")
            .order_by("-received_at", "-id")
        )

    @extend_schema(
        summary=gettext_lazy("Reports you may see"),
        description=gettext_lazy(
            "Newest first. Officials see only the reports of cases referred to their office."
        ),
        parameters=[ReportQuery],
        responses={200: ReportSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(ReportQuery, request.query_params)
        rows = filter_common(
            self, self.get_queryset(), query, text=("description", "place_text"), day_field="received_at"
        )
        if "status" in query:
            rows = rows.filter(case__status=query["status"])
        if "channel" in query:
            rows = rows.filter(channel=query["channel"])
        page = self.paginate_queryset(rows)
        context = self.context()
        context["text_policy"].prepare_reports(page or [])
        return self.get_paginated_response(ReportSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary=gettext_lazy("Send a report"),
        description=gettext_lazy(
            "Sauti places the report (ward, county) and groups it into a case. The channel is “monitor” for "
            "field monitors and “web” for everyone else."
        ),
        request=ReportCreateSerializer,
        responses={
            201: OpenApiResponse(
                SubmittedReportSerializer, description=gettext_lazy("The report was stored.")
            ),
            200: OpenApiResponse(
                SubmittedReportSerializer,
                description=gettext_lazy("A report with this external_id was already stored."),
            ),
            409: OpenApiResponse(
                ERROR_REF,
                description=gettext_lazy(
                    "place_text names several places for this organisation: nothing was stored. "
                    "place_choices lists them; send the request again with the chosen key as place_key."
                ),
            ),
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request: Request) -> Response:
        org = self.organisation(parse(OrgOnly, request.data)["org"], Perm.SUBMIT_REPORTS)
        data = parse(ReportCreateSerializer, request.data)
        try:
            report, created = actions.do_submit_api_report(org, self.user, data)
        except ReportError as exc:
            raise field_error(exc.field, str(exc)) from None
        except actions.PlaceChoiceNeeded as exc:
            return Response(
                {
                    "place_text": [
                        _("Several places have this name: send the chosen one's key as place_key.")
                    ],
                    "place_choices": exc.choices,
                },
                status=409,
            )
        body = dict(ReportSerializer(report, context=self.context()).data)
        body["place_choices"] = actions.place_choices(report, data)
        return Response(body, status=201 if created else 200)


@extend_schema(tags=["reports"])
class ReportDetail(ApiView):
    @extend_schema(summary=gettext_lazy("One report"), responses={200: ReportSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        report = (
            visible_reports(self.user)
            .select_related(*REPORT_RELATED)
            .prefetch_related("categories")
            .filter(pk=pk)
            .first()
        )
        if report is None:
            raise Http404
        return Response(ReportSerializer(report, context=self.context()).data)


@extend_schema(tags=["cases"])
class CaseList(ApiView, GenericAPIView[Case]):
    pagination_class = Pagination
    serializer_class = CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return cases_for(self.user).select_related(*CASE_RELATED).order_by("-updated_at", "-id")

    @extend_schema(
        summary=gettext_lazy("Cases you may see"),
        description=gettext_lazy(
            "Most recently changed first. Officials see only the cases referred to their office."
        ),
        parameters=[CaseListQuery],
        responses={200: CaseSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(CaseListQuery, request.query_params)
        rows = filter_common(
            self, self.get_queryset(), query, text=("title", "summary"), day_field="created_at"
        )
        if "status" in query:
            rows = rows.filter(status=query["status"])
        page = self.paginate_queryset(rows)
        context = self.context()
        context["text_policy"].prepare_cases(page or [])
        return self.get_paginated_response(CaseSerializer(page, many=True, context=context).data)


def case_detail(view: ApiView, pk: int) -> dict[str, Any]:
    case = get_case_for_user(view.user, pk, Perm.VIEW_CASES)
    case = Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)
    return dict(CaseDetailSerializer(case, context=view.context()).data)


@extend_schema(tags=["cases"])
class CaseDetail(ApiView):
    @extend_schema(
        summary=gettext_lazy("One case, with its reports and timeline"),
        responses={200: CaseDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(case_detail(self, pk))


@extend_schema(tags=["cases"])
class CaseTransition(ApiView):
    @extend_schema(
        summary=gettext_lazy("Move a case to another status"),
        description=gettext_lazy(
            "new → triaged → verified (say how) or rejected (say why) → referred (to an office) → resolved "
            "or unresolved. Each step is recorded in the timeline with who, when and why."
        ),
        request=TransitionSerializer,
        responses={200: CaseDetailSerializer, **errors(400, 403, 404, 413)},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_case_for_user(self.user, pk, Perm.TRIAGE_CASES)
        data = parse(TransitionSerializer, request.data)
        try:
            do_transition(
                case,
                data["status"],
                self.user,
                reason=data["reason"],
                method=data["method"],
                referred_to=data["referred_to"],
            )
        except TransitionError as exc:
            raise field_error("", str(exc)) from None
        return Response(case_detail(self, pk))
