"""Declarative access rules: every named URL of the project → who may use it.

A rule is the set of personas that get the page (200, or a redirect inside the app); every
other persona must be refused: anonymous → redirect to the login page, anyone else → 403
or 404. `test_every_url_has_a_rule` fails when a URL pattern is added without a row here.

Personas (motcua/core/testing/personas.py): anonymous, citizen A (owner of every object
built by tests/security/world.py), citizen B, receptionist of unit X (the dossier's
receiving unit), specialist of unit Y, leader (head) of unit X, provincial supervisor,
administrator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANON = "anonymous"
CIT_A = "citizen_a"
CIT_B = "citizen_b"
REC_X = "receptionist_x"
SPEC_Y = "specialist_y"
LEAD_X = "leader_x"
SUP = "supervisor"
ADM = "admin"
PERSONAS = (ANON, CIT_A, CIT_B, REC_X, SPEC_Y, LEAD_X, SUP, ADM)

EVERYONE = frozenset(PERSONAS)
LOGIN_ANY = EVERYONE - {ANON}
CITIZEN = frozenset({CIT_A, CIT_B})
CITIZEN_OWNER = frozenset({CIT_A})
OFFICER_ANY = frozenset({REC_X, SPEC_Y, LEAD_X, SUP, ADM})
OFFICER_OF_UNIT_X = frozenset({REC_X, LEAD_X, SUP, ADM})  # staff of X or province-wide
PROVINCE = frozenset({SUP, ADM})
ADMIN = frozenset({ADM})
# Editing a draft needs a catalogue-manager assignment; none of the personas has one
# and the published version in the world is read-only anyway.
CATALOG_MANAGERS: frozenset[str] = frozenset()
LEADERS = frozenset({LEAD_X, SUP, ADM})  # heads of unit and province-wide roles
MONITORS = frozenset({LEAD_X, SUP, ADM})
NOBODY: frozenset[str] = frozenset()


def ROLES(*names: str) -> frozenset[str]:
    return frozenset(names)


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    kwargs: Callable[[Any], dict[str, Any]] | None = None  # world -> URL kwargs
    post_only: bool = False  # GET answers 405; denial checked with a POST
    sandbox: bool = False  # only exists with MOTCUA_SANDBOXES
    machine: bool = False  # machine-to-machine endpoint (signed payload, no session)
    note: str = ""
    query: str = ""  # appended to the URL
    extra_ok: frozenset[int] = field(default_factory=frozenset)  # e.g. 404 for a missing object


def _pk(attr: str) -> Callable[[Any], dict[str, Any]]:
    return lambda w: {"pk": getattr(w, attr).pk}


MISSING = 999_999
dossier_pk = _pk("dossier")
unit_x = lambda w: {"pk": w.p.unit_x.pk}  # noqa: E731
version_pk = lambda w: {"pk": w.version.pk}  # noqa: E731
proc_code = lambda w: {"code": w.version.procedure.code}  # noqa: E731
OK404 = frozenset({404})


def erasure_pk(w: Any) -> dict[str, Any]:
    """Citizen A's personal-data erasure request (created on first use)."""
    import datetime as dt

    from django.utils import timezone

    from motcua.privacy.models import ErasureRequest

    req = ErasureRequest.objects.filter(subject=w.p.citizen_a).first()
    if req is None:
        now = timezone.now()
        req = ErasureRequest.objects.create(
            subject=w.p.citizen_a, requested_at=now, due_at=now + dt.timedelta(hours=72)
        )
    return {"pk": req.pk}


def gaming_signal_pk(w: Any) -> dict[str, Any]:
    """A gaming signal about citizen A's dossier at unit X (created on first use)."""
    from django.utils import timezone

    from motcua.monitoring.models import GamingSignal

    row, _ = GamingSignal.objects.get_or_create(
        key=f"pause_only_supplement:{w.dossier.pk}:matrix",
        defaults=dict(
            kind="pause_only_supplement",
            unit=w.p.unit_x,
            dossier_codes=[w.dossier.code or ""],
            rule="matrix",
            detected_at=timezone.now(),
        ),
    )
    return {"pk": row.pk}


def dossier_read(w: Any) -> dict[str, Any]:
    """A read of citizen A's dossier by the receptionist of X (created on first use)."""
    from django.utils import timezone

    from motcua.privacy.models import DossierRead

    read = DossierRead.objects.filter(dossier=w.dossier).first()
    if read is None:
        read = DossierRead.objects.create(
            dossier=w.dossier, actor=w.p.receptionist_x, kind="dossier", at=timezone.now()
        )
    return {"pk": w.dossier.pk, "read_pk": read.pk}


