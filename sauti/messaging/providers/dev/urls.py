from django.urls import path

from sauti.messaging.providers.dev import views

urlpatterns = [
    path("<str:token>/incoming/", views.incoming, name="dev_incoming"),
    path("<str:token>/ussd/", views.ussd, name="dev_ussd"),
]
