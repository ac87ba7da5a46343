"""Writes to the catalogue. Every path that changes procedures (import, admin) ends in search.reindex."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.db.models import F

from opendvc.catalog.exchange import COMMUNE_COMMITTEE, Problem, validate
from opendvc.catalog.models import (
    Agency,
    AgencyKind,
    AgencyLevel,
    Audience,
    Fee,
    Field,
    LifeEvent,
    LifeEventProcedure,
    Procedure,
    ProcedureStep,
    RequiredDocument,
)
from opendvc.catalog.search.index import reindex
from opendvc.core.errors import DomainError


class CatalogueImportError(DomainError):
    code = "catalogue_invalid"

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was imported.")
        self.problems = problems


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class ImportSummary:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, section: str, outcome: str):
        section_counts = self.counts.setdefault(section, {CREATED: 0, UPDATED: 0, UNCHANGED: 0})
        section_counts[outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c[CREATED] or c[UPDATED] for c in self.counts.values())

    def __str__(self):
        parts = [
            f"{section}: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
            for section, counts in self.counts.items()
        ]
        return "; ".join(parts) or "nothing to import"


def _vi(value: dict | None) -> str:
    return (value or {}).get("vi") or ""


def _en(value: dict | None) -> str:
    return (value or {}).get("en") or ""


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _upsert(model, lookup: dict, values: dict) -> tuple[object, str]:
    """Create, or update only when something differs, so that a second import changes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), CREATED
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if not changed:
        return obj, UNCHANGED
    for k in changed:
        setattr(obj, k, values[k])
    obj.save(update_fields=changed)
    return obj, UPDATED


def import_catalogue(data: dict, *, source_dir: Path | None = None) -> ImportSummary:
    """Check everything, then import all of it in one transaction, or nothing (CatalogueImportError)."""
    problems = validate(data, source_dir=source_dir)
    if problems:
        raise CatalogueImportError(problems)
    summary = ImportSummary()
    with transaction.atomic():
        for record in data.get("fields", []):
            _, outcome = _upsert(
                Field,
                {"code": record["code"]},
                {"name_vi": _vi(record["name"]), "name_en": _en(record["name"])},
            )
            summary.count("fields", outcome)
        for record in data.get("agencies", []):
            summary.count("agencies", _save_agency(record))
        touched = []
        for record in data.get("procedures", []):
            procedure, outcome = _save_procedure(record, source_dir)
            if outcome != UNCHANGED:
                touched.append(procedure.pk)
            summary.count("procedures", outcome)
        for position, record in enumerate(data.get("life_events", [])):
            summary.count("life_events", _save_life_event(record, position))
        if touched:
            reindex(touched)
    return summary


def _save_agency(record: dict) -> str:
    parent = Agency.objects.filter(code=record["parent"]).first() if record.get("parent") else None
    province = None
    if record["level"] != AgencyLevel.CENTRAL:
        province = parent.province or parent if parent else None
    is_committee = record["kind"] == COMMUNE_COMMITTEE
    commune = Agency.objects.get(code=record["commune"]) if record.get("commune") else None
    agency, outcome = _upsert(
        Agency,
        {"code": record["code"]},
        {
            **({} if is_committee else {"commune": commune}),
            "name_vi": _vi(record["name"]),
            "name_en": _en(record["name"]),
            "level": record["level"],
            "kind": AgencyKind.objects.get(slug=record["kind"]),
            "parent": parent,
            "province": province,
            "address": record.get("address") or "",
            "phone": record.get("phone") or "",
            "email": record.get("email") or "",
            "opening_hours_vi": _vi(record.get("opening_hours")),
            "opening_hours_en": _en(record.get("opening_hours")),
        },
    )
    if is_committee and agency.commune_id != agency.pk:
        agency.commune = agency
        agency.save(update_fields=["commune"])
        outcome = CREATED if outcome == CREATED else UPDATED
    return outcome


