"""Tests for survey.stats: hand-computed examples first, then hypothesis properties."""

from __future__ import annotations

import math
import statistics
from dataclasses import astuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.dashboard.trend_words import trend_reading
from survey.stats import (
    Cell,
    Summary,
    change_shares,
    classify_change,
    cronbach_alpha,
    cronbach_alpha_from_sums,
    effective_k,
    flag_not_changing,
    pool_summaries,
    reliable_change_index,
    summarize,
    summary_from_moments,
    suppress_small_cells,
    t_quantile,
    trend_direction,
)

# Scale scores are means of Likert items, so realistic values are small multiples of 1/k.
likert_means = st.integers(1, 10).flatmap(lambda items: st.integers(0, 4 * items).map(lambda total: 1 + total / items))
score_lists = st.lists(likert_means, min_size=1, max_size=60)


def same_summary(actual: Summary | None, expected: Summary | None, tol: float = 1e-9) -> bool:
    """Compare two summaries field by field, since pytest.approx does not look inside dataclasses."""
    if actual is None or expected is None:
        return actual is expected
    pairs = list(zip(astuple(actual), astuple(expected), strict=True))
    if any((a is None) != (e is None) for a, e in pairs):
        return False
    numbers = [(a, e) for a, e in pairs if e is not None]
    return [a for a, _ in numbers] == pytest.approx([e for _, e in numbers], rel=tol, abs=tol)


# --- t quantiles -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        (1, 12.7062047),
        (2, 4.3026527),
        (5, 2.5705818),
        (10, 2.2281389),
        (30, 2.0422725),
        (100, 1.9839715),
        (1000, 1.9623391),
        (math.inf, 1.9599640),
    ],
)
def test_t_quantile_matches_tables(df: float, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-7)


def test_t_quantile_other_levels_and_symmetry() -> None:
    assert t_quantile(0.995, 30) == pytest.approx(2.7499957, abs=5e-7)
    assert t_quantile(0.9995, 1) == pytest.approx(636.6192, abs=1e-3)
    assert t_quantile(0.025, 7) == pytest.approx(-t_quantile(0.975, 7))
    assert t_quantile(0.5, 4) == 0.0


@pytest.mark.parametrize(("p", "df"), [(0.0, 5), (1.0, 5), (0.975, 0), (0.975, -1)])
def test_t_quantile_rejects_bad_input(p: float, df: float) -> None:
    with pytest.raises(ValueError):
        t_quantile(p, df)


@given(st.floats(1, 500))
def test_t_quantile_shrinks_towards_normal_as_df_grows(df: float) -> None:
    assert t_quantile(0.975, df) >= t_quantile(0.975, df + 1) >= t_quantile(0.975, math.inf)


# --- summaries -------------------------------------------------------------------------


def test_summarize_hand_computed() -> None:
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    # mean = 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; variance = 32 / 7.
    sd = math.sqrt(32 / 7)  # 2.13809
    half = 2.3646243 * sd / math.sqrt(8)  # t(0.975, 7) * SE = 1.787488
    result = summarize(values)
    assert same_summary(result, Summary(8, 5.0, sd, 5 - half, 5 + half), tol=1e-7)
    assert result is not None and result.ci_low == pytest.approx(3.212512, abs=1e-6)


def test_summary_of_nothing_and_of_one() -> None:
    assert summarize([]) is None
    assert summary_from_moments(0, 0.0, 0.0) is None
    # One answer has a mean but no spread and no interval.
    assert summarize([3.5]) == Summary(1, 3.5, None, None, None)
    assert summary_from_moments(1, 3.5, 12.25) == Summary(1, 3.5, None, None, None)


def test_summary_from_moments_hand_computed() -> None:
    # Same data as above: sum 40, sum of squares 4+16*3+25*2+49+81 = 232.
    assert same_summary(summary_from_moments(8, 40.0, 232.0), summarize([2, 4, 4, 4, 5, 5, 7, 9]))


def test_summary_from_moments_clamps_rounding_noise_to_zero() -> None:
    # Three identical answers of 0.1: the sums carry rounding error that can make the
    # variance slightly negative; it must come out as exactly 0, not NaN.
    total, total_sq = 0.1 + 0.1 + 0.1, 0.1 * 0.1 * 3 - 1e-18
    result = summary_from_moments(3, total, total_sq)
    assert result is not None and result.sd == 0.0
    assert result.ci_low == result.ci_high == pytest.approx(0.1)


