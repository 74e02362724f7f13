"""Forms of the dialogues pages: every view that takes input parses it with one of these.

Field names are the names the templates post. Choices (a group, a meeting, the people ticked) are ids checked
here against what the programme has: an id that is not a number is refused with a reason; a number that names
nothing on the list is no choice at all, as it always was (the form or the view refuses it where a choice is
needed). Reasons name the field as it is posted, as the views always did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from sauti.dialogues.actions import TAKES_RESPONSES
from sauti.dialogues.models import (
    Attendance,
    Breakout,
    Commitment,
    ConsensusRound,
    Indicator,
    Invitation,
    Meeting,
    OutcomeKind,
    PetitionTemplate,
    Programme,
    Response,
    VerificationAnswer,
)
from sauti.monitoring.models import Case
from sauti.people.models import Contact, Group, Office, Organisation

MAX_ID = 2**63 - 1  # BigAutoField: a bigger number names nothing
MAX_NUMBER = 2**31 - 1  # what an integer column holds


# --- Fields --------------------------------------------------------------------------------------


class DefaultIfAbsent(forms.TextInput):
    """A field the form did not post at all reads as `default` (posted empty, it stays empty)."""

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def value_from_datadict(self, data: Mapping[str, Any], files: Mapping[str, Any], name: str) -> Any:
        return data.get(name, self.default)


class Text(forms.CharField):
    """Free text passed to the action as typed (the action trims and checks it), never required."""

    def __init__(self, *, default: str = "", strip: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DefaultIfAbsent(default) if default else forms.TextInput)
        super().__init__(required=False, strip=strip, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        self.validators.append(ProhibitNullCharactersValidator(_("The text contains a null character.")))


class Present(forms.BooleanField):
    """True when the name was posted at all (a submit button, whatever its value)."""

    class Widget(forms.CheckboxInput):
        def value_from_datadict(self, data: Mapping[str, Any], files: Mapping[str, Any], name: str) -> bool:
            return name in data

    widget = Widget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)


class Named(forms.Field):
    """A field whose reasons name it as posted; DialogueForm tells it its name."""

    post_name = ""


class WholeNumber(Named):
    """An integer. Empty: `default` if given, None if not required, else refused."""

    widget = forms.NumberInput
    default_error_messages = {
        "invalid": _("“%(field)s” must be a whole number."),
        "range": _("“%(field)s” must be from %(min)d to %(max)d."),
    }

    def __init__(
        self,
        *,
        default: int | None = None,
        required: bool = True,
        min_value: int = -MAX_NUMBER,
        max_value: int = MAX_NUMBER,
        **kwargs: Any,
    ) -> None:
        super().__init__(required=False, **kwargs)
        self.needed = required and default is None
        self.default = default
        self.min_value, self.max_value = min_value, max_value

    def to_python(self, value: Any) -> int | None:
        raw = str(value or "").strip()
        if not raw:
            if self.needed:
                raise self._error("invalid")
            return self.default
        try:
            number = int(raw)
        except ValueError:
            raise self._error("invalid") from None
        if not self.min_value <= number <= self.max_value:
            raise self._error("range")
        return number

    def _error(self, code: str) -> ValidationError:
        params = {"field": self.post_name, "min": self.min_value, "max": self.max_value}
        return ValidationError(self.error_messages[code], code=code, params=params)


class IsoDate(Named):
    """A date written YYYY-MM-DD (what a date input sends); 30 February is refused, not a crash."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_error_messages = {
        "required": _("Give a date for “%(field)s”."),
        "invalid": _("“%(value)s” is not a date (YYYY-MM-DD)."),
    }

    def to_python(self, value: Any) -> dt.date | None:
        raw = str(value or "").strip()
        if not raw:
            return None
        try:
            parsed = parse_date(raw)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": raw[:40]})
        return parsed

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(
                self.error_messages["required"], code="required", params={"field": self.post_name}
            )


class IsoDateTime(Named):
    """A date and time as a datetime-local input sends it; read in the current time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    default_error_messages = {"invalid": _("“%(value)s” is not a date and time.")}

    def to_python(self, value: Any) -> dt.datetime:
        raw = str(value or "").strip()
        try:
            parsed = parse_datetime(raw)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": raw[:40]})
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _ids(values: Iterable[Any], error: ValidationError) -> list[int]:
    """The ids among `values` (blanks skipped); `error` if one is not a number."""
    try:
        ids = [int(str(v).strip()) for v in values if str(v).strip()]
    except ValueError:
        raise error from None
    return [i for i in ids if 0 < i <= MAX_ID]


NOT_LISTED = _("That choice is not on the list; reload the page and choose again.")


class Pick(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One of `queryset` by id, or None (nothing chosen, or a number that names nothing on the list)."""

    default_error_messages = {"invalid_choice": NOT_LISTED}

    def __init__(self, queryset: QuerySet[Any], *, message: Any = None, required: bool = False) -> None:
        messages = {"required": message, "invalid_choice": message} if message else None
        super().__init__(queryset, required=required, error_messages=messages)

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        error = ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        ids = _ids([value], error)
        assert self.queryset is not None
        return self.queryset.filter(pk=ids[0]).first() if ids else None


