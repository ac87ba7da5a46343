import pytest

from opendvc.dossiers.eforms.demo import definitions
from opendvc.dossiers.eforms.forms_data import parse_post, to_post
from opendvc.dossiers.eforms.prefill import prefill
from opendvc.dossiers.eforms.render import error_summary, render_step, render_summary
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.eforms.validation import validate

SOURCES = {
    "registry": {
        "full_name": "Trần Thị Bình",
        "date_of_birth": "1990-02-20",
        "gender": "female",
        "id_number": "079190001234",
        "address": "45 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
    },
    "profile": {"phone": "0987654321", "email": "binh@example.vn"},
}
APPLICANT = {
    "full_name": "Trần Thị Bình",
    "date_of_birth": "1990-02-20",
    "gender": "female",
    "id_number": "079190001234",
    "address": {"province": "79", "commune": "26743", "detail": "45 đường Lê Lợi"},
    "phone": "0987654321",
    "email": "binh@example.vn",
}


@pytest.mark.parametrize("code", sorted(definitions()))
def test_each_demo_definition_prefills_renders_and_validates(code):
    spec = load_definition(definitions()[code])
    data, origins, locked = prefill(spec, SOURCES)
    assert {"full_name", "id_number", "date_of_birth", "gender"} <= locked
    if "address" in data:
        assert data["address"] == APPLICANT["address"]
    errors = validate(spec, data).errors
    assert errors and all(isinstance(m, str) for ms in errors.values() for m in ms)
    assert not any(path in errors for path in locked)
    for step in spec.steps:
        html = render_step(spec, step.key, data, errors, origins=origins, locked=locked, communes_url="/x/")
        assert step.fields[0].label in html or step.fields[0].when is not None
        assert parse_post(spec, step.key, to_post(spec, step.key, data)) is not None
    assert error_summary(errors, spec)
    assert render_summary(spec, data)


def test_a_complete_birth_registration_is_valid():
    spec = load_definition(definitions()["1.001193"])
    mother = {
        "full_name": "Trần Thị Bình",
        "birth_year": "1990",
        "ethnicity": "01",
        "nationality": "VN",
        "residence": APPLICANT["address"],
    }
    data = {
        **APPLICANT,
        "relationship": "mother",
        "child_full_name": "Lê Minh Khang",
        "child_date_of_birth": "2025-01-15",
        "child_gender": "male",
        "child_ethnicity": "01",
        "child_nationality": "VN",
        "child_birth_place": "Bệnh viện Từ Dũ, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "child_hometown": "Thanh Hóa",
        "has_mother": "yes",
        "mother": mother,
        "has_father": "no",
        "has_birth_notice": "yes",
        "extract_wanted": "yes",
        "extract_count": "2",
    }
    result = validate(spec, data, attachments_present={"2"})
    assert result.errors == {}
    assert result.cleaned["mother"]["birth_year"] == 1990 and result.cleaned["extract_count"] == 2
    assert "father" not in result.cleaned and "birth_witness" not in result.cleaned
    without_notice = validate(spec, {**data, "has_birth_notice": "no"}, attachments_present={"2"}).errors
    assert without_notice == {
        "birth_witness": ["Đính kèm văn bản của người làm chứng hoặc giấy cam đoan về việc sinh"]
    }


def test_dependants_ask_about_working_ability_only_for_adults_they_support():
    spec = load_definition(definitions()["1.920013"])
    dependants = [
        {
            "full_name": "Lê Minh Khang",
            "date_of_birth": "2015-01-15",
            "relationship": "child",
            "nationality": "VN",
            "from_month": "01/2025",
        },
        {
            "full_name": "Trần Văn Cả",
            "date_of_birth": "1960-03-01",
            "relationship": "parent",
            "nationality": "VN",
            "from_month": "01/2025",
        },
    ]
    errors = validate(spec, {**APPLICANT, "dependants": dependants}, step="dependants").errors
    assert set(errors) == {"dependants.1.unable_to_work"}
