from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from django.core.management import call_command

from sauti.budgets import cob
from sauti.monitoring.actions import do_seed_taxonomy
from sauti.places.models import County
from tests.conftest import World

COB_TEXT = Path(cob.__file__).parent / "data" / "cob_cbirr_fy2024-25_mombasa.txt"


def run(*args: str) -> Any:
    out = StringIO()
    call_command("budgets", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def mombasa(world: World) -> World:
    """Umoja with Mombasa's CoB chapter imported (10 projects, 14 departments and the total)."""
    do_seed_taxonomy(world.umoja)
    do_seed_taxonomy(world.haki)
    world.umoja.county = County.objects.get(code=1)
    world.umoja.save()
    run("import", str(COB_TEXT), "--org", "umoja", "--county", "1", "--json")
    return world
