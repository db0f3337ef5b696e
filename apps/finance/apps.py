from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FinanceConfig(AppConfig):
    name = "apps.finance"
    label = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        post_migrate.connect(_ensure_currencies, sender=self, dispatch_uid="finance_currencies")


def _ensure_currencies(sender, using="default", apps=None, **kwargs):
    """The common currencies exist after every migrate and every flush (tests flush between
    transactional tests), like the role Groups; missing ones only, nothing is overwritten."""
    from django.apps import apps as global_apps

    import_module("apps.finance.migrations.0002_currencies").load(apps or global_apps, None)
