"""Fixtures for every test: users per role, logged-in clients, the browser."""

import os

import pytest
from django.test import Client

from apps.accounts.roles import Role

from .factories import PASSWORD, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright + live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


# --- tests CI runs in one stage only -------------------------------------------------
# CI runs the suite on SQLite, then on PostgreSQL (.ci/run). A test marked `once` checks
# nothing that depends on the suite's database, so the PostgreSQL stage leaves it out
# (`-m "not once"`): every browser test (what Chromium shows of pages whose queries the
# test-client tests run on both databases), and the tests marked so in their modules (a
# program started on a SQLite file of its own, the docs' examples).


def pytest_itemcollected(item):
    if item.get_closest_marker("e2e"):
        item.add_marker(pytest.mark.once)


# --- the longest tests first, spread over the workers ----------------------------------
# pytest-xdist's worksteal first hands worker k the next len(left) // (W - k) tests in
# collection order, then idle workers take half of a busy one's queue. In collection order
# the browser tests sat together mid-run and were taken over at the end, so a run ended
# with three Chromiums on two cores and one test of minutes left (the last fifth of the
# SQLite stage took ~40 % of its time). These modules (the longest in
# docs/performance.md "Test suite time", longest first), then the other browser tests,
# now open the workers' first shares, dealt round in turn; the rest keeps its order.
LONG_FIRST = (
    "tests/e2e/test_every_page.py",
    "tests/e2e/test_search_as_you_type.py",
    "tests/api/test_docs_examples.py",
    "tests/invoicing/test_payments_property.py",
    "tests/inventory/test_store_order.py",
    "tests/hardening/test_make_run.py",
    "tests/core/test_no_link_to_403.py",
    "tests/core/test_schema_snapshot.py",
    "tests/hardening/test_fuzz_lists.py",
    "tests/core/test_list_binding.py",
    "tests/credit/test_property.py",
    "tests/e2e/test_api_docs.py",
    "tests/core/test_table_rows.py",
    "tests/reports/test_sales_figures.py",
    "tests/core/test_table_html.py",
    "tests/core/test_seed_scale.py",
    "tests/e2e/test_login_roles.py",
    "tests/core/test_sweep_lists.py",
    "tests/invoicing/test_demo.py",
)


@pytest.hookimpl(trylast=True)  # after `-m` has deselected
def pytest_collection_modifyitems(config, items):
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers < 2:
        return
    rank = {path: i for i, path in enumerate(LONG_FIRST)}

    def path(item) -> str:
        return item.path.relative_to(config.rootpath).as_posix()

    def weight(item) -> int | None:  # a place in LONG_FIRST; other browser tests next
        return rank.get(path(item), len(rank) if item.get_closest_marker("e2e") else None)

    long = sorted((i for i in items if weight(i) is not None), key=weight)
    rest = [i for i in items if weight(i) is None]
    heads: list[list] = [long[k::workers] for k in range(workers)]
    ordered, left, taken = [], len(items), 0
    for k in range(workers):
        share = left // (workers - k)
        more = max(share - len(heads[k]), 0)
        ordered += heads[k] + rest[taken : taken + more]
        taken, left = taken + more, left - share
    items[:] = ordered + rest[taken:]


# --- test databases -------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A new SQLite test database is built from the schema snapshot, as `make run` builds
    a fresh database (apps/core/schema_snapshot.py), instead of replaying every migration:
    0.2 s instead of ~20 s of CPU per pytest-xdist worker. Only when the snapshot's
    fingerprint matches the migrations (otherwise, on PostgreSQL, or with --reuse-db on a
    database that has tables, `migrate` runs as usual). tests/core/test_schema_snapshot.py
    checks the snapshot builds what `migrate` builds."""
    from django.core.management.commands import migrate

    from apps.core.schema_snapshot import load_if_fresh

    replay = migrate.Command.handle

    def handle(self, *args, **options):
        if load_if_fresh(options["database"]):
            return None
        return replay(self, *args, **options)

    migrate.Command.handle = handle
    yield
    migrate.Command.handle = replay


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache. The API throttle counts requests per user id, and a
    rolled-back SQLite test reuses user ids, so one worker's earlier tests would otherwise fill
    the next test's quota (a 429 in an unrelated test)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_reference_lists():
    """Each test starts with no reference list kept (apps.core.reference): a rolled-back test
    leaves the stamp as it found it, so a list kept by an earlier test would answer the next
    test's first page without its statement, and query counts would depend on test order."""
    from apps.core import reference

    reference.forget()


@pytest.fixture
def make_user(db):
    def make(*roles: str, **kwargs):
        return UserFactory(roles=list(roles), **kwargs)

    return make


@pytest.fixture
def role_user(make_user):
    """role_user("Sales") -> a fresh user holding exactly that role."""

    def make(role: str, **kwargs):
        return make_user(role, email=kwargs.pop("email", f"{role.lower()}@example.test"), **kwargs)

    return make


@pytest.fixture
def client_for(role_user):
    """client_for("Warehouse") -> a Client logged in as a user with that role."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(role_user(role))
        return client

    return make


@pytest.fixture
def admin_client(client_for):
    return client_for(Role.ADMIN)


@pytest.fixture
def password():
    return PASSWORD


# --- browser (pytest-playwright against Debian's Chromium) ----------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (make test does this as root)"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}