RULES: dict[str, Rule] = {
    # --- sandboxes (settings.MOTCUA_SANDBOXES only; never in production) ---------------
    "sandbox_portal:api": Rule(EVERYONE, post_only=True, sandbox=True, machine=True),
    "sandbox_portal:console": Rule(OFFICER_ANY, sandbox=True),
    "sandbox_portal:switch": Rule(LOGIN_ANY, post_only=True, sandbox=True),
    "sandbox_portal:file_sample": Rule(LOGIN_ANY, post_only=True, sandbox=True),
    "sandbox_portal:push_again": Rule(LOGIN_ANY, post_only=True, sandbox=True),
    "sandbox_sms:inbox": Rule(LOGIN_ANY, sandbox=True, note="own number; officers all"),
    "sandbox_idp:discovery": Rule(EVERYONE, sandbox=True, machine=True),
    "sandbox_idp:jwks": Rule(EVERYONE, sandbox=True, machine=True),
    "sandbox_idp:authorize": Rule(EVERYONE, sandbox=True, extra_ok=frozenset({400})),
    "sandbox_idp:token": Rule(EVERYONE, post_only=True, sandbox=True, machine=True),
    "sandbox_idp:userinfo": Rule(EVERYONE, sandbox=True, machine=True, extra_ok=frozenset({401})),
    # --- site-wide -------------------------------------------------------------------
    "<unnamed>favicon.ico": Rule(EVERYONE),
    "healthz": Rule(EVERYONE, machine=True, note="liveness probe, no session"),
    "readyz": Rule(EVERYONE, machine=True, note="readiness probe, no session"),
    # Not by persona: a direct loopback connection (the test client's) or a bearer token;
    # tests/core/test_metrics.py checks that other addresses, proxies and cookies get 404.
    "metrics": Rule(EVERYONE, machine=True, note="loopback or MOTCUA_METRICS_TOKEN only"),
    "set_language": Rule(EVERYONE, post_only=True),
    # --- accounts --------------------------------------------------------------------
    "accounts:login": Rule(EVERYONE),
    "accounts:external_start": Rule(EVERYONE, kwargs=lambda w: {"name": "vneid"}, extra_ok=OK404),
    "accounts:external_callback": Rule(
        EVERYONE, kwargs=lambda w: {"name": "vneid"}, extra_ok=frozenset({400, 404})
    ),
    "accounts:logout": Rule(EVERYONE, post_only=True),
    "accounts:signup": Rule(EVERYONE),
    "accounts:activate": Rule(
        EVERYONE, note="claim a counter-created account with its one-time code"
    ),
    "accounts:signup_business": Rule(EVERYONE),
    "accounts:otp_verify": Rule(LOGIN_ANY),
    "accounts:otp_enrol": Rule(LOGIN_ANY),
    "accounts:otp_backup_codes": Rule(OFFICER_ANY, post_only=True),
    "accounts:otp_reset": Rule(OFFICER_ANY, post_only=True, note="self-service: re-enrol own TOTP"),
    "accounts:home": Rule(LOGIN_ANY),
    "accounts:my_account": Rule(CITIZEN),
    "accounts:profile": Rule(LOGIN_ANY),
    "accounts:password_change": Rule(LOGIN_ANY),
    "accounts:password_reset": Rule(EVERYONE),
    "accounts:password_reset_done": Rule(EVERYONE),
    "accounts:password_reset_confirm": Rule(
        EVERYONE, kwargs=lambda w: {"uidb64": "MQ", "token": "x-y"}
    ),
    "accounts:password_reset_complete": Rule(EVERYONE),
    # --- personal data: erasure requests (citizen self-service; administrators review) --
    "my_privacy:request": Rule(CITIZEN),
    "my_privacy:confirm": Rule(CITIZEN),
    "privacy:request_list": Rule(ADMIN),
    # The read log (law.md R32a): the applicant questions a read; supervisors list
    # the reads outside an active step.
    "my_reads:question": Rule(CITIZEN_OWNER, kwargs=dossier_read),
    "privacy:reads_outside": Rule(ROLES(SUP)),
    "privacy:request_detail": Rule(ADMIN, kwargs=erasure_pk),
    "privacy:request_approve": Rule(ADMIN, post_only=True, kwargs=erasure_pk),
    "privacy:request_refuse": Rule(ADMIN, post_only=True, kwargs=erasure_pk),
    "privacy:request_execute": Rule(ADMIN, post_only=True, kwargs=erasure_pk),
    # --- back office home, calendar, organisation, audit --------------------------------
    "backoffice:home": Rule(OFFICER_ANY),
    "workdays:calendar": Rule(OFFICER_ANY),
    "workdays:override_add": Rule(ADMIN, post_only=True),
    "workdays:override_delete": Rule(ADMIN, post_only=True, kwargs=lambda w: {"pk": MISSING}),
    "workdays:import": Rule(ADMIN, post_only=True),
    "workdays:office_hours": Rule(OFFICER_ANY),
    "workdays:calculator": Rule(OFFICER_ANY),
    "org:unit_list": Rule(OFFICER_ANY),
    "org:unit_create": Rule(ADMIN),
    "org:unit_detail": Rule(OFFICER_OF_UNIT_X, kwargs=unit_x),
    "org:unit_edit": Rule(ADMIN, kwargs=unit_x),
    "org:succession_create": Rule(ADMIN, kwargs=unit_x),
    "org:assignment_create": Rule(ADMIN, kwargs=unit_x),
    "org:assignment_end": Rule(
        ADMIN, kwargs=lambda w: {"pk": w.p.unit_x.pk, "assignment_pk": w.extra["assignment_x"]}
    ),
    "org:delegation_create": Rule(ADMIN, kwargs=unit_x),
    "org:delegation_revoke": Rule(
        ROLES(LEAD_X, ADM),
        post_only=True,
        kwargs=lambda w: {"pk": w.p.unit_x.pk, "delegation_pk": MISSING},
    ),
    "core:audit_list": Rule(PROVINCE),
    "core:audit_export": Rule(PROVINCE),
    "core:audit_detail": Rule(PROVINCE, kwargs=lambda w: {"pk": w.audit_pk}),
    "core:audit_verify_start": Rule(ADMIN, post_only=True),
    "core:audit_verify_status": Rule(ADMIN, kwargs=lambda w: {"pk": MISSING}, extra_ok=OK404),
    # --- catalogue (back office and public) --------------------------------------------
    "catalog:list": Rule(OFFICER_ANY),
    "catalog:create": Rule(ADMIN),
    "catalog:export_xlsx": Rule(OFFICER_ANY),
    "catalog:export_json": Rule(OFFICER_ANY),
    "catalog:version": Rule(OFFICER_ANY, kwargs=version_pk),
    "catalog:version_edit": Rule(CATALOG_MANAGERS, kwargs=version_pk, extra_ok=OK404),
    "catalog:eform_edit": Rule(CATALOG_MANAGERS, kwargs=version_pk, extra_ok=OK404),
    "catalog:eform_preview": Rule(OFFICER_ANY, post_only=True, kwargs=version_pk),
    "catalog:publish": Rule(ADMIN, post_only=True, kwargs=version_pk),
    "catalog:discard": Rule(ADMIN, post_only=True, kwargs=version_pk),
    "catalog:version_announcement": Rule(ADMIN, kwargs=version_pk),
    "catalog:child_add": Rule(
        CATALOG_MANAGERS,
        kwargs=lambda w: {"pk": w.version.pk, "kind": "thanh-phan"},
        extra_ok=OK404,
    ),
    "catalog:child_edit": Rule(
        CATALOG_MANAGERS,
        kwargs=lambda w: {"pk": w.version.pk, "kind": "thanh-phan", "child_pk": MISSING},
        extra_ok=OK404,
    ),
    "catalog:child_delete": Rule(
        ADMIN,
        post_only=True,
        kwargs=lambda w: {"pk": w.version.pk, "kind": "thanh-phan", "child_pk": MISSING},
    ),
    "catalog:detail": Rule(OFFICER_ANY, kwargs=proc_code),
    "catalog:diff": Rule(OFFICER_ANY, kwargs=proc_code),
    "catalog:create_draft": Rule(ADMIN, post_only=True, kwargs=proc_code),
    "catalog:competence_add": Rule(ADMIN, kwargs=proc_code),
    "catalog:competence_end": Rule(
        ADMIN, post_only=True, kwargs=lambda w: {"code": w.version.procedure.code, "pk": MISSING}
    ),
    "procedures:list": Rule(EVERYONE),
    "procedures:detail": Rule(EVERYONE, kwargs=proc_code),
    # --- dossiers --------------------------------------------------------------------
    "dossiers:worklist": Rule(OFFICER_ANY),
    "dossiers:counter": Rule(ROLES(REC_X)),
    "dossiers:detail": Rule(OFFICER_OF_UNIT_X, kwargs=dossier_pk),
    "dossiers:act": Rule(
        OFFICER_OF_UNIT_X,
        post_only=True,
        kwargs=lambda w: {"pk": w.dossier.pk, "action": "assign"},
    ),
    "dossiers:form01": Rule(OFFICER_OF_UNIT_X, kwargs=dossier_pk),
    # Consent at the counter (law.md R4a): the receiving unit's receptionists; 404 for a
    # dossier not submitted at the counter on the citizen's account.
    "dossiers:consent": Rule(ROLES(REC_X), kwargs=dossier_pk, extra_ok=OK404),
    "notifications:sms_report": Rule(EVERYONE, post_only=True, machine=True, extra_ok=OK404),
    "dossiers:supplement_phoned": Rule(ROLES(REC_X), post_only=True, kwargs=dossier_pk),
    "dossiers:form05": Rule(OFFICER_OF_UNIT_X, kwargs=dossier_pk),
    "dossiers:form_pdf": Rule(
        CITIZEN_OWNER | OFFICER_OF_UNIT_X,
        kwargs=lambda w: {"pk": w.dossier.pk, "number": "01"},
        note="forms 01-04 for the applicant; officers through the dossier page's check",
    ),
    "dossiers:register": Rule(OFFICER_ANY, note="Form 06 over units_visible_to(user)"),
    # Supplement requests outside the published list (law.md R12b): inspection and heads.
    "dossiers:unpublished_requests": Rule(ROLES(LEAD_X, SUP)),
    "my_dossiers:list": Rule(CITIZEN),
    "my_dossiers:submit": Rule(CITIZEN),
    "my_dossiers:detail": Rule(CITIZEN_OWNER, kwargs=dossier_pk),
    "my_dossiers:withdraw": Rule(CITIZEN_OWNER, kwargs=dossier_pk),
    "my_dossiers:consent": Rule(CITIZEN_OWNER, post_only=True, kwargs=dossier_pk),
    "my_dossiers:paper": Rule(
        CITIZEN_OWNER, kwargs=lambda w: {"pk": w.dossier.pk, "form": "01"}, extra_ok=OK404
    ),
    "my_dossiers:keep_result": Rule(
        CITIZEN_OWNER, post_only=True, kwargs=lambda w: {"pk": w.dossier.pk, "code": "X"}
    ),
    "my_dossiers:act": Rule(
        CITIZEN_OWNER, post_only=True, kwargs=lambda w: {"pk": w.dossier.pk, "action": "withdraw"}
    ),
    "tracking:search": Rule(EVERYONE),
    "tracking:detail": Rule(
        EVERYONE,
        kwargs=lambda w: {"code": w.dossier.code},
        note="public progress only; no personal data (asserted separately)",
    ),
    # --- documents -------------------------------------------------------------------
    "documents:warehouse": Rule(CITIZEN),
    "documents:trust_store": Rule(
        OFFICER_ANY, note="read-only list for officers; adding a root is admin-only (POST)"
    ),
    "documents:digitize": Rule(OFFICER_ANY),
    "documents:detail": Rule(CITIZEN_OWNER, kwargs=_pk("stored_file")),
    "documents:download": Rule(CITIZEN_OWNER, kwargs=_pk("stored_file")),
    "documents:signature_status": Rule(CITIZEN_OWNER, kwargs=_pk("stored_file")),
    "documents:sign": Rule(ROLES(LEAD_X), post_only=True, kwargs=_pk("stored_file")),
    "verify:lookup": Rule(EVERYONE),
    "verify:demo_crl": Rule(EVERYONE, extra_ok=OK404),
    "verify:demo_root": Rule(EVERYONE, extra_ok=OK404),
    "verify:detail": Rule(EVERYONE, kwargs=lambda w: {"code": "KHONG-CO"}, extra_ok=OK404),
    # The issued file, for whoever holds its unguessable result code (QR on the paper).
    "verify:download": Rule(EVERYONE, kwargs=lambda w: {"code": "KHONG-CO"}, extra_ok=OK404),
    # --- monitoring ------------------------------------------------------------------
    "monitoring:dashboard": Rule(MONITORS),
    "monitoring:unit": Rule(MONITORS, kwargs=lambda w: {"unit_id": w.p.unit_x.pk}),
    "monitoring:unit_dossiers": Rule(MONITORS, kwargs=lambda w: {"unit_id": w.p.unit_x.pk}),
    "monitoring:form06a": Rule(
        MONITORS,
        kwargs=lambda w: {"unit_id": w.p.unit_x.pk, "fmt": "csv"},
        extra_ok=OK404,
    ),
    "monitoring:warnings": Rule(MONITORS),
    "monitoring:forecast": Rule(MONITORS),
    "monitoring:apologies": Rule(MONITORS),
    "monitoring:weekly_reports": Rule(MONITORS),
    "monitoring:weekly_report_file": Rule(
        MONITORS, kwargs=lambda w: {"week": "2026-W01", "fmt": "pdf"}, extra_ok=OK404
    ),
    "monitoring:weekly_report_verify": Rule(
        PROVINCE, kwargs=lambda w: {"week": "2026-W01"}, post_only=True, extra_ok=OK404
    ),
    "monitoring:disputes": Rule(MONITORS),
    "monitoring:dispute_create": Rule(ROLES(LEAD_X), post_only=True),
    "monitoring:dispute_decide": Rule(
        PROVINCE, kwargs=lambda w: {"dispute_id": 999999}, post_only=True, extra_ok=OK404
    ),
    # Gaming signals (law.md R28b): supervision / inspection only, not the unit heads
    # the signals may be about.
    "monitoring:gaming_list": Rule(ROLES(SUP)),
    "monitoring:gaming_detail": Rule(ROLES(SUP), kwargs=gaming_signal_pk),
    "monitoring:gaming_decide": Rule(ROLES(SUP), kwargs=gaming_signal_pk, post_only=True),
    # Load forecast (issue 27): heads of unit apply, supervisors read.
    "monitoring:load": Rule(ROLES(LEAD_X, SUP)),
    "monitoring:load_apply": Rule(ROLES(LEAD_X), post_only=True),
    "monitoring:load_absence": Rule(ROLES(LEAD_X), post_only=True),
    "monitoring:config": Rule(ADMIN),
    "monitoring:map_layer": Rule(ADMIN),
    "monitoring:level_config_add": Rule(ADMIN, post_only=True),
    "monitoring:scoring_config_add": Rule(ADMIN, post_only=True),
    # --- feedback --------------------------------------------------------------------
    "feedback:queue": Rule(OFFICER_ANY),
    "feedback:enter": Rule(OFFICER_ANY),
    "feedback:report": Rule(ROLES(LEAD_X, SUP)),
    "feedback:ratings": Rule(ROLES(LEAD_X, SUP)),
    "feedback:invite": Rule(OFFICER_ANY),
    "feedback:detail": Rule(OFFICER_OF_UNIT_X - ADMIN, kwargs=_pk("feedback")),
    "feedback:act": Rule(
        OFFICER_OF_UNIT_X,
        post_only=True,
        kwargs=lambda w: {"pk": w.feedback.pk, "action": "accept"},
    ),
    "feedback_public:index": Rule(EVERYONE),
    "feedback_public:submit": Rule(EVERYONE - OFFICER_ANY),
    "feedback_public:submitted": Rule(EVERYONE),
    "feedback_public:track": Rule(EVERYONE),
    "feedback_public:mine": Rule(CITIZEN),
    "feedback_public:rate": Rule(
        CITIZEN_OWNER, kwargs=lambda w: {"dossier_pk": w.dossier.pk, "stage": "reception"}
    ),
    "feedback_public:kiosk": Rule(
        EVERYONE, kwargs=lambda w: {"token": "gia-mao"}, extra_ok=frozenset({400, 404})
    ),
    "feedback_public:detail": Rule(CITIZEN_OWNER, kwargs=lambda w: {"code": w.feedback.code}),
    "feedback_public:act": Rule(
        CITIZEN_OWNER,
        post_only=True,
        kwargs=lambda w: {"code": w.feedback.code, "action": "rate"},
    ),
    # --- payments --------------------------------------------------------------------
    "payments:list": Rule(OFFICER_ANY),
    "payments:detail": Rule(OFFICER_OF_UNIT_X, kwargs=_pk("payment_request")),
    "payments:cash": Rule(OFFICER_OF_UNIT_X, post_only=True, kwargs=_pk("payment_request")),
    "payments:cancel": Rule(OFFICER_OF_UNIT_X, post_only=True, kwargs=_pk("payment_request")),
    "payments:waive": Rule(OFFICER_OF_UNIT_X, post_only=True, kwargs=_pk("payment_request")),
    "payments:refund_create": Rule(
        OFFICER_OF_UNIT_X, post_only=True, kwargs=lambda w: {"attempt_pk": w.attempt.pk}
    ),
    "payments:refunds": Rule(OFFICER_ANY),
    "payments:refund_decide": Rule(
        ROLES(LEAD_X, ADM), post_only=True, kwargs=lambda w: {"pk": MISSING, "decision": "duyet"}
    ),
    "payments:receipts": Rule(OFFICER_ANY),
    "payments:statements": Rule(OFFICER_ANY),
    "payments:reconciliation": Rule(OFFICER_ANY),
    "payments:run": Rule(OFFICER_ANY, kwargs=lambda w: {"pk": MISSING}, extra_ok=OK404),
    "payments:run_xlsx": Rule(OFFICER_ANY, kwargs=lambda w: {"pk": MISSING}, extra_ok=OK404),
    "payments:obligation": Rule(ROLES(LEAD_X), kwargs=lambda w: {"dossier_pk": w.dossier.pk}),
    "pay:mine": Rule(CITIZEN),
    "pay:dossier": Rule(CITIZEN_OWNER, kwargs=lambda w: {"dossier_pk": w.dossier.pk}),
    "pay:request": Rule(CITIZEN_OWNER, kwargs=_pk("payment_request")),
    "pay:attempt": Rule(CITIZEN_OWNER, kwargs=_pk("attempt")),
    "pay:attempt_status": Rule(CITIZEN_OWNER, kwargs=_pk("attempt")),
    "pay:notice": Rule(CITIZEN_OWNER, kwargs=_pk("attempt"), extra_ok=OK404),
    "pay:receipt": Rule(
        CITIZEN_OWNER | OFFICER_OF_UNIT_X,
        kwargs=lambda w: {"pk": w.receipt.pk if w.receipt else MISSING},
    ),
    "pay:gateway_return": Rule(EVERYONE, extra_ok=frozenset({400})),
    "pay:gateway_ipn": Rule(EVERYONE, machine=True),
    "pay:sandbox_bank": Rule(EVERYONE, extra_ok=frozenset({400, 404})),
    "pay:statement_api": Rule(EVERYONE, post_only=True, machine=True),
    # --- integrations ----------------------------------------------------------------
    "integrations:overview": Rule(PROVINCE),
    "integrations:dead_letters": Rule(PROVINCE),
    "integrations:message": Rule(PROVINCE, kwargs=lambda w: {"pk": MISSING}, extra_ok=OK404),
    "integrations:replay": Rule(ADMIN, post_only=True, kwargs=lambda w: {"pk": MISSING}),
    "integrations:reconciliation": Rule(PROVINCE),
    "integrations:catalogue_pull": Rule(ADMIN, post_only=True),
    "integrations:inbound": Rule(PROVINCE),
    # The national portal pushes dossiers filed there: HMAC signature, no session.
    "integrations:inbound_push": Rule(EVERYONE, post_only=True, machine=True),
    # --- notifications ---------------------------------------------------------------
    "notifications:centre": Rule(LOGIN_ANY),
    "notifications:open": Rule(
        CITIZEN_OWNER,
        post_only=True,
        kwargs=lambda w: {"pk": w.notification.pk if w.notification else MISSING},
    ),
    "notifications:mark_all_read": Rule(LOGIN_ANY, post_only=True),
    "notifications:preferences": Rule(LOGIN_ANY),
    # --- API (the ninja operations are checked one by one in test_api_matrix) ---------
    "api-v1:openapi-json": Rule(EVERYONE, machine=True),
    "api-v1:openapi-view": Rule(EVERYONE),
    "api-v1:api-root": Rule(EVERYONE, extra_ok=OK404),
    "api-v1:health": Rule(EVERYONE, machine=True),
    "api-v1:me": Rule(LOGIN_ANY, machine=True),
    "api-v1:mine": Rule(LOGIN_ANY, machine=True, note="own dossiers as applicant; empty for staff"),
    "api-v1:detail": Rule(CITIZEN_OWNER | OFFICER_OF_UNIT_X, kwargs=dossier_pk, machine=True),
    "api-v1:act": Rule(
        OFFICER_OF_UNIT_X,
        post_only=True,
        machine=True,
        kwargs=lambda w: {"pk": w.dossier.pk, "action": "assign"},
    ),
    "api-v1:act_with_files": Rule(
        CITIZEN_OWNER,
        post_only=True,
        machine=True,
        kwargs=lambda w: {"pk": w.dossier.pk, "action": "supplement_provided"},
    ),
    # Online applications (issue 22): citizens and clients with dossiers:create; one's own.
    "api-v1:application_create": Rule(CITIZEN, post_only=True, machine=True),
    "api-v1:application_detail": Rule(
        CITIZEN, kwargs=lambda w: {"pk": MISSING}, machine=True, extra_ok=OK404
    ),
    "api-v1:application_attach": Rule(
        CITIZEN, post_only=True, machine=True, kwargs=lambda w: {"pk": MISSING, "code": "TK"}
    ),
    "api-v1:application_submit": Rule(
        CITIZEN, post_only=True, machine=True, kwargs=lambda w: {"pk": MISSING}
    ),
    # Linked applications (issue 22 deliverable 3, law.md R40): as the applications above;
    # the bundles are read by anyone logged in (tokens: procedures:read).
    "api-v1:bundle_list": Rule(LOGIN_ANY, machine=True),
    "api-v1:linked_create": Rule(CITIZEN, post_only=True, machine=True),
    "api-v1:linked_detail": Rule(
        CITIZEN, kwargs=lambda w: {"pk": MISSING}, machine=True, extra_ok=OK404
    ),
    "api-v1:linked_answers": Rule(
        CITIZEN, post_only=True, machine=True, kwargs=lambda w: {"pk": MISSING}
    ),
    "api-v1:linked_attach": Rule(
        CITIZEN,
        post_only=True,
        machine=True,
        kwargs=lambda w: {"pk": MISSING, "code": "GIAY_CHUNG_SINH"},
    ),
    "api-v1:linked_submit": Rule(
        CITIZEN, post_only=True, machine=True, kwargs=lambda w: {"pk": MISSING}
    ),
    "api-v1:linked_payment_start": Rule(
        CITIZEN, post_only=True, machine=True, kwargs=lambda w: {"pk": MISSING}
    ),
    # A dossier's fees, timeline, results and forms (issue 22): as api-v1:detail.
    "api-v1:fees": Rule(CITIZEN_OWNER | OFFICER_OF_UNIT_X, kwargs=dossier_pk, machine=True),
    "api-v1:timeline": Rule(CITIZEN_OWNER | OFFICER_OF_UNIT_X, kwargs=dossier_pk, machine=True),
    "api-v1:results": Rule(CITIZEN_OWNER | OFFICER_OF_UNIT_X, kwargs=dossier_pk, machine=True),
    "api-v1:result_download": Rule(
        CITIZEN_OWNER | OFFICER_OF_UNIT_X,
        kwargs=lambda w: {"pk": w.dossier.pk, "code": "KQ-MISSING"},
        machine=True,
        extra_ok=OK404,
    ),
    "api-v1:form_download": Rule(
        OFFICER_OF_UNIT_X,
        kwargs=lambda w: {"pk": w.dossier.pk, "number": "05"},
        machine=True,
        note="the control sheet (05) is for officers; the applicant gets 01-04",
    ),
    "api-v1:payment_start": Rule(
        CITIZEN_OWNER,
        post_only=True,
        machine=True,
        kwargs=lambda w: {"pk": w.dossier.pk, "request_id": MISSING},
    ),
    # Issue 26 (motcua/api/dossier_trust.py): the world's dossier was not submitted at the
    # counter and has no supplement notice, so the readers may get 404 for those two.
    "api-v1:consent_read": Rule(
        CITIZEN_OWNER | OFFICER_OF_UNIT_X, kwargs=dossier_pk, machine=True, extra_ok=OK404
    ),
    "api-v1:consent_code": Rule(ROLES(REC_X), post_only=True, machine=True, kwargs=dossier_pk),
    "api-v1:consent_confirm": Rule(ROLES(REC_X), post_only=True, machine=True, kwargs=dossier_pk),
    "api-v1:consent_waive": Rule(ROLES(REC_X), post_only=True, machine=True, kwargs=dossier_pk),
    "api-v1:consent_answer": Rule(CITIZEN_OWNER, post_only=True, machine=True, kwargs=dossier_pk),
    "api-v1:plain_timeline": Rule(
        CITIZEN_OWNER | OFFICER_OF_UNIT_X, kwargs=dossier_pk, machine=True
    ),
    "api-v1:supplement_notice": Rule(
        CITIZEN_OWNER | OFFICER_OF_UNIT_X, kwargs=dossier_pk, machine=True, extra_ok=OK404
    ),
    "api-v1:supplement_phoned": Rule(ROLES(REC_X), post_only=True, machine=True, kwargs=dossier_pk),
    "api-v1:to_phone": Rule(OFFICER_ANY, machine=True, note="empty unless the officer receives"),
    "api-v1:list_feedback": Rule(OFFICER_ANY, machine=True),
    "api-v1:count_feedback": Rule(OFFICER_ANY, machine=True),
    "api-v1:get_feedback": Rule(OFFICER_OF_UNIT_X - ADMIN, kwargs=_pk("feedback"), machine=True),
    "api-v1:reconciliation": Rule(PROVINCE, machine=True, query="start=2026-01-01&end=2026-01-31"),
    "api-v1:messages": Rule(PROVINCE, machine=True),
    "api-v1:dossier_list": Rule(OFFICER_ANY, machine=True, note="officers: worklist 'all' scope"),
    "api-v1:catalogue_procedures": Rule(EVERYONE, machine=True),
    "api-v1:catalogue_procedure": Rule(EVERYONE, kwargs=proc_code, machine=True),
    "api-v1:org_units": Rule(OFFICER_ANY, machine=True),
    "api-v1:org_tree": Rule(OFFICER_ANY, machine=True),
    "api-v1:workdays_year": Rule(EVERYONE, kwargs=lambda w: {"year": 2026}, machine=True),
    "api-v1:workdays_due": Rule(
        EVERYONE, machine=True, query="start=2026-03-02T09:00:00%2B07:00&days=5"
    ),
    "api-v1:monitoring_scores": Rule(
        MONITORS, machine=True, query="start=2026-01-01&end=2026-01-31"
    ),
    "api-v1:monitoring_forecast": Rule(MONITORS, machine=True),
    "api-v1:monitoring_load": Rule(ROLES(LEAD_X, SUP), machine=True, query="unit=000.00.01.H47"),
    "api-v1:monitoring_load_apply": Rule(ROLES(LEAD_X), post_only=True, machine=True),
    # --- API clients (administrators) ---------------------------------------------------
    "api_clients:list": Rule(ADMIN),
    "api_clients:edit": Rule(ADMIN, kwargs=lambda w: {"pk": MISSING}, extra_ok=OK404),
    "api_clients:revoke": Rule(ADMIN, post_only=True, kwargs=lambda w: {"pk": MISSING}),
    "api_clients:rotate": Rule(ADMIN, post_only=True, kwargs=lambda w: {"pk": MISSING}),
    "<unnamed>api/^(?P<rest>.*)$": Rule(
        EVERYONE, extra_ok=OK404, machine=True, kwargs=lambda w: {"rest": "khong-co"}
    ),
    # --- public tools and the citizen application wizard -------------------------------
    "workdays_public:calculator": Rule(EVERYONE),
    "portal:home": Rule(EVERYONE),
    "portal:apply_autosave": Rule(
        CITIZEN_OWNER, post_only=True, kwargs=lambda w: {"pk": w.extra["draft"]}
    ),
    "portal:apply_delete": Rule(
        CITIZEN_OWNER, post_only=True, kwargs=lambda w: {"pk": w.extra["draft"]}
    ),
    "portal:apply_step": Rule(
        CITIZEN_OWNER,
        kwargs=lambda w: {"pk": w.extra["draft"], "slug": "truong-hop"},
        extra_ok=OK404,
    ),
    "portal:apply_done": Rule(CITIZEN_OWNER, kwargs=lambda w: {"dossier_pk": w.dossier.pk}),
    "portal:apply_start": Rule(CITIZEN, kwargs=proc_code),
    # Linked procedures (issue 22): the world has no bundle or linked application, so
    # the pages answer 404 past the login check (access is covered by tests/dossiers).
    "portal:linked_list": Rule(EVERYONE),
    "portal:linked_bundle": Rule(EVERYONE, kwargs=lambda w: {"code": "LT-X"}, extra_ok=OK404),
    "portal:linked_start": Rule(
        CITIZEN, post_only=True, kwargs=lambda w: {"code": "LT-X"}, extra_ok=OK404
    ),
    "portal:linked_detail": Rule(CITIZEN_OWNER, kwargs=lambda w: {"pk": MISSING}, extra_ok=OK404),
    "portal:linked_step": Rule(
        CITIZEN_OWNER, kwargs=lambda w: {"pk": MISSING, "slug": "to-khai"}, extra_ok=OK404
    ),
    "dossiers:group": Rule(OFFICER_OF_UNIT_X, kwargs=lambda w: {"pk": MISSING}, extra_ok=OK404),
}
