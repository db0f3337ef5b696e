"""Content-Security-Policy on every response (issue 12, item 8).

No inline script, no inline style, nothing from another origin: pages load only the
vendored files under static/ (htmx, Bootstrap, Chart.js) and our own js/css. Behaviour that
used to be inline (confirm before submit, print) is declared with data attributes and wired
by static/js/app.js. htmx's inline indicator <style> is switched off in base.html's
`htmx-config` meta (its rules live in app.css).

The policy is `settings.CONTENT_SECURITY_POLICY` (a string; empty turns the header off).
A response that already carries the header keeps its own.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Bootstrap's form controls draw icons as data: SVGs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
