"""What a dossier owes: the lines of its procedure's fees that apply to its answers (catalog.fee_rules).

`fee_lines` is read by the review step of the e-form (the applicant sees what is due and why before
submitting) and by the payments app when a dossier is filed (the charges it owes). Amounts are whole VND.
"""

from dataclasses import dataclass

from opendvc.dossiers.eforms.conditions import condition_holds
from opendvc.dossiers.eforms.conditions import value_at as _value_at
from opendvc.dossiers.models import Channel


@dataclass(frozen=True)
class FeeLine:
    position: int  # the catalogue fee's position
    description_vi: str
    description_en: str
    amount: int | None  # what this dossier owes for the line; None: the agency states it (status 6)
    units: int | None = None  # how many units were counted, for lines with "per"
    unit_amount: int | None = None

    @property
    def description(self) -> str:
        from django.utils.translation import get_language

        if self.description_en and (get_language() or "vi").startswith("en"):
            return self.description_en
        return self.description_vi

    @property
    def payable(self) -> bool:
        return bool(self.amount)


def _channel_class(channel: str) -> str:
    return "online" if channel == Channel.ONLINE else "counter"


def _numbers(spec, data: dict, path: str) -> list[int]:
    """The values of a number field, one per item when it sits in a repeatable group (missing as 0)."""
    if spec is None or not spec.has_field(path):
        return []
    field = spec.field(path)
    if not field.repeat_scope:
        value = _value_at(data, path.split("."))
        return [_whole(value)]
    group = field.repeat_scope.split(".")
    items = _value_at(data, group)
    inner = path.split(".")[len(group) :]
    return [_whole(_value_at(item, inner)) for item in items] if isinstance(items, list) else []


def _whole(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return max(int(value), 0)
    return 0


def _units(rule: dict, values: list[int]) -> int:
    after, up_to = rule.get("after", 0), rule.get("up_to")
    return sum(max((min(v, up_to) if up_to is not None else v) - after, 0) for v in values)


def fee_lines(procedure, *, spec, data: dict, channel: str) -> list[FeeLine]:
    """The procedure's fee lines that apply to a dossier with these (cleaned) answers and channel.

    `spec` is the dossier's e-form (None when it has none: walk-in dossiers); a rule that reads an answer
    then does not apply. Lines of 0 đ (exemptions) are included so the applicant sees why nothing is due.
    """
    lines = []
    for fee in procedure.fees.all():
        rule = fee.rule or {}
        if rule.get("channel") and rule["channel"] != _channel_class(channel):
            continue
        if "when" in rule and (spec is None or not condition_holds(spec, rule["when"], data)):
            continue
        units = unit_amount = None
        amount = fee.amount
        if "per" in rule:
            units = _units(rule, _numbers(spec, data, rule["per"]))
            if not units:
                continue
            unit_amount = fee.amount
            amount = None if fee.amount is None else fee.amount * units
        if amount is not None and rule.get("max") is not None:
            amount = min(amount, rule["max"])
        lines.append(
            FeeLine(
                position=fee.position,
                description_vi=fee.description_vi,
                description_en=fee.description_en,
                amount=amount,
                units=units,
                unit_amount=unit_amount,
            )
        )
    return lines


def total(lines: list[FeeLine]) -> int:
    return sum(line.amount or 0 for line in lines)


def dossier_fee_lines(dossier) -> list[FeeLine]:
    """The fee lines of a filed dossier, from the e-form version it was filed with."""
    from opendvc.dossiers.eforms.schema import load_definition

    spec = load_definition(dossier.form_definition.schema) if dossier.form_definition_id else None
    return fee_lines(dossier.procedure, spec=spec, data=dossier.data or {}, channel=dossier.channel)
