"""CRLs fetched by URL (identity.pki.sources): cached bytes, parsed once per version, failures remembered
for a minute, redirects, size cap and proxies."""

import socket
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from freezegun import freeze_time

from opendvc.identity.pki import sources


class CrlHost:
    """A CRL host on a free loopback port. `routes[path] = (status, headers, body)`; `hits` counts the
    requests per path. Every host has paths of its own (a free port may come round again)."""

    def __init__(self):
        self.prefix = f"/{uuid.uuid4().hex}"
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.hits: dict[str, int] = {}
        self.declare_length = True
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                host.hits[self.path] = host.hits.get(self.path, 0) + 1
                status, headers, body = host.routes.get(self.path, (404, {}, b""))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if host.declare_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)  # HTTP/1.0: without Content-Length, the body ends when the host closes

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def path(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.path(name)}"

    def serve(self, name: str, body: bytes, status: int = 200, headers: dict | None = None) -> str:
        self.routes[self.path(name)] = (status, headers or {}, body)
        return self.url(name)


@pytest.fixture
def crl_host():
    host = CrlHost()
    host.thread.start()
    yield host
    host.httpd.shutdown()
    host.httpd.server_close()
    host.thread.join()


@pytest.fixture(autouse=True)
def _only_configured_crls(settings):
    cache.clear()
    settings.PKI_TEST_CA_ENABLED = False
    settings.PKI_CRLS = []
    settings.PKI_CRL_CACHE_SECONDS = 3600
    settings.PKI_CRL_FETCH_TIMEOUT = 2


def crl_bytes(test_pki, name="issuing-ca.crl") -> bytes:
    return (test_pki.directory / name).read_bytes()


def test_a_crl_url_is_fetched_once_while_its_bytes_are_cached(settings, test_pki, crl_host):
    settings.PKI_CRLS = [crl_host.serve("issuing-ca.crl", crl_bytes(test_pki))]

    first, second = sources.crls(), sources.crls()

    assert crl_host.hits == {crl_host.path("issuing-ca.crl"): 1}
    assert len(first) == 1
    assert second[0] is first[0]  # not parsed again either
    assert first[0]["tbs_cert_list"]["revoked_certificates"].native  # lists token "revoked"


def test_a_crl_fetched_again_with_the_same_bytes_is_not_parsed_again(settings, test_pki, crl_host):
    settings.PKI_CRLS = [crl_host.serve("issuing-ca.crl", crl_bytes(test_pki))]
    settings.PKI_CRL_CACHE_SECONDS = 60

    with freeze_time("2025-03-01 08:00:00") as frozen:
        first = sources.crls()
        frozen.tick(timedelta(seconds=61))  # the cached bytes have expired
        second = sources.crls()

    assert crl_host.hits[crl_host.path("issuing-ca.crl")] == 2
    assert second[0] is first[0]


def test_a_crl_whose_bytes_changed_is_parsed_again(settings, test_pki, crl_host):
    url = crl_host.serve("ca.crl", crl_bytes(test_pki, "root-ca.crl"))
    settings.PKI_CRLS = [url]
    settings.PKI_CRL_CACHE_SECONDS = 60

    with freeze_time("2025-03-01 08:00:00") as frozen:
        [before] = sources.crls()
        crl_host.serve("ca.crl", crl_bytes(test_pki, "issuing-ca.crl"))  # the CA published a new CRL
        frozen.tick(timedelta(seconds=61))
        [after] = sources.crls()

    assert after is not before
    assert after.dump() == crl_bytes(test_pki, "issuing-ca.crl")


def test_a_crl_host_that_fails_is_not_asked_again_for_a_minute(settings, crl_host):
    settings.PKI_CRLS = [crl_host.serve("issuing-ca.crl", b"", status=503)]

    with freeze_time("2025-03-01 08:00:00") as frozen:
        assert sources.crls() == []
        frozen.tick(timedelta(seconds=59))
        assert sources.crls() == []
        assert crl_host.hits[crl_host.path("issuing-ca.crl")] == 1
        frozen.tick(timedelta(seconds=2))
        assert sources.crls() == []
        assert crl_host.hits[crl_host.path("issuing-ca.crl")] == 2


def test_an_answer_that_is_not_a_crl_is_not_fetched_again_for_a_minute(settings, crl_host):
    settings.PKI_CRLS = [crl_host.serve("issuing-ca.crl", b"<html>maintenance</html>")]

    assert sources.crls() == []
    assert sources.crls() == []
    assert crl_host.hits[crl_host.path("issuing-ca.crl")] == 1


def test_a_crl_host_that_recovers_is_used_once_the_minute_is_over(settings, test_pki, crl_host):
    url = crl_host.serve("issuing-ca.crl", b"", status=503)
    settings.PKI_CRLS = [url]

    with freeze_time("2025-03-01 08:00:00") as frozen:
        assert sources.crls() == []
        crl_host.serve("issuing-ca.crl", crl_bytes(test_pki))
        frozen.tick(timedelta(seconds=61))
        assert len(sources.crls()) == 1


def test_a_redirect_on_the_same_scheme_is_followed(settings, test_pki, crl_host):
    target = crl_host.serve("issuing-ca.crl", crl_bytes(test_pki))
    settings.PKI_CRLS = [crl_host.serve("moved.crl", b"", status=301, headers={"Location": target})]

    [fetched] = sources.crls()

    assert fetched.dump() == crl_bytes(test_pki)


def test_a_redirect_to_another_scheme_is_not_followed(settings, crl_host):
    with socket.socket() as https_host:  # would see the connection if the redirect were followed
        https_host.bind(("127.0.0.1", 0))
        https_host.listen(1)
        https_host.setblocking(False)
        elsewhere = f"https://127.0.0.1:{https_host.getsockname()[1]}/issuing-ca.crl"
        settings.PKI_CRLS = [crl_host.serve("moved.crl", b"", status=302, headers={"Location": elsewhere})]
        settings.PKI_CRL_FETCH_TIMEOUT = 0.5

        assert sources.crls() == []
        with pytest.raises(BlockingIOError):
            https_host.accept()


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_crl_bigger_than_the_cap_is_refused(settings, test_pki, crl_host, declared):
    crl_host.declare_length = declared
    body = crl_bytes(test_pki)
    settings.PKI_CRLS = [crl_host.serve("issuing-ca.crl", body)]
    settings.PKI_CRL_MAX_BYTES = len(body) - 1

    assert sources.crls() == []


def test_a_crl_of_exactly_the_cap_is_accepted(settings, test_pki, crl_host):
    crl_host.declare_length = False
    body = crl_bytes(test_pki)
    settings.PKI_CRLS = [crl_host.serve("issuing-ca.crl", body)]
    settings.PKI_CRL_MAX_BYTES = len(body)

    assert len(sources.crls()) == 1


def test_proxies_of_the_environment_are_not_used(settings, test_pki, crl_host, monkeypatch):
    with socket.socket() as closed:  # a proxy address nothing listens on
        closed.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{closed.getsockname()[1]}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings.PKI_CRLS = [crl_host.serve("issuing-ca.crl", crl_bytes(test_pki))]

    assert len(sources.crls()) == 1
    assert crl_host.hits[crl_host.path("issuing-ca.crl")] == 1
