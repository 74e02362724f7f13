from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Sauti: first-run setup, the worker and its heartbeat, /healthz, structured logs, backups."""

    name = "sauti.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from sauti.core import logs

        logs.connect_task_signals()
