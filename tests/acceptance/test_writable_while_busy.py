"""Issue 18, deliverable 5: with the worker and the scheduler running on the freshly
loaded demo, 20 logins and 20 online submissions made in the first minute all succeed
(no 503 "Tạm thời gián đoạn" while a background job holds the database)."""

from __future__ import annotations

import re
import threading
import time

import pytest

pytestmark = pytest.mark.acceptance

PACE = 8.0  # seconds between one client's requests
SUBMITTED = re.compile(r"^/ho-so/(\d+)/$")
JOBS = r"""
import json, time
from django_tasks_db.models import DBTaskResult
for _ in range(120):  # the first sync slot and the kicks after the submissions
    done = DBTaskResult.objects.filter(
        task_path__endswith="sync_national_portal", status="SUCCESSFUL").count()
    if done:
        break
    time.sleep(1)
failed = list(DBTaskResult.objects.filter(status="FAILED").values_list("task_path", flat=True))
print("JSON" + json.dumps({"sync_succeeded": done, "failed": failed}))
"""


DELIVERED = r"""
import json, time
from motcua.dossiers.models import Dossier
from motcua.integrations.models import OutboxMessage
from motcua.sandbox_portal.models import ReceivedMessage
code = Dossier.objects.get(pk=PK).code
for _ in range(180):  # the sync kicked by the transition, or the next minute's slot
    sent = list(OutboxMessage.objects.filter(dossier_id=PK, status="delivered")
                .order_by("seq").values_list("seq", flat=True))
    pending = OutboxMessage.objects.filter(dossier_id=PK).exclude(status="delivered").count()
    if sent and not pending:
        break
    time.sleep(1)
errors = list(OutboxMessage.objects.exclude(last_error="").values_list("last_error", flat=True)[:3])
received = list(ReceivedMessage.objects.filter(ma_ho_so=code).order_by("pk")
                .values_list("seq", flat=True))
print("JSON" + json.dumps({"sent": sent, "received": received, "errors": errors}))
"""


def test_logins_and_submissions_succeed_while_the_jobs_run(demo_site):
    facts = demo_site.facts
    password, logins, citizens = facts["password"], facts["logins"], facts["citizens"]
    versions = facts["versions"]
    assert versions, "the demo has no procedure that the plain submission form accepts"
    outcomes: list[tuple[str, int, str]] = []
    placed: dict[str, int] = {}  # reception unit of each new dossier, by its page
    lock = threading.Lock()

    def record(kind: str, status: int, where: str) -> None:
        with lock:
            outcomes.append((kind, status, where))

    def pause(i: int) -> None:
        # Spread the requests over the first minute, when the jobs the scheduler
        # enqueues at start are running (not before the worker gets to them).
        time.sleep(PACE + i * 0.3)

    def client(i: int) -> None:
        for n in range(2):  # 2 logins each: 20 in all, over every printed login
            pause(i)
            who = logins[(2 * i + n) % len(logins)]
            status, loc, _page = demo_site.browser().post_form(
                "/tai-khoan/dang-nhap/", {"identifier": who, "password": password}
            )
            record("login", status, loc)
        b = demo_site.browser()
        status, loc, _page = b.post_form(
            "/tai-khoan/dang-nhap/",
            {"identifier": citizens[i % len(citizens)], "password": password},
        )
        record("citizen login", status, loc)
        for n in range(2):  # 2 submissions each: 20 in all
            pause(i)
            version, unit = versions[(i + n) % len(versions)]
            status, loc, _page = b.post_form(f"/ho-so/nop/?version={version}", {"unit": str(unit)})
            record("submission", status, loc)
            with lock:
                placed[loc] = unit

    threads = [threading.Thread(target=client, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    logins_done = [o for o in outcomes if o[0] == "login"]
    submissions = [o for o in outcomes if o[0] == "submission"]
    assert len(logins_done) == 20 and len(submissions) == 20
    failed = [o for o in outcomes if o[1] != 302]
    assert not failed, f"{len(failed)} requests failed: {failed[:5]}"
    assert all(SUBMITTED.match(loc) for _k, _s, loc in submissions), submissions
    # Meanwhile the worker ran the jobs the scheduler enqueued at start, including the
    # national-portal sync, and none of them failed.
    jobs = demo_site.shell(JOBS)
    assert jobs["sync_succeeded"] >= 1, jobs
    assert jobs["failed"] == [], jobs

    # A receptionist receives one of the new dossiers: its messages reach the sandbox
    # national portal under the demo settings (no DisallowedHost), in order.
    pk, unit = next(
        (int(m.group(1)), unit)
        for loc, unit in placed.items()
        if (m := SUBMITTED.match(loc)) and str(unit) in facts["receptionists"]
    )
    officer = demo_site.login(facts["receptionists"][str(unit)])
    assert demo_site.act(officer, pk, "receive")[0] == 302
    synced = demo_site.shell(DELIVERED.replace("PK", str(pk)))
    assert synced["received"] and synced["received"] == synced["sent"], synced
    assert synced["errors"] == [], synced
