"""Personal data export: a citizen's export holds their dossiers and files, holds
nothing of another citizen, and never a secret."""

from __future__ import annotations

import io
import json
import zipfile

from motcua.core.models import AuditEntry
from motcua.core.privacy import export_personal_data
from motcua.documents.services import stored_file_create
from motcua.dossiers import services

PDF = b"%PDF-1.4\n% to khai\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_export_has_own_data_and_files_only(personas, version, media):
    for citizen, child in ((personas.citizen_a, "Bé An"), (personas.citizen_b, "Bé Bình")):
        services.dossier_submit_online(
            applicant=citizen,
            procedure_version=version,
            receiving_unit=personas.unit_x,
            form_answers={"ho_ten_tre": child},
            components=[services.ComponentInput(component=c) for c in version.components.all()],
        )
    stored_file_create(
        data=PDF,
        original_name="to-khai.pdf",
        actor=personas.citizen_a,
        owner=personas.citizen_a,
        trusted=True,
    )
    blob = export_personal_data(user=personas.citizen_a, actor=personas.citizen_a)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("data.json"))
        text = archive.read("data.json").decode()
        files = [n for n in names if n.startswith("files/")]
        assert [archive.read(n) for n in files] == [PDF]
    assert data["accounts.user"][0]["personal_id"] == personas.citizen_a.personal_id
    assert [d["form_answers"]["ho_ten_tre"] for d in data["dossiers.dossier"]] == ["Bé An"]
    assert "Bé Bình" not in text
    assert "password" not in text
    assert AuditEntry.objects.filter(action="privacy.personal_data_export").count() == 1
