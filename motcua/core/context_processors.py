from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.MOTCUA_SITE_NAME,
        "PROVINCE_NAME": settings.MOTCUA_PROVINCE_NAME,
        "DEMO_MODE": settings.MOTCUA_DEMO,
    }
