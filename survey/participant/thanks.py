"""What the thank-you page shows, computed from the stored responses only.

Alerts are recomputed from the stored answers against the version answered; the group summary
comes from SQL over this meeting's scores and is shown only when at least k people answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from .. import catalog
from ..coordinator.groups import ParticipantGroup
from ..extensions import db
from ..instruments import ITEM_TYPES, AnswerValue, Instrument
from ..models import InstrumentVersion, Response, Score
from ..scoring import score_response

K_FLOOR = 3


@dataclass(frozen=True)
class ScaleSummary:
    """The group's mean on one scale tonight, in words the page can show."""

    label: str
    n: int
    mean: float
    low: float
    high: float
    higher_is_better: bool


def group_k(group: ParticipantGroup) -> int:
    """Return the smallest number of answers a group summary may describe (never below 3)."""
    return max(K_FLOOR, group.min_group_size or K_FLOOR)


def instrument_of(response: Response) -> Instrument:
    """Return the exact instrument version a stored response answered."""
    version = response.instrument_version
    return catalog.registry().by_hash(version.content_hash) or catalog.instrument_for_version(version)


def stored_answers(instrument: Instrument, response: Response) -> dict[str, AnswerValue]:
    """Rebuild the cleaned answers from the stored rows."""
    answers: dict[str, AnswerValue] = {}
    for row in response.answers:
        item = instrument.item(row.item_id)
        spec = ITEM_TYPES[item.type]  # type: ignore[attr-defined]
        if spec.numeric:
            answers[row.item_id] = float(row.value_num or 0.0)
        elif spec.multiple:
            answers[row.item_id] = tuple(json.loads(row.value_text or "[]"))
        else:
            answers[row.item_id] = row.value_text or ""
    return answers


def alert_messages(responses: list[Response], locale: str) -> list[str]:
    """Return the messages of the alerts these responses raise, in locale."""
    messages: list[str] = []
    for response in responses:
        instrument = instrument_of(response)
        raised = set(score_response(instrument, stored_answers(instrument, response)).alerts)
        messages += [instrument.text(alert.message, locale) for alert in instrument.alerts if alert.id in raised]
    return messages


def meeting_scale_means(meeting_id: int, instrument_id: str) -> list[tuple[str, int, float]]:
    """Return (scale id, n, mean) over one meeting's responses to one instrument, every version."""
    rows = db.session.execute(
        select(Score.scale_id, func.count(Score.response_id), func.avg(Score.value))
        .join(Response, Response.id == Score.response_id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.meeting_id == meeting_id, InstrumentVersion.instrument_id == instrument_id)
        .group_by(Score.scale_id)
    )
    return [(scale_id, int(n), float(mean)) for scale_id, n, mean in rows]


def group_summary(group: ParticipantGroup, responses: list[Response], locale: str) -> list[ScaleSummary]:
    """Return tonight's group means per scale, each only when at least k people have a score."""
    k = group_k(group)
    summary: list[ScaleSummary] = []
    for response in responses:
        instrument = instrument_of(response)
        means = {scale_id: (n, mean) for scale_id, n, mean in meeting_scale_means(response.meeting_id, instrument.id)}
        for scale in instrument.scales:
            n, mean = means.get(scale.id, (0, 0.0))
            if n < k:
                continue
            low, high = instrument.scale_range(scale)
            summary.append(
                ScaleSummary(instrument.text(scale.label, locale), n, mean, low, high, scale.higher_is_better)
            )
    return summary


def people_answered(responses: list[Response]) -> int:
    """Return how many submissions this meeting has for the first instrument of this one."""
    if not responses:
        return 0
    first = responses[0]
    count = db.session.scalar(
        select(func.count(Response.id))
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(
            Response.meeting_id == first.meeting_id,
            InstrumentVersion.instrument_id == first.instrument_version.instrument_id,
        )
    )
    return int(count or 0)


def own_scores(responses: list[Response], locale: str) -> dict[str, Any]:
    """Return this submission's scores for the phone's own history (never sent back to us)."""
    scores = []
    for response in responses:
        instrument = instrument_of(response)
        known = {scale.id: scale for scale in instrument.scales}
        for row in response.scores:
            scale = known.get(row.scale_id)
            if scale is None:
                continue
            low, high = instrument.scale_range(scale)
            scores.append(
                {
                    "instrument": instrument.id,
                    "scale": scale.id,
                    "label": instrument.text(scale.label, locale),
                    "value": round(row.value, 2),
                    "min": low,
                    "max": high,
                    "higher_is_better": scale.higher_is_better,
                }
            )
    meeting_date = responses[0].meeting_date.isoformat() if responses else None
    return {"meeting_date": meeting_date, "scores": scores}