class PickMany(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Those of `queryset` whose ids were posted; numbers that name nothing on the list are left out."""

    default_error_messages = {"invalid_choice": NOT_LISTED}

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(queryset, required=False)

    def clean(self, value: Any) -> QuerySet[Any]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        error = ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        ids = _ids(values, error)
        assert self.queryset is not None
        return self.queryset.filter(pk__in=ids)


class DialogueForm(forms.Form):
    def full_clean(self) -> None:
        for name, field in self.fields.items():
            if isinstance(field, Named):
                field.post_name = name
        super().full_clean()


def _members(programme: Programme) -> QuerySet[Contact]:
    """The people on the lists of the programme's groups."""
    return Contact.objects.filter(group_memberships__group__in=programme.groups.all()).distinct()


# --- Programmes ----------------------------------------------------------------------------------


class ProgrammeForm(DialogueForm):
    title = Text()
    description = Text()
    starts_on = IsoDate()
    ends_on = IsoDate()

    def __init__(self, *args: Any, organisations: Iterable[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        self.fields["organisation"] = Pick(orgs)
        self.fields["groups"] = PickMany(Group.objects.filter(organisation__in=orgs))
        self.fields["offices"] = PickMany(Office.objects.all())

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        org, groups = data.get("organisation"), data.get("groups")
        if org is not None and groups is not None:
            data["groups"] = list(groups.filter(organisation=org))
        if data.get("offices") is not None:
            data["offices"] = list(data["offices"])
        return data


class MeetingForm(DialogueForm):
    kind = Text()
    title = Text()
    starts_at = IsoDateTime()
    ends_at = IsoDateTime()
    already_held = forms.BooleanField(required=False)
    venue = Text(strip=True)
    segment = Text()
    peace_action = Text()
    agenda = Text()


class PriorityForm(DialogueForm):
    title = Text()
    description = Text()

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"] = Pick(programme.groups.all())
        self.fields["meeting"] = Pick(programme.meetings.all())
        self.fields["cases"] = PickMany(Case.objects.filter(organisation=programme.organisation))


class PriorityEditForm(DialogueForm):
    title = Text()
    description = Text()


class PriorityMergeForm(DialogueForm):
    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        priorities = programme.priorities.all()
        self.fields["keep"] = Pick(priorities, message=_("Choose the priority to keep."), required=True)
        self.fields["merge"] = PickMany(priorities)


class RoundForm(DialogueForm):
    title = Text()
    dots_per_person = WholeNumber(default=3)
    max_ranks = WholeNumber(default=3)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priorities"] = PickMany(programme.priorities.all())
        self.fields["meeting"] = Pick(programme.meetings.all())


# --- Meetings ------------------------------------------------------------------------------------


class MinutesForm(DialogueForm):
    minutes = Text()
    decisions = Text()
    officials_present = Text()
    offices_present = PickMany(Office.objects.all())


class AttendanceForm(DialogueForm):
    walk_in_count = WholeNumber(
        default=0,
        min_value=0,
        max_value=500,
        error_messages={"range": _("Walk-ins are entered up to 500 at a time.")},
    )
    sex = Text()
    age_band = Text()
    role = Text(default="member")

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"] = PickMany(_members(programme))
        self.fields["walk_in_group"] = Pick(programme.groups.all())


class PhotoForm(DialogueForm):
    photo = forms.FileField(error_messages={"required": _("Choose a photo to upload.")})
    caption = Text()


class ResponseForm(DialogueForm):
    """A priority of the programme and an office, both needed (one reason for either missing)."""

    message = _("Choose the priority and the office.")
    official_name = Text()
    text = Text()

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"] = Pick(programme.priorities.all(), message=self.message)
        self.fields["office"] = Pick(Office.objects.all(), message=self.message)

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not self.errors and (data.get("priority") is None or data.get("office") is None):
            raise ValidationError(self.message)
        return data


class CommitmentForm(DialogueForm):
    what = Text()
    due_on = IsoDate(required=False)

    def __init__(self, *args: Any, response: Response, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["official_name"] = Text(default=response.official_name)


class RatingForm(DialogueForm):
    """A group's rating of a response; with an action (or an owner), a follow-up too."""

    group = WholeNumber()
    rating = WholeNumber()
    notes = Text()
    action = Text()
    owner = Text()
    action_due = IsoDate(required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["breakout"] = Pick(meeting.breakouts.all())


# --- Consensus -----------------------------------------------------------------------------------


class DotsForm(DialogueForm):
    """A group's dots: how many voted, and dots_<priority id> for each priority (empty is none)."""

    voters = WholeNumber()

    def __init__(self, *args: Any, rnd: ConsensusRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.priority_ids = [p.pk for p in rnd.priorities.all()]
        self.fields["group"] = Pick(
            rnd.programme.groups.all(), message=_("Choose the group whose dots you counted."), required=True
        )
        for pk in self.priority_ids:
            self.fields[f"dots_{pk}"] = WholeNumber(default=0)

    def dots(self) -> dict[int, int]:
        return {pk: self.cleaned_data[f"dots_{pk}"] for pk in self.priority_ids}


class VoteForm(DialogueForm):
    """A web ballot: rank_<priority id> for the priorities ranked (empty is not ranked)."""

    def __init__(self, *args: Any, rnd: ConsensusRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.priority_ids = [p.pk for p in rnd.priorities.all()]
        for pk in self.priority_ids:
            self.fields[f"rank_{pk}"] = WholeNumber(required=False)
        self.fields["group"] = Pick(rnd.programme.groups.all())

    def ranks(self) -> dict[int, int]:
        ranks = {pk: self.cleaned_data[f"rank_{pk}"] for pk in self.priority_ids}
        return {pk: rank for pk, rank in ranks.items() if rank is not None}


class SmsBallotForm(DialogueForm):
    """Either `send` (the ballot goes out by SMS) or an SMS received by hand: who sent it and its text."""

    message = _("Choose who sent the SMS.")
    send = Present()
    text = Text()

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"] = Pick(_members(programme), message=self.message)

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not self.errors and not data.get("send") and data.get("contact") is None:
            raise ValidationError(self.message)
        return data


class RoundCloseForm(DialogueForm):
    step = Text()


# --- Invitations, commitments --------------------------------------------------------------------


class InvitationForm(DialogueForm):
    official_name = Text()
    language = Text(default="en")

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"] = Pick(
            Office.objects.all(), message=_("Choose the office you are inviting."), required=True
        )
        self.fields["meeting"] = Pick(programme.meetings.all())


class AdvanceInvitationForm(DialogueForm):
    agreed_date = IsoDate(required=False)


class CommitmentUpdateForm(DialogueForm):
    status = Text()
    progress = WholeNumber()
    evidence = Text()
    note = Text()


class VerificationForm(DialogueForm):
    question_en = Text()
    question_sw = Text()

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"] = PickMany(_members(programme))


class SurveyReplyForm(DialogueForm):
    text = Text()
    channel = Text()

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"] = Pick(
            _members(programme), message=_("Choose who sent the SMS."), required=True
        )

    def clean_channel(self) -> str:
        channel = self.cleaned_data["channel"] or VerificationAnswer.Channel.SMS
        if channel not in VerificationAnswer.Channel.values:
            raise ValidationError(_("Unknown channel."))
        return str(channel)


# --- Petitions and memoranda ---------------------------------------------------------------------


class PetitionForm(DialogueForm):
    format = Text(default="pdf")
    kind = Text()
    language = Text()
    official_name = Text()
    testimonies = WholeNumber(default=5)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"] = Pick(
            programme.offices.all(), message=_("Choose the office you are addressing."), required=True
        )


class TemplateChoiceForm(DialogueForm):
    """Which wording: a petition or a memorandum (the default), in English (the default) or Kiswahili."""

    kind = Text()
    language = Text()

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        data["kind"] = data.get("kind") or PetitionTemplate.Kind.PETITION
        data["language"] = data.get("language") or "en"
        if data["kind"] not in PetitionTemplate.Kind.values or data["language"] not in ("en", "sw"):
            raise ValidationError(_("Choose a petition or a memorandum, in English or Kiswahili."))
        return data


class TemplateForm(TemplateChoiceForm):
    title = Text()
    body = Text()


# --- The community's verdict ---------------------------------------------------------------------


class HandsForm(DialogueForm):
    yes = WholeNumber(default=0)
    no = WholeNumber(default=0)
    unsure = WholeNumber(default=0)
    note = Text()

    def counts(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("yes", "no", "unsure", "note")}


class CommitmentHandsForm(HandsForm):
    """Counted at a meeting of the commitment's programme."""

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"] = Pick(
            programme.meetings.all(), message=_("Choose the meeting where hands were counted."), required=True
        )


class MeetingHandsForm(HandsForm):
    """Counted for a commitment of the meeting's programme."""

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment"] = Pick(
            Commitment.objects.filter(priority__programme=programme),
            message=_("Choose the commitment the hands were counted for."),
            required=True,
        )


# --- Follow-up actions and breakouts -------------------------------------------------------------


class BackForm(DialogueForm):
    """`back`: the page of this app the form came from, where to go afterwards (never another site)."""

    back = Text()

    def clean_back(self) -> str:
        back = str(self.cleaned_data["back"])
        return back if back.startswith("/dialogues/") and "//" not in back else ""

    def back_or(self, default: str) -> str:
        return str(self.cleaned_data.get("back") or default)


class FollowUpForm(BackForm):
    """What is to be done, who owns it (a name, a group or a member) and by when."""

    what = Text()
    owner = Text()
    due_on = IsoDate(required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_group"] = Pick(programme.groups.all())
        self.fields["owner_contact"] = Pick(_members(programme))
        self.fields["priority"] = Pick(programme.priorities.all())
        self.fields["meeting"] = Pick(programme.meetings.all())
        self.fields["commitment"] = Pick(Commitment.objects.filter(priority__programme=programme))


class StrategyForm(DialogueForm):
    """A breakout's strategy adopted as a follow-up action: what, who owns it, by when, for which priority."""

    what = Text()
    owner = Text()
    due_on = IsoDate(required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_group"] = Pick(programme.groups.all())
        self.fields["owner_contact"] = Pick(_members(programme))
        self.fields["priority"] = Pick(programme.priorities.all())


class FollowUpCloseForm(BackForm):
    state = Text()
    outcome = Text()


class BreakoutsForm(DialogueForm):
    count = WholeNumber()
    composition = Text()
    names = Text()


class BreakoutRecordForm(DialogueForm):
    walk_ins = WholeNumber(default=0)
    analysis = Text()
    strategies = Text()

    def __init__(self, *args: Any, breakout: Breakout, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"] = PickMany(Attendance.objects.filter(meeting=breakout.meeting))
        self.fields["groups"] = PickMany(breakout.meeting.programme.groups.all())


# --- Officials act for their office --------------------------------------------------------------


class InvitationReplyForm(DialogueForm):
    answer = Text()
    proposed_date = IsoDate(required=False)
    note = Text()


class OfficeResponseForm(DialogueForm):
    """The office's response to a priority of the round it was invited about, at a meeting that takes them."""

    message = _("Choose the priority and the meeting.")
    official_name = Text()
    text = Text()

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meetings = invitation.programme.meetings.filter(kind__in=TAKES_RESPONSES)
        self.fields["priority"] = Pick(invitation.round.priorities.all(), message=self.message)
        self.fields["meeting"] = Pick(meetings, message=self.message)

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not self.errors and (data.get("priority") is None or data.get("meeting") is None):
            raise ValidationError(self.message)
        return data


# --- People reached (views_reach) ----------------------------------------------------------------


class AttendanceSheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Sign-in sheet (CSV or XLSX: name, phone, sex, age_band, segment)"),
        error_messages={"required": _("Choose the sign-in sheet to upload.")},
    )


class TargetsForm(forms.Form):
    unique_people = forms.IntegerField(
        label=Indicator.UNIQUE_PEOPLE.label, min_value=0, max_value=10_000_000, required=False
    )
    sessions = forms.IntegerField(
        label=Indicator.SESSIONS.label, min_value=0, max_value=1_000_000, required=False
    )
    activities = forms.IntegerField(
        label=Indicator.ACTIVITIES.label, min_value=0, max_value=1_000_000, required=False
    )


class SegmentForm(forms.Form):
    key = forms.SlugField(label=_("Short key (letters, digits, dashes)"), max_length=30)
    label_en = forms.CharField(label=_("Name in English"), max_length=80)
    label_sw = forms.CharField(label=_("Name in Kiswahili"), max_length=80)


class MergeParticipantsForm(forms.Form):
    keep = forms.IntegerField(label=_("Keep person #"), min_value=1)
    other = forms.IntegerField(label=_("Merge person #"), min_value=1)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices)
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=1_000_000)
    description = forms.CharField(label=_("What (no names)"), max_length=300)
    achieved_on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))


class VerificationAnswerForm(forms.Form):
    """A person's own answer to a verification question on the web (the link in their SMS)."""

    answer = forms.ChoiceField(
        label=_("Your answer"), choices=VerificationAnswer.Answer.choices, widget=forms.RadioSelect
    )
