"""A carrier's mobile-signature service on 127.0.0.1, speaking the protocol `HttpMobileSignatureService`
expects (docs/pki.md). For tests of the HTTP adapter, and for trying the adapter locally.

    with CarrierSignatureServer(api_key="k") as server:       # a free port, in a daemon thread
        service = HttpMobileSignatureService(server.url, "k", timeout=2, retries=1, backoff=0)
        request_id = service.request_signature("0987654321", b"challenge", "Đăng nhập")
        server.approve(request_id)                            # the phone's owner agrees
        server.fail_next(1)                                   # the next answer is a 503
        server.drop_next(1)                                   # the next connection closes unanswered
        server.hang_next(1)                                   # the next answer never comes (timeout)

The SIMs are the test PKI's SIM tokens unless `sign` (phone, data) -> (cms, certificate) and
`subscribers` (a set of phones) say otherwise. `received` lists every request (method, path, headers).
"""

import base64
import binascii
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _test_pki_signer(phone: str, data: bytes) -> tuple[bytes, bytes]:
    from opendvc.identity.pki.signer import sign_detached
    from opendvc.identity.pki.testca import ensure_test_pki

    token = ensure_test_pki().sim_token_for_phone(phone)
    return sign_detached(data, token.id)


def _test_pki_subscribed(phone: str) -> bool:
    from opendvc.identity.pki.testca import ensure_test_pki

    return ensure_test_pki().sim_token_for_phone(phone) is not None


HANG_LIMIT = 30.0  # seconds a hanging answer waits at most (leaving the `with` block releases it at once)


class CarrierSignatureServer:
    def __init__(self, *, api_key: str = "", sign=None, subscribers: set[str] | None = None):
        self.api_key = api_key
        self.sign = sign or _test_pki_signer
        self.subscribers = subscribers
        self.requests: dict[str, dict] = {}
        self.received: list[tuple[str, str, dict]] = []
        self._failures: list[int | str] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    # --- what a test does to the carrier ----------------------------------------------------------

    def fail_next(self, count: int = 1, *, status: int = 503) -> None:
        """The next `count` requests are answered `status`."""
        with self._lock:
            self._failures.extend([status] * count)

    def drop_next(self, count: int = 1) -> None:
        """The next `count` connections are closed without an answer."""
        with self._lock:
            self._failures.extend(["drop"] * count)

    def hang_next(self, count: int = 1) -> None:
        """The next `count` requests get no answer until the client gives up (its timeout)."""
        with self._lock:
            self._failures.extend(["hang"] * count)

    def approve(self, request_id: str) -> None:
        with self._lock:
            request = self.requests[request_id]
        signature, certificate = self.sign(request["phone"], request["data"])
        with self._lock:
            request.update(state="approved", signature=signature, certificate=certificate)

    def refuse(self, request_id: str) -> None:
        with self._lock:
            self.requests[request_id]["state"] = "refused"

    def expire(self, request_id: str) -> None:
        with self._lock:
            self.requests[request_id]["state"] = "expired"

    # --- the protocol ------------------------------------------------------------------------------

    def _subscribed(self, phone: str) -> bool:
        return phone in self.subscribers if self.subscribers is not None else _test_pki_subscribed(phone)

    def _create(self, body: dict, idempotency_key: str) -> tuple[int, dict]:
        try:
            phone, message = body["phone"], body["message"]
            data = base64.b64decode(body["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            return 400, {"error": "bad_request"}
        if not self._subscribed(phone):
            return 422, {"error": "not_subscribed"}
        with self._lock:
            for request_id, request in self.requests.items():
                if idempotency_key and request["idempotency_key"] == idempotency_key:
                    return 201, {"id": request_id}  # a retried POST: the same request, not a second one
            request_id = secrets.token_urlsafe(16)
            self.requests[request_id] = {
                "phone": phone,
                "data": data,
                "message": message,
                "state": "pending",
                "idempotency_key": idempotency_key,
            }
        return 201, {"id": request_id}

    def _status(self, request_id: str) -> tuple[int, dict]:
        with self._lock:
            request = self.requests.get(request_id)
            if request is None:
                return 404, {"error": "not_found"}
            answer = {"state": request["state"]}
            if request["state"] == "approved":
                answer["signature"] = base64.b64encode(request["signature"]).decode()
                answer["certificate"] = base64.b64encode(request["certificate"]).decode()
        return 200, answer

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet in tests
                pass

            def _answer(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _before(self) -> bool:
                server.received.append((self.command, self.path, dict(self.headers)))
                with server._lock:
                    failure = server._failures.pop(0) if server._failures else None
                if failure == "hang":
                    server._stopping.wait(HANG_LIMIT)
                if failure in ("drop", "hang"):
                    self.close_connection = True  # no answer at all
                    return False
                if failure is not None:
                    self._answer(failure, {"error": "unavailable"})
                    return False
                if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    self._answer(401, {"error": "unauthorized"})
                    return False
                return True

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not self._before():
                    return
                if self.path != "/signature-requests":
                    return self._answer(404, {"error": "not_found"})
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._answer(400, {"error": "bad_request"})
                self._answer(*server._create(body, self.headers.get("Idempotency-Key", "")))

            def do_GET(self):
                if not self._before():
                    return
                prefix = "/signature-requests/"
                if not self.path.startswith(prefix):
                    return self._answer(404, {"error": "not_found"})
                self._answer(*server._status(self.path[len(prefix) :]))

        return Handler
