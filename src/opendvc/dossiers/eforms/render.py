"""HTML for e-forms: one wizard step, the review summary and the error summary (GOV.UK patterns).

`render_step` returns the fields of a step only: the caller's page wraps them in its <form> (with the CSRF
token, enctype="multipart/form-data" when `StepSpec.has_files`, and its own continue/back buttons). Add,
remove and refresh buttons post `action` (see forms_data.apply_action), so everything works without
JavaScript; with htmx the commune list follows the province (`communes_url`, answered by
`render_communes`). A condition on a field of the same step cannot be evaluated before the page is
posted, so such fields are shown with a hint ("Chỉ khai nếu …") and `data-when-*` attributes for a
script that may hide them; conditions on earlier steps are applied on the server.
"""

import datetime
import json
import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from opendvc.dossiers.eforms.addresses import AddressBook, default_address_book, format_address
from opendvc.dossiers.eforms.conditions import is_visible
from opendvc.dossiers.eforms.forms_data import ITEM_MARKER, input_name
from opendvc.dossiers.eforms.prefill import origin_label
from opendvc.dossiers.eforms.spec import FieldSpec, FormSpec
from opendvc.dossiers.eforms.values import format_date, parse_date, parse_yes_no, try_clean

TEMPLATES = "dossiers/eforms"
_INPUT_TYPES = {
    "text": ("text", ""), "number": ("text", "decimal"), "money": ("text", "numeric"), "date": ("date", ""),
    "id_number": ("text", "numeric"), "phone": ("tel", "tel"), "email": ("email", "email"),
}  # fmt: skip
_FIELD_NAME = re.compile(r"^f(-[a-z0-9_]+){1,8}$")


def _money(value) -> str:
    return f"{value:,}".replace(",", ".") if isinstance(value, int) and not isinstance(value, bool) else ""


def _input_value(field: FieldSpec, raw) -> str:
    """What an input shows: typed values in the form a person types them, anything else as it came."""
    if raw is None or isinstance(raw, dict | list):
        return ""
    if field.type == "money" and _money(raw):
        return _money(raw)
    if field.type == "number" and isinstance(raw, float):
        return str(raw).replace(".", ",")
    if field.type == "date":
        try:
            return parse_date(raw).isoformat()
        except (TypeError, ValueError):
            return str(raw)
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return str(raw)


def display_value(field: FieldSpec, raw, addresses: AddressBook | None = None) -> str:
    """An answer as a person reads it ("Nữ", "27/03/2024", "1.500.000 đ"); "" when unanswered."""
    if field.type == "address":
        return format_address(raw, addresses)
    if field.type == "file":
        return _("Đã đính kèm") if raw else ""
    value = try_clean(field, raw)
    if value is None:
        return "" if raw is None or isinstance(raw, dict | list) else str(raw)
    if field.type == "choice":
        return field.choice_label(value) or value
    if field.type == "yes_no":
        return _("Có") if value else _("Không")
    if field.type == "date":
        return format_date(datetime.date.fromisoformat(value))
    if field.type == "money":
        return _money(value) + " đ"
    if field.type == "number":
        text = str(value).replace(".", ",")
        return f"{text} {field.unit}" if field.unit else text
    return str(value)


