"""Scores and bands of the survey form (NH-QP14 4.7.3). Pure functions: no database.

A total is the weighted mean of the aspect points, rounded half up to one decimal; the band is decided
on that rounded figure, so the figure printed and its band never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .choices import BAND_ZH, Band

ONE_DECIMAL = Decimal("0.1")
LOW_TOTAL_LIMIT = Decimal("60")

# (lower bound inclusive, band), checked from the top. The procedure's ranges share their end points;
# this reading (a bound belongs to the higher band) is the rule.
BAND_FLOORS: list[tuple[Decimal, str]] = [
    (Decimal("90"), Band.VERY_SATISFIED),
    (Decimal("80"), Band.FAIRLY_SATISFIED),
    (Decimal("60"), Band.SATISFIED),
    (Decimal("40"), Band.NOT_VERY_SATISFIED),
    (Decimal("0"), Band.VERY_DISSATISFIED),
]

BAND_LEGEND = [
    (Band.VERY_SATISFIED, _("90 ≤ total ≤ 100")),
    (Band.FAIRLY_SATISFIED, _("80 ≤ total < 90")),
    (Band.SATISFIED, _("60 ≤ total < 80")),
    (Band.NOT_VERY_SATISFIED, _("40 ≤ total < 60")),
    (Band.VERY_DISSATISFIED, _("total < 40")),
]


def round_score(value: Decimal | int | float | str) -> Decimal:
    """One decimal, half up (59.95 → 60.0), as shown everywhere."""
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def weighted_total(pairs: Iterable[tuple[Decimal | int, Decimal | int]]) -> Decimal:
    """Weighted mean of (weight, points) pairs, rounded to one decimal. Zero weights are ignored."""
    total_weight = Decimal(0)
    weighted = Decimal(0)
    for weight, points in pairs:
        weight = Decimal(str(weight))
        total_weight += weight
        weighted += weight * Decimal(str(points))
    if total_weight <= 0:
        raise ValueError("no weight")
    return round_score(weighted / total_weight)


def band_for(total: Decimal | int | float | str) -> str:
    """The band of a total, decided on the total as shown (one decimal, half up)."""
    shown = round_score(total)
    if shown < 0 or shown > 100:
        raise ValueError(f"total out of range: {shown}")
    for floor, band in BAND_FLOORS:
        if shown >= floor:
            return band
    raise AssertionError("unreachable")  # pragma: no cover


def band_label(band: str) -> str:
    """“很满意 Very satisfied” — the procedure's Chinese term with the translated name."""
    label = str(Band(band).label)
    zh = BAND_ZH[Band(band)]
    return zh if label == zh else f"{zh} {label}"


def is_low_total(total: Decimal) -> bool:
    return round_score(total) < LOW_TOTAL_LIMIT
