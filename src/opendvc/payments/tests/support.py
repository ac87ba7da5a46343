"""Test plumbing: HTTP calls of payments (querydr, the simulator's IPNs) served by Django's test client."""

from urllib.parse import urlsplit

import requests
from django.test import Client
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class DjangoClientAdapter(BaseAdapter):
    """A requests transport that hands each request to the Django test client of this process."""

    def __init__(self):
        super().__init__()
        self.client = Client(REMOTE_ADDR="127.0.0.1")
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        if request.method == "GET":
            answer = self.client.get(path)
        else:
            answer = self.client.generic(
                request.method,
                path,
                data=request.body or b"",
                content_type=request.headers.get("Content-Type", "application/octet-stream"),
            )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class FailingAdapter(BaseAdapter):
    """A transport whose every request fails to connect (a gateway that is down)."""

    def send(self, request, **kwargs):
        raise requests.ConnectionError("connection refused")

    def close(self):
        pass


def session_with(adapter) -> requests.Session:
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
