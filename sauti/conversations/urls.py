from __future__ import annotations

from django.urls import URLPattern, path

from sauti.conversations import views

urlpatterns: list[URLPattern] = [
    path("conversations/", views.conversation_list, name="conversation_list"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"),
]
