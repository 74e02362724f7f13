"""The dialogue programme of tests/dialogues."""

from tests.dialogues.conftest import dia

__all__ = ["dia"]
