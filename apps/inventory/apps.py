from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "apps.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from apps.catalog import hooks

        from . import imports, selectors  # noqa: F401  (imports registers its importer)
        from .services import alerts

        hooks.stock = selectors
        hooks.alerts = alerts
        if selectors.product_delete_guard not in hooks.product_delete_guards:
            hooks.product_delete_guards.append(selectors.product_delete_guard)
