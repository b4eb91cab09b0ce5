from tests.integrations.conftest import (  # noqa: F401 — shared dossier fixtures
    MONDAY,
    make_dossier,
    receive_and_assign,
    specialist_x,
    version,
)
