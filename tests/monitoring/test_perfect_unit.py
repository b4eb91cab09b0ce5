"""Issue 19, done when: a "perfect unit" driven through the real services only —
procedure announced and published on time, online submission by a VNeID-linked
citizen, online payment through the gateway, signed electronic result, synced to the
national portal, on time, rated satisfied — reaches ≥ 90 points, "Xuất sắc", green;
each variant that fails one behaviour (not synced, no VNeID, not paid online,
announced or published late, a missing part, settled late, feedback answered late,
submitted at the counter, not offered online, papers not scanned, rated unsatisfied,
a second procedure in competence not offered online and without dossiers)
loses exactly the points the formula assigns to it. No variant without an electronic
result: every result Motcua issues is signed and sealed (4.1 cannot fail natively)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import ExternalAccount
from motcua.catalog.constants import OnlineMode
from motcua.catalog.models import FeeRule
from motcua.core.testing import fixtures as fx
from motcua.dossiers import services
from motcua.feedback.services import rating_submit
from motcua.integrations import delivery, relay
from motcua.integrations.vneid import PROVIDER_NAME
from motcua.monitoring.selectors import scores_for
from motcua.monitoring.updater import rebuild
from motcua.payments import services as payments
from tests.monitoring.test_feedback_feed import _answer, _submit
from tests.payments.conftest import SECRET, ipn_params, send_ipn, start

pytestmark = pytest.mark.django_db


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _early_last_month() -> dt.datetime:
    first = timezone.localtime().replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    moment = (first - dt.timedelta(days=1)).replace(day=3)
    while moment.weekday() >= 5:
        moment += dt.timedelta(days=1)
    return moment


@pytest.fixture
def staff(personas) -> fx.Staff:
    return fx.make_staff(personas, "clerk_x", "specialist_x")


# variant → the indicators it must lose entirely (everything else stays full)
VARIANTS: dict[str, dict[str, float]] = {
    "perfect": {},
    "not_synced": {"1.4": 6, "3.5": 2},  # 3.5 counts fee data of *synced* dossiers
    "no_vneid": {"4.5a": 2, "4.5b": 2},
    "not_paid_online": {"3.5b": 2, "3.6": 6},
    "announced_late": {"1.1": 6},
    "published_late": {"1.2": 4},
    "rated_unsatisfied": {"5.4": 6},
    "missing_part": {"1.3": 2},  # no sequence of steps: one of Decree 63's seven parts
    "late": {"2.1": 20, "5.4": 6},  # 5.4 counts dossiers late or rated unsatisfied
    # a citizen's feedback answered after 15 working days: late (5.2), and late
    # handling counts against satisfaction with the handling (5.3)
    "feedback_late": {"5.2": 6, "5.3": 6},
    # submitted at the counter: no online dossier (3.3), so the unit's only online
    # procedure has no online dossier either (3.2 = 0/1)
    "at_counter": {"3.2": 4, "3.3": 6},
    # the procedure not offered online (3.1 = 0/1): it leaves 3.2 without an online
    # procedure (0/0 scores 0) and the dossier can only come at the counter (3.3)
    "not_online": {"3.1": 2, "3.2": 4, "3.3": 6},
    # papers taken at the counter and not scanned (4.2 = 0/1), besides the counter's 3.2/3.3
    "not_digitised": {"3.2": 4, "3.3": 6, "4.2": 4},
    # a second procedure in the unit's competence, not offered online, with no dossier
    # at all: 3.1 = 1/2 → min(2, 2·0.5/0.8) = 1.25 (the catalogue state is the unit's,
    # not its dossiers'); complete, for organisations and free, it touches nothing else
    "second_not_online": {"3.1": 2 - 1.25},
}
FULL = {"1.1": 6, "1.2": 4, "1.3": 2, "1.4": 6, "2.1": 20, "3.1": 2, "3.2": 4, "3.3": 6}
FULL |= {"3.5": 2, "3.5b": 2, "3.6": 6, "4.1": 6, "4.2": 4, "4.5a": 2, "4.5b": 2}
FULL |= {"5.2": 6, "5.3": 6, "5.4": 6}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_perfect_unit_is_excellent_and_green(
    personas,
    staff,
    settings,
    tmp_path,
    signing_pki_dir,
    e_signing,
    django_capture_on_commit_callbacks,
    variant,
):
    synced = variant != "not_synced"
    fx.use_payment_sandbox(settings, tmp_path, secret=SECRET)
    settings.MOTCUA_PKI_DIR = str(signing_pki_dir)  # the officers' signing tokens
    today = timezone.localdate()
    version = fx.make_published_version(personas.unit_x, **fx.COPY_PROCEDURE)
    FeeRule.objects.create(version=version, name="Lệ phí cấp bản sao", **fx.COPY_LEVY)
    # 1.1–1.3: announced ≥ 5 working days before effect, published the next day, all parts
    announced = _workday(today - dt.timedelta(days=20))
    version.announcement_decision = "1234/QĐ-UBND"
    version.announced_on = announced
    version.effective_from = announced + dt.timedelta(days=3 if variant == "announced_late" else 14)
    version.national_published_on = announced + dt.timedelta(
        days=10 if variant == "published_late" else 1
    )
    version.steps_description = (
        ""
        if variant == "missing_part"
        else "Bước 1: Nộp hồ sơ. Bước 2: Thẩm định. Bước 3: Trả kết quả."
    )
    version.methods_description = "Trực tuyến trên Cổng Dịch vụ công hoặc tại Bộ phận Một cửa."
    version.subjects = ["citizen"]
    if variant == "not_online":
        version.online_mode = OnlineMode.NONE
    version.save()
    citizen = personas.citizen_a
    if variant != "no_vneid":
        ExternalAccount.objects.create(user=citizen, provider=PROVIDER_NAME, subject="vneid-1")

    # the services' clock: a late unit received the dossier early last month (due five
    # working days later, judged at that month's end) and settles it only now
    early = _early_last_month()
    at = {"now": early} if variant == "late" else {}
    since = min(announced, early.date())
    with django_capture_on_commit_callbacks(execute=True):
        if variant in ("at_counter", "not_online", "not_digitised"):
            scanned = variant != "not_digitised"
            d = services.dossier_create_at_counter(
                actor=personas.receptionist_x,
                applicant=citizen,
                procedure_version=version,
                receiving_unit=personas.unit_x,
                form_answers={"so_ban": 2},
                components=[  # scanned at the counter: 4.2 stays full
                    services.ComponentInput(
                        component=c, files=[{"name": f"{c.code}.pdf"}] if scanned else []
                    )
                    for c in version.components.all()
                ],
            )
        else:
            d = fx.submit_online_dossier(
                version=version,
                applicant=citizen,
                unit=personas.unit_x,
                form_answers={"so_ban": 2},
                **at,
            )
        d = fx.receive_dossier(d, receptionist=personas.receptionist_x, **at)
        request = payments.payment_request_for_fees(dossier=d, actor=citizen)
        if variant != "not_paid_online":
            send_ipn(ipn_params(start(request, citizen)))
        d = fx.assign_dossier(d, leader=personas.leader_x, assignee=staff.specialist_x, **at)
        d.refresh_from_db()
        d = services.dossier_submit_for_approval(
            dossier=d, actor=staff.specialist_x, expected_version=d.version
        )
        d = services.dossier_approve(dossier=d, actor=personas.leader_x, expected_version=d.version)
        d = services.dossier_issue_result(
            dossier=d, actor=staff.clerk_x, expected_version=d.version, result_number="1/KQ"
        )
        d = services.dossier_return_result(
            dossier=d,
            actor=personas.receptionist_x,
            expected_version=d.version,
            channel="online",
        )
        unhappy = variant == "rated_unsatisfied"
        rating_submit(
            dossier=d,
            stage="result",
            level="unsatisfied" if unhappy else "satisfied",
            problem="Chờ lâu" if unhappy else "",
            channel="portal",
            rater=citizen,
        )
        if variant == "feedback_late":
            feedback = _submit(personas, now=early)  # about the procedure, not the dossier
            _answer(personas, feedback, at=timezone.now())
        if synced:
            relay.relay()
            delivery.deliver()

    if variant == "second_not_online":
        _second_procedure_not_online(personas)

    card = scores_for(personas.unit_x, since, today).card
    s = {k: round(v.score, 6) for k, v in card.indicators.items()}
    # every point a procedure of this kind can earn (4.2b, 4.3, 4.4 need certified
    # copies, reused data and the citizen's warehouse: not part of this flow); the
    # variant loses exactly the points of the indicators its behaviour fails
    lost = VARIANTS[variant]
    expected = {k: v - lost.get(k, 0) for k, v in FULL.items()}
    assert {k: s[k] for k in expected} == expected
    assert card.total == pytest.approx(92 - sum(lost.values()))
    assert card.indicators["3.1"].denominator == (2 if variant == "second_not_online" else 1)
    if variant == "perfect":
        unit = scores_for(personas.unit_x, since, today)
        assert card.total >= 90
        assert unit.band.key == "excellent" and str(unit.band.label) == "Xuất sắc"
        assert unit.colour.key == "green"
    rebuild()  # the set-based rebuild reads the same native facts
    assert scores_for(personas.unit_x, since, today).card.total == pytest.approx(card.total)


def _second_procedure_not_online(personas) -> None:
    """Through the catalogue services (the spans are written by their saves): a
    procedure for organisations, without fees, every part of Decree 63 present, not
    offered online, in force and in unit X's competence since 2025 — no dossier."""
    from motcua.catalog import services as catalog
    from motcua.catalog.models import Component, Field

    admin = personas.admin
    field = Field.objects.create(code="G09-TM", name="Thương mại")
    draft = catalog.procedure_create(
        code="2.000999",
        name="Cấp giấy phép bán lẻ rượu",
        field=field,
        level="province",
        actor=admin,
    )
    catalog.procedure_version_update(
        version=draft,
        actor=admin,
        subjects=["organisation"],
        online_mode=OnlineMode.NONE,
        steps_description="Bước 1: Nộp hồ sơ. Bước 2: Thẩm định. Bước 3: Trả kết quả.",
        methods_description="Tại Bộ phận Một cửa.",
        processing_time_value=10,
    )
    catalog.version_child_save(
        instance=Component(version=draft, code="DN", name="Đơn đề nghị", order=1), actor=admin
    )
    catalog.procedure_version_publish(
        version=draft, effective_from=dt.date(2025, 1, 1), actor=admin, check_process=False
    )
    catalog.competence_add(
        procedure=draft.procedure,
        unit=personas.unit_x,
        valid_from=dt.date(2025, 1, 1),
        actor=admin,
    )
