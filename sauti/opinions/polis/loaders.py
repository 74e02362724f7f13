"""Read the two folder formats Polis publishes into `Votes`.

- openData CSV folder: comments.csv, votes.csv (event log, optional), participants-votes.csv, summary.csv.
- API JSON folder: votes.json, comments.json (math-pca2.json and the rest are ignored).

Signs: openData and the API files use 1 = agree, but the raw server export writes the database value
(-1 = agree). Every author automatically agrees with their own statement, so the authors' own votes tell
which convention a folder uses; see `detect_flipped`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .data import PolisDataError, Votes

csv.field_size_limit(10_000_000)


@dataclass
class Statement:
    tid: int
    author: int | None
    text: str
    moderated: int  # 1 accepted, 0 not yet moderated, -1 moderated out
    is_meta: bool


@dataclass
class Folder:
    """What a folder holds: the votes ready for the pipeline plus the statements and summary."""

    votes: Votes
    statements: dict[int, Statement]
    title: str
    flipped: bool
    kind: str  # "csv" or "json"


def _int(value: Any, where: str) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError
            return int(value)
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise PolisDataError(f"{where}: {value!r} is not a whole number") from None


def _float(value: Any, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PolisDataError(f"{where}: {value!r} is not a number") from None


def _rows(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise PolisDataError(f"cannot read {path.name}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise PolisDataError(f"{path.name}: missing column(s) {', '.join(missing)}")
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise PolisDataError(f"{path.name} line {reader.line_num}: wrong number of fields")
                yield reader.line_num, row
        except csv.Error as exc:
            raise PolisDataError(f"{path.name} line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError:
            raise PolisDataError(f"{path.name} is not UTF-8 text") from None


def detect_flipped(
    pids: npt.NDArray[np.int64],
    tids: npt.NDArray[np.int64],
    values: npt.NDArray[np.int64],
    authors: dict[int, int],
) -> bool:
    """True when the authors' votes on their own statements are mostly -1 (the raw -1 = agree export)."""
    if not authors or len(pids) == 0:
        return False
    author_tids = np.fromiter(authors.keys(), dtype=np.int64)
    author_pids = np.fromiter(authors.values(), dtype=np.int64)
    order = np.argsort(author_tids)
    author_tids, author_pids = author_tids[order], author_pids[order]
    pos = np.searchsorted(author_tids, tids).clip(0, len(author_tids) - 1)
    own = (author_tids[pos] == tids) & (author_pids[pos] == pids) & (values != 0)
    agree_plus = int((values[own] == 1).sum())
    agree_minus = int((values[own] == -1).sum())
    return agree_minus > agree_plus


def _summary(folder: Path) -> tuple[str, int | None]:
    path = folder / "summary.csv"
    if not path.exists():
        return folder.name, None
    title, groups = folder.name, None
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                if len(row) >= 2 and row[0] == "topic" and row[1].strip():
                    title = row[1].strip()
                if len(row) >= 2 and row[0] == "groups" and row[1].strip():
                    groups = _int(row[1], "summary.csv groups")
    except (csv.Error, UnicodeDecodeError) as exc:
        raise PolisDataError(f"summary.csv: {exc}") from None
    if groups is not None and not 1 <= groups <= 5:
        raise PolisDataError(f"summary.csv: groups must be between 1 and 5, not {groups}")
    return title, groups


def _csv_statements(folder: Path) -> dict[int, Statement]:
    path = folder / "comments.csv"
    statements: dict[int, Statement] = {}
    if not path.exists():
        return statements
    for line, row in _rows(path, ("comment-id", "author-id", "moderated")):
        where = f"comments.csv line {line}"
        tid = _int(row["comment-id"], where)
        moderated = _int(row["moderated"], where)
        if moderated not in (-1, 0, 1):
            raise PolisDataError(f"{where}: moderated must be -1, 0 or 1, not {moderated}")
        author = row["author-id"].strip()
        meta = row.get("is-meta", "").strip().lower() in ("1", "true", "t")
        statements[tid] = Statement(
            tid, _int(author, where) if author else None, row.get("comment-body", ""), moderated, meta
        )
    return statements


