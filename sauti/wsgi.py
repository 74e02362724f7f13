import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
django_application = get_wsgi_application()

from sauti.core.logs import RequestLog  # noqa: E402
from sauti.messaging.fastlane import InboundFastLane  # noqa: E402  (needs the apps loaded above)

# One structured log line per request (when SAUTI_STRUCTURED_LOGS is on), fast lane included.
application = RequestLog(InboundFastLane(django_application))
