from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from motcua.core import request_context


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted solely when a proxy is configured to set it.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_context.set_current(
            request_context.RequestContext(ip_address=client_ip(request), user=request.user)
        )
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)
