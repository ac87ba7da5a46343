"""Administrative divisions for address fields: a small port and the reference adapter over divisions.json.

An address value is {"province": code, "commune": code, "detail": "số nhà, đường"}. Validation and
rendering take any object with the `AddressBook` methods, so the national list of administrative units
(or the catalogue's agencies) can replace the shipped demo file without touching the e-form engine.
"""

import json
import re
from functools import cache
from pathlib import Path
from typing import Protocol

from opendvc.core.text import fold

DIVISIONS = Path(__file__).parent / "demo" / "divisions.json"


class AddressBook(Protocol):
    def provinces(self) -> list[tuple[str, str]]:
        """(code, name) of every province and centrally-run city, in display order."""

    def communes(self, province_code: str) -> list[tuple[str, str]]:
        """(code, name) of the communes, wards and special zones of a province; [] when unknown."""

    def name_of(self, code: str) -> str:
        """The name of a province or commune code; "" when unknown."""


class JsonAddressBook:
    """Reads {"provinces": [{"code", "name", "communes": [{"code", "name"}]}]} from a JSON file."""

    def __init__(self, path: Path | str = DIVISIONS):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self._provinces = [(p["code"], p["name"]) for p in data["provinces"]]
        self._communes = {
            p["code"]: [(c["code"], c["name"]) for c in p.get("communes", [])] for p in data["provinces"]
        }
        self._names = dict(self._provinces)
        for communes in self._communes.values():
            self._names.update(communes)

    def provinces(self) -> list[tuple[str, str]]:
        return list(self._provinces)

    def communes(self, province_code: str) -> list[tuple[str, str]]:
        return list(self._communes.get(province_code, []))

    def name_of(self, code: str) -> str:
        return self._names.get(code, "") if isinstance(code, str) else ""


@cache
def default_address_book() -> JsonAddressBook:
    return JsonAddressBook()


def format_address(value, addresses: AddressBook | None = None) -> str:
    """'Số 12 phố Hàng Bông, Phường Hoàn Kiếm, Thành phố Hà Nội' from an address value ('' if empty)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    book = addresses or default_address_book()
    parts = [
        str(value.get("detail") or "").strip(),
        book.name_of(str(value.get("commune") or "")),
        book.name_of(str(value.get("province") or "")),
    ]
    return ", ".join(part for part in parts if part)


_UNIT_WORDS = re.compile(r"^(thanh pho|tinh|phuong|xa|dac khu|tp)\s+")


def _bare(name: str) -> str:
    """'Thành phố Hà Nội' -> 'ha noi', 'phường Hoàn Kiếm' -> 'hoan kiem'."""
    return _UNIT_WORDS.sub("", fold(name)).strip()


def parse_address(text: str, addresses: AddressBook | None = None) -> dict:
    """Best effort: an address value from one line such as a registry's "…, phường Láng, thành phố Hà Nội".

    The last comma-separated part is matched to a province and the one before to one of its communes;
    what cannot be matched stays in "detail" (and the codes stay empty) so that the person completes it.
    """
    book = addresses or default_address_book()
    parts = [p.strip() for p in str(text or "").split(",") if p.strip()]
    value = {"province": "", "commune": "", "detail": ", ".join(parts)}
    if len(parts) < 2:
        return value
    province = next((code for code, name in book.provinces() if _bare(name) == _bare(parts[-1])), "")
    if not province:
        return value
    value["province"] = province
    commune = next((code for code, name in book.communes(province) if _bare(name) == _bare(parts[-2])), "")
    if commune:
        value.update(commune=commune, detail=", ".join(parts[:-2]))
    else:
        value["detail"] = ", ".join(parts[:-1])
    return value
