"""Print the validation figures: `python -m tests.opinions.figures` (from the repository root, in .venv)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import numpy as np

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
    django.setup()
    from sauti.opinions.polis import history_in_conv

    from .polisdata import (
        ARI_NAMES,
        MATH,
        MATH_NAMES,
        ari_against_polis,
        ari_relabelled,
        folder,
        math_analysis,
        math_blob,
        zeroed_window,
    )

    print("PCA against Polis math-pca2.json (|cosine| of each component; sign free)")
    for name in MATH_NAMES:
        result, blob = math_analysis(name, False), math_blob(name)
        cosines = []
        for i in range(2):
            ours, theirs = -result.comps[i], np.array(blob["pca"]["comps"][i])
            cosines.append(abs(ours @ theirs) / np.linalg.norm(ours) / np.linalg.norm(theirs))
        given = math_analysis(name, True)
        gac = dict(zip((int(t) for t in given.tids), given.group_aware_consensus, strict=True))
        gac_diff = max(abs(gac[int(t)] - v) for t, v in blob["group-aware-consensus"].items())
        rep_ok = all(
            [r["tid"] for r in rows] == [r["tid"] for r in blob["repness"][str(g)]]
            for g, rows in given.repness.items()
        )
        print(
            f"  {name:34s} pc1 {cosines[0]:.6f}  pc2 {cosines[1]:.6f}  repness equal: {rep_ok}  "
            f"group-aware consensus max diff {gac_diff:.1e}"
        )
    print("In-conversation set replayed from the vote history against Polis' in-conv (Jaccard)")
    for name in MATH_NAMES:
        kept = set(history_in_conv(folder(str(MATH / name)).votes))
        polis = set(math_blob(name)["in-conv"])
        print(
            f"  {name:34s} {len(kept & polis) / len(kept | polis):.3f}  ({len(polis - kept)} only in Polis')"
        )
    print(
        "Same, counting as Polis' older math did (each zeroed moderated-out/meta column a vote for everyone):"
        " throughout, and when it must have stopped for an exact match"
    )

    def day(ms: float) -> str:
        if abs(ms) == float("inf"):
            return "the start" if ms < 0 else "the end"
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")

    after, before = -float("inf"), float("inf")
    for name in MATH_NAMES:
        kept = set(history_in_conv(folder(str(MATH / name)).votes, zeroed_until=float("inf")))
        polis = set(math_blob(name)["in-conv"])
        window = zeroed_window(name)
        if window is None:
            when = "never"
            after, before = float("inf"), -float("inf")
        else:
            when = f"between {day(window[0])} and {day(window[1])}"
            after, before = max(after, window[0]), min(before, window[1])
        print(f"  {name:34s} throughout {len(kept & polis) / len(kept | polis):.3f}; exact if stopped {when}")
    together = f"between {day(after)} and {day(before)}" if after < before else "never"
    print(f"  all five exact if it stopped {together}")
    print(
        "Adjusted Rand index, ids re-labelled and rows shuffled, history replayed where votes.csv has times"
    )
    replayed = []
    for name in ARI_NAMES:
        runs = [ari_relabelled(name, seed)[0] for seed in (1, 2, 3)]
        replayed.append(sum(runs) / len(runs))
        print(f"  {name:34s} ARI {replayed[-1]:.3f} (seeds 1-3: {', '.join(f'{r:.3f}' for r in runs)})")
    print(f"  mean ARI {sum(replayed) / len(replayed):.3f}")
    print("Adjusted Rand index without history (k = summary.csv groups)")
    scores = []
    for name in ARI_NAMES:
        ari, n = ari_against_polis(name)
        scores.append(ari)
        print(f"  {name:34s} ARI {ari:.3f} over {n} participants")
    print(f"  mean ARI {sum(scores) / len(scores):.3f}")


if __name__ == "__main__":
    main()
