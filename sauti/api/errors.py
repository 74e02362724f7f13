"""One shape for every API error: `{"detail": "..."}` or `{"<field>": ["...", ...]}`."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _

NON_FIELD = "non_field_errors"

# The shape's schema is the `Error` component (SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]).
ERROR_REF: dict[str, Any] = {"$ref": "#/components/schemas/Error"}


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors of list items and nested objects; clients get one level, e.g. `categories.2`."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, value in enumerate(detail):
            if value:
                name = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in flatten(value, name).items():
                    out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        out[prefix or NON_FIELD] = [str(message) for message in detail]
    else:
        out[prefix or NON_FIELD] = [str(detail)]
    return out


class TooLarge(APIException):
    status_code = 413
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        # Django would answer with its HTML 400 page.
        exc = TooLarge(_("The request is too large."))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        response.data = flatten(exc.detail)
    return response


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field or NON_FIELD: [message]})
