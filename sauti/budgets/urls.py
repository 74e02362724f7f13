from django.urls import path

from sauti.budgets import views

app_name = "budgets"

urlpatterns = [
    path("", views.index, name="index"),
    path("template/<str:language>.<str:fmt>", views.template_download, name="template"),
    path("<slug:slug>/", views.register, name="register"),
    path("<slug:slug>/import/", views.import_file, name="import"),
    path("<slug:slug>/projects/<int:number>/", views.project_detail, name="project"),
    path("<slug:slug>/projects/<int:number>/correct/", views.project_correct, name="project_correct"),
    path("<slug:slug>/projects/<int:number>/category/", views.project_category, name="project_category"),
    path("<slug:slug>/projects/<int:number>/ward/", views.project_ward, name="project_ward"),
    path("<slug:slug>/projects/<int:number>/observe/", views.project_observe, name="project_observe"),
    path("<slug:slug>/projects/<int:number>/cases/", views.project_link_case, name="project_link_case"),
    path("<slug:slug>/scorecard/", views.scorecard, name="scorecard"),
    path("<slug:slug>/departments/<int:county>/", views.departments, name="departments"),
    path("<slug:slug>/proposals/", views.proposal_list, name="proposals"),
    path("<slug:slug>/proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("<slug:slug>/proposals/<int:pk>/fate/", views.proposal_fate, name="proposal_fate"),
    path("<slug:slug>/proposals/<int:pk>/document/", views.proposal_document, name="proposal_document"),
    path("<slug:slug>/submissions/<int:pk>/project/", views.submission_project, name="submission_project"),
    path(
        "<slug:slug>/conclusions/<int:pk>/memorandum/",
        views.conclusion_memorandum,
        name="conclusion_memorandum",
    ),
]
