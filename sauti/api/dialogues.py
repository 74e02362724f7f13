"""Dialogue endpoints (issue 15): programmes, meetings with attendance counts, priorities, consensus rounds with
their frozen results, officials' responses, commitments with the office's progress and the community's
verdict and result (the one rule of dialogues/results.py), follow-up actions.

Read-only, with the pages' access rules: staff see the programmes of their organisations
(`programmes_for`); officials see only the responses and commitments of their own office, nothing else.
No identities: attendance is counted, verdicts are counts.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from sauti.api.pagination import Pagination
from sauti.api.serializers import ORG_HELP
from sauti.api.views import ApiView, errors, parse
from sauti.dialogues import results, stats
from sauti.dialogues.access import programmes_for
from sauti.dialogues.models import (
    Commitment,
    CommitmentStatus,
    ConsensusRound,
    FollowUpAction,
    FollowUpState,
    Meeting,
    MeetingKind,
    Priority,
    Programme,
)
from sauti.dialogues.models import Response as OfficialResponse
from sauti.people.access import official_offices


class DialogueQuery(serializers.Serializer[Any]):
    org = serializers.SlugField(max_length=60, required=False, help_text=ORG_HELP)
    programme = serializers.IntegerField(
        min_value=1, max_value=2_147_483_647, required=False, help_text=gettext_lazy("A programme's id.")
    )


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    meetings = serializers.IntegerField(source="n_meetings", read_only=True)
    priorities = serializers.IntegerField(source="n_priorities", read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "organisation",
            "title",
            "description",
            "starts_on",
            "ends_on",
            "meetings",
            "priorities",
        ]


class AttendanceCounts(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    women = serializers.IntegerField()
    men = serializers.IntegerField()
    youth = serializers.IntegerField(help_text=gettext_lazy("Aged 18–35."))


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    kind = serializers.ChoiceField(choices=MeetingKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, read_only=True)
    attendance = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "programme", "kind", "title", "starts_at", "ends_at", "status", "venue", "attendance"]

    @extend_schema_field(AttendanceCounts)
    def get_attendance(self, m: Meeting) -> dict[str, int]:
        return {"total": m.n_total, "women": m.n_women, "men": m.n_men, "youth": m.n_youth}  # type: ignore[attr-defined]


class PrioritySerializer(serializers.ModelSerializer[Priority]):
    status = serializers.ChoiceField(choices=Priority.Status.choices, read_only=True)
    raised_by = serializers.StringRelatedField(read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Priority
        fields = [
            "id",
            "programme",
            "title",
            "description",
            "status",
            "raised_by",
            "raised_in",
            "merged_into",
        ]


class RoundSerializer(serializers.ModelSerializer[ConsensusRound]):
    state = serializers.ChoiceField(choices=ConsensusRound.State.choices, read_only=True)
    priorities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]
    result = serializers.JSONField(
        read_only=True,
        help_text=gettext_lazy("The frozen tally (Borda order and Schulze cross-check); null until frozen."),
    )

    class Meta:
        model = ConsensusRound
        fields = ["id", "programme", "meeting", "title", "state", "priorities", "frozen_at", "result"]


class ResponseSerializer(serializers.ModelSerializer[OfficialResponse]):
    office = serializers.StringRelatedField(read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = OfficialResponse
        fields = ["id", "meeting", "priority", "office", "official_name", "text", "created_at"]


class VerdictSerializer(serializers.Serializer[Any]):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    unsure = serializers.IntegerField()


class CommitmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    programme = serializers.IntegerField()
    priority = serializers.IntegerField()
    office = serializers.CharField()
    official = serializers.CharField()
    text = serializers.CharField()
    due = serializers.DateField()
    official_status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    evidence = serializers.CharField(allow_blank=True)
    verdict = VerdictSerializer()
    result = serializers.ChoiceField(choices=[(r, results.LABELS[r]) for r in results.RESULTS])


class FollowUpSerializer(serializers.ModelSerializer[FollowUpAction]):
    state = serializers.ChoiceField(choices=FollowUpState.choices, read_only=True)
    owner_group: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = FollowUpAction
        fields = [
            "id",
            "programme",
            "priority",
            "meeting",
            "commitment",
            "what",
            "owner",
            "owner_group",
            "due_on",
            "state",
            "outcome",
            "closed_at",
        ]


class DialogueList(ApiView, GenericAPIView[Any]):
    """Shared: parse ?org=&programme=, keep to the programmes the user may see, paginate."""

    pagination_class = Pagination
    programme_field = "programme"

    def programmes(self, query: dict[str, Any]) -> QuerySet[Programme]:
        rows = programmes_for(self.user)
        if "org" in query:
            rows = rows.filter(organisation=self.organisation(query["org"]))
        if "programme" in query:
            rows = rows.filter(pk=query["programme"])
        return rows

    def page(self, rows: QuerySet[Any], serializer: type[serializers.BaseSerializer[Any]]) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializer(page, many=True).data)


@extend_schema(tags=["dialogues"])
class ProgrammeList(DialogueList):
    serializer_class = ProgrammeSerializer

    @extend_schema(
        summary=gettext_lazy("Dialogue programmes"),
        parameters=[DialogueQuery],
        responses={200: ProgrammeSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(DialogueQuery, request.query_params)
        rows = (
            self.programmes(query)
            .select_related("organisation")
            .annotate(
                n_meetings=Count("meetings", distinct=True), n_priorities=Count("priorities", distinct=True)
            )
            .order_by("-starts_on", "pk")
        )
        return self.page(rows, ProgrammeSerializer)


@extend_schema(tags=["dialogues"])
class MeetingList(DialogueList):
    serializer_class = MeetingSerializer

    @extend_schema(
        summary=gettext_lazy("Meetings, with attendance counts"),
        parameters=[DialogueQuery],
        responses={200: MeetingSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(DialogueQuery, request.query_params)
        rows = (
            Meeting.objects.filter(programme__in=self.programmes(query))
            .annotate(
                n_total=Count("attendances"),
                n_women=Count("attendances", filter=Q(attendances__sex="f")),
                n_men=Count("attendances", filter=Q(attendances__sex="m")),
                n_youth=Count("attendances", filter=Q(attendances__age_band__in=["18_24", "25_35"])),
            )
            .order_by("starts_at", "pk")
        )
        return self.page(rows, MeetingSerializer)


@extend_schema(tags=["dialogues"])
class PriorityList(DialogueList):
    serializer_class = PrioritySerializer

    @extend_schema(
        summary=gettext_lazy("Priorities raised by the groups"),
        parameters=[DialogueQuery],
        responses={200: PrioritySerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(DialogueQuery, request.query_params)
        rows = Priority.objects.filter(programme__in=self.programmes(query)).select_related("raised_by")
        return self.page(rows.order_by("pk"), PrioritySerializer)


@extend_schema(tags=["dialogues"])
class RoundList(DialogueList):
    serializer_class = RoundSerializer

    @extend_schema(
        summary=gettext_lazy("Consensus rounds and their results"),
        parameters=[DialogueQuery],
        responses={200: RoundSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(DialogueQuery, request.query_params)
        rows = ConsensusRound.objects.filter(programme__in=self.programmes(query)).prefetch_related(
            "priorities"
        )
        return self.page(rows.order_by("pk"), RoundSerializer)


def _office_scope(view: DialogueList, query: dict[str, Any], programme_path: str) -> Q:
    """Rows of the programmes the user sees, or (officials) of their own office."""
    scope = Q(**{f"{programme_path}__in": view.programmes(query)})
    offices = official_offices(view.user)
    if offices:
        mine = Q(office__in=offices)
        if "programme" in query:
            mine &= Q(**{programme_path: query["programme"]})
        if "org" in query:
            mine &= Q(**{f"{programme_path}__organisation": view.organisation(query["org"])})
        scope |= mine
    return scope


@extend_schema(tags=["dialogues"])
class ResponseList(DialogueList):
    serializer_class = ResponseSerializer

    @extend_schema(
        summary=gettext_lazy("Officials' responses to the priorities"),
        description=gettext_lazy("Officials see only their own office's responses."),
        parameters=[DialogueQuery],
        responses={200: ResponseSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(DialogueQuery, request.query_params)
        rows = OfficialResponse.objects.filter(_office_scope(self, query, "meeting__programme"))
        return self.page(rows.select_related("office").order_by("pk"), ResponseSerializer)


@extend_schema(tags=["dialogues"])
class CommitmentList(DialogueList):
    serializer_class = CommitmentSerializer

    @extend_schema(
        summary=gettext_lazy("Commitments: the office's progress, the community's verdict, the result"),
        description=gettext_lazy(
            "`result` follows the one rule of the scorecard: the community's verdict (verification answers "
            "and shows of hands) decides once enough people answered yes or no. Officials see only their "
            "own office's commitments."
        ),
        parameters=[DialogueQuery],
        responses={200: CommitmentSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(DialogueQuery, request.query_params)
        rows = (
            Commitment.objects.filter(_office_scope(self, query, "priority__programme"))
            .select_related("office", "priority")
            .order_by("due_on", "pk")
        )
        page = self.paginate_queryset(rows)
        data = [
            {
                "id": x.commitment.pk,
                "programme": x.commitment.priority.programme_id,
                "priority": x.commitment.priority_id,
                "office": x.commitment.office.name,
                "official": x.commitment.official_name,
                "text": x.commitment.what,
                "due": x.commitment.due_on,
                "official_status": x.commitment.status,
                "progress": x.commitment.progress,
                "evidence": x.commitment.evidence,
                "verdict": x.verdict.as_dict(),
                "result": x.result,
            }
            for x in stats.score(list(page or []))
        ]
        return self.get_paginated_response(CommitmentSerializer(data, many=True).data)


@extend_schema(tags=["dialogues"])
class FollowUpList(DialogueList):
    serializer_class = FollowUpSerializer

    @extend_schema(
        summary=gettext_lazy("Follow-up actions"),
        parameters=[DialogueQuery],
        responses={200: FollowUpSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(DialogueQuery, request.query_params)
        rows = FollowUpAction.objects.filter(programme__in=self.programmes(query)).order_by("due_on", "pk")
        return self.page(rows, FollowUpSerializer)
