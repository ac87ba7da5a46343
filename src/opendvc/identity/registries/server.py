"""A local HTTP server that plays the real registries: the reference data over the protocol of `http.py`.

It serves `GET /people/{id}`, `/subscribers/{phone}` and `/insured/{number}` from the reference adapters
(the demo people, or another `data_file`), checks `Authorization: Bearer <api_key>`, and can be told to
misbehave for the next requests — answer 503, hang past the client's timeout, or answer anything — so
that tests exercise the HTTP adapters' timeouts and retries. `manage.py serve_reference_registries` runs
it in the foreground for development.

    with ReferenceRegistryServer(api_key="k") as server:
        registry = HttpPopulationRegistry(base_url=server.url, api_key="k", backoff=0)
        server.fail_next(1)
        registry.lookup("001088012345")  # 503, retried, found
"""

import dataclasses
import hmac
import json
import threading
from collections import deque
from collections.abc import Callable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from opendvc.core.personal_data import mask
from opendvc.identity.registries.base import RegistryUnavailable
from opendvc.identity.registries.reference import (
    ReferenceCarrierRegistry,
    ReferencePopulationRegistry,
    ReferenceSocialInsuranceRegistry,
)

HANG_LIMIT = 30.0  # seconds a hanging answer waits at most (stop() releases it at once)


class ReferenceRegistryServer:
    """The reference registries on `http://{host}:{port}` (port 0: any free port), in a background thread."""

    def __init__(
        self,
        *,
        api_key: str,
        host: str = "127.0.0.1",
        port: int = 0,
        data_file: str | Path | None = None,
        latency: float = 0.0,
        log: Callable[[str], None] | None = None,
    ):
        if not api_key:
            raise ValueError("the reference registry server needs an API key")
        self.api_key = api_key
        self.host = host
        self.port = port
        self.log = log
        options = {"latency": latency, "data_file": data_file}
        self._routes = {
            "people": ReferencePopulationRegistry(**options).lookup,
            "subscribers": ReferenceCarrierRegistry(**options).subscriber,
            "insured": ReferenceSocialInsuranceRegistry(**options).lookup,
        }
        self._lock = threading.Lock()
        self._script: deque[tuple] = deque()
        self._paths: list[str] = []
        self._release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle

    def start(self) -> "ReferenceRegistryServer":
        httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        httpd.daemon_threads = True
        httpd.registry_server = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._release.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="reference-registries",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._release.set()  # answers that hang return now
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> "ReferenceRegistryServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to give the HTTP adapters (the same for the three registries)."""
        return f"http://{self.host}:{self.port}"

    # -- misbehaving on purpose

    def fail_next(self, count: int = 1, *, status: int = 503) -> None:
        """The next `count` requests get `status` (default 503) with `{"error": "unavailable"}`."""
        body = json.dumps({"error": "unavailable"}).encode()
        self._add(count, ("answer", status, body, "application/json"))

    def hang_next(self, count: int = 1) -> None:
        """The next `count` requests get no answer until the server stops (at most HANG_LIMIT seconds)."""
        self._add(count, ("hang",))

    def answer_next(
        self, count: int = 1, *, status: int = 200, body: bytes = b"", content_type: str = "application/json"
    ) -> None:
        """The next `count` requests get exactly this answer (garbage JSON, a wrong shape, a stray 404...)."""
        self._add(count, ("answer", status, body, content_type))

    @property
    def paths(self) -> list[str]:
        """The paths of every request received so far, in order (retries show up as repeats)."""
        with self._lock:
            return list(self._paths)

    def _add(self, count: int, action: tuple) -> None:
        with self._lock:
            self._script.extend([action] * count)

    # -- answering

    def _handle(self, handler: "_Handler") -> None:
        path = urlsplit(handler.path).path
        with self._lock:
            self._paths.append(path)
            action = self._script.popleft() if self._script else None
        if action and action[0] == "answer":
            _, status, body, content_type = action
            return self._send(handler, path, status, body, content_type)
        if action and action[0] == "hang":
            self._release.wait(HANG_LIMIT)
            # The client has given up by now; answer like a slow registry would.
        if not self._authorized(handler.headers.get("Authorization", "")):
            return self._send_json(
                handler, path, 401, {"error": "unauthorized"}, {"WWW-Authenticate": "Bearer"}
            )
        parts = path.strip("/").split("/")
        lookup = self._routes.get(parts[0]) if len(parts) == 2 else None
        if lookup is None:
            return self._send_json(handler, path, 404, {"error": "no_such_endpoint"})
        try:
            record = lookup(unquote(parts[1]))
        except RegistryUnavailable:
            return self._send_json(handler, path, 503, {"error": "unavailable"})
        if record is None:
            return self._send_json(handler, path, 404, {"error": "not_found"})
        return self._send_json(handler, path, 200, _as_json(record))

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.api_key.encode()
        )

    def _send_json(self, handler, path: str, status: int, data: dict, headers: dict | None = None) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(handler, path, status, body, "application/json; charset=utf-8", headers)

    def _send(
        self, handler, path, status, body: bytes, content_type: str, headers: dict | None = None
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left
        if self.log:
            route, _, key = path.strip("/").partition("/")
            self.log(f"{handler.command} /{route}/{mask(unquote(key))} → {status}")


class _Handler(BaseHTTPRequestHandler):
    server_version = "OpenDVC-reference-registries/1"
    timeout = 10  # seconds a connection may sit idle before sending its request

    def do_GET(self):
        self.server.registry_server._handle(self)

    def _refuse(self):
        self.send_error(405, "Method Not Allowed")

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

    def log_message(self, format, *args):
        """Quiet: the server logs each answer itself, with the numbers masked."""


def _as_json(record) -> dict:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in dataclasses.asdict(record).items()
    }
