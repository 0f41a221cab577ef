"""Dashboard routes: get the group, call the aggregate layer, build a figure, render or serve JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import wraps
from typing import Any, TypeVar

import plotly.graph_objects as go
from flask import (
    Response,
    abort,
    current_app,
    get_template_attribute,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from werkzeug.routing import BuildError

from .. import access, audit
from ..database import begin_write
from ..extensions import db
from ..i18n import use_locale_hints
from . import aggregates, bp, exports, frames, funder_report, memo
from .charts.comparison import comparison_figure
from .charts.engagement import engagement_figure
from .charts.figure import UncheckedFigure, figure_text
from .charts.items import item_figures
from .charts.trend import participation_figure, trend_figure

R = TypeVar("R")


def figure_json(fig: go.Figure | UncheckedFigure, data: Any, **extra: Any) -> Response:
    """Serve a figure and the aggregates it was drawn from as one JSON document."""
    head = json.dumps({"data": data, **extra})
    body = head[:-1] + ', "figure": ' + figure_text(fig) + "}"
    return Response(body, mimetype="application/json")


# Endpoint -> the view of one group given that group: what a request runs after its access and release
# check (of_group), and what publication builds the default views with (prebuilt.py).
SHOWN: dict[str, Callable[..., Any]] = {}


def of_group(show: Callable[..., R]) -> Callable[..., R]:
    """Route a view of one group: the request's group (the reader's access checked, what is due released)
    is handed to `show`, which is also kept in SHOWN for publication to build the view with."""
    SHOWN[f"{bp.name}.{show.__name__}"] = show

    @wraps(show)
    def view(code: str, **kwargs: Any) -> R:
        return show(aggregates.released_group(code), **kwargs)

    return view


@bp.get("/groups/<code>/dashboard")
@login_required
@of_group
def group(group: access.ReadGroup) -> str:
    """The group dashboard page: the charts load from their JSON endpoints."""

    def build(dashboard: aggregates.Dashboard) -> Markup:
        trends = aggregates.group_trends(dashboard)
        return page_results(
            "group",
            dashboard,
            trends,
            period_tables(trends),
            aggregates.participation(dashboard),
            aggregates.reliability(dashboard),
            aggregates.change(dashboard),
            optional_url("coordinator.group_poster", code=group.code),
        )

    return dashboard_page("dashboard/group.html", group, "page", build)


@bp.get("/groups/<code>/dashboard/trend/<instrument_id>/<scale_id>.json")
@login_required
@of_group
def trend_json(group: access.ReadGroup, instrument_id: str, scale_id: str) -> Response:
    """One scale's trend figure with its suppressed periods and plain-language reading."""

    def build(dashboard: aggregates.Dashboard) -> Response:
        trend = aggregates.scale_trend(dashboard, instrument_id, scale_id)
        # The bars under a scale show that scale's n (people with a score on it), hidden where its mean is.
        fig = trend_figure(trend, trend.periods, dashboard.k)
        return figure_json(
            fig,
            [p.as_dict(dashboard.k) for p in trend.periods],
            reading=trend.reading,
            grain=trend.grain,
            k=dashboard.k,
            overall=trend.overall.as_dict(dashboard.k),
            not_changing=trend.not_changing,
        )

    return remembered_json(group, build)


@bp.get("/groups/<code>/dashboard/participation.json")
@login_required
@of_group
def participation_json(group: access.ReadGroup) -> Response:
    """Responses per period at the chosen grain."""

    def build(dashboard: aggregates.Dashboard) -> Response:
        periods = aggregates.participation(dashboard)
        fig = participation_figure(periods, dashboard.grain, dashboard.k)
        return figure_json(fig, [p.as_dict(dashboard.k) for p in periods], grain=dashboard.grain, k=dashboard.k)

    return remembered_json(group, build)


def remembered_json(group: access.ReadGroup, build: Callable[[aggregates.Dashboard], Response]) -> Response:
    """Serve a JSON view of the group, built once per publication, address and language (memo.py): a kept
    body needs no dashboard read at all."""
    body = memo.remembered(
        group, "json", lambda: build(aggregates.load_dashboard(group, request.args)).get_data(), stored=True
    )
    return Response(body, mimetype="application/json")


