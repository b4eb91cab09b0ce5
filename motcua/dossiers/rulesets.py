"""Effective-dated rule sets of the one-stop mechanism (docs/law.md §0.2, R1). Pure:
no ORM, no settings.

A dossier follows the rule set in force at its reception and keeps it (R1): the set's
name is stored on the dossier when it is received (`Dossier.rule_set`), so later changes
to this registry never move an older dossier to other rules. Before reception a dossier
follows the set in force now.

Sets, oldest first:

* ``nd61-2018``: Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP, Circular
  01/2018/TT-VPCP (forms 01–06), until 30/6/2025.
* ``nd118-2025``: Decree 118/2025/NĐ-CP from 01/7/2025 (Art. 40(1) ends Decree 61 and
  107). No forms had been issued yet (the decree has no forms annex): the
  Circular 01/2018 forms stay in use under the names the decree gives them.
* ``nd118-2025-tt03``: the same with the seven forms of Circular 03/2025/TT-VPCP
  Appendix I, from 15/9/2025 (the date the forms apply from; law.md §1.12.2).
* ``nd309-2026``: Decree 309/2026/NĐ-CP from 05/8/2026 (text read from one secondary
  copy): smart kiosks as a reception point (new Art. 17(2a)). Decree 367/2025 is not a
  separate set: its text and effective date could not be read (law.md §0.2).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class CodePrefix(enum.StrEnum):
    # Whose identifier starts the dossier code.
    RECEIVING = "receiving"  # Decree 61/2018 Art. 26; Circular 01/2018 Art. 19
    COMPETENT = "competent"  # Decree 118/2025 Art. 28(a)


class DayKind(enum.StrEnum):
    WORKING = "working_days"
    CALENDAR = "days"


@dataclass(frozen=True)
class FormSpec:
    """A standard form as a rule set prints it. `key` is the project's stable key (the
    Circular 01/2018 number, used in URLs and events; "stop" for the stop notice);
    `number` is the number printed on the form under this set."""

    key: str
    number: str
    title: str
    basis: str

    @property
    def label(self) -> str:
        """The title in sentence case, for lists ("Giấy tiếp nhận hồ sơ và ...")."""
        return self.title[:1] + self.title[1:].lower()


KEY_RECEIPT = "01"
KEY_SUPPLEMENT = "02"
KEY_REFUSAL = "03"
KEY_APOLOGY = "04"
KEY_CONTROL = "05"
KEY_REGISTER = "06"
KEY_STOP = "stop"

_TT01 = "Thông tư 01/2018/TT-VPCP"
_TT03 = "Thông tư 03/2025/TT-VPCP, Phụ lục I"

# Circular 01/2018/TT-VPCP Art. 9 (law.md §1.12.1).
FORMS_TT01: Mapping[str, FormSpec] = {
    KEY_RECEIPT: FormSpec("01", "01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", _TT01),
    KEY_SUPPLEMENT: FormSpec("02", "02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", _TT01),
    KEY_REFUSAL: FormSpec("03", "03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", _TT01),
    KEY_APOLOGY: FormSpec("04", "04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", _TT01),
    KEY_CONTROL: FormSpec("05", "05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", _TT01),
    KEY_REGISTER: FormSpec("06", "06", "SỔ THEO DÕI HỒ SƠ", _TT01),
}

# Circular 03/2025/TT-VPCP Appendix I, Forms 01–07 (law.md §1.12.2): the
# apology becomes an apology *and extension request* (04), the stop notice is new
# (05), the control sheet and the register move to 06 and 07.
FORMS_TT03: Mapping[str, FormSpec] = {
    KEY_RECEIPT: FormSpec("01", "01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", _TT03),
    KEY_SUPPLEMENT: FormSpec("02", "02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", _TT03),
    KEY_REFUSAL: FormSpec("03", "03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", _TT03),
    KEY_APOLOGY: FormSpec(
        "04", "04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", _TT03
    ),
    KEY_STOP: FormSpec("stop", "05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", _TT03),
    KEY_CONTROL: FormSpec("05", "06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", _TT03),
    KEY_REGISTER: FormSpec("06", "07", "SỔ THEO DÕI HỒ SƠ", _TT03),
}

# Decree 118/2025 before Circular 03: the Circular 01 layouts, with the names the
# decree itself uses for the refusal (Art. 17(1)(c)) and the apology (Art. 19(6)).
_D118 = "Nghị định 118/2025/NĐ-CP (mẫu Thông tư 01/2018/TT-VPCP)"
FORMS_D118: Mapping[str, FormSpec] = {
    **{k: replace(v, basis=_D118) for k, v in FORMS_TT01.items()},
    KEY_REFUSAL: FormSpec("03", "03", "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH", _D118),
    KEY_APOLOGY: FormSpec(
        "04", "04", "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", _D118
    ),
}

DEFAULT_CODE_FORMAT = "{unit}-{date:%y%m%d}-{seq:04d}"

# States of a received dossier not yet decided (values of DossierStatus; this module
# imports no Django).
RECEIVED_STATES = frozenset(
    {
        "received",
        "in_process",
        "in_consultation",
        "supplement_requested",
        "payment_requested",
        "awaiting_approval",
    }
)


@dataclass(frozen=True)
class RuleSet:
    name: str
    label: str  # Vietnamese, shown on the officer's dossier page
    basis: str  # legal bases, Vietnamese
    effective_from: dt.date
    # Dossier code (Decree 61 Art. 26 / Circular 01 Art. 19; Decree 118 Art. 28).
    code_prefix: CodePrefix
    # Supplement after appraisal: notice within N working days of reception (Decree 61
    # Art. 19(4); Decree 118 Art. 19(5)); None = no limit on the number of requests.
    supplement_notice_working_days: int
    supplement_max_requests: int | None
    # Decree 118 Art. 19(5): closed if not completed N days after the notice.
    supplement_close_days: int | None
    # Decree 118 Art. 21: the applicant may stop the dossier up to the decision.
    applicant_stop: bool
    # Decree 118 Art. 23(1): corrected result back at the unit within N working days.
    correction_working_days: int | None
    # Decree 118 Art. 17(2): alert a reception officer within N hours of the portal's
    # acknowledgement; the officer receives or asks for correction within M working
    # hours, in one round.
    online_alert_hours: int | None
    online_reception_working_hours: int | None
    # Decree 118 Art. 14(2), 20(1): any provincial or commune centre receives any
    # procedure of the province; the result returns to the receiving centre.
    boundary_free_in_province: bool
    # Reception channels besides the three KenhThucHien codes (Art. 15; 309 Art. 17(2a)).
    extra_channels: tuple[str, ...]
    forms: Mapping[str, FormSpec]
    # Workflow actions that do not exist under this set: action -> the states where it
    # is disabled (None: in every state).
    disabled_actions: Mapping[str, frozenset[str] | None]
    # Citations shown next to the rules (Vietnamese, article by article).
    citations: Mapping[str, str] = field(default_factory=dict)
    code_format: str = DEFAULT_CODE_FORMAT
    # Decree 61 Art. 19(9) / Decree 118 Art. 19(6): one new appointment, asked at the
    # latest 1 day before the due date (the calendar enforces 1 working day, R14).
    apology_max: int = 1
    # Decree 118/2025 Art. 19(6): the apology asks for an extension ("Phiếu đề nghị gia
    # hạn thời gian giải quyết"); Decree 61 Art. 19(9) gave a new appointment.
    apology_requests_extension: bool = False

    def form(self, key: str) -> FormSpec:
        return self.forms[key]

    def has_form(self, key: str) -> bool:
        return key in self.forms

    def allows(self, action: str, state: str = "") -> bool:
        if action not in self.disabled_actions:
            return True
        states = self.disabled_actions[action]
        return states is not None and state not in states

    def disabled_in(self, state: str) -> frozenset[str]:
        return frozenset(a for a in self.disabled_actions if not self.allows(a, state))

    def cite(self, rule: str) -> str:
        return self.citations.get(rule, self.basis)


ND61 = RuleSet(
    name="nd61-2018",
    label="Nghị định 61/2018/NĐ-CP (sửa đổi bởi Nghị định 107/2021/NĐ-CP)",
    basis="Nghị định 61/2018/NĐ-CP, Nghị định 107/2021/NĐ-CP, Thông tư 01/2018/TT-VPCP",
    effective_from=dt.date(2018, 6, 21),
    code_prefix=CodePrefix.RECEIVING,
    supplement_notice_working_days=3,
    supplement_max_requests=None,  # a second request is allowed but counts late (766)
    supplement_close_days=None,
    applicant_stop=False,
    correction_working_days=None,
    online_alert_hours=None,
    online_reception_working_hours=None,
    boundary_free_in_province=False,
    extra_channels=(),
    forms=FORMS_TT01,
    disabled_actions={"stop_by_applicant": None, "close_unsupplemented": None},
    citations={
        "code": "Nghị định 61/2018/NĐ-CP, Điều 26; Thông tư 01/2018/TT-VPCP, Điều 19",
        "supplement": "Nghị định 61/2018/NĐ-CP, Điều 19 khoản 4",
        "apology": "Nghị định 61/2018/NĐ-CP, Điều 19 khoản 9",
        "clock": "Nghị định 61/2018/NĐ-CP, Điều 17",
    },
)

_CITE_118 = {
    "code": "Nghị định 118/2025/NĐ-CP, Điều 28",
    "supplement": "Nghị định 118/2025/NĐ-CP, Điều 19 khoản 5",
    "supplement_once": "Nghị định 118/2025/NĐ-CP, Điều 11 khoản 2 điểm c; Điều 19 khoản 5",
    "apology": "Nghị định 118/2025/NĐ-CP, Điều 19 khoản 6",
    "stop": "Nghị định 118/2025/NĐ-CP, Điều 21",
    "correction": "Nghị định 118/2025/NĐ-CP, Điều 23 khoản 1",
    "online": "Nghị định 118/2025/NĐ-CP, Điều 17 khoản 2",
    "clock": "Nghị định 118/2025/NĐ-CP, Điều 17 khoản 3",
    "boundary": "Nghị định 118/2025/NĐ-CP, Điều 14 khoản 2; Điều 20",
    "channels": "Nghị định 118/2025/NĐ-CP, Điều 15; Điều 40 khoản 8",
}

ND118 = RuleSet(
    name="nd118-2025",
    label="Nghị định 118/2025/NĐ-CP",
    basis="Nghị định 118/2025/NĐ-CP",
    effective_from=dt.date(2025, 7, 1),
    code_prefix=CodePrefix.COMPETENT,
    supplement_notice_working_days=3,
    supplement_max_requests=1,
    supplement_close_days=15,
    applicant_stop=True,
    correction_working_days=3,
    online_alert_hours=2,
    online_reception_working_hours=8,
    boundary_free_in_province=True,
    extra_channels=(),
    forms=FORMS_D118,
    # Art. 21: once received, the applicant stops the dossier (no more "withdraw"; a
    # submission not yet received can still be withdrawn).
    disabled_actions={"withdraw": RECEIVED_STATES},
    citations=_CITE_118,
    apology_requests_extension=True,
)

ND118_TT03 = replace(
    ND118,
    name="nd118-2025-tt03",
    label="Nghị định 118/2025/NĐ-CP và Thông tư 03/2025/TT-VPCP",
    basis="Nghị định 118/2025/NĐ-CP, Thông tư 03/2025/TT-VPCP",
    effective_from=dt.date(2025, 9, 15),
    forms=FORMS_TT03,
    citations={**_CITE_118, "forms": "Thông tư 03/2025/TT-VPCP, Phụ lục I"},
)

ND309 = replace(
    ND118_TT03,
    name="nd309-2026",
    label="Nghị định 118/2025/NĐ-CP (sửa đổi bởi Nghị định 309/2026/NĐ-CP)",
    basis="Nghị định 118/2025/NĐ-CP, Nghị định 309/2026/NĐ-CP, Thông tư 03/2025/TT-VPCP",
    effective_from=dt.date(2026, 8, 5),
    # Decree 309/2026: smart kiosks (Art. 3(9), new Art. 17(2a)).
    extra_channels=("kiosk",),
    citations={
        **ND118_TT03.citations,
        "kiosk": "Nghị định 309/2026/NĐ-CP (Điều 17 khoản 2a mới)",
    },
)

REGISTRY: Mapping[str, RuleSet] = {s.name: s for s in (ND61, ND118, ND118_TT03, ND309)}
_ORDERED: tuple[RuleSet, ...] = tuple(sorted(REGISTRY.values(), key=lambda s: s.effective_from))


class UnknownRuleSet(KeyError):
    pass


def get(name: str) -> RuleSet:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownRuleSet(name) from None


def effective_to(rules: RuleSet) -> dt.date | None:
    """Last day the set applies to new dossiers (the day before the next set), or None."""
    later = [s.effective_from for s in _ORDERED if s.effective_from > rules.effective_from]
    return min(later) - dt.timedelta(days=1) if later else None


def local_date(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            raise ValueError("naive datetime")
        return moment.astimezone(LOCAL_TZ).date()
    return moment


def ruleset_at(moment: dt.datetime | dt.date) -> RuleSet:
    """The set in force at `moment` (local date in Viet Nam). Before the first set: the
    first set (the system has no older rules)."""
    day = local_date(moment)
    current = _ORDERED[0]
    for s in _ORDERED:
        if s.effective_from <= day:
            current = s
    return current


def ruleset_for(stored: str, received_at: dt.datetime | None, now: dt.datetime | None) -> RuleSet:
    """The set of a dossier: the stored one; else the one in force at reception (rows
    written before sets were stored); else, not received yet, the one in force now."""
    if stored:
        return get(stored)
    moment = received_at or now
    if moment is None:
        raise ValueError("a moment is needed for a dossier without a stored rule set")
    return ruleset_at(moment)


def portal_submission_open(rules: RuleSet) -> bool:
    """Whether the province's own portal (and the API's applications) still take online
    submissions under `rules`. Decree 118/2025 Art. 15, 40(8): online dossiers are filed
    on the National Portal, which forwards them (law.md R22a); a province switches its
    own e-form submission off by listing the rule set in
    MOTCUA_PORTAL_SUBMISSION_OFF (docs/portal.md)."""
    from django.conf import settings

    return rules.name not in set(getattr(settings, "MOTCUA_PORTAL_SUBMISSION_OFF", ()))
