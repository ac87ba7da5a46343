"""Production adapters: the population, carrier and social-insurance registries over HTTP (JSON).

The protocol (docs/identity-registries.md):

- `GET {base_url}/people/{id_number}` (12-digit ID or old 9-digit ID number) → a `PersonRecord`;
  `GET {base_url}/subscribers/{phone}` (national form, 0xxxxxxxxx) → a `Subscriber`;
  `GET {base_url}/insured/{number}` (10 digits) → an `InsuredPerson`.
- Request headers: `Authorization: Bearer <api_key>`, `Accept: application/json`, `X-Request-ID` (the same
  for every attempt of one lookup).
- 200: a JSON object with the dataclass's field names, dates in ISO 8601 (`YYYY-MM-DD`), strings in UTF-8.
  404 with `{"error": "not_found"}`: the registry does not know the number → None. Any other 404 (a wrong
  base URL answers 404 for everything) is an error, not "not found".
- Connection errors, timeouts, 429 and 5xx are retried `retries` times, waiting `backoff`, 2 × `backoff`,
  … (at most 5 s) between attempts; other 4xx (401/403: wrong key) and 3xx are not retried. An error, an
  answer that is not JSON, has the wrong shape or is about another number raises `RegistryUnavailable`.

A number that cannot be one (wrong length, letters) gives None without asking the registry.
"""

import unicodedata
import uuid
from datetime import date
from urllib.parse import quote

import requests

from opendvc.core.personal_data import (
    digits,
    is_id_number,
    is_social_insurance_number,
    normalize_phone,
)
from opendvc.identity.http_client import JsonHttpClient
from opendvc.identity.registries.base import InsuredPerson, PersonRecord, Subscriber


class _Malformed(Exception):
    """The registry answered, but not in the protocol's shape."""


class _HttpRegistry:
    registry = ""
    path = ""

    def __init__(self, *, base_url: str, **options):
        """`options`: api_key, timeout, retries, backoff, verify, client_cert (see JsonHttpClient)."""
        self.http = JsonHttpClient(name=self.registry, base_url=base_url, **options)

    def _fetch(self, key: str, request_id: str) -> dict | None:
        """The JSON object the registry answers for `key`, None when it does not know it."""
        response = self.http.request("GET", f"/{self.path}/{quote(key, safe='')}", request_id=request_id)
        return self._read(response, request_id)

    def _read(self, response: requests.Response, request_id: str) -> dict | None:
        body = self.http.json_object(response)
        if response.status_code == 404 and body is not None and body.get("error") == "not_found":
            return None
        if response.status_code != 200:
            raise self.http.unavailable(self.http.status_problem(response), request_id)
        if body is None:
            raise self.http.unavailable("the answer is not a JSON object", request_id)
        return body

    def _lookup(self, key: str, parse):
        if not key:
            return None
        request_id = uuid.uuid4().hex
        body = self._fetch(key, request_id)
        if body is None:
            return None
        try:
            return parse(body, key)
        except _Malformed as exc:
            raise self.http.unavailable(f"malformed answer: {exc}", request_id) from None


class HttpPopulationRegistry(_HttpRegistry):
    """The national population database (CSDLQG về dân cư) through its HTTP interface."""

    registry = "population"
    path = "people"

    def lookup(self, id_number: str) -> PersonRecord | None:
        """The person with this 12-digit ID or this old 9-digit ID number; None if the registry has none."""
        number = digits(id_number)
        return self._lookup(number if is_id_number(number) else "", _person)


class HttpCarrierRegistry(_HttpRegistry):
    """The carriers' subscriber data (one endpoint answering for every carrier)."""

    registry = "carrier"
    path = "subscribers"

    def subscriber(self, phone: str) -> Subscriber | None:
        """The registered owner of a number in any common form; None if it is registered to no one."""
        return self._lookup(normalize_phone(phone), _subscriber)


class HttpSocialInsuranceRegistry(_HttpRegistry):
    """The social-insurance registry (BHXH Việt Nam) through its HTTP interface."""

    registry = "social_insurance"
    path = "insured"

    def lookup(self, social_insurance_number: str) -> InsuredPerson | None:
        number = digits(social_insurance_number)
        return self._lookup(number if is_social_insurance_number(number) else "", _insured)


# -- reading the answers: every field checked, so that a wrong answer never passes as a person


def _person(body: dict, key: str) -> PersonRecord:
    record = PersonRecord(
        id_number=_id_number(body, "id_number", lengths=(12,)),
        full_name=_text(body, "full_name"),
        date_of_birth=_date(body, "date_of_birth"),
        gender=_choice(body, "gender", ("male", "female")),
        address=_text(body, "address"),
        old_id_number=_id_number(body, "old_id_number", lengths=(9,), optional=True),
        deceased=_flag(body, "deceased"),
    )
    if key not in (record.id_number, record.old_id_number):
        raise _Malformed("the record is about another ID number")
    return record


def _subscriber(body: dict, key: str) -> Subscriber:
    phone = _text(body, "phone")
    if normalize_phone(phone) != key:
        raise _Malformed("the record is about another phone number")
    return Subscriber(
        phone=key,
        carrier=_text(body, "carrier").lower(),
        id_number=_id_number(body, "id_number", lengths=(12, 9)),
        full_name=_text(body, "full_name"),
        date_of_birth=_date(body, "date_of_birth", optional=True),
    )


def _insured(body: dict, key: str) -> InsuredPerson:
    if _text(body, "social_insurance_number") != key:
        raise _Malformed("the record is about another social-insurance number")
    phone = normalize_phone(_text(body, "phone"))
    if not phone:
        raise _Malformed("phone is not a mobile number")
    return InsuredPerson(
        social_insurance_number=key,
        id_number=_id_number(body, "id_number", lengths=(12, 9)),
        full_name=_text(body, "full_name"),
        phone=phone,
    )


def _text(body: dict, field: str, *, optional: bool = False) -> str:
    value = body.get(field)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not (optional or value.strip()):
        raise _Malformed(f"{field} must be a non-empty string")
    return unicodedata.normalize("NFC", value.strip())


def _id_number(body: dict, field: str, *, lengths: tuple[int, ...], optional: bool = False) -> str:
    value = _text(body, field, optional=optional)
    if optional and not value:
        return ""
    if not (value.isascii() and value.isdigit() and len(value) in lengths):
        raise _Malformed(f"{field} must have {' or '.join(map(str, lengths))} digits")
    return value


def _date(body: dict, field: str, *, optional: bool = False) -> date | None:
    value = body.get(field)
    if value is None and optional:
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise _Malformed(f"{field} must be a date YYYY-MM-DD") from None


def _choice(body: dict, field: str, choices: tuple[str, ...]) -> str:
    value = body.get(field)
    if value not in choices:
        raise _Malformed(f"{field} must be one of {', '.join(choices)}")
    return value


def _flag(body: dict, field: str) -> bool:
    value = body.get(field, False)
    if not isinstance(value, bool):
        raise _Malformed(f"{field} must be true or false")
    return value
