from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The tamper-evident history. Each app registers its own audited models (`audit.register`) in its
    `AppConfig.ready()`; this app imports no other Sauti app but core."""

    name = "sauti.audit"
    label = "audit"
    verbose_name = _("Audit")
