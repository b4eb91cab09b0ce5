import os
import shutil

import pytest
from django.test import Client

from motcua.core.testing.personas import Personas, build_personas, login
from tests.browser import CHROMIUM, CHROMIUM_FLAGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


@pytest.fixture
def personas(db) -> Personas:
    return build_personas()


@pytest.fixture
def client_for(db):
    """client_for(user) -> a Django test client logged in as that persona."""

    def make(user) -> Client:
        return login(Client(), user)

    return make


# --- Browser tests ----------------------------------------------------------------------
# One Playwright + Chromium per test session, defined here only: a second definition of a
# session fixture (e.g. importing it into another conftest) would start a second
# Playwright instance, which the sync API refuses.


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run must install it")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    console_errors = _watch_console(page)
    yield page
    context.close()
    # A CSP violation or a broken script shows up as a console error: fail on it.
    assert not console_errors, f"browser console errors: {console_errors}"


@pytest.fixture
def mobile_page(browser, live_server):
    """A 360 × 740 phone screen, the smallest the portal supports."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    console_errors = _watch_console(page)
    yield page
    context.close()
    assert not console_errors, f"browser console errors: {console_errors}"


# --- Signing (electronic results) ---------------------------------------------------------


@pytest.fixture(scope="session")
def signing_pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("signing-pki")


@pytest.fixture
def signing_settings(settings, signing_pki_dir, tmp_path):
    """Demo PKI and stored files in temporary directories (no PKI provisioned yet)."""
    settings.MOTCUA_PKI_DIR = str(signing_pki_dir)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_TSA_URL = ""
    settings.MOTCUA_VIRUS_SCANNER = ""
    from django.core.cache import cache

    cache.clear()
    return settings


@pytest.fixture
def e_signing(db, signing_settings):
    """The demo PKI for every officer and staffed unit present when it is requested
    (request it after the personas / staff fixtures): leaders sign results, clerks
    seal them."""
    from motcua.documents.demo_pki import provision

    return provision()
