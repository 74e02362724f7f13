"""The demo dataset. Invented organisations, people and numbers, in real places.

This module builds the organisations, offices, users and groups; each app then adds its own part (its
`demo.py`), called here in order, so no app imports another's demo.

Deterministic for a given random seed; safe to run again (it completes what is missing).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from sauti.budgets.demo import build_demo_budgets
from sauti.conversations.demo import build_demo_conversations
from sauti.dialogues.demo import build_demo_dialogues
from sauti.impact.demo import build_demo_impact
from sauti.mapping.demo import build_demo_mapping
from sauti.messaging.demo import build_demo_messaging
from sauti.monitoring.demo import build_demo_monitoring
from sauti.opinions.demo import build_demo_opinions
from sauti.peers.demo import build_demo_peers
from sauti.people import actions
from sauti.people.models import Group, Membership, Office, Organisation, Role, User
from sauti.places.models import County, Settlement, Ward
from sauti.questionnaires.demo import build_demo_questionnaires
from sauti.trust.demo import build_demo_trust

PASSWORD = "sauti-demo-2026"  # noqa: S105 (the published demo password)

FEMALE = ["Wanjiku", "Achieng", "Akinyi", "Njeri", "Wairimu", "Atieno", "Mwanajuma", "Zawadi", "Nyambura",
          "Chebet", "Mumbua", "Halima", "Auma", "Wambui", "Fatuma", "Nekesa", "Kerubo", "Muthoni", "Amina",
          "Jepkoech", "Wangari", "Mueni", "Rehema", "Adhiambo"]  # fmt: skip
MALE = ["Otieno", "Kamau", "Mwangi", "Ochieng", "Kiprono", "Juma", "Baraka", "Onyango", "Mutua", "Kariuki",
        "Omondi", "Wekesa", "Hassan", "Njoroge", "Kipchumba", "Musyoka", "Odhiambo", "Salim"]  # fmt: skip
SURNAMES = ["Wanjiru", "Otieno", "Kamau", "Mwangi", "Odhiambo", "Njoroge", "Mutua", "Wafula", "Kiptoo",
            "Achieng", "Owino", "Maina", "Ndungu", "Kilonzo", "Were", "Barasa", "Gitau", "Omollo", "Chege",
            "Nyaga", "Kibet", "Abdi", "Mohamed", "Wanyama"]  # fmt: skip


@dataclass
class Logins:
    password: str
    users: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    kind: str
    county: int
    description: str
    groups: list[tuple[str, str, int, str | None, int]]  # name, kind, ward code, village, members


ORGS = [
    DemoOrg(
        slug="umoja-demo",
        name="Umoja Women's Network (demo)",
        kind="federation",
        county=22,
        description="Demo network of grassroots women's groups in Kiambu running Local-to-Local dialogues "
        "with the county government on water, health and land.",
        groups=[
            ("Githunguri Wamama Self-Help Group", "women", 577, None, 18),
            ("Ndenderu Widows Land Rights Group", "women", 588, None, 14),
            ("Juja Farm Women Farmers", "farmers", 561, None, 16),
            ("Kikuyu Young Mothers Chama", "savings", 599, None, 12),
        ],
    ),
    DemoOrg(
        slug="haki-mtaani-demo",
        name="Haki Mtaani Monitors (demo)",
        kind="ngo",
        county=47,
        description="Demo rights-monitoring organisation: community monitors in Nairobi's informal "
        "settlements report evictions, water cuts and pollution by SMS.",
        groups=[
            ("Mathare 4A Residents' Association", "residents", 1446, "Mathare 4A", 20),
            ("Kiamaiko Youth Monitors", "youth", 1450, None, 15),
            ("Laini Saba Water Committee", "cbo", 1386, "Laini Saba", 17),
            ("Mukuru kwa Reuben Women's Group", "women", 1408, None, 19),
        ],
    ),
    DemoOrg(
        slug="amani-demo",
        name="Amani Mtaani Youth Forum (demo)",
        kind="cbo",
        county=47,
        description="Demo youth forum running community–police dialogue sessions and peace actions "
        "in Korogocho and Kayole.",
        groups=[
            ("Korogocho Peace Champions", "youth", 1405, None, 16),
            ("Kayole Mothers for Peace", "women", 1417, None, 13),
        ],
    ),
]

OFFICES = [
    ("Chief, Mabatini Location (demo)", "chief", 47, 1446),
    ("MCA, Kwa Reuben Ward (demo)", "mca", 47, 1408),
    ("Kiambu County Department of Water (demo)", "county_department", 22, None),
    ("Korogocho Police Station (demo)", "police", 47, 1405),
]

USERS = [
    # username, first, last, role, org slugs, office
    ("admin", "Amani", "Admin", Role.ADMIN, ["umoja-demo", "haki-mtaani-demo", "amani-demo"], None),
    ("wanjiku", "Wanjiku", "Kamau", Role.COORDINATOR, ["umoja-demo"], None),
    ("zawadi", "Zawadi", "Ochieng", Role.COORDINATOR, ["haki-mtaani-demo", "amani-demo"], None),
    ("otieno", "Otieno", "Were", Role.MONITOR, ["haki-mtaani-demo"], None),
    ("achieng", "Achieng", "Owino", Role.GROUP_LEADER, ["haki-mtaani-demo"], None),
    ("kamau", "Kamau", "Maina", Role.ANALYST, ["haki-mtaani-demo", "umoja-demo"], None),
    ("chief", "Joseph", "Mwangi", Role.OFFICIAL, ["haki-mtaani-demo"], "Chief, Mabatini Location (demo)"),
    # The county water officer who answers the Kiambu dialogue's invitation and reports progress (issue 15).
    ("njeri", "Grace", "Njeri", Role.OFFICIAL, ["umoja-demo"], "Kiambu County Department of Water (demo)"),
]


def build_demo(rng: random.Random, *, reset: bool = False, log: Callable[[str], object] = print) -> Logins:
    if reset:
        log("Removing the previous demo organisations …")
        Organisation.objects.filter(is_demo=True).delete()
    logins = Logins(password=PASSWORD)
    orgs = {}
    for spec in ORGS:
        org, _ = Organisation.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "description": spec.description,
                "county": County.objects.get(code=spec.county),
                "is_demo": True,
            },
        )
        orgs[org.slug] = org
        log(f"Organisation: {org.name}")
        for name, kind, ward_code, village, size in spec.groups:
            _demo_group(org, name, kind, ward_code, village, size, rng, log)
    offices = {}
    for name, kind, county, ward in OFFICES:
        office, _ = Office.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "county": County.objects.get(code=county),
                "ward": Ward.objects.get(code=ward) if ward else None,
            },
        )
        offices[name] = office
    for username, first, last, role, slugs, office_name in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.sauti.invalid"},
        )
        if created:
            user.set_password(PASSWORD)
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
        for slug in slugs:
            m, _ = Membership.objects.get_or_create(
                user=user,
                organisation=orgs[slug],
                defaults={"role": role, "office": offices.get(office_name or "")},
            )
            if role == Role.GROUP_LEADER and not m.groups.exists():
                m.groups.add(
                    Group.objects.get(organisation=orgs[slug], name="Mathare 4A Residents' Association")
                )
        logins.users.append((username, str(role.label)))
    log("Reports and cases …")
    build_demo_monitoring(rng, log)
    build_demo_conversations(log)
    build_demo_dialogues(rng, log)
    build_demo_trust(rng, log)
    build_demo_mapping(rng, log)
    build_demo_peers(rng, log)
    log("SMS channels …")
    build_demo_messaging(log)
    build_demo_opinions(rng, log)
    build_demo_questionnaires(rng, log)
    build_demo_budgets(rng, log)
    build_demo_impact(rng, log)
    return logins


def _demo_group(
    org: Organisation,
    name: str,
    kind: str,
    ward_code: int,
    village: str | None,
    size: int,
    rng: random.Random,
    log: Callable[[str], object],
) -> None:
    ward = Ward.objects.get(code=ward_code)
    settlement = Settlement.objects.filter(name__iexact=village).first() if village else None
    group, _ = Group.objects.get_or_create(
        organisation=org,
        name=name,
        defaults={"kind": kind, "ward": ward, "settlement": settlement},
    )
    existing = group.memberships.count()
    if existing >= size:
        return
    log(f"  {name}: adding {size - existing} demo members")
    women = kind in ("women", "savings")
    for i in range(existing, size):
        female = women or rng.random() < 0.55
        first = rng.choice(FEMALE if female else MALE)
        surname = rng.choice(SURNAMES)
        # Invented numbers in the 0799 99x xxx block, one per group slot.
        phone = f"+254799{(group.pk * 100 + i) % 1_000_000:06d}"
        membership = actions.do_add_member(
            group,
            name=f"{first} {surname}",
            phone=phone,
            by=None,
            language=rng.choice(["sw", "sw", "sw", "en"]),
            gender="f" if female else "m",
            age_band=rng.choice(["18_24", "25_35", "25_35", "36_59", "36_59", "60_plus"]),
            role="leader" if i == 0 else ("secretary" if i == 1 else "member"),
            consent_messaging=rng.random() < 0.85,
            consent_method=rng.choice(["paper", "verbal", "sms"]),
        )
        membership.joined_on = timezone.localdate() - timedelta(days=rng.randint(30, 900))
        membership.save(update_fields=["joined_on"])
