"""Pure opinion-map pipeline (no Django): loaders for Polis exports and the Polis 'classic' analysis."""

from .data import AGREE, DISAGREE, PASS, Events, NotEnoughData, PolisDataError, Votes
from .history import history_in_conv, replay
from .loaders import Folder, Statement, load_assignment, load_folder
from .pipeline import Analysis, State, analyze

__all__ = [
    "AGREE",
    "DISAGREE",
    "PASS",
    "Analysis",
    "Events",
    "Folder",
    "NotEnoughData",
    "PolisDataError",
    "State",
    "Statement",
    "Votes",
    "analyze",
    "history_in_conv",
    "load_assignment",
    "load_folder",
    "replay",
]
