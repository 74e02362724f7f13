"""The one redaction of free text for everyone who may not see identities (issue 14).

It finds, in a report's description, a case title, a testimony …:

- phone numbers, in every common Kenyan way of writing them: 0712345678, 0712 345 678, 0799 000 516,
  07 12 34 56 78, (0712) 345678, 0712-345-678, 0712.345.678, +254 712 345 678, +254 (0) 712…, 254712345678,
  00254…, 712 345 678, full-width or other Unicode digits, a letter O written for a zero, and digits spelled
  out in English or Kiswahili ("sifuri saba moja mbili …");
- the names of the organisation's contacts (which includes the reporter's own name), matched without
  decrypting anything: every contact's name parts are kept as keyed hashes (`NameToken`, HMAC with the
  lookup key), and a text's words are hashed the same way and looked up in one indexed query;
- names a writer gives for themselves or others: "jina langu ni …", "naitwa …", "my name is …", "mimi ni
  Achieng …", "Mama Njeri", "Bw. Otieno", a sign-off "Asante, Wanjiru".

`find(text, names=…)` returns the spans; `redact(text, spans)` replaces them with "[phone]" / "[name]"
markers. `Redactor.for_texts(...)` prepares one lookup for many texts (a list page, an export chunk).
Who sees what is decided in sauti.people.access (`can_see_free_text_identities`); this module only finds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sauti.people.models import NameToken
from sauti.people.nameparts import GENERIC, TOKEN, name_parts, normalised, token_digest

PHONE, NAME = "phone", "name"


@dataclass(frozen=True, order=True)
class Found:
    start: int
    end: int
    kind: str

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[Found, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.found)


# --- phone numbers --------------------------------------------------------------------------------

_SEPARATORS = " \t\u00a0\u202f.-\u2010\u2011\u2012\u2013\u2014/()_"
_RUN = re.compile(r"[+(]*\d(?:[" + re.escape(_SEPARATORS) + r"]{0,3}\d)*\)?")
_GROUP = re.compile(r"\d+")
_WORD_DIGITS = {
    "zero": "0", "oh": "0", "sifuri": "0", "one": "1", "moja": "1", "two": "2", "mbili": "2", "three": "3",
    "tatu": "3", "four": "4", "nne": "4", "five": "5", "tano": "5", "six": "6", "sita": "6", "seven": "7",
    "saba": "7", "eight": "8", "nane": "8", "nine": "9", "tisa": "9",
}  # fmt: skip
_SPELLED = re.compile(
    r"(?<![^\W\d_])(?:(?:" + "|".join(_WORD_DIGITS) + r"|\d)(?:[\s,.\-]+|$|(?=\W))){9,14}",
    re.IGNORECASE,
)


_O_FOR_ZERO = re.compile(r"(?<![^\W\d_])[Oo](?=\d)|(?<=\d)[Oo](?=\d)")


def _shadow(text: str) -> str:
    """The text with every character replaced by its plain form, one for one (positions stay)."""
    if text.isascii():  # the common case, ten times faster: only a letter O written for a zero
        return _O_FOR_ZERO.sub("0", text)
    out = []
    for i, ch in enumerate(text):
        if ch.isdigit():
            try:
                out.append(str(unicodedata.decimal(ch)))
                continue
            except ValueError:
                pass
        plain = unicodedata.normalize("NFKC", ch)
        if len(plain) != 1:
            plain = ch
        if plain in "Oo":  # "O712 345 678": a letter O written for a zero, between digits
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if (after.isdigit() and not before.isalpha()) or (before.isdigit() and after.isdigit()):
                plain = "0"
        out.append(plain)
    return "".join(out)


def is_kenyan_phone(digits: str) -> bool:
    n = len(digits)
    if n == 10:
        return digits[0] == "0" and digits[1] in "17"
    if n == 9:
        return digits[0] == "7"
    if n == 12:
        return digits.startswith("254") and digits[3] in "17"
    if n == 13:
        return digits.startswith("2540") and digits[4] in "17"
    if n == 14:
        return digits.startswith("00254") and digits[5] in "17"
    return False


def find_phones(text: str) -> list[Found]:
    shadow = _shadow(text)
    found: list[Found] = []
    for run in _RUN.finditer(shadow):
        groups = list(_GROUP.finditer(run.group()))
        i = 0
        while i < len(groups):
            digits, best = "", -1
            for j in range(i, len(groups)):
                digits += groups[j].group()
                if len(digits) > 14:
                    break
                if is_kenyan_phone(digits):
                    best = j
            if best < 0:
                i += 1
                continue
            start = run.start() + groups[i].start()
            end = run.start() + groups[best].end()
            while start > run.start() and shadow[start - 1] in "+(":
                start -= 1
            opened = shadow[start:end].count("(") > shadow[start:end].count(")")
            if opened and end < len(shadow) and shadow[end] == ")":
                end += 1
            found.append(Found(start, end, PHONE))
            i = best + 1
    for spelled in _SPELLED.finditer(shadow):
        tokens = re.findall(r"[^\W_]+", spelled.group())
        digits = "".join(_WORD_DIGITS.get(t.lower(), t) for t in tokens)
        if not any(t.isalpha() for t in tokens) or not digits.isdigit():
            continue
        if is_kenyan_phone(digits):
            end = spelled.start() + len(spelled.group().rstrip(" \t\n,.-"))
            found.append(Found(spelled.start(), end, PHONE))
    return found


# --- names ---------------------------------------------------------------------------------------

# Given names that are also everyday words in Kiswahili or English (matched only with a capital letter).
EVERYDAY = frozenset(
    [
        "amani",
        "baraka",
        "neema",
        "imani",
        "zawadi",
        "furaha",
        "rehema",
        "tumaini",
        "upendo",
        "nuru",
        "subira",
        "bahati",
        "salama",
        "faraja",
        "wema",
        "hawa",
        "juma",
        "saida",
        "penda",
        "shida",
        "hope",
        "faith",
        "grace",
        "mercy",
        "joy",
        "patience",
        "charity",
        "peace",
        "gift",
        "precious",
        "blessing",
        "rose",
        "lily",
        "ivy",
        "said",
        "will",
        "mark",
        "bill",
        "may",
        "june",
        "april",
        "victor",
        "sunday",
    ]
)
_TITLES = (
    r"mama|baba|mzee|bibi|babu|dada|kaka|shangazi|mjomba|bw\.?|bwana|bi\.?|mr\.?|mrs\.?|ms\.?|madam|"
    r"sister|brother|mwalimu|teacher|pastor|mchungaji|sheikh"
)
_INTRO_STRONG = (
    r"anaitwa|aitwaye|wanaitwa|jina|contact\s+person|shahidi\s+ni|shahidi|witness\s*:?|"
    r"jina\s+langu\s+ni|majina\s+yangu\s+ni|naitwa|mimi\s+naitwa|nimeitwa|my\s+name\s+is|my\s+names\s+are|"
    r"i\s+am\s+called|i'?m\s+called|names?\s*[:\-]|jina\s*[:\-]|mi\s+huitwa|niiitwa|name\s+ni|jina\s+ni"
)
_INTRO_WEAK = r"mimi\s+ni|mi\s+ni|ni\s+mimi|i\s+am|i'?m|this\s+is"
_SIGNOFF = r"asante|ahsante|thanks|thank\s+you|regards|wako|yours|kind\s+regards|sincerely|-|–|—|~"
# Words that follow "mimi ni" / "I am" or a title without being a name.
NOT_NAMES = frozenset(
    [
        "mkazi",
        "mkenya",
        "mzazi",
        "mwanafunzi",
        "mfanyabiashara",
        "mama",
        "baba",
        "mjane",
        "mgonjwa",
        "mlemavu",
        "mwanachama",
        "mkulima",
        "mfanyakazi",
        "mhudumu",
        "mwalimu",
        "dereva",
        "resident",
        "mother",
        "father",
        "parent",
        "student",
        "teacher",
        "widow",
        "member",
        "farmer",
        "worker",
        "trader",
        "driver",
        "writing",
        "reporting",
        "here",
        "very",
        "not",
        "a",
        "an",
        "the",
        "from",
        "of",
        "in",
        "at",
        "on",
        "with",
        "and",
        "kutoka",
        "wa",
        "na",
        "ya",
        "la",
        "za",
        "kwa",
        "katika",
        "hapa",
        "sana",
        "pia",
        "tu",
        "huyu",
        "yule",
        "hii",
        "hiyo",
        "mtoto",
        "watoto",
        "mtu",
        "watu",
        "wote",
        "not",
        "so",
        "also",
        "just",
        "concerned",
        "worried",
        "afraid",
        "scared",
        "sick",
        "tired",
        "hospital",
        "hospitali",
        "clinic",
        "kliniki",
        "school",
        "shule",
        "primary",
        "secondary",
        "market",
        "soko",
        "road",
        "barabara",
        "street",
        "estate",
        "church",
        "kanisa",
        "mosque",
        "msikiti",
        "stage",
        "centre",
        "center",
        "police",
        "polisi",
        "chief",
        "ward",
        "county",
        "kaunti",
        "office",
        "ofisi",
        "station",
        "kituo",
    ]
)
_PLACE_AFTER = re.compile(
    r"\s+(?:[A-Z][\w'’]*\s+){0,2}(?:hospital|hospitali|clinic|kliniki|school|shule|primary|secondary|market|"
    r"soko|road|barabara|street|estate|church|kanisa|mosque|msikiti|stage|centre|center|academy|hall|"
    r"grounds|dispensary|health|avenue|self\s+help|group|national|lane|drive|highway|university|college|"
    r"stadium|bridge|camp|village|kijiji|ward|location)\b",
    re.IGNORECASE,
)
_NAME_WORD = r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)?"
_STRONG = re.compile(
    rf"(?<![^\W\d_])(?:{_INTRO_STRONG})\s+((?:{_NAME_WORD})(?:\s+{_NAME_WORD}){{0,2}})", re.IGNORECASE
)
_WEAK = re.compile(
    rf"(?<![^\W\d_])(?:{_INTRO_WEAK}|{_TITLES})\s+((?:{_NAME_WORD})(?:\s+{_NAME_WORD}){{0,2}})", re.IGNORECASE
)
_SIGNED = re.compile(
    rf"(?:^|[\s,.!])(?:{_SIGNOFF})[\s,.:]*((?:{_NAME_WORD})(?:\s+{_NAME_WORD}){{0,2}})\s*[.!]?\s*$",
    re.IGNORECASE,
)


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


# Common Kenyan given names and surnames (Kikuyu, Luo, Luhya, Kalenjin, Kamba, Kisii, Meru, Mijikenda,
# Somali, coastal and Christian/Muslim names). A capitalised one is a name wherever it stands; one in lower
# case only next to another name ("juma hassan") or after "mimi ni", "naitwa" ….
KENYAN_NAMES = frozenset(
    [
        "achieng",
        "adhiambo",
        "akinyi",
        "anyango",
        "atieno",
        "awino",
        "apiyo",
        "auma",
        "akoth",
        "nyambura",
        "wanjiru",
        "wanjiku",
        "njeri",
        "wairimu",
        "wambui",
        "waithera",
        "wangari",
        "wanjugu",
        "nyokabi",
        "muthoni",
        "wangui",
        "wacera",
        "wamaitha",
        "njoki",
        "mumbua",
        "mwende",
        "kanini",
        "ndinda",
        "mueni",
        "mwikali",
        "syombua",
        "nduku",
        "kerubo",
        "moraa",
        "kemunto",
        "nyaboke",
        "bosibori",
        "kwamboka",
        "nekesa",
        "nafula",
        "naliaka",
        "nasimiyu",
        "nanjala",
        "khaemba",
        "chebet",
        "chepkoech",
        "jeptoo",
        "jepkosgei",
        "chelimo",
        "cherono",
        "jerotich",
        "jelagat",
        "chepngetich",
        "kiprono",
        "kiprotich",
        "kiptoo",
        "kipchumba",
        "kipkemboi",
        "kibet",
        "kiplagat",
        "kirui",
        "koech",
        "rotich",
        "kosgei",
        "ruto",
        "langat",
        "otieno",
        "ochieng",
        "odhiambo",
        "onyango",
        "omondi",
        "owino",
        "oduor",
        "okoth",
        "ouma",
        "obiero",
        "okello",
        "opiyo",
        "ogola",
        "odongo",
        "oloo",
        "kamau",
        "mwangi",
        "njoroge",
        "kariuki",
        "kimani",
        "maina",
        "githinji",
        "mugo",
        "macharia",
        "gitau",
        "waweru",
        "ngugi",
        "kinyua",
        "muriuki",
        "mutua",
        "musyoka",
        "mutuku",
        "kioko",
        "mwendwa",
        "kyalo",
        "wambua",
        "munyao",
        "nzioka",
        "kilonzo",
        "wafula",
        "wekesa",
        "barasa",
        "simiyu",
        "wanyama",
        "masinde",
        "juma",
        "wanjala",
        "makokha",
        "nyongesa",
        "shikuku",
        "mogaka",
        "nyamweya",
        "ongeri",
        "mokaya",
        "makori",
        "nyakundi",
        "kazungu",
        "karisa",
        "kahindi",
        "baya",
        "charo",
        "katana",
        "mwamburi",
        "hamisi",
        "mwanaisha",
        "mwanajuma",
        "zuhura",
        "halima",
        "amina",
        "fatuma",
        "aisha",
        "mariam",
        "hadija",
        "rukia",
        "saida",
        "zainabu",
        "asha",
        "khadija",
        "hassan",
        "mohamed",
        "mohammed",
        "abdi",
        "ahmed",
        "omar",
        "ali",
        "yusuf",
        "ibrahim",
        "abdalla",
        "abdullahi",
        "farah",
        "hussein",
        "ismail",
        "salim",
        "bakari",
        "rashid",
        "athman",
        "swaleh",
        "issa",
        "musa",
        "peter",
        "john",
        "james",
        "joseph",
        "paul",
        "david",
        "daniel",
        "samuel",
        "stephen",
        "kevin",
        "brian",
        "collins",
        "dennis",
        "victor",
        "felix",
        "george",
        "charles",
        "francis",
        "patrick",
        "anthony",
        "michael",
        "geoffrey",
        "wilson",
        "moses",
        "simon",
        "benard",
        "bernard",
        "evans",
        "edwin",
        "eric",
        "alex",
        "alexander",
        "vincent",
        "philip",
        "martin",
        "nicholas",
        "fredrick",
        "frederick",
        "kennedy",
        "duncan",
        "elijah",
        "esther",
        "mary",
        "jane",
        "grace",
        "lucy",
        "joyce",
        "ann",
        "anne",
        "agnes",
        "alice",
        "beatrice",
        "caroline",
        "catherine",
        "christine",
        "dorcas",
        "eunice",
        "everlyne",
        "evelyn",
        "faith",
        "florence",
        "gladys",
        "irene",
        "janet",
        "josephine",
        "judith",
        "leah",
        "lilian",
        "margaret",
        "mercy",
        "milka",
        "monica",
        "naomi",
        "nancy",
        "pauline",
        "phyllis",
        "priscilla",
        "rachel",
        "rebecca",
        "rose",
        "ruth",
        "sarah",
        "sharon",
        "susan",
        "tabitha",
        "teresa",
        "violet",
        "winnie",
        "zipporah",
        "purity",
        "doreen",
        "brenda",
        "cynthia",
        "diana",
        "sheila",
        "emily",
        "hellen",
        "helen",
        "consolata",
        "veronica",
        "wilfred",
        "jackson",
        "job",
        "isaac",
        "jacob",
        "abraham",
        "elias",
        "caleb",
        "tom",
    ]
)
_OFFICES = re.compile(
    r"(?:chief|mca|ocs|ocpd|governor|gavana|senator|seneta|president|rais|inspector|sergeant|sgt|officer|"
    r"commissioner|mbunge|mp|waziri|cs|ps|dcc|acc|dr|doctor|daktari|hon|mheshimiwa|judge|jaji|magistrate)"
    r"\.?\s+$",
    re.IGNORECASE,
)


# A capitalised everyday word at the start of a sentence is a word, not a name, when these follow it.
_NOT_AFTER_A_NAME = frozenset(
    [
        "za",
        "ya",
        "la",
        "cha",
        "vya",
        "ni",
        "period",
        "of",
        "is",
        "are",
        "be",
        "to",
        "for",
        "the",
        "and",
        "yako",
        "yetu",
        "yenu",
    ]
)
_ANY_NAME = ("contact", "lexicon", "weak")


def _given_names(text: str) -> list[Found]:
    """Names people write for themselves or others, found by what comes before them."""
    found = []
    for pattern, strong in ((_STRONG, True), (_WEAK, False), (_SIGNED, False)):
        for m in pattern.finditer(text):
            words = list(re.finditer(_NAME_WORD, m.group(1)))
            kept: list[re.Match[str]] = []
            for w in words:
                word = w.group()
                if normalised(word) in NOT_NAMES or normalised(word) in GENERIC:
                    break
                if not strong and not _capitalised(word) and normalised(word) not in KENYAN_NAMES:
                    break
                kept.append(w)
            if not kept:
                continue
            if pattern is _WEAK and _PLACE_AFTER.match(text, m.start(1) + kept[-1].end()):
                continue  # "Mama Lucy Kibaki Hospital", "Baba Dogo Road"
            base = m.start(1)
            found.append(Found(base + kept[0].start(), base + kept[-1].end(), NAME))
    return found


@dataclass
class Redactor:
    """Finds identities in the texts of one or more organisations. Build it with `for_texts` (one query)."""

    known: dict[int | None, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def for_texts(cls, items: Iterable[tuple[int | None, str]]) -> Redactor:
        """`items`: (organisation id, text) pairs. Looks up, in one query, which of the texts' words are
        name parts of a contact of that organisation."""
        wanted: dict[str, set[int | None]] = {}
        for org_id, text in items:
            for token in TOKEN.findall(unicodedata.normalize("NFKC", text or "")):
                part = normalised(token)
                if len(part) >= 3 and part not in GENERIC:
                    wanted.setdefault(token_digest(part), set()).add(org_id)
        known: dict[int | None, set[str]] = {}
        orgs = {o for owners in wanted.values() for o in owners if o is not None}
        if wanted and orgs:
            rows = NameToken.objects.filter(digest__in=list(wanted), organisation_id__in=orgs).values_list(
                "organisation_id", "digest"
            )
            for org_id, digest in rows:
                known.setdefault(org_id, set()).add(digest)
        return cls({k: frozenset(v) for k, v in known.items()})

    def find(self, organisation_id: int | None, text: str, names: Sequence[str] = ()) -> list[Found]:
        """Every identity in `text`: phones, the organisation's contacts' names, `names` (e.g. the
        reporter's own, when the caller has it), and names people give in the text. Spans do not overlap."""
        if not text:
            return []
        spans = find_phones(text) + _given_names(text)
        known = self.known.get(organisation_id, frozenset())
        extra = {p for n in names for p in name_parts(n)}
        plain = unicodedata.normalize("NFKC", text)
        if len(plain) != len(text):
            plain = text
        tokens = list(TOKEN.finditer(plain))
        kinds: list[str] = []  # "contact", "lexicon", "weak" (an everyday word), ""
        for m in tokens:
            part = normalised(m.group())
            if len(part) < 3 or part in GENERIC:
                kinds.append("")
            elif part in extra or (known and token_digest(part) in known):  # no digest when none known
                kinds.append("weak" if part in EVERYDAY else "contact")
            elif part in KENYAN_NAMES:
                kinds.append("weak" if part in EVERYDAY else "lexicon")
            else:
                kinds.append("")

        def next_to_a_name(i: int, accept: tuple[str, ...] = ("contact", "lexicon")) -> bool:
            for j in (i - 1, i + 1):
                if 0 <= j < len(tokens) and kinds[j] in accept:
                    a, b = sorted((tokens[i], tokens[j]), key=lambda t: t.start())
                    if not plain[a.end() : b.start()].strip():
                        return True
            return False

        for i, m in enumerate(tokens):
            kind, word = kinds[i], m.group()
            if not kind:
                continue
            if _PLACE_AFTER.match(plain, m.end()) or _OFFICES.search(
                plain[max(0, m.start() - 24) : m.start()]
            ):
                continue  # "Mama Lucy Kibaki Hospital", "Moi Avenue", "Chief Mwangi"
            sentence_start = not plain[: m.start()].strip() or plain[: m.start()].rstrip()[-1] in ".!?\n"
            following = normalised(tokens[i + 1].group()) if i + 1 < len(tokens) else ""
            if kind == "weak":
                if not _capitalised(word) and not next_to_a_name(i):
                    continue  # "amani", unless "amani otieno"
                if sentence_start and following in _NOT_AFTER_A_NAME and not next_to_a_name(i):
                    continue  # "Baraka za Mungu", "Grace period"
            elif kind == "lexicon" and not _capitalised(word) and not next_to_a_name(i, _ANY_NAME):
                continue
            spans.append(Found(m.start(), m.end(), NAME))
        return _merge(spans, text)

    def redact(self, organisation_id: int | None, text: str, names: Sequence[str] = ()) -> Redacted:
        found = self.find(organisation_id, text, names)
        return Redacted(apply(text, found), tuple(found))


def _merge(spans: list[Found], text: str) -> list[Found]:
    """Overlapping spans joined (a phone wins over a name); names next to each other become one span."""
    out: list[Found] = []
    for s in sorted(spans):
        if out and s.start <= out[-1].end:
            last = out[-1]
            kind = PHONE if PHONE in (last.kind, s.kind) else NAME
            out[-1] = Found(last.start, max(last.end, s.end), kind)
        elif out and out[-1].kind == NAME == s.kind and not text[out[-1].end : s.start].strip():
            out[-1] = Found(out[-1].start, s.end, NAME)
        else:
            out.append(s)
    return out


def markers() -> dict[str, str]:
    return {PHONE: _("[phone]"), NAME: _("[name]")}


def apply(text: str, found: Sequence[Found]) -> str:
    if not found:
        return text
    labels = markers()
    out, at = [], 0
    for f in sorted(found):
        out.append(text[at : f.start])
        out.append(labels[f.kind])
        at = f.end
    out.append(text[at:])
    return "".join(out)


def redact_text(organisation_id: int | None, text: str, names: Sequence[str] = ()) -> Redacted:
    """One text (a command, a title): one query."""
    return Redactor.for_texts([(organisation_id, text)]).redact(organisation_id, text, names)
