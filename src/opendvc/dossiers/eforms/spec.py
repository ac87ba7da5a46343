"""The loaded form: immutable dataclasses built by `schema.load_definition` from a checked schema dict.

Paths: a field's `path` is the dotted chain of keys from the root ("father.full_name",
"members.relationship"); a value inside a repeatable group has an item index in its concrete path
("members.0.relationship"). `when` conditions and `FormSpec.field()` use the paths without indexes.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

CONDITION_OPS = ("equals", "not_equals", "in", "is_true")


def _pick(vi: str, en: str) -> str:
    if en and (get_language() or "vi").startswith("en"):
        return en
    return vi


@dataclass(frozen=True)
class Choice:
    value: str
    label_vi: str
    label_en: str = ""

    @property
    def label(self) -> str:
        return _pick(self.label_vi, self.label_en)


@dataclass(frozen=True)
class Condition:
    """Show a field only when another field's answer matches (see SCHEMA.md, "Conditions")."""

    field: str  # the path (without indexes) of the field the condition reads
    op: str  # "equals" | "not_equals" | "in" | "is_true"
    value: Any


@dataclass(frozen=True)
class FieldSpec:
    key: str
    type: str
    label_vi: str
    label_en: str = ""
    path: str = ""
    # Keys of the enclosing groups, outermost first, and which of them (if any) is repeatable.
    scope: tuple[str, ...] = ()
    repeat_scope: str = ""
    help_vi: str = ""
    help_en: str = ""
    required: bool = False
    when: Condition | None = None
    choices: tuple[Choice, ...] = ()
    widget: str = ""
    min: Any = None
    max: Any = None
    max_length: int | None = None
    pattern: str = ""
    pattern_message_vi: str = ""
    pattern_message_en: str = ""
    decimals: int = 0
    unit: str = ""
    detail_required: bool = True
    prefill: tuple[str, ...] = ()
    locked_when_prefilled: bool | None = None
    fields: tuple["FieldSpec", ...] = ()
    repeatable: bool = False
    min_items: int = 0
    max_items: int = 10
    item_label_vi: str = ""
    item_label_en: str = ""
    document: int | None = None
    default: Any = None

    @property
    def label(self) -> str:
        return _pick(self.label_vi, self.label_en)

    @property
    def help(self) -> str:
        return _pick(self.help_vi, self.help_en)

    @property
    def item_label(self) -> str:
        return _pick(self.item_label_vi, self.item_label_en) or self.label

    @property
    def pattern_message(self) -> str:
        return _pick(self.pattern_message_vi, self.pattern_message_en)

    @property
    def is_group(self) -> bool:
        return self.type == "group"

    def choice_label(self, value) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return ""

    def walk(self) -> Iterator["FieldSpec"]:
        """This field and every field nested in it, depth first."""
        yield self
        for child in self.fields:
            yield from child.walk()


@dataclass(frozen=True)
class StepSpec:
    key: str
    title_vi: str
    title_en: str = ""
    help_vi: str = ""
    help_en: str = ""
    fields: tuple[FieldSpec, ...] = ()

    @property
    def title(self) -> str:
        return _pick(self.title_vi, self.title_en)

    @property
    def help(self) -> str:
        return _pick(self.help_vi, self.help_en)

    @property
    def has_files(self) -> bool:
        """Whether the step holds a file field (its HTML form then needs enctype="multipart/form-data")."""
        return any(f.type == "file" for top in self.fields for f in top.walk())


