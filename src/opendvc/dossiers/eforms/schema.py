"""E-form definitions (biểu mẫu điện tử): check a schema dict and load it into a `FormSpec`.

A definition is data (JSON, stored in `dossiers.FormDefinition.schema`), one per procedure and version:

    {"version": 1, "procedure": "1.001193", "title_vi": "Tờ khai đăng ký khai sinh", "title_en": "...",
     "steps": [{"key": "child", "title_vi": "Người được khai sinh", "title_en": "...", "fields": [
        {"key": "full_name", "type": "text", "label_vi": "Họ, chữ đệm và tên", "required": true,
         "prefill": "registry.full_name"},
        {"key": "has_father", "type": "yes_no", "label_vi": "Có thông tin người cha không?"},
        {"key": "father", "type": "group", "label_vi": "Người cha", "when": {"field": "has_father",
         "is_true": true}, "fields": [...]}]}]}

Field types: text, textarea, number, money, date, choice, yes_no, address, id_number, phone, email, group
(optionally repeatable) and file (a required-document slot). Every attribute, the value each type
produces, the conditions and the prefill sources are described in SCHEMA.md next to this module.

`check_definition` lists every problem (it never raises, whatever it is given); `load_definition`
refuses a definition with problems (`InvalidDefinition`) and returns the immutable spec.
"""

from django.utils.translation import gettext as _

from opendvc.dossiers.eforms.checks import FIELD_TYPES, MAX_ITEMS, DefinitionChecker
from opendvc.dossiers.eforms.spec import FieldSpec, FormSpec, StepSpec, field_from_schema

__all__ = ["FIELD_TYPES", "MAX_ITEMS", "FieldSpec", "FormSpec", "InvalidDefinition", "StepSpec"]
__all__ += ["check_definition", "load_definition"]


class InvalidDefinition(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def check_definition(schema: dict) -> list[str]:
    """Every problem of a definition, each as "<where>: <what>" (empty when the definition is usable)."""
    try:
        return DefinitionChecker().run(schema)
    except RecursionError:
        return [_("Định nghĩa biểu mẫu lồng nhau quá sâu")]


def load_definition(schema: dict) -> FormSpec:
    """The spec of a definition; `InvalidDefinition` (with `.problems`) when check_definition finds any."""
    problems = check_definition(schema)
    if problems:
        raise InvalidDefinition(problems)
    steps = tuple(
        StepSpec(
            key=step["key"],
            title_vi=step["title_vi"],
            title_en=step.get("title_en", ""),
            help_vi=step.get("help_vi", ""),
            help_en=step.get("help_en", ""),
            fields=tuple(field_from_schema(f, (), "") for f in step["fields"]),
        )
        for step in schema["steps"]
    )
    by_path = {f.path: f for step in steps for top in step.fields for f in top.walk()}
    step_of = {top.key: step.key for step in steps for top in step.fields}
    return FormSpec(
        version=schema["version"],
        title_vi=schema["title_vi"],
        title_en=schema.get("title_en", ""),
        procedure=schema.get("procedure", ""),
        steps=steps,
        _by_path=by_path,
        _step_of=step_of,
    )
