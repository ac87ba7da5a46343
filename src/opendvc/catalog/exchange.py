"""Reading, checking and writing the catalogue exchange format (docs/catalogue-format.md).

`read_file` turns a JSON or CSV file into the format's plain structure; `validate` checks all of it and
returns every problem with where it is (row and column), so that a file is fixed in one go; services
import only a file with no problems. `export_catalogue` writes the same structure back.
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from opendvc.catalog.fee_rules import rule_problems
from opendvc.catalog.models import (
    Agency,
    AgencyKind,
    AgencyLevel,
    Audience,
    Channel,
    DocumentKind,
    FeeTiming,
    Field,
    LifeEvent,
    OnlineLevel,
    Procedure,
    ProcedureStatus,
    ResultKind,
    TimeUnit,
)
from opendvc.core.text import nfc

COMMUNE_COMMITTEE = "ubnd-xa"
SECTIONS = ("fields", "agencies", "procedures", "life_events")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,31}$")
PROCEDURE_CODE = re.compile(r"^\d{1,2}\.\d{6}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CSV_COLUMNS = [
    "code",
    "name_vi",
    "name_en",
    "description_vi",
    "description_en",
    "field",
    "audiences",
    "online_level",
    "agency_levels",
    "agency_kinds",
    "channels",
    "steps_vi",
    "steps_en",
    "documents",
    "processing_amount",
    "processing_unit",
    "fees",
    "result_vi",
    "result_en",
    "result_kind",
    "conditions_vi",
    "conditions_en",
    "legal_basis",
    "keywords",
    "published_on",
    "effective_on",
    "status",
]
# Columns a CSV file may leave out (files written before they existed): the default applies.
OPTIONAL_CSV_COLUMNS = ["fee_timing"]


@dataclass(frozen=True)
class Problem:
    row: str  # "procedures #3 (1.001193)" or "line 4" for CSV
    column: str  # "documents[0].kind" or the CSV column
    message: str

    def __str__(self):
        return f"{self.row}, {self.column}: {self.message}"


class FormatError(Exception):
    """The file cannot be read at all (not JSON, not UTF-8, unknown extension)."""


def _nfc_all(value):
    if isinstance(value, str):
        return nfc(value).strip()
    if isinstance(value, list):
        return [_nfc_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_all(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------------- reading


def read_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path.name}: the file is not UTF-8 (byte {exc.start}).") from exc
    if path.suffix.lower() == ".json":
        return read_json(raw)
    if path.suffix.lower() == ".csv":
        return read_csv(raw)
    raise FormatError(f"{path.name}: expected a .json or .csv file.")


def read_json(raw: str) -> dict:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FormatError(f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from exc
    if not isinstance(data, dict):
        raise FormatError("The JSON file must hold one object with the keys " + ", ".join(SECTIONS) + ".")
    return _nfc_all(data)


def _split(cell: str, sep: str = "|") -> list[str]:
    return [part.strip() for part in (cell or "").split(sep) if part.strip()]


def _cell_lines(cell: str) -> list[str]:
    return [line.strip() for line in (cell or "").splitlines() if line.strip()]


def _int_or_text(value: str):
    value = (
        value.strip().replace(".", "").replace(",", "") if re.fullmatch(r"[\d.,\s]+", value or "") else value
    )
    try:
        return int(value) if value not in ("", None) else None
    except ValueError:
        return value


def _json_or_text(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


def read_csv(raw: str) -> dict:
    reader = csv.DictReader(io.StringIO(raw))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise FormatError("CSV header is missing the columns: " + ", ".join(missing) + ".")
    procedures = []
    for row in reader:
        row = {k: nfc(v or "").strip() for k, v in row.items() if k}
        steps_en = _cell_lines(row["steps_en"])
        documents = []
        for line in _cell_lines(row["documents"]):
            parts = [p.strip() for p in line.split("|")] + [""] * 6
            documents.append(
                {
                    "name": {"vi": parts[0], "en": parts[1]},
                    "kind": parts[2],
                    "copies": _int_or_text(parts[3]),
                    "template": parts[4] or None,
                    "optional": parts[5].lower() in {"true", "1", "yes", "có"},
                }
            )
        fees = []
        for line in _cell_lines(row["fees"]):
            parts = [p.strip() for p in line.split("|", 3)] + [""] * 4
            fee = {"amount": _int_or_text(parts[0]), "description": {"vi": parts[1], "en": parts[2]}}
            if parts[3]:
                fee["rule"] = _json_or_text(parts[3])
            fees.append(fee)
        procedures.append(
            {
                "__line__": reader.line_num,
                "code": row["code"],
                "name": {"vi": row["name_vi"], "en": row["name_en"]},
                "description": {"vi": row["description_vi"], "en": row["description_en"]},
                "field": row["field"],
                "audiences": _split(row["audiences"]),
                "online_level": row["online_level"],
                "agency_levels": _split(row["agency_levels"]),
                "agency_kinds": _split(row["agency_kinds"]),
                "channels": _split(row["channels"]),
                "steps": [
                    {"vi": vi, "en": steps_en[i] if i < len(steps_en) else ""}
                    for i, vi in enumerate(_cell_lines(row["steps_vi"]))
                ],
                "documents": documents,
                "processing_time": {
                    "amount": _int_or_text(row["processing_amount"]),
                    "unit": row["processing_unit"],
                },
                "fees": fees,
                "fee_timing": row.get("fee_timing") or FeeTiming.SUBMISSION,
                "result": {"vi": row["result_vi"], "en": row["result_en"]},
                "result_kind": row["result_kind"],
                "conditions": {"vi": row["conditions_vi"], "en": row["conditions_en"]}
                if row["conditions_vi"]
                else None,
                "legal_basis": _split(row["legal_basis"]),
                "keywords": _split(row["keywords"]),
                "published_on": row["published_on"] or None,
                "effective_on": row["effective_on"] or None,
                "status": row["status"] or ProcedureStatus.ACTIVE,
            }
        )
    return {"procedures": procedures, "__csv__": True}


# ------------------------------------------------------------------------------------------- validation

_CSV_COLUMN_OF = {
    "name.vi": "name_vi",
    "name.en": "name_en",
    "description.vi": "description_vi",
    "description.en": "description_en",
    "result.vi": "result_vi",
    "result.en": "result_en",
    "conditions.vi": "conditions_vi",
    "processing_time.amount": "processing_amount",
    "processing_time.unit": "processing_unit",
}


class _Checker:
    def __init__(self, data: dict, source_dir: Path | None):
        self.data = data
        self.csv = bool(data.get("__csv__"))
        self.source_dir = source_dir
        self.problems: list[Problem] = []
        self.kinds = {k.slug: k.level for k in AgencyKind.objects.all()}
        self.fields = set(Field.objects.values_list("code", flat=True))
        self.agencies = set(Agency.objects.values_list("code", flat=True))
        self.communes = set(
            Agency.objects.filter(kind__slug=COMMUNE_COMMITTEE).values_list("code", flat=True)
        )
        self.procedures = set(Procedure.objects.values_list("code", flat=True))

    def add(self, row: str, column: str, message: str):
        if self.csv:
            head = re.sub(r"\[\d+\].*", "", column)
            column = _CSV_COLUMN_OF.get(column, head)
        self.problems.append(Problem(row, column, message))

    # -- small checks -------------------------------------------------------------------------------
    def text(self, row, record, key, *, required=True, max_length=None, translated=True):
        value = record.get(key)
        if translated:
            if value is None and not required:
                return
            if not isinstance(value, dict):
                self.add(row, key, 'must be an object {"vi": "...", "en": "..."}')
                return
            unknown = set(value) - {"vi", "en"}
            if unknown:
                self.add(row, key, f"unknown language(s): {', '.join(sorted(unknown))}")
            for lang in ("vi", "en"):
                text = value.get(lang)
                if text is not None and not isinstance(text, str):
                    self.add(row, f"{key}.{lang}", "must be text")
                elif max_length and text and len(text) > max_length:
                    self.add(row, f"{key}.{lang}", f"is longer than {max_length} characters")
            if required and not (isinstance(value.get("vi"), str) and value.get("vi")):
                self.add(row, f"{key}.vi", "is required (Vietnamese text)")
        else:
            if value in (None, "") and not required:
                return
            if not isinstance(value, str) or not value:
                self.add(row, key, "is required" if value in (None, "") else "must be text")
            elif max_length and len(value) > max_length:
                self.add(row, key, f"is longer than {max_length} characters")

    def choice(self, row, column, value, allowed):
        if value not in allowed:
            self.add(row, column, f"“{value}” is not one of: {', '.join(sorted(allowed))}")
            return False
        return True

    def choices(self, row, record, key, allowed, *, required=True):
        value = record.get(key)
        if not isinstance(value, list) or (required and not value):
            self.add(row, key, f"must be a non-empty list of: {', '.join(sorted(allowed))}")
            return []
        good = [v for v in value if self.choice(row, key, v, allowed)]
        if len(set(value)) != len(value):
            self.add(row, key, "lists the same value twice")
        return good

    def a_date(self, row, record, key):
        value = record.get(key)
        if value in (None, ""):
            return
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            self.add(row, key, f"“{value}” is not a date (YYYY-MM-DD)")

    def known_keys(self, row, record, allowed):
        unknown = set(record) - set(allowed) - {"__line__"}
        if unknown:
            self.add(row, ", ".join(sorted(unknown)), "unknown key (see docs/catalogue-format.md)")

    def rows(self, section, key):
        items = self.data.get(section, [])
        if not isinstance(items, list):
            self.add(section, section, "must be a list")
            return
        seen = set()
        for index, record in enumerate(items):
            label = record.get(key) if isinstance(record, dict) else None
            row = (
                f"line {record['__line__']}"
                if isinstance(record, dict) and "__line__" in record
                else (f"{section} #{index + 1}" + (f" ({label})" if label else ""))
            )
            if not isinstance(record, dict):
                self.add(row, section, "must be an object")
                continue
            if label in seen:
                self.add(row, key, f"“{label}” appears twice in the file")
            seen.add(label)
            yield row, record

    # -- sections -----------------------------------------------------------------------------------
    def check(self) -> list[Problem]:
        unknown = set(self.data) - set(SECTIONS) - {"__csv__"}
        if unknown:
            self.add("file", ", ".join(sorted(unknown)), "unknown section; expected " + ", ".join(SECTIONS))
        for row, record in self.rows("fields", "code"):
            self.known_keys(row, record, ["code", "name"])
            self.code(row, record, CODE)
            self.text(row, record, "name", max_length=255)
            self.fields.add(record.get("code"))
        for row, record in self.rows("agencies", "code"):
            self.agency(row, record)
        for row, record in self.rows("procedures", "code"):
            self.procedure(row, record)
        for row, record in self.rows("life_events", "slug"):
            self.life_event(row, record)
        return self.problems

    def code(self, row, record, pattern, key="code"):
        value = record.get(key)
        if not isinstance(value, str) or not pattern.match(value):
            self.add(row, key, f"“{value}” is not a valid code" if value else "is required")
            return False
        return True

    def agency(self, row, record):
        self.known_keys(
            row,
            record,
            [
                "code",
                "name",
                "level",
                "kind",
                "parent",
                "commune",
                "address",
                "phone",
                "email",
                "opening_hours",
            ],
        )
        self.code(row, record, CODE)
        self.text(row, record, "name", max_length=255)
        level_ok = self.choice(row, "level", record.get("level"), set(AgencyLevel.values))
        kind = record.get("kind")
        if kind not in self.kinds:
            self.add(row, "kind", f"“{kind}” is not a known agency kind")
        elif level_ok and self.kinds[kind] != record.get("level"):
            self.add(
                row,
                "kind",
                f"“{kind}” is a {self.kinds[kind]}-level kind, but level is {record.get('level')}",
            )
        parent = record.get("parent")
        if parent not in (None, "") and parent not in self.agencies:
            self.add(row, "parent", f"agency “{parent}” is not in the catalogue nor earlier in the file")
        if parent == record.get("code"):
            self.add(row, "parent", "an agency cannot be its own parent")
        commune = record.get("commune")
        if record.get("level") == AgencyLevel.COMMUNE and kind != COMMUNE_COMMITTEE:
            if commune not in self.communes:
                self.add(
                    row,
                    "commune",
                    "a commune-level agency must name the commune it serves (the code of "
                    "its People's Committee, earlier in the file or in the catalogue)",
                )
        elif commune not in (None, ""):
            self.add(
                row, "commune", "only commune-level agencies other than the People's Committee name a commune"
            )
        if kind == COMMUNE_COMMITTEE:
            self.communes.add(record.get("code"))
        for key in ("address", "phone"):
            self.text(row, record, key, required=False, max_length=500, translated=False)
        email = record.get("email")
        if email and not (isinstance(email, str) and EMAIL.match(email)):
            self.add(row, "email", f"“{email}” is not an e-mail address")
        self.text(row, record, "opening_hours", required=False)
        self.agencies.add(record.get("code"))

    def procedure(self, row, record):
        self.known_keys(
            row,
            record,
            [
                "code",
                "name",
                "description",
                "field",
                "audiences",
                "online_level",
                "agency_levels",
                "agency_kinds",
                "channels",
                "steps",
                "documents",
                "processing_time",
                "fees",
                "fee_timing",
                "result",
                "result_kind",
                "conditions",
                "legal_basis",
                "keywords",
                "published_on",
                "effective_on",
                "status",
            ],
        )
        self.code(row, record, PROCEDURE_CODE)
        self.text(row, record, "name", max_length=500)
        self.text(row, record, "description", required=False)
        if record.get("field") not in self.fields:
            self.add(row, "field", f"“{record.get('field')}” is not a known field code")
        self.choices(row, record, "audiences", set(Audience.values))
        self.choice(row, "online_level", record.get("online_level"), set(OnlineLevel.values))
        self.choices(row, record, "agency_levels", set(AgencyLevel.values))
        self.choices(row, record, "agency_kinds", set(self.kinds))
        self.choices(row, record, "channels", set(Channel.values))
        steps = record.get("steps")
        if not isinstance(steps, list) or not steps:
            self.add(row, "steps", "must list at least one step")
        else:
            for i, step in enumerate(steps):
                if not isinstance(step, dict) or not step.get("vi"):
                    self.add(row, f"steps[{i}].vi", "is required (Vietnamese text)")
        documents = record.get("documents")
        if not isinstance(documents, list):
            self.add(row, "documents", "must be a list")
        else:
            for i, document in enumerate(documents):
                self.document(row, i, document)
        timing = record.get("processing_time")
        if not isinstance(timing, dict):
            self.add(row, "processing_time", 'must be an object {"amount", "unit"}')
        else:
            amount = timing.get("amount")
            if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount < 0):
                self.add(row, "processing_time.amount", f"“{amount}” is not a whole number of 0 or more")
            self.choice(row, "processing_time.unit", timing.get("unit"), set(TimeUnit.values))
        fees = record.get("fees", [])
        if not isinstance(fees, list):
            self.add(row, "fees", "must be a list")
        else:
            for i, fee in enumerate(fees):
                amount = fee.get("amount") if isinstance(fee, dict) else "?"
                if amount is not None and (
                    not isinstance(amount, int) or isinstance(amount, bool) or amount < 0
                ):
                    self.add(row, f"fees[{i}].amount", f"“{amount}” is not an amount in whole đồng")
                description = fee.get("description") if isinstance(fee, dict) else None
                if amount is None and not (isinstance(description, dict) and description.get("vi")):
                    self.add(row, f"fees[{i}].description.vi", "is required when the amount varies")
                for problem in rule_problems(fee.get("rule") if isinstance(fee, dict) else None):
                    self.add(row, f"fees[{i}].rule", problem)
        self.choice(row, "fee_timing", record.get("fee_timing", FeeTiming.SUBMISSION), set(FeeTiming.values))
        self.text(row, record, "result")
        self.choice(row, "result_kind", record.get("result_kind"), set(ResultKind.values))
        self.text(row, record, "conditions", required=False)
        for key in ("legal_basis", "keywords"):
            value = record.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.add(row, key, "must be a list of texts")
        self.a_date(row, record, "published_on")
        self.a_date(row, record, "effective_on")
        self.choice(row, "status", record.get("status", ProcedureStatus.ACTIVE), set(ProcedureStatus.values))
        self.procedures.add(record.get("code"))

    def document(self, row, i, document):
        column = f"documents[{i}]"
        if not isinstance(document, dict):
            self.add(row, column, "must be an object")
            return
        name = document.get("name")
        if not isinstance(name, dict) or not name.get("vi"):
            self.add(row, f"{column}.name.vi", "is required (Vietnamese text)")
        self.choice(row, f"{column}.kind", document.get("kind"), set(DocumentKind.values))
        copies = document.get("copies", 1)
        if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= 50:
            self.add(row, f"{column}.copies", f"“{copies}” is not a number of copies between 1 and 50")
        template = document.get("template")
        if template and (self.source_dir is None or not (self.source_dir / "forms" / template).is_file()):
            self.add(row, f"{column}.template", f"form file “forms/{template}” not found next to the file")

    def life_event(self, row, record):
        self.known_keys(row, record, ["slug", "name", "description", "audience", "procedures"])
        self.code(row, record, SLUG, key="slug")
        self.text(row, record, "name", max_length=255)
        self.text(row, record, "description", required=False)
        self.choice(row, "audience", record.get("audience"), set(Audience.values))
        codes = record.get("procedures")
        if not isinstance(codes, list) or not codes:
            self.add(row, "procedures", "must list at least one procedure code")
            return
        for i, code in enumerate(codes):
            if code not in self.procedures:
                self.add(
                    row, f"procedures[{i}]", f"procedure “{code}” is not in the catalogue nor in the file"
                )
        if len(set(codes)) != len(codes):
            self.add(row, "procedures", "lists the same procedure twice")


def validate(data: dict, *, source_dir: Path | None = None) -> list[Problem]:
    """Every problem in the data; an empty list means it can be imported."""
    return _Checker(data, source_dir).check()


# ---------------------------------------------------------------------------------------------- export


def _tr(obj, field: str) -> dict:
    return {"vi": getattr(obj, f"{field}_vi"), "en": getattr(obj, f"{field}_en")}


def _tr_or_none(obj, field: str) -> dict | None:
    return _tr(obj, field) if getattr(obj, f"{field}_vi") else None


def export_catalogue() -> dict:
    """The whole catalogue in the exchange format: importing it elsewhere recreates it."""
    procedures = Procedure.objects.select_related("field").prefetch_related(
        "agency_kinds", "steps", "documents", "fees"
    )
    return {
        "fields": [{"code": f.code, "name": _tr(f, "name")} for f in Field.objects.order_by("code")],
        "agencies": [
            {
                "code": a.code,
                "name": _tr(a, "name"),
                "level": a.level,
                "kind": a.kind.slug,
                "parent": a.parent.code if a.parent else None,
                **({"commune": a.commune.code} if a.commune_id and a.commune_id != a.pk else {}),
                "address": a.address,
                "phone": a.phone,
                "email": a.email,
                "opening_hours": _tr(a, "opening_hours"),
            }
            for a in _agencies_parents_first()
        ],
        "procedures": [_procedure_record(p) for p in procedures.order_by("code")],
        "life_events": [
            {
                "slug": e.slug,
                "name": _tr(e, "name"),
                "description": _tr_or_none(e, "description"),
                "audience": e.audience,
                "procedures": [s.procedure.code for s in e.steps.select_related("procedure")],
            }
            for e in LifeEvent.objects.order_by("audience", "position", "slug")
        ],
    }


def _agencies_parents_first() -> list[Agency]:
    agencies = list(Agency.objects.select_related("kind", "parent", "commune").order_by("code"))
    ordered, placed = [], set()
    while len(ordered) < len(agencies):
        progress = False
        for agency in agencies:
            if agency.pk not in placed and (agency.parent_id is None or agency.parent_id in placed):
                ordered.append(agency)
                placed.add(agency.pk)
                progress = True
        if not progress:  # a cycle cannot be created through the import, but never loop forever
            ordered.extend(a for a in agencies if a.pk not in placed)
            break
    return ordered


def _procedure_record(p: Procedure) -> dict:
    return {
        "code": p.code,
        "name": _tr(p, "name"),
        "description": _tr_or_none(p, "description"),
        "field": p.field.code,
        "audiences": p.audiences,
        "online_level": p.online_level,
        "agency_levels": p.agency_levels,
        "agency_kinds": [k.slug for k in p.agency_kinds.all()],
        "channels": p.channels,
        "steps": [_tr(s, "text") for s in p.steps.all()],
        "documents": [
            {
                "name": _tr(d, "name"),
                "kind": d.kind,
                "copies": d.copies,
                "template": Path(d.template.name).name if d.template else None,
                "optional": d.optional,
            }
            for d in p.documents.all()
        ],
        "processing_time": {
            "amount": p.processing_time,
            "unit": p.processing_time_unit,
            "note": _tr_or_none(p, "processing_time_note"),
        },
        "fees": [
            {"amount": f.amount, "description": _tr(f, "description"), **({"rule": f.rule} if f.rule else {})}
            for f in p.fees.all()
        ],
        "fee_timing": p.fee_timing,
        "result": _tr(p, "result"),
        "result_kind": p.result_kind,
        "conditions": _tr_or_none(p, "conditions"),
        "legal_basis": p.legal_basis_list,
        "keywords": p.keyword_list,
        "published_on": p.published_on.isoformat() if p.published_on else None,
        "effective_on": p.effective_on.isoformat() if p.effective_on else None,
        "status": p.status,
    }


def procedures_to_csv(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS + OPTIONAL_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        desc = r.get("description") or {}
        cond = r.get("conditions") or {}
        writer.writerow(
            {
                "code": r["code"],
                "name_vi": r["name"]["vi"],
                "name_en": r["name"].get("en", ""),
                "description_vi": desc.get("vi", ""),
                "description_en": desc.get("en", ""),
                "field": r["field"],
                "audiences": "|".join(r["audiences"]),
                "online_level": r["online_level"],
                "agency_levels": "|".join(r["agency_levels"]),
                "agency_kinds": "|".join(r["agency_kinds"]),
                "channels": "|".join(r["channels"]),
                "steps_vi": "\n".join(s["vi"] for s in r["steps"]),
                "steps_en": "\n".join(s.get("en", "") for s in r["steps"]),
                "documents": "\n".join(
                    " | ".join(
                        [
                            d["name"]["vi"],
                            d["name"].get("en", ""),
                            d["kind"],
                            str(d["copies"]),
                            d.get("template") or "",
                            "true" if d.get("optional") else "",
                        ]
                    )
                    for d in r["documents"]
                ),
                "processing_amount": ""
                if r["processing_time"]["amount"] is None
                else r["processing_time"]["amount"],
                "processing_unit": r["processing_time"]["unit"],
                "fees": "\n".join(
                    " | ".join(
                        [
                            "" if f["amount"] is None else str(f["amount"]),
                            f["description"]["vi"],
                            f["description"].get("en", ""),
                            *([json.dumps(f["rule"], ensure_ascii=False)] if f.get("rule") else []),
                        ]
                    )
                    for f in r["fees"]
                ),
                "fee_timing": r.get("fee_timing", FeeTiming.SUBMISSION),
                "result_vi": r["result"]["vi"],
                "result_en": r["result"].get("en", ""),
                "result_kind": r["result_kind"],
                "conditions_vi": cond.get("vi", ""),
                "conditions_en": cond.get("en", ""),
                "legal_basis": "|".join(r["legal_basis"]),
                "keywords": "|".join(r["keywords"]),
                "published_on": r["published_on"] or "",
                "effective_on": r["effective_on"] or "",
                "status": r["status"],
            }
        )
    return out.getvalue()
