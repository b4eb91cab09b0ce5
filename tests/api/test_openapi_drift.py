"""The committed docs/api/openapi.json matches what /api/v1/openapi.json serves, and every
operation has a summary, tags and documented problem responses."""

from __future__ import annotations

import json

import pytest

from motcua.api import openapi

pytestmark = pytest.mark.django_db


def test_committed_openapi_document_is_up_to_date(client):
    served = client.get("/api/v1/openapi.json").json()
    assert openapi.COMMITTED_PATH.exists(), f"missing; run {openapi.REGENERATE_COMMAND}"
    committed = json.loads(openapi.COMMITTED_PATH.read_text(encoding="utf-8"))
    assert served == committed, (
        "docs/api/openapi.json differs from /api/v1/openapi.json: regenerate it with "
        + openapi.REGENERATE_COMMAND
    )


def test_every_operation_is_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert openapi.problems(schema) == []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for code in ("400", "422", "429", "500"):
                content = op["responses"][code]["content"]
                assert "application/problem+json" in content, (method, path, code)
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), (method, path)
    assert "Problem" in schema["components"]["schemas"]


def test_check_command_reports_drift(tmp_path, monkeypatch):
    from django.core.management import CommandError, call_command

    stale = tmp_path / "openapi.json"
    stale.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(openapi, "COMMITTED_PATH", stale)
    with pytest.raises(CommandError, match="motcua api_schema"):
        call_command("api_schema", "--check")
    call_command("api_schema")  # writes
    call_command("api_schema", "--check")
