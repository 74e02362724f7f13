"""Background tasks (run by `sauti worker`). They take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from sauti.messaging import actions


@task()
def process_inbound(message_id: int) -> str:
    message = actions.do_process_inbound(message_id)
    return message.status if message is not None else "already claimed"


@task()
def send_outbound(message_id: int) -> str:
    message = actions.do_send(message_id)
    return message.status if message is not None else "not due or already claimed"


@task()
def send_due() -> int:
    return actions.do_send_due()
