"""The HTTP session payments use to call gateways (querydr) and the simulator uses to send IPNs.

One `requests.Session` per thread (requests does not promise thread safety), no proxy or .netrc picked
up from the environment, redirects never followed, and no connection kept open after an answer: calls
are few (an IPN, a reconciliation query), and a kept-alive connection to this very portal (the simulator
under `make run`) would hold one of its request threads waiting. Tests replace `session` to route calls
to the Django test client instead of the network.
"""

import threading

import requests

USER_AGENT = "OpenDVC-payments/1"
_local = threading.local()


class _NoRedirectSession(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, url, **kwargs)


def session() -> requests.Session:
    current = getattr(_local, "session", None)
    if current is None:
        current = _NoRedirectSession()
        current.headers.update({"User-Agent": USER_AGENT, "Connection": "close"})
        current.trust_env = False
        _local.session = current
    return current
