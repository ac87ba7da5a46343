"""Fixtures shared by the whole suite.

The demo catalogue is loaded once into the test database; each test runs in a transaction on top of it.
Browser tests (marker `browser`) use the live server and Debian's Chromium through Playwright; they run
after the other tests because their database is flushed between tests, so they load what they need.
"""

import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (make test does) "
            "or set CHROMIUM_PATH. Browser tests are never skipped."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_live_server(live_server):
    """The live server with the demo catalogue (the transactional database starts empty)."""
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server


@pytest.fixture
def page(browser, demo_live_server):
    context = browser.new_context(base_url=demo_live_server.url, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, demo_live_server):
    """Pages for several people in one test (a citizen, an official…), each in its own browser context
    (its own cookies), closed at the end so that no connection to the live server outlives the test."""
    contexts = []

    def make():
        context = browser.new_context(base_url=demo_live_server.url, locale="vi-VN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def test_pki():
    """The development test PKI (identity.pki.testca): CA paths, CRLs and tokens; made once if missing."""
    from opendvc.identity.pki.testca import ensure_test_pki

    return ensure_test_pki()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits, the working-day calendar and other cached values never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
