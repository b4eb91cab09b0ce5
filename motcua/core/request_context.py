"""Per-request context (client IP, current user) for services that audit writes."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user: Any = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("motcua_request", default=_EMPTY)


def current() -> RequestContext:
    return _current.get()


def set_current(context: RequestContext) -> Any:
    return _current.set(context)


def reset(token: Any) -> None:
    _current.reset(token)
