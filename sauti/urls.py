from django.contrib import admin
from django.urls import include, path

from sauti.core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("places/", include("sauti.places.urls")),
    path("api/", include("sauti.api.urls")),
    path("dialogues/", include("sauti.dialogues.urls")),
    path("messaging/hooks/", include("sauti.messaging.urls_webhooks")),
    path("messaging/", include("sauti.messaging.urls")),
    path("", include("sauti.monitoring.urls")),
    path("", include("sauti.people.urls")),
    path("", include("sauti.conversations.urls")),
    path("", include("sauti.opinions.urls")),
]
