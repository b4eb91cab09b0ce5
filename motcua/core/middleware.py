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


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language, but many Vietnamese
    users run phones and browsers set to English; the interface must stay Vietnamese
    for them. English is used only when chosen: the language switch (cookie) or the
    account's preferred language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            user = getattr(request, "user", None)
            preferred = getattr(user, "preferred_language", None) if user else None
            language = preferred if preferred in supported else settings.LANGUAGE_CODE
        previous = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            # Do not leak the request's language into whatever runs next on this thread.
            translation.activate(previous) if previous else translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.headers.get("Vary", "")
        if "Cookie" not in patch_vary:
            response.headers["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        return response
