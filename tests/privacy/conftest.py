"""The dossier fixtures (birth registration received by unit X) for the read-log tests."""

from tests.dossiers.conftest import (  # noqa: F401  (re-exported fixtures)
    in_process,
    received,
    staff,
    submitted,
    version,
)
