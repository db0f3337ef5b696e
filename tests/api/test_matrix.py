"""The role matrix over the API, generated from the router and apps.accounts.roles: every
role x every endpoint x every method answers what the matrix says (DESIGN.md §7).

Allowed: a list answers 200, a create with an empty body 400 (its validation ran), any
route on a missing object 404; a run that needs no body (`dunning/run/`) answers 200. Not allowed: 403, before anything else. Portal users get
their own-party actions (filtered querysets: a missing or foreign object is 404)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from apps.accounts.roles import Role, has_access
from apps.core.api.permissions import view_need
from backoffice.api import router

pytestmark = pytest.mark.django_db

MISSING = "999999"
ROUTE_METHODS = {
    "list": "get",
    "create": "post",
    "retrieve": "get",
    "update": "put",
    "partial_update": "patch",
    "destroy": "delete",
}


# Collection POSTs that need no body: they run (200) where others refuse an empty body.
RUNS_WITHOUT_BODY = {"/api/v1/dunning/run/"}


@dataclass(frozen=True)
class Call:
    viewset: type
    action: str
    method: str
    url: str
    detail: bool


def calls() -> list[Call]:
    out = []
    for prefix, viewset, _ in router.registry:
        base = f"/api/v1/{prefix}/"
        for action, method in ROUTE_METHODS.items():
            if not hasattr(viewset, action):
                continue
            detail = action not in ("list", "create")
            out.append(
                Call(viewset, action, method, base + (f"{MISSING}/" if detail else ""), detail)
            )
        for extra in viewset.get_extra_actions():
            for method, name in extra.mapping.items():
                path = extra.url_path.replace(r"(?P<line_id>\d+)", "1")
                url = base + (f"{MISSING}/" if extra.detail else "") + f"{path}/"
                out.append(Call(viewset, name, method, url, extra.detail))
    return out


class _Request:
    def __init__(self, method):
        self.method = method.upper()


def allowed(user, call: Call) -> bool:
    view = call.viewset()
    view.action = call.action
    area = view.area
    if not area:
        return True
    if has_access(user, area, view_need(view, _Request(call.method))):
        return True
    own = view.own_actions
    return own is not None and call.action in own and has_access(user, area, "own")


def expected(user, call: Call) -> int:
    if not allowed(user, call):
        return 403
    if call.detail:
        return 404
    if call.url in RUNS_WITHOUT_BODY:
        return 200
    return 400 if call.method == "post" else 200


def test_the_api_covers_every_domain_of_the_issue():
    prefixes = {prefix for prefix, _, _ in router.registry}
    assert prefixes >= {
        "users",
        "customers",
        "categories",
        "products",
        "products/stock-changes",
        "price-history",
        "stores",
        "inventory",
        "movements",
        "low-stock",
        "orders",
        "returns",
        "coupons",
        "sellers",
        "credit-requests",
        "charges",
        "transactions",
        "ledger/accounts",
        "ledger/entries",
        "ledger/lines",
        "ledger/trial-balance",
        "audit-log",
        "dashboard",
        "auth/tokens",
        "invoices",
        "credit-notes",
        "receivables",
        "reports/types",
        "reports/runs",
        "payments",
        "bank/accounts",
        "bank/statements",
        "bank/lines",
        "bank/matches",
        "dunning/levels",
        "dunning/reminders",
        "dunning",
        "recurring-invoices",
    }
    assert len(calls()) >= 150


@pytest.mark.parametrize("role", list(Role))
def test_every_endpoint_answers_as_the_matrix_says(role, role_user):
    user = role_user(role)
    client = APIClient()
    client.force_authenticate(user)
    wrong = []
    for call in calls():
        answer = getattr(client, call.method)(call.url, {}, format="json")
        want = expected(user, call)
        if answer.status_code != want:
            wrong.append((call.method.upper(), call.url, want, answer.status_code))
    assert wrong == []


def test_anonymous_gets_401_everywhere_but_login():
    client = APIClient()
    codes = {getattr(client, c.method)(c.url, {}, format="json").status_code for c in calls()}
    assert codes == {401}
