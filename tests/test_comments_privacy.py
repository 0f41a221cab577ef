"""Comments only from meetings whose own cell is shown under the filters in force; no dates in week or month views."""

from __future__ import annotations

import datetime as dt

from .dashboard_support import MONDAY, add_group, add_responses, add_user, log_in

THURSDAY = MONDAY + dt.timedelta(days=3)


def comments_page(app, client, url: str) -> str:
    reply = client.get(url)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    return reply.get_data(as_text=True)


def seed(app, client, lone_thursday: bool = False) -> None:
    with app.app_context():
        group = add_group("GRPA", k=3)
        add_responses(group, MONDAY, [{"craving_now": 3.0, "comment": f"monday english {n}"} for n in range(4)])
        add_responses(
            group,
            MONDAY,
            [{"craving_now": 3.0, "comment": f"comentario en español {n}"} for n in range(3)],
            locale="es",
        )
        if lone_thursday:
            add_responses(group, THURSDAY, [{"craving_now": 9.0, "comment": "the lone thursday person"}])
        log_in(client, app, add_user("admin"))


def test_a_spanish_comment_is_not_shown_under_lang_en(app, client) -> None:
    seed(app, client)
    page = comments_page(app, client, f"/groups/GRPA/dashboard/comments?grain=meeting&lang=en&period={MONDAY}")
    assert "monday english 0" in page
    assert "comentario en español" not in page


def test_a_hidden_meetings_comment_is_not_shown_in_its_week(app, client) -> None:
    seed(app, client, lone_thursday=True)
    page = comments_page(app, client, f"/groups/GRPA/dashboard/comments?grain=week&period={MONDAY}")
    assert "the lone thursday person" not in page


def test_week_and_month_views_carry_no_per_comment_date(app, client) -> None:
    seed(app, client)
    for grain, period in (("week", MONDAY), ("month", MONDAY.replace(day=1))):
        page = comments_page(app, client, f"/groups/GRPA/dashboard/comments?grain={grain}&period={period}")
        assert "monday english 0" in page
        listed = page[page.index('class="dash-comments"') :]
        assert MONDAY.isoformat() not in listed and THURSDAY.isoformat() not in listed
