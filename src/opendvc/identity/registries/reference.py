"""Local reference adapters of the population, carrier and social-insurance registries.

They answer from a JSON file of invented demo people (`demo/people.json` by default; who demonstrates
what is listed in docs/identity-registries.md) and behave like the real registries: numbers are accepted in
any common form, the population registry also finds a person by their old 9-digit ID number, unknown or
unregistered numbers give None, and an outage raises `RegistryUnavailable` — for the whole registry
(`down=True`) or for one person, number or social-insurance record (`"simulate": "unavailable"` in the file).

The file (parsed once per path, then cached):

- `people[]`: `id_number` (12 digits), `old_id_number` (9 digits, optional), `full_name`, `date_of_birth`
  (ISO 8601), `gender` ("male" | "female"), `address`, `deceased` (optional), `simulate` (optional),
  `purpose`, and
  - `phones[]`: `phone`, `carrier`, and optionally `registered_with` (the ID the carrier registered the
    number to, when it is not the 12-digit ID: usually the old ID number), `full_name` and `date_of_birth`
    (what the carrier holds when it differs from the population registry; `null` = no date of birth),
    `simulate`;
  - `social_insurance`: `number` (10 digits), `phone`, and optionally `id_number` (when social insurance
    knows the person by another ID, e.g. the old one), `full_name`, `simulate`.
- `subscribers[]`: numbers registered to someone who is not in `people` (or to a person other than the one
  using it): `phone`, `carrier`, `id_number`, `full_name`, `date_of_birth`, `purpose`, `simulate`.
- `unregistered_phones[]`: numbers no carrier has registered to anyone.

Every carrier number appears once in the file (`social_insurance.phone` refers to a number, it may repeat
one). A file that breaks these rules is refused with `ImproperlyConfigured` saying where.
"""

import json
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from opendvc.core.personal_data import digits, is_id_number, is_social_insurance_number, normalize_phone
from opendvc.identity.registries.base import InsuredPerson, PersonRecord, RegistryUnavailable, Subscriber

DEMO_DATA_FILE = Path(__file__).resolve().parent.parent / "demo" / "people.json"

POPULATION, CARRIER, SOCIAL_INSURANCE = "population", "carrier", "social_insurance"
CARRIERS = ("viettel", "vinaphone", "mobifone")
GENDERS = ("male", "female")
SIMULATIONS = ("unavailable",)

_PERSON_KEYS = {
    "id_number", "old_id_number", "full_name", "date_of_birth", "gender", "address", "deceased",
    "phones", "social_insurance", "simulate", "purpose",
}  # fmt: skip
_PHONE_KEYS = {"phone", "carrier", "registered_with", "full_name", "date_of_birth", "simulate"}
_INSURANCE_KEYS = {"number", "phone", "id_number", "full_name", "simulate"}
_SUBSCRIBER_KEYS = {"phone", "carrier", "id_number", "full_name", "date_of_birth", "simulate", "purpose"}
_FILE_KEYS = {"about", "people", "subscribers", "unregistered_phones"}


@dataclass(frozen=True)
class ReferenceData:
    """The parsed demo file: records by lookup key, and the keys whose lookups simulate an outage."""

    people: tuple[PersonRecord, ...]  # in file order
    persons_by_id: Mapping[str, PersonRecord]  # by 12-digit ID and by old 9-digit ID number
    subscribers: Mapping[str, Subscriber]  # by phone, national form
    insured: Mapping[str, InsuredPerson]  # by social-insurance number
    unregistered_phones: frozenset[str]
    unavailable: frozenset[tuple[str, str]]  # (registry, key)


def id_number_key(value: str) -> str:
    """The digits of an ID number typed with spaces, dots or dashes; '' when it is not a 12- or 9-digit ID."""
    number = digits(value)
    return number if is_id_number(number) else ""


def social_insurance_key(value: str) -> str:
    number = digits(value)
    return number if is_social_insurance_number(number) else ""


def load_reference_data(data_file: str | Path | None = None) -> ReferenceData:
    """The demo data of `data_file` (default: the shipped demo people), parsed once and cached."""
    return _load(str(Path(data_file or DEMO_DATA_FILE).resolve()))


@lru_cache(maxsize=8)
def _load(path: str) -> ReferenceData:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Reference registry data {path}: {exc}") from exc
    return _Parser(path).parse(document)


