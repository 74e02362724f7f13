"""Everything that creates or changes conversations, statements, participants, votes and analyses."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.dialogues.models import Meeting, Programme
from sauti.opinions.models import Analysis, Conversation, Moderation, Participant, Statement, Vote
from sauti.opinions.polis import Analysis as PolisAnalysis
from sauti.opinions.polis import NotEnoughData, State, Votes, analyze
from sauti.opinions.polis.live import LiveMap
from sauti.people.models import Organisation, User

MAX_STATEMENT_LENGTH = 280


class OpinionError(ValueError):
    """Bad input, with a message for the person who sent it."""


@dataclass
class StatementText:
    en: str = ""
    sw: str = ""

    def cleaned(self) -> StatementText:
        en, sw = " ".join(self.en.split()), " ".join(self.sw.split())
        if not en and not sw:
            raise OpinionError(_("Write the statement in English or Kiswahili."))
        if len(en) > MAX_STATEMENT_LENGTH or len(sw) > MAX_STATEMENT_LENGTH:
            raise OpinionError(
                _("A statement can have at most %(n)d characters.") % {"n": MAX_STATEMENT_LENGTH}
            )
        return StatementText(en, sw)


def do_create_conversation(
    org: Organisation | None,
    by: User | None,
    title: str,
    description: str = "",
    programme: Programme | None = None,
    meeting: Meeting | None = None,
    allow_submissions: bool = True,
) -> Conversation:
    """`programme`/`meeting`: what the conversation serves, optional; the organisation's own, and the meeting
    one of the programme's (a meeting alone brings its programme)."""
    title = " ".join(title.split())
    if not title:
        raise OpinionError(_("Give the conversation a title."))
    if len(title) > 200:
        raise OpinionError(_("The title can have at most 200 characters."))
    if meeting is not None:
        if programme is not None and meeting.programme_id != programme.pk:
            raise OpinionError(_("That meeting is not part of the chosen programme."))
        programme = meeting.programme
    if programme is not None and (org is None or programme.organisation_id != org.pk):
        raise OpinionError(_("Choose a programme of the same organisation."))
    return Conversation.objects.create(
        organisation=org,
        created_by=by,
        title=title,
        description=description.strip(),
        programme=programme,
        meeting=meeting,
        allow_submissions=allow_submissions,
    )


def _next_number(model: type[Statement] | type[Participant], conversation: Conversation) -> int:
    top = model.objects.filter(conversation=conversation).aggregate(m=Max("number"))["m"]
    return 0 if top is None else top + 1


def _create_numbered(
    model: type[Statement] | type[Participant], conversation: Conversation, **fields: Any
) -> Statement | Participant:
    # Two people submitting at once may pick the same number; the unique constraint makes the second retry.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return model.objects.create(
                    conversation=conversation, number=_next_number(model, conversation), **fields
                )
        except IntegrityError:
            continue
    raise OpinionError(_("Too many people at once; please try again."))


def do_add_statement(
    conversation: Conversation,
    text: StatementText,
    *,
    by_facilitator: bool,
    author: Participant | None = None,
) -> Statement:
    """Facilitators' statements are seeds and accepted at once; participants' wait for moderation."""
    clean = text.cleaned()
    if not by_facilitator and not conversation.allow_submissions:
        raise OpinionError(_("This conversation does not take new statements."))
    statement = _create_numbered(
        Statement,
        conversation,
        text_en=clean.en,
        text_sw=clean.sw,
        is_seed=by_facilitator,
        author=author,
        moderation=Moderation.ACCEPTED if by_facilitator else Moderation.PENDING,
    )
    return cast(Statement, statement)


def do_moderate(statement: Statement, decision: str) -> Statement:
    if decision not in Moderation.values:
        raise OpinionError(_("Unknown moderation decision."))
    statement.moderation = decision
    statement.save(update_fields=["moderation"])
    _schedule_recompute(statement.conversation)
    return statement


def do_join(
    conversation: Conversation,
    *,
    channel: str = Participant.Channel.WEB,
    language: str = "sw",
    token: str = "",
) -> Participant:
    """A new participant; with `token` (a web join ticket's), the participant that ticket already made."""
    if token:
        existing = Participant.objects.filter(conversation=conversation, token=token).first()
        if existing is not None:
            return existing
    extra = {"token": token} if token else {}
    participant = _create_numbered(
        Participant,
        conversation,
        channel=channel,
        language=language if language in ("en", "sw") else "sw",
        **extra,
    )
    return cast(Participant, participant)


