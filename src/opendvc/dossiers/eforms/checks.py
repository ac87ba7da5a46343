"""The checks behind `schema.check_definition`: every problem of a definition, located ("step.field: …").

The checker never raises on what it is given (a definition may come from an official's upload)."""

import re

from django.utils.translation import gettext as _

from opendvc.dossiers.eforms.spec import CONDITION_OPS, field_from_schema, prefill_sources
from opendvc.dossiers.eforms.values import CLEANERS, clean_value, date_bound

FIELD_TYPES = (
    "text", "textarea", "number", "money", "date", "choice", "yes_no", "address",
    "id_number", "phone", "email", "group", "file",
)  # fmt: skip
PREFILL_SOURCES = ("profile", "registry", "previous")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_STEPS, MAX_FIELDS, MAX_DEPTH, MAX_ITEMS = 30, 400, 3, 100
_COMMON = {"key", "type", "label_vi", "label_en", "help_vi", "help_en", "required", "when"}
_PREFILLABLE = {"prefill", "locked_when_prefilled"}
_ATTRIBUTES = {
    "text": _PREFILLABLE | {"max_length", "pattern", "pattern_message_vi", "pattern_message_en", "default"},
    "textarea": _PREFILLABLE | {"max_length", "default"},
    "number": _PREFILLABLE | {"min", "max", "decimals", "unit", "default"},
    "money": _PREFILLABLE | {"min", "max", "default"},
    "date": _PREFILLABLE | {"min", "max"},
    "choice": _PREFILLABLE | {"choices", "widget", "default"},
    "yes_no": _PREFILLABLE | {"default"},
    "address": _PREFILLABLE | {"detail_required"},
    "id_number": _PREFILLABLE,
    "phone": _PREFILLABLE,
    "email": _PREFILLABLE | {"max_length"},
    "group": {"fields", "repeatable", "min_items", "max_items", "item_label_vi", "item_label_en", "prefill"},
    "file": {"document"},
}
_TOP = {"version", "procedure", "title_vi", "title_en", "steps", "about"}
_STEP = {"key", "title_vi", "title_en", "help_vi", "help_en", "fields"}


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class DefinitionChecker:
    def __init__(self):
        self.problems: list[str] = []
        self.index: dict[str, dict] = {}  # path -> {"type", "step", "repeat", "choices"}
        self.conditions: list[tuple[str, str, dict, int, str]] = []  # (where, path, when, step, repeat)
        self.documents: dict[int, str] = {}
        self.count = 0

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def run(self, schema) -> list[str]:
        if not isinstance(schema, dict):
            return [_("Định nghĩa biểu mẫu phải là một đối tượng JSON")]
        for name in sorted(set(schema) - _TOP, key=str):
            self.problem(_("biểu mẫu"), _("thuộc tính «%(name)s» không được hỗ trợ") % {"name": name})
        if not (_int(schema.get("version")) and schema["version"] >= 1):
            self.problem(_("biểu mẫu"), _("«version» phải là số nguyên dương"))
        if not _text(schema.get("title_vi")):
            self.problem(_("biểu mẫu"), _("thiếu «title_vi»"))
        steps = schema.get("steps")
        if not isinstance(steps, list) or not steps:
            self.problem(_("biểu mẫu"), _("«steps» phải là danh sách có ít nhất một bước"))
            return self.problems
        if len(steps) > MAX_STEPS:
            self.problem(_("biểu mẫu"), _("nhiều hơn %(n)d bước") % {"n": MAX_STEPS})
            return self.problems
        step_keys: set[str] = set()
        for number, step in enumerate(steps):
            self.step(number, step, step_keys)
        self.check_conditions()
        return self.problems

    def step(self, number: int, step, step_keys: set) -> None:
        where = f"steps[{number}]"
        if not isinstance(step, dict):
            self.problem(where, _("mỗi bước phải là một đối tượng"))
            return
        key = step.get("key")
        if not (isinstance(key, str) and KEY.match(key)):
            self.problem(where, _("khóa bước phải gồm chữ thường không dấu, chữ số, dấu gạch dưới"))
        elif key in step_keys:
            self.problem(where, _("khóa bước «%(key)s» bị trùng") % {"key": key})
        else:
            step_keys.add(key)
            where = key
        for name in sorted(set(step) - _STEP, key=str):
            self.problem(where, _("thuộc tính «%(name)s» không được hỗ trợ") % {"name": name})
        if not _text(step.get("title_vi")):
            self.problem(where, _("thiếu «title_vi»"))
        fields = step.get("fields")
        if not isinstance(fields, list) or not fields:
            self.problem(where, _("«fields» phải là danh sách có ít nhất một trường"))
            return
        self.fields(fields, where=where, scope=(), repeat="", depth=1, step=number)

    def fields(self, fields: list, *, where: str, scope: tuple, repeat: str, depth: int, step: int) -> None:
        for position, spec in enumerate(fields):
            self.count += 1
            if self.count > MAX_FIELDS:
                if self.count == MAX_FIELDS + 1:
                    self.problem(where, _("nhiều hơn %(n)d trường") % {"n": MAX_FIELDS})
                return
            self.field(
                spec, where=f"{where}.fields[{position}]", scope=scope, repeat=repeat, depth=depth, step=step
            )

    def field(self, spec, *, where: str, scope: tuple, repeat: str, depth: int, step: int) -> None:
        if not isinstance(spec, dict):
            self.problem(where, _("mỗi trường phải là một đối tượng"))
            return
        key, kind = spec.get("key"), spec.get("type")
        if not (isinstance(key, str) and KEY.match(key)):
            self.problem(where, _("khóa trường phải gồm chữ thường không dấu, chữ số, dấu gạch dưới"))
            return
        path = ".".join((*scope, key))
        where = f"{where.rsplit('.fields[', 1)[0]}.{key}"
        if path in self.index:
            self.problem(where, _("khóa trường «%(key)s» bị trùng") % {"key": path})
            return
        if kind not in FIELD_TYPES:
            self.problem(where, _("loại trường «%(type)s» không được hỗ trợ") % {"type": kind})
            return
        choices = spec.get("choices")
        values = [c.get("value") for c in choices if isinstance(c, dict)] if isinstance(choices, list) else []
        self.index[path] = {"type": kind, "step": step, "repeat": repeat, "choices": values}
        for name in sorted(set(spec) - _COMMON - _ATTRIBUTES[kind], key=str):
            self.problem(
                where,
                _("thuộc tính «%(name)s» không dùng được với loại «%(type)s»") % {"name": name, "type": kind},
            )
        if not _text(spec.get("label_vi")):
            self.problem(where, _("thiếu «label_vi»"))
        for name in ("label_en", "help_vi", "help_en", "item_label_vi", "item_label_en", "unit"):
            if name in spec and not isinstance(spec[name], str):
                self.problem(where, _("«%(name)s» phải là chuỗi") % {"name": name})
        for name in ("required", "locked_when_prefilled", "repeatable", "detail_required"):
            if name in spec and not isinstance(spec[name], bool):
                self.problem(where, _("«%(name)s» phải là true hoặc false") % {"name": name})
        if "when" in spec:
            self.conditions.append((where, path, spec["when"], step, repeat))
        self.prefill(spec, where=where, kind=kind, repeat=repeat)
        check_type = getattr(self, f"type_{kind}", None)
        if check_type is not None:
            check_type(spec, where=where, path=path, scope=scope, repeat=repeat, depth=depth, step=step)
        if "default" in spec and kind in CLEANERS:
            try:
                clean_value(field_from_schema(spec, scope, repeat, lenient=True), spec["default"])
            except Exception:  # any failure (Invalid or a bad type) is a problem of the definition
                self.problem(where, _("giá trị mặc định không hợp lệ"))

    def prefill(self, spec, *, where: str, kind: str, repeat: str) -> None:
        if "prefill" not in spec:
            if "locked_when_prefilled" in spec:
                self.problem(where, _("«locked_when_prefilled» chỉ dùng khi có «prefill»"))
            return
        sources = prefill_sources(spec["prefill"])
        if sources is None:
            self.problem(where, _("«prefill» phải là chuỗi hoặc danh sách chuỗi"))
            return
        if repeat:
            self.problem(where, _("không tự điền được trường nằm trong nhóm lặp lại"))
        for source in sources:
            name, _dot, attribute = source.partition(".")
            parts_ok = (
                all(KEY.match(part) or part.isdigit() for part in attribute.split(".")) if attribute else True
            )
            if name not in PREFILL_SOURCES or (name != "previous" and not attribute) or not parts_ok:
                self.problem(where, _("nguồn tự điền «%(source)s» không hợp lệ") % {"source": source})
            elif kind == "group" and name != "previous":
                self.problem(where, _("nhóm chỉ tự điền được từ hồ sơ trước («previous»)"))

    def type_text(self, spec, *, where, **_kwargs) -> None:
        self.length(spec, where)
        pattern = spec.get("pattern")
        if pattern is not None:
            if not isinstance(pattern, str) or len(pattern) > 200:
                self.problem(where, _("«pattern» phải là biểu thức chính quy ngắn"))
            else:
                try:
                    re.compile(pattern)
                except re.error:
                    self.problem(where, _("«pattern» không phải biểu thức chính quy hợp lệ"))

    def type_textarea(self, spec, *, where, **_kwargs) -> None:
        self.length(spec, where)

    type_email = type_textarea

    def length(self, spec, where) -> None:
        if "max_length" in spec and not (_int(spec["max_length"]) and 1 <= spec["max_length"] <= 10_000):
            self.problem(where, _("«max_length» phải là số nguyên từ 1 đến 10000"))

    def type_number(self, spec, *, where, **_kwargs) -> None:
        if "decimals" in spec and not (_int(spec["decimals"]) and 0 <= spec["decimals"] <= 6):
            self.problem(where, _("«decimals» phải là số nguyên từ 0 đến 6"))
        self.range(spec, where, lambda v: isinstance(v, int | float) and not isinstance(v, bool))

    def type_money(self, spec, *, where, **_kwargs) -> None:
        self.range(spec, where, lambda v: _int(v) and v >= 0)

    def type_date(self, spec, *, where, **_kwargs) -> None:
        for name in ("min", "max"):
            if name in spec and date_bound(spec[name]) is None:
                self.problem(
                    where, _("«%(name)s» phải là ngày YYYY-MM-DD hoặc dạng today, today-18y") % {"name": name}
                )

    def range(self, spec, where, valid) -> None:
        for name in ("min", "max"):
            if name in spec and not valid(spec[name]):
                self.problem(where, _("«%(name)s» không hợp lệ") % {"name": name})
                return
        if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
            self.problem(where, _("«min» lớn hơn «max»"))

    def type_choice(self, spec, *, where, **_kwargs) -> None:
        choices = spec.get("choices")
        if not isinstance(choices, list) or not choices:
            self.problem(where, _("«choices» phải là danh sách có ít nhất một lựa chọn"))
            return
        seen = set()
        for choice in choices:
            if not (
                isinstance(choice, dict) and _text(choice.get("value")) and _text(choice.get("label_vi"))
            ):
                self.problem(where, _("mỗi lựa chọn cần «value» và «label_vi»"))
            elif choice["value"] in seen:
                self.problem(where, _("giá trị lựa chọn «%(value)s» bị trùng") % {"value": choice["value"]})
            else:
                seen.add(choice["value"])
        if spec.get("widget", "radio") not in ("radio", "select"):
            self.problem(where, _("«widget» phải là radio hoặc select"))

    def type_file(self, spec, *, where, **_kwargs) -> None:
        document = spec.get("document")
        if not (_int(document) and document >= 1):
            self.problem(where, _("«document» phải là số thứ tự thành phần hồ sơ (từ 1)"))
        elif document in self.documents:
            self.problem(where, _("thành phần hồ sơ số %(n)d đã gắn với trường khác") % {"n": document})
        else:
            self.documents[document] = where

    def type_group(self, spec, *, where, path, scope, repeat, depth, step) -> None:
        repeatable = spec.get("repeatable") is True
        if depth >= MAX_DEPTH:
            self.problem(where, _("nhóm lồng nhau quá %(n)d cấp") % {"n": MAX_DEPTH})
            return
        if repeatable and repeat:
            self.problem(where, _("nhóm lặp lại không được nằm trong nhóm lặp lại khác"))
        low, high = spec.get("min_items", 0), spec.get("max_items", 10)
        if not repeatable and ("min_items" in spec or "max_items" in spec):
            self.problem(where, _("«min_items», «max_items» chỉ dùng cho nhóm lặp lại"))
        elif not (_int(low) and _int(high) and 0 <= low <= high <= MAX_ITEMS and high >= 1):
            self.problem(where, _("cần 0 ≤ min_items ≤ max_items ≤ %(n)d") % {"n": MAX_ITEMS})
        fields = spec.get("fields")
        if not isinstance(fields, list) or not fields:
            self.problem(where, _("nhóm cần «fields» có ít nhất một trường"))
            return
        inner = path if repeatable else repeat
        self.fields(
            fields, where=where, scope=(*scope, spec["key"]), repeat=inner, depth=depth + 1, step=step
        )

    def check_conditions(self) -> None:
        edges: dict[str, str] = {}
        for where, path, when, step, repeat in self.conditions:
            ref = self.condition(where, path, when, step, repeat)
            if ref:
                edges[path] = ref
        for start in edges:
            seen, current = {start}, edges[start]
            while current in edges:
                current = edges[current]
                if current in seen:
                    self.problem(start, _("các điều kiện hiển thị tạo thành vòng lặp"))
                    break
                seen.add(current)

    def condition(self, where, path, when, step, repeat) -> str:
        if not isinstance(when, dict) or not isinstance(when.get("field"), str):
            self.problem(where, _("«when» cần «field» là đường dẫn tới một trường khác"))
            return ""
        ops = [op for op in CONDITION_OPS if op in when]
        if len(ops) != 1 or set(when) - {"field", *CONDITION_OPS}:
            self.problem(where, _("«when» cần đúng một trong equals, not_equals, in, is_true"))
            return ""
        ref_path, op, expected = when["field"], ops[0], when[ops[0]]
        ref = self.index.get(ref_path)
        if ref is None:
            self.problem(where, _("«when» trỏ tới trường không tồn tại «%(ref)s»") % {"ref": ref_path})
            return ""
        if ref_path == path or ref_path.startswith(path + "."):
            self.problem(where, _("«when» không được trỏ tới chính trường này"))
            return ""
        if ref["type"] in ("group", "address", "file"):
            self.problem(where, _("«when» không đọc được trường loại «%(type)s»") % {"type": ref["type"]})
            return ""
        if ref["step"] > step:
            self.problem(where, _("«when» phải trỏ tới trường ở bước này hoặc bước trước"))
        if ref["repeat"] and ref["repeat"] != repeat:
            self.problem(where, _("«when» không đọc được trường của một nhóm lặp lại khác"))
        if op == "is_true" and (ref["type"] != "yes_no" or not isinstance(expected, bool)):
            self.problem(where, _("«is_true» cần trường Có/Không và giá trị true hoặc false"))
        if op == "in" and not (isinstance(expected, list) and expected):
            self.problem(where, _("«in» cần danh sách giá trị"))
        if ref["type"] == "choice":
            wanted = expected if op == "in" and isinstance(expected, list) else [expected]
            for value in wanted:
                if value not in ref["choices"]:
                    self.problem(
                        where,
                        _("«%(value)s» không phải là lựa chọn của «%(ref)s»")
                        % {"value": value, "ref": ref_path},
                    )
        return ref_path
