"""Login throttling policy (django-axes) and the one email normalisation every login path
uses: the login form, `/admin/login/` and the API login call `normalize_login_email`, and
django-axes keys its counters on the same normalised value (AXES_USERNAME_CALLABLE), so
`LOCKCASE@demo.test` and `lockcase@demo.test` are one account with one counter.

Policy (docs/operations.md, "Login throttling"):
- AXES_FAILURE_LIMIT failures for one account from one address lock that account for that
  address only; other addresses (the owner at home, the office) still log in.
- AXES_ACCOUNT_FAILURE_CEILING failures for one account from all addresses together lock
  the account everywhere (distributed guessing).
- The cool-off runs from the failure that caused the lock; attempts during the lock are
  refused without being counted, so they never extend it.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def normalize_login_email(value: object) -> str:
    """The form of a login email that accounts are looked up and throttled by."""
    return str(value or "").strip().lower()


def axes_username(request, credentials: dict | None = None) -> str:
    """AXES_USERNAME_CALLABLE: the normalised email from the credentials or the POST."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalize_login_email(credentials.get(field))
    data = getattr(request, "data", None) or request.POST
    return normalize_login_email(data.get(field))


class LoginThrottleHandler(AxesDatabaseHandler):
    """Counts failures per account + address, with a per-account ceiling.

    AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "username"]: axes keeps one row
    per account x address and hands us both groupings; the address pair is held to
    AXES_FAILURE_LIMIT and the account total to AXES_ACCOUNT_FAILURE_CEILING.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair_attempts, account_attempts = self.get_user_attempts(request, credentials)
        pair = pair_attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        account = account_attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if account >= settings.AXES_ACCOUNT_FAILURE_CEILING:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair
