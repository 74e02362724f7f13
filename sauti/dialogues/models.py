"""Local-to-Local dialogue programmes: meetings, priorities, consensus, invitations, commitments, follow-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sauti.core import crypto
from sauti.people.models import LANGUAGE_CHOICES, Contact, Group, Office, Organisation


class Programme(models.Model):
    """e.g. "Women's Leadership and Governance — Kiambu 2027"."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="programmes")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    county = models.ForeignKey(
        "places.County", verbose_name=_("county"), on_delete=models.SET_NULL, null=True, blank=True
    )
    wards = models.ManyToManyField("places.Ward", verbose_name=_("wards"), blank=True, related_name="+")
    groups = models.ManyToManyField(Group, verbose_name=_("groups"), blank=True, related_name="programmes")
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="facilitated_programmes",
    )
    offices = models.ManyToManyField(
        Office, verbose_name=_("offices engaged"), blank=True, related_name="programmes"
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("dialogue programme")
        verbose_name_plural = _("dialogue programmes")

    def __str__(self) -> str:
        return self.title


class MeetingKind(models.TextChoices):
    PREPARATORY = "preparatory", _("Preparatory dialogue")
    CONSENSUS = "consensus", _("Consensus meeting")
    DIALOGUE = "dialogue", _("Dialogue with authorities")
    BREAKOUT = "breakout", _("Breakout session")
    FOLLOW_UP = "follow_up", _("Follow-up / review")
    COMMUNITY_POLICE = "community_police", _("Community–police dialogue session")
    PEACE_ACTION = "peace_action", _("Peace action")
    MAPPING = "mapping", _("Mapping exercise")
    PEER_EXCHANGE = "peer_exchange", _("Peer-exchange visit")


class Segment(models.TextChoices):
    YOUTH = "youth", _("Youth")
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    MIXED = "mixed", _("Mixed")
    CROSS_LEARNING = "cross_learning", _("Cross-learning")


class PeaceAction(models.TextChoices):
    MEAL_SHARING = "meal_sharing", _("Meal sharing")
    CLEAN_UP = "clean_up", _("Clean-up")
    SPORT = "sport", _("Sport")
    CULTURAL = "cultural", _("Cultural event")
    OTHER = "other", _("Other")


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, blank=True)
    peace_action = models.CharField(_("peace action"), max_length=20, choices=PeaceAction.choices, blank=True)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    ward = models.ForeignKey(
        "places.Ward",
        verbose_name=_("ward"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_meetings",
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    offices_present = models.ManyToManyField(
        Office, verbose_name=_("offices present"), blank=True, related_name="+"
    )
    officials_present = models.TextField(_("officials present (names and titles)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def overlaps(self, other: Meeting) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


def meeting_photo_path(instance: MeetingPhoto, filename: str) -> str:
    return f"dialogues/{instance.meeting.programme_id}/{instance.meeting_id}/{filename}"


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=meeting_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.caption or self.image.name


class AttendanceRole(models.TextChoices):
    MEMBER = "member", _("Group member")
    LEADER = "leader", _("Group leader")
    OFFICIAL = "official", _("Official")
    POLICE = "police", _("Police officer")
    FACILITATOR = "facilitator", _("Facilitator")
    GUEST = "guest", _("Guest")


class Attendance(models.Model):
    """One person at one meeting: a member from a group list (contact) or a walk-in (no contact)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sex = models.CharField(_("sex"), max_length=1, choices=Contact.GENDER_CHOICES, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=Contact.AGE_BANDS, blank=True)
    role = models.CharField(
        _("role"), max_length=12, choices=AttendanceRole.choices, default=AttendanceRole.MEMBER
    )
    participant = models.ForeignKey(
        "Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="attendances"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "contact"], condition=models.Q(contact__isnull=False), name="attend_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=models.Q(participant__isnull=False),
                name="participant_attends_once",
            ),
        ]
        # Counting attendances by role for a programme's meetings reads this index only (reach.reach_figures).
        indexes = [models.Index(fields=["meeting", "role"], name="attendance_meeting_role")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.contact.pseudonym if self.contact else _('walk-in')}"


class Priority(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    raised_by = models.ForeignKey(
        Group, verbose_name=_("raised by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_in = models.ForeignKey(
        Meeting,
        verbose_name=_("raised in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="priorities_raised",
    )
    cases = models.ManyToManyField(
        "monitoring.Case", verbose_name=_("evidence (cases)"), blank=True, related_name="priorities"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.title


class PriorityRevision(models.Model):
    """History of a priority: each edit or merge keeps what it was before."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="revisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=240)
    before = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.note


class ConsensusRound(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        FROZEN = "frozen", _("Frozen")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    priorities = models.ManyToManyField(Priority, related_name="rounds")
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    dots_per_person = models.PositiveSmallIntegerField(_("dots per person"), default=3)
    max_ranks = models.PositiveSmallIntegerField(_("priorities each voter ranks (SMS)"), default=3)
    sms_code = models.CharField(_("SMS keyword"), max_length=20, blank=True)
    result = models.JSONField(_("frozen tally"), null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("consensus round")
        verbose_name_plural = _("consensus rounds")

    def __str__(self) -> str:
        return self.title

    def numbered_priorities(self) -> list[Priority]:
        """The order voters see (and reply with by SMS): 1, 2, 3 … by priority id."""
        return list(self.priorities.order_by("pk"))


class Ballot(models.Model):
    class Source(models.TextChoices):
        DOTS = "dots", _("Dot count by a facilitator")
        WEB = "web", _("Web")
        SMS = "sms", _("SMS")

    round = models.ForeignKey(ConsensusRound, on_delete=models.CASCADE, related_name="ballots")
    source = models.CharField(max_length=8, choices=Source.choices)
    voter_key = models.CharField(max_length=80)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    weight = models.PositiveIntegerField(default=1)
    ranks = models.JSONField(default=dict)  # priority id (str) -> rank
    dots = models.JSONField(default=dict, blank=True)  # what the facilitator counted, kept as entered
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["round", "voter_key"], name="one_ballot_per_voter")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.voter_key}"


class Invitation(models.Model):
    class Status(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DATE_PROPOSED = "date_proposed", _("Another date proposed")
        DATE_AGREED = "date_agreed", _("Meeting date agreed")

    NEXT = {
        Status.DRAFTED: Status.SENT,
        Status.SENT: Status.ACKNOWLEDGED,
        Status.ACKNOWLEDGED: Status.DATE_AGREED,
        Status.DATE_PROPOSED: Status.DATE_AGREED,
    }

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="dialogue_invitations"
    )
    official_name = models.CharField(_("official's name and title"), max_length=160)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="en")
    round = models.ForeignKey(ConsensusRound, on_delete=models.PROTECT, related_name="invitations")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.DRAFTED)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    agreed_date = models.DateField(_("agreed meeting date"), null=True, blank=True)
    # The official's own answer (issue 15): accept, or propose another date with a note.
    proposed_date = models.DateField(_("date proposed by the official"), null=True, blank=True)
    reply_note = models.TextField(_("the official's note"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.official_name} — {self.office}"


class Response(models.Model):
    """What an official said about one priority at a dialogue."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="responses")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="responses")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="dialogue_responses")
    official_name = models.CharField(_("official's name and title"), max_length=160)
    text = models.TextField(_("response"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.official_name}: {self.text[:40]}"


class CommitmentStatus(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    PARTLY_FULFILLED = "partly_fulfilled", _("Partly fulfilled")
    BROKEN = "broken", _("Broken")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_COMMITMENT = (CommitmentStatus.AGREED, CommitmentStatus.IN_PROGRESS)


class Commitment(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="commitments")
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="commitments"
    )
    official_name = models.CharField(_("official's name and title"), max_length=160)
    what = models.TextField(_("what was promised"))
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.AGREED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    evidence = models.TextField(_("evidence"), blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="commitment_progress_max_100"),
            models.CheckConstraint(condition=~models.Q(official_name=""), name="commitment_has_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.official_name}: {self.what[:60]}"

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_COMMITMENT and self.due_on < today


class CommitmentUpdate(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    progress = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.status} {self.progress}%"


class Breakout(models.Model):
    """A breakout group formed at a meeting (seed 000: "broken into six groups … analyse the government
    responses and re-strategise"): who sat in it, its analysis, and the strategies it proposes."""

    class Composition(models.TextChoices):
        MIXED = "mixed", _("Mixed")
        BY_GROUP = "by_group", _("By group")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="breakouts")
    name = models.CharField(_("name"), max_length=120)
    composition = models.CharField(
        _("composition"), max_length=10, choices=Composition.choices, default=Composition.MIXED
    )
    groups = models.ManyToManyField(Group, verbose_name=_("groups"), blank=True, related_name="+")
    members = models.ManyToManyField(
        Attendance, verbose_name=_("who sat in it"), blank=True, related_name="breakouts"
    )
    walk_ins = models.PositiveIntegerField(_("others present (not on a list)"), default=0)
    analysis = models.TextField(_("analysis of the responses"), blank=True)
    strategies = models.TextField(_("proposed strategies (one a line)"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("breakout group")
        verbose_name_plural = _("breakout groups")

    def __str__(self) -> str:
        return self.name

    def strategy_lines(self) -> list[str]:
        return [line.strip() for line in self.strategies.splitlines() if line.strip()]

    def size(self) -> int:
        return self.members.count() + self.walk_ins


class BreakoutRating(models.Model):
    """A group's rating (1 = not satisfied … 5 = fully satisfied) and notes on one official's response.
    Re-rating adds a row: the latest per group is the current rating, the earlier ones are its history."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="ratings")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")
    breakout = models.ForeignKey(
        Breakout, on_delete=models.SET_NULL, null=True, blank=True, related_name="ratings"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.rating}"


class FollowUpState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class FollowUpAction(models.Model):
    """The re-strategy: what the community does next, who owns it (a group or a person), by when; it stays
    on the agenda of the programme's next meetings until it is done or dropped with a reason."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="follow_ups")
    priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("agreed at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups_agreed",
    )
    breakout = models.ForeignKey(
        Breakout, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    rating = models.ForeignKey(
        BreakoutRating, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    what = models.TextField(_("action"))
    owner = models.CharField(_("owner"), max_length=160)
    owner_group = models.ForeignKey(
        Group,
        verbose_name=_("owner (group)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_contact = models.ForeignKey(
        Contact,
        verbose_name=_("owner (person)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due"))
    state = models.CharField(
        _("state"), max_length=8, choices=FollowUpState.choices, default=FollowUpState.OPEN
    )
    outcome = models.TextField(_("outcome or reason"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="dropped") | ~models.Q(outcome=""),
                name="follow_up_dropped_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def is_open(self) -> bool:
        return self.state == FollowUpState.OPEN

    def is_overdue(self, today: Any = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class Reminder(models.Model):
    """One reminder or escalation per commitment and due date, so the periodic job never repeats itself."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder before the due date")
        ESCALATION = "escalation", _("Overdue escalation")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commitment", "kind", "due_on"], name="remind_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.commitment_id}"


class VerificationSurvey(models.Model):
    """An SMS question to affected members: "Je, maji yamerudi Mathare 4A? 1=Ndiyo 2=Hapana"."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="surveys")
    question_en = models.CharField(max_length=140)
    question_sw = models.CharField(max_length=140)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.question_en


class VerificationAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNSURE = "unsure", _("Not sure")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        USSD = "ussd", _("USSD")
        WEB = "web", _("Web")

    survey = models.ForeignKey(VerificationSurvey, on_delete=models.CASCADE, related_name="answers")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=8, choices=Answer.choices)
    channel = models.CharField(max_length=4, choices=Channel.choices, default=Channel.SMS)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "contact"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.answer}"


class VerificationLink(models.Model):
    """The web answer page of one person asked a verification question (issue 15): the address in their SMS
    carries an unguessable token; only its keyed hash is kept."""

    survey = models.ForeignKey(VerificationSurvey, on_delete=models.CASCADE, related_name="links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "contact"], name="one_link_per_person")]

    def __str__(self) -> str:
        return f"link {self.survey_id}/{self.contact_id}"


class ShowOfHands(models.Model):
    """The community's verdict on a commitment taken at a follow-up meeting: hands raised for yes / no / not sure."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="hands")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="hands")
    yes = models.PositiveIntegerField(_("yes"))
    no = models.PositiveIntegerField(_("no"))
    unsure = models.PositiveIntegerField(_("not sure"), default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("show of hands")
        verbose_name_plural = _("shows of hands")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "meeting"], name="hands_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}@{self.meeting_id}: {self.yes}/{self.no}/{self.unsure}"


class Notification(models.Model):
    """An SMS this app sent through the outbox: what was asked of whom (see notify.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    purpose = models.CharField(max_length=40)
    status = models.CharField(max_length=20, default="queued")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.text[:40]}"


class PetitionTemplate(models.Model):
    """An organisation's own wording of a petition or memorandum, per language (see dialogues.petitions)."""

    class Kind(models.TextChoices):
        PETITION = "petition", _("Petition")
        MEMORANDUM = "memorandum", _("Memorandum")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="petition_templates"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("petition template")
        verbose_name_plural = _("petition templates")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "language"], name="petition_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.language}"


# Segments of a programme's sessions (Pamoja Mtaani's women, men, youth … sessions; seed 003). Key, English, Kiswahili.
DEFAULT_SEGMENTS: tuple[tuple[str, str, str], ...] = (
    ("women", "Women", "Wanawake"),
    ("men", "Men", "Wanaume"),
    ("youth", "Youth", "Vijana"),
    ("elders", "Elders", "Wazee"),
    ("business", "Business people", "Wafanyabiashara"),
    ("police", "Police and security actors", "Polisi na walinda usalama"),
    ("officials", "Officials", "Maafisa wa serikali"),
    ("mixed", "Mixed", "Mchanganyiko"),
)


class ProgrammeSegment(models.Model):
    """A segment people are reached in, named by the programme in English and Kiswahili."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="segments")
    key = models.SlugField(_("key"), max_length=30)
    label_en = models.CharField(_("name in English"), max_length=80)
    label_sw = models.CharField(_("name in Kiswahili"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "position", "key"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [models.UniqueConstraint(fields=["programme", "key"], name="segment_key_per_programme")]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str = "") -> str:
        return self.label_sw if (language or get_language() or "en").startswith("sw") else self.label_en


class Participant(models.Model):
    """A person a programme reached, recognised across sessions by phone or by a coordinator's merge.

    Name and phone are identities: encrypted like a contact's, looked up by keyed hash, shown only to
    those who may see identities. A merged participant points at the one it was merged into."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="participants")
    name_ciphertext = crypto.EncryptedTextField(blank=True)
    phone_ciphertext = crypto.EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    name_hash = models.CharField(max_length=64, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Contact.GENDER_CHOICES, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=Contact.AGE_BANDS, blank=True)
    segments = models.ManyToManyField(
        ProgrammeSegment, verbose_name=_("segments"), blank=True, related_name="participants"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "phone_hash"],
                condition=~models.Q(phone_hash="") & models.Q(merged_into__isnull=True),
                name="participant_phone_unique_per_org",
            )
        ]
        indexes = [models.Index(fields=["organisation", "name_hash"], name="participant_name_lookup")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def name(self) -> str:
        return crypto.decrypt(self.name_ciphertext) if self.name_ciphertext else ""

    @name.setter
    def name(self, value: str) -> None:
        value = " ".join(value.split())
        self.name_ciphertext = crypto.encrypt(value) if value else ""
        self.name_hash = crypto.lookup_hash(value.casefold()) if value else ""

    phone = crypto.EncryptedPhone()


class Indicator(models.TextChoices):
    UNIQUE_PEOPLE = "unique_people", _("People reached")
    SESSIONS = "sessions", _("Sessions held")
    ACTIVITIES = "activities", _("Activities held")


class ProgrammeTarget(models.Model):
    """What the programme set out to reach, e.g. 700 people, 300 sessions, 400 activities (seed 003)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    value = models.PositiveIntegerField(_("target"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["programme", "indicator"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["programme", "indicator"], name="one_target_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class OutcomeKind(models.TextChoices):
    MENTORSHIP = "mentorship", _("Mentorships (e.g. officers mentoring at-risk youth)")
    TRAINED = "trained", _("People trained (e.g. trauma counselling)")
    WOMEN_LEADERS = "women_leaders", _("Women in leadership positions")
    GROUP_FORMED = "group_formed", _("Groups formed")
    OTHER = "other", _("Other outcome")


class ProgrammeOutcome(models.Model):
    """An outcome the programme counts, recorded without identities (how many, what, when)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=16, choices=OutcomeKind.choices)
    count = models.PositiveIntegerField(_("how many"), validators=[MinValueValidator(1)])
    description = models.CharField(_("what"), max_length=300)
    achieved_on = models.DateField(_("when"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "-achieved_on", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.count} × {self.kind}"