@pytest.mark.parametrize("n", [-1, 2.0, True])
def test_summary_from_moments_rejects_bad_counts(n: object) -> None:
    with pytest.raises(ValueError):
        summary_from_moments(n, 1.0, 1.0)  # type: ignore[arg-type]


def test_summarize_rejects_nan() -> None:
    with pytest.raises(ValueError):
        summarize([1.0, math.nan])


@given(score_lists)
def test_ci_contains_the_mean(values: list[float]) -> None:
    result = summarize(values)
    assert result is not None
    if result.n > 1:
        assert result.ci_low is not None and result.ci_high is not None
        assert result.ci_low <= result.mean <= result.ci_high


@given(score_lists)
def test_moments_agree_with_raw_values(values: list[float]) -> None:
    raw = summarize(values)
    moments = summary_from_moments(len(values), math.fsum(values), math.fsum(v * v for v in values))
    assert same_summary(moments, raw)


@given(st.lists(score_lists, min_size=1, max_size=6))
def test_pooling_equals_summarizing_everything(groups: list[list[float]]) -> None:
    pooled = pool_summaries([summarize(group) for group in groups] + [None])
    assert same_summary(pooled, summarize([v for group in groups for v in group]))


# --- small-cell suppression ------------------------------------------------------------


def stat_cell(key: str, n: int) -> Cell[Summary]:
    """Make a cell with a placeholder summary, so tests can see whether it survives."""
    return Cell(key, n, Summary(n, 3.0, 1.0, 2.0, 4.0) if n else None)


def test_effective_k_has_a_floor_of_three() -> None:
    assert [effective_k(k) for k in (0, 1, 2, 3, 5, 10)] == [3, 3, 3, 3, 5, 10]


def test_small_cells_lose_their_statistics_but_keep_n() -> None:
    cells = suppress_small_cells([stat_cell("a", 4), stat_cell("b", 5), stat_cell("c", 2)], k=5)
    assert [(c.key, c.n, c.stats is None, c.hidden_because) for c in cells] == [
        ("a", 4, True, "small_cell"),
        ("b", 5, False, None),
        ("c", 2, True, "small_cell"),
    ]


def test_floor_applies_even_when_k_is_configured_lower() -> None:
    (cell,) = suppress_small_cells([stat_cell("a", 2)], k=1)
    assert cell.suppressed


def test_a_hidden_cell_cannot_carry_statistics() -> None:
    with pytest.raises(ValueError):
        Cell("a", 9, Summary(9, 1.0, 0.0, 1.0, 1.0), hidden_because="complement")


@given(st.lists(st.integers(0, 20), max_size=12), st.integers(0, 10))
def test_suppression_never_returns_statistics_below_k(ns: list[int], k: int) -> None:
    cells = suppress_small_cells([stat_cell(str(i), n) for i, n in enumerate(ns)], k)
    assert all(c.stats is None for c in cells if c.n < effective_k(k))
    assert all(c.stats is not None for c in cells if c.n >= effective_k(k))


# --- Cronbach's alpha ------------------------------------------------------------------

FIVE_BY_THREE = [[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 4, 4], [5, 3, 5]]


def test_alpha_hand_computed() -> None:
    # Item 1: 1..5, mean 3, squared deviations 4+1+0+1+4 = 10, variance 10/4 = 2.5.
    # Item 2: 2,3,3,4,3, mean 3, squared deviations 1+0+0+1+0 = 2, variance 0.5.
    # Item 3: 2,3,4,4,5, mean 3.6, squared deviations 2.56+0.36+0.16+0.16+1.96 = 5.2, variance 1.3.
    # Sum of item variances = 4.3.
    # Totals 5,8,10,12,13, mean 9.6, squared deviations 21.16+2.56+0.16+5.76+11.56 = 41.2, variance 10.3.
    # alpha = 3/2 * (1 - 4.3/10.3) = 1.5 * 6/10.3 = 9/10.3 = 0.873786...
    result = cronbach_alpha(FIVE_BY_THREE)
    assert result is not None
    assert result.value == pytest.approx(9 / 10.3)
    assert (result.n, result.k, result.n_excluded) == (5, 3, 0)


def test_alpha_from_sums_matches_the_hand_example() -> None:
    columns = list(zip(*FIVE_BY_THREE, strict=True))
    totals = [sum(row) for row in FIVE_BY_THREE]
    result = cronbach_alpha_from_sums(
        5,
        [sum(c) for c in columns],
        [sum(v * v for v in c) for c in columns],
        sum(totals),
        sum(t * t for t in totals),
    )
    assert result is not None and result.value == pytest.approx(9 / 10.3)


