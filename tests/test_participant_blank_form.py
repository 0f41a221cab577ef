"""The blank form is rendered once per group, language and instrument versions, never shown stale."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.extensions import db
from survey.models import Group
from survey.participant import blank_form

from . import participant_support as support
from .participant_support import make_group

instruments_dir, papp, pclient = support.instruments_dir, support.papp, support.pclient
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def renders(papp: Flask) -> Iterator[list[str]]:
    """The names of the templates rendered while the test runs."""
    names: list[str] = []

    def record(_sender: Flask, template, context, **_extra) -> None:  # type: ignore[no-untyped-def]
        names.append(template.name)

    template_rendered.connect(record, papp)
    yield names
    template_rendered.disconnect(record, papp)


def page(client: FlaskClient, path: str = "/s/TESTGRP", **headers: str) -> str:
    reply = client.get(path, headers=headers)
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_second_blank_form_is_not_rendered_again_and_differs_only_in_its_token(
    papp: Flask, pclient: FlaskClient, renders: list[str]
) -> None:
    make_group(papp)
    first, second = page(pclient), page(pclient)
    assert renders.count("participant/survey.html") == 1
    first_token, second_token = TOKEN.search(first).group(1), TOKEN.search(second).group(1)  # type: ignore[union-attr]
    assert first_token != second_token and blank_form.TOKEN_PLACEHOLDER not in first + second
    assert first.replace(first_token, "T") == second.replace(second_token, "T")


def test_every_token_from_the_cached_page_is_accepted(papp: Flask, pclient: FlaskClient) -> None:
    make_group(papp)
    page(pclient)
    token = TOKEN.search(page(pclient)).group(1)  # type: ignore[union-attr]
    assert support.submit(pclient, token=token).status_code == 303
    assert support.response_count(papp) == 1


def test_a_renamed_group_or_changed_threshold_is_shown_at_once(
    papp: Flask, pclient: FlaskClient, renders: list[str]
) -> None:
    make_group(papp, name="Old name")
    assert "Old name" in page(pclient)
    with papp.app_context():
        group = db.session.scalar(select(Group).filter_by(code="TESTGRP"))
        assert group is not None
        group.name, group.min_group_size = "New name", 9
        db.session.commit()
    renamed = page(pclient)
    assert "New name" in renamed and "Old name" not in renamed
    assert "at least 9 people" in renamed
    assert renders.count("participant/survey.html") == 2


def test_each_language_and_address_has_its_own_page(papp: Flask, pclient: FlaskClient, renders: list[str]) -> None:
    make_group(papp)
    english, spanish = page(pclient), page(pclient, "/s/TESTGRP?lang=es")
    assert '<html lang="en">' in english and '<html lang="es">' in spanish
    assert page(pclient, "/s/TESTGRP", **{"Accept-Language": "es"}).count('<html lang="es">') == 1
    lower = page(pclient, "/s/testgrp")  # the language links repeat the code as typed
    assert 'href="/s/testgrp?lang=es"' in lower and 'href="/s/TESTGRP?lang=es"' in english
    assert renders.count("participant/survey.html") == 3  # en, es, and en at the lower-case address


def test_a_form_with_problems_is_rendered_not_cached(papp: Flask, pclient: FlaskClient, renders: list[str]) -> None:
    make_group(papp)
    page(pclient)
    token = TOKEN.search(page(pclient)).group(1)  # type: ignore[union-attr]
    reply = support.submit(pclient, token=token, answers={"mood": "11"})
    assert reply.status_code == 400 and "Please check your answers" in reply.get_data(as_text=True)
    assert "Please check your answers" not in page(pclient)
    assert renders.count("participant/survey.html") == 2


def test_the_cache_keeps_the_most_recently_used_pages() -> None:
    cache = blank_form.PageCache(size=2)
    rendered: list[str] = []

    def render(name: str):  # type: ignore[no-untyped-def]
        def go() -> str:
            rendered.append(name)
            return f"<p>{name} {blank_form.TOKEN_PLACEHOLDER}</p>"

        return go

    assert cache.get_or_render("a", render("a")) == ("<p>a ", "</p>")
    cache.get_or_render("b", render("b"))
    cache.get_or_render("a", render("a"))  # a is now the most recent
    cache.get_or_render("c", render("c"))  # evicts b
    cache.get_or_render("a", render("a"))
    cache.get_or_render("b", render("b"))
    assert rendered == ["a", "b", "c", "b"] and len(cache) == 2


@pytest.mark.parametrize(
    "page_text", ["<p>no token</p>", f"{blank_form.TOKEN_PLACEHOLDER}{blank_form.TOKEN_PLACEHOLDER}"]
)
def test_a_page_without_exactly_one_token_place_is_refused(page_text: str) -> None:
    with pytest.raises(ValueError, match="exactly once"):
        blank_form.split_at_token(page_text)
