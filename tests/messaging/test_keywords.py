"""The opt-out words the transport answers itself: ACHA/SIMAMA/STOP, ANZA/START (the one place they are read)."""

from __future__ import annotations

import pytest

from sauti.messaging.keywords import OptChange, first_word, fold, parse_opt_out, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", OptChange("stop", "stop")),
        ("Stop!", OptChange("stop", "stop")),
        ("acha", OptChange("stop", "acha")),
        ("ACHA kutuma sms tafadhali", OptChange("stop", "acha")),
        ("SIMAMA", OptChange("stop", "simama")),
        ("stop all messages please", OptChange("stop", "stop")),
        ("STOPALL", OptChange("stop", "stopall")),
        ("unsubscribe", OptChange("stop", "unsubscribe")),
        ("START", OptChange("start", "start")),
        ("anza tena", OptChange("start", "anza")),
        ("UNSTOP", OptChange("start", "unstop")),
    ],
)
def test_opt_out_and_opt_in(text: str, expected: OptChange) -> None:
    assert parse_opt_out(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Acha nikwambie, polisi wametupiga jana",
        "Stop police brutality in Mathare",
        "Simama na sisi, maji hakuna",
        "Anza kazi ya barabara",
        "HALI 123",
        "RIPOTI MAJI Mathare",
        "Maji yamekatwa Mathare 4A",
        "",
        "   ",
        "!!!",
    ],
)
def test_anything_else_is_not_an_opt_out(text: str) -> None:
    assert parse_opt_out(text) is None


def test_the_word_tells_the_language_of_the_confirmation() -> None:
    assert [parse_opt_out(t).language for t in ("ACHA", "simama", "Anza")] == ["sw", "sw", "sw"]  # type: ignore[union-attr]
    assert [parse_opt_out(t).language for t in ("STOP", "unsubscribe", "START")] == ["en", "en", "en"]  # type: ignore[union-attr]


def test_keywords_are_read_folded() -> None:
    assert fold("ÁCHA’") == "acha"
    assert first_word("  #Ripoti: maji") == ("ripoti", "maji")
    assert words("STOP, all-messages!") == ["stop", "all", "messages"]
