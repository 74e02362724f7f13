"""The seeded ESC-rights taxonomy. Keys are a stable contract (README); labels are editable per organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# key, English, Kiswahili, [(sub-key, English, Kiswahili)]
ESC_TAXONOMY: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("housing", "Housing and evictions", "Makazi na kufurushwa", [
        ("housing-eviction", "Forced eviction", "Kufurushwa kwa nguvu"),
        ("housing-demolition", "Demolition", "Kubomolewa kwa nyumba"),
        ("housing-conditions", "Unsafe housing", "Makazi yasiyo salama"),
    ]),
    ("water", "Water", "Maji", [
        ("water-disconnection", "Water disconnection", "Kukatiwa maji"),
        ("water-quality", "Dirty or unsafe water", "Maji machafu au yasiyo salama"),
        ("water-price", "Water too expensive", "Bei ya maji iko juu mno"),
    ]),
    ("sanitation", "Sanitation", "Usafi wa mazingira", [
        ("sanitation-sewage", "Sewage overflow", "Maji taka yanayofurika"),
        ("sanitation-toilets", "No toilets", "Ukosefu wa vyoo"),
        ("sanitation-garbage", "Uncollected garbage", "Taka zisizozolewa"),
    ]),
    ("environment", "Environment and pollution", "Mazingira na uchafuzi", [
        ("environment-air", "Air pollution", "Uchafuzi wa hewa"),
        ("environment-river", "River pollution", "Uchafuzi wa mto"),
    ]),
    ("security", "Security and police conduct", "Usalama na mienendo ya polisi", [
        ("security-police-abuse", "Police abuse", "Dhuluma za polisi"),
        ("security-extortion", "Extortion or bribes", "Kulazimishwa kutoa hongo"),
        ("security-crime", "Crime and insecurity", "Uhalifu na ukosefu wa usalama"),
    ]),
    ("gbv", "Gender-based violence", "Dhuluma za kijinsia", []),
    ("land", "Land and property", "Ardhi na mali", [
        ("land-grabbing", "Land grabbing", "Unyakuzi wa ardhi"),
        ("land-widows", "Widows' and orphans' property", "Mali ya wajane na yatima"),
    ]),
    ("health", "Health", "Afya", [
        ("health-facility", "No health facility or staff", "Hakuna kituo cha afya au wahudumu"),
        ("health-drugs", "No medicines", "Hakuna dawa"),
    ]),
    ("education", "Education", "Elimu", [
        ("education-school", "School conditions", "Hali ya shule"),
        ("education-fees", "Illegal fees", "Ada zisizo halali"),
    ]),
    ("public-projects", "Public projects and budget", "Miradi ya umma na bajeti", [
        ("public-projects-stalled", "Stalled project", "Mradi uliokwama"),
        ("public-projects-quality", "Poor workmanship", "Kazi duni"),
    ]),
    ("corruption", "Corruption", "Ufisadi", []),
    ("other", "Other", "Nyingine", []),
]  # fmt: skip

TOP_LEVEL_KEYS = [key for key, *_ in ESC_TAXONOMY]


def seed(category_model: Any, organisation: Any) -> None:
    """Create the missing seeded categories. Takes the model class, so migrations can pass their own."""
    position = 0
    for key, en, sw, children in ESC_TAXONOMY:
        position += 10
        parent, _ = category_model.objects.get_or_create(
            organisation=organisation, key=key, defaults={"name_en": en, "name_sw": sw, "position": position}
        )
        for offset, (child_key, child_en, child_sw) in enumerate(children, start=1):
            category_model.objects.get_or_create(
                organisation=organisation,
                key=child_key,
                defaults={
                    "parent": parent,
                    "name_en": child_en,
                    "name_sw": child_sw,
                    "position": position + offset,
                },
            )


# What a description reads as (a top-level key), registered by the app that reads text (conversations,
# above this one): the public report form pre-fills its category with it.
_readers: list[Callable[[str], str | None]] = []


def register_category_reader(reader: Callable[[str], str | None]) -> None:
    _readers[:] = [reader]


def suggested_category(text: str) -> str | None:
    return _readers[0](text) if _readers and text.strip() else None
