from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satisfaction import scoring
from satisfaction.choices import Band

B = Band


@pytest.mark.parametrize(
    "total, band",
    [
        ("0", B.VERY_DISSATISFIED),
        ("39.9", B.VERY_DISSATISFIED),
        ("39.94", B.VERY_DISSATISFIED),
        ("39.95", B.NOT_VERY_SATISFIED),  # shown as 40.0
        ("40", B.NOT_VERY_SATISFIED),
        ("59.9", B.NOT_VERY_SATISFIED),
        ("59.95", B.SATISFIED),  # shown as 60.0: figure and band agree
        ("60", B.SATISFIED),
        ("79.9", B.SATISFIED),
        ("80", B.FAIRLY_SATISFIED),
        ("89.9", B.FAIRLY_SATISFIED),
        ("90", B.VERY_SATISFIED),
        ("100", B.VERY_SATISFIED),
    ],
)
def test_band_boundaries(total, band):
    assert scoring.band_for(Decimal(total)) == band


def test_rounding_is_half_up_to_one_decimal():
    assert scoring.round_score(Decimal("59.95")) == Decimal("60.0")
    assert scoring.round_score(Decimal("59.94")) == Decimal("59.9")
    assert scoring.round_score(Decimal("0.05")) == Decimal("0.1")
    assert str(scoring.round_score(80)) == "80.0"


def test_out_of_range_is_refused():
    with pytest.raises(ValueError):
        scoring.band_for(Decimal("100.1"))
    with pytest.raises(ValueError):
        scoring.band_for(Decimal("-0.1"))


def _expected(shown: Decimal) -> str:
    if shown < 40:
        return B.VERY_DISSATISFIED
    if shown < 60:
        return B.NOT_VERY_SATISFIED
    if shown < 80:
        return B.SATISFIED
    if shown < 90:
        return B.FAIRLY_SATISFIED
    return B.VERY_SATISFIED


@given(st.decimals(min_value=0, max_value=100, places=3))
def test_band_matches_the_rule_on_the_shown_figure(total):
    shown = scoring.round_score(total)
    assert scoring.band_for(total) == _expected(shown)
    # the figure as shown always gives the same band as the raw total
    assert scoring.band_for(shown) == scoring.band_for(total)


@given(st.lists(st.tuples(st.integers(1, 5), st.sampled_from([100, 85, 70, 50, 20])), min_size=1, max_size=8))
def test_weighted_total_is_the_weighted_mean_within_range(pairs):
    total = scoring.weighted_total(pairs)
    assert Decimal(0) <= total <= Decimal(100)
    exact = sum(Decimal(w) * p for w, p in pairs) / sum(Decimal(w) for w, _p in pairs)
    assert abs(total - exact) <= Decimal("0.05")
    assert total == total.quantize(Decimal("0.1"))


@given(st.integers(0, 100))
def test_equal_weights_of_one_tick_give_its_points(points):
    assert scoring.weighted_total([(1, points)] * 8) == Decimal(points)


def test_weights_change_the_total():
    # quality weighted 3, the rest 1: (3*50 + 7*100) / 10 = 85.0
    assert scoring.weighted_total([(3, 50)] + [(1, 100)] * 7) == Decimal("85.0")
    # equal weights: (50 + 7*100) / 8 = 93.75 → 93.8
    assert scoring.weighted_total([(1, 50)] + [(1, 100)] * 7) == Decimal("93.8")
    # zero weight ignored
    assert scoring.weighted_total([(0, 20), (1, 70)]) == Decimal("70.0")
    with pytest.raises(ValueError):
        scoring.weighted_total([(0, 20)])


def test_band_labels_carry_the_procedure_terms():
    assert scoring.band_label(B.VERY_SATISFIED).startswith("很满意")
    assert scoring.band_label(B.VERY_DISSATISFIED).startswith("很不满意")
