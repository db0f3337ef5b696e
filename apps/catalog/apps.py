from django.apps import AppConfig


def _default_threshold_change():
    from . import hooks

    return hooks.stock_alerts_change(product_ids=None)


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from apps.core.company import change_hooks

        # products without a threshold of their own follow the company default
        hooks = change_hooks.setdefault("default_low_stock_threshold", [])
        if _default_threshold_change not in hooks:
            hooks.append(_default_threshold_change)
