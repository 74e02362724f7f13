from django.contrib import admin
from django.urls import include, path

from sauti.core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("places/", include("sauti.places.urls")),
    path("api/", include("sauti.api.urls")),
    path("", include("sauti.monitoring.urls")),
    path("", include("sauti.people.urls")),
    path("", include("sauti.evidence.urls")),
]