class _Parser:
    def __init__(self, path: str):
        self.path = path
        self.people: list[PersonRecord] = []
        self.persons_by_id: dict[str, PersonRecord] = {}
        self.subscribers: dict[str, Subscriber] = {}
        self.insured: dict[str, InsuredPerson] = {}
        self.unavailable: set[tuple[str, str]] = set()
        self.phones_seen: set[str] = set()

    def fail(self, where: str, problem: str) -> NoReturn:
        raise ImproperlyConfigured(f"Reference registry data {self.path}, {where}: {problem}")

    def parse(self, document) -> ReferenceData:
        if not isinstance(document, dict):
            self.fail("top level", "expected an object")
        self.check_keys("top level", document, _FILE_KEYS)
        for index, entry in enumerate(self.list_of(document, "people", "top level")):
            self.person(f"people[{index}]", entry)
        for index, entry in enumerate(self.list_of(document, "subscribers", "top level")):
            self.subscriber(f"subscribers[{index}]", entry)
        unregistered = set()
        for index, value in enumerate(self.list_of(document, "unregistered_phones", "top level")):
            unregistered.add(self.carrier_phone(f"unregistered_phones[{index}]", value))
        return ReferenceData(
            people=tuple(self.people),
            persons_by_id=MappingProxyType(self.persons_by_id),
            subscribers=MappingProxyType(self.subscribers),
            insured=MappingProxyType(self.insured),
            unregistered_phones=frozenset(unregistered),
            unavailable=frozenset(self.unavailable),
        )

    # -- entries

    def person(self, where: str, entry):
        self.check_keys(
            where,
            entry,
            _PERSON_KEYS,
            required={"id_number", "full_name", "date_of_birth", "gender", "address"},
        )
        id_number = self.id_number(where, entry["id_number"], length=12)
        where = f"{where} ({id_number})"
        old_id_number = (
            self.id_number(where, entry["old_id_number"], length=9) if "old_id_number" in entry else ""
        )
        gender = entry["gender"]
        if gender not in GENDERS:
            self.fail(where, f"gender must be one of {GENDERS}")
        deceased = entry.get("deceased", False)
        if not isinstance(deceased, bool):
            self.fail(where, "deceased must be true or false")
        person = PersonRecord(
            id_number=id_number,
            full_name=self.text(where, entry["full_name"]),
            date_of_birth=self.iso_date(where, entry["date_of_birth"]),
            gender=gender,
            address=self.text(where, entry["address"]),
            old_id_number=old_id_number,
            deceased=deceased,
        )
        unavailable = self.simulated(where, entry)
        for key in filter(None, (id_number, old_id_number)):
            if key in self.persons_by_id:
                self.fail(where, f"ID number {key} belongs to another person too")
            self.persons_by_id[key] = person
            if unavailable:
                self.unavailable.add((POPULATION, key))
        self.people.append(person)

        phones = entry.get("phones", [])
        if not isinstance(phones, list):
            self.fail(where, "phones must be a list")
        for index, line in enumerate(phones):
            self.person_phone(f"{where}.phones[{index}]", line, person, unavailable)
        if "social_insurance" in entry:
            self.insurance(f"{where}.social_insurance", entry["social_insurance"], person, unavailable)

    def person_phone(self, where: str, line, person: PersonRecord, person_unavailable: bool):
        self.check_keys(where, line, _PHONE_KEYS, required={"phone", "carrier"})
        phone = self.carrier_phone(where, line["phone"])
        registered_with = line.get("registered_with", person.id_number)
        self.subscribers[phone] = Subscriber(
            phone=phone,
            carrier=self.carrier(where, line["carrier"]),
            id_number=self.id_number(where, registered_with),
            full_name=self.text(where, line["full_name"]) if "full_name" in line else person.full_name,
            date_of_birth=self.optional_iso_date(where, line["date_of_birth"])
            if "date_of_birth" in line
            else person.date_of_birth,
        )
        if person_unavailable or self.simulated(where, line):
            self.unavailable.add((CARRIER, phone))

    def insurance(self, where: str, record, person: PersonRecord, person_unavailable: bool):
        self.check_keys(where, record, _INSURANCE_KEYS, required={"number", "phone"})
        number = social_insurance_key(str(record["number"]))
        if number != record["number"]:
            self.fail(where, f"{record['number']!r} is not a 10-digit social-insurance number")
        if number in self.insured:
            self.fail(where, f"social-insurance number {number} belongs to another person too")
        self.insured[number] = InsuredPerson(
            social_insurance_number=number,
            id_number=self.id_number(where, record.get("id_number", person.id_number)),
            full_name=self.text(where, record["full_name"]) if "full_name" in record else person.full_name,
            phone=self.phone(where, record["phone"]),
        )
        if person_unavailable or self.simulated(where, record):
            self.unavailable.add((SOCIAL_INSURANCE, number))

    def subscriber(self, where: str, entry):
        self.check_keys(
            where,
            entry,
            _SUBSCRIBER_KEYS,
            required={"phone", "carrier", "id_number", "full_name", "date_of_birth"},
        )
        phone = self.carrier_phone(where, entry["phone"])
        self.subscribers[phone] = Subscriber(
            phone=phone,
            carrier=self.carrier(where, entry["carrier"]),
            id_number=self.id_number(where, entry["id_number"]),
            full_name=self.text(where, entry["full_name"]),
            date_of_birth=self.optional_iso_date(where, entry["date_of_birth"]),
        )
        if self.simulated(where, entry):
            self.unavailable.add((CARRIER, phone))

    # -- values

    def check_keys(self, where: str, entry, allowed: set[str], required: set[str] = frozenset()):
        if not isinstance(entry, dict):
            self.fail(where, "expected an object")
        if unknown := sorted(set(entry) - allowed):
            self.fail(where, f"unknown fields {unknown} (allowed: {sorted(allowed)})")
        if missing := sorted(required - set(entry)):
            self.fail(where, f"missing fields {missing}")

    def list_of(self, document: dict, key: str, where: str) -> list:
        value = document.get(key, [])
        if not isinstance(value, list):
            self.fail(where, f"{key} must be a list")
        return value

    def text(self, where: str, value) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"expected a non-empty text, got {value!r}")
        return unicodedata.normalize("NFC", value.strip())

    def id_number(self, where: str, value, length: int | None = None) -> str:
        if not isinstance(value, str) or not is_id_number(value) or (length and len(value) != length):
            expected = f"{length}-digit" if length else "12- or 9-digit"
            self.fail(where, f"{value!r} is not a {expected} ID number")
        return value

    def phone(self, where: str, value) -> str:
        phone = normalize_phone(value) if isinstance(value, str) else ""
        if phone != value:
            self.fail(where, f"{value!r} is not a mobile number in national form (10 digits, leading 0)")
        return phone

    def carrier_phone(self, where: str, value) -> str:
        phone = self.phone(where, value)
        if phone in self.phones_seen:
            self.fail(where, f"{phone} appears more than once in the file")
        self.phones_seen.add(phone)
        return phone

    def carrier(self, where: str, value) -> str:
        if value not in CARRIERS:
            self.fail(where, f"carrier must be one of {CARRIERS}, got {value!r}")
        return value

    def iso_date(self, where: str, value) -> date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(where, f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)")

    def optional_iso_date(self, where: str, value) -> date | None:
        return None if value is None else self.iso_date(where, value)

    def simulated(self, where: str, entry: dict) -> bool:
        simulate = entry.get("simulate")
        if simulate is not None and simulate not in SIMULATIONS:
            self.fail(where, f"simulate must be one of {SIMULATIONS}, got {simulate!r}")
        return simulate == "unavailable"


