"""Following a `next` parameter: only to this site (no open redirect), never a 500."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request, url: str | None) -> bool:
    return (
        bool(url)
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and url.startswith("/")
    )


def safe_next(request, fallback: str) -> str:
    """The request's `next` (POST first, then GET) when it points into this site, else
    `fallback`. Always returns a path, so `redirect()` never tries to reverse it."""
    url = request.POST.get("next") or request.GET.get("next")
    return url if is_safe_next(request, url) else fallback
