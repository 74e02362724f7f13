# The evidence app's models move to sauti.audit (the chain) and sauti.people (log-in hardening). Only the
# migration state changes here: the tables stay, under their evidence_* names (the models' db_table), and
# audit 0001 / people 0005 take them over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0002_odk_passwords_signed_heads'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='AuditEntry'),
                migrations.DeleteModel(name='ChainHead'),
                migrations.DeleteModel(name='Anchor'),
                migrations.DeleteModel(name='SignedHead'),
                migrations.DeleteModel(name='OrganisationKey'),
                migrations.DeleteModel(name='LoginFailure'),
                migrations.DeleteModel(name='TOTPDevice'),
                migrations.DeleteModel(name='RecoveryCode'),
                migrations.DeleteModel(name='OdkPassword'),
            ],
            database_operations=[],
        ),
    ]
