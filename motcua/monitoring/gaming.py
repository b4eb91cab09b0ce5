"""Gaming detectors (issue 27 point 3, law.md R28b): pure rules over plain data that
flag records suggesting the clock or the record was played with, each with the evidence
an inspector needs (dossier codes, times, officer, unit, the rule that fired).

No ORM here: `gaming_data.py` loads the rows set-based and `services.gaming_detect`
stores the signals. A signal is a lead for inspection, not a finding: the supervisor
confirms or dismisses it with a reason.

Five signals:

* ``refuse_loop`` — a dossier refused late in its clock and the same applicant's new
  dossier for the same procedure received by the same unit shortly after: the refusal
  reset the clock (Decree 61/2018 Art. 19(2); Decree 118/2025 Art. 19).
* ``pause_only_supplement`` — a supplement request answered with no component added
  between the request and the reply: the pause only stopped the clock (R12).
* ``deadline_burst`` — an officer completes several dossiers each in the last minutes
  before its due moment, within a short time of one another.
* ``signed_after_return`` — the result was signed after the dossier was recorded as
  returned, or after its appointment while the completion was recorded on time.
* ``backdated_event`` — an event whose recorded time disagrees with when the hash-chained
  audit log wrote it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

REFUSE_LOOP = "refuse_loop"
PAUSE_ONLY = "pause_only_supplement"
DEADLINE_BURST = "deadline_burst"
SIGNED_AFTER_RETURN = "signed_after_return"
BACKDATED_EVENT = "backdated_event"
KINDS = (REFUSE_LOOP, PAUSE_ONLY, DEADLINE_BURST, SIGNED_AFTER_RETURN, BACKDATED_EVENT)

# refuse_loop: the new dossier arrives at most this many days after the refusal. A
# citizen re-filing after a refusal "for missing papers" does so within days; two
# filings of the same procedure weeks apart are ordinary repeat business.
REFUSE_RESUBMIT_WINDOW_DAYS = 10
# refuse_loop: the refusal came after this share of the clock had run. A refusal in
# the first days is the normal outcome of appraisal; one near the deadline restarts
# a clock that was about to turn the dossier late.
REFUSE_LATE_SHARE = 0.6
# pause_only: no threshold: any component supplemented by the reply clears the signal.
# deadline_burst: a completion is "at the deadline" when it falls in the last
# DEADLINE_WINDOW_MINUTES before the due moment (the minute-exact rush of closing a
# dossier just before it turns red).
DEADLINE_WINDOW_MINUTES = 15
# deadline_burst: at least this many such completions by one officer ...
BURST_MIN_COUNT = 3
# ... within this many minutes of the first one (a burst, not a coincidence over months).
BURST_SPAN_MINUTES = 60
# signed_after_return: clock tolerance between the signature and the recorded return
# (the seal is applied by the clerk a few minutes after the leader's approval).
SIGNED_TOLERANCE_MINUTES = 30
# backdated_event: an event's recorded time may differ from when the audit log wrote it
# by this much (the same transaction, plus a slow request); services may pass `now`
# for counter work done offline, which is what this signal exists to show.
BACKDATE_TOLERANCE_MINUTES = 10

REFUSAL_ACTIONS = frozenset({"refuse_after_appraisal", "refuse_reception"})


@dataclass(frozen=True)
class DossierRow:
    id: int
    code: str
    unit_id: int | None
    unit_code: str
    assignee: str
    applicant_id: int | None
    procedure: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    status: str


@dataclass(frozen=True)
class EventRow:
    dossier_id: int
    pk: int
    at: dt.datetime
    action: str
    actor: str = ""


@dataclass(frozen=True)
class PauseRow:
    dossier_id: int
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    supplemented_components: int  # components the reply added (supplemented=True)


@dataclass(frozen=True)
class SignatureRow:
    dossier_code: str
    signed_at: dt.datetime
    signer: str = ""


@dataclass(frozen=True)
class AuditRow:
    dossier_id: int
    action: str  # the transition name (audit action without "dossier.")
    occurred_at: dt.datetime


@dataclass
class Signal:
    kind: str
    key: str  # unique per (kind, subject): re-running detection finds the same key
    unit_id: int | None
    unit_code: str
    dossier_ids: list[int]
    dossier_codes: list[str]
    officer: str
    rule: str
    evidence: dict[str, Any] = field(default_factory=dict)


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def _dossier_signal(
    kind: str, subject: object, d: DossierRow, *, officer: str, rule: str, evidence: dict[str, Any]
) -> Signal:
    """A signal about one dossier; `subject` makes the key unique within the kind."""
    return Signal(
        kind=kind,
        key=f"{kind}:{subject}",
        unit_id=d.unit_id,
        unit_code=d.unit_code,
        dossier_ids=[d.id],
        dossier_codes=[d.code],
        officer=officer,
        rule=rule,
        evidence=evidence,
    )


def detect_refuse_loops(dossiers: Sequence[DossierRow], events: Iterable[EventRow]) -> list[Signal]:
    refused_at: dict[int, dt.datetime] = {}
    for e in events:
        if e.action in REFUSAL_ACTIONS:
            refused_at[e.dossier_id] = e.at
    by_key: dict[tuple[Any, ...], list[DossierRow]] = defaultdict(list)
    for d in dossiers:
        if d.applicant_id is not None and d.received_at is not None:
            by_key[(d.applicant_id, d.procedure, d.unit_id)].append(d)
    window = dt.timedelta(days=REFUSE_RESUBMIT_WINDOW_DAYS)
    out: list[Signal] = []
    for group in by_key.values():
        group.sort(key=lambda d: d.received_at)  # type: ignore[arg-type, return-value]
        for i, first in enumerate(group):
            at = refused_at.get(first.id)
            if at is None or first.received_at is None or first.due_at is None:
                continue
            span = (first.due_at - first.received_at).total_seconds()
            used = (at - first.received_at).total_seconds()
            if span <= 0 or used / span < REFUSE_LATE_SHARE:
                continue
            for nxt in group[i + 1 :]:
                assert nxt.received_at is not None
                if at <= nxt.received_at <= at + window:
                    out.append(
                        Signal(
                            kind=REFUSE_LOOP,
                            key=f"{REFUSE_LOOP}:{first.id}:{nxt.id}",
                            unit_id=first.unit_id,
                            unit_code=first.unit_code,
                            dossier_ids=[first.id, nxt.id],
                            dossier_codes=[first.code, nxt.code],
                            officer=first.assignee,
                            rule=(
                                f"từ chối sau {used / span:.0%} thời hạn"
                                f" (≥ {REFUSE_LATE_SHARE:.0%}),"
                                f" nộp lại trong {REFUSE_RESUBMIT_WINDOW_DAYS} ngày"
                            ),
                            evidence={
                                "received_at": _iso(first.received_at),
                                "due_at": _iso(first.due_at),
                                "refused_at": _iso(at),
                                "clock_used": round(used / span, 3),
                                "resubmitted_at": _iso(nxt.received_at),
                                "new_due_at": _iso(nxt.due_at),
                            },
                        )
                    )
                    break
    return out


def detect_pause_only_supplements(
    dossiers: Sequence[DossierRow], pauses: Iterable[PauseRow]
) -> list[Signal]:
    by_id = {d.id: d for d in dossiers}
    out: list[Signal] = []
    for p in pauses:
        d = by_id.get(p.dossier_id)
        if p.kind != "supplement" or p.ended_at is None or d is None:
            continue
        if p.supplemented_components > 0:
            continue
        days = (p.ended_at - p.started_at).total_seconds() / 86400
        out.append(
            _dossier_signal(
                PAUSE_ONLY,
                f"{d.id}:{p.started_at.isoformat()}",
                d,
                officer=d.assignee,
                rule="yêu cầu bổ sung được trả lời mà không có thành phần nào được bổ sung",
                evidence={
                    "requested_at": _iso(p.started_at),
                    "answered_at": _iso(p.ended_at),
                    "paused_days": round(days, 2),
                    "supplemented_components": 0,
                },
            )
        )
    return out


def detect_deadline_bursts(dossiers: Sequence[DossierRow]) -> list[Signal]:
    window = dt.timedelta(minutes=DEADLINE_WINDOW_MINUTES)
    at_deadline: dict[tuple[int | None, str], list[DossierRow]] = defaultdict(list)
    for d in dossiers:
        if d.completed_at is None or d.due_at is None or not d.assignee:
            continue
        if d.due_at - window <= d.completed_at <= d.due_at:
            at_deadline[(d.unit_id, d.assignee)].append(d)
    span = dt.timedelta(minutes=BURST_SPAN_MINUTES)
    out: list[Signal] = []
    for (_unit, officer), rows in at_deadline.items():
        rows.sort(key=lambda d: d.completed_at)  # type: ignore[arg-type, return-value]
        i = 0
        while i < len(rows):
            first = rows[i]
            assert first.completed_at is not None
            burst = [r for r in rows[i:] if r.completed_at <= first.completed_at + span]  # type: ignore[operator]
            if len(burst) >= BURST_MIN_COUNT:
                out.append(
                    Signal(
                        kind=DEADLINE_BURST,
                        key=f"{DEADLINE_BURST}:{first.unit_id}:{officer}:{first.completed_at.isoformat()}",
                        unit_id=first.unit_id,
                        unit_code=first.unit_code,
                        dossier_ids=[r.id for r in burst],
                        dossier_codes=[r.code for r in burst],
                        officer=officer,
                        rule=(
                            f"{len(burst)} hồ sơ kết thúc trong {DEADLINE_WINDOW_MINUTES} phút"
                            f" cuối trước hạn, trong vòng {BURST_SPAN_MINUTES} phút"
                        ),
                        evidence={
                            "completions": [
                                {
                                    "code": r.code,
                                    "completed_at": _iso(r.completed_at),
                                    "due_at": _iso(r.due_at),
                                }
                                for r in burst
                            ]
                        },
                    )
                )
                i += len(burst)
            else:
                i += 1
    return out


def detect_signed_after_return(
    dossiers: Sequence[DossierRow], signatures: Iterable[SignatureRow]
) -> list[Signal]:
    last_signed: dict[str, SignatureRow] = {}
    for s in signatures:
        cur = last_signed.get(s.dossier_code)
        if cur is None or s.signed_at > cur.signed_at:
            last_signed[s.dossier_code] = s
    tol = dt.timedelta(minutes=SIGNED_TOLERANCE_MINUTES)
    out: list[Signal] = []
    for d in dossiers:
        sig = last_signed.get(d.code)
        if sig is None:
            continue
        rule = ""
        if d.returned_at is not None and sig.signed_at > d.returned_at + tol:
            rule = "kết quả được ký sau thời điểm ghi nhận đã trả kết quả"
        elif (
            d.due_at is not None
            and d.completed_at is not None
            and d.completed_at <= d.due_at
            and sig.signed_at > d.due_at + tol
        ):
            rule = "ghi nhận kết thúc đúng hạn nhưng kết quả được ký sau ngày hẹn trả"
        if not rule:
            continue
        out.append(
            _dossier_signal(
                SIGNED_AFTER_RETURN,
                d.id,
                d,
                officer=sig.signer or d.assignee,
                rule=rule,
                evidence={
                    "signed_at": _iso(sig.signed_at),
                    "returned_at": _iso(d.returned_at),
                    "completed_at": _iso(d.completed_at),
                    "due_at": _iso(d.due_at),
                },
            )
        )
    return out


def detect_backdated_events(
    dossiers: Sequence[DossierRow], events: Iterable[EventRow], audits: Iterable[AuditRow]
) -> list[Signal]:
    """Pairs each dossier's events with the audit entries of the same action in written
    order; events with no audit entry (imported or generated history) are not judged."""
    by_id = {d.id: d for d in dossiers}
    written: dict[tuple[int, str], list[dt.datetime]] = defaultdict(list)
    for a in audits:
        written[(a.dossier_id, a.action)].append(a.occurred_at)
    recorded: dict[tuple[int, str], list[EventRow]] = defaultdict(list)
    for e in events:
        recorded[(e.dossier_id, e.action)].append(e)
    tol = dt.timedelta(minutes=BACKDATE_TOLERANCE_MINUTES)
    out: list[Signal] = []
    for key, evs in recorded.items():
        times = sorted(written.get(key, ()))
        d = by_id.get(key[0])
        if not times or d is None:
            continue
        for e, w in zip(sorted(evs, key=lambda e: e.pk), times, strict=False):
            gap = (w - e.at).total_seconds() / 60
            if abs(gap) <= tol.total_seconds() / 60:
                continue
            out.append(
                _dossier_signal(
                    BACKDATED_EVENT,
                    e.pk,
                    d,
                    officer=e.actor or d.assignee,
                    rule=(
                        f"thời điểm ghi trên sự kiện lệch {abs(gap):.0f} phút so với lúc"
                        f" nhật ký kiểm toán ghi nhận (> {BACKDATE_TOLERANCE_MINUTES} phút)"
                    ),
                    evidence={
                        "event": e.pk,
                        "action": e.action,
                        "recorded_at": _iso(e.at),
                        "written_at": _iso(w),
                        "minutes": round(gap, 1),
                    },
                )
            )
    return out


@dataclass
class DataSet:
    dossiers: list[DossierRow]
    events: list[EventRow]
    pauses: list[PauseRow]
    signatures: list[SignatureRow]
    audits: list[AuditRow]


def detect_all(data: DataSet) -> list[Signal]:
    return [
        *detect_refuse_loops(data.dossiers, data.events),
        *detect_pause_only_supplements(data.dossiers, data.pauses),
        *detect_deadline_bursts(data.dossiers),
        *detect_signed_after_return(data.dossiers, data.signatures),
        *detect_backdated_events(data.dossiers, data.events, data.audits),
    ]


def precision(found: Iterable[Signal], planted: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per kind: signals found, how many are planted (true) cases, precision, recall.
    `planted` holds the keys of the planted signals."""
    planted_keys = set(planted)
    found_list = list(found)
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        mine = [s for s in found_list if s.kind == kind]
        true = sum(1 for s in mine if s.key in planted_keys)
        planted_kind = sum(1 for k in planted_keys if k.startswith(kind + ":"))
        out[kind] = {
            "found": len(mine),
            "true": true,
            "planted": planted_kind,
            "precision": round(true / len(mine), 3) if mine else None,
            "recall": round(true / planted_kind, 3) if planted_kind else None,
        }
    return out
