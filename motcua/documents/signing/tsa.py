"""RFC 3161 timestamp authority. MOTCUA_TSA_URL points at a real TSA (trust-service
provider under Decree 23/2025); without it the demo TSA key under var/pki signs
timestamps in-process (pyHanko's DummyTimeStamper speaks the same RFC 3161 token
format). No TSA at all means no signing: B-T is the minimum level."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from motcua.documents.signing.plugins import SigningUnavailable

if TYPE_CHECKING:
    from pyhanko.sign.timestamps import TimeStamper


def get_timestamper() -> TimeStamper:
    url = getattr(settings, "MOTCUA_TSA_URL", "")
    if url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        auth = None
        user = getattr(settings, "MOTCUA_TSA_USER", "")
        if user:
            auth = (user, getattr(settings, "MOTCUA_TSA_PASSWORD", ""))
        return HTTPTimeStamper(url, auth=auth, timeout=10)
    from motcua.documents import pki

    p = pki.paths()
    if not p.tsa_cert.exists():
        raise SigningUnavailable(
            "no timestamp authority: set MOTCUA_TSA_URL or run `motcua documents_demo_pki`"
        )
    return _local_timestamper(str(p.tsa_cert), p.tsa_cert.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _local_timestamper(cert_path: str, mtime_ns: int) -> TimeStamper:
    """Loading the encrypted TSA key costs ~100 ms (PBKDF2): keep one per file version."""
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.timestamps import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from motcua.documents import pki

    p = pki.Paths(Path(cert_path).parent)
    return DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(p.tsa_cert)),
        tsa_key=load_private_key_from_pemder(str(p.tsa_key), passphrase=pki.passphrase()),
        certs_to_embed=SimpleCertificateStore.from_certs([load_cert_from_pemder(str(p.ca_cert))]),
    )
