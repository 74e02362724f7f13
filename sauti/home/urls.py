from __future__ import annotations

from django.urls import URLPattern, path

from sauti.home import views

urlpatterns: list[URLPattern] = [path("", views.home, name="home")]
