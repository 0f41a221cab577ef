"""Charts right by construction: pure tests on the Plotly figure dicts (no app, no database)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil

import plotly.graph_objects as go
import pytest

from survey.dashboard import charts
from survey.dashboard.aggregates import (
    Engagement,
    GroupComparison,
    ItemDistribution,
    Period,
    RetentionMonth,
    ScaleComparison,
    ScaleInfo,
    ScaleTrend,
)
from survey.dashboard.charts import engagement, labels
from survey.dashboard.charts.comparison import comparison_figure
from survey.dashboard.charts.engagement import engagement_figure
from survey.dashboard.charts.figure import figure_text
from survey.dashboard.charts.items import likert_figure, slider_figure
from survey.dashboard.charts.style import BAD_BAND, GOOD_BAND, MIDDLE_BAND
from survey.dashboard.charts.trend import participation_figure, trend_figure
from survey.stats import Summary

CRAVING = ScaleInfo(
    instrument_id="craving",
    instrument_title="Craving",
    scale_id="now",
    label="Craving right now",
    higher_is_better=False,
    low=0.0,
    high=10.0,
    bands=(("Low", 0.0, 3.0), ("Moderate", 3.0, 7.0), ("High", 7.0, 10.0)),
)
WELLBEING = ScaleInfo(**{**CRAVING.__dict__, "label": "Wellbeing", "higher_is_better": True})


def shown(start: dt.date, n: int, mean: float, low: float | None = None, high: float | None = None) -> Period:
    return Period(
        start=start, n=n, summary=Summary(n=n, mean=mean, sd=1.0, ci_low=low, ci_high=high), hidden_because=None
    )


def trend(periods: list[Period], scale: ScaleInfo = CRAVING, grain: str = "meeting") -> ScaleTrend:
    overall = Period(start=None, n=sum(p.n for p in periods), summary=None, hidden_because=None)
    return ScaleTrend(scale, grain, periods, overall, "", False)


def figure(fig) -> dict:
    return json.loads(fig.to_json())


def band_fill(fig: dict, label: str) -> str:
    notes = fig["layout"]["annotations"]
    index = next(i for i, a in enumerate(notes) if a["text"] == label)
    return fig["layout"]["shapes"][index]["fillcolor"]


@pytest.mark.parametrize(
    ("scale", "good", "bad"),
    [(CRAVING, "Low", "High"), (WELLBEING, "High", "Low")],
    ids=["higher-worse", "higher-better"],
)
def test_band_colours_follow_the_scale_direction(scale, good, bad):
    fig = figure(trend_figure(trend([shown(dt.date(2026, 11, 3), 6, 4.0)], scale), [], 5))
    assert band_fill(fig, good) == GOOD_BAND
    assert band_fill(fig, bad) == BAD_BAND
    assert band_fill(fig, "Moderate") == MIDDLE_BAND


def test_confidence_intervals_are_clipped_to_the_scale_and_numbers_rounded():
    days = [dt.date(2026, 11, 3), dt.date(2026, 11, 10)]
    periods = [shown(days[0], 5, 1.234567, -1.17, 3.6), shown(days[1], 5, 9.5123456, 8.1, 11.3)]
    fig = figure(trend_figure(trend(periods), periods, 5))
    band, mean = fig["data"][0], fig["data"][1]
    assert mean["y"] == [1.235, 9.512]
    lows = [m - e for m, e in zip(mean["y"], mean["error_y"]["arrayminus"], strict=True)]
    highs = [m + e for m, e in zip(mean["y"], mean["error_y"]["array"], strict=True)]
    assert min(lows) == pytest.approx(0.0) and max(highs) == pytest.approx(10.0)
    assert all(0 <= y <= 10 for y in band["y"] if y is not None)
    assert "-1.2" not in " ".join(mean["hovertext"])


def test_one_meeting_gives_one_tick_on_that_date():
    day = dt.date(2026, 11, 30)
    periods = [shown(day, 6, 4.0)]
    fig = figure(trend_figure(trend(periods), periods, 5))
    axis = fig["layout"]["xaxis"]
    assert axis["tickvals"] == ["2026-11-30"]
    assert axis["ticktext"] == ["30 Nov 2026"]
    assert axis["range"][0] < "2026-11-30" < axis["range"][1]
    assert axis["title"]["text"] == "Meeting"


@pytest.mark.parametrize(
    ("grain", "starts", "texts"),
    [
        ("week", [dt.date(2026, 11, 3), dt.date(2026, 11, 10)], ["wk 3 Nov 2026", "wk 10 Nov 2026"]),
        ("month", [dt.date(2026, 9, 1), dt.date(2026, 10, 1)], ["Sep 2026", "Oct 2026"]),
    ],
)
def test_ticks_are_exactly_the_periods_shown(grain, starts, texts):
    periods = [shown(d, 6, 4.0) for d in starts]
    fig = figure(participation_figure(periods, grain, 5))
    axis = fig["layout"]["xaxis"]
    assert axis["tickmode"] == "array"
    assert axis["tickvals"] == [d.isoformat() for d in starts]
    assert axis["ticktext"] == texts


@pytest.mark.parametrize("build", ["trend", "participation"])
def test_no_periods_draws_a_message_not_a_year_2000_axis(build):
    fig = figure(trend_figure(trend([]), [], 5) if build == "trend" else participation_figure([], "month", 5))
    axis = fig["layout"]["xaxis"]
    assert axis["tickvals"] == []
    assert "range" not in axis
    texts = [a["text"] for a in fig["layout"].get("annotations", [])]
    assert any(t.startswith("No answers") for t in texts)


@pytest.mark.parametrize("counts", [[1], [2, 3], [7, 1, 9], [40, 3]])
def test_count_axes_tick_only_on_whole_numbers(counts):
    periods = [Period(dt.date(2026, 11, 1 + 7 * i), n, None, None) for i, n in enumerate(counts)]
    axis = figure(participation_figure(periods, "week", 5))["layout"]["yaxis"]
    assert axis["tickmode"] == "linear" and axis["tick0"] == 0
    assert axis["dtick"] >= 1 and axis["dtick"] == int(axis["dtick"])
    assert axis["range"][1] >= max(counts)
    assert axis["title"]["text"] == "People"  # one per sending of the form, not per questionnaire


AGREE = ((1.0, "Strongly disagree"), (2.0, "Disagree"), (3.0, "Neither"), (4.0, "Agree"), (5.0, "Strongly agree"))


def likert_item(counts: dict[float, int]) -> ItemDistribution:
    n = sum(counts.values())
    return ItemDistribution("belong", "I feel I belong here", "diverging_bar", False, AGREE, 1, 5, n, counts, None)


def test_diverging_bars_stack_from_zero_outwards():
    # 10 answers: 1 strongly disagree, 2 disagree, 2 neither, 3 agree, 2 strongly agree.
    item = likert_item({1.0: 1, 2.0: 2, 3.0: 2, 4.0: 3, 5.0: 2})
    data = figure(likert_figure([item], 5))["data"]
    order = [(t["name"], t["x"][0]) for t in data]
    # Plotly's relative mode stacks each side outwards in trace order.
    negatives = [(name, x) for name, x in order if x < 0]
    positives = [(name, x) for name, x in order if x > 0]
    assert negatives == [("Neither", -10.0), ("Disagree", -20.0), ("Strongly disagree", -10.0)]
    assert positives == [("Neither", 10.0), ("Agree", 30.0), ("Strongly agree", 20.0)]
    assert sum(1 for t in data if t["name"] == "Neither" and t.get("showlegend", True)) == 1


HOSTILE = '<a href="https://evil.example/x">x</a>'


def test_group_names_reach_plotly_escaped():
    empty = Period(None, 0, None, None)
    latest = shown(dt.date(2026, 11, 1), 6, 4.0, 3.0, 5.0)
    group = GroupComparison("EVIL1", HOSTILE, 5, Period(dt.date(2026, 10, 1), 2, None, "small_cell"), latest)
    comparison = ScaleComparison(WELLBEING, "month", dt.date(2026, 10, 1), dt.date(2026, 11, 1), [group], empty, empty)
    fig = figure(comparison_figure(comparison))
    assert "<a" not in json.dumps(fig)
    assert fig["data"][1]["x"] == ['&lt;a href="https://evil.example/x"&gt;x&lt;/a&gt;']


def test_compare_hidden_labels_do_not_run_together():
    hidden = Period(dt.date(2026, 10, 1), 2, None, "small_cell")
    group = GroupComparison("A", "Tuesday", 5, hidden, Period(dt.date(2026, 11, 1), 1, None, "small_cell"))
    comparison = ScaleComparison(
        WELLBEING, "month", dt.date(2026, 10, 1), dt.date(2026, 11, 1), [group], hidden, hidden
    )
    data = figure(comparison_figure(comparison))["data"]
    assert [t["name"] for t in data] == ["Oct 2026", "Nov 2026"]
    assert all(t["textangle"] == -90 for t in data)


def test_item_texts_are_escaped_and_wrapped_not_cut():
    long = "When I think about the last week, " * 3 + HOSTILE
    item = ItemDistribution("x", long, "diverging_bar", False, AGREE, 1, 5, 6, {4.0: 6}, None)
    text = json.dumps(figure(likert_figure([item], 5)))
    assert "<a" not in text and "…" not in text
    assert "&lt;a href" in text and "<br>" in text


def test_empty_likert_chart_says_so():
    layout = figure(likert_figure([], 5))["layout"]
    assert [a["text"] for a in layout["annotations"]] == ["No answers in this period"]


def test_a_lone_bar_on_a_date_axis_gets_a_width() -> None:
    one = [Period(dt.date(2026, 1, 5), 6, None, None)]
    two = [*one, Period(dt.date(2026, 1, 12), 5, None, None)]
    assert participation_figure(one, "week", 5).data[0].width == (5 * 86_400_000,)
    assert participation_figure(two, "week", 5).data[0].width is None


def unchecked_builds() -> dict[str, object]:
    """Every figure builder that skips Plotly's validation, on a few inputs (empty ones included)."""
    days = [dt.date(2026, 11, 3), dt.date(2026, 11, 10), dt.date(2026, 11, 17)]
    periods = [
        shown(days[0], 5, 1.2, 0.4, 2.0),
        Period(days[1], 2, None, "small_cell"),
        shown(days[2], 7, 3.5, 2.1, 4.9),
    ]
    likert = likert_item({1.0: 1, 2.0: 2, 3.0: 2, 4.0: 3, 5.0: 2})
    slider = ItemDistribution(**{**likert.__dict__, "kind": "histogram", "low": 0.0, "high": 10.0})
    hidden = ItemDistribution(**{**slider.__dict__, "counts": None, "n": 2, "hidden_because": "small_cell"})
    month = RetentionMonth(dt.date(2026, 11, 1), 6, 3, "")
    return {
        "trend": lambda: trend_figure(trend(periods, grain="week"), periods, 5),
        "trend-empty": lambda: trend_figure(trend([]), [], 5),
        "participation": lambda: participation_figure(periods, "week", 5),
        "participation-empty": lambda: participation_figure([], "month", 5),
        "likert": lambda: likert_figure([likert], 5),
        "likert-empty": lambda: likert_figure([], 5),
        "sliders": lambda: slider_figure([slider, hidden], 5),
        "sliders-empty": lambda: slider_figure([], 5),
        "engagement": lambda: engagement_figure(Engagement([(days[0], 6), (days[1], 0)], 1, [month])),
        "engagement-one": lambda: engagement_figure(Engagement([(days[0], 6)], 1, [])),
        "engagement-empty": lambda: engagement_figure(Engagement([], 0, [])),
    }


