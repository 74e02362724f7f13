"""SMS voting, the pure part: an inbound text from a participant -> a recorded vote and the next outbound text.

The messaging transport (another part of Sauti) finds or creates the `Participant` for a phone number
(`actions.do_join(conversation, channel="sms", language=...)`, keeping the number's hash in `external_id`),
calls `reply_to(participant, text)` and sends each string of the returned list as one SMS, in order.

Replies: "1" agree, "2" disagree, "3" pass; "STOP"/"ACHA" stops (nothing more is sent until "START"/"ANZA");
"MATOKEO"/"RESULTS" answers with a short summary of the opinion map when the facilitator has opened results.
Each outbound message is one segment; a long statement is split into numbered parts "(1/2)", "(2/2)" that
each fit one segment, the reply instructions in the last part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _

from sauti.messaging.actions import do_queue_sms
from sauti.messaging.keywords import parse_opt_out
from sauti.messaging.segments import normalise, segment_count
from sauti.opinions import report
from sauti.opinions.actions import OpinionError, do_join, do_vote, next_statement
from sauti.opinions.models import Conversation, Participant, Vote
from sauti.people.models import Contact, Organisation

CHOICES = {"1": Vote.AGREE, "2": Vote.DISAGREE, "3": Vote.PASS}
RESULTS_WORDS = frozenset({"MATOKEO", "RESULTS", "RESULT"})


def _instructions() -> str:
    return _("Reply 1 agree, 2 disagree, 3 pass. STOP to end.")


def _fits(text: str) -> bool:
    return segment_count(text) == 1


def compose(number: int, text: str) -> list[str]:
    """The statement as one SMS, or as numbered parts "(1/2) ..." that each fit one SMS."""
    text = normalise(" ".join(text.split()))
    instructions = _instructions()
    whole = f"{number}. {text}\n{instructions}"
    if _fits(whole):
        return [whole]
    chunks: list[str] = []
    current: list[str] = []
    for word in f"{number}. {text}".split(" "):
        # "(9/9) " reserves room for the part label.
        if current and not _fits("(9/9) " + " ".join([*current, word])):
            chunks.append(" ".join(current))
            current = []
        current.append(word)
    tail = " ".join(current)
    if _fits(f"(9/9) {tail}\n{instructions}"):
        chunks.append(f"{tail}\n{instructions}")
    else:
        chunks += [tail, instructions]
    return [f"({i}/{len(chunks)}) {chunk}" for i, chunk in enumerate(chunks, 1)]


def _send_next(participant: Participant, prefix: str = "") -> list[str]:
    statement = next_statement(participant)
    participant.pending_statement = statement
    participant.save(update_fields=["pending_statement"])
    if statement is None:
        done = _("Thank you! You have voted on every statement. We will send new ones if they come.")
        return [f"{prefix}{done}" if _fits(f"{prefix}{done}") else done]
    parts = compose(statement.number, statement.text(participant.language))
    if prefix and _fits(prefix + parts[0]):
        parts[0] = prefix + parts[0]
    elif prefix:
        parts.insert(0, prefix.strip())
    return parts


def _clip(text: str, room: str) -> str:
    """`room` with "{t}" filled by as much of `text` as fits one SMS segment."""
    text = normalise(" ".join(text.split()))
    if _fits(room.format(t=text)):
        return room.format(t=text)
    words = text.split(" ")
    while words and not _fits(room.format(t=" ".join(words) + "...")):
        words.pop()
    return room.format(t=" ".join(words) + "...")


def results_summary(participant: Participant) -> list[str]:
    """The opinion map in at most three SMS: the groups and the participant's own, what their group agrees
    on, what all groups agree on. Nothing about any other participant but counts."""
    conversation = participant.conversation
    if not conversation.results_visible:
        return [_("The results will be sent once the vote is closed. Thank you for taking part.")]
    view = report.standing(conversation, participant.number, participant.language or "sw")
    if not view.report.ready:
        return [_("Not enough votes yet for results. Please try again later.")]
    sizes = ", ".join(f"{g.letter} {g.size}" for g in view.report.groups)
    if view.group is not None:
        head = _("Results: %(n)d opinion groups (%(sizes)s). You are in group %(g)s.") % {
            "n": len(view.report.groups),
            "sizes": sizes,
            "g": view.group.letter,
        }
    else:
        head = _("Results: %(n)d opinion groups (%(sizes)s). Vote on more statements to join one.") % {
            "n": len(view.report.groups),
            "sizes": sizes,
        }
    out = [head]
    if view.group_agrees:
        line = view.group_agrees[0]
        out.append(_clip(line.text, _("Your group agrees (%(p)d%%): {t}") % {"p": line.agree}))
    if view.report.consensus_agree:
        line = view.report.consensus_agree[0]
        out.append(_clip(line.text, _("All groups agree (%(p)d%%): {t}") % {"p": line.agree}))
    return out


def reply_to(participant: Participant, inbound: str) -> list[str]:
    """Handle one inbound SMS; returns the messages to send back (empty after STOP)."""
    word = re.sub(r"[^0-9A-Za-z]", "", inbound).upper()
    opt = parse_opt_out(inbound)  # STOP/START as the transport reads them
    with translation.override(participant.language or "sw"):
        if word in RESULTS_WORDS:
            return results_summary(participant)
        if opt is not None and opt.kind == "stop":
            participant.stopped = True
            participant.save(update_fields=["stopped"])
            return [_("You will get no more statements. Send START to continue. Thank you for taking part.")]
        if participant.stopped:
            if opt is None or opt.kind != "start":
                return []
            participant.stopped = False
            participant.save(update_fields=["stopped"])
            return _send_next(participant)
        if not participant.conversation.is_open:
            return [_("This conversation is closed. Thank you for taking part.")]
        pending = participant.pending_statement
        if word in CHOICES and pending is not None:
            try:
                do_vote(participant, pending, CHOICES[word])
            except OpinionError:
                return _send_next(participant)  # the statement was withdrawn meanwhile: move on
            return _send_next(participant)
        if pending is None:
            return _send_next(participant, _("Welcome! Your answers are anonymous.") + " ")
        help_text = _("Please reply with 1, 2 or 3.") + " "
        return _send_next(participant, help_text)


def do_invite_by_sms(conversation: Conversation, contacts: Iterable[Contact]) -> int:
    """Invite members to vote by SMS: each becomes an anonymous SMS participant (keyed by the phone's hash)
    and gets the first statement in their language. Returns how many invitations were queued; members
    already taking part, opted out or without messaging consent are skipped."""
    if not conversation.is_open or conversation.organisation is None:
        raise OpinionError(_("Only an open conversation of an organisation can invite by SMS."))
    sent = 0
    for contact in contacts:
        if (
            not contact.phone_hash
            or sms_participant(conversation.organisation, contact.phone_hash) is not None
        ):
            continue
        participant = do_join(conversation, channel=Participant.Channel.SMS, language=contact.language)
        participant.external_id = contact.phone_hash
        participant.save(update_fields=["external_id"])
        with translation.override(participant.language):
            texts = _send_next(participant, _("Sauti asks your views. Your answers are anonymous.") + " ")
        queued = [
            do_queue_sms(
                conversation.organisation,
                to_contact=contact,
                text=text,
                purpose="opinion-statement",
                require_consent=True,
            )
            for text in texts
        ]
        if all(q is None for q in queued):
            participant.delete()
            continue
        sent += 1
    return sent


def sms_participant(organisation: Organisation, phone_hash: str, text: str = "") -> Participant | None:
    """The sender's SMS participation in an open conversation of this organisation, if any; for a results
    request ("MATOKEO"), also their latest participation in a closed one."""
    found = Participant.objects.filter(
        channel=Participant.Channel.SMS, external_id=phone_hash, conversation__organisation=organisation
    ).select_related("conversation", "pending_statement")
    open_one = found.filter(conversation__is_open=True).order_by("-pk").first()
    if open_one is not None or not _asks_results(text):
        return open_one
    return found.order_by("-pk").first()


def _asks_results(text: str) -> bool:
    return re.sub(r"[^0-9A-Za-z]", "", text).upper() in RESULTS_WORDS


def answers_a_statement(text: str) -> bool:
    """ "1", "2", "3" (with stray punctuation), START/ANZA or MATOKEO/RESULTS — anything longer is a report."""
    word = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    opt = parse_opt_out(text)
    return word in CHOICES or word in RESULTS_WORDS or (opt is not None and opt.kind == "start")
