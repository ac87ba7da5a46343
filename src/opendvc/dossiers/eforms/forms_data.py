"""Between HTML form fields and e-form answers.

Input names are "f-" and the path with dashes: `f-full_name`, `f-father-full_name`, `f-members-0-full_name`;
an address posts `f-<path>-province`, `-commune` and `-detail`; each item of a repeatable group posts a
marker `f-<path>-<index>-_item`, so that an item whose questions are all unanswered radios survives.
Buttons post `action`: "add:<group path>", "remove:<group path>.<index>" or "refresh:<address path>"
(see `apply_action`). Keys start with a letter, so a dash never appears inside one.
"""

import copy
import re

from opendvc.dossiers.eforms.spec import FieldSpec, FormSpec

PREFIX = "f"
ITEM_MARKER = "_item"
_INDEX = re.compile(r"^\d{1,3}$")


def input_name(path: str, part: str = "") -> str:
    """'members.0.full_name' -> 'f-members-0-full_name'; with part 'province' -> '...-province'."""
    name = "-".join((PREFIX, *str(path).split(".")))
    return f"{name}-{part}" if part else name


def _get(querydict, name: str):
    value = querydict.get(name)
    if isinstance(value, list):  # a plain dict of lists
        value = value[-1] if value else None
    return value if isinstance(value, str) else None


def _indexes(names: list[str], prefix: str, limit: int) -> list[int]:
    found = set()
    for name in names:
        if name.startswith(prefix):
            head = name[len(prefix) :].split("-", 1)[0]
            if _INDEX.match(head):
                found.add(int(head))
    return sorted(found)[:limit]


def _read(field: FieldSpec, querydict, names: list[str], name: str, out: dict) -> None:
    if field.type == "file":
        return  # files are uploaded to the dossier's document slots, not kept in the answers
    if field.type == "address":
        parts = ("province", "commune", "detail")
        out[field.key] = {part: _get(querydict, f"{name}-{part}") or "" for part in parts}
    elif field.type == "group" and field.repeatable:
        items = []
        for index in _indexes(names, f"{name}-", field.max_items + 1):
            item: dict = {}
            for child in field.fields:
                _read(child, querydict, names, f"{name}-{index}-{child.key}", item)
            items.append(item)
        out[field.key] = items
    elif field.type == "group":
        inner: dict = {}
        for child in field.fields:
            _read(child, querydict, names, f"{name}-{child.key}", inner)
        out[field.key] = inner
    else:
        value = _get(querydict, name)
        if value is not None:
            out[field.key] = value


def parse_post(spec: FormSpec, step_key: str, querydict) -> dict:
    """The answers of one step from a POSTed form (a QueryDict or a plain dict), as strings.

    Items of repeatable groups are renumbered from 0 in the order of their indexes; at most
    `max_items + 1` are read (validation reports the one too many)."""
    names = [name for name in querydict if isinstance(name, str) and name.startswith(f"{PREFIX}-")]
    out: dict = {}
    for field in spec.step(step_key).fields:
        _read(field, querydict, names, input_name(field.key), out)
    return out


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _write(field: FieldSpec, value, name: str, out: dict) -> None:
    if field.type == "file" or value is None:
        return
    if field.type == "address":
        value = value if isinstance(value, dict) else {}
        for part in ("province", "commune", "detail"):
            out[f"{name}-{part}"] = _as_text(value.get(part))
    elif field.type == "group" and field.repeatable:
        for index, item in enumerate(value if isinstance(value, list) else []):
            out[f"{name}-{index}-{ITEM_MARKER}"] = "1"
            item = item if isinstance(item, dict) else {}
            for child in field.fields:
                _write(child, item.get(child.key), f"{name}-{index}-{child.key}", out)
    elif field.type == "group":
        value = value if isinstance(value, dict) else {}
        for child in field.fields:
            _write(child, value.get(child.key), f"{name}-{child.key}", out)
    elif not isinstance(value, dict | list):
        out[name] = _as_text(value)


def to_post(spec: FormSpec, step_key: str, data: dict) -> dict[str, str]:
    """The inverse of parse_post: the input names and values that render the answers of one step."""
    out: dict[str, str] = {}
    data = data if isinstance(data, dict) else {}
    for field in spec.step(step_key).fields:
        _write(field, data.get(field.key), input_name(field.key), out)
    return out


def file_inputs(spec: FormSpec, step_key: str) -> dict[str, int]:
    """Input name -> required-document position, for the file fields of a step (uploads go to that slot)."""
    return {
        input_name(f.path): f.document
        for top in spec.step(step_key).fields
        for f in top.walk()
        if f.type == "file" and not f.repeat_scope
    }


def _container(data: dict, parts: list[str]) -> dict | None:
    current = data
    for part in parts:
        current = current.get(part) if isinstance(current, dict) else None
        if current is None:
            return None
    return current if isinstance(current, dict) else None


def apply_action(spec: FormSpec, step_key: str, data: dict, action: str) -> dict | None:
    """The answers after an add / remove / refresh button of `step_key`, or None for any other action
    (e.g. "next", "back"), an unknown path or a full group: the caller then goes on as usual.

    The result is a copy; render it again instead of moving to another step."""
    verb, _sep, path = str(action or "").partition(":")
    if verb not in ("add", "remove", "refresh") or not path:
        return None
    index = None
    if verb == "remove":
        path, _sep, position = path.rpartition(".")
        if not _INDEX.match(position):
            return None
        index = int(position)
    try:
        field = spec.field(path)
    except KeyError:
        return None
    if field.path != path or spec.step_of(path).key != step_key:
        return None
    result = copy.deepcopy(data) if isinstance(data, dict) else {}
    if verb == "refresh":
        return result if field.type == "address" else None
    if not (field.type == "group" and field.repeatable):
        return None
    parent = _container(result, list(field.scope)) if field.scope else result
    if parent is None:
        if verb == "remove":
            return None
        parent = result
        for part in field.scope:
            if not isinstance(parent.get(part), dict):
                parent[part] = {}
            parent = parent[part]
    items = parent.get(field.key)
    items = items if isinstance(items, list) else []
    if verb == "add":
        if len(items) >= field.max_items:
            return None
        parent[field.key] = [*items, {}]
    else:
        if index >= len(items):
            return None
        parent[field.key] = items[:index] + items[index + 1 :]
    return result
