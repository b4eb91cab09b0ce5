"""Demo dossiers in various states, created through the services (idempotent: each
demo dossier carries a `demo_key` in its answers and is created only once).

Needs the demo organisation (org.demo) and the demo catalogue (catalog.demo)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers import deadlines, services
from motcua.dossiers.models import Dossier, SupplementNotice
from motcua.org.models import OrgUnit

PAS_CENTRE = "000.00.01.H47"
DEPT_JUSTICE = "000.00.03.H47"
PROCEDURE = "DEMO-LLTP"  # criminal-record certificate: received at the PAS centre
CITIZENS = ("049090001234", "049192005678")


class DemoNotReady(Exception):
    pass


def _people() -> dict[str, Any]:
    names = [
        "tiepnhan.ttpvhcc",
        "chuyenvien.stp",
        "lanhdao.stp",
        "vanthu.stp",
        *CITIZENS,
    ]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = [n for n in names if n not in users]
    if missing:
        raise DemoNotReady(
            "Chưa nạp dữ liệu trình diễn tổ chức (motcua demo_load): " + ", ".join(missing)
        )
    return users


def _first_component(d: Dossier, reason: str) -> list[Any]:
    """A supplement request citing the procedure's first published component (R12b)."""
    from motcua.dossiers.supplement_items import SupplementItem

    component = d.procedure_version.components.order_by("order", "pk").first()
    if component is None:
        return [SupplementItem(reason=reason, name="Giấy tờ bổ sung")]
    return [SupplementItem(reason=reason, component_id=component.pk)]


