"""Charts drawn on the server as SVG geometry (no script, no chart library to ship): bars, a trend
line and an hour × weekday heat map. Templates draw the shapes; the numbers also go in a table."""
from __future__ import annotations

from dataclasses import dataclass

BAR_WIDTH = 300      # the longest bar, in SVG units
ROW_HEIGHT = 22
TREND_WIDTH, TREND_HEIGHT = 600, 160
CELL = 24


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


def bars(items: list[tuple[str, int]]) -> dict:
    top = max((value for _, value in items), default=0) or 1
    shapes = [Bar(label, value, index * ROW_HEIGHT, round(BAR_WIDTH * value / top))
              for index, (label, value) in enumerate(items)]
    return {"bars": shapes, "height": max(len(items), 1) * ROW_HEIGHT, "width": BAR_WIDTH}


def trend(points: list[tuple[str, int]]) -> dict:
    """A polyline of values over time, scaled into the chart box."""
    top = max((value for _, value in points), default=0) or 1
    step = TREND_WIDTH / max(len(points) - 1, 1)
    coordinates = [(round(index * step, 1), round(TREND_HEIGHT - TREND_HEIGHT * value / top, 1))
                   for index, (_, value) in enumerate(points)]
    return {"points": " ".join(f"{x},{y}" for x, y in coordinates), "dots": coordinates,
            "width": TREND_WIDTH, "height": TREND_HEIGHT, "top": top}


def heat_map(counts: dict[tuple[int, int], int], hours: list[int]) -> dict:
    """Cells per (weekday 0–6, hour); darker is busier (the table beside gives the numbers)."""
    top = max(counts.values(), default=0) or 1
    cells = [{"x": column * CELL, "y": weekday * CELL, "value": counts.get((weekday, hour), 0),
              "opacity": round(0.08 + 0.92 * counts.get((weekday, hour), 0) / top, 2)}
             for weekday in range(7) for column, hour in enumerate(hours)]
    return {"cells": cells, "width": max(len(hours), 1) * CELL, "height": 7 * CELL, "hours": hours}
