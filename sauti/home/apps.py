from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Home pages by role and the menu each role sees (issue 15). Sits on top: imports the apps below it."""

    name = "sauti.home"
    label = "home"
    verbose_name = _("Home")