def do_vote(participant: Participant, statement: Statement, value: int) -> Vote:
    if value not in (Vote.AGREE, Vote.DISAGREE, Vote.PASS):
        raise OpinionError(_("A vote is agree, disagree or pass."))
    conversation = participant.conversation
    if statement.conversation_id != conversation.pk:
        raise OpinionError(_("That statement is not part of this conversation."))
    if not conversation.is_open:
        raise OpinionError(_("This conversation is closed."))
    if not statement.is_votable:
        raise OpinionError(_("That statement is not open for votes."))
    now = timezone.now()
    vote = Vote.objects.create(
        conversation=conversation, participant=participant, statement=statement, value=value
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_vote_at=now)
    conversation.last_vote_at = now
    _schedule_recompute(conversation)
    return vote


def next_statement(participant: Participant) -> Statement | None:
    """The accepted statement this participant has not voted on, lowest number first (seeds, then others)."""
    return (
        Statement.objects.filter(conversation_id=participant.conversation_id, moderation=Moderation.ACCEPTED)
        .exclude(votes__participant=participant)
        .exclude(Q(author=participant))
        .order_by("-is_seed", "number")
        .first()
    )


def remaining_count(participant: Participant) -> int:
    return (
        Statement.objects.filter(conversation_id=participant.conversation_id, moderation=Moderation.ACCEPTED)
        .exclude(votes__participant=participant)
        .exclude(Q(author=participant))
        .count()
    )


def _schedule_recompute(conversation: Conversation) -> None:
    from sauti.opinions.tasks import recompute_analysis

    pk = conversation.pk
    transaction.on_commit(lambda: recompute_analysis.enqueue(pk))


def conversation_votes(conversation: Conversation) -> Votes:
    """The stored votes as pipeline input: participant and statement numbers, latest row per pair counts."""
    rows = np.array(
        list(
            Vote.objects.filter(conversation=conversation)
            .order_by("id")
            .values_list("participant__number", "statement__number", "value")
        ),
        dtype=np.int64,
    ).reshape(-1, 3)
    statements = list(conversation.statements.values_list("number", "moderation"))
    return Votes.from_events(
        rows[:, 0],
        rows[:, 1],
        rows[:, 2],
        mod_out=frozenset(n for n, m in statements if m in (Moderation.REJECTED, Moderation.META)),
        meta=frozenset(n for n, m in statements if m == Moderation.META),
        statement_ids=[n for n, _m in statements],
        groups_hint=conversation.groups_hint,
    )


def input_fingerprint(conversation: Conversation) -> tuple[int, str]:
    """What a map is computed from, cheaply: votes are append-only, so the last vote id, plus the moderation that
    takes statements out and the forced group count. Equal fingerprints, equal input (nothing to recompute)."""
    last = Vote.objects.filter(conversation=conversation).aggregate(m=Max("id"))["m"] or 0
    out = sorted(
        conversation.statements.filter(moderation__in=(Moderation.REJECTED, Moderation.META)).values_list(
            "number", "moderation"
        )
    )
    digest = hashlib.sha256(
        repr((conversation.public_code, out, conversation.groups_hint)).encode()
    ).hexdigest()[:16]
    return int(last), f"{last}:{digest}"


def analysis_payload(result: PolisAnalysis, fingerprint: str) -> dict[str, Any]:
    """What an `Analysis` row stores: the pipeline's JSON, the state the next update starts from, the input's
    fingerprint."""
    payload = result.to_json()
    payload["state"] = result.state.to_json()
    payload["fingerprint"] = fingerprint
    return payload


def do_recompute(conversation: Conversation, *, force: bool = False) -> Analysis | None:
    """Update the opinion map from the stored votes, starting from the stored one (Polis' warm start: people
    stay in the conversation, clusters start where they were, the group count is smoothed).

    Skipped (None) when the map is frozen, or (unless forced) when it is newer than the last vote. Votes
    unchanged since the stored map: the map is returned as it is."""
    existing = Analysis.objects.filter(conversation=conversation).first()
    if conversation.map_frozen and existing is not None:
        return None
    if (
        not force
        and existing is not None
        and conversation.last_vote_at is not None
        and existing.computed_at >= conversation.last_vote_at
        and not _moderated_since(conversation, existing)
    ):
        return None
    started = timezone.now()
    last_id, fingerprint = input_fingerprint(conversation)
    if existing is not None and existing.result.get("fingerprint") == fingerprint:
        return existing
    patched = _live_update(conversation, existing, last_id, fingerprint)
    if patched is not None:
        payload, counted = patched
        return _store(conversation, payload, "", started, counted)
    votes = conversation_votes(conversation)
    state: State | None = None
    keep: frozenset[int] = frozenset()
    if existing is not None and existing.result.get("state"):
        state = State.from_json(existing.result["state"])
    elif existing is not None and existing.result.get("in_conv"):
        keep = frozenset(int(p) for p in existing.result["in_conv"])  # Polis: once in, always in
    try:
        result = analyze(votes, groups=conversation.groups_hint, keep=keep, state=state)
    except NotEnoughData as exc:
        LIVE.pop(conversation.pk, None)
        return _store(conversation, {}, str(exc), started, len(votes.pids))
    remember_live(conversation, votes, result, last_id, fingerprint)
    return _store(conversation, analysis_payload(result, fingerprint), "", started, len(votes.pids))


