from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from sauti.api import dialogues, pages, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.index, name="api_index"),
    path("schema/", pages.SchemaView.as_view(), name="api_schema"),
    path("docs/", pages.docs, name="api_docs"),
    path("token/", pages.token, name="api_token"),
    path("categories/", views.CategoryList.as_view(), name="api_categories"),
    path("places/", views.PlaceSearch.as_view(), name="api_places"),
    path("places/at/", views.PlaceAtPoint.as_view(), name="api_place_at"),
    path("reports/", views.ReportListCreate.as_view(), name="api_reports"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="api_report"),
    path("cases/", views.CaseList.as_view(), name="api_cases"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="api_case"),
    path("cases/<int:pk>/transition/", views.CaseTransition.as_view(), name="api_case_transition"),
    path("programmes/", dialogues.ProgrammeList.as_view(), name="api_programmes"),
    path("meetings/", dialogues.MeetingList.as_view(), name="api_meetings"),
    path("priorities/", dialogues.PriorityList.as_view(), name="api_priorities"),
    path("rounds/", dialogues.RoundList.as_view(), name="api_rounds"),
    path("responses/", dialogues.ResponseList.as_view(), name="api_responses"),
    path("commitments/", dialogues.CommitmentList.as_view(), name="api_commitments"),
    path("follow-ups/", dialogues.FollowUpList.as_view(), name="api_follow_ups"),
    # Anything else under /api/ (a bad id, a missing slash) is a JSON 404, never an HTML page or a redirect;
    # the two pages for people still get the usual redirect to their slashed address.
    re_path(r"^(?!(?:docs|token)$)", pages.not_found, name="api_not_found"),
]