class _StepRenderer:
    def __init__(self, spec, step, data, errors, origins, locked, addresses, communes_url, attachments):
        self.spec, self.step, self.data = spec, step, data if isinstance(data, dict) else {}
        self.errors = errors or {}
        self.origins, self.locked = origins or {}, set(locked or ())
        self.addresses, self.communes_url = addresses, communes_url
        self.attachments = frozenset(str(a) for a in attachments)
        self.step_paths = {f.path for top in step.fields for f in top.walk()}

    def concrete(self, template_path: str, item_prefix: dict) -> str:
        for scope, prefix in item_prefix.items():
            if template_path.startswith(scope + "."):
                return prefix + template_path[len(scope) :]
        return template_path

    def widgets(self, fields, values: dict, prefix: str, item: dict | None, item_prefix: dict) -> list[dict]:
        out = []
        for field in fields:
            path = f"{prefix}{field.key}"
            when = None
            if field.when is not None:
                if field.when.field in self.step_paths:
                    when = self.when(field, item_prefix)
                elif not is_visible(self.spec, field, self.data, item):
                    continue
            widget = self.widget(field, values.get(field.key), path, item, item_prefix)
            widget["when"] = when
            out.append(widget)
        return out

    def when(self, field: FieldSpec, item_prefix: dict) -> dict:
        ref = self.spec.field(field.when.field)
        op, expected = field.when.op, field.when.value
        shown = self._shown(ref, expected)
        hint = {
            "equals": _("Chỉ khai nếu ở mục «%(ref)s» bạn chọn «%(value)s»"),
            "not_equals": _("Chỉ khai nếu ở mục «%(ref)s» bạn không chọn «%(value)s»"),
            "in": _("Chỉ khai nếu ở mục «%(ref)s» bạn chọn một trong: %(value)s"),
            "is_true": _("Chỉ khai nếu ở mục «%(ref)s» bạn chọn «%(value)s»"),
        }[op] % {"ref": ref.label, "value": shown}
        return {
            "field": input_name(self.concrete(ref.path, item_prefix)),
            "op": op,
            "value": json.dumps(expected, ensure_ascii=False),
            "hint": hint,
        }

    def _shown(self, ref: FieldSpec, expected) -> str:
        values = expected if isinstance(expected, list) else [expected]
        labels = []
        for value in values:
            if ref.type == "yes_no" or isinstance(value, bool):
                labels.append(_("Có") if value else _("Không"))
            else:
                labels.append(ref.choice_label(value) or str(value))
        return ", ".join(labels)

    def widget(self, field: FieldSpec, raw, path: str, item, item_prefix: dict) -> dict:
        name = input_name(path)
        errors = list(self.errors.get(path, []))
        origin = self.origins.get(path)
        widget = {
            "field": field, "type": field.type, "id": name, "name": name, "path": path,
            "label": field.label, "help": field.help, "required": field.required, "errors": errors,
            "hint_id": f"{name}-hint", "error_id": f"{name}-error", "origin_id": f"{name}-origin",
            "origin": origin_label(origin) if origin else "", "locked": path in self.locked,
            "template": f"{TEMPLATES}/widgets/{field.type}.html",
        }  # fmt: skip
        getattr(self, f"w_{field.type}", self.w_input)(widget, field, raw, path, item, item_prefix)
        described = [widget["hint_id"]] if field.help else []
        described += [widget["origin_id"]] if widget["origin"] else []
        described += (
            [f"{name}-when"] if field.when is not None and field.when.field in self.step_paths else []
        )
        described += [widget["error_id"]] if widget["errors"] else []
        widget["describedby"] = " ".join(described)
        return widget

    def w_input(self, widget, field, raw, *_args) -> None:
        input_type, inputmode = _INPUT_TYPES.get(field.type, ("text", ""))
        if field.type == "number" and not field.decimals:
            inputmode = "numeric"
        widget.update(input_type=input_type, inputmode=inputmode, value=_input_value(field, raw))
        widget["template"] = f"{TEMPLATES}/widgets/input.html"
        widget["suffix"] = "đ" if field.type == "money" else field.unit

    def w_textarea(self, widget, field, raw, *_args) -> None:
        widget["value"] = _input_value(field, raw)

    def w_choice(self, widget, field, raw, *_args) -> None:
        current = _input_value(field, raw)
        widget["options"] = [
            {"value": c.value, "label": c.label, "id": f"{widget['id']}-{i}", "checked": c.value == current}
            for i, c in enumerate(field.choices)
        ]
        widget.update(widget_kind=field.widget, display=field.choice_label(current), value=current)

    def w_yes_no(self, widget, field, raw, *_args) -> None:
        try:
            current = parse_yes_no(raw) if raw not in (None, "") else None
        except ValueError:
            current = None
        widget["options"] = [
            {"value": "yes", "label": _("Có"), "id": f"{widget['id']}-yes", "checked": current is True},
            {"value": "no", "label": _("Không"), "id": f"{widget['id']}-no", "checked": current is False},
        ]
        widget["value"] = "" if current is None else ("yes" if current else "no")
        widget["display"] = "" if current is None else (_("Có") if current else _("Không"))
        widget.update(widget_kind="radio", template=f"{TEMPLATES}/widgets/choice.html")

    def w_address(self, widget, field, raw, path, *_args) -> None:
        value = raw if isinstance(raw, dict) else {}
        province, commune = str(value.get("province") or ""), str(value.get("commune") or "")
        book = self.addresses
        widget.update(
            province=province, commune=commune, detail=str(value.get("detail") or ""),
            provinces=book.provinces(), display=format_address(value, book),
            commune_group=commune_group(widget["name"], province, commune, book,
                                        self.errors.get(f"{path}.commune", [])),
            province_errors=self.errors.get(f"{path}.province", []),
            detail_errors=self.errors.get(f"{path}.detail", []),
            communes_url=self.communes_url, hx_vals=json.dumps({"field": widget["name"]}),
        )  # fmt: skip
        widget["errors"] += (
            widget["province_errors"] + widget["commune_group"]["errors"] + widget["detail_errors"]
        )
        shared = ([widget["hint_id"]] if field.help else []) + (
            [widget["origin_id"]] if widget["origin"] else []
        )
        for part in ("province", "detail"):
            own = [f"{widget['name']}-{part}-error"] if widget[f"{part}_errors"] else []
            widget[f"{part}_describedby"] = " ".join(shared + own)

    def w_file(self, widget, field, *_args) -> None:
        widget["attached"] = str(field.document) in self.attachments
        widget["document"] = field.document

    def w_group(self, widget, field, raw, path, item, item_prefix) -> None:
        if not field.repeatable:
            values = raw if isinstance(raw, dict) else {}
            widget["children"] = self.widgets(field.fields, values, f"{path}.", item, item_prefix)
            return
        items = [v if isinstance(v, dict) else {} for v in raw] if isinstance(raw, list) else []
        widget["template"] = f"{TEMPLATES}/widgets/repeatable.html"
        widget["entries"] = []
        for index, values in enumerate(items[: field.max_items]):
            prefix = f"{path}.{index}"
            legend = f"{field.item_label} {index + 1}"
            widget["entries"].append(
                {
                    "id": input_name(prefix), "legend": legend, "marker": input_name(prefix, ITEM_MARKER),
                    "remove": f"remove:{prefix}", "can_remove": len(items) > field.min_items,
                    "children": self.widgets(field.fields, values, prefix + ".", values,
                                             {**item_prefix, field.path: prefix}),
                }
            )  # fmt: skip
        widget["can_add"] = len(items) < field.max_items
        widget["add"] = f"add:{path}"
        widget["item_label"] = (
            field.item_label.lower() if field.item_label[1:2].islower() else field.item_label
        )


