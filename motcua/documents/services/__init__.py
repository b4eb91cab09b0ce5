"""Writes of the documents app (design.md: `<entity>_<verb>(*, kw-only)` functions,
one transaction each, audited). Import from here."""

from motcua.documents.services.digitization import (
    digitized_copy_certify,
    digitized_copy_create,
    scans_to_pdf,
)
from motcua.documents.services.files import (
    LinkTarget,
    file_link_create,
    read_upload,
    stored_file_bytes,
    stored_file_create,
    stored_file_upload,
)
from motcua.documents.services.issued import (
    issued_document_create,
    issued_document_revoke,
    new_result_code,
    verify_url,
)
from motcua.documents.services.signatures import (
    document_sign,
    signing_credential_register,
    signing_credential_revoke,
    trust_anchor_add,
)
from motcua.documents.services.warehouse import (
    warehouse_item_add,
    warehouse_item_reuse,
    warehouse_push_result,
)

__all__ = [
    "LinkTarget",
    "digitized_copy_certify",
    "digitized_copy_create",
    "document_sign",
    "file_link_create",
    "issued_document_create",
    "issued_document_revoke",
    "new_result_code",
    "read_upload",
    "scans_to_pdf",
    "signing_credential_register",
    "signing_credential_revoke",
    "stored_file_bytes",
    "stored_file_create",
    "stored_file_upload",
    "trust_anchor_add",
    "verify_url",
    "warehouse_item_add",
    "warehouse_item_reuse",
    "warehouse_push_result",
]
