"""Grouping on the labelled pairs at several time windows: precision and recall of "same event".

    .venv/bin/python bench/grouping_pairs.py

The test (tests/monitoring/test_grouping_pairs.py) holds the chosen window to its floors; this prints the
figures behind the choice (docs/decisions.md, issue 16).
"""

from __future__ import annotations

from benchsetup import setup_django


def main() -> None:
    setup_django(migrate=True)

    from sauti.monitoring import grouping
    from sauti.places.models import Settlement
    from tests.monitoring.test_grouping_pairs import facts, load

    parents = dict(Settlement.objects.values_list("pk", "parent_id"))
    rows = load()
    pairs = [
        (
            facts(r["a_text"], r["a_place"], r["a_category"], int(r["a_day"]), parents),
            facts(r["b_text"], r["b_place"], r["b_category"], int(r["b_day"]), parents),
            r["same"] == "1",
        )
        for r in rows
    ]
    chosen = grouping.WINDOW_DAYS
    print(f"{len(pairs)} pairs; window in days -> precision, recall")
    for window in (3, 5, 7, 10, 14, 21, 30):
        grouping.WINDOW_DAYS = window
        tp = fp = fn = 0
        for a, b, same in pairs:
            joined = grouping.match(b, a) is not None
            tp += joined and same
            fp += joined and not same
            fn += same and not joined
        mark = "  (chosen)" if window == chosen else ""
        print(f"  {window:>3}  {tp / max(1, tp + fp):.3f}  {tp / max(1, tp + fn):.3f}{mark}")
    grouping.WINDOW_DAYS = chosen


if __name__ == "__main__":
    main()
