"""pyHanko's synchronous API calls asyncio.run(), which fails inside a running event
loop (ASGI, Playwright's sync API). Run such calls on a worker thread then."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable


def off_event_loop[**P, T](fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()
