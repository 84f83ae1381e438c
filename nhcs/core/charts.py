"""Charts drawn on the server as SVG markup: the same markup on the page and in the PDF (no script, no
CDN, no inline style: presentation attributes only, so the Content-Security-Policy lets it draw).

    bar_chart([("2026-01", 4), ("2026-02", 7)], title="Complaints by month")
    bar_chart(items, line=[40.0, 75.0, 100.0])            # a Pareto: bars and their cumulative share
    pareto_chart([("Burr", 9), ("Scratch", 4)])           # sorts, and computes the cumulative line
    hbar_chart([("C001 Acme", 12), ...])                  # long labels (customers, defects)
    line_chart([("2024", 78.5), ("2025", 81.0)], scale_max=100)

A chart never lets its labels collide: category labels that do not fit their slot are wrapped onto two
lines, then turned by 45° with room made below the axis; value labels that do not fit are left to the
bar's tooltip. Text widths are estimated (CJK characters one em, others about 0.6 em).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = 10
PALETTE = ("#0d6efd", "#20a070", "#6f42c1", "#fd7e14", "#dc3545", "#0dcaf0", "#6c757d")


def text_width(text: str, size: float = FONT) -> float:
    """Estimated width of a text in SVG units at a font size."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in str(text))


def nice_top(value: float) -> float:
    """A round upper end of an axis at or above `value` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value - 1e-9:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def figure(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return str(value)


def _split(label: str, width: float, size: float) -> list[str]:
    """The label on at most two lines that each fit `width`, or [] when it cannot."""
    label = str(label)
    if text_width(label, size) <= width:
        return [label]
    # The most even cut that fits: between words, else between characters (Chinese has no spaces).
    # Between words (after a space, a hyphen or a slash: "2026-" / "11"), else between characters.
    word_cuts = [(label[:i].strip(), label[i:].strip()) for i in range(1, len(label)) if label[i - 1] in " -/"]
    char_cuts = [(label[:i].strip(), label[i:].strip()) for i in range(1, len(label))]
    for cuts in (word_cuts, char_cuts):
        fitting = [c for c in cuts if c[0] and c[1] and max(text_width(c[0], size), text_width(c[1], size)) <= width]
        if fitting:
            first, second = min(fitting, key=lambda c: abs(text_width(c[0], size) - text_width(c[1], size)))
            return [first, second]
    return []


def _clip(label: str, limit: int = 18) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _layout_labels(labels: Sequence[str], slot: float, size: float):
    """("flat", lines per label, foot height) or ("turned", clipped labels, foot height)."""
    lines = [_split(label, slot * 0.95, size) for label in labels]
    if all(lines):
        rows = max((len(x) for x in lines), default=1)
        return "flat", lines, 6 + rows * (size + 2)
    clipped = [_clip(label) for label in labels]
    longest = max((text_width(label, size) for label in clipped), default=0)
    return "turned", clipped, 10 + longest * 0.72


def _svg(width: float, height: float, title: str, body: list[str], css_class: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nhcs-chart {css_class}" role="img" '
        f'width="100%" viewBox="0 0 {width:.0f} {height:.0f}" preserveAspectRatio="xMinYMin meet" '
        f'font-family="sans-serif"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def bar_chart(
    items: Sequence[tuple[str, float | int | Decimal | None]],
    *,
    title: str = "",
    color: str = PALETTE[0],
    line: Sequence[float] | None = None,
    width: int = 520,
    plot_height: int = 150,
    scale_max: float | None = None,
    counts: bool = True,
) -> SafeString:
    """Vertical bars (label, value), with an optional line of percentages (0–100) over them (Pareto)."""
    values = [float(v or 0) for _l, v in items]
    top = scale_max or nice_top(max(values + [0]))
    steps = int(top) if counts and scale_max is None and top < 4 else 4
    left, right, head = 36, (38 if line is not None else 10), 14
    n = max(len(items), 1)
    plot_w = width - left - right
    slot = plot_w / n
    mode, labels, foot = _layout_labels([label for label, _v in items], slot, FONT)
    height = head + plot_height + foot
    base_y = head + plot_height
    body = []
    for t in range(steps + 1):
        y = base_y - plot_height * t / steps
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9" fill="#444">{figure(top * t / steps)}</text>'
        )
    body.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="#000" stroke-width="0.8"/>'
    )
    value_fits = all(text_width(figure(v), 9) <= slot * 1.05 for v in values)
    for i, ((label, value), v) in enumerate(zip(items, values)):
        h = plot_height * min(v, top) / top
        x = left + i * slot + slot * 0.15
        cx = left + (i + 0.5) * slot
        body.append(
            f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{max(slot * 0.7, 1):.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(label)}: {figure(value)}</title></rect>"
        )
        if value_fits and value:
            body.append(
                f'<text x="{cx:.1f}" y="{base_y - h - 3:.1f}" text-anchor="middle" font-size="9">{figure(value)}</text>'
            )
        if mode == "flat":
            for row, text in enumerate(labels[i]):
                y = base_y + 4 + (row + 1) * (FONT + 1)
                body.append(
                    f'<text x="{cx:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{FONT}">{escape(text)}</text>'
                )
        else:
            y = base_y + 10
            body.append(
                f'<text x="{cx:.1f}" y="{y:.1f}" text-anchor="end" font-size="{FONT}" '
                f'transform="rotate(-45 {cx:.1f} {y:.1f})">{escape(labels[i])}</text>'
            )
    if line is not None and items:
        points = [(left + (i + 0.5) * slot, base_y - plot_height * float(p) / 100) for i, p in enumerate(line)]
        body.append(
            '<polyline points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + '" fill="none" stroke="#222" stroke-width="1.4"/>'
        )
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="#222"/>' for x, y in points)
        for t in range(5):
            y = base_y - plot_height * t / 4
            body.append(f'<text x="{width - right + 4}" y="{y + 3:.1f}" font-size="9" fill="#444">{25 * t}%</text>')
    return _svg(width, height, title, body, "chart-bar")


def pareto_chart(items: Sequence[tuple[str, int]], *, title: str = "", limit: int = 10, **kwargs) -> SafeString:
    """Bars from the most frequent down, with the cumulative share as a line."""
    ranked = sorted(items, key=lambda item: (-item[1], str(item[0])))
    total = sum(n for _l, n in ranked) or 1
    running, line = 0, []
    for _label, n in ranked:
        running += n
        line.append(round(100 * running / total, 1))
    return bar_chart(ranked[:limit], title=title, line=line[:limit], color=kwargs.pop("color", PALETTE[4]), **kwargs)


def hbar_chart(
    items: Sequence[tuple[str, float | int | Decimal | None]],
    *,
    title: str = "",
    color: str = PALETTE[1],
    width: int = 520,
    row: int = 20,
    scale_max: float | None = None,
) -> SafeString:
    """Horizontal bars (label, value), one row each: long labels stay readable (clipped to the margin)."""
    labels = [_clip(label, 28) for label, _v in items]
    label_w = min(max((text_width(label, FONT) for label in labels), default=40) + 8, width * 0.45)
    labels = [label if text_width(label, FONT) + 8 <= label_w else _clip(label, 14) for label in labels]
    values = [float(v or 0) for _l, v in items]
    top = scale_max or nice_top(max(values + [0]))
    plot = width - label_w - 44
    body = []
    for i, ((label, value), v, shown) in enumerate(zip(items, values, labels)):
        y = 6 + i * row
        w = plot * min(v, top) / top
        ty = y + row * 0.62
        body.append(
            f'<text x="{label_w - 6:.1f}" y="{ty:.1f}" text-anchor="end" font-size="{FONT}">{escape(shown)}</text>'
        )
        body.append(
            f'<rect x="{label_w:.1f}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{color}">'
            f"<title>{escape(label)}: {figure(value)}</title></rect>"
        )
        body.append(f'<text x="{label_w + w + 4:.1f}" y="{ty:.1f}" font-size="9">{figure(value)}</text>')
    return _svg(width, 12 + max(len(items), 1) * row, title, body, "chart-hbar")


def line_chart(
    items: Sequence[tuple[str, float | int | Decimal | None]],
    *,
    title: str = "",
    color: str = PALETTE[0],
    width: int = 520,
    plot_height: int = 130,
    scale_max: float | None = None,
    suffix: str = "",
) -> SafeString:
    """A line over categories (years, months); points without a value break the line."""
    values = [None if v is None else float(v) for _l, v in items]
    top = scale_max or nice_top(max([v for v in values if v is not None] + [0]))
    left, right, head = 36, 14, 14
    n = max(len(items), 1)
    slot = (width - left - right) / n
    mode, labels, foot = _layout_labels([label for label, _v in items], slot, FONT)
    base_y = head + plot_height
    body = []
    for t in range(5):
        y = base_y - plot_height * t / 4
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9" fill="#444">{figure(top * t / 4)}{suffix}</text>'
        )
    segment: list[str] = []
    segments = [segment]
    for i, v in enumerate(values):
        cx = left + (i + 0.5) * slot
        if v is None:
            segment = []
            segments.append(segment)
        else:
            y = base_y - plot_height * min(v, top) / top
            segment.append(f"{cx:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{cx:.1f}" cy="{y:.1f}" r="2.6" fill="{color}"><title>{escape(items[i][0])}: '
                f"{figure(v)}{suffix}</title></circle>"
            )
            if text_width(figure(v) + suffix, 9) <= slot * 1.05:
                body.append(
                    f'<text x="{cx:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="9">{figure(v)}{suffix}</text>'
                )
        if mode == "flat":
            for row, text in enumerate(labels[i]):
                ty = base_y + 4 + (row + 1) * (FONT + 1)
                body.append(
                    f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="{FONT}">{escape(text)}</text>'
                )
        else:
            ty = base_y + 10
            body.append(
                f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="end" font-size="{FONT}" '
                f'transform="rotate(-45 {cx:.1f} {ty:.1f})">{escape(labels[i])}</text>'
            )
    for seg in segments:
        if len(seg) > 1:
            body.insert(0, f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" stroke-width="1.6"/>')
    body.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="#000" stroke-width="0.8"/>'
    )
    return _svg(width, head + plot_height + foot, title, body, "chart-line")
