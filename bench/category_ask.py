"""When to ask the sender to choose the category: cross-validation on TRAINING rows only, then, with
--held-out, one score of the held-out rows at the margin in the package.

    .venv/bin/python bench/category_ask.py [--from ROW] [--folds 5]
    .venv/bin/python bench/category_ask.py --held-out

Cross-validation as in bench/category_cv.py (rows >= --from split into folds, the model trained on every
other training row). For each margin: how many messages would be asked about, the accuracy where the
reading is not asked about, how often the true category is among the choices when asked, and the
accuracy after asking (when the sender picks the true category if it is offered, the guess otherwise).
--held-out trains on every training row (the package model) and reports the same figures once for the
held-out rows, at `category_model.ASK_MARGIN`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from benchsetup import setup_django


def figures(rows: Sequence[tuple[str, tuple[str, ...], str]]) -> str:
    """rows: (best guess, choices offered or (), true category)."""
    asked = [r for r in rows if r[1]]
    sure = [r for r in rows if not r[1]]
    auto = sum(g == t for g, _, t in rows) / len(rows)
    sure_acc = sum(g == t for g, _, t in sure) / len(sure) if sure else 0.0
    among = sum(t in c for _, c, t in asked) / len(asked) if asked else 0.0
    after = sum((t in c) if c else (g == t) for g, c, t in rows) / len(rows)
    return (
        f"asked {len(asked):>4}/{len(rows)} = {len(asked) / len(rows):.3f}  automatic {auto:.3f}  "
        f"not asked {sure_acc:.3f}  true among choices {among:.3f}  after asking {after:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="first", type=int, default=481)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--margins", default="0,0.25,0.5,0.75,1,1.25,1.5,2,2.5,3")
    parser.add_argument("--held-out", action="store_true", help="score the held-out rows once")
    args = parser.parse_args()
    setup_django()

    from sauti.conversations import category_model as cm
    from sauti.conversations import reading
    from tests.conversations.test_accuracy import load

    rows = load()
    if args.held_out:
        held = [r for r in rows if r.held_out]
        out = []
        for r in held:
            tokens = reading.tokenize(r.text)
            ranked = reading.ranked_categories(reading.score_categories(tokens), tokens)
            out.append((ranked[0][0], reading.unsure_between(ranked), r.category))
        print(f"held-out rows ({len(held)}), margin {cm.ASK_MARGIN}:\n  {figures(out)}")
        return

    training = [r for r in rows if not r.held_out]
    fresh = [r for r in training if r.number >= args.first]
    older = [r for r in training if r.number < args.first]
    tokens = {r.number: reading.tokenize(r.text) for r in training}
    rules = {r.number: reading.score_categories(tokens[r.number]) for r in training}
    ranked: dict[int, list[tuple[str, float]]] = {}
    original = cm.model
    for k in range(args.folds):
        test = [r for i, r in enumerate(fresh) if i % args.folds == k]
        learn = older + [r for i, r in enumerate(fresh) if i % args.folds != k]
        fitted = cm.CategoryModel.fit([(tokens[r.number], r.category) for r in learn])
        cm.model = lambda fitted=fitted: fitted  # type: ignore[misc]
        for r in test:
            ranked[r.number] = reading.ranked_categories(rules[r.number], tokens[r.number])
    cm.model = original  # type: ignore[misc]
    print(f"{len(fresh)} training rows from row {args.first}, {args.folds} folds; {len(older)} older rows")
    for margin in [float(m) for m in args.margins.split(",")]:
        out = [
            (ranked[r.number][0][0], reading.unsure_between(ranked[r.number], margin), r.category)
            for r in fresh
        ]
        print(f"margin {margin:>5}: {figures(out)}")


if __name__ == "__main__":
    main()
