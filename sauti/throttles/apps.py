from django.apps import AppConfig


class ThrottlesConfig(AppConfig):
    """Per-client limits on anonymous submissions (public report form, opinion votes): 429 past them."""

    name = "sauti.throttles"
    label = "throttles"
    verbose_name = "Throttles"
