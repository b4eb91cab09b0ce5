# ruff: noqa: S311 — synthetic cases, not cryptography
"""Precision of the gaming detectors (law.md R28b) on a generated demo history: plant
known cases of each kind (and honest look-alikes for the two signals the generated
history cannot exercise: audit-logged events and signed results), run the detectors
over everything, and count per kind how many signals are planted ones.

Used by `motcua gaming_benchmark` (inside a transaction it rolls back) and the tests."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.monitoring import gaming

PLANTED_PER_KIND = 5


def _dossiers(**filters: Any) -> list[Any]:
    from motcua.dossiers.models import Dossier

    return list(
        Dossier.objects.filter(received_at__isnull=False, **filters)
        .order_by("pk")
        .only(
            "pk",
            "code",
            "received_at",
            "due_at",
            "competent_unit_id",
            "applicant_id",
            "procedure_version_id",
            "assignee_id",
            "completed_at",
        )
    )


def _plant_refuse_loops(rng: random.Random, n: int) -> list[str]:
    from motcua.dossiers.models import Dossier, DossierEvent

    done = _dossiers(status="result_returned", due_at__isnull=False)
    rng.shuffle(done)
    keys: list[str] = []
    used: set[int] = set()
    for a in done:
        if len(keys) >= n:
            break
        partner = next(
            (
                b
                for b in done
                if b.pk not in used
                and b.pk != a.pk
                and b.competent_unit_id == a.competent_unit_id
                and b.pk
            ),
            None,
        )
        if partner is None or a.pk in used:
            continue
        refused = a.received_at + (a.due_at - a.received_at) * 0.9
        Dossier.objects.filter(pk=a.pk).update(
            status="refused", completed_at=refused, returned_at=None
        )
        DossierEvent.objects.create(
            dossier_id=a.pk,
            at=refused,
            action="refuse_after_appraisal",
            from_status="in_process",
            to_status="refused",
            unit_id=a.competent_unit_id,
        )
        again = refused + dt.timedelta(days=2)
        Dossier.objects.filter(pk=partner.pk).update(
            applicant_id=a.applicant_id,
            procedure_version_id=a.procedure_version_id,
            received_at=again,
            submitted_at=again,
        )
        used |= {a.pk, partner.pk}
        keys.append(f"{gaming.REFUSE_LOOP}:{a.pk}:{partner.pk}")
    return keys


def _plant_pause_only(rng: random.Random, n: int) -> list[str]:
    from motcua.dossiers.models import DossierComponent, DossierPause

    pauses = list(
        DossierPause.objects.filter(kind="supplement", ended_at__isnull=False).order_by("pk")
    )
    rng.shuffle(pauses)
    keys = []
    for p in pauses[:n]:
        DossierComponent.objects.filter(dossier_id=p.dossier_id, supplemented=True).delete()
        keys.append(f"{gaming.PAUSE_ONLY}:{p.dossier_id}:{p.started_at.isoformat()}")
    return keys


def _plant_bursts(rng: random.Random, n: int) -> list[str]:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier

    done = _dossiers(status="result_returned", assignee__isnull=False)
    rng.shuffle(done)
    keys = []
    base = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)
    for i in range(n):
        group = done[i * 3 : i * 3 + 3]
        if len(group) < 3:
            break
        unit_id, officer_id = group[0].competent_unit_id, group[0].assignee_id
        first_done = None
        for j, d in enumerate(group):
            due = base + dt.timedelta(days=i, minutes=12 * j)
            completed = due - dt.timedelta(minutes=2)
            first_done = first_done or completed
            Dossier.objects.filter(pk=d.pk).update(
                competent_unit_id=unit_id,
                assignee_id=officer_id,
                due_at=due,
                completed_at=completed,
                status="resolved",
                returned_at=None,
            )
        name = User.objects.get(pk=officer_id).full_name
        assert first_done is not None
        keys.append(f"{gaming.DEADLINE_BURST}:{unit_id}:{name}:{first_done.isoformat()}")
    return keys


def _signed(dossier: Any, signed_at: dt.datetime, credential: Any) -> None:
    from motcua.documents.models import IssuedDocument, SignatureRecord, StoredFile

    def stored() -> Any:
        return StoredFile.objects.create(
            kind="result",
            storage_name=f"bench/{uuid.uuid4()}",
            original_name="ket-qua.pdf",
            sha256="0" * 64,
            size=1,
            mime_type="application/pdf",
        )

    before, after = stored(), stored()
    IssuedDocument.objects.create(
        code=f"KQ-{uuid.uuid4().hex[:12]}",
        title="Kết quả",
        dossier_code=dossier.code,
        issuer_name="Bench",
        file=after,
        issued_at=signed_at,
    )
    rec = SignatureRecord.objects.create(
        file=after,
        signed_from=before,
        role="leader",
        credential=credential,
        field_name="f",
        level="B-B",
    )
    SignatureRecord.objects.filter(pk=rec.pk).update(signed_at=signed_at)


def _plant_signatures(rng: random.Random, n: int) -> list[str]:
    """`n` results signed days after the recorded return, and as many honest ones
    signed before the dossier's completion."""
    from motcua.documents.models import SigningCredential

    returned = _dossiers(returned_at__isnull=False, completed_at__isnull=False)
    rng.shuffle(returned)
    credential = SigningCredential.objects.create(
        kind="personal",
        certificate_pem="-",
        subject="Bench",
        serial="1",
        not_after=timezone.now() + dt.timedelta(days=365),
    )
    keys = []
    for d in returned[:n]:
        d.refresh_from_db(fields=["returned_at"])
        _signed(d, d.returned_at + dt.timedelta(days=2), credential)
        keys.append(f"{gaming.SIGNED_AFTER_RETURN}:{d.pk}")
    for d in returned[n : 3 * n]:
        _signed(d, d.completed_at - dt.timedelta(minutes=5), credential)
    return keys


