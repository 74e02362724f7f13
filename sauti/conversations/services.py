"""The engines' `Services`, backed by the gazetteer, the SMS analysis (reading.py) and the organisation's
reports."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sauti.conversations.flows import Choice, Draft, PlaceOption, ReportStatus
from sauti.conversations.reading import Analysis, analyse
from sauti.monitoring.models import Report
from sauti.people.models import Contact, Organisation
from sauti.places.matching import Area, Resolution, normalize
from sauti.places.models import County, Ward
from sauti.places.services import PlaceCandidate, extract_places, find_places, label, resolve

MIN_SCORE = 0.75  # a typed name this close to a place's counts as naming it

_lock = threading.Lock()
_counties: list[Choice] = []
_wards: dict[int, list[Choice]] = {}
_constituency_wards: dict[int, list[Choice]] = {}


def counties() -> list[Choice]:
    """Counties by IEBC code (1 Mombasa ... 47 Nairobi): the order people know from ID cards."""
    with _lock:
        if not _counties:
            _counties.extend(
                Choice(code, name)
                for code, name in County.objects.order_by("code").values_list("code", "name")
            )
        return _counties


def wards(county_code: int) -> list[Choice]:
    with _lock:
        if county_code not in _wards:
            rows = Ward.objects.filter(county__code=county_code).order_by("name")
            _wards[county_code] = []
            for code, name, constituency in rows.values_list("code", "name", "constituency__code"):
                _wards[county_code].append(Choice(code, name))
                _constituency_wards.setdefault(constituency, []).append(Choice(code, name))
        return _wards[county_code]


def clear_cache() -> None:
    with _lock:
        _counties.clear()
        _wards.clear()
        _constituency_wards.clear()


def option(place: PlaceCandidate) -> PlaceOption:
    county = Choice(place.county_code or 0, place.county_name or place.name)
    ward = None
    if place.ward_code is not None and (place.ward_name or place.kind == "ward"):
        ward = Choice(place.ward_code, place.ward_name or place.name)
    settlement = place.kind == "settlement"
    return PlaceOption(
        label(place),
        county,
        ward,
        place.name if settlement else "",
        place.settlement_id if settlement else None,
    )


def place_in_message(a: Analysis, area: Area) -> Resolution:
    """The place a message names for an organisation working in `area`: the analysis' choice, unless the
    same name is read as several places the organisation could mean (then the choices to ask about)."""
    place = a.place
    if place is None or place.county_code is None:
        return Resolution()
    same = [c for c in a.places if normalize(c.matched or c.name) == normalize(place.matched or place.name)]
    resolution = resolve(same, area, min_score=0.0)  # the analysis already kept the likely ones
    if resolution.ambiguous:
        return resolution
    return Resolution(place=place, choices=(place,))


class OrgServices:
    def __init__(self, organisation: Organisation, contact: Contact | None, phone_hash: str = "") -> None:
        self.organisation = organisation
        self.contact = contact
        self.phone_hash = phone_hash or (contact.phone_hash if contact is not None else "")
        self._area: Area | None = None
        self._counties: list[Choice] | None = None

    @property
    def area(self) -> Area:
        if self._area is None:
            self._area = self.organisation.operating_area()
        return self._area

    def _finder(self, text: str, *, county_code: int | None = None) -> Sequence[PlaceCandidate]:
        return extract_places(text, county_code=county_code, area=self.area)

    def analyse(self, text: str) -> Draft:
        a = analyse(text, place_finder=self._finder)
        choices, said = a.category_choices, a.category_said
        resolution = place_in_message(a, self.area)
        # An organisation working in one county is never asked the county: it is the ward question next.
        home = self.only_county()
        if resolution.ambiguous:  # the same name read as several places the organisation could mean: ask
            options = tuple(option(c) for c in resolution.choices if c.county_code is not None)
            return Draft(
                a.language,
                a.category,
                a.people_affected,
                home,
                options=options,
                category_choices=choices,
                category_said=said,
            )
        if resolution.place is None or resolution.place.county_code is None:
            return Draft(
                a.language, a.category, a.people_affected, home, category_choices=choices, category_said=said
            )
        chosen = option(resolution.place)
        return Draft(
            a.language,
            a.category,
            a.people_affected,
            chosen.county,
            chosen.ward,
            chosen.place_name,
            settlement_id=chosen.settlement_id,
            category_choices=choices,
            category_said=said,
        )

    def find_place_options(self, text: str) -> Sequence[PlaceOption]:
        """Places a typed name may mean for this organisation: one, several to choose from, or none."""
        resolution = resolve(find_places(text, limit=10, area=self.area), self.area)
        return [option(c) for c in resolution.choices if c.county_code is not None]

    def counties(self) -> Sequence[Choice]:
        """The counties of the organisation's area (those of its wards too), by IEBC code; all of them
        for an organisation without an area. Any other county is still found by its name (docs/decisions.md:
        "Place questions ask within the organisation's area")."""
        if self._counties is None:
            codes = set(self.area.counties)
            if self.area.wards:
                codes.update(
                    Ward.objects.filter(code__in=self.area.wards).values_list("county__code", flat=True)
                )
            everything = counties()
            self._counties = [c for c in everything if c.code in codes] or everything
        return self._counties

    def only_county(self) -> Choice | None:
        """The county of an organisation working in one county only."""
        mine = self.counties()
        return mine[0] if len(mine) == 1 else None

    def wards(self, county_code: int) -> Sequence[Choice]:
        return wards(county_code)

    def find_counties(self, text: str) -> Sequence[Choice]:
        found: list[Choice] = []
        for c in find_places(text, limit=10):
            if c.score < MIN_SCORE or c.county_code is None:
                continue
            choice = Choice(c.county_code, c.county_name or c.name)
            if c.kind == "county" and choice not in found:
                found.append(choice)
        return found

    def find_wards(self, county_code: int, text: str) -> Sequence[Choice]:
        """Wards named, or holding a settlement named, in the county; for a place spanning several wards
        (Kibera, a constituency) the wards of its constituency."""
        wards(county_code)  # fills the constituency map
        found: list[Choice] = []
        for c in find_places(text, limit=10, county_code=county_code, area=self.area):
            if c.score < MIN_SCORE or c.county_code != county_code:
                continue
            if c.ward_code is not None:
                choices = [Choice(c.ward_code, c.ward_name or c.name)]
            else:
                choices = _constituency_wards.get(c.constituency_code or 0, [])
            found.extend(choice for choice in choices if choice not in found)
        return found

    def report_status(self, number: int | None) -> ReportStatus | None:
        if not self.phone_hash:
            return None
        # Any record of this number: a web report gives the number typed in the form its own record.
        reports = Report.objects.filter(organisation=self.organisation, reporter__phone_hash=self.phone_hash)
        if number is not None:
            reports = reports.filter(pk=number)
        report = reports.select_related("case").order_by("-received_at", "-id").first()
        if report is None:
            return None
        return ReportStatus(report.reference, report.case.status if report.case else "new")