def test_alpha_uses_complete_rows_only() -> None:
    result = cronbach_alpha([*FIVE_BY_THREE, [None, 1, 5], [2, None, None]])
    assert result is not None
    assert result.value == pytest.approx(9 / 10.3)
    assert (result.n, result.n_excluded) == (5, 2)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [[1], [2], [3]],  # one item
        [[1, 2, 3], [None, 2, 3]],  # one complete row
        [[2, 2], [2, 2], [2, 2]],  # no variance in the total
    ],
)
def test_alpha_is_none_when_undefined(rows: list[list[float | None]]) -> None:
    assert cronbach_alpha(rows) is None


def test_alpha_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError):
        cronbach_alpha([[1, 2], [1, 2, 3]])


def test_alpha_can_be_negative_for_opposed_items() -> None:
    result = cronbach_alpha([[1, 5], [2, 3], [3, 4], [4, 1]])
    assert result is not None and result.value < 0


@given(st.lists(st.integers(1, 5), min_size=2, max_size=30).filter(lambda xs: len(set(xs)) > 1), st.integers(2, 8))
def test_parallel_items_give_alpha_one(person_levels: list[int], k: int) -> None:
    assert cronbach_alpha([[level] * k for level in person_levels]).value == pytest.approx(1.0)  # type: ignore[union-attr]


likert_rows = st.integers(2, 6).flatmap(
    lambda k: st.lists(st.lists(st.integers(1, 5), min_size=k, max_size=k), min_size=2, max_size=40)
)


@given(likert_rows)
def test_alpha_is_at_most_one_and_sums_agree(rows: list[list[int]]) -> None:
    raw = cronbach_alpha(rows)
    columns = list(zip(*rows, strict=True))
    totals = [sum(row) for row in rows]
    from_sums = cronbach_alpha_from_sums(
        len(rows),
        [sum(c) for c in columns],
        [sum(v * v for v in c) for c in columns],
        sum(totals),
        sum(t * t for t in totals),
    )
    if raw is None:
        assert from_sums is None
    else:
        assert raw.value <= 1.0
        assert from_sums is not None and from_sums.value == pytest.approx(raw.value, rel=1e-9, abs=1e-9)


# --- reliable change -------------------------------------------------------------------


def test_reliable_change_hand_computed() -> None:
    # SE_diff = 5 * sqrt(2) * sqrt(1 - 0.8) = 5 * 1.41421 * 0.44721 = 3.16228.
    assert reliable_change_index(10, 16, 5, 0.8) == pytest.approx(6 / 3.16228, rel=1e-5)  # 1.897
    assert classify_change(10, 16, 5, 0.8, higher_is_better=True) == "unchanged"
    assert classify_change(10, 17, 5, 0.8, higher_is_better=True) == "improved"  # RCI 2.214
    assert classify_change(10, 17, 5, 0.8, higher_is_better=False) == "worsened"
    assert classify_change(17, 10, 5, 0.8, higher_is_better=False) == "improved"


def test_reliable_change_without_measurement_error() -> None:
    assert reliable_change_index(3, 3.1, 1, 1.0) == math.inf
    assert reliable_change_index(3, 2.9, 0, 0.7) == -math.inf
    assert reliable_change_index(3, 3, 0, 1.0) == 0.0
    assert classify_change(3, 3, 0, 1.0, higher_is_better=True) == "unchanged"


def test_negative_reliability_counts_as_zero() -> None:
    assert reliable_change_index(0, 1, 1, -0.4) == reliable_change_index(0, 1, 1, 0.0)


@pytest.mark.parametrize("args", [(0, 1, -1, 0.8), (math.nan, 1, 1, 0.8), (0, 1, 1, math.nan)])
def test_reliable_change_rejects_bad_input(args: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError):
        reliable_change_index(*args)


def test_change_shares_counts_and_minimum() -> None:
    pairs = [(10, 17), (10, 16), (10, 10), (17, 10)]  # improved, unchanged, unchanged, worsened
    shares = change_shares(pairs, sd=5, reliability=0.8, higher_is_better=True, min_n=4)
    assert shares is not None
    assert (shares.n, shares.improved, shares.unchanged, shares.worsened) == (4, 1, 2, 1)
    assert shares.unchanged_share == pytest.approx(0.5)
    assert change_shares(pairs, sd=5, reliability=0.8, higher_is_better=True, min_n=5) is None
    # The privacy floor of 3 applies to shares too.
    assert change_shares(pairs[:2], sd=5, reliability=0.8, higher_is_better=True, min_n=1) is None


