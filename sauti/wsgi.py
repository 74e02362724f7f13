import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
django_application = get_wsgi_application()

from sauti.messaging.fastlane import InboundFastLane  # noqa: E402  (needs the apps loaded above)

application = InboundFastLane(django_application)
