"""Link the stored files of existing dossier components to their component row (issue
18): officers handling a dossier open its files through that link (documents.access,
dossiers.selectors.officer_file_policy). New components are linked on creation
(dossiers.files.link_component_files)."""

import uuid

from django.db import migrations

BATCH = 1000


def _file_ids(files):
    for ref in files or []:
        if not isinstance(ref, dict):
            continue
        raw = ref.get("stored_file") or ref.get("file_id") or ""
        if not raw and str(ref.get("ref") or "").startswith("documents:"):
            raw = str(ref["ref"]).removeprefix("documents:")
        try:
            yield uuid.UUID(str(raw))
        except ValueError:
            continue


def _flush(FileLink, StoredFile, kind, wanted):
    if not wanted:
        return
    present = dict(
        StoredFile.objects.filter(pk__in={f for f, _c in wanted}).values_list("pk", "kind")
    )
    existing = set(
        FileLink.objects.filter(
            content_type=kind, object_id__in={str(c.pk) for _f, c in wanted}
        ).values_list("file_id", "object_id")
    )
    FileLink.objects.bulk_create(
        FileLink(
            file_id=file_id,
            content_type=kind,
            object_id=str(c.pk),
            dossier_code=c.dossier.code or "",
            component_code=(c.component.code if c.component_id else "")[:64],
            digitized=c.digitized or present[file_id] == "digitized",
        )
        for file_id, c in wanted
        if file_id in present and (file_id, str(c.pk)) not in existing
    )


def link_files(apps, schema_editor):
    DossierComponent = apps.get_model("dossiers", "DossierComponent")
    FileLink = apps.get_model("documents", "FileLink")
    StoredFile = apps.get_model("documents", "StoredFile")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kind, _created = ContentType.objects.get_or_create(
        app_label="dossiers", model="dossiercomponent"
    )
    rows = (
        DossierComponent.objects.exclude(files=[])
        .filter(from_warehouse=False)
        .select_related("dossier", "component")
        .order_by("pk")
    )
    wanted = []
    for c in rows.iterator(chunk_size=BATCH):
        wanted.extend((file_id, c) for file_id in _file_ids(c.files))
        if len(wanted) >= BATCH:
            _flush(FileLink, StoredFile, kind, wanted)
            wanted = []
    _flush(FileLink, StoredFile, kind, wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("documents", "0001_initial"),
        ("dossiers", "0004_redundant_indexes"),
    ]

    operations = [migrations.RunPython(link_files, migrations.RunPython.noop)]