def commune_group(name: str, province: str, commune: str, addresses: AddressBook, errors=()) -> dict:
    communes = addresses.communes(province) if province else []
    return {
        "id": f"{name}-commune", "name": f"{name}-commune", "group_id": f"{name}-commune-group",
        "error_id": f"{name}-commune-error", "errors": list(errors), "province": province,
        "options": [{"value": code, "label": label, "selected": code == commune} for code, label in communes],
        "unknown": bool(province) and not communes,
    }  # fmt: skip


def render_step(
    spec: FormSpec, step_key: str, data: dict, errors: dict | None = None, *, origins: dict | None = None,
    locked=frozenset(), addresses: AddressBook | None = None, request=None, communes_url: str | None = None,
    attachments_present=frozenset(), default_action: str | None = "next",
) -> SafeString:  # fmt: skip
    """The fields of one step with their answers, errors (by path), origins and locks.

    `default_action` is posted as `action` when a person presses Enter in a text box: the output starts
    with an invisible submit button for it, so that Enter never means "add" or "remove" (None: no button).
    """
    step = spec.step(step_key)
    renderer = _StepRenderer(
        spec, step, data, errors, origins, locked, addresses or default_address_book(), communes_url,
        attachments_present,
    )  # fmt: skip
    widgets = renderer.widgets(step.fields, renderer.data, "", None, {})
    context = {"step": step, "widgets": widgets, "default_action": default_action}
    html = render_to_string(f"{TEMPLATES}/step.html", context, request=request)
    return SafeString(html)


