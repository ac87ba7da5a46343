"""What every HTTP adapter of identity shares (registries, mobile signature): one `requests` session
per thread with the bearer key, a timeout per attempt, and retries with a doubling backoff after a
connection error, a timeout, a 429 or a 5xx. Errors never quote the URL: it may hold a personal number.
"""

import json
import logging
import threading
import time
from urllib.parse import urlsplit

import requests

from opendvc.identity.registries.base import RegistryUnavailable

logger = logging.getLogger(__name__)

USER_AGENT = "OpenDVC-identity/1"
MAX_BACKOFF = 5.0  # seconds: never wait longer between two attempts


class JsonHttpClient:
    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        api_key: str = "",
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        verify: bool | str = True,
        client_cert: str | tuple[str, str] | None = None,
    ):
        """`name`: the port (RegistryUnavailable.registry, and logs); `timeout`: seconds to connect
        and for each read; `retries`: further attempts after a connection error, a timeout, a 429 or a
        5xx; `backoff`: seconds before the first retry, doubled for each next one; `verify`: TLS
        verification (True or a CA bundle path); `client_cert`: a client certificate for mutual TLS (a
        PEM path, or (cert, key))."""
        if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
            raise ValueError(f"{name}: base_url must be an http(s) URL, got {base_url!r}")
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.verify = verify
        self.client_cert = client_cert
        self._local = threading.local()  # a Session per thread: requests does not promise thread safety

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
            if self.api_key:
                session.headers["Authorization"] = f"Bearer {self.api_key}"
            session.verify = self.verify
            session.cert = self.client_cert
            session.trust_env = False  # no proxy or .netrc credentials picked up from the environment
            self._local.session = session
        return session

    def request(self, method: str, path: str, *, request_id: str, **kwargs) -> requests.Response:
        """The first answer that is not worth retrying; RegistryUnavailable when every attempt failed.
        A POST carries `request_id` as its Idempotency-Key, so a retry is not a second request."""
        headers = {"X-Request-ID": request_id}
        if method == "POST":
            headers["Idempotency-Key"] = request_id
        attempts = self.retries + 1
        problem = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF))
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.Timeout:
                problem = f"timed out after {self.timeout:g} s"
                continue
            except requests.RequestException as exc:
                problem = f"connection failed ({type(exc).__name__})"  # not str(exc): it holds the URL
                continue
            if response.status_code >= 500 or response.status_code == 429:
                problem = f"HTTP {response.status_code}"
                continue
            return response
        raise self.unavailable(f"{problem} ({attempts} attempt{'s' if attempts > 1 else ''})", request_id)

    def unavailable(self, detail: str, request_id: str) -> RegistryUnavailable:
        logger.warning("%s unavailable: %s [request %s]", self.name, detail, request_id)
        return RegistryUnavailable(self.name, detail)

    @staticmethod
    def json_object(response: requests.Response) -> dict | None:
        """The answer's body as a JSON object; None when it is not JSON or not an object."""
        try:
            body = json.loads(response.content)
        except ValueError:  # UnicodeDecodeError included
            return None
        return body if isinstance(body, dict) else None

    @staticmethod
    def status_problem(response: requests.Response) -> str:
        """What an unexpected status means, for RegistryUnavailable.detail and the logs."""
        if response.status_code in (401, 403):
            return f"HTTP {response.status_code}: the service refused the API key"
        if response.status_code == 404:
            return 'HTTP 404 without {"error": "not_found"}: a wrong base URL?'
        return f"HTTP {response.status_code}"
