"""Text -> place matching: the pure core (no Django), fed a list of places by `services`.

Scores are calibrated on one scale so callers can use a single threshold:

==========================================  =====
exact official name (after normalisation)    1.00
same letters, spaces ignored ("Kwareuben")   0.98
same words in another order                  0.97
curated alias (Kibera -> Kibra)              0.95
derived alias (shapefile spelling, one part  0.90
of a "A/B" name)
fuzzy (typos), scaled by similarity          <= 0.90
the start of longer names ("Kayole")         0.80
==========================================  =====

Then: x0.90 when the text names another kind ("kaunti ya ...", "... ward"), x0.95 for forms found by
dropping a generic word ("... area", "mji wa ..."), x0.85 outside a hinted county, x0.95 when only part of
a query matched.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

KINDS = ("county", "constituency", "ward", "settlement")
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

EXACT = 1.0
COMPACT = 0.98
REORDERED = 0.97
ALIAS = 0.95
DERIVED = 0.90
FUZZY_MAX = 0.90
PREFIX = 0.80
OTHER_KIND = 0.90
GENERIC_WORD_DROPPED = 0.95
OUTSIDE_HINTED_COUNTY = 0.85
OUTSIDE_AREA = 0.85  # outside the organisation's area of operation: as for a hinted county
PARTIAL_QUERY = 0.95
MIN_PARTIAL_SCORE = 0.50
LOCATIVE = 0.90
COMMON_WORD_CAPITALISED = 0.80
OUT_OF_CONTEXT = 0.90
MIN_EXTRACT_SCORE = 0.60
AMBIGUOUS_WITHIN = 0.05  # candidates this close to a mention's best are all returned


@dataclass(frozen=True, slots=True)
class PlaceCandidate:
    kind: str
    name: str
    ward_code: int | None
    constituency_code: int | None
    county_code: int | None
    score: float
    county_name: str = ""
    constituency_name: str = ""
    ward_name: str = ""
    settlement_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    source: str = ""
    parent_name: str = ""
    matched: str = ""

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["score"] = round(self.score, 3)
        return data


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """A place to index: its candidate (score unused), its names with weights, a tie-break rank."""

    place: PlaceCandidate
    names: tuple[tuple[str, float], ...]
    rank: int = 0
    owner: str = ""  # the organisation (slug) a local place belongs to; "" for the gazetteer


@dataclass(frozen=True, slots=True)
class Area:
    """Where an organisation works: whole counties, and wards beyond them (IEBC codes). Empty: all Kenya."""

    counties: frozenset[int] = frozenset()
    wards: frozenset[int] = frozenset()
    owner: str = ""  # the organisation (slug) whose local places count too; not part of "where"

    def __bool__(self) -> bool:
        return bool(self.counties or self.wards)

    def contains(self, place: PlaceCandidate) -> bool:
        """Whether the place lies in the area (an empty area holds everything)."""
        if not self:
            return True
        if place.county_code is not None and place.county_code in self.counties:
            return True
        return place.ward_code is not None and place.ward_code in self.wards


# Normalisation ---------------------------------------------------------------------------------------

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼʻ"), None)
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8"}
_NUMBER_WORDS = frozenset({"no", "nr", "number", "namba", "nambari"})


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    capitalised: bool


def _base_tokens(word: str) -> list[str]:
    if word.isascii():  # most SMS words: no accents to strip, and casefold() is lower()
        lowered = word.lower()
        if lowered.isalpha():
            return [lowered]
        lowered = lowered.translate(_APOSTROPHES)
    else:
        decomposed = unicodedata.normalize("NFKD", word)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        lowered = stripped.casefold().translate(_APOSTROPHES)
    spaced = _LETTER_DIGIT.sub(" ", _SEPARATORS.sub(" ", lowered))
    return spaced.split()


def tokenize(text: str) -> list[Token]:
    """Normalised tokens, each flagged when its word was capitalised mid-sentence (a proper-name cue)."""
    raw: list[Token] = []
    sentence_start = True
    words = text.split()
    shouting = sum(1 for w in words if w[:1].isupper()) > 0.6 * len(words) if len(words) > 2 else False
    for word in words:
        capitalised = word[:1].isupper() and not sentence_start and not shouting
        raw.extend(Token(t, capitalised) for t in _base_tokens(word))
        sentence_start = word.endswith((".", "!", "?"))
    out: list[Token] = []
    for i, tok in enumerate(raw):
        text_ = tok.text
        prev = out[-1].text if out else ""
        nxt = raw[i + 1].text if i + 1 < len(raw) else ""
        if text_ in _NUMBER_WORDS and prev.isalpha() and nxt[:1].isdigit():
            continue  # "Mathare No. 10" -> "mathare 10"
        if text_ in _ROMAN or (text_ == "i" and prev.isalpha() and not nxt.isalpha()):
            text_ = _ROMAN.get(text_, "1")  # "Umoja I", "Dandora Area II"
        out.append(tok if text_ == tok.text else Token(text_, tok.capitalised))
    return out


def normalize(text: str) -> str:
    """Lower-case ASCII words: no accents, apostrophes or punctuation; letters and digits split apart."""
    return " ".join(t.text for t in tokenize(text))


def name_variants(name: str) -> list[str]:
    """The parts of "A/B" and "A (B)" names, which people use on their own."""
    parts = [p.strip() for p in re.split(r"[/()]", name) if p.strip()]
    return parts if len(parts) > 1 else []


# Kind hints: "kaunti ya Nairobi", "Kibra constituency", "wadi ya Kwa Reuben", "kijiji cha Kianda" -----------

_HINT_PREFIXES: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("kaunti", "ndogo", "ya"), "constituency"),
    (("kaunti", "ya"), "county"),
    (("county", "of"), "county"),
    (("eneo", "bunge", "la"), "constituency"),
    (("eneobunge", "la"), "constituency"),
    (("jimbo", "la", "uchaguzi", "la"), "constituency"),
    (("wadi", "ya"), "ward"),
    (("wodi", "ya"), "ward"),
    (("kata", "ya"), "ward"),
    (("kijiji", "cha"), "settlement"),
    (("mtaa", "wa"), "settlement"),
    (("mitaa", "ya"), "settlement"),
    (("eneo", "la"), None),
    (("sehemu", "ya"), None),
    (("mji", "wa"), None),
)
_HINT_SUFFIXES: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("sub", "county"), "constituency"),
    (("subcounty",), "constituency"),
    (("county", "government"), "county"),
    (("county",), "county"),
    (("kaunti",), "county"),
    (("constituency",), "constituency"),
    (("ward",), "ward"),
    (("wadi",), "ward"),
    (("informal", "settlement"), "settlement"),
    (("settlement",), "settlement"),
    (("village",), "settlement"),
    (("slums",), "settlement"),
    (("slum",), "settlement"),
    (("estate",), "settlement"),
    (("area",), None),
    (("town",), None),
)
# Words before or after a name that say a place is meant; they let ordinary words ("bondeni") count.
# Only the kind-naming ones ("kijiji cha", "... ward") are strong enough for the "!" words.
_STRONG_CUES_BEFORE: frozenset[tuple[str, ...]] = frozenset(p for p, _ in _HINT_PREFIXES)
_CUES_BEFORE: frozenset[tuple[str, ...]] = frozenset(
    _STRONG_CUES_BEFORE
    | {
        ("huko",),
        ("kule",),
        ("kwenye",),
        ("hapa",),
        ("pale",),
        ("karibu", "na"),
        ("kutoka",),
        ("mtaani",),
        ("kijijini",),
        ("in",),
        ("at",),
        ("near",),
        ("from",),
    }
)
_CUES_AFTER: frozenset[tuple[str, ...]] = frozenset(s for s, _ in _HINT_SUFFIXES)
_CUE_LAST_WORDS = frozenset(cue[-1] for cue in _CUES_BEFORE)  # the word right before a cued name
_CUE_FIRST_WORDS = frozenset(cue[0] for cue in _CUES_AFTER)  # ... and right after one


@dataclass(frozen=True, slots=True)
class _Variant:
    text: str
    hint: str | None
    stripped: bool


def _variants(tokens: Sequence[str]) -> list[_Variant]:
    out = [_Variant(" ".join(tokens), None, False)]
    for prefix, hint in _HINT_PREFIXES:
        n = len(prefix)
        if len(tokens) > n and tuple(tokens[:n]) == prefix:
            out.extend(_suffix_variants(tokens[n:], hint))
            break
    else:
        out.extend(_suffix_variants(tokens, None)[1:])
    return out


def _suffix_variants(tokens: Sequence[str], hint: str | None) -> list[_Variant]:
    out = [_Variant(" ".join(tokens), hint, True)]
    for suffix, suffix_hint in _HINT_SUFFIXES:
        n = len(suffix)
        if len(tokens) > n and tuple(tokens[-n:]) == suffix:
            out.append(_Variant(" ".join(tokens[:-n]), hint or suffix_hint, True))
            break
    return out


# The index -----------------------------------------------------------------------------------------


class PlaceIndex:
    """Exact, compact, reordered and prefix lookups by dictionary; typos by rapidfuzz over distinct names."""

    def __init__(self, entries: Sequence[PlaceEntry], *, common_words: Iterable[str] = ()) -> None:
        self.entries = list(entries)
        words = list(common_words)
        # "!word": so common, or so often a person's or an organisation's name, that a capital is no cue.
        self.strict_words = frozenset(normalize(w[1:]) for w in words if w.startswith("!"))
        self.common_words = frozenset(normalize(w.lstrip("!")) for w in words)
        # key -> entry -> (weight, the normalised name or alias behind the key)
        self._exact: dict[str, dict[int, tuple[float, str]]] = {}
        self._compact: dict[str, dict[int, tuple[float, str]]] = {}
        self._reordered: dict[str, dict[int, tuple[float, str]]] = {}
        self._prefix: dict[str, dict[int, tuple[float, str]]] = {}
        self._display_keys: list[tuple[str, str, int | None, int | None, int | None]] = []
        for i, entry in enumerate(self.entries):
            p = entry.place
            self._display_keys.append(
                (p.kind, normalize(p.name), p.county_code, p.constituency_code, p.ward_code)
            )
            for text, weight in entry.names:
                norm = normalize(text)
                if not norm:
                    continue
                tokens = norm.split()
                _put(self._exact, norm, i, weight, norm)
                _put(self._compact, norm.replace(" ", ""), i, weight, norm)
                if len(tokens) > 1:
                    _put(self._reordered, " ".join(sorted(tokens)), i, weight, norm)
                    for k in range(1, len(tokens)):
                        _put(self._prefix, " ".join(tokens[:k]), i, weight, norm)
        self._choices = list(self._exact)
        self._choice_hits = [self._exact[c] for c in self._choices]
        # The strict typo scan only accepts names with the same first letter and at most two edits, so
        # it needs only the names of that first letter and a length within two: (letter, length) -> ids.
        self._by_start: dict[tuple[str, int], list[int]] = {}
        for ci, choice in enumerate(self._choices):
            self._by_start.setdefault((choice[0], len(choice)), []).append(ci)
        self.max_words = max((len(c.split()) for c in self._choices), default=1)
        # What lets `_mentions` skip windows that cannot match: the sorted compact keys (a window extends
        # only while its letters begin one), the words of many-word names (for reordered names) and the
        # longest name of each first letter (for typos).
        self._compact_sorted = sorted(self._compact)
        self._name_words = frozenset(w for c in self._reordered for w in c.split())
        self._longest: dict[str, int] = {}
        for choice in self._choices:
            self._longest[choice[0]] = max(self._longest.get(choice[0], 0), len(choice))

    def __len__(self) -> int:
        return len(self.entries)

    # Lookups ---------------------------------------------------------------------------------------

    def _lookup(
        self, norm: str, *, fuzzy: str | None, prefix: bool, regroup: bool = True
    ) -> dict[int, tuple[float, str]]:
        """Hits for one phrase. `fuzzy`: None, "loose" (a typed query) or "strict" (a word inside an SMS:
        at most one edit, two for long names, and the same first letter). `regroup`: also ignore spaces
        and word order."""
        hits: dict[int, tuple[float, str]] = {}
        _merge(hits, self._exact.get(norm), EXACT)
        compact = norm.replace(" ", "")
        tokens = norm.split()
        if regroup:
            _merge(hits, self._compact.get(compact), COMPACT)
        if regroup and len(tokens) > 1:
            _merge(hits, self._reordered.get(" ".join(sorted(tokens))), REORDERED)
        if prefix and len(compact) >= 4:
            _merge(hits, self._prefix.get(norm), PREFIX)
        if fuzzy is None or any(s >= EXACT for s, _ in hits.values()):
            return hits
        strict = fuzzy == "strict"
        if len(compact) < (7 if strict else 5):
            return hits
        max_edits = 1 if len(compact) < 10 else 2
        if strict:
            ids = [
                ci
                for n in range(len(norm) - max_edits, len(norm) + max_edits + 1)
                for ci in self._by_start.get((norm[0], n), ())
            ]
            pool: Sequence[str] | dict[int, str] = {ci: self._choices[ci] for ci in ids}
        else:
            pool = self._choices
        for choice, similarity, ci in process.extract(
            norm, pool, scorer=fuzz.ratio, score_cutoff=80 if strict else 75, limit=12
        ):
            if choice == norm:
                continue
            if strict and Levenshtein.distance(choice, norm) > max_edits:
                continue
            _merge(hits, self._choice_hits[ci], min(FUZZY_MAX, similarity / 100 * 0.95))
        return hits

    def _candidate(self, i: int, score: float, matched: str) -> PlaceCandidate:
        return replace(self.entries[i].place, score=min(1.0, score), matched=matched)

    def _rank(self, scored: dict[int, tuple[float, str]], limit: int) -> list[PlaceCandidate]:
        return [c for _, c in self._ranked(scored, limit)]

    def _ranked(self, scored: dict[int, tuple[float, str]], limit: int) -> list[tuple[int, PlaceCandidate]]:
        """`_rank` with each candidate's entry."""
        order = sorted(
            scored.items(),
            key=lambda item: (
                -round(item[1][0], 6),
                self.entries[item[0]].rank,
                _KIND_ORDER[self.entries[item[0]].place.kind],
                self.entries[item[0]].place.name,
                self.entries[item[0]].place.county_code or 0,
                item[0],
            ),
        )
        seen: set[tuple[str, str, int | None, int | None, int | None]] = set()
        out: list[tuple[int, PlaceCandidate]] = []
        for i, (score, matched) in order:
            key = self._display_keys[i]
            if key in seen:
                continue  # the same place from another source, already listed
            seen.add(key)
            out.append((i, self._candidate(i, score, matched)))
            if len(out) >= limit:
                break
        return out

    # Public API --------------------------------------------------------------------------------------

    def search(
        self, text: str, *, limit: int = 10, county_code: int | None = None, area: Area | None = None
    ) -> list[PlaceCandidate]:
        """Places the whole text names, best first; falls back to places mentioned inside it. Places
        outside the hinted county or `area` are scored lower (see `resolve` to choose or ask)."""
        tokens = [t.text for t in tokenize(text)]
        if not tokens or limit <= 0:
            return []
        scored: dict[int, tuple[float, str]] = {}
        for variant in _variants(tokens):
            if not variant.text:
                continue
            hits = self._lookup(variant.text, fuzzy="loose", prefix=True)
            for i, (score, matched) in hits.items():
                kind = self.entries[i].place.kind
                if variant.hint is not None and kind != variant.hint:
                    score *= OTHER_KIND
                elif variant.stripped and variant.hint is None:
                    score *= GENERIC_WORD_DROPPED
                _keep_best(scored, i, score, matched)
        best = max((s for s, _ in scored.values()), default=0.0)
        scored = self._hint(scored, county_code, area)
        if best < DERIVED and len(tokens) > 1:
            # "Bondeni, Kisumu", "Kianda Kibera": the places named inside the query, in each other's light,
            # scaled by how much of the query they explain ("Turakna Central" is not ward "Central").
            found = self._in_context(tokenize(text), county_code, query=True, area=area)
            content = [len(w) for w in tokens if w not in self.common_words]
            covered = sum(
                len(tokens[k])
                for m, _ in found
                for k in range(m.start, m.end)
                if tokens[k] not in self.common_words
            )
            factor = PARTIAL_QUERY * (covered / sum(content) if content else 1.0)
            for _, mention_scores in found:
                for i, (score, matched) in mention_scores.items():
                    if score * factor >= MIN_PARTIAL_SCORE:
                        _keep_best(scored, i, score * factor, matched)
        return self._rank(scored, limit)

    def extract(
        self, text: str, *, county_code: int | None = None, per_mention: int = 5, area: Area | None = None
    ) -> list[PlaceCandidate]:
        """Places mentioned inside free text (an SMS), best first.

        1. Look up every window of up to `max_words` tokens; typos only for words that are not common
           Kiswahili/English/Sheng words.
        2. Names that are also ordinary words ("bondeni", "hospital") need a cue: "kijiji cha", "huko", "in",
           "... village", or a capital letter mid-sentence.
        3. Keep the best non-overlapping windows (longest first on ties), so "Mathare 4A" wins over "Mathare".
        4. Re-rank ambiguous mentions by the other places named in the same text, then by `county_code`.
        """
        out: list[tuple[float, int, int, PlaceCandidate]] = []
        for mention, scored in self._in_context(tokenize(text), county_code, query=False, area=area):
            ranked = self._ranked(scored, per_mention)
            best = ranked[0][1].score if ranked else 0.0
            out.extend(
                (c.score, mention.start, i, c)
                for i, c in ranked
                if c.score >= max(MIN_EXTRACT_SCORE, best - AMBIGUOUS_WITHIN)
            )
        out.sort(key=lambda item: (-item[0], item[1]))
        seen: set[tuple[str, str, int | None, int | None, int | None]] = set()
        unique: list[PlaceCandidate] = []
        for _, _, i, c in out:
            key = self._display_keys[i]  # (kind, normalised name, county, constituency, ward)
            if key not in seen:  # a place named twice in one message is listed once
                seen.add(key)
                unique.append(c)
        return unique

    # Internals ---------------------------------------------------------------------------------------

    def _in_context(
        self, tokens: Sequence[Token], county_code: int | None, *, query: bool, area: Area | None = None
    ) -> list[tuple[_Mention, dict[int, tuple[float, str]]]]:
        """Each mention's hits, those least related to the other mentions (and the county hint) lowered."""
        mentions = self._mentions(tokens, query=query)
        tops = [
            {i for i, (score, _) in m.hits.items() if score >= m.best - AMBIGUOUS_WITHIN} for m in mentions
        ]
        out: list[tuple[_Mention, dict[int, tuple[float, str]]]] = []
        for n, mention in enumerate(mentions):
            context: dict[str, int] = {}
            for k, top in enumerate(tops):
                if k != n:
                    for i in top:
                        context.update(_tags(self.entries[i].place))
            scored = dict(mention.hits)
            if context:
                affinity = {i: _affinity(self.entries[i].place, context) for i in scored}
                closest = max(affinity.values())
                if closest:
                    scored = {
                        i: (s if affinity[i] == closest else s * OUT_OF_CONTEXT, m)
                        for i, (s, m) in scored.items()
                    }
            scored = self._hint(scored, county_code, area)
            out.append((mention, scored))
        return out

    def _hint(
        self, scored: dict[int, tuple[float, str]], county_code: int | None, area: Area | None
    ) -> dict[int, tuple[float, str]]:
        if county_code is not None:
            scored = {
                i: (s if self.entries[i].place.county_code == county_code else s * OUTSIDE_HINTED_COUNTY, m)
                for i, (s, m) in scored.items()
            }
        if area:
            scored = {
                i: (s if area.contains(self.entries[i].place) else s * OUTSIDE_AREA, m)
                for i, (s, m) in scored.items()
            }
        return scored

    def _mentions(self, tokens: Sequence[Token], *, query: bool = False) -> list[_Mention]:
        words = [t.text for t in tokens]
        capitals = [t.capitalised for t in tokens]
        common = self.common_words
        keys = self._compact_sorted
        found: list[_Mention] = []
        for start in range(len(words)):
            longest = self._longest.get(words[start][0], 0)
            letters = ""
            named = True  # every word so far is a word of a many-word name
            capitalised = False
            for end in range(start + 1, min(len(words), start + self.max_words) + 1):
                size, word = end - start, words[end - 1]
                letters += word
                named = named and word in self._name_words
                capitalised = capitalised or capitals[end - 1]
                length = len(letters) + size - 1
                # Most windows name nothing: look up only those some lookup in `_window` can find: an
                # exact or compact name, the reordered words of a many-word name, a locative ("Mathareni"),
                # or a typo (an uncommon last word, a name of about that length, a capital or a cue).
                if (
                    letters in self._compact
                    or (size > 1 and named)
                    or (size == 1 and len(letters) >= 7 and letters.endswith("ni"))
                    or (
                        size <= 3
                        and len(letters) >= 7
                        and length <= longest + 2
                        and word not in common
                        and not word.isdigit()
                        and (
                            query
                            or (capitalised and len(letters) >= 8)
                            or self._cue(words, start, end) is not None
                        )
                    )
                ):
                    mention = self._window(tokens, words, start, end, query=query)
                    if mention is not None:
                        found.append(mention)
                # Stop growing the window once no longer one can have hits: its letters begin no name,
                # a word is in no many-word name, and it is too long for a typo of any name.
                at = bisect.bisect_left(keys, letters)
                begins = at < len(keys) and keys[at].startswith(letters)
                if not (begins or named or (size < 3 and length <= longest)):
                    break
        found.sort(key=lambda m: (-m.best, -(m.end - m.start), m.start))
        taken = [False] * len(words)
        chosen: list[_Mention] = []
        for m in found:
            if not any(taken[m.start : m.end]):
                chosen.append(m)
                for k in range(m.start, m.end):
                    taken[k] = True
        chosen.sort(key=lambda m: m.start)
        return chosen

    def _window(
        self, tokens: Sequence[Token], words: Sequence[str], start: int, end: int, *, query: bool
    ) -> _Mention | None:
        """A window that names a place. In a typed `query` every window is taken as meant to be a place."""
        phrase = words[start:end]
        norm = " ".join(phrase)
        if all(w.isdigit() or len(w) == 1 for w in phrase):
            return None
        common = norm in self.common_words or all(w in self.common_words for w in phrase)
        # Kiswahili words sit one letter away from many place names (kisiasa/Kisiara, mchango/Mihango):
        # correct typos only where the writer marked a name, by a capital or a cue word.
        letters = len(norm.replace(" ", ""))
        eligible = (
            letters >= 7
            and not common
            and len(phrase) <= 3
            and phrase[-1] not in self.common_words
            and not phrase[-1].isdigit()
        )
        locative = len(phrase) == 1 and norm.endswith("ni") and letters >= 7
        capitalised = any(t.capitalised for t in tokens[start:end])
        # The cue is looked at only when it decides something (most windows name nothing).
        cue: str | None = "strong" if query else None
        cue_known = query
        if eligible and not (capitalised and letters >= 8):
            if not cue_known:
                cue, cue_known = self._cue(words, start, end), True
            eligible = cue is not None
        # Across ordinary words, ignoring spaces or order invents names: "get a" -> Geta, "siri kwa" -> Sirikwa.
        regroup = query or not any(w in self.common_words or len(w) == 1 for w in phrase)
        hits = self._lookup(norm, fuzzy="strict" if eligible else None, prefix=False, regroup=regroup)
        factor = 1.0
        if not hits and locative:
            hits = self._lookup(norm[:-2], fuzzy=None, prefix=False)  # Kiswahili locative: "Mathareni"
            factor = LOCATIVE
        if not hits:
            return None
        if not cue_known:
            cue = self._cue(words, start, end)
        names = {norm, *(m for _, m in hits.values())}
        if names & self.strict_words:
            if cue != "strong":
                return None
        elif (common or names & self.common_words) and cue is None:
            if not capitalised:
                return None
            factor *= COMMON_WORD_CAPITALISED
        scaled = {i: (s * factor, m) for i, (s, m) in hits.items()}
        top = max(scaled, key=lambda i: (scaled[i][0], -self.entries[i].rank))
        return _Mention(start, end, scaled[top][0], top, scaled)

    @staticmethod
    def _cue(words: Sequence[str], start: int, end: int) -> str | None:
        """How surely the words around a window say it is a place: "strong" after a kind word ("kijiji
        cha") or before one ("... ward"), "weak" after "huko", "pale", "in" and the like, else None."""
        if (start == 0 or words[start - 1] not in _CUE_LAST_WORDS) and (
            end == len(words) or words[end] not in _CUE_FIRST_WORDS
        ):
            return None
        before = [tuple(words[max(0, start - n) : start]) for n in (1, 2, 3, 4) if start - n >= 0]
        if any(b in _STRONG_CUES_BEFORE for b in before) or any(
            tuple(words[end : end + n]) in _CUES_AFTER for n in (1, 2)
        ):
            return "strong"
        return "weak" if any(b in _CUES_BEFORE for b in before) else None


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    best: float
    top: int
    hits: dict[int, tuple[float, str]]


