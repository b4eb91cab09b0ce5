"""Benchmark: PDF generation and PAdES signing throughput (issue 6).

Run alone with `python benchmarks/bench_documents.py` or through `make bench`. Works on
bytes only (no database): renders an official result with a QR code, signs it with a
PKCS#12 soft token (B-T and B-LT, EC P-256, in-process demo TSA), adds a second
(agency) signature, validates both, and digitizes scans with img2pdf. N is
BENCH_DOCUMENTS_N (default 20).
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

N = int(os.environ.get("BENCH_DOCUMENTS_N", "20"))
ROOT = Path(__file__).resolve().parents[1]


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings.test")
    import django

    django.setup()


def _per_second(label: str, count: int, seconds: float) -> list[dict]:
    return [
        {"name": f"{label} per second", "value": round(count / seconds, 2), "unit": "docs/s"},
        {"name": f"{label} mean", "value": round(1000 * seconds / count, 1), "unit": "ms"},
    ]


def run() -> list[dict]:
    _setup_django()
    from asn1crypto import crl as asn1_crl
    from django.test import override_settings
    from PIL import Image
    from pyhanko.keys import load_cert_from_pemder

    from motcua.documents import pki
    from motcua.documents.qr import qr_data_uri, qr_payload
    from motcua.documents.rendering import render_pdf_from_source
    from motcua.documents.services.digitization import scans_to_pdf
    from motcua.documents.signing import engine, plugins, validation
    from motcua.documents.signing.tsa import get_timestamper

    results: list[dict] = []
    with override_settings(MOTCUA_PKI_DIR=tempfile.mkdtemp(prefix="bench-pki-")):
        pki.ensure_root()
        leader = pki.issue_pkcs12(slug="leader", common_name="Lãnh Đạo", organization="Sở X")
        agency = pki.issue_pkcs12(slug="agency", common_name="Sở X", organization="UBND tỉnh")
        root = load_cert_from_pemder(str(pki.paths().ca_cert))
        crl = asn1_crl.CertificateList.load(pki.paths().crl.read_bytes())

        body = "<p>Cấp cho ông/bà {{ name }} giấy phép xây dựng nhà ở riêng lẻ.</p>" * 20

        def render(i: int) -> bytes:
            payload = qr_payload(
                verify_url=f"https://dvc.example/xac-minh/KQ2611-{i:08d}/",
                dossier_code=f"000.00.01.H47-261127-{i:04d}",
                procedure_code="1.009972",
                document_name="Giấy phép xây dựng",
                issuer="Sở Xây dựng",
            )
            return render_pdf_from_source(
                body,
                {
                    "name": "Nguyễn Văn A",
                    "issuer": "Sở Xây dựng",
                    "qr_data_uri": qr_data_uri(payload),
                },
                title="Giấy phép xây dựng",
            )

        render(0)  # warm-up: imports, font loading
        started = time.perf_counter()
        documents = [render(i) for i in range(N)]
        results += _per_second("render result PDF (A4, QR)", N, time.perf_counter() - started)

        class Credential:  # the plugin only reads .config
            def __init__(self, path: Path) -> None:
                self.config = {"path": str(path)}

        def sign(data: bytes, token: Path, role: str, lt: bool) -> bytes:
            with plugins.get_signer_plugin("pkcs12").open(Credential(token)) as signer:  # type: ignore[arg-type]
                signed, _level = engine.sign_pdf_bytes(
                    data,
                    signer=signer,
                    timestamper=get_timestamper(),
                    field_name=f"{role}-1",
                    role=role,
                    stamp=engine.StampText("Lãnh Đạo", "Sở X", "Lãnh đạo"),
                    lt_context=engine.validation_context([root], crls=[crl]) if lt else None,
                )
            return signed

        sign(documents[0], leader.p12_path, "leader", True)  # warm-up
        for lt in (False, True):
            started = time.perf_counter()
            signed = [sign(d, leader.p12_path, "leader", lt) for d in documents]
            label = "sign PAdES B-LT" if lt else "sign PAdES B-T"
            results += _per_second(label, N, time.perf_counter() - started)

        started = time.perf_counter()
        sealed = [sign(d, agency.p12_path, "agency", True) for d in signed]
        results += _per_second("second (agency) signature B-LT", N, time.perf_counter() - started)

        started = time.perf_counter()
        for data in sealed:
            report = validation.validate_pdf(data, [root], crls=[crl])
            assert report.all_valid, report
        results += _per_second("validate 2-signature PDF", N, time.perf_counter() - started)

        scan = io.BytesIO()
        Image.new("RGB", (2480, 3508), "white").save(scan, format="JPEG", quality=80)  # A4 300 dpi
        pages = [scan.getvalue()] * 10
        started = time.perf_counter()
        for _ in range(N):
            scans_to_pdf(pages)
        results += _per_second("digitize 10 A4 scans (img2pdf)", N, time.perf_counter() - started)
    return results


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<45} {row['value']:>10} {row['unit']}")
