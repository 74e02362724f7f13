from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sauti.core"
    label = "core"
    verbose_name = "Sauti core"

    def ready(self) -> None:
        from sauti.core import checks  # noqa: F401 (registers the deployment checks)
