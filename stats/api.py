"""GET /api/v1/statistics: JSON, or the same tables as a CSV or XLSX download."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel

from models import Role
from models.statistics import compute
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.auth import current_caller, require_staff
from okenko.runtime import queue, runtime

from . import export
from .query import parse

bp = Blueprint("stats_api", __name__, url_prefix="/api/v1")

STAFF_ROLES = tuple(Role)


class StatisticsRow(BaseModel):
    """Grouping keys (those named in `by`) followed by the figures."""
    tickets: int
    walk_ins: int
    appointments: int
    served: int
    no_show: int
    cancelled: int
    transferred: int
    interpreter_requests: int
    interpreting_minutes: float
    wait_median_s: int | None
    wait_p90_s: int | None
    service_median_s: int | None
    service_p90_s: int | None
    estimate_error_median_min: int | None


class TopicCount(BaseModel):
    topic: str
    count: int


class StatisticsOut(BaseModel):
    """Anonymous figures of a period; durations are upper edges of histogram buckets."""
    model_config = {"extra": "allow"}
    rows: list[dict]
    total: StatisticsRow
    topics: list[TopicCount]
    estimate_error_median_min: int | None


QUERY = {
    "from": "First service day, YYYY-MM-DD (required)",
    "to": "Last service day, YYYY-MM-DD (required)",
    "branch": "Branch code(s), comma-separated; default: every branch you may see",
    "service": "Service code(s), comma-separated",
    "language": "Language code(s), comma-separated",
    "by": "Grouping, comma-separated: branch, service, language, topic, day, month, hour, weekday",
    "format": "json (default), csv or xlsx; Accept: text/csv works too",
    "table": "CSV only: rows (default) or topics",
}


def statistics_for_request() -> dict:
    staff = current_caller().staff
    with runtime().reader() as session:
        query = parse(request.args, session, staff.id, staff.role)
        return compute(session, query, queue().clock())


def _format() -> str:
    wanted = request.args.get("format", "")
    if wanted:
        if wanted not in ("json", "csv", "xlsx"):
            raise ApiError(400, "invalid_query", "format is json, csv or xlsx", field="format")
        return wanted
    best = request.accept_mimetypes.best_match(["application/json", "text/csv", export.XLSX_TYPE])
    return {"text/csv": "csv", export.XLSX_TYPE: "xlsx"}.get(best, "json")


@bp.get("/statistics")
@document("Statistics of a period: tickets, outcomes, waits, interpreting, topics (anonymous)",
          tag="statistics", auth="staff", query=QUERY, responses={200: ("The figures", StatisticsOut)})
@require_staff(STAFF_ROLES)
def statistics():
    kind = _format()
    result = statistics_for_request()
    if kind == "json":
        return jsonify(result)
    return download(result, kind, request.args.get("table", "rows"))


def download(result: dict, kind: str, table_key: str = "rows") -> Response:
    tables = export.tables(result)
    if kind == "csv":
        table = next((t for t in tables if t.key == table_key), tables[0])
        body, mimetype = export.to_csv(table), export.CSV_TYPE
    else:
        body, mimetype = export.to_xlsx(tables), export.XLSX_TYPE
    name = export.file_name(result, kind)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