class _ReferenceRegistry:
    registry = ""

    def __init__(self, *, latency: float = 0.0, down: bool = False, data_file: str | Path | None = None):
        """`latency`: seconds each answer takes (the simulated network); `down`: every lookup raises
        RegistryUnavailable; `data_file`: another demo file in the same format."""
        self.latency = max(0.0, float(latency))
        self.down = bool(down)
        self.data = load_reference_data(data_file)

    def _answer(self, key: str, records: Mapping):
        if self.latency:
            time.sleep(self.latency)  # the simulated network round trip, not a test wait
        if self.down:
            raise RegistryUnavailable(self.registry, "the reference registry is set to be down")
        if not key:
            return None
        if (self.registry, key) in self.data.unavailable:
            raise RegistryUnavailable(self.registry, "simulated outage for this record")
        return records.get(key)


class ReferencePopulationRegistry(_ReferenceRegistry):
    """The national population database, from the demo file."""

    registry = POPULATION

    def lookup(self, id_number: str) -> PersonRecord | None:
        """The person with this 12-digit ID or this old 9-digit ID number (spaces and dots are ignored)."""
        return self._answer(id_number_key(id_number), self.data.persons_by_id)


class ReferenceCarrierRegistry(_ReferenceRegistry):
    """The carriers' subscriber registries (Viettel, Vinaphone, Mobifone), from the demo file."""

    registry = CARRIER

    def subscriber(self, phone: str) -> Subscriber | None:
        """The registered owner of a number given in any common form ('+84 912 345 678', '0912345678')."""
        return self._answer(normalize_phone(phone), self.data.subscribers)


class ReferenceSocialInsuranceRegistry(_ReferenceRegistry):
    """The social-insurance registry (BHXH Việt Nam), from the demo file."""

    registry = SOCIAL_INSURANCE

    def lookup(self, social_insurance_number: str) -> InsuredPerson | None:
        return self._answer(social_insurance_key(social_insurance_number), self.data.insured)


REFERENCE_ADAPTERS = {
    POPULATION: f"{__name__}.ReferencePopulationRegistry",
    CARRIER: f"{__name__}.ReferenceCarrierRegistry",
    SOCIAL_INSURANCE: f"{__name__}.ReferenceSocialInsuranceRegistry",
}


def outage(*ports: str) -> dict:
    """`settings.IDENTITY_ADAPTERS` with `ports` bound to a reference adapter that is down, for tests and
    demos: `@override_settings(IDENTITY_ADAPTERS=outage("carrier"))`."""
    unknown = set(ports) - set(REFERENCE_ADAPTERS)
    if unknown:
        raise ValueError(
            f"no reference registry for {sorted(unknown)}; choose from {sorted(REFERENCE_ADAPTERS)}"
        )
    adapters = dict(settings.IDENTITY_ADAPTERS)
    for port in ports:
        adapters[port] = {"class": REFERENCE_ADAPTERS[port], "down": True}
    return adapters
