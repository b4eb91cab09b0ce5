"""Validate every signature of a PDF with pyHanko's Python API and summarise it for
people (law.md §6.2 checklist: integrity, trusted chain, signer, signing time,
timestamp, revocation checked or not). No ORM: the trust roots are passed in."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509

from motcua.documents.constants import SignatureVerdict

logger = logging.getLogger(__name__)


@dataclass
class SignatureReport:
    field_name: str
    signer_name: str = ""
    signer_organization: str = ""
    issuer_name: str = ""
    signing_time: dt.datetime | None = None
    timestamp_time: dt.datetime | None = None
    has_timestamp: bool = False
    timestamp_valid: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revocation_checked: bool = False
    revoked: bool = False
    covers_whole_file: bool = False
    modified_after: bool = False
    changes_allowed: bool = True
    trust_anchor: str = ""
    trust_anchor_is_demo: bool = False
    summary: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        timestamp_broken = self.has_timestamp and not self.timestamp_valid
        if not (self.intact and self.valid) or not self.changes_allowed or timestamp_broken:
            return SignatureVerdict.BROKEN
        if self.revoked:
            return SignatureVerdict.REVOKED
        if self.trusted:
            return SignatureVerdict.VALID
        return SignatureVerdict.UNTRUSTED

    @property
    def verdict_label(self) -> str:
        return str(SignatureVerdict(self.verdict).label)

    @property
    def colour(self) -> str:
        from motcua.documents.constants import VERDICT_COLOURS

        return VERDICT_COLOURS[SignatureVerdict(self.verdict)]


@dataclass
class DocumentReport:
    signatures: list[SignatureReport]
    error: str = ""

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(
            s.verdict == SignatureVerdict.VALID for s in self.signatures
        )

    @property
    def any_broken(self) -> bool:
        return any(s.verdict == SignatureVerdict.BROKEN for s in self.signatures)


def _name_part(name: asn1_x509.Name, key: str) -> str:
    try:
        return str(name.native.get(key, ""))
    except (ValueError, AttributeError):
        return ""


def _dss_material(reader: Any) -> tuple[list[Any], list[Any], list[Any]]:
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], [], []
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    certs = list(dss.load_certs())
    crls = [
        asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
        for ref in dss.crls
    ]
    ocsps = [
        asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
        for ref in dss.ocsps
    ]
    return certs, crls, ocsps


def validate_pdf(
    data: bytes,
    trust_roots: Sequence[asn1_x509.Certificate],
    *,
    crls: Iterable[asn1_crl.CertificateList] = (),
    demo_fingerprints: frozenset[str] = frozenset(),
) -> DocumentReport:
    """Every signature of the PDF, validated. Safe to call with an event loop running in
    this thread (ASGI, Playwright): pyHanko's synchronous API then runs on a worker
    thread, as it calls asyncio.run()."""
    from motcua.documents.signing.sync import off_event_loop

    return off_event_loop(
        _validate_pdf, data, trust_roots, crls=crls, demo_fingerprints=demo_fingerprints
    )


def _validate_pdf(
    data: bytes,
    trust_roots: Sequence[asn1_x509.Certificate],
    *,
    crls: Iterable[asn1_crl.CertificateList] = (),
    demo_fingerprints: frozenset[str] = frozenset(),
) -> DocumentReport:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        return DocumentReport([], error=str(exc))
    if not embedded:
        return DocumentReport([])
    dss_certs, dss_crls, dss_ocsps = _dss_material(reader)
    all_crls = [*crls, *dss_crls]
    reports = [
        _validate_one(sig, trust_roots, all_crls, dss_ocsps, dss_certs, demo_fingerprints)
        for sig in embedded
    ]
    return DocumentReport(reports)


def _context(roots: Sequence[Any], crls: list[Any], ocsps: list[Any], certs: list[Any], mode: str):  # type: ignore[no-untyped-def]
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(roots),
        crls=crls,
        ocsps=ocsps,
        other_certs=certs,
        allow_fetching=False,
        revocation_mode=mode,
    )


def _validate_one(
    sig: Any,
    roots: Sequence[Any],
    crls: list[Any],
    ocsps: list[Any],
    certs: list[Any],
    demo_fingerprints: frozenset[str],
) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    report = SignatureReport(field_name=str(sig.field_name))
    try:
        # First with revocation required ("hard-fail"): success means the chain was
        # checked against a CRL/OCSP response (embedded in the DSS or held locally).
        status = validate_pdf_signature(
            sig,
            _context(roots, crls, ocsps, certs, "hard-fail"),
            _context(roots, crls, ocsps, certs, "soft-fail"),
        )
        report.revocation_checked = bool(status.trusted or status.revoked)
        if not status.trusted and not status.revoked and status.intact and status.valid:
            status = validate_pdf_signature(
                sig,
                _context(roots, crls, ocsps, certs, "soft-fail"),
                _context(roots, crls, ocsps, certs, "soft-fail"),
            )
    except Exception as exc:  # pyHanko raises many types for malformed signatures
        logger.info("signature %s could not be validated: %s", report.field_name, exc)
        report.problems.append(str(exc))
        report.summary = "INVALID"
        return report
    cert = status.signing_cert
    report.signer_name = _name_part(cert.subject, "common_name")
    report.signer_organization = ", ".join(
        part
        for part in (
            _name_part(cert.subject, "organizational_unit_name"),
            _name_part(cert.subject, "organization_name"),
        )
        if part
    )
    report.issuer_name = _name_part(cert.issuer, "common_name")
    report.intact, report.valid, report.trusted = status.intact, status.valid, status.trusted
    report.revoked = bool(status.revoked)
    report.signing_time = status.signer_reported_dt
    ts = status.timestamp_validity
    if ts is not None:
        report.has_timestamp = True
        report.timestamp_time = ts.timestamp
        report.timestamp_valid = bool(ts.intact and ts.valid)
    report.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    report.modified_after = not report.covers_whole_file
    # Later incremental updates are fine when they only add signatures / DSS / form
    # fill-ins (pyHanko's diff analysis); anything else breaks the signature.
    report.changes_allowed = (
        status.coverage is not None
        and status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
        and status.docmdp_ok is not False
        and _modification_ok(status)
    )
    if status.validation_path is not None:
        anchor = status.validation_path.trust_anchor
        anchor_cert = getattr(anchor, "authority", None)
        anchor_cert = getattr(anchor_cert, "certificate", None)
        if anchor_cert is not None:
            report.trust_anchor = _name_part(anchor_cert.subject, "common_name")
            report.trust_anchor_is_demo = anchor_cert.sha256.hex() in demo_fingerprints
    report.summary = status.summary()
    if not status.trusted and status.trust_problem_indic is not None:
        report.problems.append(str(status.trust_problem_indic))
    return report


def _modification_ok(status: Any) -> bool:
    from pyhanko.sign.diff_analysis import ModificationLevel

    level = getattr(status, "modification_level", None)
    if level is None:
        return True
    return bool(level <= ModificationLevel.FORM_FILLING)
