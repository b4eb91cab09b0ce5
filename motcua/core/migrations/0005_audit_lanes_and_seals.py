"""Audit chain lanes and the province seal chain (docs/audit.md).

Until now every audited write locked the single chain-head row, serialising the whole
province. Entries now go to one of AUDIT_LANES lanes (head rows 1..16), each a hash
chain of its own, and `core.AuditSeal` chains the lanes' tips together. The chain
written so far becomes chain 0 (entries keep `chain`/`position` empty and their hashes;
its tip moves from head row 1 to head row 0). On PostgreSQL `sequence` comes from a
database sequence, taken while the lane is locked, so no row is shared by all writers.
Nothing here updates an audit entry.
"""

from django.db import migrations, models

LANES = 16  # motcua.core.audit.AUDIT_LANES at the time of this migration
GENESIS = "0" * 64

PG_SEQUENCE = """
CREATE SEQUENCE IF NOT EXISTS core_auditentry_sequence_seq AS bigint;
SELECT setval(
    'core_auditentry_sequence_seq',
    (SELECT COALESCE(MAX(sequence), 0) + 1 FROM core_auditentry),
    false
);
"""
PG_SEQUENCE_BACKWARD = "DROP SEQUENCE IF EXISTS core_auditentry_sequence_seq;"
PG_SEAL_TRIGGER = """
CREATE TRIGGER core_auditseal_append_only
    BEFORE UPDATE OR DELETE ON core_auditseal
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
PG_SEAL_TRIGGER_BACKWARD = "DROP TRIGGER IF EXISTS core_auditseal_append_only ON core_auditseal;"
SQLITE_SEAL_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_auditseal_no_update
BEFORE UPDATE ON core_auditseal
BEGIN
    SELECT RAISE(ABORT, 'core_auditseal is append-only (UPDATE rejected)');
END;
"""
SQLITE_SEAL_TRIGGER_BACKWARD = "DROP TRIGGER IF EXISTS core_auditseal_no_update;"


def lanes_forward(apps, schema_editor):
    Head = apps.get_model("core", "AuditChainHead")
    old = Head.objects.filter(pk=1).first()
    Head.objects.update_or_create(
        pk=0,
        defaults={
            "last_position": old.last_position if old else 0,
            "last_hash": old.last_hash if old else GENESIS,
        },
    )
    Head.objects.filter(pk=1).update(last_position=0, last_hash=GENESIS)
    existing = set(Head.objects.values_list("pk", flat=True))
    Head.objects.bulk_create(
        [
            Head(pk=lane, last_position=0, last_hash=GENESIS)
            for lane in range(1, LANES + 1)
            if lane not in existing
        ]
    )


def lanes_backward(apps, schema_editor):
    Head = apps.get_model("core", "AuditChainHead")
    Entry = apps.get_model("core", "AuditEntry")
    if Entry.objects.filter(chain__isnull=False).exists():
        raise RuntimeError("audit entries were written to lanes: cannot go back to one chain")
    legacy = Head.objects.filter(pk=0).first()
    Head.objects.filter(pk=1).update(
        last_position=legacy.last_position if legacy else 0,
        last_hash=legacy.last_hash if legacy else GENESIS,
    )
    Head.objects.exclude(pk=1).delete()


def db_forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SEQUENCE)
        schema_editor.execute(PG_SEAL_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_SEAL_TRIGGER)


def db_backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_SEAL_TRIGGER_BACKWARD)
        schema_editor.execute(PG_SEQUENCE_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_SEAL_TRIGGER_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_verification_anchor")]

    operations = [
        migrations.RenameField(
            model_name="auditchainhead", old_name="last_sequence", new_name="last_position"
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="chuỗi"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="position",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="vị trí trong chuỗi"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(chain__isnull=False),
                fields=("chain", "position"),
                name="core_auditentry_chain_position",
            ),
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(unique=True, verbose_name="số niêm phong")),
                ("sealed_at", models.DateTimeField(verbose_name="thời điểm")),
                ("heads", models.JSONField(verbose_name="đầu các chuỗi")),
                ("prev_hash", models.CharField(max_length=64)),
                ("seal_hash", models.CharField(max_length=64, unique=True)),
            ],
            options={
                "verbose_name": "niêm phong nhật ký",
                "verbose_name_plural": "niêm phong nhật ký",
                "ordering": ["-number"],
            },
        ),
        migrations.AddField(
            model_name="auditverification",
            name="seal_number",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="số niêm phong"),
        ),
        migrations.RunPython(lanes_forward, lanes_backward),
        migrations.RunPython(db_forward, db_backward),
    ]