def dashboard_page(
    template: str, group: access.ReadGroup, name: str, build: Callable[[aggregates.Dashboard], Markup]
) -> str:
    """Render a dashboard page with the meetings waiting for release, from its kept frame (frames.py); the
    dashboard is read, and its results built (kept under `name`), only when the page is rendered."""
    waiting = aggregates.waiting_meetings(group)

    def context() -> dict[str, Any]:
        dashboard = aggregates.load_dashboard(group, request.args)
        results = memo.remembered(group, name, lambda: build(dashboard), stored=True)
        return {"dashboard": dashboard, "results": results, "waiting": waiting}

    return frames.render_page(template, group, template, tuple(waiting), context)


def page_results(page: str, *args: Any) -> Markup:
    """Render a page's results (templates/dashboard/_<page>_results.html): what is kept of an HTML page."""
    results: Markup = get_template_attribute(f"dashboard/_{page}_results.html", "results")(*args)
    return results  # Markup: the macro's template escapes as it renders


def period_tables(trends: list[aggregates.ScaleTrend], opened: bool = False) -> list[str]:
    """Render each trend's "numbers behind this chart" table (kept with the trends: hundreds of formatted numbers)."""
    table = get_template_attribute("dashboard/_macros.html", "period_table")
    return [table(t.periods, t.grain, t.scale.label, open=opened) for t in trends]


def optional_url(endpoint: str, **values: Any) -> str | None:
    """Return a link to another team's page, or None while that page does not exist yet."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def csv_download(text: str | Iterator[str], filename: str) -> Response:
    """Serve CSV text (or an iterator of CSV chunks) as a download."""
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/groups/<code>/dashboard/export.csv")
@login_required
def export_csv(code: str) -> Response:
    """The aggregates of this view as CSV, suppressed as on screen; recorded in the audit log."""
    group = aggregates.released_group(code)
    code = group.code  # the group's own code, never the URL's text, in the audit log and file name
    dashboard = aggregates.load_dashboard(group, request.args)
    text = exports.aggregate_csv(dashboard)
    db.session.rollback()  # end the read so the audit write starts as a write transaction
    begin_write()
    audit.record("export", target=f"group:{code}", detail=f"aggregate CSV {dashboard.filters.query_args()}")
    db.session.commit()
    return csv_download(text, f"{code}-aggregates.csv")


@bp.get("/groups/<code>/dashboard/responses.csv")
@access.admin_required
def responses_csv(code: str) -> Response:
    """Admins: one row per response, one column per item and scale (free text only with text=1); audited."""
    group = aggregates.released_group(code)  # may release (its own write transaction)
    code = group.code  # the group's own code, never the URL's text, in the audit log and file name
    dashboard = aggregates.load_dashboard(group, request.args)
    begin_write()
    audit.record(
        "export",
        target=f"group:{code}",
        detail=f"response-level CSV {dashboard.filters.query_args()} text={int(dashboard.filters.include_text)}",
    )
    db.session.commit()
    lines = stream_with_context(exports.response_csv_lines(dashboard))  # streamed, 500 responses at a time
    return csv_download(lines, f"{code}-responses.csv")


@bp.get("/groups/<code>/dashboard/codebook.csv")
@access.admin_required
def codebook_csv(code: str) -> Response:
    """Admins: the data dictionary of the response-level export, from the instrument versions answered."""
    group = aggregates.released_group(code)
    dashboard = aggregates.load_dashboard(group, request.args)
    return csv_download(exports.codebook_csv(dashboard), f"{group.code}-codebook.csv")


@bp.get("/groups/<code>/dashboard/items")
@login_required
@of_group
def items(group: access.ReadGroup) -> str:
    """Item distributions for one instrument and one period."""

    def build(dashboard: aggregates.Dashboard) -> Markup:
        return page_results("items", dashboard, aggregates.items_view(dashboard))

    return dashboard_page("dashboard/items.html", group, "items", build)


@bp.get("/groups/<code>/dashboard/items.json")
@login_required
@of_group
def items_json(group: access.ReadGroup) -> Response:
    """The items charts (one per set of likert answers, and the sliders) with the suppressed distributions."""

    def build(dashboard: aggregates.Dashboard) -> Response:
        view = aggregates.items_view(dashboard)
        figures = ", ".join(figure_text(fig) for fig in item_figures(view.items, dashboard.k).values())
        head = json.dumps(
            {
                "data": [i.as_dict(dashboard.k) for i in view.items],
                "k": dashboard.k,
                "grain": view.grain,
                "period": view.period.isoformat() if view.period else None,
            }
        )
        return Response(head[:-1] + ', "figures": [' + figures + "]}", mimetype="application/json")

    return remembered_json(group, build)


@bp.get("/groups/<code>/dashboard/engagement.json")
@login_required
@of_group
def engagement_json(group: access.ReadGroup) -> Response:
    """Responses per meeting and return visits of participant codes."""

    def build(dashboard: aggregates.Dashboard) -> Response:
        result = aggregates.engagement(dashboard)
        data = {
            "meetings": [{"day": d.isoformat(), "n": n} for d, n in result.meetings],
            "meetings_with_response": result.meetings_with_response,
            "retention": [m.as_dict() for m in result.retention],
        }
        return figure_json(engagement_figure(result), data, k=dashboard.k)

    return remembered_json(group, build)


@bp.get("/groups/<code>/dashboard/reliability.json")
@login_required
@of_group
def reliability_json(group: access.ReadGroup) -> Response:
    """Cronbach's alpha per scale, with n and a plain note."""

    def build(dashboard: aggregates.Dashboard) -> Response:
        data = [r.as_dict() for r in aggregates.reliability(dashboard)]
        return Response(json.dumps({"data": data, "k": dashboard.k}), mimetype="application/json")

    return remembered_json(group, build)


