"""Reads for documents: visible files, trust store, credentials, warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db.models import QuerySet

from motcua.documents import pki
from motcua.documents.models import (
    IssuedDocument,
    SigningCredential,
    StoredFile,
    TrustAnchor,
    WarehouseItem,
)


def _load_certs(blob: bytes) -> list[asn1_x509.Certificate]:
    if pem.detect(blob):
        return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(blob, multiple=True)]
    return [asn1_x509.Certificate.load(blob)]


def trust_roots() -> list[asn1_x509.Certificate]:
    """Active TrustAnchor rows (administrators add national roots) plus every
    certificate file in settings.MOTCUA_TRUST_STORE_DIR (managed by operations)."""
    roots: list[asn1_x509.Certificate] = []
    for anchor in TrustAnchor.objects.filter(is_active=True):
        roots.extend(_load_certs(anchor.certificate_pem.encode()))
    directory = getattr(settings, "MOTCUA_TRUST_STORE_DIR", "")
    if directory and Path(directory).is_dir():
        for path in sorted(Path(directory).iterdir()):
            if path.suffix.lower() in (".pem", ".crt", ".cer", ".der"):
                roots.extend(_load_certs(path.read_bytes()))
    return roots


def demo_fingerprints() -> frozenset[str]:
    return frozenset(TrustAnchor.objects.filter(is_demo=True).values_list("fingerprint", flat=True))


def local_crls() -> list[asn1_crl.CertificateList]:
    """CRLs held locally: the demo root's, and any in settings.MOTCUA_CRL_DIR."""
    crls = []
    demo = pki.paths().crl
    if demo.exists():
        crls.append(asn1_crl.CertificateList.load(demo.read_bytes()))
    directory = getattr(settings, "MOTCUA_CRL_DIR", "")
    if directory and Path(directory).is_dir():
        for path in sorted(Path(directory).glob("*.crl")):
            crls.append(asn1_crl.CertificateList.load(path.read_bytes()))
    return crls


def credential_for(*, user: Any = None, unit: Any = None) -> SigningCredential | None:
    qs = SigningCredential.objects.filter(is_active=True)
    if user is not None:
        return qs.filter(user=user, kind="personal").order_by("-created_at").first()
    return qs.filter(unit=unit, kind="agency").order_by("-created_at").first()


def files_of_owner(user: Any) -> QuerySet[StoredFile]:
    return StoredFile.objects.filter(owner=user)


def issued_by_code(code: str) -> IssuedDocument | None:
    return IssuedDocument.objects.select_related("file").filter(code=code.strip().upper()).first()


def warehouse_of(user: Any) -> QuerySet[WarehouseItem]:
    return WarehouseItem.objects.filter(owner=user, is_active=True).select_related("file")


def latest_version(stored: StoredFile) -> StoredFile:
    """Follow signed derivatives to the newest version of a file."""
    current = stored
    while True:
        newer = (
            StoredFile.objects.filter(source=current, kind="signed").order_by("-created_at").first()
        )
        if newer is None:
            return current
        current = newer


def signature_report(stored: StoredFile) -> Any:
    """Validation report of a stored PDF (cached per content hash and trust store)."""
    import hashlib as _hashlib

    from django.core.cache import cache

    from motcua.documents.signing.validation import DocumentReport, validate_pdf
    from motcua.documents.storage import read_bytes

    if stored.mime_type != "application/pdf":
        return DocumentReport([])
    roots = trust_roots()
    store_key = _hashlib.sha256(b"".join(sorted(r.sha256 for r in roots))).hexdigest()[:16]
    key = f"documents:sigreport:{stored.sha256}:{store_key}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    from motcua.documents.signing.sync import off_event_loop

    report = off_event_loop(
        validate_pdf,
        read_bytes(stored.storage_name),
        roots,
        crls=local_crls(),
        demo_fingerprints=demo_fingerprints(),
    )
    cache.set(key, report, 600)
    return report
