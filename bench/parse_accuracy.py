"""How well the SMS analysis reads the labelled set: per-category precision/recall/F1, language, place.

    .venv/bin/python bench/parse_accuracy.py [--misses]

Reads tests/conversations/labelled_sms.csv (invented, realistic messages in Kiswahili, English, Sheng and
mixed; every place checked against the gazetteer). Every third row is held out: the keyword rules were
tuned looking only at the other rows' errors, so the held-out column is the figure to quote. Uses a
throwaway SQLite database with the gazetteer loaded. Scoring is the same code as
tests/conversations/test_accuracy.py (which holds the figures to floors).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter

from benchsetup import setup_django

# Groups of rows by when they were written; each group was written before anything was tuned on it.
GROUPS = [
    ("old", 1, 420),  # before issue 16
    ("issue 16", 421, 480),  # written before the second tuning of the rules
    ("session 5", 481, 600),  # written before the learned model was added beside the rules
    ("session 6", 601, 10_000),  # written before the model's stems and the blend's re-weighting
]


def write_training() -> None:
    from sauti.conversations.category_model import TRAINING_DATA
    from tests.conversations.test_accuracy import load

    with TRAINING_DATA.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "category"])
        writer.writerows((r.text, r.category) for r in load() if not r.held_out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list the training rows read wrongly")
    parser.add_argument(
        "--write-training",
        action="store_true",
        help="rewrite the category model's training file from the labelled set's training rows, and stop",
    )
    args = parser.parse_args()
    setup_django(migrate=not args.write_training)
    if args.write_training:
        write_training()
        return

    from sauti.conversations.reading import analyse
    from tests.conversations.test_accuracy import Scores, load, score, table

    rows = load()
    analyse("warm up the place index: Mathare 4A")
    started = time.perf_counter()
    results = [analyse(r.text) for r in rows]
    elapsed = time.perf_counter() - started
    pairs = list(zip(rows, results, strict=True))
    train = [(r, a) for r, a in pairs if not r.held_out]
    held = [(r, a) for r, a in pairs if r.held_out]
    named = {
        "train": score([r for r, _ in train], [a for _, a in train]),
        "held-out": score([r for r, _ in held], [a for _, a in held]),
        "all": score(rows, results),
    }
    print(table(named))
    groups: dict[str, Scores] = {}
    for label, first, last in GROUPS:
        group = [(r, a) for r, a in held if first <= r.number <= last]
        if group:
            groups[f"held-out {label}"] = score([r for r, _ in group], [a for _, a in group])
    print("\nheld-out rows by when they were written (see GROUPS):")
    print(table(groups))
    print("\nconfusion on held-out rows (labelled -> read, count):")
    pairs_seen = Counter((r.category, a.category) for r, a in held if r.category != a.category)
    for (want, got), count in pairs_seen.most_common():
        print(f"  {want:>15} -> {got:<15} {count}")
    langs = sorted({r.language for r in rows})
    print("\nlanguage accuracy by labelled language (all rows):")
    for lang in langs:
        subset = [(r, a) for r, a in pairs if r.language == lang]
        right = sum(r.language == a.language for r, a in subset)
        print(f"  {lang:<6} {right}/{len(subset)} = {right / len(subset):.3f}")
    print(f"\n{len(rows)} messages analysed in {elapsed:.2f} s ({len(rows) / elapsed:.0f} messages/s)")
    if args.misses:
        print("\ntraining rows read wrongly (held-out rows are not shown, to keep them unseen):")
        for r, a in train:
            if r.category != a.category:
                print(f"  {r.category:>15} -> {a.category:<15} {r.text}")


if __name__ == "__main__":
    main()
