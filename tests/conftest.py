import pytest
from django.test import Client

from motcua.core.testing.personas import Personas, build_personas, login


@pytest.fixture
def personas(db) -> Personas:
    return build_personas()


@pytest.fixture
def client_for(db):
    """client_for(user) -> a Django test client logged in as that persona."""

    def make(user) -> Client:
        return login(Client(), user)

    return make
