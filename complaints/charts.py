"""Geometry of the analysis charts drawn as inline SVG in the PDF (the page draws the same figures with
the vendored Chart.js): bars, horizontal bars, and the Pareto chart's cumulative line."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def _nice_top(value: float) -> float:
    """A round upper end of an axis at or above `value` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop above always returns


def _figure(value) -> str:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}".rstrip("0").rstrip(".")
    return str(value)


def vbars(
    items: Sequence[tuple[str, float]],
    *,
    width: int = 520,
    height: int = 190,
    line: Sequence[float] | None = None,
    label_every: int = 1,
    counts: bool = True,
) -> dict:
    """Vertical bars (label, value), with an optional line of percentages (0–100) over them. Counts get
    whole-number ticks."""
    n = max(len(items), 1)
    top = _nice_top(max([float(v) for _l, v in items] + [0]))
    steps = int(top) if counts and top < 4 else 4
    left, right, head, foot = 34, 34 if line is not None else 10, 14, 30
    plot_w, plot_h = width - left - right, height - head - foot
    slot = plot_w / n
    base_y = head + plot_h
    bars = []
    for i, (label, value) in enumerate(items):
        h = round(plot_h * float(value) / top, 1)
        x = left + i * slot + slot * 0.15
        bars.append(
            {
                "label": label if i % label_every == 0 else "",
                "value": _figure(value) if value else "",
                "x": round(x, 1),
                "w": round(max(slot * 0.7, 1), 1),
                "y": round(base_y - h, 1),
                "h": h,
                "cx": round(x + slot * 0.35, 1),
            }
        )
    ticks = [{"y": round(base_y - plot_h * t / steps, 1), "t": _figure(top * t / steps)} for t in range(steps + 1)]
    geometry = {
        "width": width,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "left": left,
        "right_x": width - right,
        "base_y": base_y,
        "label_y": base_y + 13,
    }
    if line is not None:
        points = [
            (round(left + (i + 0.5) * slot, 1), round(base_y - plot_h * float(p) / 100, 1)) for i, p in enumerate(line)
        ]
        geometry["line"] = " ".join(f"{x},{y}" for x, y in points)
        geometry["line_points"] = [{"x": x, "y": y, "p": f"{p:.0f}%"} for (x, y), p in zip(points, line)]
        geometry["percent_ticks"] = [{"y": round(base_y - plot_h * t / 4, 1), "t": f"{25 * t}%"} for t in range(5)]
    return geometry


def hbars(items: Sequence[tuple[str, float]], *, width: int = 520, row: int = 20, label_w: int = 150) -> dict:
    """Horizontal bars (label, value), one row each: long labels (customers, defects) stay readable."""
    top = _nice_top(max([float(v) for _l, v in items] + [0]))
    plot = width - label_w - 44
    bars = []
    for i, (label, value) in enumerate(items):
        y = 6 + i * row
        w = round(plot * float(value) / top, 1)
        bars.append(
            {
                "label": label,
                "y": y,
                "ty": round(y + row * 0.62, 1),
                "w": w,
                "h": row - 6,
                "value": _figure(value),
                "vx": round(label_w + w + 4, 1),
            }
        )
    return {"width": width, "height": 12 + len(items) * row, "label_w": label_w, "bars": bars}
