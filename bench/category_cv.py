"""Cross-validation of the category reading on TRAINING rows only (held-out rows are never read here).

    .venv/bin/python bench/category_cv.py [--from ROW] [--folds 5]

Rows numbered >= --from (the rows the keyword rules were never tuned on) are split into folds; for each
fold the learned model is trained on every other training row (older training rows and the other folds)
and the blend (rules + BLEND x model) is scored on the fold. Prints per-category recall and accuracy for a
grid of blend weights (0: the rules alone; 100: about the model alone), with the model and the standing of
"other" as they are in the package. Rows 481 on are the default: the rules were tuned on earlier rows, so
cross-validation there would favour them.
"""

from __future__ import annotations

import argparse
from collections import Counter

from benchsetup import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="first", type=int, default=481)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--weights", default="0,0.05,0.1,0.15,0.2,0.3,0.4,0.6,1.0,100")
    args = parser.parse_args()
    setup_django()

    from sauti.conversations import category_model as cm
    from sauti.conversations.reading import _TIE_ORDER, score_categories, tokenize
    from tests.conversations.test_accuracy import load

    training = [r for r in load() if not r.held_out]
    fresh = [r for r in training if r.number >= args.first]
    older = [r for r in training if r.number < args.first]
    tokens = {r.number: tokenize(r.text) for r in training}
    rules = {r.number: score_categories(tokens[r.number]) for r in training}
    weights = [float(w) for w in args.weights.split(",")]
    right = Counter[float]()
    per = {w: Counter[str]() for w in weights}
    support = Counter(r.category for r in fresh)
    for k in range(args.folds):
        test = [r for i, r in enumerate(fresh) if i % args.folds == k]
        learn = older + [r for i, r in enumerate(fresh) if i % args.folds != k]
        model = cm.CategoryModel.fit([(tokens[r.number], r.category) for r in learn])
        for r in test:
            doubt = model.log_posterior(tokens[r.number])
            s = rules[r.number]
            for w in weights:
                blended = {key: s[key] + w * doubt[key] for key in _TIE_ORDER}
                blended["other"] = max(s["other"], cm.OTHER_STANDING) + w * doubt["other"]
                got = max(_TIE_ORDER, key=lambda key: (blended[key], -_TIE_ORDER.index(key)))
                if got == r.category:
                    right[w] += 1
                    per[w][r.category] += 1
    print(f"{len(fresh)} training rows from row {args.first}, {args.folds} folds; {len(older)} older rows")
    cats = sorted(support)
    print("weight   acc   " + " ".join(f"{c[:6]:>6}" for c in cats))
    print("support        " + " ".join(f"{support[c]:>6}" for c in cats))
    for w in weights:
        recalls = " ".join(f"{per[w][c] / support[c]:>6.2f}" for c in cats)
        print(f"{w:>6} {right[w] / len(fresh):.3f} {recalls}")


if __name__ == "__main__":
    main()
