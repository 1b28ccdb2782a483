"""Statistics tables as CSV and XLSX files, headed in the caller's language (Czech or English)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook

from .labels import column_label, topic_label

MEASURE_COLUMNS = ("tickets", "walk_ins", "appointments", "served", "no_show", "cancelled", "transferred",
                   "interpreter_requests", "interpreting_minutes", "wait_median_s", "wait_p90_s",
                   "service_median_s", "service_p90_s", "estimate_error_median_min")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[list]

    def header(self) -> list[str]:
        return [column_label(c) for c in self.columns]


def tables(result: dict) -> list[Table]:
    """Every table of a statistics result: its rows (with the total) and the topics."""
    by = tuple(result["by"])
    measures = ("interventions",) if "topic" in by else MEASURE_COLUMNS
    columns = by + measures
    rows = [[_cell(c, row.get(c)) for c in columns] for row in result["rows"]]
    if by:
        rows.append([_("Total")] + [""] * (len(by) - 1) + [result["total"].get(c) for c in measures])
    else:
        rows.append([result["total"].get(c) for c in measures])
    topics = [[topic_label(t["topic"]), t["count"]] for t in result["topics"]]
    return [Table("rows", _("Statistics"), columns, rows), Table("topics", _("Topics"), ("topic", "count"), topics)]


def _cell(column: str, value):
    return topic_label(value) if column == "topic" and value is not None else value


def file_name(result: dict, extension: str) -> str:
    branches = "+".join(result["branches"]) or "none"
    return f"okenko-{branches}-{result['from']}-{result['to']}.{extension}"


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header())
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    # The byte-order mark makes spreadsheet programs read the Czech letters as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(all_tables: list[Table]) -> bytes:
    workbook = Workbook(write_only=True)
    for table in all_tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.append(table.header())
        for row in table.rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

