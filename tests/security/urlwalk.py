"""Every URL pattern of the project, namespaces included (walked from the root resolver)."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def _walk(resolver: URLResolver, prefix: str, ns: str | None) -> Iterator[tuple[str, str]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = ns
            if p.namespace:
                inner = f"{ns}:{p.namespace}" if ns else p.namespace
            yield from _walk(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            if p.name:
                yield (f"{ns}:{p.name}" if ns else p.name), route
            else:
                yield f"<unnamed>{route}", route


def all_url_names() -> dict[str, str]:
    """{name: route}; an unnamed pattern is keyed "<unnamed>" + its route."""
    return dict(_walk(get_resolver(), "", None))
