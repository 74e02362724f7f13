"""The SMS keyword grammar of reports: RIPOTI/REPORT, HALI/STATUS (and ACHA/SIMAMA/STOP, ANZA/START as messaging reads them)."""

from __future__ import annotations

import pytest

from sauti.conversations.keywords import CATEGORY_WORDS, Command, category_word, parse_command
from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "RIPOTI MAJI Mathare 4A maji yamekatwa",
            Command("report", "ripoti", "water", None, "Mathare 4A maji yamekatwa"),
        ),
        (
            "ripoti: maji, Kibera hakuna maji",
            Command("report", "ripoti", "water", None, "Kibera hakuna maji"),
        ),
        (
            "Report police Kawangware youths beaten",
            Command("report", "report", "security", None, "Kawangware youths beaten"),
        ),
        (
            "REPORT public-projects Kondele road stalled",
            Command("report", "report", "public-projects", None, "Kondele road stalled"),
        ),
        ("RIPOTI-USALAMA Huruma", Command("report", "ripoti", "security", None, "Huruma")),
        (
            "RIPOTI Kibera watoto hawana shule",
            Command("report", "ripoti", None, None, "Kibera watoto hawana shule"),
        ),
        ("RIPOTI", Command("report", "ripoti")),
        ("HALI 123", Command("status", "hali", reference=123)),
        ("hali ya ripoti namba 45", Command("status", "hali", reference=45)),
        ("STATUS #7", Command("status", "status", reference=7)),
        ("status", Command("status", "status")),
        ("STOP", Command("stop", "stop")),
        ("Stop!", Command("stop", "stop")),
        ("acha", Command("stop", "acha")),
        ("ACHA kutuma sms tafadhali", Command("stop", "acha")),
        ("SIMAMA", Command("stop", "simama")),
        ("stop all messages please", Command("stop", "stop")),
        ("START", Command("start", "start")),
        ("anza tena", Command("start", "anza")),
    ],
)
def test_commands(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Acha nikwambie, polisi wametupiga jana",
        "Hali ni mbaya sana Kibera",
        "Stop police brutality in Mathare",
        "Status of the road project is bad",
        "HALI 123 456",
        "HALI 1234567890123",
        "Simama na sisi, maji hakuna",
        "Maji yamekatwa Mathare 4A",
        "",
        "   ",
        "!!!",
    ],
)
def test_free_text_is_not_a_command(text: str) -> None:
    assert parse_command(text) is None


def test_every_taxonomy_key_is_a_category_word_and_every_word_maps_to_a_key() -> None:
    for key in TOP_LEVEL_KEYS:
        assert category_word(key) == key
    assert set(CATEGORY_WORDS.values()) <= set(TOP_LEVEL_KEYS)
    assert category_word("MAJI") == "water" and category_word("Usalama:") == "security"
    assert category_word("mathare") is None
