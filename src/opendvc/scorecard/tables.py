"""The tables of the scorecard pages, one shape for the screen, the CSV and the JSON download (open data):
named columns and rows of plain values. Percentages are 0–100 with two decimals; a missing value (N/A, no
dossiers) is None on screen and in JSON, empty in CSV.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opendvc.scorecard.compute import UnitResult
from opendvc.scorecard.definition import Spec


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # "text", "number", "percent", "rank", "change"
    screen: bool = True  # shown on the page (every column is in the CSV and JSON)


@dataclass
class Table:
    name: str
    caption: str
    columns: list[Column]
    rows: list[dict]
    group_by: str = ""  # on the page, rows under a heading per value of this key

    @property
    def screen_columns(self) -> list[Column]:
        return [c for c in self.columns if c.screen]

    def sections(self):
        """(heading, rows) for templates, each row a (row, [(column, value)]) in screen-column order."""
        columns = self.screen_columns
        heading, rows = None, []
        for row in self.rows:
            title = row.get(self.group_by) if self.group_by else None
            if rows and title != heading:
                yield heading, rows
                rows = []
            heading = title
            rows.append((row, [(column, row.get(column.key)) for column in columns]))
        if rows:
            yield heading, rows

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.label for c in self.columns])
        for row in self.rows:
            writer.writerow(["" if row.get(c.key) is None else row.get(c.key) for c in self.columns])
        return out.getvalue()

    def as_json(self) -> dict:
        return {
            "table": self.name,
            "caption": self.caption,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [{c.key: row.get(c.key) for c in self.columns} for row in self.rows],
        }


def _group_columns(spec: Spec) -> list[Column]:
    return [Column(f"group_{g.code}", g.name, "percent") for g in spec.groups]


def _group_values(result: UnitResult) -> dict:
    return {f"group_{g.code}": g.percent for g in result.groups}


def ranking(results: list[UnitResult], spec: Spec, caption: str) -> Table:
    columns = [
        Column("rank", _("Hạng"), "rank"),
        Column("code", _("Mã cơ quan"), screen=False),
        Column("name", _("Đơn vị")),
        Column("total", _("Tổng điểm (trên 100)"), "percent"),
        *_group_columns(spec),
        Column("previous_rank", _("Hạng kỳ trước"), "rank"),
        Column("change", _("Thay đổi điểm so với kỳ trước"), "change"),
    ]
    rows = [
        {
            "rank": r.rank,
            "code": r.unit.code,
            "name": r.unit.name,
            "total": r.total,
            **_group_values(r),
            "previous_rank": r.previous_rank,
            "change": r.change,
        }
        for r in results
    ]
    return Table("ranking", caption, columns, rows)


def groups(result: UnitResult, caption: str) -> Table:
    columns = [
        Column("group", _("Nhóm chỉ số")),
        Column("points", _("Điểm tối đa"), "number"),
        Column("available_points", _("Điểm tính được"), "number"),
        Column("score", _("Điểm đạt"), "number"),
        Column("percent", _("Tỷ lệ điểm (%)"), "percent"),
    ]
    rows = [
        {
            "group": g.name,
            "points": g.points,
            "available_points": g.available_points,
            "score": round(g.score, 2),
            "percent": g.percent,
        }
        for g in result.groups
    ]
    return Table("groups", caption, columns, rows)


def criteria(result: UnitResult, caption: str) -> Table:
    """Each criterion with the numbers behind its rate, or why it is N/A."""
    columns = [
        Column("group", _("Nhóm"), screen=False),
        Column("code", _("Mã chỉ số"), screen=False),
        Column("criterion", _("Chỉ số")),
        Column("points", _("Điểm tối đa"), "number"),
        Column("target", _("Mục tiêu (%)"), "percent"),
        Column("numerator", _("Tử số"), "number"),
        Column("denominator", _("Mẫu số"), "number"),
        Column("rate", _("Tỷ lệ (%)"), "percent"),
        Column("score", _("Điểm đạt"), "number"),
        Column("note", _("Ghi chú")),
    ]
    rows = []
    for g in result.groups:
        for c in g.criteria:
            criterion = c.criterion
            if not criterion.available:
                note = _("Không tính (N/A): %(reason)s") % {"reason": criterion.unavailable}
            elif c.score is None:
                note = _("Không tính (N/A): kỳ này không có số liệu để tính tỷ lệ.")
            else:
                note = ""
            rows.append(
                {
                    "group": g.name,
                    "code": criterion.code,
                    "criterion": criterion.name,
                    "points": criterion.points,
                    "target": round(100 * criterion.target, 2) if criterion.target else None,
                    "numerator": c.numerator,
                    "denominator": c.denominator,
                    "rate": round(100 * c.rate, 2) if c.rate is not None else None,
                    "score": c.score,
                    "note": note,
                }
            )
    return Table("criteria", caption, columns, rows, group_by="group")


def trend(results: list[UnitResult], spec: Spec, caption: str) -> Table:
    columns = [Column("period", _("Kỳ")), Column("total", _("Tổng điểm (trên 100)"), "percent")]
    columns += _group_columns(spec)
    rows = [
        {"period": r.period.code, "label": r.period.label, "total": r.total, **_group_values(r)}
        for r in results
    ]
    return Table("trend", caption, columns, rows)


def comparison(first: UnitResult, second: UnitResult, caption: str) -> Table:
    """The two units side by side: the total, each group and each criterion."""
    columns = [
        Column("item", _("Nội dung")),
        Column("points", _("Điểm tối đa"), "number"),
        Column("first", first.unit.name, "number"),
        Column("second", second.unit.name, "number"),
    ]
    rows = [{"item": _("Tổng điểm (trên 100)"), "points": 100, "first": first.total, "second": second.total}]
    for g1, g2 in zip(first.groups, second.groups, strict=True):
        rows.append(
            {"item": g1.name, "points": g1.points, "first": round(g1.score, 2), "second": round(g2.score, 2)}
        )
        for c1, c2 in zip(g1.criteria, g2.criteria, strict=True):
            rows.append(
                {
                    "item": "– " + c1.criterion.name,
                    "points": c1.criterion.points,
                    "first": c1.score,
                    "second": c2.score,
                }
            )
    return Table("comparison", caption, columns, rows)
