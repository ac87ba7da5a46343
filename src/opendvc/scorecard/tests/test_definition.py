"""The definition is data: checked when loaded, versioned, in force from a date."""

import copy
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from opendvc.catalog.models import Agency
from opendvc.scorecard import compute, definition
from opendvc.scorecard.periods import month

pytestmark = pytest.mark.django_db


def test_the_shipped_definition_has_five_groups_worth_100_points():
    spec = definition.build(definition.default_data())
    assert [g.code for g in spec.groups] == [
        "publicity",
        "timeliness",
        "online",
        "digitisation",
        "satisfaction",
    ]
    assert [g.points for g in spec.groups] == [18, 20, 22, 22, 18]


def test_a_definition_with_mistakes_is_refused_with_every_problem():
    data = definition.default_data()
    data["groups"][1]["criteria"][0]["numerator"] = ["finished_in_time"]
    data["groups"][2]["criteria"][1]["target"] = 50
    data["groups"][3]["criteria"][0]["code"] = "dossiers_online"
    problems = definition.check(data)
    assert any("unknown metric «finished_in_time»" in p for p in problems)
    assert any("«target»" in p for p in problems)
    assert any("used twice" in p for p in problems)


def test_a_new_version_applies_from_its_date_without_a_release(tmp_path):
    data = copy.deepcopy(definition.default_data())
    data.update(version="766-2027", effective_from="2027-01-01")
    data["groups"][1]["criteria"][0]["points"] = 30
    path = tmp_path / "chi-so-2027.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_scorecard_definition", str(path), verbosity=0)
    assert definition.in_force(date(2026, 12, 31)).version == "766-2024"
    assert definition.in_force(date(2027, 1, 1)).version == "766-2027"
    agency = Agency.objects.get(code="000.00.20.H26")
    result = compute.unit_result(agency, month(date(2027, 1, 1)), use_cache=False)
    assert result.version == "766-2027" and result.groups[1].points == 30


def test_the_load_command_reports_problems_and_loads_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"version": "x"}', encoding="utf-8")
    with pytest.raises(CommandError, match="problem"):
        call_command("load_scorecard_definition", str(path), verbosity=0)
