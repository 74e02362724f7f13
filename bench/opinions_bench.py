"""Time the opinion-map pipeline beside red-dwarf 0.4 on the same input, in the same run.

    .venv/bin/python bench/opinions_bench.py [--participants 100000] [--statements 1000] [--fill 0.05]
                                             [--reddwarf-timeout 900] [--no-reddwarf]

Inputs:
  bowling-green   the American Assembly Bowling Green conversation (../shared/validation/polis/, 2,031 x 896,
                  latest votes from participants-votes.csv), k forced to Polis' 2 groups
  generated       participants x statements, each participant votes on `fill` of the statements, drawn from
                  three latent opinion groups (seeded), k forced to 3

Each measurement runs in a fresh process: wall time of the pipeline call (from the vote list to the result,
latest-vote de-duplication included) and peak resident memory of that process (VmHWM), plus how much the
peak rose during the call. Sauti runs with the project's .venv; red-dwarf runs in bench/.venv-reddwarf, which
this script creates on first use (`pip install red-dwarf==0.4.0`; never a runtime dependency of Sauti).
red-dwarf is given its own input format (a list of vote dicts), built before its clock starts.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REDDWARF_VENV = ROOT / "bench" / ".venv-reddwarf"
REDDWARF_PY = REDDWARF_VENV / "bin" / "python"
BOWLING_GREEN = ROOT.parent / "shared" / "validation" / "polis" / "american-assembly.bowling-green"


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _peak_mb() -> float:
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so a child would report its parent's peak.
    return _status_mb("VmHWM")


# --- children ----------------------------------------------------------------------------------------


def child_sauti(path: str, k: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from sauti.opinions.polis import Votes, analyze

    data = np.load(path)
    mod_out = frozenset(int(t) for t in data["mod_out"])
    before = _rss_mb()
    started = time.perf_counter()
    votes = Votes.from_events(data["pids"], data["tids"], data["values"], mod_out=mod_out)
    result = analyze(votes, groups=k)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "rise_mb": _peak_mb() - before,
        "in_conv": int(result.in_conv.sum()),
        "k": result.k,
    }


def child_reddwarf(path: str, k: int) -> dict[str, Any]:
    from reddwarf.implementations.polis import run_pipeline

    data = np.load(path)
    votes = [
        {"participant_id": int(p), "statement_id": int(t), "vote": int(v), "modified": i}
        for i, (p, t, v) in enumerate(zip(data["pids"], data["tids"], data["values"], strict=True))
    ]
    mod_out = [int(t) for t in data["mod_out"]]
    before = _rss_mb()
    started = time.perf_counter()
    result = run_pipeline(votes=votes, mod_out_statement_ids=mod_out, force_group_count=k, random_state=0)
    seconds = time.perf_counter() - started
    clustered = result.participants_df["to_cluster"].sum()
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "rise_mb": _peak_mb() - before,
        "in_conv": int(clustered),
        "k": k,
    }


# --- parent ------------------------------------------------------------------------------------------


def ensure_reddwarf() -> bool:
    if REDDWARF_PY.exists():
        check = subprocess.run([str(REDDWARF_PY), "-c", "import reddwarf"], capture_output=True, check=False)
        if check.returncode == 0:
            return True
    print("creating bench/.venv-reddwarf (pip install red-dwarf==0.4.0) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(REDDWARF_VENV)], check=True)
    done = subprocess.run([str(REDDWARF_PY), "-m", "pip", "install", "-q", "red-dwarf==0.4.0"], check=False)
    return done.returncode == 0


def bowling_green(out: Path) -> tuple[Path, int, str]:
    sys.path.insert(0, str(ROOT))
    from sauti.opinions.polis import load_folder

    folder = load_folder(BOWLING_GREEN)
    v = folder.votes
    path = out / "bowling-green.npz"
    np.savez(
        path, pids=v.pids, tids=v.tids, values=v.values, mod_out=np.array(sorted(v.mod_out), dtype=np.int64)
    )
    return path, v.groups_hint or 2, f"Bowling Green: {v.participant_count} participants, {len(v.pids)} votes"


def generated(out: Path, n_p: int, n_t: int, fill: float, seed: int = 7) -> tuple[Path, int, str]:
    rng = np.random.default_rng(seed)
    k = 3
    agree = rng.uniform(0.05, 0.95, size=(k, n_t))
    passing = rng.uniform(0.05, 0.3, size=n_t)
    group = rng.integers(0, k, size=n_p)
    per = max(1, round(fill * n_t))
    # Each participant votes on `per` distinct statements (argpartition of random keys, chunked for memory).
    tids = np.empty((n_p, per), dtype=np.int64)
    for start in range(0, n_p, 10_000):
        keys = rng.random((min(10_000, n_p - start), n_t), dtype=np.float32)
        tids[start : start + len(keys)] = np.argpartition(keys, per, axis=1)[:, :per]
    pids = np.repeat(np.arange(n_p, dtype=np.int64), per)
    flat = tids.ravel()
    u = rng.random(len(flat))
    p_agree = agree[group[pids], flat]
    values = np.where(u < passing[flat], 0, np.where(rng.random(len(flat)) < p_agree, 1, -1)).astype(np.int64)
    path = out / "generated.npz"
    np.savez(path, pids=pids, tids=flat, values=values, mod_out=np.array([], dtype=np.int64))
    return (
        path,
        k,
        f"generated: {n_p:,} participants x {n_t:,} statements, {len(flat):,} votes ({fill:.0%} filled)",
    )


def run_child(python: Path | str, which: str, path: Path, k: int, timeout: float) -> dict[str, Any] | str:
    try:
        done = subprocess.run(
            [str(python), __file__, "--child", which, str(path), str(k)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish in {timeout:.0f} s"
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def show(label: str, result: dict[str, Any] | str) -> None:
    if isinstance(result, str):
        print(f"  {label:12s} {result}", flush=True)
    else:
        print(
            f"  {label:12s} {result['seconds']:8.3f} s   peak RSS {result['peak_mb']:7.0f} MB"
            f"   (+{result['rise_mb']:.0f} MB during the call)   in-conv {result['in_conv']:,}  k={result['k']}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=1_000)
    parser.add_argument("--fill", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3, help="Sauti runs per input; the best is shown.")
    parser.add_argument("--reddwarf-timeout", type=float, default=900)
    parser.add_argument("--no-reddwarf", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("WHICH", "FILE", "K"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        which, path, k = args.child
        fn = child_sauti if which == "sauti" else child_reddwarf
        print(json.dumps(fn(path, int(k))))
        return

    have_reddwarf = not args.no_reddwarf and ensure_reddwarf()
    with tempfile.TemporaryDirectory(prefix="opinions-bench-") as tmp:
        print("preparing inputs ...", flush=True)
        inputs = [
            bowling_green(Path(tmp)),
            generated(Path(tmp), args.participants, args.statements, args.fill),
        ]
        for path, k, title in inputs:
            print(title, flush=True)
            runs = [run_child(sys.executable, "sauti", path, k, 600) for _ in range(args.repeat)]
            ok = [r for r in runs if isinstance(r, dict)]
            best = min(ok, key=lambda r: r["seconds"]) if ok else runs[0]
            show("sauti", best)
            if have_reddwarf:
                other = run_child(REDDWARF_PY, "reddwarf", path, k, args.reddwarf_timeout)
                show("red-dwarf", other)
                if isinstance(best, dict) and isinstance(other, dict):
                    print(f"  sauti is {other['seconds'] / best['seconds']:.1f}x faster", flush=True)
            else:
                print("  red-dwarf    skipped", flush=True)


if __name__ == "__main__":
    main()
