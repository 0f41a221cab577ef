"""The participant page with its CSS and JS stays under 20 KB gzip-compressed (a size, not a timing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from bench.participant_weight import BUDGET, compressed_size, page_assets
from tests.browser.conftest import add_group

SHIPPED = ("checkin", "recovery_self_efficacy", "belonging", "craving")


@pytest.mark.parametrize("instruments", [("checkin",), SHIPPED], ids=["checkin", "every-shipped-instrument"])
def test_participant_page_weight_is_within_budget(make_app: Callable[..., Flask], instruments: tuple[str, ...]) -> None:
    app = make_app()
    add_group(app, "WEIGHT", instruments=instruments)
    client = app.test_client()
    page = client.get("/s/WEIGHT")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = page_assets(html)
    assert {"site", "participant", "offline"} <= {asset.rsplit("/", 1)[-1].split(".")[0] for asset in assets}
    sizes = {"page": compressed_size(page.get_data())}
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200
            body = response.get_data()
        assert b"@font-face" not in body  # no web fonts
        sizes[asset] = compressed_size(body)
    assert sum(sizes.values()) <= BUDGET, sizes


def test_participant_page_loads_no_blocking_script_font_or_plotly(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    add_group(app, "WEIGHT")
    html = app.test_client().get("/s/WEIGHT").get_data(as_text=True)
    scripts = [tag for tag in html.split("<script")[1:] if "application/json" not in tag.split(">")[0]]
    assert scripts and all(" defer" in tag.split(">")[0] for tag in scripts)
    assert "plotly" not in html.lower()
    assert "@font-face" not in html
