import pytest

from opendvc.payments.tests.support import DjangoClientAdapter, session_with


@pytest.fixture
def gateway(monkeypatch, settings):
    """The demo merchants, with the simulator and the portal talking through the test client."""
    from opendvc.payments.demo import ensure_demo_merchants

    settings.PORTAL_BASE_URL = "http://testserver"
    adapter = DjangoClientAdapter()
    session = session_with(adapter)
    monkeypatch.setattr("opendvc.payments.http.session", lambda: session)
    ensure_demo_merchants()
    return adapter
