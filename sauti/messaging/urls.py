from django.urls import path

from sauti.messaging import views

urlpatterns = [
    path("", views.home, name="messaging_home"),
    path("<slug:slug>/channels/", views.channel_list, name="messaging_channels"),
    path("<slug:slug>/inbox/", views.inbox, name="messaging_inbox"),
    path("<slug:slug>/inbox/<int:pk>/release/", views.release, name="messaging_release"),
    path("<slug:slug>/outbox/", views.outbox, name="messaging_outbox"),
    path("<slug:slug>/broadcast/", views.broadcast, name="messaging_broadcast"),
    path("<slug:slug>/simulator/", views.simulator_page, name="messaging_simulator"),
    path("<slug:slug>/simulator/thread/", views.simulator_thread, name="messaging_simulator_thread"),
    path("<slug:slug>/simulator/sms/", views.simulator_sms, name="messaging_simulator_sms"),
    path("<slug:slug>/simulator/ussd/", views.simulator_ussd, name="messaging_simulator_ussd"),
]
