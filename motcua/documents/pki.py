"""Demo public-key infrastructure (EC P-256, `cryptography`): a root CA clearly labelled
as untrusted outside the demo, a timestamping (TSA) certificate, an empty CRL, and
PKCS#12 soft tokens for officers and units. Files live under settings.MOTCUA_PKI_DIR
(default var/pki/). Production replaces all of this with certificates from a licensed
CA / the Government Cipher Committee (Decree 68/2024) and a trust-service TSA
(Decree 23/2025)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

ROOT_NAME = "Motcua DEMO Root CA — KHÔNG TIN CẬY NGOÀI BẢN DEMO"
DEMO_ORG = "Motcua DEMO"
ROOT_YEARS = 10
LEAF_YEARS = 3


def pki_dir() -> Path:
    return Path(getattr(settings, "MOTCUA_PKI_DIR", settings.VAR_DIR / "pki"))


def passphrase() -> bytes:
    return str(getattr(settings, "MOTCUA_PKI_PASSPHRASE", "motcua-demo")).encode()


def crl_url() -> str:
    return str(
        getattr(
            settings,
            "MOTCUA_PKI_CRL_URL",
            "http://127.0.0.1:8000/xac-minh/pki/demo-root.crl",
        )
    )


@dataclass
class Paths:
    root: Path

    @property
    def ca_cert(self) -> Path:
        return self.root / "demo-root.crt.pem"

    @property
    def ca_key(self) -> Path:
        return self.root / "demo-root.key.pem"

    @property
    def crl(self) -> Path:
        return self.root / "demo-root.crl"

    @property
    def tsa_cert(self) -> Path:
        return self.root / "tsa.crt.pem"

    @property
    def tsa_key(self) -> Path:
        return self.root / "tsa.key.pem"

    @property
    def tokens(self) -> Path:
        return self.root / "tokens"


def paths() -> Paths:
    return Paths(pki_dir())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)


def _pem_key(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase()),
    )


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), passphrase())
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def ensure_root() -> bool:
    """Create the demo root CA, TSA certificate and CRL if missing. Returns True when
    something was created."""
    p = paths()
    created = False
    if not p.ca_cert.exists():
        key = _key()
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORG),
                x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        _write_private(p.ca_key, _pem_key(key))
        p.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        for stale in (p.crl, p.tsa_cert, p.tsa_key):
            stale.unlink(missing_ok=True)
        created = True
    if not p.tsa_cert.exists():
        # RSA: pyHanko's in-process timestamper signs with RSA only.
        tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _issue(
            tsa_key.public_key(),
            common_name="Motcua DEMO TSA",
            organization=DEMO_ORG,
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        )
        _write_private(p.tsa_key, _pem_key(tsa_key))
        p.tsa_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        created = True
    if crl_is_stale():
        write_crl()
        created = True
    return created


def crl_is_stale(margin: dt.timedelta = dt.timedelta(days=7)) -> bool:
    path = paths().crl
    if not path.exists():
        return True
    next_update = x509.load_der_x509_crl(path.read_bytes()).next_update_utc
    return next_update is None or next_update < _now() + margin


def refresh_demo_crl() -> None:
    """Re-issue the demo CRL (30 days) when it is about to expire, so B-LT signatures
    keep embedding current revocation data. No-op without a demo CA key."""
    p = paths()
    if p.ca_key.exists() and crl_is_stale(dt.timedelta(days=1)):
        write_crl()


def write_crl(revoked_serials: tuple[int, ...] = ()) -> None:
    p = paths()
    ca_key, ca_cert = _load_key(p.ca_key), load_cert(p.ca_cert)
    now = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=30))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - dt.timedelta(minutes=1))
            .build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    p.crl.write_bytes(crl.public_bytes(serialization.Encoding.DER))


def fit_name(value: str, limit: int = 64) -> str:
    """X.509 upper bounds (RFC 5280: ub-organization-name etc. = 64) are checked by
    `cryptography` in UTF-8 bytes; Vietnamese letters take 2–3 bytes, so trim by bytes
    without cutting a character."""
    value = unicodedata.normalize("NFC", value).strip()
    encoded = value.encode("utf-8")
    if len(encoded) <= limit:
        return value
    return encoded[:limit].decode("utf-8", errors="ignore").rstrip()


def _issue(
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    *,
    common_name: str,
    organization: str,
    unit_name: str = "",
    eku: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    p = paths()
    ca_key, ca_cert = _load_key(p.ca_key), load_cert(p.ca_cert)
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, fit_name(organization)),
    ]
    if unit_name:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, fit_name(unit_name)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, fit_name(common_name)))
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=eku is None,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url())],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(ca_key, hashes.SHA256())


def slugify_ascii(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-zA-Z0-9]+", "-", ascii_text).strip("-").lower() or "token"


@dataclass
class IssuedToken:
    p12_path: Path
    certificate: x509.Certificate


def issue_pkcs12(
    *, slug: str, common_name: str, organization: str, unit_name: str = ""
) -> IssuedToken:
    """Create an EC key + certificate signed by the demo root, stored as a PKCS#12 file
    protected by the PKI passphrase."""
    key = _key()
    cert = _issue(
        key.public_key(), common_name=common_name, organization=organization, unit_name=unit_name
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode(),
        key,
        cert,
        [load_cert(paths().ca_cert)],
        serialization.BestAvailableEncryption(passphrase()),
    )
    target = paths().tokens / f"{slug}.p12"
    _write_private(target, data)
    return IssuedToken(target, cert)


def issue_for_public_key(
    public_key: ec.EllipticCurvePublicKey, *, common_name: str, organization: str
) -> x509.Certificate:
    """Certificate for a key generated on a hardware token (PKCS#11)."""
    return _issue(public_key, common_name=common_name, organization=organization)
