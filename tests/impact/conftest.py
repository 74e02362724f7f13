"""The dialogue programme of tests/dialogues, for the impact reports built on it."""

from tests.dialogues.conftest import dia

__all__ = ["dia"]
