import pytest

from opendvc.catalog.models import Procedure
from opendvc.dossiers.eforms.demo import definitions
from opendvc.dossiers.eforms.schema import InvalidDefinition, check_definition, load_definition
from opendvc.dossiers.eforms.tests.sample import sample, valid

APPLICANT_KEYS = {"full_name", "id_number", "date_of_birth", "gender", "address", "phone", "email"}


def field(step: int, key: str, schema: dict) -> dict:
    return next(f for f in schema["steps"][step]["fields"] if f["key"] == key)


def problems_after(change) -> list[str]:
    schema = sample()
    change(schema)
    return check_definition(schema)


def test_the_sample_definition_has_no_problems():
    assert check_definition(sample()) == []


def test_there_are_at_least_fifteen_demo_definitions_each_without_problems():
    demo = definitions()
    assert len(demo) >= 15
    assert {code: check_definition(schema) for code, schema in demo.items()} == {code: [] for code in demo}


@pytest.mark.parametrize("code", sorted(definitions()))
def test_each_demo_definition_has_steps_conditions_applicant_prefill_and_files(code):
    schema = definitions()[code]
    spec = load_definition(schema)
    everything = list(spec.fields(nested=True))
    assert schema["procedure"] == code and len(spec.steps) >= 2
    assert any(f.when is not None for f in everything)
    prefilled = {
        f.key for f in spec.fields() if any(s.startswith(("registry.", "profile.")) for s in f.prefill)
    }
    assert APPLICANT_KEYS - {"email", "address", "phone"} <= prefilled
    assert any(f.type == "file" for f in everything)


@pytest.mark.django_db
def test_demo_definitions_belong_to_catalogue_procedures_and_their_document_slots():
    for code, schema in definitions().items():
        procedure = Procedure.objects.get(code=code)
        positions = set(procedure.documents.values_list("position", flat=True))
        slots = {f.document for f in load_definition(schema).fields(nested=True) if f.type == "file"}
        assert slots and slots <= positions, (code, slots, positions)


def test_an_unknown_field_type_is_a_problem():
    problems = problems_after(lambda s: field(0, "phone", s).update(type="telephone"))
    assert any("telephone" in p for p in problems)


def test_a_misspelt_attribute_is_a_problem():
    problems = problems_after(lambda s: field(0, "phone", s).update(requried=True))
    assert any("requried" in p for p in problems)


def test_duplicate_keys_across_steps_are_a_problem():
    problems = problems_after(
        lambda s: s["steps"][1]["fields"].append({"key": "phone", "type": "text", "label_vi": "X"})
    )
    assert any("phone" in p and "trùng" in p for p in problems)


def test_duplicate_step_keys_and_choice_values_are_problems():
    def change(schema):
        schema["steps"][2]["key"] = "details"
        field(0, "gender", schema)["choices"].append({"value": "male", "label_vi": "Nam nữa"})

    problems = problems_after(change)
    assert any("details" in p and "trùng" in p for p in problems)
    assert any("male" in p and "trùng" in p for p in problems)


def test_a_condition_on_a_missing_field_is_a_problem():
    problems = problems_after(
        lambda s: field(1, "purpose_other", s).update(when={"field": "nope", "equals": "x"})
    )
    assert any("nope" in p for p in problems)


def test_a_condition_on_a_later_step_is_a_problem():
    problems = problems_after(
        lambda s: field(0, "occupation", s).update(when={"field": "purpose", "equals": "work"})
    )
    assert any("occupation" in p and "bước" in p for p in problems)


def test_a_condition_with_a_value_that_is_not_a_choice_is_a_problem():
    problems = problems_after(
        lambda s: field(1, "purpose_other", s).update(when={"field": "purpose", "equals": "x"})
    )
    assert any("«x»" in p for p in problems)


def test_a_cycle_of_conditions_is_a_problem():
    def change(schema):
        field(1, "purpose", schema)["when"] = {"field": "purpose_other", "equals": "a"}

    assert any("vòng lặp" in p for p in problems_after(change))


def test_is_true_needs_a_yes_no_field():
    problems = problems_after(
        lambda s: field(1, "purpose_other", s).update(when={"field": "purpose", "is_true": True})
    )
    assert any("is_true" in p for p in problems)


def test_a_repeatable_group_inside_a_repeatable_group_is_a_problem():
    def change(schema):
        children = field(1, "children", schema)
        children["fields"].append(
            {
                "key": "pets",
                "type": "group",
                "label_vi": "Vật nuôi",
                "repeatable": True,
                "fields": [{"key": "name", "type": "text", "label_vi": "Tên"}],
            }
        )

    assert any("lặp lại" in p for p in problems_after(change))


def test_bad_prefill_sources_and_prefill_inside_repeatable_groups_are_problems():
    def change(schema):
        field(0, "phone", schema)["prefill"] = "carrier.phone"
        field(1, "children", schema)["fields"][0]["prefill"] = "profile.full_name"

    problems = problems_after(change)
    assert any("carrier.phone" in p for p in problems)
    assert any("nhóm lặp lại" in p for p in problems)


def test_a_document_slot_used_twice_and_a_bad_pattern_are_problems():
    def change(schema):
        field(2, "power_of_attorney", schema)["document"] = 2
        field(1, "code", schema)["pattern"] = "(["

    problems = problems_after(change)
    assert any("số 2" in p for p in problems)
    assert any("pattern" in p for p in problems)


def test_an_invalid_default_and_min_above_max_are_problems():
    def change(schema):
        field(1, "copies", schema)["default"] = "nhiều"
        field(1, "area", schema).update(min=10, max=5)

    problems = problems_after(change)
    assert any("mặc định" in p for p in problems)
    assert any("min" in p for p in problems)


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "x",
        3,
        {"steps": None},
        {"steps": [None, 1, "a"]},
        {
            "version": 1,
            "title_vi": "T",
            "steps": [
                {
                    "key": "a",
                    "title_vi": "A",
                    "fields": [
                        None,
                        {"key": 5},
                        {"key": "x", "type": "group", "label_vi": "G", "fields": "no"},
                        {"key": "y", "type": "choice", "choices": [1]},
                    ],
                }
            ],
        },
    ],
)
def test_check_definition_reports_garbage_instead_of_raising(garbage):
    assert check_definition(garbage)


def test_load_definition_refuses_a_definition_with_problems():
    schema = sample()
    schema["steps"][0]["fields"][0]["type"] = "nope"
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(schema)
    assert caught.value.problems


def test_the_spec_gives_steps_by_key_and_fields_in_order():
    spec = load_definition(sample())
    assert spec.step_keys == ["applicant", "details", "documents"]
    assert spec.step("details").title == "Nội dung"
    assert spec.next_step("applicant").key == "details" and spec.previous_step("applicant") is None
    assert [f.key for f in spec.fields()][:3] == ["full_name", "date_of_birth", "gender"]
    assert "children.relationship_other" in [f.path for f in spec.fields(nested=True)]
    assert spec.field("children.2.full_name").label == "Họ và tên con"
    assert spec.step_of("children.0.full_name").key == "details"
    assert spec.step("documents").has_files and not spec.step("applicant").has_files
    with pytest.raises(KeyError):
        spec.step("missing")


def test_visible_fields_leave_out_fields_whose_condition_is_false():
    spec = load_definition(sample())
    hidden = {f.key for f in spec.fields()} - {f.key for f in spec.visible_fields(valid())}
    assert hidden == {"purpose_other", "children", "power_of_attorney"}
    shown = {f.key for f in spec.visible_fields(valid(purpose="other", has_children="yes"))}
    assert {"purpose_other", "children", "power_of_attorney"} <= shown
