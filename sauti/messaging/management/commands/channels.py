"""`sauti channels add <africastalking|twilio|dev> --name N --organisation SLUG [...]`, `sauti channels list`
and `sauti channels sweep` (catch-up for stranded messages and due retries; `sauti worker` runs it every minute).

`add` prints JSON: {"id", "kind", "name", "organisation", "callbacks": {"incoming", "delivery", "ussd", ...}}
with absolute URLs built from SAUTI_PUBLIC_URL (a contract: deployment scripts read it).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sauti.messaging.actions import do_create_channel, do_sweep
from sauti.messaging.models import Channel, ChannelKind
from sauti.messaging.urls_webhooks import callback_urls
from sauti.people.models import Organisation


class Command(BaseCommand):
    help = "Create and list SMS/USSD channels; `add` prints the callback URLs to give the provider."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="{add,list}", required=True)
        add = sub.add_parser("add", help="Create a channel and print its callback URLs as JSON.")
        add.add_argument("kind", choices=[k.value for k in ChannelKind])
        add.add_argument("--name", required=True)
        add.add_argument("--organisation", help="Organisation slug (needed when there are several).")
        add.add_argument(
            "--username", default="", help="Africa's Talking username ('sandbox' for the sandbox)."
        )
        add.add_argument("--api-key", default="", help="Africa's Talking API key.")
        add.add_argument("--account-sid", default="", help="Twilio account SID.")
        add.add_argument("--auth-token", default="", help="Twilio auth token.")
        add.add_argument("--shortcode", default="", help="Short code, sender id or Twilio number.")
        add.add_argument("--ussd-code", default="", help="USSD service code, e.g. *384*1234#.")
        add.add_argument("--base-url", default="", help="Provider API base URL (tests, staging).")
        add.add_argument("--price", default="0.80", help="Price of one SMS part (cost estimates).")
        sub.add_parser("list", help="Print every channel and its callback URLs as JSON.")
        sub.add_parser(
            "sweep",
            help="Process inbound messages left waiting (a lost task) and send due outbox messages; for cron.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            processed, sent = do_sweep()
            self.stdout.write(json.dumps({"inbound_processed": processed, "outbound_sent": sent}))
            return
        if options["action"] == "list":
            out = [_describe(c) for c in Channel.objects.select_related("organisation")]
            self.stdout.write(json.dumps(out, indent=2))
            return
        org = _organisation(options["organisation"])
        kind = options["kind"]
        if kind == ChannelKind.AFRICASTALKING and not (options["username"] and options["api_key"]):
            raise CommandError(_("Africa's Talking needs --username and --api-key."))
        if kind == ChannelKind.TWILIO and not (
            options["account_sid"] and options["auth_token"] and options["shortcode"]
        ):
            raise CommandError(
                _("Twilio needs --account-sid, --auth-token and --shortcode (the sending number).")
            )
        try:
            price = Decimal(options["price"])
        except InvalidOperation:
            raise CommandError(_("--price must be a number, e.g. 0.80.")) from None
        if not price.is_finite() or price < 0:
            raise CommandError(_("--price must be a number, e.g. 0.80."))
        base_url = options["base_url"]
        if base_url and not base_url.startswith(("http://", "https://")):
            raise CommandError(_("--base-url must start with http:// or https://."))
        credentials = {
            ChannelKind.AFRICASTALKING: {"username": options["username"], "api_key": options["api_key"]},
            ChannelKind.TWILIO: {"account_sid": options["account_sid"], "auth_token": options["auth_token"]},
            ChannelKind.DEV: {},
        }[ChannelKind(kind)]
        channel = Channel(
            kind=kind,
            name=options["name"][:80],
            address=options["shortcode"],
            ussd_code=options["ussd_code"],
            base_url=base_url,
            price_per_segment=price,
        )
        try:
            with transaction.atomic():
                do_create_channel(org, channel, credentials)
        except IntegrityError:
            raise CommandError(
                _("%(org)s already has a channel named “%(name)s”.") % {"org": org.slug, "name": channel.name}
            ) from None
        self.stdout.write(json.dumps(_describe(channel), indent=2))


def _organisation(slug: str | None) -> Organisation:
    if slug:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(_("No organisation with the short name “%(slug)s”.") % {"slug": slug})
        return org
    orgs = list(Organisation.objects.all()[:2])
    if len(orgs) != 1:
        raise CommandError(_("Say which organisation with --organisation <short name>."))
    return orgs[0]


def _describe(channel: Channel) -> dict[str, object]:
    return {
        "id": channel.pk,
        "kind": channel.kind,
        "name": channel.name,
        "organisation": channel.organisation.slug,
        "callbacks": callback_urls(channel),
        **callback_urls(channel),
    }