@pytest.mark.parametrize("build", list(unchecked_builds()))
def test_unchecked_figures_are_what_plotly_validates(build):
    """The builders that skip Plotly's validation per request produce exactly what a validated figure holds."""
    fig = unchecked_builds()[build]()
    validated = go.Figure(fig.to_dict())  # raises ValueError on any property Plotly does not know
    assert figure(validated) == figure(fig)


@pytest.mark.parametrize("build", list(unchecked_builds()))
def test_figure_text_is_what_to_json_writes(build):
    """The dicts are served without a go.Figure: the text must be what Plotly's own figure writes (key order too)."""
    fig = unchecked_builds()[build]()
    assert figure_text(fig) == fig.to_json() == fig.figure().to_json()
    assert json.loads(figure_text(fig))["layout"]["template"] == json.loads(go.Figure().to_json())["layout"]["template"]


def test_comparison_figure_text_is_what_to_json_writes():
    fig = comparison_figure(
        ScaleComparison(CRAVING, "month", None, None, [], Period(None, 0, None, None), Period(None, 0, None, None))
    )
    assert figure_text(fig) == fig.to_json()


def counting(monkeypatch, name: str, *modules) -> list[object]:
    """Replace <name> in each of these modules by a wrapper that records each call's first argument (one list)."""
    calls: list[object] = []
    for module in modules:
        original = getattr(module, name)

        def counted(*args, original=original, **kwargs):
            calls.append(args[0] if args else None)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def chart_modules() -> list[object]:
    """Every module of the charts package that translates (calls gettext as `_`)."""
    found = [importlib.import_module(f"{charts.__name__}.{m.name}") for m in pkgutil.iter_modules(charts.__path__)]
    return [module for module in found if hasattr(module, "_")]


