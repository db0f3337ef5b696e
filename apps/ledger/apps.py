from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "apps.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        post_migrate.connect(_ensure_chart, sender=self, dispatch_uid="ledger_chart")


def _ensure_chart(sender, using="default", apps=None, **kwargs):
    """The chart of accounts exists after every migrate and every flush (tests flush
    between transactional tests; stock and money post to it), like the currencies: missing
    accounts only, nothing is overwritten."""
    from django.apps import apps as global_apps

    from .chart import chart_ensure

    registry = apps or global_apps
    settings = registry.get_model("core", "CompanySettings").objects.filter(pk=1).first()
    currency = settings.base_currency if settings else "USD"
    if not registry.get_model("finance", "Currency").objects.filter(pk=currency).exists():
        return  # a database without its currencies yet: the migrations create the chart
    chart_ensure(registry.get_model("ledger", "Account"), currency=currency)
