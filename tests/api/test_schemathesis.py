"""Every operation of the served schema, fuzzed by schemathesis in-process as a coordinator with a token.

Valid and invalid requests alike must never get a 5xx, and every answer must match the schema
(status code, content type, body).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from sauti.api.actions import do_create_token
from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.people.models import Office
from tests.conftest import World

EXAMPLES = 30
OPERATIONS = [
    ("GET", "/api/categories/"),
    ("GET", "/api/places/"),
    ("GET", "/api/places/at/"),
    ("GET", "/api/reports/"),
    ("POST", "/api/reports/"),
    ("GET", "/api/reports/{id}/"),
    ("GET", "/api/cases/"),
    ("GET", "/api/cases/{id}/"),
    ("POST", "/api/cases/{id}/transition/"),
    ("GET", "/api/programmes/"),
    ("GET", "/api/meetings/"),
    ("GET", "/api/priorities/"),
    ("GET", "/api/rounds/"),
    ("GET", "/api/responses/"),
    ("GET", "/api/commitments/"),
    ("GET", "/api/follow-ups/"),
]
# Random slugs and keys are almost never real ones: half the valid requests get real ones, so they get past
# the 404/400 and through the actions.
REAL_VALUES: dict[str, Any] = {
    "org": st.just("umoja"),
    "category": st.sampled_from(["water", "housing-demolition", "gbv"]),
    "categories": st.lists(st.sampled_from(["water", "housing-eviction", "land-widows"]), max_size=2),
    "lat": st.floats(-1.30, -1.25),
    "lon": st.floats(36.80, 36.88),
    "occurred_on": st.dates(date(2020, 1, 1), date(2024, 12, 31)).map(date.isoformat),
    "q": st.sampled_from(["Mathare", "Kwa Reuben", "Kibra"]),
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@st.composite
def realistic(draw: st.DrawFn, cases: st.SearchStrategy[Any], office_id: int) -> Any:
    case = draw(cases)
    if draw(st.booleans()):
        for part in (case.query, case.body):
            if isinstance(part, dict):
                for key in part.keys() & REAL_VALUES.keys():
                    part[key] = draw(REAL_VALUES[key])
                if "referred_to" in part:
                    part["referred_to"] = office_id
    return case


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    # As Django's test client does: a request must not close the connection holding the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(app: WSGIHandler) -> Any:
    return schemathesis.openapi.from_wsgi("/api/schema/", app)


def test_the_fuzzed_operations_are_all_the_schema_has(schema: Any) -> None:
    served = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert served == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_gets_a_server_error_or_an_answer_off_the_schema(
    world: World, schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    report = do_submit_report(
        world.umoja,
        ReportInput(
            description="Houses demolished at night in Mabatini",
            channel="web",
            occurred_on=timezone.localdate(),
            place_text="Mabatini",
            category_keys=["housing-demolition"],
        ),
    )
    # Schemathesis' WSGI transport asks for gzip (requests' default) but does not unpack it; Sauti gzips
    # what a client accepts (GZipMiddleware), so ask for the body as it is.
    headers = {"Authorization": f"Token {do_create_token(world.wanjiku).key}", "Accept-Encoding": "identity"}
    operation = schema[path][method]
    # Requests go to objects that exist, so they reach the code behind the 404; invalid GETs have
    # nothing but the id to get wrong.
    pin = "{id}" in path and (mode is GenerationMode.POSITIVE or method == "POST")
    ids = {"id": report.pk if "reports" in path else report.case_id} if pin else None
    cases = operation.as_strategy(generation_mode=mode, path_parameters=ids)
    if mode is GenerationMode.POSITIVE:
        cases = realistic(cases, Office.objects.get(name="Chief, Mabatini").pk)
        checks = CHECKS
    else:
        checks = [*CHECKS, negative_data_rejection]
    seen: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        case.validate_response(response, checks=checks)

    run()
    if mode is GenerationMode.POSITIVE:
        # The fuzzing got past validation and access at least once (the code behind them ran).
        assert any(200 <= code < 300 for code in seen), seen
