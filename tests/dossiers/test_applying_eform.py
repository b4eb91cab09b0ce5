"""Pure rule: the component filled in as the e-form is not requested as an upload."""

from types import SimpleNamespace as C

from motcua.dossiers import applying

TK = C(code="TK", name="Tờ khai đăng ký  khai sinh", national_database="", requirement="required")
GCS = C(code="GCS", name="Giấy chứng sinh", national_database="", requirement="required")
SCHEMA = {"title": "Tờ khai đăng ký khai sinh", "properties": {"a": {"type": "string"}}}


def test_component_named_like_the_eform_or_named_by_the_layout():
    assert applying.eform_component_code([TK, GCS], SCHEMA, {}) == "TK"
    assert applying.eform_component_code([TK, GCS], SCHEMA, {"component": "GCS"}) == "GCS"
    assert applying.eform_component_code([TK, GCS], SCHEMA, {"component": "XX"}) is None
    assert applying.eform_component_code([TK, GCS], {"title": SCHEMA["title"]}, {}) is None
    assert applying.eform_component_code([GCS], SCHEMA, {}) is None


def test_the_eform_component_is_not_requested_unless_a_file_was_given():
    plans = applying.plan_components([TK, GCS], {}, eform_code="TK")
    assert [(p.code, p.mode, p.requested) for p in plans] == [
        ("TK", applying.EFORM, False),
        ("GCS", applying.MISSING, True),
    ]
    assert [p.code for p in applying.missing(plans)] == ["GCS"]
    given = applying.plan_components([TK], {"TK": {"file": "x"}}, eform_code="TK")
    assert given[0].mode == applying.UPLOADED