def dossiers_demo(now: dt.datetime | None = None) -> list[str]:
    """Create the demo dossiers that do not exist yet; returns the keys created."""
    now = now or timezone.now()
    people = _people()
    try:
        reception = OrgUnit.objects.get(code=PAS_CENTRE)
        justice = OrgUnit.objects.get(code=DEPT_JUSTICE)
    except OrgUnit.DoesNotExist as exc:
        raise DemoNotReady("Chưa nạp dữ liệu trình diễn tổ chức (motcua demo_load).") from exc
    version = (
        ProcedureVersion.objects.filter(procedure__code=PROCEDURE, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise DemoNotReady("Chưa nạp danh mục thủ tục trình diễn (motcua catalog_load_demo).")
    # Approval and issue sign the electronic result: the officers need their demo
    # credentials (idempotent; normally done by `documents_demo_pki` just before).
    from motcua.documents.demo_pki import provision

    provision()
    existing = set(
        Dossier.objects.filter(form_answers__has_key="demo_key").values_list(
            "form_answers__demo_key", flat=True
        )
    )
    receptionist = people["tiepnhan.ttpvhcc"]
    specialist = people["chuyenvien.stp"]
    leader = people["lanhdao.stp"]
    clerk = people["vanthu.stp"]
    citizen_a, citizen_b = people[CITIZENS[0]], people[CITIZENS[1]]
    cal = deadlines.calendar_for(reception)
    reception_tz = timezone.get_default_timezone()

    def ago(working_days: int) -> dt.datetime:
        """A moment `working_days` working days before now (inside office hours)."""
        return cal.moment(max(cal.position(now) - working_days * cal.day_seconds, 1))

    def online(key: str, who: Any, at: dt.datetime) -> Dossier:
        return services.dossier_submit_online(
            applicant=who,
            procedure_version=version,
            receiving_unit=reception,
            competent_unit=justice,
            form_answers={"demo_key": key, "muc_dich": "Bổ sung hồ sơ xin việc"},
            components=[
                services.ComponentInput(component=c, files=[{"name": f"{c.code}.pdf"}])
                for c in version.components.filter(case__isnull=True)
            ],
            now=at,
        )

    def counter(key: str, who: Any, at: dt.datetime) -> Dossier:
        return services.dossier_create_at_counter(
            actor=receptionist,
            applicant=who,
            procedure_version=version,
            receiving_unit=reception,
            competent_unit=justice,
            form_answers={"demo_key": key, "muc_dich": "Đi lao động nước ngoài"},
            components=[
                services.ComponentInput(component=c, digitized=True)
                for c in version.components.filter(case__isnull=True)
            ],
            now=at,
        )

    def step(
        d: Dossier, fn: Callable[..., Dossier], actor: Any, at: dt.datetime, **kw: Any
    ) -> Dossier:
        return fn(dossier=d, actor=actor, expected_version=d.version, now=at, **kw)

    def receive(d: Dossier, at: dt.datetime) -> Dossier:
        return step(d, services.dossier_receive, receptionist, at)

    def delivered(d: Dossier, written: dt.datetime) -> None:
        # The SMS provider's delivery report, a few minutes after the notice: the clock
        # pauses from then (law.md R12c). The sandbox's own later report changes nothing.
        services.supplement_notice_delivered(
            dossier=d,
            channel=SupplementNotice.Evidence.SMS,
            evidence="demo",
            now=written + dt.timedelta(minutes=3),
        )

    def assign(d: Dossier, at: dt.datetime) -> Dossier:
        return step(d, services.dossier_assign, leader, at, assignee=specialist)

    def approve(d: Dossier, at: dt.datetime) -> Dossier:
        d = step(d, services.dossier_submit_for_approval, specialist, at)
        return step(d, services.dossier_approve, leader, at)

    scenarios: dict[str, Callable[[], Any]] = {}

    def scenario(key: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        def register(fn: Callable[[], Any]) -> Callable[[], Any]:
            scenarios[key] = fn
            return fn

        return register

    @scenario("cho-tiep-nhan")
    def _waiting() -> Any:
        online("cho-tiep-nhan", citizen_a, ago(0))

    @scenario("cho-phan-cong")
    def _to_assign() -> Any:
        receive(counter("cho-phan-cong", citizen_b, ago(1)), ago(1))

    @scenario("dang-xu-ly")
    def _in_process() -> Any:
        assign(receive(online("dang-xu-ly", citizen_a, ago(3)), ago(3)), ago(2))

    @scenario("qua-han")
    def _overdue() -> Any:
        assign(receive(counter("qua-han", citizen_b, ago(14)), ago(14)), ago(13))

    @scenario("cho-bo-sung")
    def _supplement() -> Any:
        d = assign(receive(online("cho-bo-sung", citizen_a, ago(2)), ago(2)), ago(2))
        step(
            d,
            services.dossier_request_supplement,
            specialist,
            ago(1),
            items=_first_component(d, "Bản chụp bị mờ, đề nghị nộp lại bản rõ nét."),
        )
        delivered(d, ago(1))

    @scenario("cho-phe-duyet")
    def _awaiting() -> Any:
        approve_at = ago(1)
        d = assign(receive(online("cho-phe-duyet", citizen_b, ago(4)), ago(4)), ago(4))
        step(d, services.dossier_submit_for_approval, specialist, approve_at)

    @scenario("cho-tra-ket-qua")
    def _resolved() -> Any:
        d = assign(receive(counter("cho-tra-ket-qua", citizen_a, ago(6)), ago(6)), ago(6))
        d = approve(d, ago(2))
        step(d, services.dossier_issue_result, clerk, ago(1), result_number="125/PLLTP")

    @scenario("da-tra-ket-qua")
    def _returned() -> Any:
        d = assign(receive(online("da-tra-ket-qua", citizen_b, ago(9)), ago(9)), ago(9))
        d = approve(d, ago(4))
        d = step(d, services.dossier_issue_result, clerk, ago(3), result_number="118/PLLTP")
        step(d, services.dossier_return_result, receptionist, ago(2), channel="online")

    @scenario("hen-lai")
    def _extended() -> Any:
        d = assign(receive(counter("hen-lai", citizen_a, ago(5)), ago(5)), ago(5))
        assert d.due_at is not None
        step(
            d,
            services.dossier_extend_with_apology,
            leader,
            ago(1),
            new_due_at=cal.moment(cal.position(d.due_at) + 3 * cal.day_seconds),
            reason="Chờ kết quả tra cứu từ cơ quan khác.",
            reason_kind="objective",
        )

    @scenario("tu-choi-tiep-nhan")
    def _refused() -> Any:
        d = online("tu-choi-tiep-nhan", citizen_b, ago(2))
        step(
            d,
            services.dossier_refuse_reception,
            receptionist,
            ago(2),
            reason="Người yêu cầu không thuộc đối tượng được cấp phiếu theo thủ tục này.",
        )

    @scenario("dung-giai-quyet")
    def _stopped() -> Any:
        # Decree 118/2025 Art. 21: the applicant stops a received dossier (law.md R18a).
        d = assign(receive(online("dung-giai-quyet", citizen_b, ago(3)), ago(3)), ago(3))
        step(
            d,
            services.dossier_stop_by_applicant,
            citizen_b,
            ago(2),
            reason="Đã được cấp phiếu ở nơi khác, không cần nữa.",
        )

    @scenario("qua-han-bo-sung")
    def _unsupplemented() -> Any:
        # Decree 118/2025 Art. 19(5): the supplement asked 16 working days ago was never
        # provided; the scheduler (close-expired-supplements) closes the dossier.
        d = assign(receive(online("qua-han-bo-sung", citizen_a, ago(18)), ago(18)), ago(18))
        step(
            d,
            services.dossier_request_supplement,
            specialist,
            ago(16),
            items=_first_component(d, "Thiếu chữ ký của người yêu cầu."),
        )
        delivered(d, ago(16))

    @scenario("truoc-nd118")
    def _before_decree_118() -> Any:
        # Received under Decree 61/2018 (before 1/7/2025): it keeps those rules and the
        # Circular 01/2018 forms (law.md R1), e.g. Form 04 "Phiếu xin lỗi và hẹn lại ...".
        at = dt.datetime(2025, 6, 2, 9, 0, tzinfo=reception_tz)
        d = assign(receive(counter("truoc-nd118", citizen_a, at), at), at + dt.timedelta(hours=1))
        assert d.due_at is not None
        d = step(
            d,
            services.dossier_extend_with_apology,
            leader,
            at + dt.timedelta(hours=2),
            new_due_at=cal.moment(cal.position(d.due_at) + 2 * cal.day_seconds),
            reason="Chờ kết quả xác minh của cơ quan công an.",
            reason_kind="objective",
        )
        due = d.due_at
        assert due is not None
        d = approve(d, cal.moment(cal.position(due) - cal.day_seconds))
        at = cal.moment(cal.position(due) - cal.day_seconds // 2)
        d = step(d, services.dossier_issue_result, clerk, at, result_number="61/PLLTP")
        step(
            d,
            services.dossier_return_result,
            receptionist,
            at,
            channel="counter",
            collected_by="Nguyễn Văn An",
        )

    created = []
    for key, fn in scenarios.items():
        if key in existing:
            continue
        fn()
        created.append(key)
    return created
