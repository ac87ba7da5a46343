from django.http import QueryDict

from opendvc.dossiers.eforms.forms_data import apply_action, file_inputs, input_name, parse_post, to_post
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.tests.sample import sample, valid
from opendvc.dossiers.eforms.validation import validate

SPEC = load_definition(sample())


def querydict(pairs: dict) -> QueryDict:
    qd = QueryDict(mutable=True)
    for name, value in pairs.items():
        qd[name] = value
    return qd


def test_input_names_are_the_path_with_dashes():
    assert input_name("children.0.full_name") == "f-children-0-full_name"
    assert input_name("address", "province") == "f-address-province"


def test_a_posted_step_becomes_nested_answers():
    posted = querydict(
        {
            "f-purpose": "other",
            "f-purpose_other": "Du lịch",
            "f-copies": "2",
            "f-capital": "1.500.000",
            "f-has_children": "yes",
            "f-children-0-_item": "1",
            "f-children-0-full_name": "Bé Na",
            "f-children-0-relationship": "child",
            "f-children-3-_item": "1",
            "f-children-3-full_name": "Bé Tí",
            "f-spouse-full_name": "Trần Thị Bình",
            "f-full_name": "not in this step",
            "csrfmiddlewaretoken": "x",
        }
    )
    data = parse_post(SPEC, "details", posted)
    assert data["purpose"] == "other" and data["purpose_other"] == "Du lịch"
    assert data["children"] == [{"full_name": "Bé Na", "relationship": "child"}, {"full_name": "Bé Tí"}]
    assert data["spouse"] == {"full_name": "Trần Thị Bình"}
    assert "full_name" not in data


def test_an_address_posts_three_inputs():
    data = parse_post(
        SPEC, "applicant", querydict({"f-address-province": "01", "f-address-commune": "00070"})
    )
    assert data["address"] == {"province": "01", "commune": "00070", "detail": ""}


def test_to_post_and_parse_post_round_trip_the_answers_of_a_step():
    answers = valid(
        has_children="yes",
        children=[{"full_name": "Bé Na", "relationship": "other", "relationship_other": "Con nuôi"}, {}],
    )
    for step in SPEC.step_keys:
        posted = to_post(SPEC, step, answers)
        parsed = parse_post(SPEC, step, querydict(posted))
        assert to_post(SPEC, step, parsed) == posted
    assert parse_post(SPEC, "details", querydict(to_post(SPEC, "details", answers)))["children"][1] == {}


def test_typed_answers_survive_a_round_trip_through_the_form():
    cleaned = validate(
        SPEC,
        valid(has_children="yes", children=[{"full_name": "Bé", "relationship": "child"}]),
        attachments_present={"2"},
    ).cleaned
    posted = {}
    for step in SPEC.step_keys:
        posted.update(to_post(SPEC, step, cleaned))
    again = {}
    for step in SPEC.step_keys:
        again.update(parse_post(SPEC, step, querydict(posted)))
    assert validate(SPEC, again, attachments_present={"2"}).cleaned == cleaned


def test_parse_post_reads_at_most_one_item_more_than_the_group_allows():
    posted = querydict({f"f-children-{i}-full_name": "x" for i in range(500)})
    assert len(parse_post(SPEC, "details", posted)["children"]) == 4


def test_parse_post_ignores_garbage_names():
    posted = querydict(
        {"f-children-abc-full_name": "x", "f-children--1-full_name": "y", "f-": "z", "f-copies": "1"}
    )
    assert parse_post(SPEC, "details", posted) == {"copies": "1", "children": [], "spouse": {}}


def test_parse_post_accepts_a_plain_dict():
    assert parse_post(SPEC, "details", {"f-copies": ["1", "3"]})["copies"] == "3"


def test_add_and_remove_buttons_change_the_items_of_a_group():
    data = {"children": [{"full_name": "A"}, {"full_name": "B"}]}
    added = apply_action(SPEC, "details", data, "add:children")
    assert added["children"] == [{"full_name": "A"}, {"full_name": "B"}, {}]
    assert data["children"] == [{"full_name": "A"}, {"full_name": "B"}]
    removed = apply_action(SPEC, "details", data, "remove:children.0")
    assert removed["children"] == [{"full_name": "B"}]
    assert apply_action(SPEC, "details", {}, "add:children") == {"children": [{}]}


def test_add_stops_at_the_maximum_and_bad_actions_are_not_applied():
    full = {"children": [{}, {}, {}]}
    assert apply_action(SPEC, "details", full, "add:children") is None
    assert apply_action(SPEC, "details", full, "remove:children.9") is None
    assert apply_action(SPEC, "applicant", full, "add:children") is None  # not this step's group
    assert apply_action(SPEC, "details", full, "add:spouse") is None  # not repeatable
    assert apply_action(SPEC, "details", full, "add:nope") is None
    assert apply_action(SPEC, "details", full, "next") is None
    assert apply_action(SPEC, "details", full, None) is None


def test_refresh_redraws_an_address_without_changing_answers():
    data = {"address": {"province": "79"}}
    assert apply_action(SPEC, "applicant", data, "refresh:address") == data
    assert apply_action(SPEC, "applicant", data, "refresh:full_name") is None


def test_file_inputs_map_input_names_to_document_slots():
    assert file_inputs(SPEC, "documents") == {"f-birth_notice": 2, "f-power_of_attorney": 7}
    assert file_inputs(SPEC, "applicant") == {}