# --- trends ----------------------------------------------------------------------------


def weeks(means: list[float], ns: list[int] | None = None, sd: float = 0.5) -> list[tuple[str, Summary | None]]:
    """Build weekly summaries with the given means, counts and a common SD."""
    ns = ns or [8] * len(means)
    return [
        (f"W{i + 1}", summary_from_moments(n, n * m, (n - 1) * sd * sd + n * m * m))
        for i, (m, n) in enumerate(zip(means, ns, strict=True))
    ]


def test_trend_reading_risen() -> None:
    periods = weeks([2.0, 2.1, 2.0, 2.2, 3.0, 3.1, 3.2, 3.1], ns=[6, 8, 11, 7, 9, 10, 6, 8])
    assert trend_direction(periods) == "risen"
    assert trend_reading(periods, "Belonging", higher_is_better=True) == (
        "“Belonging” has risen over the last 8 weeks, a change for the better; 6–11 people had a score each week."
    )


def test_trend_reading_fallen_is_good_when_lower_is_better() -> None:
    periods = weeks([3.2, 3.1, 3.0, 2.0, 2.1, 2.0])
    assert trend_reading(periods, "Craving", higher_is_better=False) == (
        "“Craving” has fallen over the last 6 weeks, a change for the better; 8 people had a score each week."
    )


def test_trend_reading_same_when_intervals_overlap() -> None:
    periods = weeks([3.0, 3.2, 2.9, 3.1, 3.0, 3.3], sd=1.0)
    assert trend_reading(periods, "Self-efficacy", higher_is_better=True) == (
        "“Self-efficacy” has stayed about the same over the last 6 weeks; 8 people had a score each week."
    )


def test_trend_reading_with_too_few_shown_weeks() -> None:
    periods = [*weeks([3.0, 3.5, 4.0]), ("W4", None)]
    assert trend_reading(periods, "Belonging", higher_is_better=True) == (
        "There are not yet enough answers to tell how “Belonging” is changing; "
        "8 people had a score each week (1 week had too few answers to show)."
    )
    assert trend_reading([], "Belonging", higher_is_better=True) == (
        "There are not yet enough answers to tell how “Belonging” is changing."
    )


def test_trend_skips_the_middle_week_when_the_count_is_odd() -> None:
    # A wild middle week must not decide the direction.
    assert trend_direction(weeks([3.0, 3.0, 9.0, 3.0, 3.0])) == "same"


# --- not-changing flag -----------------------------------------------------------------

STABLE = [3.0, 3.2, 2.9, 3.1, 3.0, 3.1]


def test_flag_raised_when_rolling_mean_drops_below_the_baseline_band() -> None:
    # Baseline mean 3.05, SD 0.1049, m = 6; band half-width = 2.5706 * 0.1049 * sqrt(1/3 + 1/6) = 0.1907.
    assert flag_not_changing([*STABLE, 2.8, 2.8, 2.8]) is True  # 2.8 < 2.859
    assert flag_not_changing([*STABLE, 2.9, 2.9, 2.9]) is False  # 2.9 >= 2.859


def test_flag_is_direction_aware() -> None:
    assert flag_not_changing([*STABLE, 2.8, 2.8, 2.8], higher_is_better=False) is False
    assert flag_not_changing([*STABLE, 3.3, 3.3, 3.3], higher_is_better=False) is True
    assert flag_not_changing([*STABLE, 3.3, 3.3, 3.3], higher_is_better=True) is False


def test_flag_needs_enough_history_and_skips_hidden_periods() -> None:
    assert flag_not_changing([3.0, 3.1, 3.0, 1.0, 1.0, 1.0]) is False  # baseline of 3 < 4
    assert flag_not_changing([*STABLE, None, 2.8, None, 2.8, 2.8]) is True


def test_flag_band_arithmetic() -> None:
    baseline = STABLE
    half = t_quantile(0.975, 5) * statistics.stdev(baseline) * math.sqrt(1 / 3 + 1 / 6)
    assert half == pytest.approx(0.1907, abs=1e-4)


@settings(max_examples=50)
@given(st.lists(st.floats(1, 5), min_size=7, max_size=20), st.booleans())
def test_flag_never_raised_for_an_improving_group(values: list[float], higher_is_better: bool) -> None:
    # Moving the last three periods in the good direction can only clear the flag.
    shift = 10.0 if higher_is_better else -10.0
    improved = [*values[:-3], *(v + shift for v in values[-3:])]
    assert flag_not_changing(improved, higher_is_better=higher_is_better) is False