def _tags(place: PlaceCandidate) -> dict[str, int]:
    """What a place is in or part of, each with how specific a shared tag is (settlement most)."""
    tags = {f"county:{place.county_code}": 1}
    if place.constituency_code is not None:
        tags[f"constituency:{place.constituency_code}"] = 2
    if place.ward_code is not None:
        tags[f"ward:{place.ward_code}"] = 3
    if place.kind == "settlement":
        tags[f"settlement:{normalize(place.name)}"] = 4
    if place.parent_name:
        tags[f"settlement:{normalize(place.parent_name)}"] = 4
    return tags


def _affinity(place: PlaceCandidate, context: dict[str, int]) -> int:
    return max((level for tag, level in _tags(place).items() if tag in context), default=0)


def _put(table: dict[str, dict[int, tuple[float, str]]], key: str, i: int, weight: float, name: str) -> None:
    slot = table.setdefault(key, {})
    if weight > slot.get(i, (0.0, ""))[0]:
        slot[i] = (weight, name)


def _merge(
    hits: dict[int, tuple[float, str]], found: dict[int, tuple[float, str]] | None, factor: float
) -> None:
    if found:
        for i, (weight, name) in found.items():
            _keep_best(hits, i, weight * factor, name)


def _keep_best(hits: dict[int, tuple[float, str]], i: int, score: float, matched: str) -> None:
    if score > hits.get(i, (0.0, ""))[0]:
        hits[i] = (score, matched)


