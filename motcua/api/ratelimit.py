"""Per-caller rate limits of the API: a fixed-window counter in the Django cache.

The caller is the API client (token), else the logged-in user (session), else the
client IP address (anonymous calls). Each window of `MOTCUA_API_RATE_WINDOW_SECONDS`
allows `MOTCUA_API_RATE_LIMIT` calls per client or user and `MOTCUA_API_RATE_LIMIT_ANON`
per IP; an API client may have its own `rate_limit`. The counter uses `cache.add` +
`cache.incr`, which are atomic on Redis and on the per-process local-memory cache (the
latter counts per process: with several workers, configure a shared cache).

Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
(seconds until the window ends, draft-ietf-httpapi-ratelimit-headers); a refused call is
429 problem+json with `Retry-After`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponseBase
from ninja.throttling import BaseThrottle

from motcua.core.middleware import client_ip

ATTR = "_motcua_rate"


@dataclass(frozen=True)
class RateState:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0


def _caller(request: HttpRequest) -> tuple[str, int]:
    """(cache identity, limit) of whoever is calling."""
    from motcua.api.models import ApiClient

    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiClient):
        return f"c{auth.pk}", auth.rate_limit or settings.MOTCUA_API_RATE_LIMIT
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u{user.pk}", settings.MOTCUA_API_RATE_LIMIT
    return f"ip{client_ip(request) or '-'}", settings.MOTCUA_API_RATE_LIMIT_ANON


def hit(request: HttpRequest, *, now: float | None = None) -> RateState | None:
    """Count one call; None when limits are off (limit 0)."""
    ident, limit = _caller(request)
    if limit <= 0:
        return None
    window = max(1, settings.MOTCUA_API_RATE_WINDOW_SECONDS)
    now = time.time() if now is None else now
    index = int(now // window)
    reset = max(1, math.ceil((index + 1) * window - now))
    cache = caches[settings.MOTCUA_API_RATE_CACHE]
    key = f"motcua:api-rate:{ident}:{window}:{index}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    return RateState(limit=limit, remaining=limit - count, reset=reset)


def apply_headers(request: HttpRequest, response: HttpResponseBase) -> None:
    state: RateState | None = getattr(request, ATTR, None)
    if state is None:
        return
    response["RateLimit-Limit"] = str(state.limit)
    response["RateLimit-Remaining"] = str(max(0, state.remaining))
    response["RateLimit-Reset"] = str(state.reset)
    if state.exceeded:
        response["Retry-After"] = str(state.reset)


class CallerRateThrottle(BaseThrottle):
    """ninja throttle (runs after authentication, so the caller is known)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        state = hit(request)
        setattr(request, ATTR, state)
        if state is None or not state.exceeded:
            return True
        self._wait = state.reset
        return False

    def wait(self) -> float | None:
        return self._wait