def _save_procedure(record: dict, source_dir: Path | None) -> tuple[Procedure, str]:
    timing = record["processing_time"]
    procedure, outcome = _upsert(
        Procedure,
        {"code": record["code"]},
        {
            "name_vi": _vi(record["name"]),
            "name_en": _en(record["name"]),
            "description_vi": _vi(record.get("description")),
            "description_en": _en(record.get("description")),
            "field": Field.objects.get(code=record["field"]),
            "for_citizens": Audience.CITIZEN in record["audiences"],
            "for_businesses": Audience.BUSINESS in record["audiences"],
            "online_level": record["online_level"],
            "agency_levels": record["agency_levels"],
            "channels": record["channels"],
            "processing_time": timing.get("amount"),
            "processing_time_unit": timing["unit"],
            "processing_time_note_vi": _vi(timing.get("note")),
            "processing_time_note_en": _en(timing.get("note")),
            "result_vi": _vi(record["result"]),
            "result_en": _en(record["result"]),
            "result_kind": record["result_kind"],
            "fee_timing": record.get("fee_timing") or "submission",
            "conditions_vi": _vi(record.get("conditions")),
            "conditions_en": _en(record.get("conditions")),
            "legal_basis": "\n".join(record.get("legal_basis", [])),
            "keywords": "\n".join(record.get("keywords", [])),
            "published_on": _date(record.get("published_on")),
            "effective_on": _date(record.get("effective_on")),
            "status": record.get("status", "active"),
        },
    )
    kinds = set(record["agency_kinds"])
    children_changed = False
    if set(procedure.agency_kinds.values_list("slug", flat=True)) != kinds:
        procedure.agency_kinds.set(AgencyKind.objects.filter(slug__in=kinds))
        children_changed = True
    children_changed |= _replace_children(
        procedure, ProcedureStep, [{"text_vi": _vi(s), "text_en": _en(s)} for s in record["steps"]]
    )
    children_changed |= _replace_children(
        procedure,
        Fee,
        [
            {
                "amount": f.get("amount"),
                "description_vi": _vi(f.get("description")),
                "description_en": _en(f.get("description")),
                "rule": f.get("rule") or {},
            }
            for f in record.get("fees", [])
        ],
    )
    children_changed |= _replace_documents(procedure, record.get("documents", []), source_dir)
    if outcome == UNCHANGED and children_changed:
        outcome = UPDATED
    return procedure, outcome


def _replace_children(procedure: Procedure, model, rows: list[dict]) -> bool:
    """Keep the existing rows when nothing changed (idempotent import), else replace them in order."""
    existing = model.objects.filter(procedure=procedure).order_by("position")
    if (rows and list(existing.values(*rows[0].keys())) == rows) or (not rows and not existing.exists()):
        return False
    existing.delete()
    model.objects.bulk_create(
        [model(procedure=procedure, position=i + 1, **row) for i, row in enumerate(rows)]
    )
    return True


def _replace_documents(procedure: Procedure, documents: list[dict], source_dir: Path | None):
    rows = [
        {
            "name_vi": _vi(d["name"]),
            "name_en": _en(d["name"]),
            "kind": d["kind"],
            "copies": d.get("copies", 1),
            "optional": bool(d.get("optional")),
        }
        for d in documents
    ]
    templates = [d.get("template") for d in documents]
    current = list(procedure.documents.order_by("position"))
    same = len(current) == len(rows) and all(
        {k: getattr(doc, k) for k in row} == row
        and (Path(doc.template.name).name if doc.template else None) == tpl
        for doc, row, tpl in zip(current, rows, templates, strict=True)
    )
    if same:
        return False
    procedure.documents.all().delete()
    for position, (row, template) in enumerate(zip(rows, templates, strict=True), start=1):
        document = RequiredDocument(procedure=procedure, position=position, **row)
        if template and source_dir:
            # One stable name per procedure and form: storage would otherwise add a random suffix to a
            # name already taken, and the next import would see a different file and replace it again.
            name = f"{procedure.code}/{template}"
            field = RequiredDocument._meta.get_field("template")
            field.storage.delete(field.generate_filename(document, name))
            with (source_dir / "forms" / template).open("rb") as handle:
                document.template.save(name, File(handle), save=False)
        document.save()
    return True


def _save_life_event(record: dict, position: int) -> str:
    event, outcome = _upsert(
        LifeEvent,
        {"slug": record["slug"]},
        {
            "name_vi": _vi(record["name"]),
            "name_en": _en(record["name"]),
            "description_vi": _vi(record.get("description")),
            "description_en": _en(record.get("description")),
            "audience": record["audience"],
            "position": position,
        },
    )
    wanted = list(record["procedures"])
    current = list(event.steps.order_by("position").values_list("procedure__code", flat=True))
    if current != wanted:
        event.steps.all().delete()
        by_code = {p.code: p for p in Procedure.objects.filter(code__in=wanted)}
        LifeEventProcedure.objects.bulk_create(
            [
                LifeEventProcedure(life_event=event, procedure=by_code[c], position=i + 1)
                for i, c in enumerate(wanted)
            ]
        )
        outcome = CREATED if outcome == CREATED else UPDATED
    return outcome


def record_view(procedure: Procedure) -> None:
    """Count a visit of a procedure page: the home page lists the most visited procedures."""
    Procedure.objects.filter(pk=procedure.pk).update(popularity=F("popularity") + 1)
