"""Issue 12 part 3: generated e-form submissions against every bundled procedure schema,
and malformed files against the upload paths — never a crash, never a partial write."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalog.eforms import build_form
from tests.documents.conftest import make_pdf, make_png
from tests.security import url_rules as R
from tests.security.conftest import client_as

BUNDLE = Path(__file__).resolve().parents[2] / "motcua" / "catalog" / "data" / "procedures.json"
# Every bundled procedure whose e-form has fields (the others ask no questions).
EFORMS = [
    (p["code"], p["eform"])
    for p in json.loads(BUNDLE.read_text())
    if ((p.get("eform") or {}).get("schema") or {}).get("properties")
]

nasty_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "9" * 400,
            "-1",
            "1e309",
            "2026-02-30",
            "0905000001",
            "true",
            "null",
            "[]",
            "{}",
            "\u202e",
            "A" * 5000,
        ]
    ),
)


def _field_names(form) -> list[str]:
    return list(form.fields)


@pytest.mark.parametrize(("code", "eform"), EFORMS, ids=[c for c, _ in EFORMS])
def test_generated_eform_submissions_never_crash(code, eform):
    schema, layout = eform.get("schema") or {}, eform.get("layout") or {}
    names = _field_names(build_form(schema, layout))
    assert names, f"{code}: the e-form has no fields"

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        values=st.dictionaries(
            st.one_of(st.sampled_from(names), st.text(max_size=8)), nasty_text, max_size=12
        )
    )
    def submit(values):
        form = build_form(schema, layout, data=values)
        if form.is_valid():
            answers = form.answers()
            json.dumps(answers)  # stored in a JSONField: must serialise
            for name in schema.get("required") or []:
                assert name in answers, (code, name)
        else:
            assert form.errors

    submit()


# --- malformed files -----------------------------------------------------------------


def _pdf_with_javascript() -> bytes:
    import pikepdf

    pdf = pikepdf.Pdf.open(io.BytesIO(make_pdf()))
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
    )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _png_bomb_header() -> bytes:
    """A PNG whose header claims 100000 × 100000 pixels (decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


MALFORMED = {
    "empty.pdf": b"",
    "truncated.pdf": make_pdf()[:200],
    "random.pdf": bytes(range(256)) * 8,
    "html-as.pdf": b"<html><script>alert(1)</script></html>",
    "javascript.pdf": _pdf_with_javascript(),
    "exe-as.png": b"MZ\x90\x00" + b"\x00" * 200,
    "truncated.png": make_png()[:40],
    "bomb.png": _png_bomb_header(),
    "svg.png": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "zip.pdf": b"PK\x03\x04" + b"\x00" * 100,
}


def _blobs(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_rejected_by_the_store_without_leftovers(world, settings, name):
    from motcua.documents.inspection import UploadRejected
    from motcua.documents.models import StoredFile
    from motcua.documents.services.files import stored_file_create

    rows, blobs = StoredFile.objects.count(), len(_blobs(settings))
    with pytest.raises(UploadRejected):
        stored_file_create(
            data=MALFORMED[name],
            original_name=name,
            actor=world.p.citizen_a,
            owner=world.p.citizen_a,
        )
    assert StoredFile.objects.count() == rows
    assert len(_blobs(settings)) == blobs


def test_malformed_files_through_every_upload_form(world, settings):
    """Citizen warehouse, officer digitisation, trust store and calendar import: each
    answers with a form error (4xx/200 page), never a 500, and writes nothing."""
    from motcua.documents.models import StoredFile, TrustAnchor
    from motcua.workdays.models import DayOverride

    uploads = [
        (R.CIT_A, "documents:warehouse", "file", {"title": "Giấy tờ"}),
        (
            R.REC_X,
            "documents:digitize",
            "pages",
            {
                "owner_identifier": world.p.citizen_a.personal_id,
                "original_description": "Bản số hóa",
            },
        ),
        (R.ADM, "documents:trust_store", "certificate", {"name": "Gốc giả"}),
        (R.ADM, "workdays:import", "file", {}),
    ]
    problems = []
    for persona, url_name, field, extra in uploads:
        client = client_as(world, persona)
        for name, data in sorted(MALFORMED.items()):
            before = (
                StoredFile.objects.count(),
                TrustAnchor.objects.count(),
                DayOverride.objects.count(),
                len(_blobs(settings)),
            )
            upload = SimpleUploadedFile(name, data)
            response = client.post(reverse(url_name), {**extra, field: upload})
            after = (
                StoredFile.objects.count(),
                TrustAnchor.objects.count(),
                DayOverride.objects.count(),
                len(_blobs(settings)),
            )
            if response.status_code >= 500:
                problems.append(f"{url_name} {name}: {response.status_code}")
            if after != before:
                problems.append(f"{url_name} {name}: wrote {before} → {after}")
    assert not problems, "\n".join(problems)