def _store(
    conversation: Conversation, result: dict[str, Any], error: str, started: Any, counted: int
) -> Analysis:
    analysis, _created = Analysis.objects.update_or_create(
        conversation=conversation,
        defaults={"result": result, "error": error[:300], "computed_at": started, "votes_counted": counted},
    )
    return analysis


@dataclass
class _Kept:
    """The last map computed in this process for a conversation, to patch vote by vote (see polis/live.py)."""

    last_id: int
    fingerprint: str
    votes: Votes | None
    result: PolisAnalysis | None
    live: LiveMap | None = None

    def map(self, groups: int | None) -> LiveMap:
        if self.live is None:  # built on first use: a full run that is never patched costs nothing more
            assert self.votes is not None and self.result is not None
            self.live = LiveMap(self.votes, self.result, groups=groups)
            self.votes = self.result = None
        return self.live


# Live maps of recently updated conversations, in this process (a worker patches them vote by vote).
LIVE: OrderedDict[int, _Kept] = OrderedDict()
LIVE_CONVERSATIONS = 4
LIVE_MAX_CELLS = 4_000_000  # participants x statements kept dense (Bowling Green: 1.8 M)
LIVE_MAX_NEW = 50  # more new votes than this at once: a full (warm) run is as quick


def remember_live(
    conversation: Conversation, votes: Votes, result: PolisAnalysis, last_id: int, fingerprint: str
) -> None:
    if len(result.pids) * len(result.tids) > LIVE_MAX_CELLS:
        LIVE.pop(conversation.pk, None)
        return
    LIVE[conversation.pk] = _Kept(last_id, fingerprint, votes, result)
    LIVE.move_to_end(conversation.pk)
    while len(LIVE) > LIVE_CONVERSATIONS:
        LIVE.popitem(last=False)


def _live_update(
    conversation: Conversation, existing: Analysis | None, last_id: int, fingerprint: str
) -> tuple[dict[str, Any], int] | None:
    """Patch the kept live map with the votes since, when it is the stored map and only votes changed."""
    kept = LIVE.get(conversation.pk)
    if kept is None or existing is None or existing.result.get("fingerprint") != kept.fingerprint:
        return None
    if fingerprint.split(":", 1)[1] != kept.fingerprint.split(":", 1)[1]:  # moderation or k changed
        return None
    new = list(
        Vote.objects.filter(conversation=conversation, id__gt=kept.last_id)
        .order_by("id")
        .values_list("participant__number", "statement__number", "value")[: LIVE_MAX_NEW + 1]
    )
    if not new or len(new) > LIVE_MAX_NEW:
        return None
    live = kept.map(conversation.groups_hint)
    try:
        for pid, tid, value in new:
            result = live.vote(int(pid), int(tid), int(value))
    except NotEnoughData:
        LIVE.pop(conversation.pk, None)  # a full run says so properly
        return None
    kept.last_id, kept.fingerprint = last_id, fingerprint
    LIVE.move_to_end(conversation.pk)
    return analysis_payload(result, fingerprint), int(live.voted.sum())


def do_set_map_frozen(conversation: Conversation, frozen: bool) -> Conversation:
    """Freeze the opinion map as shown (votes still count), or unfreeze it and bring it up to date."""
    conversation.map_frozen = frozen
    conversation.save(update_fields=["map_frozen"])
    if not frozen:
        _schedule_recompute(conversation)
    return conversation


def do_set_results_open(conversation: Conversation, when: str) -> Conversation:
    if when not in Conversation.Results.values:
        raise OpinionError(_("Choose when participants see the results."))
    conversation.results_open = when
    conversation.save(update_fields=["results_open"])
    return conversation


def _moderated_since(conversation: Conversation, analysis: Analysis) -> bool:
    mod_out = sorted(
        conversation.statements.filter(moderation__in=(Moderation.REJECTED, Moderation.META)).values_list(
            "number", flat=True
        )
    )
    return bool(analysis.result) and mod_out != sorted(analysis.result.get("mod_out", []))
