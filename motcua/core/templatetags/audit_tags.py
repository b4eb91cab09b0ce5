from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """Vietnamese label of a staff role code ("supervisor" -> "Giám sát")."""
    from motcua.org.constants import Role

    try:
        return str(Role(value).label)
    except ValueError:
        return value
