"""Limit/offset pages whose parameters are checked: a bad value is a 400, not a silent default."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from django.utils.translation import gettext as _

from sauti.api.errors import field_error

MAX_LIMIT = 200
# Far beyond any real table; larger offsets overflow SQLite's integers.
MAX_OFFSET = 1_000_000_000


def _bounded_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    if name not in request.query_params:
        return default
    try:
        value = int(request.query_params[name])
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise field_error(
            name, _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return value


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int:
        return _bounded_int(request, self.limit_query_param, self.default_limit, 1, MAX_LIMIT)

    def get_offset(self, request: Request) -> int:
        return _bounded_int(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: (1, MAX_LIMIT, self.default_limit),
            self.offset_query_param: (0, MAX_OFFSET, 0),
        }
        for parameter in parameters:
            low, high, default = bounds[parameter["name"]]
            parameter["schema"].update(minimum=low, maximum=high, default=default)
        return parameters