def _plant_backdated(rng: random.Random, n: int) -> list[str]:
    """`n` events recorded two days before the audit log wrote them, and as many
    honest events written at their recorded time."""
    from motcua.core.audit import audit_record
    from motcua.dossiers.models import Dossier, DossierEvent

    open_ = _dossiers(completed_at__isnull=True)
    rng.shuffle(open_)
    keys = []
    now = timezone.now()
    for i, d in enumerate(open_[: 3 * n]):
        backdated = i < n
        e = DossierEvent.objects.create(
            dossier_id=d.pk,
            at=now - dt.timedelta(days=2) if backdated else now,
            action="end_consultation",
            from_status="in_consultation",
            to_status="in_process",
            unit_id=d.competent_unit_id,
        )
        audit_record(
            action="dossier.end_consultation", obj=Dossier(pk=d.pk), object_repr=d.code or ""
        )
        if backdated:
            keys.append(f"{gaming.BACKDATED_EVENT}:{e.pk}")
    return keys


@transaction.atomic
def plant_cases(*, seed: int = 27, per_kind: int = PLANTED_PER_KIND) -> list[str]:
    """Plant `per_kind` cases of each signal in the current database; their keys."""
    rng = random.Random(seed)
    return [
        *_plant_refuse_loops(rng, per_kind),
        *_plant_pause_only(rng, per_kind),
        *_plant_bursts(rng, per_kind),
        *_plant_signatures(rng, per_kind),
        *_plant_backdated(rng, per_kind),
    ]


def measure(*, seed: int = 27, per_kind: int = PLANTED_PER_KIND) -> dict[str, dict[str, Any]]:
    """Detectors on the current history before planting (`clean`: signals per kind,
    all false positives by construction) and after (precision and recall per kind)."""
    from motcua.monitoring.gaming_store import gaming_dataset

    clean = gaming.detect_all(gaming_dataset())
    planted = plant_cases(seed=seed, per_kind=per_kind)
    found = gaming.detect_all(gaming_dataset())
    result = gaming.precision(found, planted)
    for kind in gaming.KINDS:
        result[kind]["clean"] = sum(1 for s in clean if s.kind == kind)
        result[kind]["clean_rules"] = [
            f"{', '.join(s.dossier_codes)}: {s.rule}" for s in clean if s.kind == kind
        ][:5]
    return result
