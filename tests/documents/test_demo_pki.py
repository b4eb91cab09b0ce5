"""`motcua documents_demo_pki` creates the demo CA and tokens once (idempotent)."""

from io import StringIO

from cryptography import x509
from django.core.management import call_command

from motcua.documents import pki
from motcua.documents.models import SigningCredential, TrustAnchor


def test_demo_pki_command_is_idempotent(personas, settings, tmp_path):
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    out = StringIO()
    call_command("documents_demo_pki", stdout=out)
    root = x509.load_pem_x509_certificate(pki.paths().ca_cert.read_bytes())
    assert "KHÔNG TIN CẬY NGOÀI BẢN DEMO" in root.subject.rfc4514_string()
    anchor = TrustAnchor.objects.get()
    assert anchor.is_demo
    personal = SigningCredential.objects.filter(kind="personal").count()
    agency = SigningCredential.objects.filter(kind="agency").count()
    # personas: 5 officers (receptionist X, specialist Y, leader X, supervisor, admin)
    # in 3 units (province, X, Y)
    assert personal == 5 and agency == 3
    assert SigningCredential.objects.filter(user=personas.leader_x).exists()
    assert SigningCredential.objects.filter(unit=personas.unit_x).exists()
    fingerprint = pki.paths().ca_cert.read_bytes()

    call_command("documents_demo_pki", stdout=StringIO())
    assert pki.paths().ca_cert.read_bytes() == fingerprint
    assert SigningCredential.objects.count() == personal + agency
    assert TrustAnchor.objects.count() == 1
