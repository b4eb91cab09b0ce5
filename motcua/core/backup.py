"""Consistent backup and restore of one Motcua instance (docs/operations/backup.md).

An archive is a gzip-compressed tar holding:

* ``manifest.json``: format version, creation time, database vendor, the applied
  Django migrations, per-model row counts and the SHA-256 and size of every other
  member of the archive;
* ``db/data.json``: every row of every application model, in Django's serialization
  format (``dumpdata`` style), models in dependency order, content types by natural
  key so it loads into any freshly migrated database (SQLite or PostgreSQL);
* ``files/documents/<storage name>``: the bytes of every ``StoredFile`` of the
  snapshot, read through the documents storage (local disk or object storage);
* ``files/media/...``: anything else under ``MEDIA_ROOT``;
* ``files/pki/...``: the demo/provincial PKI directory (``MOTCUA_PKI_DIR``).

The database is read in ONE read transaction (REPEATABLE READ, READ ONLY on
PostgreSQL; a single deferred transaction on SQLite), so the dump is a snapshot.
Document files are immutable and content-addressed, so copying the files that the
snapshot's ``StoredFile`` rows name, after the dump, gives a consistent pair.

Restore refuses to write anything until every member's checksum matches the manifest
and every document's bytes match the SHA-256 recorded in its ``StoredFile`` row; it
loads only into an empty, migrated database and finishes by verifying the audit
chain inside the loading transaction (a broken chain rolls everything back).

Keeping the records of administrative procedures safe and recoverable: Decree
61/2018/ND-CP Art. 27 and Decree 42/2022/ND-CP Art. 42 (information security of online
public services); Law 24/2018/QH14 on cybersecurity for the operating requirements.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.base import File
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_MEMBER = "db/data.json"
DOCUMENTS_PREFIX = "files/documents/"
MEDIA_PREFIX = "files/media/"
PKI_PREFIX = "files/pki/"
CHUNK = 1024 * 1024

# Rows that every `migrate` creates itself: never dumped, resolved by natural key.
EXCLUDED_MODELS = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to milliseconds; the audit chain hashes the
    exact microseconds, so a backup must keep them."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message is for the operator."""


@dataclass
class RestoreReport:
    rows: int = 0
    files: int = 0
    audit_entries: int = 0
    audit_head: str = ""
    per_model: dict[str, int] = field(default_factory=dict)


# --- Helpers -------------------------------------------------------------------------


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def backup_models() -> list[type[models.Model]]:
    """Every concrete, managed model worth keeping, in dependency order."""
    app_list: dict[Any, list[type[models.Model]]] = {}
    for config in apps.get_app_configs():
        chosen = [
            m
            for m in config.get_models()
            if m._meta.managed and not m._meta.proxy and _label(m) not in EXCLUDED_MODELS
        ]
        if chosen:
            app_list[config] = chosen
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _chunks(handle: Any) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(root: Path, skip: Path | None = None) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        current = Path(dirpath)
        if skip is not None and (current == skip or skip in current.parents):
            dirnames[:] = []
            continue
        dirnames.sort()
        for name in sorted(filenames):
            path = current / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _document_storage_is_local_media() -> bool:
    return "documents" not in settings.STORAGES


@contextlib.contextmanager
def _read_snapshot(using: str) -> Iterator[None]:
    """One read transaction for the whole dump (a point-in-time view of the data)."""
    connection = connections[using]
    if connection.in_atomic_block:
        # Already inside the caller's transaction (tests, a wrapping job): use it.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Not transaction.atomic(): the project runs SQLite with BEGIN IMMEDIATE, which
        # would block every writer for the duration of the dump. A deferred BEGIN takes
        # a WAL read snapshot at the first SELECT and lets writers go on.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic(using=using):
            yield


# --- Backup ----------------------------------------------------------------------------


def _add_member(tar: tarfile.TarFile, name: str, path: Path) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as handle:
        tar.addfile(info, handle)


