"""`sauti opinions import`: a Polis export folder stored as a conversation (statements, participants, votes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.audit import audit
from sauti.audit.models import Action
from sauti.opinions.models import Analysis, Conversation, Moderation, Participant, Statement, Vote
from sauti.opinions.polis import NotEnoughData, PolisDataError, load_folder, replay
from sauti.people.models import Organisation

BATCH = 5000


def import_folder(
    folder: str | Path,
    *,
    org_slug: str,
    title: str | None = None,
    progress: Callable[[str], object] = print,
) -> Conversation:
    org = Organisation.objects.filter(slug=org_slug).first()
    if org is None:
        raise PolisDataError(_("no organisation with the slug %(slug)s") % {"slug": org_slug})
    loaded = load_folder(folder)
    votes = loaded.votes
    if loaded.flipped:
        progress(_("Votes were stored with -1 = agree (raw Polis export); importing them flipped."))
    with transaction.atomic():
        conversation = Conversation.objects.create(
            organisation=org,
            title=(title or loaded.title)[:200],
            source=f"Polis export ({loaded.kind}): {Path(folder).name}"[:300],
            groups_hint=votes.groups_hint,
            is_open=False,
            allow_submissions=False,
        )
        tids = sorted(set(loaded.statements) | {int(t) for t in np.unique(votes.tids)})
        statements = []
        for tid in tids:
            s = loaded.statements.get(tid)
            moderation = Moderation.ACCEPTED
            if s is not None and s.is_meta:
                moderation = Moderation.META
            elif s is not None and s.moderated == -1:
                moderation = Moderation.REJECTED
            statements.append(
                Statement(
                    conversation=conversation,
                    number=tid,
                    text_en=(s.text if s else "")[:2000],
                    moderation=moderation,
                    is_seed=False,
                )
            )
        Statement.objects.bulk_create(statements, batch_size=BATCH)
        audit.log_rows(Statement, [s.pk for s in statements], Action.CREATE)
        progress(_("%(n)d statements") % {"n": len(statements)})
        pids = [int(p) for p in np.unique(votes.pids)]
        Participant.objects.bulk_create(
            [
                Participant(
                    conversation=conversation,
                    number=p,
                    external_id=str(p),
                    channel=Participant.Channel.IMPORT,
                )
                for p in pids
            ],
            batch_size=BATCH,
        )
        progress(_("%(n)d participants") % {"n": len(pids)})
        participant_ids = dict(conversation.participants.values_list("number", "id"))
        statement_ids = dict(conversation.statements.values_list("number", "id"))
        total = len(votes.pids)
        for start in range(0, total, BATCH):
            end = min(total, start + BATCH)
            created = Vote.objects.bulk_create(
                [
                    Vote(
                        conversation=conversation,
                        participant_id=participant_ids[int(p)],
                        statement_id=statement_ids[int(t)],
                        value=int(v),
                    )
                    for p, t, v in zip(
                        votes.pids[start:end], votes.tids[start:end], votes.values[start:end], strict=True
                    )
                ]
            )
            audit.log_rows(Vote, [v.pk for v in created], Action.CREATE)
            progress(_("votes: %(done)d / %(total)d") % {"done": end, "total": total})
    from sauti.opinions.actions import analysis_payload, do_recompute, input_fingerprint

    progress(_("computing the opinion map ..."))
    if votes.events is None:
        do_recompute(conversation, force=True)
        return conversation
    # Timestamped votes: replay Polis' updates so the map starts where Polis' own was; later updates go on
    # from it (the stored state) and a recomputation of the same votes changes nothing (the fingerprint).
    try:
        result = replay(
            votes,
            groups=votes.groups_hint,
            progress=lambda i, n: (
                progress(_("replaying Polis' updates: %(i)d / %(n)d") % {"i": i, "n": n})
                if i == n or i % 25 == 0
                else None
            ),
        )
    except NotEnoughData:
        do_recompute(conversation, force=True)
        return conversation
    Analysis.objects.update_or_create(
        conversation=conversation,
        defaults={
            "result": analysis_payload(result, input_fingerprint(conversation)[1]),
            "error": "",
            "computed_at": timezone.now(),
            "votes_counted": len(votes.pids),
        },
    )
    return conversation