@dataclass(frozen=True)
class FormSpec:
    version: int
    title_vi: str
    title_en: str = ""
    procedure: str = ""
    steps: tuple[StepSpec, ...] = ()
    _by_path: dict = field(default_factory=dict, repr=False, compare=False)
    _step_of: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def title(self) -> str:
        return _pick(self.title_vi, self.title_en)

    @property
    def step_keys(self) -> list[str]:
        return [s.key for s in self.steps]

    def step(self, key: str) -> StepSpec:
        """The step with this key; KeyError when there is none."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def next_step(self, key: str) -> StepSpec | None:
        keys = self.step_keys
        position = keys.index(key)
        return self.steps[position + 1] if position + 1 < len(keys) else None

    def previous_step(self, key: str) -> StepSpec | None:
        position = self.step_keys.index(key)
        return self.steps[position - 1] if position > 0 else None

    def fields(self, *, nested: bool = False) -> Iterator[FieldSpec]:
        """The top-level fields of every step in order; with nested=True also the fields inside groups."""
        for step in self.steps:
            for top in step.fields:
                if nested:
                    yield from top.walk()
                else:
                    yield top

    def field(self, path: str) -> FieldSpec:
        """The field at a path; item indexes are ignored ("members.0.full_name" = "members.full_name")."""
        clean = ".".join(part for part in str(path).split(".") if not part.isdigit())
        return self._by_path[clean]

    def has_field(self, path: str) -> bool:
        try:
            self.field(path)
        except KeyError:
            return False
        return True

    def step_of(self, path: str) -> StepSpec:
        """The step holding the field at `path`."""
        return self.step(self._step_of[self.field(path).path.split(".")[0]])

    def visible_fields(self, data: dict) -> list[FieldSpec]:
        """The top-level fields shown for these answers (conditions on hidden or empty fields are false)."""
        from opendvc.dossiers.eforms.conditions import is_visible

        return [f for f in self.fields() if is_visible(self, f, data)]


def prefill_sources(value) -> list | None:
    """A field's `prefill` as a list of sources, or None when it is neither a string nor a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _condition(spec: dict) -> Condition | None:
    when = spec.get("when")
    if not isinstance(when, dict):
        return None
    op = next(op for op in CONDITION_OPS if op in when)
    return Condition(field=when["field"], op=op, value=when[op])


def field_from_schema(spec: dict, scope: tuple, repeat: str, *, lenient: bool = False) -> FieldSpec:
    """The FieldSpec of one checked field dict; `lenient` skips children and condition (to test a default)."""
    kind, key = spec["type"], spec["key"]
    path = ".".join((*scope, key))
    repeatable = spec.get("repeatable") is True
    inner_scope, inner_repeat = (*scope, key), (path if repeatable else repeat)
    children = (
        ()
        if lenient
        else tuple(field_from_schema(c, inner_scope, inner_repeat) for c in spec.get("fields", ()))
    )
    choices = tuple(
        Choice(value=c["value"], label_vi=c["label_vi"], label_en=c.get("label_en", ""))
        for c in spec.get("choices", ())
        if isinstance(c, dict) and "value" in c and "label_vi" in c
    )
    prefill = prefill_sources(spec.get("prefill")) or []
    return FieldSpec(
        key=key, type=kind, path=path, scope=tuple(scope), repeat_scope=repeat,
        label_vi=spec.get("label_vi", key), label_en=spec.get("label_en", ""),
        help_vi=spec.get("help_vi", ""), help_en=spec.get("help_en", ""),
        required=spec.get("required") is True, when=None if lenient else _condition(spec),
        choices=choices, widget=spec.get("widget") or ("radio" if len(choices) <= 6 else "select"),
        min=spec.get("min"), max=spec.get("max"), max_length=spec.get("max_length"),
        pattern=spec.get("pattern", ""), pattern_message_vi=spec.get("pattern_message_vi", ""),
        pattern_message_en=spec.get("pattern_message_en", ""), decimals=spec.get("decimals", 0),
        unit=spec.get("unit", ""), detail_required=spec.get("detail_required", True),
        prefill=tuple(prefill), locked_when_prefilled=spec.get("locked_when_prefilled"),
        fields=children, repeatable=repeatable,
        min_items=spec.get("min_items", 0), max_items=spec.get("max_items", 10),
        item_label_vi=spec.get("item_label_vi", ""), item_label_en=spec.get("item_label_en", ""),
        document=spec.get("document"), default=spec.get("default"),
    )  # fmt: skip