def render_communes(querydict, addresses: AddressBook | None = None, request=None) -> SafeString:
    """The commune select for the htmx request a province select sends (`field`, `<field>-province`)."""
    name = querydict.get("field") if hasattr(querydict, "get") else None
    if not isinstance(name, str) or not _FIELD_NAME.match(name):
        return SafeString("")
    province = querydict.get(f"{name}-province")
    province = province if isinstance(province, str) and len(province) <= 16 else ""
    group = commune_group(name, province, "", addresses or default_address_book())
    return SafeString(
        render_to_string(f"{TEMPLATES}/widgets/communes.html", {"group": group}, request=request)
    )


def _summary_rows(spec, fields, values, data, item, addresses) -> list[dict]:
    rows = []
    for field in fields:
        if not is_visible(spec, field, data, item):
            continue
        raw = values.get(field.key) if isinstance(values, dict) else None
        if field.type == "group" and field.repeatable:
            entries = [
                {
                    "legend": f"{field.item_label} {i + 1}",
                    "rows": _summary_rows(spec, field.fields, v, data, v, addresses),
                }
                for i, v in enumerate(raw if isinstance(raw, list) else [])
                if isinstance(v, dict)
            ]
            rows.append({"label": field.label, "entries": entries, "repeatable": True})
        elif field.type == "group":
            inner = _summary_rows(
                spec, field.fields, raw if isinstance(raw, dict) else {}, data, item, addresses
            )
            if inner:
                rows.append({"label": field.label, "rows": inner})
        else:
            text = display_value(field, raw, addresses)
            if text:
                rows.append({"label": field.label, "value": text})
    return rows


def render_summary(
    spec: FormSpec,
    data: dict,
    addresses: AddressBook | None = None,
    *,
    change_url: str | None = None,
    request=None,
) -> SafeString:
    """A definition-list summary of the answers, by step, for the review page; `change_url` is a URL
    with "{step}" where the step key goes ("Thay đổi" links)."""
    data = data if isinstance(data, dict) else {}
    book = addresses or default_address_book()
    sections = [
        {
            "step": step,
            "rows": _summary_rows(spec, step.fields, data, data, None, book),
            "change_url": change_url.replace("{step}", step.key) if change_url else "",
        }
        for step in spec.steps
    ]
    html = render_to_string(f"{TEMPLATES}/summary.html", {"sections": sections}, request=request)
    return SafeString(html)


def anchor_for(spec: FormSpec, path: str) -> str:
    """The id of the control an error at `path` links to (the first radio of a choice, the province…)."""
    try:
        field = spec.field(path)
    except KeyError:
        parent, _dot, part = str(path).rpartition(".")
        if part in ("province", "commune", "detail") and spec.has_field(parent):
            return input_name(parent, part)
        return input_name(path)
    if field.type == "choice" and field.widget == "radio":
        return input_name(path, "0")
    if field.type == "yes_no":
        return input_name(path, "yes")
    if field.type == "address":
        return input_name(path, "province")
    return input_name(path)


def error_summary(errors: dict, spec: FormSpec) -> list[tuple[str, str]]:
    """(anchor id, message) for each error, in the order of `errors`, for the summary at the top."""
    return [
        (anchor_for(spec, path), message) for path, messages in (errors or {}).items() for message in messages
    ]
