from __future__ import annotations

from django.urls import URLPattern, path

from sauti.dialogues import views

app_name = "dialogues"

urlpatterns: list[URLPattern] = [
    path("", views.programme_list, name="programme_list"),
    path("my-office/", views.my_office, name="my_office"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("<int:pk>/", views.programme_detail, name="programme"),
    path("<int:pk>/dashboard/", views.programme_dashboard, name="dashboard"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/priorities/new/", views.priority_create, name="priority_create"),
    path("<int:pk>/priorities/merge/", views.priority_merge, name="priority_merge"),
    path("<int:pk>/rounds/new/", views.round_create, name="round_create"),
    path("<int:pk>/petition-templates/", views.petition_templates, name="petition_templates"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/remind/", views.meeting_remind, name="meeting_remind"),
    path("meetings/<int:pk>/photos/new/", views.meeting_photo_add, name="meeting_photo_add"),
    path("photos/<int:pk>/", views.meeting_photo, name="meeting_photo"),
    path("meetings/<int:pk>/invite.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/responses/new/", views.response_create, name="response_create"),
    path("responses/<int:pk>/commitments/new/", views.commitment_create, name="commitment_create"),
    path("responses/<int:pk>/rate/", views.response_rate, name="response_rate"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/dots/", views.round_dots, name="round_dots"),
    path("rounds/<int:pk>/vote/", views.round_vote, name="round_vote"),
    path("rounds/<int:pk>/sms/", views.round_sms, name="round_sms"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/petition/", views.round_petition, name="round_petition"),
    path("rounds/<int:pk>/invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/letter.<str:fmt>", views.invitation_letter, name="invitation_letter"),
    path("invitations/<int:pk>/advance/", views.invitation_advance, name="invitation_advance"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/update/", views.commitment_update, name="commitment_update"),
    path("commitments/<int:pk>/verify/", views.commitment_verify, name="commitment_verify"),
    path("surveys/<int:pk>/reply/", views.survey_reply, name="survey_reply"),
    path("priorities/<int:pk>/", views.priority_chain, name="priority"),
    path("priorities/<int:pk>/edit/", views.priority_edit, name="priority_edit"),
    path("commitments/<int:pk>/hands/", views.commitment_hands, name="commitment_hands"),
    path("meetings/<int:pk>/hands/", views.meeting_hands, name="meeting_hands"),
    path("<int:pk>/follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow_up_close"),
    path("meetings/<int:pk>/breakouts/new/", views.breakouts_form, name="breakouts_form"),
    path("breakouts/<int:pk>/", views.breakout_record, name="breakout_record"),
    path("breakouts/<int:pk>/adopt/", views.breakout_adopt, name="breakout_adopt"),
    path("invitations/<int:pk>/reply/", views.invitation_reply, name="invitation_reply"),
    path("invitations/<int:pk>/responses/new/", views.office_response, name="office_response"),
]
