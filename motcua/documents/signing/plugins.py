"""Signer plugins. A plugin turns a SigningCredential into a pyHanko `Signer` for the
duration of one signature (a PKCS#11 session is opened and closed around it)."""

from __future__ import annotations

import contextlib
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from motcua.documents.models import SigningCredential


class SigningUnavailable(RuntimeError):
    """The credential cannot be used now (missing token, wrong PIN, no TSA...)."""


class SignerPlugin(ABC):
    name: ClassVar[str]

    @abstractmethod
    @contextlib.contextmanager
    def open(self, credential: SigningCredential) -> Iterator[Signer]: ...


_REGISTRY: dict[str, type[SignerPlugin]] = {}


def register_signer_plugin(cls: type[SignerPlugin]) -> type[SignerPlugin]:
    _REGISTRY[cls.name] = cls
    return cls


def get_signer_plugin(name: str) -> SignerPlugin:
    try:
        return _REGISTRY[name]()
    except KeyError as exc:
        raise SigningUnavailable(f"unknown signer plugin {name!r}") from exc


def _secret(config: dict[str, Any], key: str, default_setting: str, fallback: str = "") -> str:
    """Secrets never sit in the database: `config[key + "_env"]` names an environment
    variable; otherwise a setting supplies it."""
    env_name = config.get(f"{key}_env")
    if env_name and env_name in os.environ:
        return os.environ[env_name]
    return str(getattr(settings, default_setting, fallback))


@register_signer_plugin
class Pkcs12Plugin(SignerPlugin):
    """Soft token: a .p12 file per officer / unit (default)."""

    name = "pkcs12"

    @contextlib.contextmanager
    def open(self, credential: SigningCredential) -> Iterator[Signer]:
        from pyhanko.sign.signers import SimpleSigner

        from motcua.documents import pki

        path = Path(credential.config["path"])
        if not path.is_absolute():
            path = pki.pki_dir() / path
        if not path.exists():
            raise SigningUnavailable(f"PKCS#12 file not found: {path}")
        pass_text = _secret(credential.config, "passphrase", "MOTCUA_PKI_PASSPHRASE", "motcua-demo")
        try:
            signer = SimpleSigner.load_pkcs12_data(
                path.read_bytes(), other_certs=(), passphrase=pass_text.encode()
            )
        except (ValueError, OSError) as exc:
            raise SigningUnavailable(f"cannot open PKCS#12 token: {exc}") from exc
        if signer is None:
            raise SigningUnavailable("cannot open PKCS#12 token")
        yield signer


@register_signer_plugin
class Pkcs11Plugin(SignerPlugin):
    """Hardware token (USB token, HSM) through a PKCS#11 module. Config: `module`
    (path to the .so, e.g. /usr/lib/softhsm/libsofthsm2.so), `token_label`,
    `key_label`, optional `raw_mechanism` (ECDSA tokens without hash-and-sign
    mechanisms); PIN from env var `pin_env` or setting MOTCUA_PKCS11_PIN."""

    name = "pkcs11"

    @contextlib.contextmanager
    def open(self, credential: SigningCredential) -> Iterator[Signer]:
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign import pkcs11 as hanko_pkcs11

        config = credential.config
        pin = _secret(config, "pin", "MOTCUA_PKCS11_PIN")
        try:
            session = hanko_pkcs11.open_pkcs11_session(
                config["module"],
                token_criteria=hanko_pkcs11.TokenCriteria(label=config["token_label"]),
                user_pin=pin,
            )
        except Exception as exc:  # the pkcs11 library raises many unrelated types
            raise SigningUnavailable(f"cannot open PKCS#11 token: {exc}") from exc
        try:
            cert = asn1_x509.Certificate.load(_pem_to_der(credential.certificate_pem))
            yield hanko_pkcs11.PKCS11Signer(
                session,
                key_label=config["key_label"],
                signing_cert=cert,
                other_certs_to_pull=None if config.get("pull_chain") else (),
                # Many tokens (SoftHSM2 among them) only offer raw ECDSA (CKM_ECDSA):
                # hash on the host, sign the digest on the token.
                use_raw_mechanism=bool(config.get("raw_mechanism", False)),
            )
        finally:
            session.close()


@register_signer_plugin
class RemotePlugin(SignerPlugin):
    """Remote signing (ký số từ xa, e.g. a CSC-API service of a licensed CA). Config
    `factory` is a dotted path to `factory(credential) -> pyhanko Signer` (pyHanko's
    CSC signer or an ExternalSigner); nothing is bundled because every provider
    needs a contract and credentials."""

    name = "remote"

    @contextlib.contextmanager
    def open(self, credential: SigningCredential) -> Iterator[Signer]:
        factory_path = credential.config.get("factory") or getattr(
            settings, "MOTCUA_REMOTE_SIGNER_FACTORY", ""
        )
        if not factory_path:
            raise SigningUnavailable("no remote signing provider configured")
        yield import_string(factory_path)(credential)


def _pem_to_der(pem: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(Encoding.DER)
