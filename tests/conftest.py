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


# The slow groups (measured with --durations, docs/development.md "Continuous integration"):
# subprocess and multi-process tests, the demo province loads, the site-wide permission and
# security sweeps, the query budgets and the database-backed property tests. CI runs them
# on PostgreSQL only (`-m "not slow"` on SQLite); `make test` runs everything.
SLOW_MODULES = frozenset(
    {
        "core/test_generator.py",
        "dossiers/test_demo.py",
        "monitoring/test_aggregate_law.py",
        "monitoring/test_demo_levels.py",
        "monitoring/test_replica_router.py",
        "monitoring/test_updater_law.py",
        "org/test_demo.py",
        "org/test_demo_journeys.py",
        "reliability/test_backup_restore.py",
        "reliability/test_inbound_faults.py",
        "reliability/test_worker_crash.py",
        "scale/test_list_query_budgets.py",
        "scale/test_list_query_budgets_more.py",
        "scale/test_query_budgets.py",
        "security/test_api_matrix.py",
        "security/test_fuzz_actions.py",
        "security/test_fuzz_inputs.py",
        "security/test_tampered_writes.py",
        "security/test_url_matrix.py",
        "security/test_web_security.py",
    }
)
# Browser tests that CI also runs on SQLite (besides the acceptance journeys).
BOTH_DATABASES_MODULES = frozenset({"dossiers/test_e2e_linked.py"})
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
        module = os.path.relpath(str(item.path), TESTS_DIR).replace(os.sep, "/")
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if module in BOTH_DATABASES_MODULES:
            item.add_marker(pytest.mark.both_databases)


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
