"""Pure opinion-map pipeline (no Django): loaders for Polis exports and the Polis 'classic' analysis."""

from .data import AGREE, DISAGREE, PASS, NotEnoughData, PolisDataError, Votes
from .loaders import Folder, Statement, load_assignment, load_folder
from .pipeline import Analysis, analyze

__all__ = [
    "AGREE",
    "DISAGREE",
    "PASS",
    "Analysis",
    "Folder",
    "NotEnoughData",
    "PolisDataError",
    "Statement",
    "Votes",
    "analyze",
    "load_assignment",
    "load_folder",
]
