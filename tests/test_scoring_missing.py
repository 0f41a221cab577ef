"""Scoring never invents an answer: skipped and hidden items are missing, and checks refuse stand-ins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask

from survey.instruments import load_instrument_text
from survey.instruments.commands import instruments_cli
from survey.scoring import clean_answers, score_response

from . import participant_support as support
from .participant_support import VALID_ANSWERS, submit

instruments_dir, papp = support.instruments_dir, support.papp

ROOT = Path(__file__).resolve().parent.parent
CRAVING = load_instrument_text((ROOT / "instruments" / "craving.yaml").read_text(encoding="utf-8"))

STAND_IN = """\
id: stand_in
version: "1"
title: Stand-in
construct: test
estimated_minutes: 1
validated: true
licence: {type: CC0-1.0, holder: x, redistribution_allowed: true, modification_allowed: true}
locales: [en]
items:
  - {id: a, type: slider, min: 0, max: 10, min_label: Low, max_label: High, text: A}
  - {id: b, type: slider, min: 0, max: 10, min_label: Low, max_label: High, text: B}
  - id: c
    type: slider
    min: 0
    max: 10
    min_label: Low
    max_label: High
    text: C
    show_if: {all: [{item: a, op: ">", value: 0}]}
    when_hidden: 0
    when_hidden_reason: With no urges there was nothing hard to handle.
scales:
  - id: s
    label: S
    items: [a, b, c]
    min_answered: MIN
    higher_is_better: false
"""


def raw(**values: str) -> dict[str, list[str]]:
    """Return form data as the app receives it."""
    return {key: [value] for key, value in values.items()}


def craving_score(**values: str) -> float | None:
    answers, errors = clean_answers(CRAVING, raw(**values))
    assert errors == {}
    return score_response(CRAVING, answers).scores["craving"]


def test_a_skipped_questionnaire_has_no_score() -> None:
    assert craving_score() is None  # on the old scoring: 0, "low", from the hidden item alone


def test_a_skip_that_hides_an_item_does_not_make_it_zero() -> None:
    # frequency skipped hides "hardest"; strength_now skipped too: nothing was answered.
    assert craving_score(strength_now="") is None
    # Only strength_now answered: the score is that answer, not (answer + 0) / 2.
    assert craving_score(strength_now="6") == 6.0


def test_a_hidden_item_is_missing_not_zero() -> None:
    # No urges since the last meeting hides "hardest": the score is strength_now alone.
    assert craving_score(strength_now="4", frequency="0") == 4.0
    assert craving_score(strength_now="4", frequency="2", hardest="8") == 6.0  # (4 + 8) / 2


def test_shipped_instruments_have_no_stand_in_values() -> None:
    for path in (ROOT / "instruments").glob("*.yaml"):
        instrument = load_instrument_text(path.read_text(encoding="utf-8"))
        assert all(item.when_hidden == "missing" for item in instrument.items), path.name


def test_min_answered_counts_real_answers_only() -> None:
    instrument = load_instrument_text(STAND_IN.replace("MIN", "2"))
    # a = 0 hides c (stand-in 0); b skipped: one real answer, below min_answered 2.
    assert score_response(instrument, {"a": 0.0}).scores["s"] is None
    assert score_response(instrument, {"a": 0.0, "b": 6.0}).scores["s"] == 2.0  # (0 + 6 + 0) / 3


def check(tmp_path: Path, text: str) -> tuple[int, str]:
    """Run `flask instruments check` on one file and return (exit code, output)."""
    (tmp_path / "stand_in.yaml").write_text(text, encoding="utf-8")
    app = Flask(__name__)
    app.config["SURVEY_INSTRUMENTS_DIR"] = str(tmp_path)
    app.cli.add_command(instruments_cli)
    result = app.test_cli_runner().invoke(args=["instruments", "check"])
    return result.exit_code, result.output


def test_check_refuses_a_stand_in_with_min_answered_below_the_shown_items(tmp_path: Path) -> None:
    code, output = check(tmp_path, STAND_IN.replace("MIN", "1"))
    assert code == 1
    line = STAND_IN.splitlines().index("    min_answered: MIN") + 1
    assert f"stand_in.yaml:{line}: scale 's' counts when_hidden values of 'c' with min_answered 1" in output
    assert "below its 2 always-shown items" in output


def test_check_refuses_a_stand_in_without_a_reason(tmp_path: Path) -> None:
    text = STAND_IN.replace("MIN", "2").replace(
        "    when_hidden_reason: With no urges there was nothing hard to handle.\n", ""
    )
    code, output = check(tmp_path, text)
    assert code == 1
    line = text.splitlines().index("    when_hidden: 0") + 1
    assert f"stand_in.yaml:{line}: item 'c' counts as 0 when hidden" in output


def test_check_accepts_a_documented_stand_in(tmp_path: Path) -> None:
    assert check(tmp_path, STAND_IN.replace("MIN", "2")) == (0, "1 instruments OK\n")


def test_the_thank_you_page_shows_no_score_for_a_skipped_questionnaire(papp: Flask) -> None:
    support.make_group(papp, code="TWO", instruments=("every_type", "craving"))
    client = papp.test_client()
    reply = submit(client, code="TWO", answers=VALID_ANSWERS)  # the craving questions left blank
    assert reply.status_code == 303
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="own-scores">(.*?)</script>', page, re.S)
    assert block is not None
    scales = {s["scale"] for s in json.loads(block.group(1))["scores"]}
    assert scales == {"mood_scale", "belonging"}
    assert "Craving" not in page.split('id="own-scores"')[0]


@pytest.mark.parametrize(("answers", "craving_scales"), [({}, set()), ({"frequency": "0"}, {"craving_frequency"})])
def test_stored_scores_leave_out_a_skipped_questionnaire(
    papp: Flask, answers: dict[str, str], craving_scales: set[str]
) -> None:
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import Score

    support.make_group(papp, code="TWO", instruments=("every_type", "craving"))
    assert submit(papp.test_client(), code="TWO", answers={**VALID_ANSWERS, **answers}).status_code == 303
    with papp.app_context():
        assert set(db.session.scalars(select(Score.scale_id))) == {"mood_scale", "belonging", *craving_scales}


def test_shipped_questions_do_not_say_optional_themselves() -> None:
    # The form adds "(optional)" to every optional question; the text saying it too showed it twice.
    for path in (ROOT / "instruments").glob("*.yaml"):
        instrument = load_instrument_text(path.read_text(encoding="utf-8"))
        for item in instrument.items:
            for locale in instrument.locales:
                text = instrument.text(item.text, locale).lower()
                assert "(optional)" not in text and "(opcional)" not in text, (path.name, item.id)