@bp.get("/groups/<code>/dashboard/change.json")
@login_required
@of_group
def change_json(group: access.ReadGroup) -> Response:
    """Reliable change (Jacobson-Truax) shares of linked participants per scale."""

    def build(dashboard: aggregates.Dashboard) -> Response:
        data = [c.as_dict() for c in aggregates.change(dashboard)]
        return Response(json.dumps({"data": data, "k": dashboard.k}), mimetype="application/json")

    return remembered_json(group, build)


@bp.get("/groups/<code>/dashboard/report")
@login_required
@of_group
def report(group: access.ReadGroup) -> str:
    """A printable report for a funder or board, in the group's language whatever the reader's browser asks."""
    locale = use_locale_hints(override=group.default_locale)
    organisation = str(current_app.config.get("SURVEY_ORGANISATION_NAME") or "")
    now = dt.datetime.now(dt.UTC)
    generated = funder_report.generated_in_words(now, group.timezone, str(locale))

    def context() -> dict[str, Any]:
        dashboard = aggregates.load_dashboard(group, request.args)

        def build() -> tuple[Any, ...]:
            facts = funder_report.report_facts(dashboard, organisation, now)
            trends = aggregates.group_trends(dashboard)
            tables = period_tables(trends, opened=True)
            rest = (
                aggregates.participation(dashboard),
                aggregates.engagement(dashboard),
                aggregates.reliability(dashboard),
            )
            return facts, trends, tables, *rest, aggregates.change(dashboard)

        facts, trends, tables, participation, engagement, reliability, change = memo.remembered(group, "report", build)
        return {
            "page_locale": locale,
            "dashboard": dashboard,
            "facts": replace(facts, generated=generated),
            "trends": trends,
            "tables": tables,
            "participation": participation,
            "engagement": engagement,
            "reliability": reliability,
            "change": change,
        }

    return frames.render_page("dashboard/report.html", group, "report page", (), context, generated=generated)


@bp.get("/groups/<code>/dashboard/comments")
@login_required
@of_group
def comments(group: access.ReadGroup) -> str:
    """The free-text answers of one period, masked, only when the period has at least k responses."""

    def build(dashboard: aggregates.Dashboard) -> Markup:
        return page_results("comments", dashboard, aggregates.comments(dashboard))

    return dashboard_page("dashboard/comments.html", group, "comments", build)


@bp.get("/dashboard/compare")
@login_required
def compare() -> str:
    """Every group the user may see: latest period against the previous one, per scale."""
    filters, instruments, scales = aggregates.comparison(access.visible_groups(), request.args)
    return render_template("dashboard/compare.html", filters=filters, instruments=instruments, scales=scales)


@bp.get("/dashboard/compare/<scale_id>.json")
@login_required
def compare_json(scale_id: str) -> Response:
    """One scale's comparison chart across the user's groups."""
    _filters, _instruments, scales = aggregates.comparison(access.visible_groups(), request.args)
    found = next((s for s in scales if s.scale.scale_id == scale_id), None)
    if found is None:
        abort(404, description=_("No scale '%(scale)s' to compare.", scale=scale_id))
    data = [
        {"group": g.code, "previous": g.previous.as_dict(g.k), "latest": g.latest.as_dict(g.k)} for g in found.groups
    ]
    k = max([g.k for g in found.groups], default=3)
    return figure_json(
        comparison_figure(found),
        data,
        total_latest=found.total_latest.as_dict(k),
        total_previous=found.total_previous.as_dict(k),
        grain=found.grain,
    )
