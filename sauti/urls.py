from django.contrib import admin
from django.urls import include, path

from sauti.ops import views as ops_views
from sauti.people import security
from sauti.people import views as people_views

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", security.RateLimitedLoginView.as_view(), name="login"),
    path("accounts/2fa/", security.two_factor, name="two_factor"),
    path("accounts/odk-passwords/", security.odk_passwords, name="odk_passwords"),
    path("accounts/odk-passwords/<int:pk>/revoke/", security.odk_password_revoke, name="odk_password_revoke"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", people_views.set_language, name="set_language"),
    path("places/", include("sauti.places.urls")),
    path("api/", include("sauti.api.urls")),
    path("dialogues/", include("sauti.dialogues.urls")),
    path("trust/", include("sauti.trust.urls")),
    path("peers/", include("sauti.peers.urls")),
    path("mapping/", include("sauti.mapping.urls")),
    path("impact/", include("sauti.impact.urls")),
    path("forms/", include("sauti.questionnaires.urls")),
    path("budgets/", include("sauti.budgets.urls")),
    path("messaging/hooks/", include("sauti.messaging.urls_webhooks")),
    path("messaging/", include("sauti.messaging.urls")),
    path("", include("sauti.home.urls")),
    path("throttles/", include("sauti.throttles.urls")),
    path("", include("sauti.monitoring.urls")),
    path("", include("sauti.insights.urls")),
    path("", include("sauti.people.urls")),
    path("", include("sauti.conversations.urls")),
    path("", include("sauti.opinions.urls")),
    path("", include("sauti.evidence.urls")),
]
