"""Charts drawn on the server as SVG (readable without JavaScript; the page has the numbers as a
table too): the geometry is computed here, the template only places rectangles and text."""

from __future__ import annotations

from dataclasses import dataclass

from .constants import Level


@dataclass
class Bar:
    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float
    css: str
    label_x: float = 0
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0


def level_chart(total, *, width: int = 560, height: int = 240) -> dict:
    """Vertical bars: the counted ratings per level (非常满意 … 非常不满意)."""
    values = total.levels
    top = max(values + [1])
    left, bottom, plot_h = 10, 40, height - 70
    slot = (width - 2 * left) / len(values)
    bars = []
    for index, (code, value) in enumerate(zip(Level.values, values, strict=True)):
        bar_h = plot_h * value / top
        x = left + index * slot + slot * 0.15
        bar = Bar(
            label=str(Level(code).label),
            value=value,
            text=str(value),
            x=round(x, 1),
            y=round(height - bottom - bar_h, 1),
            width=round(slot * 0.7, 1),
            height=round(bar_h, 1),
            css=f"chart-level-{code}",
        )
        bar.label_x = bar.value_x = round(x + slot * 0.35, 1)
        bar.label_y = height - bottom + 20
        bar.value_y = round(bar.y - 6, 1)
        bars.append(bar)
    return {"width": width, "height": height, "bars": bars, "baseline": height - bottom}


CHART_GROUPS = 20


def rate_chart(lines, *, width: int = 560, row: int = 28, most: int = CHART_GROUPS) -> dict:
    """Horizontal bars: the satisfaction rate (%) of each group; with many groups (items), the `most`
    with the most counted ratings (the table below lists them all)."""
    shown = sorted(lines, key=lambda line: -line.counts["rated"])[:most] if len(lines) > most else lines
    chart = _rate_bars(shown, width=width, row=row)
    chart["partial"] = len(shown) < len(lines)
    chart["shown"] = len(shown)
    return chart


def _rate_bars(lines, *, width: int, row: int) -> dict:
    label_w, right = 190, 60
    plot_w = width - label_w - right
    bars = []
    for index, line in enumerate(lines):
        rate = line.satisfaction
        y = 10 + index * row
        bar = Bar(
            label=line.label[:14],
            value=rate or 0,
            text="—" if rate is None else f"{rate}%",
            x=label_w,
            y=y,
            width=round(plot_w * (rate or 0) / 100, 1),
            height=row - 10,
            css="chart-rate",
        )
        bar.label_x, bar.label_y = label_w - 8, y + (row - 10) / 2 + 5
        bar.value_x, bar.value_y = label_w + bar.width + 6, bar.label_y
        bars.append(bar)
    return {"width": width, "height": 20 + len(lines) * row, "bars": bars, "axis_x": label_w}
