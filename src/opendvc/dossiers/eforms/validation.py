"""Server-side validation of e-form answers: typed values and field-level Vietnamese messages.

`validate(spec, data)` checks the answers of the whole form, or of one step with `step=`; `data` is always
the answers of the whole form, because a condition may read a field of an earlier step. Hidden fields
(their `when` is false) are neither checked nor kept; unknown keys are ignored; answers of the wrong
type are reported as invalid, never raised.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opendvc.dossiers.eforms.addresses import AddressBook, default_address_book
from opendvc.dossiers.eforms.conditions import is_visible
from opendvc.dossiers.eforms.schema import MAX_ITEMS
from opendvc.dossiers.eforms.spec import FieldSpec, FormSpec
from opendvc.dossiers.eforms.values import (
    Invalid,
    clean_text,
    clean_value,
    is_empty,
    lower_first,
    required_message,
)

MAX_DETAIL = 255


@dataclass
class ValidationResult:
    cleaned: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def validate(
    spec: FormSpec,
    data: dict,
    *,
    step: str | None = None,
    attachments_present=frozenset(),
    addresses: AddressBook | None = None,
) -> ValidationResult:
    """Typed answers (`cleaned`) and messages by dotted path (`errors`, e.g. "members.0.full_name").

    `step` limits the check (and `cleaned`) to one step; KeyError when it is not a step of `spec`.
    `attachments_present` holds the positions (as strings) of required-document slots with a file.
    """
    fields = spec.step(step).fields if step is not None else tuple(spec.fields())
    checker = _Validator(
        spec,
        data if isinstance(data, dict) else {},
        frozenset(str(slot) for slot in attachments_present),
        addresses or default_address_book(),
    )
    cleaned: dict = {}
    for top in fields:
        checker.field(top, checker.data.get(top.key), cleaned, path=top.key, item=None)
    return ValidationResult(cleaned=cleaned, errors=checker.errors)


def _part(raw) -> str:
    """One code of an address value as text ("" for anything that is not a short string or number)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return ""
    return str(raw).strip()[:16]


class _Validator:
    def __init__(self, spec: FormSpec, data: dict, attachments: frozenset, addresses: AddressBook):
        self.spec, self.data, self.attachments, self.addresses = spec, data, attachments, addresses
        self.errors: dict[str, list[str]] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def field(self, spec: FieldSpec, raw, out: dict, *, path: str, item: dict | None) -> None:
        if not is_visible(self.spec, spec, self.data, item):
            return
        if spec.type == "group":
            self.group(spec, raw, out, path=path, item=item)
        elif spec.type == "address":
            self.address(spec, raw, out, path=path)
        elif spec.type == "file":
            if str(spec.document) in self.attachments:
                out[spec.key] = {"document": spec.document}
            elif spec.required:
                self.error(path, required_message(spec))
        elif is_empty(raw):
            if spec.required:
                self.error(path, required_message(spec))
        else:
            try:
                out[spec.key] = clean_value(spec, raw)
            except Invalid as exc:
                self.error(path, exc.message)

    def group(self, spec: FieldSpec, raw, out: dict, *, path: str, item: dict | None) -> None:
        if not spec.repeatable:
            values = raw if isinstance(raw, dict) else {}
            inner: dict = {}
            for child in spec.fields:
                self.field(child, values.get(child.key), inner, path=f"{path}.{child.key}", item=item)
            out[spec.key] = inner
            return
        if is_empty(raw):
            raw = []
        if not isinstance(raw, list):
            self.error(path, _("%(label)s không hợp lệ") % {"label": spec.label})
            return
        item_name = lower_first(spec.item_label)
        if len(raw) > spec.max_items:
            self.error(
                path, _("Chỉ khai được tối đa %(n)d %(item)s") % {"n": spec.max_items, "item": item_name}
            )
            if len(raw) > MAX_ITEMS:
                return
        least = max(spec.min_items, 1 if spec.required else 0)
        if len(raw) < least:
            self.error(path, _("Cần khai ít nhất %(n)d %(item)s") % {"n": least, "item": item_name})
        items = []
        for index, values in enumerate(raw[: spec.max_items]):
            values = values if isinstance(values, dict) else {}
            inner = {}
            for child in spec.fields:
                self.field(
                    child, values.get(child.key), inner, path=f"{path}.{index}.{child.key}", item=values
                )
            items.append(inner)
        out[spec.key] = items

    def address(self, spec: FieldSpec, raw, out: dict, *, path: str) -> None:
        label = spec.label
        if is_empty(raw):
            raw = {}
        if not isinstance(raw, dict):
            self.error(f"{path}.province", _("%(label)s không hợp lệ") % {"label": label})
            return
        province, commune = _part(raw.get("province")), _part(raw.get("commune"))
        try:
            detail = clean_text(raw.get("detail") or "")
        except (TypeError, ValueError):
            detail = None
        if not (province or commune or detail):
            if spec.required:
                self.error(f"{path}.province", _("%(label)s: chọn tỉnh, thành phố") % {"label": label})
            return
        errors_before = len(self.errors)
        provinces = dict(self.addresses.provinces())
        if province not in provinces:
            message = (
                _("%(label)s: chọn tỉnh, thành phố trong danh sách")
                if province
                else _("%(label)s: chọn tỉnh, thành phố")
            )
            self.error(f"{path}.province", message % {"label": label})
        else:
            communes = dict(self.addresses.communes(province))
            if not communes:
                commune = ""  # the list of communes of this province is not known: the detail says it
            elif not commune:
                self.error(f"{path}.commune", _("%(label)s: chọn xã, phường") % {"label": label})
            elif commune not in communes:
                self.error(
                    f"{path}.commune",
                    _("%(label)s: xã, phường đã chọn không thuộc %(province)s")
                    % {"label": label, "province": provinces[province]},
                )
        if detail is None:
            self.error(f"{path}.detail", _("%(label)s: số nhà, đường phố không hợp lệ") % {"label": label})
        elif not detail and spec.detail_required:
            self.error(
                f"{path}.detail",
                _("%(label)s: nhập số nhà, tên đường hoặc thôn, tổ dân phố") % {"label": label},
            )
        elif len(detail) > MAX_DETAIL:
            self.error(
                f"{path}.detail",
                _("%(label)s: số nhà, đường phố không được dài quá %(n)d ký tự")
                % {"label": label, "n": MAX_DETAIL},
            )
        if len(self.errors) == errors_before:
            out[spec.key] = {"province": province, "commune": commune, "detail": detail}
