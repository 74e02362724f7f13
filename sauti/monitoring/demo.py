"""Demo reports and cases: invented events in real places, moved along the case lifecycle."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from sauti.monitoring.actions import ReportInput, do_submit_report, do_transition
from sauti.monitoring.models import Case, Report, Status
from sauti.people.models import Contact, Office, Organisation, User

TEXTS: dict[str, list[tuple[str, str]]] = {
    "water-disconnection": [
        ("sw", "Maji yamekatwa {place} tangu siku {days} zilizopita, familia {n} hazina maji ya kunywa."),
        ("en", "Water disconnected in {place} for {days} days now, about {n} households affected."),
        ("sw", "Kampuni ya maji imekata mabomba {place} bila notisi, watu {n} wananunua maji ghali."),
    ],
    "water-quality": [("sw", "Maji ya bomba {place} ni machafu na yananuka, watoto {n} wanaharisha.")],
    "housing-eviction": [
        ("sw", "Watu {n} wamefurushwa {place} usiku bila notisi ya mahakama."),
        ("en", "Eviction notices given to {n} families at {place} by people claiming the land."),
    ],
    "housing-demolition": [("sw", "Nyumba zimebomolewa {place} na tingatinga, familia {n} hazina makao.")],
    "sanitation-sewage": [
        ("en", "Sewer burst at {place}, raw sewage flowing past the school for {days} days."),
        ("sw", "Maji taka yanafurika {place} karibu na soko, watu {n} wameathirika."),
    ],
    "sanitation-garbage": [("sw", "Taka hazijazolewa {place} kwa wiki {days}, panya wamejaa.")],
    "security-police-abuse": [
        ("sw", "Polisi waliwapiga vijana {n} {place} usiku wa jana bila sababu."),
        ("en", "Police officers beat youths at {place} during a night patrol; {n} injured."),
    ],
    "security-extortion": [("en", "Officers demanding bribes from {n} hawkers at {place} every morning.")],
    "environment-air": [("sw", "Moshi wa kiwanda unachafua hewa {place}, watoto {n} wanakohoa.")],
    "land-widows": [("sw", "Mjane amenyang'anywa shamba lake {place} na jamaa wa marehemu mumewe.")],
    "health-drugs": [("sw", "Zahanati ya {place} haina dawa kwa wiki {days}, wagonjwa {n} wamerudishwa.")],
    "public-projects-stalled": [
        ("en", "The ward road project in {place} has stalled for {days} weeks; the contractor left."),
        ("sw", "Mradi wa choo cha umma {place} umekwama, pesa zimelipwa lakini kazi haijaisha."),
    ],
    "gbv": [("sw", "Msichana alidhulumiwa {place}; familia inaogopa kuripoti kwa polisi.")],
}

PLACES: dict[str, list[str]] = {
    "haki-mtaani-demo": ["Mathare 4A", "Kiamaiko", "Mabatini", "Laini Saba", "Kianda", "Lindi", "Makina",
                         "Kwa Reuben", "Kwa Njenga", "Huruma", "Mlango Kubwa"],
    "amani-demo": ["Korogocho", "Kayole Central", "Kayole North", "Lucky Summer", "Komarock"],
    "umoja-demo": ["Githunguri", "Ndenderu", "Juja", "Kikuyu", "Karuri", "Limuru Central", "Theta"],
}  # fmt: skip

MIX: dict[str, list[str]] = {
    "haki-mtaani-demo": ["water-disconnection", "water-disconnection", "water-quality", "housing-eviction",
                         "housing-demolition", "sanitation-sewage", "sanitation-garbage", "environment-air",
                         "public-projects-stalled"],
    "amani-demo": ["security-police-abuse", "security-police-abuse", "security-extortion", "gbv"],
    "umoja-demo": ["water-disconnection", "land-widows", "land-widows", "health-drugs", "public-projects-stalled"],
}  # fmt: skip

SIZES = {"haki-mtaani-demo": 140, "amani-demo": 50, "umoja-demo": 60}
COORDINATORS = {"haki-mtaani-demo": "zawadi", "amani-demo": "zawadi", "umoja-demo": "wanjiku"}


def build_demo_monitoring(rng: random.Random, log: Callable[[str], object]) -> None:
    now = timezone.now()
    for slug, size in SIZES.items():
        org = Organisation.objects.get(slug=slug)
        if Report.objects.filter(organisation=org).exists():
            continue
        log(f"  {org.name}: {size} demo reports")
        contacts = _reporters(org, rng)
        monitor = User.objects.filter(username="otieno").first()
        for i in range(size):
            key = rng.choice(MIX[slug])
            language, template = rng.choice(TEXTS[key])
            place = rng.choice(PLACES[slug])
            days_ago = int(rng.triangular(0, 120, 5))
            received = now - timedelta(days=days_ago, hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
            channel = rng.choice(["web", "web", "monitor", "odk"])
            do_submit_report(
                org,
                ReportInput(
                    description=template.format(
                        place=place, days=rng.randint(2, 9), n=rng.choice([12, 30, 45, 80, 200, 350])
                    ),
                    channel=channel,
                    occurred_on=(received - timedelta(days=rng.randint(0, 3))).date(),
                    place_text=place,
                    category_keys=[key],
                    people_affected=rng.choice([None, 5, 20, 60, 150, 400]),
                    language=language,
                    reporter=rng.choice(contacts) if contacts and rng.random() < 0.4 else None,
                    submitted_by=monitor if channel == "monitor" else None,
                    received_at=received,
                    external_id=f"demo-{slug}-{i}" if channel == "odk" else "",
                ),
            )
        _advance(org, rng)
        _hear_back(org, log)
        if slug == "haki-mtaani-demo":
            _identified_in_text(org, contacts[0], now)


# Invented reporters: the organisation's own records of numbers that reached it by SMS (Contact.scope "").
REPORTER_NAMES = ["Achieng Kibet", "Mwanaisha Hamisi", "Peter Kiprotich", "Grace Nduta", "Omar Said",
                  "Lucy Chebet", "Kevin Ouma", "Halima Abdi", "Joyce Moraa", "Daniel Wekesa"]  # fmt: skip


def _reporters(org: Organisation, rng: random.Random) -> list[Contact]:
    out = []
    for i, name in enumerate(REPORTER_NAMES):
        contact = Contact(organisation=org, language=rng.choice(["sw", "en"]))
        contact.name = name
        contact.phone = f"+2547980005{org.pk % 10}{i}"  # invented numbers in the 0798 000 5xx block
        contact.save()
        out.append(contact)
    return out


def _identified_in_text(org: Organisation, reporter: Contact, now: object) -> None:
    """A reporter who wrote their own name and number in the text (issue 14), referred to the chief."""
    office = Office.objects.filter(name__startswith="Chief, Mabatini").first()
    phone = reporter.phone  # +2547980005xx, written as people write it
    local = f"0{phone[4:7]} {phone[7:10]} {phone[10:]}"
    report = do_submit_report(
        org,
        ReportInput(
            description=(
                f"Mimi ni {reporter.name}, simu yangu {local}. Polisi walinipiga Mabatini jana usiku "
                "na kunichukulia simu; nilikuwa nikirudi kutoka kazini. Naomba msaada."
            ),
            channel="sms",
            place_text="Mabatini",
            category_keys=["security"],
            language="sw",
            reporter=reporter,
            external_id=f"demo-{org.slug}-identified",
        ),
    )
    case = report.case
    if office is None or case is None:
        return
    by = User.objects.get(username=COORDINATORS[org.slug])
    do_transition(case, Status.TRIAGED, by)
    do_transition(case, Status.VERIFIED, by, method="second_source", reason="Confirmed by the area monitor.")
    do_transition(case, Status.REFERRED, by, referred_to=office, reason="Raised with the chief.")


def _advance(org: Organisation, rng: random.Random) -> None:
    by = User.objects.get(username=COORDINATORS[org.slug])
    offices = list(Office.objects.filter(county=org.county)) or list(Office.objects.all())
    for case in Case.objects.filter(organisation=org).order_by("pk"):
        roll = rng.random()
        if roll < 0.25:
            continue
        if roll < 0.33:
            do_transition(
                case,
                Status.REJECTED,
                by,
                reason=rng.choice(
                    ["Duplicate of an earlier report.", "Not a rights violation: a private dispute."]
                ),
                inform=False,
            )
            continue
        do_transition(case, Status.TRIAGED, by)
        if roll < 0.5:
            continue
        do_transition(
            case,
            Status.VERIFIED,
            by,
            method=rng.choice(["site_visit", "photo", "second_source"]),
            reason="Confirmed by the area monitor.",
            inform=False,
        )
        case.refresh_from_db()
        case.is_public = rng.random() < 0.7
        case.is_sensitive = bool(case.category and case.category.key in ("gbv", "security"))
        case.save(update_fields=["is_public", "is_sensitive"])
        if roll < 0.7:
            continue
        do_transition(
            case,
            Status.REFERRED,
            by,
            referred_to=rng.choice(offices),
            reason="Raised at the monthly meeting with the office.",
            inform=False,
        )
        if roll < 0.85:
            continue
        do_transition(
            case,
            rng.choice([Status.RESOLVED, Status.UNRESOLVED]),
            by,
            reason="Follow-up visit by the monitors.",
            inform=False,
        )


def _hear_back(org: Organisation, log: Callable[[str], object]) -> None:
    """Issue 15: a status code for the latest web report (printed, to open /report/status/), and a resolved
    case whose reporters were asked "Is it fixed?", one of them saying no (the coordinator's home shows it)."""
    from sauti.monitoring.models import FixAnswer, FixCheck
    from sauti.monitoring.reporters import do_issue_status_key, do_record_fixed_answer

    latest = Report.objects.filter(organisation=org, channel="web").order_by("-pk").first()
    if latest is not None:
        log(f"  status page: reference {latest.reference}, code {do_issue_status_key(latest)}")
    for case in Case.objects.filter(organisation=org, status=Status.RESOLVED).order_by("pk"):
        reporters = {r.reporter for r in case.reports.select_related("reporter") if r.reporter is not None}
        resolution = case.events.filter(kind="status", to_status=Status.RESOLVED).order_by("-pk").first()
        if len(reporters) < 1 or resolution is None:
            continue
        check = FixCheck.objects.create(case=case, resolution=resolution)
        for i, contact in enumerate(sorted(reporters, key=lambda c: c.pk)):
            asked = FixAnswer.objects.create(fix_check=check, contact=contact)
            do_record_fixed_answer(asked, "no" if i == 0 else "yes", "sms")
        return
