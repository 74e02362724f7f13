from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sauti.api"
    label = "api"
    verbose_name = "API"
