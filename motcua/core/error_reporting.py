"""Optional error reporting to a Sentry-compatible service (issue 24 deliverable 3;
docs/operations/observability.md "Error reporting").

Off unless `MOTCUA_SENTRY_DSN` is set; then `pip install 'motcua[sentry]'` must have
installed sentry-sdk (a clear error otherwise). Dossiers hold personal data (Decree
13/2023), so nothing personal leaves the server: no request bodies, cookies, query
strings, user names, e-mail or IP addresses, local variables or breadcrumbs of log
messages — only the exception, the route, the user's id and the request/job id that
joins the report with the JSON logs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Request headers worth keeping; every other header (Cookie, Authorization, X-Forwarded-For,
# …) is dropped.
KEPT_HEADERS = frozenset({"Accept", "Accept-Language", "Content-Type", "User-Agent", "Host"})


def error_event_scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """`before_send`: strips an event to what carries no personal data (pure function)."""
    request = event.get("request")
    if isinstance(request, dict):
        kept: dict[str, Any] = {}
        if request.get("method"):
            kept["method"] = request["method"]
        if request.get("url"):
            # The path only: query strings carry search terms, codes and tokens.
            kept["url"] = str(request["url"]).split("?", 1)[0]
        headers = request.get("headers") or {}
        kept["headers"] = {k: v for k, v in headers.items() if k in KEPT_HEADERS}
        event["request"] = kept
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if user.get("id") else {}
    event.pop("breadcrumbs", None)  # log messages may quote names and ID numbers
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    from motcua.core.logs import current_correlation_id

    if request_id := current_correlation_id():
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def error_reporting_init(
    dsn: str, *, environment: str, release: str, traces_sample_rate: float = 0.0
) -> None:
    """Starts the Sentry SDK with the Django integration and the scrubber above."""
    try:
        import sentry_sdk
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImproperlyConfigured(
            "MOTCUA_SENTRY_DSN is set but sentry-sdk is not installed: "
            "pip install 'motcua[sentry]' (or unset MOTCUA_SENTRY_DSN)"
        ) from exc
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        # sentry-sdk 3: what it collects at all; the scrubber then strips the rest.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=error_event_scrub,  # type: ignore[arg-type]  # Event is a TypedDict
    )
