from django.urls import path

from sauti.messaging.providers.twilio import views

urlpatterns = [
    path("<str:token>/incoming/", views.incoming, name="twilio_incoming"),
    path("<str:token>/status/", views.status, name="twilio_status"),
]