# Choosing or asking ------------------------------------------------------------------------------------

MIN_RESOLVE_SCORE = 0.80  # below this a typed place is not taken to name anything
MAX_CHOICES = 5


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a place as written comes to for an organisation: one `place`, or `choices` to ask about
    (two or more places that cannot both be meant), or neither (nothing named)."""

    place: PlaceCandidate | None = None
    choices: tuple[PlaceCandidate, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.choices) > 1


def conflicting(a: PlaceCandidate, b: PlaceCandidate) -> bool:
    """Whether two candidates name different spots: another county, constituency or ward where both know
    it. A ward and the settlement inside it, or a constituency and its ward, are one place named twice."""
    if a.county_code != b.county_code:
        return True
    known = a.constituency_code is not None and b.constituency_code is not None
    if known and a.constituency_code != b.constituency_code:
        return True
    return a.ward_code is not None and b.ward_code is not None and a.ward_code != b.ward_code


def resolve(
    candidates: Sequence[PlaceCandidate], area: Area | None = None, *, min_score: float = MIN_RESOLVE_SCORE
) -> Resolution:
    """Choose among ranked candidates (best first, as `search`/`extract` return them) for an area.

    Candidates inside the area come first: one inside is taken even if others outside score as well
    ("Huruma" for a Nairobi organisation). Among the candidates about as likely as the best of that pool
    (within `AMBIGUOUS_WITHIN`), those naming different spots are asked about; nested ones (Kibera, the
    constituency Kibra) are one answer, the first in rank order."""
    pool = [c for c in candidates if c.score >= min_score]
    if not pool:
        return Resolution()
    if area:
        inside = [c for c in pool if area.contains(c)]
        pool = inside or pool
    top = max(c.score for c in pool)
    close = [c for c in pool if c.score >= top - AMBIGUOUS_WITHIN]
    distinct: list[PlaceCandidate] = []
    for c in close:
        if all(conflicting(c, d) for d in distinct):
            distinct.append(c)
    if len(distinct) == 1:
        # One spot named at several levels ("Kasarani": constituency and ward; "Likoni": constituency,
        # ward and settlement): the most specific, so the report gets a ward.
        nested = [c for c in close if not conflicting(c, distinct[0])]
        best = max(nested, key=lambda c: (c.ward_code is not None, _SPECIFIC[c.kind], -nested.index(c)))
        return Resolution(place=best, choices=(best,))
    return Resolution(choices=tuple(distinct[:MAX_CHOICES]))


_SPECIFIC = {"county": 0, "constituency": 1, "ward": 2, "settlement": 3}


def candidate_key(place: PlaceCandidate) -> str:
    """A stable key for a candidate, for a form or an SMS to say which one was chosen."""
    if place.kind == "settlement" and place.settlement_id is not None:
        return f"settlement:{place.settlement_id}"
    code = {"ward": place.ward_code, "constituency": place.constituency_code}.get(
        place.kind, place.county_code
    )
    return f"{place.kind}:{code}"


def label(place: PlaceCandidate) -> str:
    """A short name that tells same-named places apart: "Huruma, Uasin Gishu", "Bondeni, Mathare, Nairobi"."""
    parts = [place.name]
    if place.parent_name:
        parts.append(place.parent_name)
    if place.kind == "settlement" and place.ward_name and place.ward_name != place.name:
        parts.append(place.ward_name)
    elif place.kind in ("settlement", "ward") and place.constituency_name:
        parts.append(place.constituency_name)
    if place.kind != "county" and place.county_name:
        parts.append(place.county_name)
    out: list[str] = []
    for part in parts:
        if part and normalize(part) not in {normalize(p) for p in out}:
            out.append(part)
    return ", ".join(out)
