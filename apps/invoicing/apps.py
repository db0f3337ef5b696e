from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "apps.invoicing"
    label = "invoicing"
    verbose_name = "Invoicing"

    def ready(self) -> None:
        from apps.customers import hooks

        from . import books, selectors  # noqa: F401  (books registers its checks)
        from .services.opening import customer_opening_balance

        hooks.receivable = selectors
        if customer_opening_balance not in hooks.customer_saved:
            hooks.customer_saved.append(customer_opening_balance)
