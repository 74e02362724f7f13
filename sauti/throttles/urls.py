from django.urls import path

from sauti.throttles import views

urlpatterns = [path("<slug:slug>/", views.limits, name="throttle_limits")]
