"""Declare once: answers filled in from what the portal already knows.

A field's `prefill` names one source attribute or a list tried in order: "profile.full_name" (the
account), "registry.date_of_birth" (the national population database), "previous" (the same field in the
applicant's earlier dossier) or "previous.<path>". A value is used only if it is valid for the field.
Registry values are locked (read-only) unless the field says `"locked_when_prefilled": false`; other
sources are locked only with `"locked_when_prefilled": true`. Fields inside repeatable groups are not
prefilled (a whole group may be, from "previous").
"""

import copy
import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opendvc.dossiers.eforms.addresses import AddressBook, default_address_book, parse_address
from opendvc.dossiers.eforms.conditions import value_at
from opendvc.dossiers.eforms.spec import FieldSpec, FormSpec
from opendvc.dossiers.eforms.values import try_clean

SOURCE_LABELS = {
    "profile": gettext_noop("Từ tài khoản"),
    "registry": gettext_noop("Từ Cơ sở dữ liệu quốc gia về dân cư"),
    "previous": gettext_noop("Từ hồ sơ trước"),
}


def origin_label(origin: str) -> str:
    """The label to show, in the active language, for a source name or a stored (Vietnamese) label."""
    for source, label in SOURCE_LABELS.items():
        if origin in (source, label):
            return _(label)
    return str(origin or "")


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _address(value, book: AddressBook) -> tuple[dict | None, bool]:
    """(address value, complete?) from a dict or a one-line address."""
    if isinstance(value, str):
        value = parse_address(value, book) if value.strip() else None
    if not isinstance(value, dict):
        return None, False
    parts = {key: str(value.get(key) or "") for key in ("province", "commune", "detail")}
    if not any(parts.values()):
        return None, False
    provinces = dict(book.provinces())
    communes = dict(book.communes(parts["province"])) if parts["province"] in provinces else {}
    complete = (
        parts["province"] in provinces
        and (parts["commune"] in communes or not communes)
        and bool(parts["detail"])
    )
    return parts, complete


def _value(field: FieldSpec, raw, book: AddressBook) -> tuple[object, bool]:
    """(value to use or None, valid and complete?)."""
    raw = _jsonable(raw)
    if raw is None or raw == "":
        return None, False
    if field.type == "address":
        return _address(raw, book)
    if field.type == "group":
        wanted = list if field.repeatable else dict
        return (copy.deepcopy(raw), True) if isinstance(raw, wanted) and raw else (None, False)
    if field.type == "file":
        return None, False
    cleaned = try_clean(field, raw)
    return (raw, True) if cleaned is not None else (None, False)


def _set(data: dict, path: str, value) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    data[parts[-1]] = value


def _fill(field, sources, book, data, origins, locked) -> None:
    if field.repeat_scope:
        return
    for source in field.prefill:
        name, _dot, attribute = source.partition(".")
        value, complete = _value(
            field, value_at(sources.get(name), (attribute or field.path).split(".")), book
        )
        if value is None:
            continue
        _set(data, field.path, value)
        origins[field.path] = SOURCE_LABELS[name]
        lock = field.locked_when_prefilled
        if complete and (lock is True or (lock is None and name == "registry")):
            locked.add(field.path)
        break
    else:
        if field.default is not None and field.type not in ("group", "file"):
            _set(data, field.path, field.default)
    if field.type == "group" and not field.repeatable:
        for child in field.fields:  # a child's own source wins over a whole group from "previous"
            _fill(child, sources, book, data, origins, locked)


def prefill(
    spec: FormSpec, sources: dict[str, dict], *, addresses: AddressBook | None = None
) -> tuple[dict, dict[str, str], set[str]]:
    """(answers, origin label by path, locked paths) from {"profile": {...}, "registry": {...},
    "previous": {...}}; a missing or empty source is skipped. Defaults fill fields no source answers.

    The origin labels are stored Vietnamese texts ("Từ tài khoản" …): show them through origin_label()."""
    book = addresses or default_address_book()
    sources = {name: value for name, value in (sources or {}).items() if isinstance(value, dict)}
    data: dict = {}
    origins: dict[str, str] = {}
    locked: set[str] = set()
    for top in spec.fields():
        _fill(top, sources, book, data, origins, locked)
    return data, origins, locked


def enforce_locked(data: dict, prefilled: dict, locked) -> dict:
    """A copy of `data` where every locked path holds its prefilled value again, whatever was posted.

    Only answers `data` holds are touched (a step's answers do not gain the locked fields of other steps);
    inside a posted group, a locked field is put back even when the POST left it out."""
    result = copy.deepcopy(data) if isinstance(data, dict) else {}
    for path in locked:
        value = value_at(prefilled, path.split("."))
        if value is not None and path.split(".")[0] in result:
            _set(result, path, copy.deepcopy(value))
    return result
