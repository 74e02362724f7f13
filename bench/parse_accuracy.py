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
import time

from benchsetup import setup_django

OLD_ROWS = 420  # the rows before issue 16; rows after them were written before the rules were tuned again


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list the training rows read wrongly")
    args = parser.parse_args()
    setup_django(migrate=True)

    from sauti.conversations.reading import analyse
    from tests.conversations.test_accuracy import load, score, table

    rows = load()
    analyse("warm up the place index: Mathare 4A")
    started = time.perf_counter()
    results = [analyse(r.text) for r in rows]
    elapsed = time.perf_counter() - started
    pairs = list(zip(rows, results, strict=True))
    train = [(r, a) for r, a in pairs if not r.held_out]
    held = [(r, a) for r, a in pairs if r.held_out]
    old = [(r, a) for r, a in held if r.number <= OLD_ROWS]
    new = [(r, a) for r, a in held if r.number > OLD_ROWS]
    named = {
        "train": score([r for r, _ in train], [a for _, a in train]),
        "held-out": score([r for r, _ in held], [a for _, a in held]),
        "all": score(rows, results),
    }
    print(table(named))
    if new:
        print(
            f"\nheld-out rows 1-{OLD_ROWS} (old) and {OLD_ROWS + 1}-{len(rows)} (new, written before tuning):"
        )
        print(
            table(
                {
                    "held-out old": score([r for r, _ in old], [a for _, a in old]),
                    "held-out new": score([r for r, _ in new], [a for _, a in new]),
                }
            )
        )
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
