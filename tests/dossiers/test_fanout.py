"""The follow-up of a transition (notifications, monitoring, sync) runs in a background
job, not in the citizen's request; if the queue is down it runs inline, never lost."""

from __future__ import annotations

import pytest
from django.tasks import default_task_backend
from django.test import override_settings

from motcua.core.testing.fixtures import submit_online_dossier
from motcua.dossiers import tasks
from motcua.notifications.models import Notification

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _submit(personas, version):
    return submit_online_dossier(
        version=version, applicant=personas.citizen_a, unit=personas.unit_x
    )


@pytest.mark.django_db(transaction=True)
def test_submission_queues_one_follow_up_job_and_the_job_notifies(personas, version):
    with override_settings(TASKS=DUMMY):
        default_task_backend.clear()  # type: ignore[attr-defined]
        d = _submit(personas, version)
        queued = [
            r
            for r in default_task_backend.results  # type: ignore[attr-defined]
            if r.task.name == tasks.dossier_transition_fanout.name
        ]
        # Nothing heavy ran in the request: the applicant has no notification yet.
        assert not Notification.objects.filter(dossier=d).exists()
        assert len(queued) == 1
        assert queued[0].kwargs["dossier_id"] == d.pk
        assert queued[0].kwargs["action"] == "submit_online"

        # The worker runs the job: the applicant is told, and running it again
        # (a retried job after a crash) does not notify twice.
        tasks.dossier_transition_fanout.call(**queued[0].kwargs)
        tasks.dossier_transition_fanout.call(**queued[0].kwargs)
    notes = Notification.objects.filter(dossier=d, recipient=personas.citizen_a)
    assert notes.count() == 1
    assert notes.get().event == "dossier_submitted"


@pytest.mark.django_db(transaction=True)
def test_queue_down_runs_follow_up_inline(personas, version, monkeypatch):
    class BrokenQueue:
        def enqueue(self, **kwargs):
            raise ConnectionError("redis down")

    monkeypatch.setattr(tasks, "dossier_transition_fanout", BrokenQueue())
    d = _submit(personas, version)
    assert Notification.objects.filter(dossier=d, recipient=personas.citizen_a).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_does_not_stop_the_others(personas, version, caplog):
    from motcua.dossiers.signals import dossier_transitioned

    ran_after = []

    def broken(**kwargs):
        raise RuntimeError("SMS gateway exploded")

    def later(**kwargs):
        ran_after.append(kwargs["dossier_id"])

    dossier_transitioned.connect(broken, dispatch_uid="test.broken")
    dossier_transitioned.connect(later, dispatch_uid="test.later")
    try:
        d = _submit(personas, version)
    finally:
        dossier_transitioned.disconnect(dispatch_uid="test.broken")
        dossier_transitioned.disconnect(dispatch_uid="test.later")
    assert ran_after == [d.pk]  # connected after the broken one, still ran
    assert Notification.objects.filter(dossier=d, recipient=personas.citizen_a).exists()
    assert "SMS gateway exploded" in caplog.text
