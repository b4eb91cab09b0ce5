"""One world (personas + objects of citizen A / unit X) per test module: the matrix makes
hundreds of requests and rebuilding the data for each would dominate the runtime."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.core.testing.fixtures import use_payment_sandbox
from motcua.core.testing.personas import login
from tests.security import url_rules as R
from tests.security.world import World, build_world


@pytest.fixture
def security_settings(settings, tmp_path):
    return use_payment_sandbox(settings, tmp_path, secret="test-paygate-secret")


@pytest.fixture
def world(db, security_settings) -> World:
    from django.core.cache import cache

    from motcua.workdays.selectors import clear_cache

    cache.clear()
    clear_cache()
    return build_world()


def persona_user(world: World, name: str):
    return None if name == R.ANON else getattr(world.p, "admin" if name == R.ADM else name)


def client_as(world: World, name: str, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    user = persona_user(world, name)
    return client if user is None else login(client, user)
