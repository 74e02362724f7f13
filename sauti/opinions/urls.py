from django.urls import path

from sauti.opinions import views

app_name = "opinions"

urlpatterns = [
    path("opinions/", views.conversation_list, name="list"),
    path("opinions/new/", views.conversation_new, name="new"),
    path("opinions/<int:pk>/", views.conversation_detail, name="detail"),
    path("opinions/<int:pk>/statements/", views.statement_add, name="statement_add"),
    path("opinions/<int:pk>/statements/<int:number>/moderate/", views.statement_moderate, name="moderate"),
    path("opinions/<int:pk>/invite-sms/", views.invite_sms, name="invite_sms"),
    path("opinions/<int:pk>/recompute/", views.conversation_recompute, name="recompute"),
    path("opinions/<int:pk>/report/", views.conversation_report, name="report"),
    path("opinions/<int:pk>/report/live/", views.conversation_report_live, name="report_live"),
    path("opinions/<int:pk>/freeze/", views.conversation_freeze, name="freeze"),
    path("opinions/<int:pk>/results-open/", views.conversation_results_open, name="results_open"),
    path("opinions/<int:pk>/report.pdf", views.conversation_report_pdf, name="report_pdf"),
    path("o/<str:code>/", views.vote_page, name="vote"),
    path("o/<str:code>/vote/", views.vote_submit, name="vote_submit"),
    path("o/<str:code>/statement/", views.statement_submit, name="statement_submit"),
    path("o/<str:code>/results/", views.results_page, name="results"),
]
