"""`motcua backup` / `motcua restore`: a backup restored into an empty instance has
every dossier, file and audit entry, and the audit chain still verifies; a damaged or
tampered archive is refused before anything is written."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.audit import verify_chain
from motcua.core.backup import BackupError, restore_backup
from motcua.core.models import AuditEntry
from motcua.core.testing.fixtures import assign_dossier, receive_dossier
from motcua.documents.models import StoredFile
from motcua.documents.services import stored_file_create
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from tests.dossiers.conftest import MONDAY

PDF = b"%PDF-1.4\n% Giay khai sinh - ban sao\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

COUNT_SCRIPT = """
import hashlib, json
from motcua.core.models import AuditEntry
from motcua.documents.models import StoredFile
from motcua.documents.storage import read_bytes
from motcua.dossiers.models import Dossier, DossierEvent
files_ok = all(
    hashlib.sha256(read_bytes(f.storage_name)).hexdigest() == f.sha256
    for f in StoredFile.objects.all()
)
print(json.dumps({
    "dossiers": sorted(
        [d.code or "", d.status, d.version] for d in Dossier.objects.all()
    ),
    "events": DossierEvent.objects.count(),
    "files": sorted(StoredFile.objects.values_list("sha256", flat=True)),
    "files_ok": files_ok,
    "audit": AuditEntry.objects.count(),
}))
"""


@pytest.fixture
def populated(personas, staff, version, media):
    """Two dossiers moved through several transitions, one stored document."""
    first = services.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
        components=[
            services.ComponentInput(component=c, files=[{"name": f"{c.code}.pdf"}])
            for c in version.components.all()
        ],
        now=MONDAY,
    )
    first = receive_dossier(first, receptionist=personas.receptionist_x, now=MONDAY)
    first = assign_dossier(first, leader=personas.leader_x, assignee=staff.specialist_x, now=MONDAY)
    services.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Trần Thị Út"},
        components=[services.ComponentInput(component=c) for c in version.components.all()],
        now=MONDAY,
    )
    stored = stored_file_create(
        data=PDF,
        original_name="giay-chung-sinh.pdf",
        actor=personas.citizen_a,
        owner=personas.citizen_a,
        trusted=True,
    )
    assert verify_chain().ok
    return {
        "dossiers": sorted([d.code or "", d.status, d.version] for d in Dossier.objects.all()),
        "events": DossierEvent.objects.count(),
        "files": [stored.sha256],
        "audit": AuditEntry.objects.count(),
    }


def _fresh_instance(tmp_path: Path, run_motcua, name: str, empty_database) -> dict[str, str]:
    env = {
        "DATABASE_URL": empty_database(name),
        "MOTCUA_MEDIA_ROOT": str(tmp_path / f"{name}-media"),
        "MOTCUA_PKI_DIR": str(tmp_path / f"{name}-pki"),
    }
    done = run_motcua("migrate", "--noinput", "-v0", env=env)
    assert done.returncode == 0, done.stderr
    return env


def test_restore_into_empty_instance_finds_every_dossier_file_and_audit_entry(
    populated, tmp_path, run_motcua, empty_database
):
    archive = tmp_path / "motcua.tar.gz"
    call_command("backup", "--out", str(archive), stdout=io.StringIO())

    env = _fresh_instance(tmp_path, run_motcua, "restored", empty_database)
    done = run_motcua("restore", str(archive), env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "audit chain" in done.stdout

    counted = run_motcua("shell", "-c", COUNT_SCRIPT, env=env)
    assert counted.returncode == 0, counted.stderr
    found = json.loads(counted.stdout.strip().splitlines()[-1])
    assert found["dossiers"] == populated["dossiers"]
    assert found["events"] == populated["events"]
    assert found["files"] == populated["files"]
    assert found["files_ok"] is True
    assert found["audit"] == populated["audit"]

    verified = run_motcua("audit_verify", env=env)
    assert verified.returncode == 0, verified.stderr
    assert f"OK: {populated['audit']} entries" in verified.stdout

    # The restored instance keeps working: a second restore is refused (not empty).
    again = run_motcua("restore", str(archive), env=env)
    assert again.returncode != 0
    assert "trống" in again.stderr


def _rewrite(archive: Path, out: Path, edit) -> None:
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            data = edit(member.name, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_tampered_or_corrupt_archive_is_refused_before_writing(populated, tmp_path, db):
    archive = tmp_path / "motcua.tar.gz"
    call_command("backup", "--out", str(archive), stdout=io.StringIO())

    # A changed document byte.
    def flip_document(name, data):
        return data.replace(b"Giay", b"Giat") if name.startswith("files/documents/") else data

    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(archive, tampered, flip_document)
    with pytest.raises(BackupError, match="SHA-256"):
        restore_backup(tampered)

    # Database JSON edited and the manifest recomputed to match: the document row
    # then names a hash that the file in the archive does not have.
    def forge(name, data):
        if name == "db/data.json":
            rows = json.loads(data)
            for row in rows:
                if row["model"] == "documents.storedfile":
                    row["fields"]["sha256"] = "f" * 64
            return json.dumps(rows).encode()
        return data

    forged = tmp_path / "forged.tar.gz"
    _rewrite(archive, forged, forge)
    with tarfile.open(forged, "r:gz") as tar:
        blob = tar.extractfile("db/data.json").read()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    manifest["members"]["db/data.json"] = {
        "sha256": hashlib.sha256(blob).hexdigest(),
        "size": len(blob),
    }
    reforged = tmp_path / "reforged.tar.gz"
    _rewrite(
        forged,
        reforged,
        lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data,
    )
    with pytest.raises(BackupError):
        restore_backup(reforged)

    # Truncated archive.
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError):
        call_command("restore", str(truncated), stdout=io.StringIO())
    # Nothing was written by any of the refused restores (the test DB is not empty,
    # so a real load would also have been refused: the refusals came first).
    assert StoredFile.objects.count() == 1


def test_restore_refuses_a_database_that_is_not_empty(populated, tmp_path):
    archive = tmp_path / "motcua.tar.gz"
    call_command("backup", "--out", str(archive), stdout=io.StringIO())
    with pytest.raises(BackupError, match="trống"):
        restore_backup(archive)
