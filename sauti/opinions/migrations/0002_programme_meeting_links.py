"""Replace the free-text `attached_to` ("dialogues.Programme:<pk>" / "dialogues.Meeting:<pk>") with real,
optional links to a dialogue programme and meeting."""

import re
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

_REF = re.compile(r"\s*dialogues\.(Programme|Meeting):(\d+)\s*", re.IGNORECASE)


def links_from_text(apps: Any, schema_editor: Any) -> None:
    Conversation = apps.get_model("opinions", "Conversation")
    Programme = apps.get_model("dialogues", "Programme")
    Meeting = apps.get_model("dialogues", "Meeting")
    for conversation in Conversation.objects.exclude(attached_to=""):
        match = _REF.fullmatch(conversation.attached_to)
        if match is None:
            continue
        pk = int(match.group(2))
        if match.group(1).lower() == "programme":
            programme = Programme.objects.filter(pk=pk, organisation_id=conversation.organisation_id).first()
            if programme is not None:
                conversation.programme = programme
        else:
            meeting = (
                Meeting.objects.select_related("programme")
                .filter(pk=pk, programme__organisation_id=conversation.organisation_id)
                .first()
            )
            if meeting is not None:
                conversation.meeting = meeting
                conversation.programme = meeting.programme
        conversation.save(update_fields=["programme", "meeting"])


def text_from_links(apps: Any, schema_editor: Any) -> None:
    Conversation = apps.get_model("opinions", "Conversation")
    for conversation in Conversation.objects.exclude(programme=None, meeting=None):
        if conversation.meeting_id is not None:
            conversation.attached_to = f"dialogues.Meeting:{conversation.meeting_id}"
        else:
            conversation.attached_to = f"dialogues.Programme:{conversation.programme_id}"
        conversation.save(update_fields=["attached_to"])


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0002_notification_queued"),
        ("opinions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="opinion_conversations",
                to="dialogues.programme",
                verbose_name="programme",
            ),
        ),
        migrations.AddField(
            model_name="conversation",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="opinion_conversations",
                to="dialogues.meeting",
                verbose_name="meeting",
            ),
        ),
        migrations.RunPython(links_from_text, text_from_links),
        migrations.RemoveField(model_name="conversation", name="attached_to"),
    ]
