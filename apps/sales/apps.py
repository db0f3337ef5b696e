from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from apps.customers import hooks

        from . import books, selectors  # noqa: F401  (books registers its checks)

        hooks.orders = selectors
        if selectors.has_open_orders not in hooks.customer_delete_guards:
            hooks.customer_delete_guards.append(selectors.has_open_orders)
