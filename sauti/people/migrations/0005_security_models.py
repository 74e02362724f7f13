# Log-in hardening's models, taken over from the evidence app with their tables (evidence_*): state only,
# no table is created, renamed or dropped. Their content types (and so permissions) follow them.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ['loginfailure', 'totpdevice', 'recoverycode', 'odkpassword']


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    taken = set(ContentType.objects.filter(app_label=target, model__in=MODELS).values_list('model', flat=True))
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'evidence', 'people')


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'people', 'evidence')


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('evidence', '0003_tables_to_audit_and_people'),
        ('people', '0004_merge_0002_organisation_area_0003_name_tokens'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LoginFailure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('username', models.CharField(max_length=160)),
                        ('ip', models.GenericIPAddressField(blank=True, null=True)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'verbose_name': 'failed log-in',
                        'verbose_name_plural': 'failed log-ins',
                        'db_table': 'evidence_loginfailure',
                        'indexes': [
                            models.Index(fields=['username', 'ip', 'at'], name='login_failure_lookup'),
                            models.Index(fields=['ip', 'at'], name='login_failure_address'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='TOTPDevice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('secret_ciphertext', models.TextField(editable=False)),
                        ('confirmed', models.BooleanField(default=False)),
                        ('last_step', models.BigIntegerField(default=0, help_text='Time step of the last code accepted')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='totp', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'authenticator',
                        'verbose_name_plural': 'authenticators',
                        'db_table': 'evidence_totpdevice',
                    },
                ),
                migrations.CreateModel(
                    name='RecoveryCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code_hash', models.CharField(max_length=64)),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recovery_codes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'recovery code',
                        'verbose_name_plural': 'recovery codes',
                        'db_table': 'evidence_recoverycode',
                    },
                ),
                migrations.CreateModel(
                    name='OdkPassword',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=80, verbose_name='device')),
                        ('password_hash', models.CharField(editable=False, max_length=128)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='odk_passwords', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ODK device password',
                        'verbose_name_plural': 'ODK device passwords',
                        'db_table': 'evidence_odkpassword',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
