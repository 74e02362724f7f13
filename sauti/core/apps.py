from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sauti.core"
    label = "core"
    verbose_name = "Sauti core"
