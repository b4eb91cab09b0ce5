"""Personal data export for a citizen (data subject access), docs/operations/backup.md.

Decree 13/2023/ND-CP on personal data protection, Art. 9(1)(e) and Art. 14: the data
subject may obtain a copy of their personal data. The export gathers, by model
introspection, every row of every model that points to the user through a foreign key
(dossiers, drafts, events they made, payments, notifications, feedback, files they own
…) plus the user's own account row, and the bytes of the files they own.

Secrets (password hash, OTP keys, tokens: see motcua.core.audit.is_secret_key) are never
exported. Each export is recorded in the audit log.

Deletion is NOT automated here: records of administrative procedures must be kept for
their retention period (Decree 61/2018/ND-CP Art. 27; Law 33/2024/QH15 on archives), an
exception that Decree 13/2023 Art. 16(3) allows. `erasure_assessment()` tells an
operator what is held and why it cannot (yet) be erased.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from motcua.core.audit import audit_record, is_secret_key

EXPORT_FORMAT_VERSION = 1
# Models whose rows are about the system, not the person (or hold secrets only).
SKIPPED = frozenset(
    {
        "core.auditentry",  # exported separately, restricted to entries about the user
        "otp_totp.totpdevice",
        "otp_static.staticdevice",
        "otp_static.statictoken",
        "sessions.session",
        "django_tasks_db.dbtaskresult",
    }
)


def _row(obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if is_secret_key(field.attname) or is_secret_key(field.name):
            continue
        data[field.attname] = field.value_from_object(obj)
    return data


def _user_links() -> list[tuple[type[models.Model], str]]:
    user_model = get_user_model()
    links = []
    for model in apps.get_models():
        if model._meta.label_lower in SKIPPED or model is user_model:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                links.append((model, field.name))
    return links


def collect(user: Any) -> dict[str, list[dict[str, Any]]]:
    """{model label: [rows]} of everything pointing to `user`, plus the account."""
    from motcua.core.models import AuditEntry

    out: dict[str, list[dict[str, Any]]] = {
        user._meta.label_lower: [_row(user)],
    }
    seen: set[tuple[str, Any]] = set()
    for model, field_name in _user_links():
        label = model._meta.label_lower
        for obj in model._base_manager.filter(**{field_name: user}).order_by("pk"):
            if (label, obj.pk) in seen:
                continue
            seen.add((label, obj.pk))
            out.setdefault(label, []).append(_row(obj))
    out["core.auditentry"] = [
        _row(e) for e in AuditEntry.objects.filter(actor=user).order_by("sequence")
    ]
    return out


def export_personal_data(*, user: Any, actor: Any = None) -> bytes:
    """A ZIP: data.json (rows by model), files/<sha256>-<name> (files the user owns),
    manifest.json (format, time, SHA-256 of each member)."""
    from motcua.documents.models import StoredFile
    from motcua.documents.storage import read_bytes

    data = collect(user)
    buffer = io.BytesIO()
    digests: dict[str, str] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        raw = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()
        archive.writestr("data.json", raw)
        digests["data.json"] = hashlib.sha256(raw).hexdigest()
        for stored in StoredFile.objects.filter(owner=user).order_by("created_at"):
            name = f"files/{stored.sha256[:16]}-{stored.original_name}"
            blob = read_bytes(stored.storage_name)
            archive.writestr(name, blob)
            digests[name] = hashlib.sha256(blob).hexdigest()
        manifest = {
            "format_version": EXPORT_FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "subject": user.get_username(),
            "members": digests,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    audit_record(
        action="privacy.personal_data_export",
        actor=actor,
        obj=user,
        after={"models": {k: len(v) for k, v in data.items()}, "files": len(digests) - 1},
    )
    return buffer.getvalue()


def erasure_assessment(user: Any) -> dict[str, int]:
    """What is held about `user`, by model (an operator's input for a deletion request;
    rows tied to dossiers fall under the retention of procedure records)."""
    return {label: len(rows) for label, rows in collect(user).items() if rows}
