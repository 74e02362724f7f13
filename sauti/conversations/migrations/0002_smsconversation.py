from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    """`Conversation` is `SmsConversation` (opinions has its own Conversation); rows, indexes and the
    table's data are kept (the table is renamed)."""

    dependencies = [
        ("conversations", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="Conversation", new_name="SmsConversation"),
        migrations.AlterField(
            model_name="smsconversation",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="sms_conversations",
                to="people.contact",
            ),
        ),
        migrations.AlterField(
            model_name="smsconversation",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sms_conversations",
                to="people.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="smsconversation",
            name="report",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="sms_conversations",
                to="monitoring.report",
            ),
        ),
    ]
