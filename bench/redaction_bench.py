"""Redaction: quality on the labelled set and cost per text, beside a baseline in the same run.

    .venv/bin/python bench/redaction_bench.py

Quality: recall of identities and precision of what is hidden on tests/people/redaction_corpus.py (all
texts, and the held-out ones written after the rules were tuned). Cost: the one redaction
(sauti/people/redaction.py: find + the keyed-hash lookup of names, 12,000 contacts in the organisation)
against the baseline of the old petition helper (one phone regex + one alternation of decrypted names),
per text and per 1,000 texts looked up in one query (a list page, an export chunk).
"""

from __future__ import annotations

import re
import statistics
import time

from benchsetup import setup_django

OLD_PHONE = re.compile(r"(?<![\d+])(?:\+?254[\s.-]?|0)?[17]\d{2}[\s.-]?\d{3}[\s.-]?\d{3}(?!\d)")


def old_redact(text: str, names: list[str]) -> str:
    text = OLD_PHONE.sub("[…]", text)
    words = {p for n in names for p in re.split(r"[\s.,'’-]+", n) if len(p) >= 3}
    pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", "[name]", text, flags=re.IGNORECASE)


def main() -> None:
    setup_django(migrate=True)
    from sauti.people.models import Contact, NameToken, Organisation
    from sauti.people.nameparts import name_parts, token_digest
    from sauti.people.redaction import Redactor
    from tests.people.redaction_corpus import CONTACTS, REPORTERS, corpus
    from tests.people.test_redaction import contacts_of, score

    org = Organisation.objects.create(name="Bench", slug="bench")
    contacts_of(org, CONTACTS + REPORTERS)
    for held, label in ((None, "all"), (False, "tuned on"), (True, "held out")):
        s = score(org, held)
        print(
            f"{label:9} texts {s.texts:4}  identities {s.identities:4}  recall {s.recall:.4f}  "
            f"hidden {s.found:4}  precision {s.precision:.4f}"
        )
    # 12,000 more contacts (names from the lexicon), indexed as the app indexes them.
    first = [
        "Wanjiru",
        "Otieno",
        "Akinyi",
        "Kiprono",
        "Mutua",
        "Nekesa",
        "Moraa",
        "Kazungu",
        "Halima",
        "Omondi",
    ]
    last = ["Kamau", "Odhiambo", "Wafula", "Chebet", "Mwangi", "Njoroge", "Ouma", "Barasa", "Kioko", "Abdi"]
    extra = [Contact(organisation=org, pseudonym=f"P-B{i:07d}") for i in range(12000)]
    Contact.objects.bulk_create(extra)
    tokens = []
    for i, c in enumerate(Contact.objects.filter(organisation=org, pseudonym__startswith="P-B")):
        for p in name_parts(f"{first[i % 10]}{i} {last[i // 10 % 10]}"):
            tokens.append(NameToken(organisation=org, contact=c, digest=token_digest(p)))
    NameToken.objects.bulk_create(tokens, batch_size=2000)
    texts = [t for t, _s, _r, _h in corpus()] * 5
    names = [f"{first[i % 10]}{i} {last[i // 10 % 10]}" for i in range(12000)] + CONTACTS
    runs_new, runs_old = [], []
    for _ in range(3):
        started = time.perf_counter()
        redactor = Redactor.for_texts([(org.pk, t) for t in texts])
        for t in texts:
            redactor.redact(org.pk, t)
        runs_new.append((time.perf_counter() - started) / len(texts))
        started = time.perf_counter()
        for t in texts:
            old_redact(t, names)
        runs_old.append((time.perf_counter() - started) / len(texts))
    one = []
    for t in texts[:200]:
        started = time.perf_counter()
        Redactor.for_texts([(org.pk, t)]).redact(org.pk, t)
        one.append(time.perf_counter() - started)
    print(
        f"batch of {len(texts)} texts: {statistics.median(runs_new) * 1e6:.0f} µs per text "
        f"(baseline, old helper with 12,012 names already decrypted: {statistics.median(runs_old) * 1e6:.0f} µs)"
    )
    print(f"one text, one query: median {statistics.median(one) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
