"""Drop single-column indexes that a composite index already leads with (issue 11).

Dossier: applicant, assignee, competent_unit, receiving_unit (each leads one or two of
the Meta indexes) and the LIKE index PostgreSQL adds to `status` (no query uses LIKE on
a status); DossierEvent: dossier (led by (dossier, at)). At 10 M dossiers they are about
1 GB of indexes that every insert and status change also had to write.

Only the indexes are dropped (DROP INDEX): the autodetector's AlterField would drop and
re-create the foreign-key constraints too, re-validating every row of the largest tables
under an exclusive lock. The state operations keep Django's model state in step.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_REDUNDANT = [
    ("Dossier", "applicant_id"),
    ("Dossier", "assignee_id"),
    ("Dossier", "competent_unit_id"),
    ("Dossier", "receiving_unit_id"),
    ("Dossier", "status"),
    ("DossierEvent", "dossier_id"),
]


def _single_column_indexes(schema_editor, model, column):  # type: ignore[no-untyped-def]
    return schema_editor._constraint_names(
        model, [column], index=True, unique=False, primary_key=False
    )


def drop_redundant_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    for model_name, column in _REDUNDANT:
        model = apps.get_model("dossiers", model_name)
        for name in _single_column_indexes(schema_editor, model, column):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def restore_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    for model_name, column in _REDUNDANT:
        model = apps.get_model("dossiers", model_name)
        field = next(f for f in model._meta.concrete_fields if f.column == column)
        if not _single_column_indexes(schema_editor, model, column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_fee_copies_field"),
        ("dossiers", "0003_worklist_indexes"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_redundant_indexes, restore_indexes),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="applicant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dossiers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người nộp",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_dossiers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="chuyên viên xử lý",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="competent_unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="competent_dossiers",
                        to="org.orgunit",
                        verbose_name="cơ quan giải quyết",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="receiving_unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="received_dossiers",
                        to="org.orgunit",
                        verbose_name="đơn vị tiếp nhận",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("draft", "Nháp"),
                            ("submitted", "Chờ tiếp nhận"),
                            ("returned_for_completion", "Hướng dẫn bổ sung khi tiếp nhận"),
                            ("rejected_at_reception", "Từ chối tiếp nhận"),
                            ("received", "Đã tiếp nhận, chờ phân công"),
                            ("in_process", "Đang xử lý"),
                            ("in_consultation", "Đang lấy ý kiến"),
                            ("supplement_requested", "Chờ bổ sung hồ sơ"),
                            ("payment_requested", "Chờ thực hiện nghĩa vụ tài chính"),
                            ("awaiting_approval", "Chờ lãnh đạo phê duyệt"),
                            ("approved", "Đã phê duyệt, chờ ban hành"),
                            ("resolved", "Đã có kết quả, chờ trả"),
                            ("result_returned", "Đã trả kết quả"),
                            ("withdrawn", "Đã rút hồ sơ"),
                            ("refused", "Dừng xử lý / từ chối giải quyết"),
                        ],
                        default="draft",
                        max_length=32,
                        verbose_name="trạng thái",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierevent",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="dossiers.dossier",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["status"], name="dossier_status"),
        ),
    ]
