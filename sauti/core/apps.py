from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sauti.core"
    label = "core"
    verbose_name = "Sauti core"

    def ready(self) -> None:
        from PIL import Image

        from django.conf import settings

        from sauti.core import checks  # noqa: F401 (registers the deployment checks)

        # Pillow's decompression-bomb guard at the same figure as the attachment check (issue 13).
        Image.MAX_IMAGE_PIXELS = settings.SAUTI_MAX_IMAGE_PIXELS
