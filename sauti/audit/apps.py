from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The tamper-evident history. Each app registers its own audited models (`audit.register`) in its
    `AppConfig.ready()`; this app imports no other Sauti app but core."""

    name = "sauti.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from sauti.audit.actions import do_sign_heads
        from sauti.core import periodic

        # Each organisation signs the chain head every SAUTI_SIGN_HEAD_MINUTES (when it has moved).
        periodic.register("audit.sign_heads", do_sign_heads, every="minute", counts="chain heads signed")
