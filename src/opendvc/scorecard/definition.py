"""The scorecard definition: groups, criteria, points, targets and formulas, as data (docs/scorecard.md).

A criterion is a rate: the sum of its numerator terms over the sum of its denominator terms. A term is

- `metric`: the counter summed over the period (`received`, `paid_online`…);
- `metric@end`: the counter summed from the beginning up to the end of the period (`open@end`: dossiers
  still open then);
- `catalog:name`: a count from the catalogue as it is (`catalog:procedures_online`);
- `distinct:metric`: how many different keys the counter had in the period (procedures paid online);

each optionally preceded by `-` to subtract it. A criterion with `unavailable_vi` instead of formulas is
shown as N/A with that reason. Score: full points when the rate reaches the target, else rate × points /
target (domain.md).
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.utils.translation import get_language

COUNTER_METRICS = frozenset(
    {
        "received",
        "received_online",
        "open",
        "overdue",
        "finished_on_time",
        "finished_late",
        "processed",
        "electronic_result",
        "digital_documents",
        "reused_documents",
        "external",
        "registry_verified",
        "fee_owed",
        "paid_online",
        "paid_online_procedure",
        "rated",
        "rated_satisfied",
        "rated_acceptable",
        "feedback_handled",
        "feedback_handled_on_time",
        "feedback_likes",
        "feedback_dislikes",
        "feedback_reraised",
    }
)
CATALOG_METRICS = frozenset(
    {
        "procedures",
        "procedures_published_on_time",
        "procedures_complete",
        "procedures_online",
        "fee_procedures",
        "fee_procedures_integrated",
    }
)
DEFAULT_FILE = Path(__file__).parent / "definitions" / "766-2024.json"


class InvalidDefinition(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Term:
    kind: str  # "sum", "end", "catalog", "distinct"
    metric: str
    sign: int = 1


@dataclass(frozen=True)
class Criterion:
    code: str
    name_vi: str
    name_en: str
    points: float
    target: float | None
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    unavailable_vi: str = ""
    unavailable_en: str = ""

    @property
    def name(self) -> str:
        return _pick(self.name_vi, self.name_en)

    @property
    def unavailable(self) -> str:
        return _pick(self.unavailable_vi, self.unavailable_en)

    @property
    def available(self) -> bool:
        return not self.unavailable_vi


@dataclass(frozen=True)
class Group:
    code: str
    name_vi: str
    name_en: str
    criteria: tuple[Criterion, ...]

    @property
    def name(self) -> str:
        return _pick(self.name_vi, self.name_en)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.criteria)


@dataclass(frozen=True)
class Spec:
    version: str
    title_vi: str
    title_en: str
    effective_from: date
    groups: tuple[Group, ...]

    @property
    def title(self) -> str:
        return _pick(self.title_vi, self.title_en)

    @property
    def criteria(self) -> list[Criterion]:
        return [c for g in self.groups for c in g.criteria]

    def terms(self) -> set[Term]:
        return {t for c in self.criteria for t in (*c.numerator, *c.denominator)}


def _pick(vi: str, en: str) -> str:
    return en if en and (get_language() or "vi").startswith("en") else vi


def parse_term(text: str) -> Term:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body.startswith("catalog:"):
        return Term("catalog", body.removeprefix("catalog:"), sign)
    if body.startswith("distinct:"):
        return Term("distinct", body.removeprefix("distinct:"), sign)
    if body.endswith("@end"):
        return Term("end", body.removesuffix("@end"), sign)
    return Term("sum", body, sign)


def _term_problem(where: str, text) -> str | None:
    if not isinstance(text, str) or not text:
        return f"{where}: a term must be a text"
    term = parse_term(text)
    known = CATALOG_METRICS if term.kind == "catalog" else COUNTER_METRICS
    if term.metric not in known:
        return f"{where}: unknown metric «{term.metric}» (known: {', '.join(sorted(known))})"
    return None


def check(data) -> list[str]:
    """Every problem of a definition document (empty when it can be loaded)."""
    if not isinstance(data, dict):
        return ["the definition must be a JSON object"]
    problems = []
    for key in ("version", "title_vi", "effective_from", "groups"):
        if not data.get(key):
            problems.append(f"«{key}» is required")
    try:
        date.fromisoformat(str(data.get("effective_from", "")))
    except ValueError:
        problems.append("«effective_from» must be a date YYYY-MM-DD")
    codes = set()
    for gi, group in enumerate(data.get("groups") or []):
        if not isinstance(group, dict) or not group.get("code") or not group.get("name_vi"):
            problems.append(f"groups[{gi}]: «code» and «name_vi» are required")
            continue
        for ci, criterion in enumerate(group.get("criteria") or []):
            where = f"groups[{gi}].criteria[{ci}]"
            if not isinstance(criterion, dict) or not criterion.get("code") or not criterion.get("name_vi"):
                problems.append(f"{where}: «code» and «name_vi» are required")
                continue
            if criterion["code"] in codes:
                problems.append(f"{where}: the code «{criterion['code']}» is used twice")
            codes.add(criterion["code"])
            points = criterion.get("points")
            if not isinstance(points, int | float) or isinstance(points, bool) or points < 0:
                problems.append(f"{where}: «points» must be a number of 0 or more")
            if criterion.get("unavailable_vi"):
                continue
            target = criterion.get("target")
            if not isinstance(target, int | float) or isinstance(target, bool) or not 0 < target <= 1:
                problems.append(f"{where}: «target» must be a rate above 0 and at most 1")
            for side in ("numerator", "denominator"):
                terms = criterion.get(side)
                if not isinstance(terms, list) or not terms:
                    problems.append(f"{where}.{side}: a non-empty list of terms is required")
                    continue
                problems += [
                    p for i, t in enumerate(terms) if (p := _term_problem(f"{where}.{side}[{i}]", t))
                ]
    return problems


def build(data: dict) -> Spec:
    problems = check(data)
    if problems:
        raise InvalidDefinition(problems)
    groups = []
    for group in data["groups"]:
        criteria = tuple(
            Criterion(
                code=c["code"],
                name_vi=c["name_vi"],
                name_en=c.get("name_en", ""),
                points=float(c["points"]),
                target=float(c["target"]) if c.get("target") is not None else None,
                numerator=tuple(parse_term(t) for t in c.get("numerator", [])),
                denominator=tuple(parse_term(t) for t in c.get("denominator", [])),
                unavailable_vi=c.get("unavailable_vi", ""),
                unavailable_en=c.get("unavailable_en", ""),
            )
            for c in group.get("criteria", [])
        )
        groups.append(Group(group["code"], group["name_vi"], group.get("name_en", ""), criteria))
    return Spec(
        version=data["version"],
        title_vi=data["title_vi"],
        title_en=data.get("title_en", ""),
        effective_from=date.fromisoformat(data["effective_from"]),
        groups=tuple(groups),
    )


@transaction.atomic
def load(data: dict):
    """Store a definition (a new version, or the same version replaced); InvalidDefinition otherwise."""
    from opendvc.scorecard.models import Definition

    spec = build(data)
    definition, _created = Definition.objects.update_or_create(
        version=spec.version,
        defaults={"title": spec.title_vi, "effective_from": spec.effective_from, "spec": data},
    )
    _cached_spec.cache_clear()
    return definition


def default_data() -> dict:
    return json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def _cached_spec(version: str, loaded_at) -> Spec:
    from opendvc.scorecard.models import Definition

    return build(Definition.objects.get(version=version).spec)


def in_force(day: date) -> Spec:
    """The definition in force on `day` (the newest that started by then; the shipped one when none is
    loaded or none had started)."""
    from opendvc.scorecard.models import Definition

    row = Definition.objects.filter(effective_from__lte=day).only("version", "loaded_at").first()
    if row is None:
        return _default_spec()
    return _cached_spec(row.version, row.loaded_at)


@lru_cache(maxsize=1)
def _default_spec() -> Spec:
    return build(default_data())
