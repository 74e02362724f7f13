# The audit chain's models, taken over from the evidence app with their tables (evidence_*): state only,
# no table is created, renamed or dropped. Their content types (and so permissions) follow them.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MODELS = ['auditentry', 'chainhead', 'anchor', 'signedhead', 'organisationkey']


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    taken = set(ContentType.objects.filter(app_label=target, model__in=MODELS).values_list('model', flat=True))
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'evidence', 'audit')


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'audit', 'evidence')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('evidence', '0003_tables_to_audit_and_people'),
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Anchor',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveBigIntegerField()),
                        ('hash', models.CharField(max_length=64)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('note', models.CharField(blank=True, max_length=200)),
                    ],
                    options={
                        'verbose_name': 'anchor',
                        'verbose_name_plural': 'anchors',
                        'db_table': 'evidence_anchor',
                        'ordering': ['-seq', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ChainHead',
                    fields=[
                        ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                        ('seq', models.PositiveBigIntegerField(default=0)),
                        ('hash', models.CharField(max_length=64)),
                    ],
                    options={
                        'verbose_name': 'chain head',
                        'db_table': 'evidence_chainhead',
                    },
                ),
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveBigIntegerField(unique=True)),
                        ('at', models.DateTimeField()),
                        ('actor', models.CharField(blank=True, help_text='Username, or empty for the system', max_length=150)),
                        ('actor_id', models.BigIntegerField(blank=True, null=True)),
                        ('action', models.CharField(choices=[('create', 'created'), ('update', 'updated'), ('delete', 'deleted'), ('export', 'exported'), ('erase', 'erased')], max_length=6)),
                        ('model', models.CharField(max_length=100)),
                        ('object_pk', models.CharField(max_length=64)),
                        ('data', models.TextField()),
                        ('data_hash', models.CharField(max_length=64)),
                        ('prev_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64)),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit entries',
                        'db_table': 'evidence_auditentry',
                        'ordering': ['seq'],
                        'indexes': [models.Index(fields=['model', 'object_pk', 'seq'], name='audit_object')],
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('public_key', models.CharField(help_text='Raw Ed25519 public key, hex', max_length=64)),
                        ('private_key_ciphertext', models.TextField(editable=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='signing_key', to='people.organisation')),
                    ],
                    options={
                        'verbose_name': 'organisation signing key',
                        'verbose_name_plural': 'organisation signing keys',
                        'db_table': 'evidence_organisationkey',
                    },
                ),
                migrations.CreateModel(
                    name='SignedHead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveBigIntegerField()),
                        ('hash', models.CharField(max_length=64)),
                        ('statement', models.TextField()),
                        ('signature', models.CharField(max_length=128)),
                        ('public_key', models.CharField(max_length=64)),
                        ('signed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('reason', models.CharField(default='schedule', max_length=20)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signed_heads', to='people.organisation')),
                    ],
                    options={
                        'verbose_name': 'signed chain head',
                        'verbose_name_plural': 'signed chain heads',
                        'db_table': 'evidence_signedhead',
                        'ordering': ['-signed_at', '-id'],
                        'indexes': [models.Index(fields=['organisation', '-signed_at'], name='signed_head_latest')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
