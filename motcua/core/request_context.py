"""Per-request context (client IP, current user) for services that audit writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user: Any = None
    # Channel a write came through when it is not the actor's own session, e.g.
    # "API: <client name>" for an API client acting with its acting account; audit
    # entries record it (motcua.core.audit.audit_record).
    via: str = ""


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("motcua_request", default=_EMPTY)


def current() -> RequestContext:
    return _current.get()


def set_current(context: RequestContext) -> Any:
    return _current.set(context)


def reset(token: Any) -> None:
    _current.reset(token)


@contextmanager
def acting_via(label: str) -> Iterator[None]:
    """Within the block, audit entries record `via=label` (same IP and user)."""
    token = _current.set(replace(_current.get(), via=label))
    try:
        yield
    finally:
        _current.reset(token)
