from django.urls import path

from sauti.messaging.providers.africastalking import views

urlpatterns = [
    path("<str:token>/incoming/", views.incoming, name="at_incoming"),
    path("<str:token>/delivery/", views.delivery, name="at_delivery"),
    path("<str:token>/ussd/", views.ussd, name="at_ussd"),
    path("<str:token>/optout/", views.optout, name="at_optout"),
]
