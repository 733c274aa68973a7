"""A small line chart drawn on the server as SVG: element scores over a teacher's
observations. No script, so it also shows on a phone that saved the page."""

from __future__ import annotations

from dataclasses import dataclass

PALETTE = (
    "#1f6feb",
    "#d1242f",
    "#1a7f37",
    "#9a6700",
    "#8250df",
    "#bf3989",
    "#0a7b83",
    "#6e7781",
    "#fb8500",
    "#3d5a80",
    "#588157",
    "#7f5539",
)


@dataclass
class Series:
    label: str
    colour: str
    points: str  # SVG polyline points
    dots: list[tuple[str, str, int]]


@dataclass
class LineChart:
    width: int
    height: int
    x_labels: list[tuple[str, str]]
    y_ticks: list[tuple[str, int]]
    series: list[Series]
    left: int
    right: int


def line_chart(
    *, x_labels: list[str], rows: list[tuple[str, list[int | None]]], y_max: int
) -> LineChart:
    width, height = 640, 260
    left, right, top, bottom = 36, 16, 12, 28
    span_x = width - left - right
    span_y = height - top - bottom
    count = max(len(x_labels), 1)

    # Coordinates as text with a point: the template would localise a float ("232,0").
    def x(i: int) -> str:
        return f"{left + (span_x * i / (count - 1) if count > 1 else span_x / 2):.1f}"

    def y(v: int) -> str:
        return f"{top + span_y * (1 - (v - 1) / max(y_max - 1, 1)):.1f}"

    series = []
    for index, (label, values) in enumerate(rows):
        dots = [(x(i), y(v), v) for i, v in enumerate(values) if v is not None]
        series.append(
            Series(
                label=label,
                colour=PALETTE[index % len(PALETTE)],
                points=" ".join(f"{px},{py}" for px, py, _v in dots),
                dots=dots,
            )
        )
    return LineChart(
        width=width,
        height=height,
        x_labels=[(x(i), text) for i, text in enumerate(x_labels)],
        y_ticks=[(y(v), v) for v in range(1, y_max + 1)],
        series=series,
        left=left,
        right=width - right,
    )
