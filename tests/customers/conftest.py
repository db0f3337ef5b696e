from tests.sales.conftest import store, widget  # noqa: F401  (shared fixtures)
