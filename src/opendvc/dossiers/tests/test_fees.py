"""What a dossier owes: the catalogue's fee lines that apply to its answers and channel."""

import pytest

from opendvc.catalog.models import Fee, Procedure
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.models import Channel
from opendvc.dossiers.services.fees import fee_lines, total

pytestmark = pytest.mark.django_db

FORM = {
    "version": 1,
    "title_vi": "Tờ khai",
    "steps": [
        {
            "key": "request",
            "title_vi": "Yêu cầu",
            "fields": [
                {
                    "key": "fee_reduction",
                    "type": "choice",
                    "label_vi": "Đối tượng",
                    "choices": [
                        {"value": "none", "label_vi": "Không"},
                        {"value": "student", "label_vi": "Sinh viên"},
                        {"value": "exempt", "label_vi": "Miễn"},
                    ],
                },
                {"key": "copies", "type": "number", "label_vi": "Số phiếu"},
                {"key": "exempt", "type": "yes_no", "label_vi": "Được miễn?"},
                {
                    "key": "papers",
                    "type": "group",
                    "label_vi": "Giấy tờ",
                    "repeatable": True,
                    "fields": [{"key": "pages", "type": "number", "label_vi": "Số trang"}],
                },
            ],
        }
    ],
}


def procedure_with(*fees) -> Procedure:
    procedure = Procedure.objects.get(code="3.000333")
    procedure.fees.all().delete()
    for position, (amount, rule) in enumerate(fees, start=1):
        Fee.objects.create(
            procedure=procedure,
            position=position,
            amount=amount,
            description_vi=f"Khoản {position}",
            rule=rule,
        )
    return procedure


def lines(procedure, data, channel=Channel.ONLINE):
    return fee_lines(procedure, spec=load_definition(FORM), data=data, channel=channel)


def test_criminal_record_fees_follow_the_reduction_chosen_and_the_number_of_copies():
    procedure = Procedure.objects.get(code="3.000333")  # the demo catalogue's own rules
    assert total(lines(procedure, {"fee_reduction": "none", "copies": 1})) == 200_000
    assert total(lines(procedure, {"fee_reduction": "student", "copies": 2})) == 100_000
    # From the third certificate on, 5.000 đ each.
    assert total(lines(procedure, {"fee_reduction": "none", "copies": 4})) == 210_000
    exempt = lines(procedure, {"fee_reduction": "exempt", "copies": 4})
    assert total(exempt) == 0
    assert [line.amount for line in exempt] == [0]  # the exemption is shown, so people see why


def test_a_line_for_one_channel_does_not_apply_to_the_other():
    procedure = procedure_with((20_000, {"channel": "counter"}), (10_000, {"channel": "online"}))
    assert total(lines(procedure, {}, Channel.ONLINE)) == 10_000
    assert total(lines(procedure, {}, Channel.COUNTER)) == 20_000
    assert total(lines(procedure, {}, Channel.POST)) == 20_000


def test_per_unit_lines_count_items_of_a_repeatable_group_each_on_its_own():
    procedure = procedure_with(
        (2_000, {"per": "papers.pages", "up_to": 2}),
        (1_000, {"per": "papers.pages", "after": 2, "max": 5_000}),
    )
    found = lines(procedure, {"papers": [{"pages": 1}, {"pages": 5}, {"pages": 12}]})
    assert [(line.units, line.amount) for line in found] == [(5, 10_000), (13, 5_000)]


def test_a_condition_on_a_yes_no_answer_reads_the_stored_boolean():
    procedure = procedure_with((10_000, {"when": {"field": "exempt", "is_true": False}}))
    assert total(lines(procedure, {"exempt": False})) == 10_000
    assert total(lines(procedure, {"exempt": True})) == 0
    assert total(lines(procedure, {})) == 0  # unanswered: the condition is false, as in the e-form


def test_a_rule_naming_a_field_the_form_does_not_have_does_not_apply():
    procedure = procedure_with((10_000, {"when": {"field": "no_such_field", "equals": "x"}}), (5_000, {}))
    assert total(lines(procedure, {})) == 5_000


def test_without_an_e_form_only_lines_that_read_no_answer_apply():
    procedure = procedure_with(
        (10_000, {"when": {"field": "copies", "equals": 1}}), (5_000, {"channel": "counter"})
    )
    assert total(fee_lines(procedure, spec=None, data={}, channel=Channel.COUNTER)) == 5_000


def test_a_varying_amount_is_a_line_the_agency_states_later():
    procedure = procedure_with((None, {}))
    (line,) = lines(procedure, {})
    assert line.amount is None and not line.payable