def _csv_votes(folder: Path) -> tuple[npt.NDArray[np.int64], ...]:
    events = folder / "votes.csv"
    if events.exists():
        pids: list[int] = []
        tids: list[int] = []
        values: list[int] = []
        times: list[float] = []
        for line, row in _rows(events, ("timestamp", "comment-id", "voter-id", "vote")):
            where = f"votes.csv line {line}"
            pids.append(_int(row["voter-id"], where))
            tids.append(_int(row["comment-id"], where))
            values.append(_int(row["vote"], where))
            times.append(_float(row["timestamp"], where))
        return (
            np.asarray(pids, dtype=np.int64),
            np.asarray(tids, dtype=np.int64),
            np.asarray(values, dtype=np.int64),
            np.asarray(times, dtype=np.float64),
        )
    matrix = folder / "participants-votes.csv"
    if not matrix.exists():
        raise PolisDataError("no votes.csv or participants-votes.csv in the folder")
    try:
        handle = matrix.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise PolisDataError(f"cannot read participants-votes.csv: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if not header or "participant" not in header:
                raise PolisDataError("participants-votes.csv: missing column participant")
            start = header.index("n-disagree") + 1 if "n-disagree" in header else None
            if start is None:
                raise PolisDataError("participants-votes.csv: missing column n-disagree")
            col_tids = np.array(
                [_int(h, "participants-votes.csv header") for h in header[start:]], dtype=np.int64
            )
            pcol = header.index("participant")
            p_parts: list[npt.NDArray[np.int64]] = []
            t_parts: list[npt.NDArray[np.int64]] = []
            v_parts: list[npt.NDArray[np.int64]] = []
            for cells_row in reader:
                where = f"participants-votes.csv line {reader.line_num}"
                if len(cells_row) != len(header):
                    raise PolisDataError(f"{where}: wrong number of fields")
                cells = np.array(cells_row[start:])
                filled = cells != ""
                try:
                    vals = cells[filled].astype(np.int64)
                except ValueError:
                    raise PolisDataError(f"{where}: a vote is not a whole number") from None
                p_parts.append(np.full(len(vals), _int(cells_row[pcol], where), dtype=np.int64))
                t_parts.append(col_tids[filled])
                v_parts.append(vals)
        except csv.Error as exc:
            raise PolisDataError(f"participants-votes.csv line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError:
            raise PolisDataError("participants-votes.csv is not UTF-8 text") from None
    if not p_parts:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(3))
    return np.concatenate(p_parts), np.concatenate(t_parts), np.concatenate(v_parts)


def _json_list(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolisDataError(f"cannot read {path.name}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PolisDataError(f"{path.name} is not valid JSON: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise PolisDataError(f"{path.name} must hold a list of objects")
    return data


def _key(item: dict[str, Any], names: tuple[str, ...], where: str) -> Any:
    for name in names:
        if name in item:
            return item[name]
    raise PolisDataError(f"{where}: missing {names[0]}")


def _load_json(folder: Path) -> Folder:
    statements: dict[int, Statement] = {}
    if (folder / "comments.json").exists():
        for i, item in enumerate(_json_list(folder / "comments.json")):
            where = f"comments.json item {i + 1}"
            tid = _int(_key(item, ("tid", "statement_id"), where), where)
            author = item.get("pid", item.get("participant_id"))
            mod = _int(item.get("mod", item.get("moderated", 0)), where)
            statements[tid] = Statement(
                tid,
                None if author is None else _int(author, where),
                str(item.get("txt", "")),
                mod,
                bool(item.get("is_meta", False)),
            )
    raw = _json_list(folder / "votes.json")
    pids = np.empty(len(raw), dtype=np.int64)
    tids = np.empty(len(raw), dtype=np.int64)
    values = np.empty(len(raw), dtype=np.int64)
    times = np.zeros(len(raw), dtype=np.float64)
    for i, item in enumerate(raw):
        where = f"votes.json item {i + 1}"
        pids[i] = _int(_key(item, ("pid", "participant_id"), where), where)
        tids[i] = _int(_key(item, ("tid", "statement_id"), where), where)
        values[i] = _int(_key(item, ("vote",), where), where)
        if item.get("modified") is not None:
            times[i] = _float(item["modified"], where)
    title = folder.name
    conversation = folder / "conversation.json"
    if conversation.exists():
        try:
            meta = json.loads(conversation.read_text(encoding="utf-8"))
            if isinstance(meta, dict) and meta.get("topic"):
                title = str(meta["topic"])
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            pass  # the title is cosmetic
    return _finish(folder, statements, (pids, tids, values, times), title, None, "json")


def _finish(
    folder: Path,
    statements: dict[int, Statement],
    arrays: tuple[npt.NDArray[Any], ...],
    title: str,
    groups: int | None,
    kind: str,
) -> Folder:
    pids, tids, values = arrays[0], arrays[1], arrays[2]
    times = arrays[3] if len(arrays) > 3 else None
    bad = ~np.isin(values, (-1, 0, 1))
    if bad.any():
        raise PolisDataError(f"vote {int(values[np.flatnonzero(bad)[0]])} is not one of -1, 0, 1")
    authors = {s.tid: s.author for s in statements.values() if s.author is not None}
    flipped = detect_flipped(pids, tids, values, authors)
    if flipped:
        values = -values
    votes = Votes.from_events(
        pids,
        tids,
        values,
        times,
        mod_out=frozenset(s.tid for s in statements.values() if s.moderated == -1 or s.is_meta),
        meta=frozenset(s.tid for s in statements.values() if s.is_meta),
        statement_ids=list(statements),
        groups_hint=groups,
    )
    return Folder(votes=votes, statements=statements, title=title, flipped=flipped, kind=kind)


def load_folder(path: str | Path) -> Folder:
    """Load a Polis export folder (openData CSV or API JSON), detecting the vote sign convention."""
    folder = Path(path)
    if not folder.is_dir():
        raise PolisDataError(f"{folder} is not a folder")
    if (folder / "votes.json").exists():
        return _load_json(folder)
    if not any((folder / name).exists() for name in ("votes.csv", "participants-votes.csv")):
        raise PolisDataError(
            "not a Polis export: expected votes.json (API format) or votes.csv / participants-votes.csv (openData)"
        )
    title, groups = _summary(folder)
    statements = _csv_statements(folder)
    return _finish(folder, statements, _csv_votes(folder), title, groups, "csv")


def load_assignment(path: str | Path) -> dict[int, int]:
    """A JSON object participant id -> group number (null or missing = not grouped)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolisDataError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PolisDataError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PolisDataError(f"{path} must hold an object mapping participant id to group")
    out: dict[int, int] = {}
    for key, value in data.items():
        if value is None:
            continue
        out[_int(key, f"{path} key")] = _int(value, f"{path} value for {key}")
    return out
