"""Done-when: sign with a hardware-token signer (PKCS#11) against SoftHSM2 (Debian
package `softhsm2`); the key is generated on the token and never leaves it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from motcua.documents.constants import SignatureVerdict, SignerRole
from motcua.documents.services import document_sign, signing_credential_register, stored_file_bytes

SOFTHSM_LIB = Path(os.environ.get("MOTCUA_SOFTHSM_LIB", "/usr/lib/softhsm/libsofthsm2.so"))
TOKEN_LABEL, KEY_LABEL, USER_PIN = "motcua-test", "lanhdao-x", "1234"

needs_softhsm = pytest.mark.skipif(
    not SOFTHSM_LIB.exists() or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 not installed (apt-get install softhsm2)",
)


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory):
    """Initialise a SoftHSM2 token in a temporary directory and generate an EC P-256
    key pair on it. Returns the public key (cryptography object)."""
    import pkcs11
    from cryptography.hazmat.primitives.serialization import load_der_public_key
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--so-pin",
            "12345678",
            "--pin",
            USER_PIN,
        ],
        check=True,
        capture_output=True,
    )
    lib = pkcs11.lib(str(SOFTHSM_LIB))
    token = lib.get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=USER_PIN) as session:
        params = session.create_domain_parameters(
            KeyType.EC,
            {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        public, _private = params.generate_keypair(store=True, label=KEY_LABEL)
        return load_der_public_key(encode_ec_public_key(public))


@needs_softhsm
def test_sign_with_softhsm2_token_and_validate(
    personas, credentials, issued_result, softhsm_token, settings
):
    from cryptography.hazmat.primitives.serialization import Encoding

    from motcua.documents import pki, selectors
    from motcua.documents.models import SigningCredential
    from motcua.documents.signing.validation import validate_pdf

    settings.MOTCUA_PKCS11_PIN = USER_PIN
    cert = pki.issue_for_public_key(
        softhsm_token, common_name="Lãnh Đạo X (token)", organization="Sở X"
    )
    # The leader switches from the soft token to the hardware token.
    SigningCredential.objects.filter(user=personas.leader_x).update(is_active=False)
    signing_credential_register(
        certificate_pem=cert.public_bytes(Encoding.PEM).decode(),
        plugin="pkcs11",
        config={
            "module": str(SOFTHSM_LIB),
            "token_label": TOKEN_LABEL,
            "key_label": KEY_LABEL,
            "raw_mechanism": True,
        },
        user=personas.leader_x,
    )
    signed = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    # Then the agency signs with its PKCS#12 seal; the token signature stays valid.
    sealed = document_sign(
        file=signed, actor=personas.leader_x, role=SignerRole.AGENCY, unit=personas.unit_x
    )
    report = validate_pdf(
        stored_file_bytes(sealed), selectors.trust_roots(), crls=selectors.local_crls()
    )
    assert [s.signer_name for s in report.signatures] == ["Lãnh Đạo X (token)", "Sở X"]
    assert all(s.verdict == SignatureVerdict.VALID for s in report.signatures)
    assert all(s.intact and s.trusted for s in report.signatures)


@needs_softhsm
def test_wrong_pin_fails_cleanly(personas, credentials, issued_result, softhsm_token, settings):
    from cryptography.hazmat.primitives.serialization import Encoding

    from motcua.documents import pki
    from motcua.documents.models import SigningCredential
    from motcua.documents.signing.plugins import SigningUnavailable

    settings.MOTCUA_PKCS11_PIN = "0000"
    cert = pki.issue_for_public_key(
        softhsm_token, common_name="Lãnh Đạo X (token)", organization="Sở X"
    )
    SigningCredential.objects.filter(user=personas.leader_x).update(is_active=False)
    signing_credential_register(
        certificate_pem=cert.public_bytes(Encoding.PEM).decode(),
        plugin="pkcs11",
        config={
            "module": str(SOFTHSM_LIB),
            "token_label": TOKEN_LABEL,
            "key_label": KEY_LABEL,
            "raw_mechanism": True,
        },
        user=personas.leader_x,
    )
    with pytest.raises(SigningUnavailable):
        document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