def weekly(count: int) -> list[Period]:
    """count weekly periods, every third hidden as small (hovers of both kinds)."""
    start = dt.date(2026, 1, 5)
    return [
        Period(start + dt.timedelta(weeks=i), 3, None, "small_cell")
        if i % 3 == 2
        else shown(start + dt.timedelta(weeks=i), 6, 4.0 + i / 10, 3.0 + i / 10, 5.0 + i / 10)
        for i in range(count)
    ]


def test_a_trend_labels_each_period_once_for_its_tick_hover_and_bar(monkeypatch):
    """A period's label is worked out once per figure, not once for the tick, once per hover and once per bar."""
    periods = weekly(12)
    labels_made = counting(monkeypatch, "_period_label", labels)
    fig = figure(trend_figure(trend(periods, grain="week"), periods, 5))
    assert sorted(labels_made) == [p.start for p in periods]
    assert (
        len(fig["data"][1]["hovertext"])
        == len(fig["data"][2]["hovertext"])
        == len(fig["layout"]["xaxis"]["ticktext"])
        == 12
    )


def engagement_translations(monkeypatch, meetings: int) -> int:
    """Count the translations looked up to draw an engagement chart of this many meetings (and up to 12 months)."""
    days = [dt.date(2026, 1, 6) + dt.timedelta(weeks=i) for i in range(meetings)]
    months = [RetentionMonth(dt.date(2026, 1 + i, 1), 6, 3, "") for i in range(min(meetings, 12))]
    engagement._retention_words.cache_clear()
    with monkeypatch.context() as patch:
        translated = counting(patch, "_", *chart_modules())
        fig = figure(engagement_figure(Engagement([(d, 6) for d in days], meetings, months)))
    assert len(fig["data"][0]["hovertext"]) == meetings
    assert fig["data"][0]["hovertext"][0] == "6 Jan 2026: 6 people"
    assert fig["data"][1]["hovertext"][0] == "January 2026: 3 of 6 codes came back"
    return len(translated)


def test_an_engagement_chart_translates_its_phrases_once_not_per_meeting(monkeypatch):
    """The hover phrases are translated once per chart and filled in per meeting and month."""
    assert engagement_translations(monkeypatch, 2) == engagement_translations(monkeypatch, 40)
