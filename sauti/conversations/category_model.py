"""A learned second opinion on an SMS's category: multinomial naive Bayes over word unigrams, bigrams and
rough stems (Kiswahili verb and noun-class prefixes and common suffixes cut off).

Trained at first use (deterministically, in a few milliseconds) on `data/category_training.csv`: the
TRAINING rows of tests/conversations/labelled_sms.csv (invented messages, ours; every third row of that
set is held out and is not in this file — tests/conversations/test_accuracy.py checks it). The reading
adds `BLEND` times the model's log posterior, relative to its best category, to the keyword rules'
scores: the rules keep deciding when they are clear, the model settles messages the rules read weakly or
not at all. Character n-grams were tried and left out: they made the posterior overconfident and the
blend worse; logistic regression over words and character n-grams read better alone but added nothing
to the blend (docs/places.md).
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS

__all__ = [
    "ASK_MARGIN",
    "BLEND",
    "MAX_CHOICES",
    "OTHER_STANDING",
    "TRAINING_DATA",
    "CategoryModel",
    "features",
    "model",
    "stem",
]

TRAINING_DATA: Final = Path(__file__).with_name("data") / "category_training.csv"
SMOOTHING: Final = 0.1  # additive (Lidstone) smoothing of the word counts
# Weight of the model's log posterior against the rules' scores (a rule weight of 3 is "clear"), and the
# score "other" stands at in the blend. Chosen by cross-validation on training rows the rules were never
# tuned on (rows 481 on of the labelled set; bench/category_cv.py).
BLEND: Final = 0.1
OTHER_STANDING: Final = 2.0
# The sender is asked to choose the category when the runner-up's blended score comes within ASK_MARGIN of
# the best (then up to MAX_CHOICES categories within it are offered). Chosen by cross-validation on
# training rows, to ask about few messages (bench/category_ask.py).
ASK_MARGIN: Final = 1.25
MAX_CHOICES: Final = 3

# "wamebomolewa" -> "bomol", "hakuna" -> "kun", "evicted" -> "evict": one feature for the many shapes a
# Kiswahili verb or noun takes (subject, tense and class prefixes; passive, applied, causative endings).
_PREFIX: Final = re.compile(
    r"^(?:ha|wa|tu|ni|si|hu|a|u|m|mw|ki|vi|zi|ku|ya|li|i|ji|ma)?(?:me|li|na|ta|ja|ka|ki|nge|sha)?(?=[a-z]{3})"
)
_SUFFIX: Final = re.compile(r"(?:wa|ika|iwa|ewa|ana|eni|isha|esha|ia|ea|ing|ed|es|s)$")


@functools.lru_cache(maxsize=1 << 16)
def stem(token: str) -> str:
    """A rough stem of a token (at least three letters), marked "~" so it never equals a word."""
    if len(token) <= 4 or token.isdigit():
        return "~" + token
    cut = _SUFFIX.sub("", token) if len(token) > 5 else token
    bare = _PREFIX.sub("", cut)
    return "~" + (bare if len(bare) >= 3 else cut)


def features(tokens: Sequence[str]) -> set[str]:
    """The words, their stems and adjacent word pairs of a tokenised message, each counted once."""
    found = set(tokens)
    found.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    found.update(stem(t) for t in tokens)
    return found


@dataclass(frozen=True, slots=True)
class CategoryModel:
    categories: tuple[str, ...]
    index: dict[str, int]  # feature -> row of `weights`
    weights: npt.NDArray[np.float64]  # log P(feature | category), features x categories
    prior: npt.NDArray[np.float64]  # log P(category)

    @classmethod
    def fit(cls, examples: Sequence[tuple[Sequence[str], str]]) -> CategoryModel:
        categories = tuple(TOP_LEVEL_KEYS)
        counts = {key: Counter[str]() for key in categories}
        documents = Counter[str]()
        for tokens, category in examples:
            counts[category].update(features(tokens))
            documents[category] += 1
        vocabulary = sorted(set().union(*counts.values()))
        index = {feature: i for i, feature in enumerate(vocabulary)}
        weights = np.zeros((len(vocabulary), len(categories)))
        for j, key in enumerate(categories):
            for feature, count in counts[key].items():
                weights[index[feature], j] = count
        totals = weights.sum(axis=0) + SMOOTHING * len(vocabulary)
        weights = np.log((weights + SMOOTHING) / totals)
        prior = np.log(
            (np.array([documents[k] for k in categories]) + 1.0) / (len(examples) + len(categories))
        )
        return cls(categories, index, weights, prior)

    def log_posterior(self, tokens: Sequence[str]) -> dict[str, float]:
        """log P(category | message) minus that of the most likely category (so the best is 0)."""
        rows = [self.index[f] for f in features(tokens) if f in self.index]
        scores = self.prior + self.weights[rows].sum(axis=0)
        scores -= scores.max()
        return dict(zip(self.categories, scores.tolist(), strict=True))


def load_training() -> list[tuple[str, str]]:
    with TRAINING_DATA.open(encoding="utf-8", newline="") as f:
        return [(row["text"], row["category"]) for row in csv.DictReader(f)]


@functools.cache
def model() -> CategoryModel:
    from sauti.conversations.reading import tokenize  # the reading imports this module

    return CategoryModel.fit([(tokenize(text), category) for text, category in load_training()])