def _add_stream(tar: tarfile.TarFile, name: str, handle: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, handle)


def create_backup(
    out: str | Path,
    *,
    using: str = DEFAULT_DB_ALIAS,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Write the archive to `out` (atomically: temporary file then rename); return
    the manifest."""
    from motcua.documents.models import StoredFile
    from motcua.documents.storage import document_storage

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    members: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    created_at = dt.datetime.now(dt.UTC).isoformat()

    with tempfile.TemporaryDirectory(prefix="motcua-backup-") as workdir:
        data_path = Path(workdir) / "data.json"
        storage_names: list[tuple[str, str]] = []
        with _read_snapshot(using):
            chosen = backup_models()

            def objects() -> Iterator[models.Model]:
                for model in chosen:
                    qs = model._base_manager.using(using).order_by(model._meta.pk.name)
                    n = 0
                    for obj in qs.iterator(chunk_size=2000):
                        n += 1
                        yield obj
                    counts[_label(model)] = n

            with data_path.open("w", encoding="utf-8") as stream:
                serializers.serialize(
                    "json",
                    objects(),
                    stream=stream,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=False,
                    ensure_ascii=False,
                    cls=FullPrecisionEncoder,
                )
            storage_names = list(
                StoredFile.objects.using(using)
                .order_by("storage_name")
                .values_list("storage_name", "sha256")
            )
            migrations_state = applied_migrations(using)
        log(f"database: {sum(counts.values())} rows from {len(counts)} models")

        tmp_out = out.with_name(out.name + ".partial")
        with tarfile.open(tmp_out, "w:gz", compresslevel=6) as tar:
            members[DATA_MEMBER] = {
                "sha256": _sha256_file(data_path),
                "size": data_path.stat().st_size,
            }
            _add_member(tar, DATA_MEMBER, data_path)

            storage = document_storage()
            missing: list[str] = []
            for name, expected in storage_names:
                try:
                    handle = storage.open(name, "rb")
                except (FileNotFoundError, OSError):
                    missing.append(name)
                    continue
                with handle, tempfile.TemporaryFile(dir=workdir) as spool:
                    digest = hashlib.sha256()
                    size = 0
                    for chunk in _chunks(handle):
                        digest.update(chunk)
                        spool.write(chunk)
                        size += len(chunk)
                    if digest.hexdigest() != expected:
                        raise BackupError(
                            _("Tệp %(name)s trong kho lưu trữ không khớp mã băm đã ghi nhận.")
                            % {"name": name}
                        )
                    spool.seek(0)
                    arcname = DOCUMENTS_PREFIX + name
                    _add_stream(tar, arcname, spool, size)
                    members[arcname] = {"sha256": expected, "size": size}
            if missing:
                raise BackupError(
                    _("Thiếu %(n)d tệp trong kho lưu trữ (ví dụ: %(name)s); không tạo bản sao lưu.")
                    % {"n": len(missing), "name": missing[0]}
                )

            media_root = Path(settings.MEDIA_ROOT)
            skip = media_root / "documents" if _document_storage_is_local_media() else None
            extra_roots = [(MEDIA_PREFIX, media_root, skip)]
            pki_dir = getattr(settings, "MOTCUA_PKI_DIR", "")
            if pki_dir:
                extra_roots.append((PKI_PREFIX, Path(pki_dir), None))
            for prefix, root, skip_dir in extra_roots:
                for rel, path in _walk(root, skip_dir):
                    arcname = prefix + rel
                    if arcname in members:
                        continue
                    members[arcname] = {"sha256": _sha256_file(path), "size": path.stat().st_size}
                    _add_member(tar, arcname, path)

            manifest = {
                "format": "motcua-backup",
                "format_version": FORMAT_VERSION,
                "created_at": created_at,
                "database_vendor": connections[using].vendor,
                "migrations": migrations_state,
                "counts": counts,
                "documents": len(storage_names),
                "members": members,
            }
            raw = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add_stream(tar, MANIFEST, io.BytesIO(raw), len(raw))
        os.replace(tmp_out, out)
    log(f"files: {len(members) - 1}; archive: {out}")
    return manifest


# --- Restore ---------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError(_("Tệp không phải bản sao lưu Motcua (thiếu manifest.json).")) from None
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(_("manifest.json không đọc được."))
    try:
        manifest = json.loads(handle.read().decode("utf-8"))
    except ValueError:
        raise BackupError(_("manifest.json bị hỏng.")) from None
    if manifest.get("format") != "motcua-backup":
        raise BackupError(_("Tệp không phải bản sao lưu Motcua."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("Phiên bản định dạng %(v)s không được hỗ trợ.")
            % {"v": manifest.get("format_version")}
        )
    return manifest


def _safe_member_name(name: str) -> bool:
    parts = Path(name).parts
    return not (name.startswith("/") or ".." in parts or "\\" in name)


def verify_archive(path: str | Path, extract_to: Path) -> dict[str, Any]:
    """Extract every member to `extract_to` while hashing it; refuse on any mismatch,
    unknown, missing, duplicate or unsafe member. Nothing outside `extract_to` is
    written."""
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed by the `with` below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(_("Không mở được bản sao lưu: %(err)s") % {"err": exc}) from exc
    with tar:
        try:
            manifest = _read_manifest(tar)
            expected: dict[str, dict[str, Any]] = manifest.get("members", {})
            seen: set[str] = set()
            for member in tar:
                if member.name == MANIFEST:
                    continue
                if member.name in seen or not member.isfile():
                    raise BackupError(
                        _("Thành phần lạ trong bản sao lưu: %(n)s") % {"n": member.name}
                    )
                if member.name not in expected or not _safe_member_name(member.name):
                    raise BackupError(
                        _("Thành phần không có trong manifest: %(n)s") % {"n": member.name}
                    )
                seen.add(member.name)
                source = tar.extractfile(member)
                assert source is not None
                target = extract_to / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    for chunk in _chunks(source):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != expected[member.name]["sha256"]:
                    raise BackupError(
                        _("Sai mã băm SHA-256 của %(n)s: bản sao lưu bị hỏng hoặc bị sửa.")
                        % {"n": member.name}
                    )
        except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
            raise BackupError(_("Bản sao lưu bị hỏng: %(err)s") % {"err": exc}) from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(_("Thiếu thành phần trong bản sao lưu: %(n)s") % {"n": missing[0]})
    if DATA_MEMBER not in seen:
        raise BackupError(_("Bản sao lưu không có dữ liệu cơ sở dữ liệu."))
    return manifest


def _non_empty_tables(using: str) -> list[str]:
    from motcua.core.models import AuditChainHead

    busy = []
    for model in backup_models():
        qs = model._base_manager.using(using)
        if model is AuditChainHead:
            if qs.exclude(last_position=0).exists():
                busy.append(_label(model))
        elif qs.exists():
            busy.append(_label(model))
    return busy


def restore_backup(
    path: str | Path,
    *,
    using: str = DEFAULT_DB_ALIAS,
    log: Callable[[str], None] = lambda _msg: None,
) -> RestoreReport:
    """Verify, then load the archive into an empty migrated database and its storage."""
    from motcua.core.audit import resync_sequence, verify_chain
    from motcua.documents.storage import document_storage

    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="motcua-restore-") as workdir:
        root = Path(workdir)
        manifest = verify_archive(path, root)
        log(_("Đã kiểm tra mã băm của %(n)d thành phần.") % {"n": len(manifest["members"])})

        current = {tuple(m) for m in applied_migrations(using)}
        archived = {tuple(m) for m in manifest.get("migrations", [])}
        if not current:
            raise BackupError(
                _("Cơ sở dữ liệu đích chưa được tạo bảng: hãy chạy `motcua migrate`.")
            )
        lacking = sorted(archived - current)
        if lacking:
            raise BackupError(
                _(
                    "Cơ sở dữ liệu đích thiếu migration %(m)s của bản sao lưu: cập nhật mã "
                    "nguồn và chạy `motcua migrate` trước."
                )
                % {"m": ".".join(lacking[0])}
            )
        busy = _non_empty_tables(using)
        if busy:
            raise BackupError(
                _(
                    "Chỉ khôi phục vào cơ sở dữ liệu trống; bảng %(t)s đã có dữ liệu. "
                    "Tạo cơ sở dữ liệu mới và chạy `motcua migrate`."
                )
                % {"t": ", ".join(busy[:5])}
            )

        # Every document's bytes must equal the hash its StoredFile row records.
        data_path = root / DATA_MEMBER
        with data_path.open(encoding="utf-8") as handle:
            rows = json.load(handle)
        for row in rows:
            if row["model"] == "documents.storedfile":
                name = row["fields"]["storage_name"]
                member = manifest["members"].get(DOCUMENTS_PREFIX + name)
                if member is None or member["sha256"] != row["fields"]["sha256"]:
                    raise BackupError(
                        _("Tệp %(n)s của hồ sơ thiếu hoặc sai mã băm trong bản sao lưu.")
                        % {"n": name}
                    )
        del rows

        storage = document_storage()
        for arcname in sorted(manifest["members"]):
            if not arcname.startswith(DOCUMENTS_PREFIX):
                continue
            name = arcname[len(DOCUMENTS_PREFIX) :]
            if storage.exists(name):
                with storage.open(name, "rb") as existing:
                    digest = hashlib.sha256()
                    for chunk in _chunks(existing):
                        digest.update(chunk)
                if digest.hexdigest() != manifest["members"][arcname]["sha256"]:
                    raise BackupError(
                        _("Kho lưu trữ đích đã có tệp %(n)s với nội dung khác.") % {"n": name}
                    )
                continue
            with (root / arcname).open("rb") as src:
                saved = storage.save(name, File(src, name=name))
            if saved != name:
                raise BackupError(_("Kho lưu trữ đổi tên tệp %(n)s.") % {"n": name})
        report = RestoreReport()
        for prefix, target in (
            (MEDIA_PREFIX, Path(settings.MEDIA_ROOT)),
            (PKI_PREFIX, Path(getattr(settings, "MOTCUA_PKI_DIR", "") or "")),
        ):
            for arcname in manifest["members"]:
                if arcname.startswith(prefix) and str(target):
                    dest = target / arcname[len(prefix) :]
                    if dest.exists():
                        continue
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(root / arcname, dest)
                    report.files += 1
        report.files += manifest.get("documents", 0)

        touched: set[type[models.Model]] = set()
        with transaction.atomic(using=using):
            with data_path.open(encoding="utf-8") as handle:
                for obj in serializers.deserialize(
                    "json", handle, using=using, handle_forward_references=True
                ):
                    obj.save(using=using)
                    model = type(obj.object)
                    touched.add(model)
                    label = _label(model)
                    report.per_model[label] = report.per_model.get(label, 0) + 1
                    report.rows += 1
            statements = connection.ops.sequence_reset_sql(no_style(), list(touched))
            if statements:
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
            expected_counts = manifest.get("counts", {})
            for label, n in expected_counts.items():
                if report.per_model.get(label, 0) != n:
                    raise BackupError(
                        _("Số bản ghi %(m)s sau khôi phục (%(got)s) khác bản sao lưu (%(n)s).")
                        % {"m": label, "got": report.per_model.get(label, 0), "n": n}
                    )
            resync_sequence(using)
            result = verify_chain()
            if not result.ok:
                raise BackupError(
                    _("Chuỗi nhật ký không hợp lệ sau khôi phục: %(r)s") % {"r": result.reason}
                )
            report.audit_entries = result.count
            report.audit_head = result.head or f"{result.last_sequence}"
    return report
