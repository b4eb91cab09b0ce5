"""Fixtures for the integrations tests (also imported by tests/notifications): the birth
registration procedure at unit X, dossier builders (motcua.core.testing.fixtures) and
the switches of the sandbox national portal."""

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.core.testing.fixtures import (  # noqa: F401 — shared fixtures and constants
    MONDAY,
    make_dossier,
    make_published_version,
    receive_and_assign,
    specialist_x,
)
from motcua.sandbox_portal.models import Mode, PortalSwitch


@pytest.fixture
def version(personas) -> ProcedureVersion:
    return make_published_version(personas.unit_x, field=("G01-HT", "Hộ tịch"))


@pytest.fixture
def portal():
    """Switches of the sandbox national portal."""

    class Portal:
        def set(self, mode: str) -> None:
            switch = PortalSwitch.get()
            switch.mode = mode
            switch.save()

        def down(self) -> None:
            self.set(Mode.DOWN)

        def up(self) -> None:
            self.set(Mode.OK)

    return Portal()
